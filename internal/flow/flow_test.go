package flow_test

import (
	"fmt"
	"go/ast"
	"go/types"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/silentfail/silentfail/internal/flow"
)

// report prints, for every function of the fixture, whether it returns
// and how many live blocks its graph has, as diagnostics the fixture
// expects with // want.
var report = &analysis.Analyzer{
	Name:     "flowreport",
	Doc:      "flowreport: test analyzer",
	Requires: []*analysis.Analyzer{flow.Analyzer},
	Run: func(pass *analysis.Pass) (any, error) {
		cfgs := pass.ResultOf[flow.Analyzer].(*flow.CFGs)
		for _, f := range pass.Files {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				fn := pass.TypesInfo.Defs[fd.Name].(*types.Func)
				if cfgs.FuncDecl(fd) == nil {
					pass.Reportf(fd.Pos(), "no graph")
				}
				pass.Reportf(fd.Name.Pos(), "%s", fmt.Sprintf("noreturn=%v", cfgs.NoReturn(fn)))
			}
		}
		return nil, nil
	},
}

func TestNoReturn(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), report, "a")
}
