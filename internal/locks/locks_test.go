package locks_test

import (
	"go/ast"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/locks"
)

// probe reports, at each lock a function takes, the lock's class and
// the classes held there on every path, so that the fixtures can state
// them with // want.
var probe = &analysis.Analyzer{
	Name:     "probe",
	Doc:      "probe: the lock classes and held sets that internal/locks computes",
	Requires: []*analysis.Analyzer{inspect.Analyzer, locks.Analyzer},
	Run: func(pass *analysis.Pass) (any, error) {
		ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
		res := pass.ResultOf[locks.Analyzer].(*locks.Result)
		for cur := range ins.Root().Preorder((*ast.FuncDecl)(nil)) {
			fn := cur.Node()
			if !res.MayLock(fn) {
				continue
			}
			res.Acquisitions(fn, func(a locks.Acquisition, held map[locks.Key]locks.Held) {
				class, ok := res.Class(a.Key)
				if !ok {
					class = "none"
				}
				msg := "takes " + class
				for k := range held {
					if c, ok := res.Class(k); ok {
						msg += " holding " + c
					}
				}
				pass.Reportf(a.Call.Pos(), "%s", msg)
			})
		}
		return nil, nil
	},
}

func TestClassesAndHeld(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), probe, "classes")
}
