package deferloop

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
)

// wrapFix returns the fix that wraps the body of loop in an immediately
// called function literal, so that its defers run at the end of each
// iteration. It refuses when the wrapping would change anything else:
// a return, or a break, continue or goto that leaves the body (they
// would target the function literal, or not compile); a recover that a
// deferred call in the body could reach (a panic would then end the
// iteration instead of the function); a deferred call that reads or
// sets a named result of the function (it would run before the return
// statement sets them); a deferred function literal that assigns a
// variable declared outside the body (code after the loop would see
// the new value).
func wrapFix(pass *analysis.Pass, fn inspector.Cursor, loop ast.Stmt) (analysis.SuggestedFix, bool) {
	body := astq.LoopBody(loop)
	if len(body.List) == 0 || leavesBody(body) || callsRecover(pass, body) || deferUsesResults(pass, fn, body) || deferAssignsOuter(pass, body) {
		return analysis.SuggestedFix{}, false
	}
	return analysis.SuggestedFix{
		Message: "Wrap the loop body in a function literal",
		TextEdits: []analysis.TextEdit{
			{Pos: body.Lbrace + 1, End: body.Lbrace + 1, NewText: []byte("\nfunc() {")},
			{Pos: body.Rbrace, End: body.Rbrace, NewText: []byte("}()\n")},
		},
	}, true
}

// leavesBody reports whether body holds a return, or a branch statement
// whose target is not inside body.
func leavesBody(body *ast.BlockStmt) bool {
	labels := make(map[string]bool)
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.LabeledStmt:
			labels[n.Label.Name] = true
		}
		return true
	})
	bad := false
	var walk func(n ast.Node, canBreak, canContinue bool)
	walk = func(root ast.Node, canBreak, canContinue bool) {
		ast.Inspect(root, func(n ast.Node) bool {
			if bad {
				return false
			}
			if n == root {
				return true
			}
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ReturnStmt:
				bad = true
			case *ast.BranchStmt:
				switch {
				case n.Label != nil:
					bad = !labels[n.Label.Name]
				case n.Tok == token.BREAK:
					bad = !canBreak
				case n.Tok == token.CONTINUE:
					bad = !canContinue
				}
			case *ast.ForStmt:
				walk(n.Body, true, true)
				return false
			case *ast.RangeStmt:
				walk(n.Body, true, true)
				return false
			case *ast.SwitchStmt:
				walk(n.Body, true, canContinue)
				return false
			case *ast.TypeSwitchStmt:
				walk(n.Body, true, canContinue)
				return false
			case *ast.SelectStmt:
				walk(n.Body, true, canContinue)
				return false
			}
			return !bad
		})
	}
	walk(body, false, false)
	return bad
}

// callsRecover reports whether body calls the builtin recover anywhere,
// function literals included.
func callsRecover(pass *analysis.Pass, body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == "recover" {
			if b, ok := pass.TypesInfo.Uses[id].(*types.Builtin); ok && b.Name() == "recover" {
				found = true
			}
		}
		return !found
	})
	return found
}

// deferUsesResults reports whether a defer statement of body (outside
// nested function literals) refers to a named result of the function.
func deferUsesResults(pass *analysis.Pass, fn inspector.Cursor, body *ast.BlockStmt) bool {
	sig := astq.Signature(pass, fn)
	if sig == nil || sig.Results().Len() == 0 || sig.Results().At(0).Name() == "" {
		return false
	}
	results := make(map[types.Object]bool)
	for v := range sig.Results().Variables() {
		results[v] = true
	}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			ast.Inspect(n.Call, func(m ast.Node) bool {
				if id, ok := m.(*ast.Ident); ok && results[pass.TypesInfo.Uses[id]] {
					found = true
				}
				return !found
			})
		}
		return !found
	})
	return found
}

// deferAssignsOuter reports whether a deferred function literal of body
// assigns a variable declared outside body.
func deferAssignsOuter(pass *analysis.Pass, body *ast.BlockStmt) bool {
	outer := func(e ast.Expr) bool {
		v := astq.RootObject(pass, e)
		return v == nil || !astq.DeclaredIn(v, body)
	}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			lit, ok := ast.Unparen(n.Call.Fun).(*ast.FuncLit)
			if !ok {
				return true
			}
			ast.Inspect(lit.Body, func(m ast.Node) bool {
				switch m := m.(type) {
				case *ast.AssignStmt:
					if m.Tok != token.DEFINE {
						for _, l := range m.Lhs {
							if id, ok := l.(*ast.Ident); ok && id.Name == "_" {
								continue
							}
							found = found || outer(l)
						}
					}
				case *ast.IncDecStmt:
					found = found || outer(m.X)
				}
				return !found
			})
		}
		return !found
	})
	return found
}
