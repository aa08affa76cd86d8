package deferrecover

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
)

// deferDirectly offers to rewrite `defer func() { h(args) }()` (or
// `defer func() { defer h(args) }()`) as `defer h(args)`. Deferring the
// call evaluates its arguments and receiver at the defer statement
// instead of when the function returns, so the fix is offered only when
// both moments see the same values: constants, or local variables that
// nothing can change after the defer statement. It is not offered when
// the closure holds comments, which the rewrite would drop.
func (c *checker) deferDirectly(cur inspector.Cursor, lit *ast.FuncLit, call *ast.CallExpr) (analysis.SuggestedFix, bool) {
	pass := c.pass
	def := cur.Node().(*ast.DeferStmt)
	if len(def.Call.Args) != 0 {
		return analysis.SuggestedFix{}, false
	}
	if f := astq.FileOf(pass, lit.Pos()); f == nil || hasComment(f, lit) {
		return analysis.SuggestedFix{}, false
	}
	fc, _, body := astq.EnclosingFunc(cur)
	if !fc.Valid() || body == nil {
		return analysis.SuggestedFix{}, false
	}
	s := &stability{pass: pass, fn: fc.Node(), body: body, sig: astq.Signature(pass, fc), after: def.End()}

	var recv ast.Expr
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		if selection, ok := pass.TypesInfo.Selections[sel]; ok {
			if selection.Kind() != types.MethodVal || len(selection.Index()) != 1 {
				return analysis.SuggestedFix{}, false
			}
			recv = sel.X
			if !s.stableReceiver(sel.X, selection) {
				return analysis.SuggestedFix{}, false
			}
		}
	}
	for _, a := range call.Args {
		if !s.stable(a) {
			return analysis.SuggestedFix{}, false
		}
	}
	// In a loop, the next iteration may change a variable after this
	// defer statement ran, however early it is assigned in the text.
	if recv != nil || len(call.Args) > 0 {
		for l := range cur.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil)) {
			if fc.Contains(l) {
				return analysis.SuggestedFix{}, false
			}
		}
	}
	return analysis.SuggestedFix{
		Message: "Defer " + astq.Render(call.Fun) + " directly",
		TextEdits: []analysis.TextEdit{
			{Pos: def.Call.Pos(), End: call.Pos()},
			{Pos: call.End(), End: def.Call.End()},
		},
	}, true
}

func hasComment(f *ast.File, n ast.Node) bool {
	for _, g := range f.Comments {
		if g.Pos() < n.End() && g.End() > n.Pos() {
			return true
		}
	}
	return false
}

// stability decides whether an expression has the same value at the
// defer statement and when the function returns.
type stability struct {
	pass  *analysis.Pass
	fn    ast.Node // the function holding the defer statement
	body  *ast.BlockStmt
	sig   *types.Signature
	after token.Pos // end of the defer statement
}

// stable reports whether e is a constant, or a local variable whose
// value cannot change after the defer statement.
func (s *stability) stable(e ast.Expr) bool {
	if tv, ok := s.pass.TypesInfo.Types[e]; ok && tv.Value != nil {
		return true
	}
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return false
	}
	if id.Name == "nil" {
		_, isNil := s.pass.TypesInfo.Uses[id].(*types.Nil)
		return isNil
	}
	v := s.local(id)
	if v == nil {
		return false
	}
	// A struct or an array is copied when the call is deferred: a
	// later change of one of its fields would be lost.
	switch v.Type().Underlying().(type) {
	case *types.Struct, *types.Array:
		return false
	}
	return !s.changed(v)
}

// stableReceiver reports whether the receiver x of a method value has
// the same value at the defer statement and at the return.
func (s *stability) stableReceiver(x ast.Expr, sel *types.Selection) bool {
	id, ok := ast.Unparen(x).(*ast.Ident)
	if !ok {
		return false
	}
	v := s.local(id)
	if v == nil {
		return false
	}
	_, ptrRecv := sel.Obj().(*types.Func).Signature().Recv().Type().(*types.Pointer)
	_, ptrVar := v.Type().Underlying().(*types.Pointer)
	switch {
	case ptrRecv && !ptrVar:
		return true // &x: the same variable either way
	case !ptrRecv && ptrVar:
		return false // *x is copied at the defer statement
	}
	return s.stable(x)
}

// local returns the variable id refers to when it is declared in the
// function holding the defer statement (a parameter or a local), and
// is not one of its results, which a return statement assigns.
func (s *stability) local(id *ast.Ident) *types.Var {
	v, ok := s.pass.TypesInfo.Uses[id].(*types.Var)
	if !ok || v.IsField() || !astq.DeclaredIn(v, s.fn) {
		return nil
	}
	if s.sig != nil {
		for r := range s.sig.Results().Variables() {
			if r == v {
				return nil
			}
		}
	}
	return v
}

// changed reports whether v may change after the defer statement: it
// is assigned after it, assigned in any function literal (which may run
// later), or its address is taken.
func (s *stability) changed(v *types.Var) bool {
	info := s.pass.TypesInfo
	is := func(e ast.Expr) bool {
		id, ok := ast.Unparen(e).(*ast.Ident)
		return ok && info.ObjectOf(id) == v
	}
	changed := false
	var visit func(n ast.Node, inLit bool) bool
	visit = func(n ast.Node, inLit bool) bool {
		if changed {
			return false
		}
		late := inLit || n.Pos() > s.after
		switch n := n.(type) {
		case *ast.FuncLit:
			ast.Inspect(n.Body, func(m ast.Node) bool {
				return m != nil && visit(m, true)
			})
			return false
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if late && is(l) {
					changed = true
				}
			}
		case *ast.IncDecStmt:
			if late && is(n.X) {
				changed = true
			}
		case *ast.RangeStmt:
			if late && ((n.Key != nil && is(n.Key)) || (n.Value != nil && is(n.Value))) {
				changed = true
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && is(n.X) {
				changed = true // may be changed through the pointer
			}
		case *ast.SelectorExpr:
			// x.m() with a pointer receiver takes &x.
			if sel, ok := info.Selections[n]; ok && sel.Kind() == types.MethodVal && is(n.X) {
				if _, ptr := sel.Obj().(*types.Func).Signature().Recv().Type().(*types.Pointer); ptr {
					if _, isPtr := v.Type().Underlying().(*types.Pointer); !isPtr {
						changed = true
					}
				}
			}
		}
		return true
	}
	ast.Inspect(s.body, func(n ast.Node) bool {
		return n != nil && visit(n, false)
	})
	return changed
}
