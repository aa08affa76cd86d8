package lonechan

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// A field channel nobody serves: an unexported field of a struct of the
// package, of channel type, that nothing in the package sends on or
// closes, and that nobody outside can reach to do it. A receive from it
// outside a select waits forever.

type fieldUses struct {
	served bool      // a send or close somewhere
	handed bool      // a use that may give it to someone who sends or closes
	made   token.Pos // where it is made, for the message
	recvs  []ast.Node
}

// checkUnserved reports blocking receives from such fields, directly or
// through an accessor that returns the field as a receive-only channel
// (rule "receive-only accessor": func (s *S) Done() <-chan T { return
// s.done } hands out nothing anyone can send on or close).
func checkUnserved(pass *analysis.Pass, ins *inspector.Inspector, reported map[token.Pos]bool) {
	fields := map[*types.Var]*fieldUses{}
	get := func(f *types.Var) *fieldUses {
		u := fields[f]
		if u == nil {
			u = &fieldUses{}
			fields[f] = u
		}
		return u
	}
	accessors := map[*types.Func]*types.Var{}
	notAccessor := map[*types.Func]bool{}
	comms := map[ast.Node]bool{}
	for cur := range ins.Root().Preorder((*ast.CommClause)(nil)) {
		if cc := cur.Node().(*ast.CommClause); cc.Comm != nil {
			ast.Inspect(cc.Comm, func(n ast.Node) bool {
				comms[n] = true
				return true
			})
		}
	}
	// A literal without keys sets every field out of sight of the uses
	// below: its channel fields are handed out.
	for cur := range ins.Root().Preorder((*ast.CompositeLit)(nil)) {
		lit := cur.Node().(*ast.CompositeLit)
		if len(lit.Elts) == 0 {
			continue
		}
		if _, keyed := lit.Elts[0].(*ast.KeyValueExpr); keyed {
			continue
		}
		st, ok := pass.TypesInfo.TypeOf(lit).Underlying().(*types.Struct)
		if !ok {
			continue
		}
		for i := range st.NumFields() {
			if f := chanField(pass, st.Field(i)); f != nil {
				get(f).handed = true
			}
		}
	}
	for cur := range ins.Root().Preorder((*ast.SelectorExpr)(nil), (*ast.Ident)(nil)) {
		var f *types.Var
		switch n := cur.Node().(type) {
		case *ast.SelectorExpr:
			f = chanField(pass, pass.TypesInfo.Uses[n.Sel])
		case *ast.Ident:
			if p, ok := cur.Parent().Node().(*ast.KeyValueExpr); ok && p.Key == n {
				f = chanField(pass, pass.TypesInfo.Uses[n])
			} else if _, ok := pass.TypesInfo.Defs[n]; !ok {
				if p, ok := cur.Parent().Node().(*ast.SelectorExpr); !ok || p.Sel != n {
					if v := chanField(pass, pass.TypesInfo.Uses[n]); v != nil {
						get(v).handed = true // a field named without a selector: unusual
					}
				}
			}
		}
		if f == nil {
			continue
		}
		u := get(f)
		if f.Exported() {
			u.handed = true // rule "handed out": other packages may send
		}
		classifyFieldUse(pass, cur, u, comms, accessors, notAccessor, f)
	}
	checkUnservedLocals(pass, ins, comms, reported)
	for fn := range notAccessor {
		delete(accessors, fn)
	}
	if len(accessors) > 0 {
		for cur := range ins.Root().Preorder((*ast.CallExpr)(nil)) {
			call := cur.Node().(*ast.CallExpr)
			fn := typeutil.StaticCallee(pass.TypesInfo, call)
			f, ok := accessors[fn]
			if !ok {
				continue
			}
			if p, ok := cur.Parent().Node().(*ast.UnaryExpr); ok && p.Op == token.ARROW && !comms[p] {
				get(f).recvs = append(get(f).recvs, p)
			}
		}
	}
	for f, u := range fields {
		if u.served || u.handed {
			continue
		}
		if !u.made.IsValid() {
			// Rule "set out of sight": a field the package never makes is
			// set where the check cannot see (a test hook, another build
			// of the package); a nil channel by design is rare.
			continue
		}
		for _, r := range u.recvs {
			reportUnserved(pass, f, u, r)
		}
	}
}

// chanField returns obj when it is an unexported or exported field of
// channel type declared in this package.
func chanField(pass *analysis.Pass, obj types.Object) *types.Var {
	v, ok := obj.(*types.Var)
	if !ok || !v.IsField() || v.Pkg() != pass.Pkg {
		return nil
	}
	v = v.Origin() // the field of a generic type, whatever the instance
	if _, ok := v.Type().Underlying().(*types.Chan); !ok {
		return nil
	}
	return v
}

func classifyFieldUse(pass *analysis.Pass, cur inspector.Cursor, u *fieldUses, comms map[ast.Node]bool, accessors map[*types.Func]*types.Var, notAccessor map[*types.Func]bool, f *types.Var) {
	me, parent := outsideParens(cur)
	switch p := parent.Node().(type) {
	case *ast.SendStmt:
		if p.Chan == me {
			u.served = true
			return
		}
	case *ast.UnaryExpr:
		if p.Op == token.ARROW {
			if !comms[p] {
				u.recvs = append(u.recvs, p)
			}
			return
		}
	case *ast.RangeStmt:
		if p.X == me {
			u.recvs = append(u.recvs, p)
			return
		}
	case *ast.CallExpr:
		if id, ok := ast.Unparen(p.Fun).(*ast.Ident); ok {
			if b, ok := pass.TypesInfo.Uses[id].(*types.Builtin); ok {
				switch b.Name() {
				case "close":
					u.served = true
					return
				case "len", "cap":
					return
				}
			}
		}
		// Passed as a receive-only parameter: the callee cannot send.
		if sig, ok := pass.TypesInfo.TypeOf(p.Fun).(*types.Signature); ok {
			for i, a := range p.Args {
				if a == me && i < sig.Params().Len() && !sig.Variadic() {
					if ch, ok := sig.Params().At(i).Type().Underlying().(*types.Chan); ok && ch.Dir() == types.RecvOnly {
						return
					}
				}
			}
		}
	case *ast.BinaryExpr:
		if pass.TypesInfo.Types[p.X].IsNil() || pass.TypesInfo.Types[p.Y].IsNil() {
			return
		}
	case *ast.AssignStmt:
		for i, l := range p.Lhs {
			if l == me && len(p.Rhs) == len(p.Lhs) && madeOrNil(pass, p.Rhs[i], u) {
				return
			}
		}
	case *ast.KeyValueExpr:
		if p.Key == me && madeOrNil(pass, p.Value, u) {
			return
		}
	case *ast.ReturnStmt:
		if fn := enclosingFunc(pass, parent); fn != nil {
			sig := fn.Type().(*types.Signature)
			for i, r := range p.Results {
				if r == me && i < sig.Results().Len() {
					if ch, ok := sig.Results().At(i).Type().Underlying().(*types.Chan); ok && ch.Dir() == types.RecvOnly {
						if g, ok := accessors[fn]; ok && g != f {
							notAccessor[fn] = true
						}
						accessors[fn] = f
						checkAccessor(pass, parent, fn, i, f, notAccessor)
						return
					}
				}
			}
		}
	}
	u.handed = true // rule "handed out"
}

// madeOrNil reports whether v is make(chan ...) or nil, noting where
// the channel is made.
func madeOrNil(pass *analysis.Pass, v ast.Expr, u *fieldUses) bool {
	if pass.TypesInfo.Types[v].IsNil() {
		return true
	}
	call, ok := ast.Unparen(v).(*ast.CallExpr)
	if !ok || !isMake(pass, call) {
		return false
	}
	if !u.made.IsValid() {
		u.made = call.Pos()
	}
	return true
}

func enclosingFunc(pass *analysis.Pass, cur inspector.Cursor) *types.Func {
	for c := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		if d, ok := c.Node().(*ast.FuncDecl); ok {
			fn, _ := pass.TypesInfo.Defs[d.Name].(*types.Func)
			return fn
		}
		return nil // a literal's return
	}
	return nil
}

// checkAccessor marks fn as no accessor unless every return of it gives
// the field f, or nil, as result i.
func checkAccessor(pass *analysis.Pass, ret inspector.Cursor, fn *types.Func, i int, f *types.Var, notAccessor map[*types.Func]bool) {
	var body *ast.BlockStmt
	for c := range ret.Enclosing((*ast.FuncDecl)(nil)) {
		body = c.Node().(*ast.FuncDecl).Body
		break
	}
	if body == nil {
		notAccessor[fn] = true
		return
	}
	ast.Inspect(body, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		r, ok := n.(*ast.ReturnStmt)
		if !ok {
			return true
		}
		if i >= len(r.Results) {
			notAccessor[fn] = true
			return false
		}
		e := ast.Unparen(r.Results[i])
		if pass.TypesInfo.Types[e].IsNil() {
			return true
		}
		if sel, ok := e.(*ast.SelectorExpr); ok && chanField(pass, pass.TypesInfo.Uses[sel.Sel]) == f {
			return true
		}
		notAccessor[fn] = true
		return false
	})
}

func reportUnserved(pass *analysis.Pass, f *types.Var, u *fieldUses, r ast.Node) {
	p := pass.Fset.Position(u.made)
	made := fmt.Sprintf("it is only made, at %s:%d", filepath.Base(p.Filename), p.Line)
	what := "this receive from " + f.Name()
	if _, ok := r.(*ast.RangeStmt); ok {
		what = "this range over " + f.Name()
	}
	pass.Report(analysis.Diagnostic{
		Pos: r.Pos(),
		End: r.Pos() + token.Pos(len("<-")),
		Message: fmt.Sprintf("%s waits forever: nothing in the package sends on or closes the field %s (%s), and it is not handed to anyone who could (close it where the wait should end, or select on another signal)",
			what, f.Name(), made),
	})
}
