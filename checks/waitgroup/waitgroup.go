package waitgroup

import (
	_ "embed"
	"fmt"
	"go/ast"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports a WaitGroup waited on inside the loop that starts
// the goroutines it counts.
var Analyzer = &analysis.Analyzer{
	Name:     "waitgroup",
	Doc:      astq.ExtractDoc(doc, "waitgroup"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/waitgroup",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	if !astq.Imports(pass, "sync") {
		return nil, nil
	}
	pass = suppress.Filter(pass)
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	for cur := range ins.Root().Preorder((*ast.CallExpr)(nil)) {
		call := cur.Node().(*ast.CallExpr)
		wg, ok := wgMethod(pass, call, "Wait")
		if !ok {
			continue
		}
		// The innermost loop around the Wait, within the same function.
		var loop ast.Node
		for c := range cur.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil), (*ast.FuncLit)(nil), (*ast.FuncDecl)(nil)) {
			switch c.Node().(type) {
			case *ast.ForStmt, *ast.RangeStmt:
				loop = c.Node()
			}
			break
		}
		if loop == nil {
			continue
		}
		body := astq.LoopBody(loop)
		if body == nil || !startsDoner(pass, body, wg) {
			continue // rule "no goroutine of its own"
		}
		if calls(pass, body, wg, "Add", true) {
			continue // rule "counted in the loop"
		}
		fn, _, fbody := astq.EnclosingFunc(cur)
		if !fn.Valid() || !addedBefore(pass, fbody, wg, loop) {
			continue
		}
		pass.Report(analysis.Diagnostic{
			Pos: call.Pos(),
			End: call.End(),
			Message: fmt.Sprintf("%s.Wait() inside the loop waits for every goroutine the Add before the loop counted, but only this turn's has started: with two or more turns it never returns (Wait after the loop, or Add(1) in it)",
				astq.Render(wg)),
		})
	}
	return nil, nil
}

// wgMethod recognizes x.name() on a sync.WaitGroup and returns x.
func wgMethod(pass *analysis.Pass, call *ast.CallExpr, name string) (ast.Expr, bool) {
	fn := astq.Callee(pass, call)
	if !astq.IsMethod(fn, "sync", "WaitGroup", name) {
		return nil, false
	}
	return astq.ReceiverExpr(call)
}

// calls reports whether n calls wg.name(), optionally looking into
// function literals.
func calls(pass *analysis.Pass, n ast.Node, wg ast.Expr, name string, intoLits bool) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		if found {
			return false
		}
		if _, ok := m.(*ast.FuncLit); ok && !intoLits {
			return false
		}
		if c, ok := m.(*ast.CallExpr); ok {
			if x, ok := wgMethod(pass, c, name); ok && astq.SameExpr(pass, x, wg) {
				found = true
			}
		}
		return true
	})
	return found
}

// startsDoner reports whether body has a go statement whose function
// literal calls wg.Done.
func startsDoner(pass *analysis.Pass, body *ast.BlockStmt, wg ast.Expr) bool {
	found := false
	ast.Inspect(body, func(m ast.Node) bool {
		g, ok := m.(*ast.GoStmt)
		if !ok || found {
			return !found
		}
		if lit, ok := ast.Unparen(g.Call.Fun).(*ast.FuncLit); ok && calls(pass, lit.Body, wg, "Done", true) {
			found = true
		}
		return false
	})
	return found
}

// addedBefore reports whether body calls wg.Add before loop, outside it
// and outside function literals.
func addedBefore(pass *analysis.Pass, body *ast.BlockStmt, wg ast.Expr, loop ast.Node) bool {
	found := false
	ast.Inspect(body, func(m ast.Node) bool {
		if found || m == loop {
			return false
		}
		if _, ok := m.(*ast.FuncLit); ok {
			return false
		}
		if c, ok := m.(*ast.CallExpr); ok && c.End() <= loop.Pos() {
			if x, ok := wgMethod(pass, c, "Add"); ok && astq.SameExpr(pass, x, wg) {
				found = true
			}
		}
		return true
	})
	return found
}
