// The chains: local context variables and what they are assigned, the
// calls that derive a context from another, and the roots a chain
// reaches.

package ctxreplace

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
)

// collect records the assignments to local context variables.
func (c *checker) collect(ins *inspector.Inspector) {
	info := c.pass.TypesInfo
	local := func(e ast.Expr) *types.Var {
		id, ok := ast.Unparen(e).(*ast.Ident)
		if !ok {
			return nil
		}
		v, ok := info.ObjectOf(id).(*types.Var)
		if !ok || v.IsField() || v.Pkg() != c.pass.Pkg || v.Parent() == c.pass.Pkg.Scope() || !isContext(v.Type()) {
			return nil
		}
		return v
	}
	for cur := range ins.Root().Preorder((*ast.AssignStmt)(nil), (*ast.ValueSpec)(nil), (*ast.RangeStmt)(nil), (*ast.UnaryExpr)(nil), (*ast.FuncType)(nil), (*ast.FuncDecl)(nil)) {
		switch n := cur.Node().(type) {
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				v := local(lhs)
				if v == nil {
					continue
				}
				switch {
				case len(n.Lhs) == len(n.Rhs):
					c.sources[v] = append(c.sources[v], n.Rhs[i])
				case len(n.Rhs) == 1 && c.resultIsDerived(n.Rhs[0], i):
					c.sources[v] = append(c.sources[v], n.Rhs[0])
				default:
					c.opaque[v] = true
				}
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				v := local(id)
				if v == nil {
					continue
				}
				switch {
				case len(n.Values) == 0:
				case len(n.Names) == len(n.Values):
					c.sources[v] = append(c.sources[v], n.Values[i])
				case len(n.Values) == 1 && c.resultIsDerived(n.Values[0], i):
					c.sources[v] = append(c.sources[v], n.Values[0])
				default:
					c.opaque[v] = true
				}
			}
		case *ast.RangeStmt:
			for _, e := range []ast.Expr{n.Key, n.Value} {
				if v := local(e); v != nil {
					c.opaque[v] = true
				}
			}
		case *ast.UnaryExpr:
			if v := local(n.X); v != nil && n.Op == token.AND {
				c.opaque[v] = true
			}
		case *ast.FuncType:
			for _, fl := range []*ast.FieldList{n.Params, n.Results} {
				if fl == nil {
					continue
				}
				for _, f := range fl.List {
					for _, id := range f.Names {
						if v, ok := info.Defs[id].(*types.Var); ok {
							c.opaque[v] = true
						}
					}
				}
			}
		case *ast.FuncDecl:
			if n.Recv != nil {
				for _, f := range n.Recv.List {
					for _, id := range f.Names {
						if v, ok := info.Defs[id].(*types.Var); ok {
							c.opaque[v] = true
						}
					}
				}
			}
		}
	}
}

// resultIsDerived reports whether the i-th result of the call e is a
// context derived from the call's first argument: ctx, cancel :=
// context.WithTimeout(ctx, d), g, ctx := errgroup.WithContext(ctx).
func (c *checker) resultIsDerived(e ast.Expr, i int) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok || !c.deriver(call) {
		return false
	}
	sig := c.pass.TypesInfo.TypeOf(call.Fun).Underlying().(*types.Signature)
	return i < sig.Results().Len() && isContext(sig.Results().At(i).Type())
}

// deriver reports whether call makes a context from the context it
// receives first: context.WithValue/WithCancel/WithTimeout/...,
// signal.NotifyContext, errgroup.WithContext, a tracer's Start, any
// function whose first parameter and one of whose results are contexts.
func (c *checker) deriver(call *ast.CallExpr) bool {
	if len(call.Args) == 0 {
		return false
	}
	tv, ok := c.pass.TypesInfo.Types[call.Fun]
	if !ok || tv.IsType() {
		return false
	}
	sig, ok := tv.Type.Underlying().(*types.Signature)
	if !ok || sig.Params().Len() == 0 || !isContext(sig.Params().At(0).Type()) {
		return false
	}
	if astq.IsFunc(astq.Callee(c.pass, call), "context", "WithoutCancel") {
		return false
	}
	for v := range sig.Results().Variables() {
		if isContext(v.Type()) {
			return true
		}
	}
	return false
}

// roots returns the context.Background()/TODO() calls that the context
// expression e is rooted at, or nil when some of its values may come
// from elsewhere (a parameter, a field, r.Context(), WithoutCancel).
func (c *checker) roots(e ast.Expr) []*ast.CallExpr {
	r, ok := c.rootsOf(e, make(map[*types.Var]bool))
	if !ok {
		return nil
	}
	return r
}

func (c *checker) rootsOf(e ast.Expr, busy map[*types.Var]bool) ([]*ast.CallExpr, bool) {
	switch x := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		fn := astq.Callee(c.pass, x)
		if astq.IsFunc(fn, "context", "Background", "TODO") {
			return []*ast.CallExpr{x}, true
		}
		if c.deriver(x) {
			return c.rootsOf(x.Args[0], busy)
		}
	case *ast.Ident:
		v, ok := c.pass.TypesInfo.Uses[x].(*types.Var)
		if !ok || c.opaque[v] {
			return nil, false
		}
		srcs, ok := c.sources[v]
		if !ok {
			return nil, false // declared some other way (a type switch), or never assigned
		}
		if r, ok := c.memo[v]; ok {
			return r, r != nil
		}
		if busy[v] {
			return nil, true // ctx = context.WithValue(ctx, k, v): adds no root
		}
		busy[v] = true
		var out []*ast.CallExpr
		for _, s := range srcs {
			r, ok := c.rootsOf(s, busy)
			if !ok {
				c.memo[v] = nil
				return nil, false
			}
			out = append(out, r...)
		}
		delete(busy, v)
		if len(busy) == 0 {
			c.memo[v] = out
		}
		return out, true
	}
	return nil, false
}

func isContext(t types.Type) bool {
	if t == nil {
		return false
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context"
}

// paramType returns the type of the parameter that the i-th argument
// of call is passed to, or nil.
func paramType(sig *types.Signature, call *ast.CallExpr, i int) types.Type {
	n := sig.Params().Len()
	if sig.Variadic() && i >= n-1 {
		if call.Ellipsis.IsValid() {
			return nil
		}
		if s, ok := sig.Params().At(n - 1).Type().Underlying().(*types.Slice); ok {
			return s.Elem()
		}
		return nil
	}
	if i >= n {
		return nil
	}
	return sig.Params().At(i).Type()
}
