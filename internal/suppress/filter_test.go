package suppress_test

import (
	"go/ast"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/silentfail/silentfail/internal/suppress"
)

// callcheck reports every call to a function named report, through the
// filter, so the fixtures can show what a directive suppresses.
var callcheck = &analysis.Analyzer{
	Name: "callcheck",
	Doc:  "callcheck: test analyzer",
	Run: func(pass *analysis.Pass) (any, error) {
		pass = suppress.Filter(pass)
		for _, f := range pass.Files {
			ast.Inspect(f, func(n ast.Node) bool {
				if c, ok := n.(*ast.CallExpr); ok {
					if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "report" {
						pass.Reportf(c.Pos(), "call to report")
					}
				}
				return true
			})
		}
		return nil, nil
	},
}

func TestFilter(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), callcheck, "a")
}
