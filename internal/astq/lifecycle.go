package astq

import (
	"go/ast"
	"go/token"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// TeardownName reports whether a function's name says it stops
// something (Shutdown, Close, Stop, Wait, Drain...): its callers expect
// it to wait, and it runs once at the end of a lifetime, not per
// request.
func TeardownName(name string) bool {
	for _, p := range []string{"shutdown", "close", "stop", "wait", "drain", "terminate", "cleanup"} {
		if len(name) >= len(p) && strings.EqualFold(name[:len(p)], p) {
			return true
		}
	}
	return false
}

// RunsUntilDone reports whether body loops until a context is done (a
// receive from Done() in a for or range statement, outside deferred
// calls and function literals): a long-running worker such as a
// Run(ctx) method, whose deferred calls run at shutdown, not at the end
// of a request.
func RunsUntilDone(pass *analysis.Pass, body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if found {
			return false
		}
		switch n := n.(type) {
		case *ast.DeferStmt, *ast.FuncLit:
			return false
		case *ast.ForStmt, *ast.RangeStmt:
			ast.Inspect(LoopBody(n), func(m ast.Node) bool {
				switch m := m.(type) {
				case *ast.FuncLit:
					return false
				case *ast.UnaryExpr:
					if call, ok := ast.Unparen(m.X).(*ast.CallExpr); ok && m.Op == token.ARROW &&
						IsMethod(Callee(pass, call), "context", "Context", "Done") {
						found = true
					}
				}
				return !found
			})
			return false
		}
		return true
	})
	return found
}
