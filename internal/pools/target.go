package pools

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"

	"github.com/silentfail/silentfail/internal/astq"
)

// Target is what a check follows through a function: the local
// variables holding one pooled object (v, and x after `x := v.(*T)`),
// or an expression such as e.buf when the object lives in a field.
type Target struct {
	pass *analysis.Pass
	Objs map[types.Object]bool
	Expr ast.Expr // non-nil for an expression target
	Name string
	Type types.Type // the object's type, after any type assertion
}

// NewVarTarget follows variable v and the variables assigned from a
// type assertion of v in body.
func NewVarTarget(pass *analysis.Pass, v types.Object, body ast.Node) *Target {
	t := &Target{pass: pass, Objs: map[types.Object]bool{v: true}, Name: v.Name(), Type: v.Type()}
	if body == nil {
		return t
	}
	ast.Inspect(body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Rhs) != 1 || len(as.Lhs) == 0 {
			return true
		}
		ta, ok := ast.Unparen(as.Rhs[0]).(*ast.TypeAssertExpr)
		if !ok || ta.Type == nil || !t.Is(ta.X) {
			return true
		}
		if id, ok := as.Lhs[0].(*ast.Ident); ok && id.Name != "_" {
			if o := pass.TypesInfo.ObjectOf(id); o != nil {
				t.Objs[o] = true
				if _, isIface := v.Type().Underlying().(*types.Interface); isIface {
					t.Type, t.Name = o.Type(), o.Name()
				}
			}
		}
		return true
	})
	return t
}

// NewExprTarget follows expression e (a field such as e.buf).
func NewExprTarget(pass *analysis.Pass, e ast.Expr) *Target {
	if id, ok := ast.Unparen(e).(*ast.Ident); ok {
		if o := pass.TypesInfo.ObjectOf(id); o != nil {
			return NewVarTarget(pass, o, nil)
		}
	}
	return &Target{pass: pass, Expr: ast.Unparen(e), Name: astq.Render(e), Type: pass.TypesInfo.TypeOf(e)}
}

// Is reports whether e denotes the target itself.
func (t *Target) Is(e ast.Expr) bool {
	if e == nil {
		return false
	}
	e = ast.Unparen(e)
	if t.Expr != nil {
		return astq.SameExpr(t.pass, t.Expr, e)
	}
	id, ok := e.(*ast.Ident)
	return ok && t.Objs[t.pass.TypesInfo.ObjectOf(id)]
}

// IsDeref reports whether e is the target or *target.
func (t *Target) IsDeref(e ast.Expr) bool {
	e = ast.Unparen(e)
	if s, ok := e.(*ast.StarExpr); ok {
		return t.Is(s.X)
	}
	return t.Is(e)
}

// Rooted reports whether e is the target or an expression reached
// through it (t.f, t.f.g, (*t)[i], t[i]).
func (t *Target) Rooted(e ast.Expr) bool {
	for {
		if t.Is(e) {
			return true
		}
		switch x := ast.Unparen(e).(type) {
		case *ast.SelectorExpr:
			if _, ok := t.pass.TypesInfo.Selections[x]; !ok {
				return false
			}
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		default:
			return false
		}
	}
}

// Mentions reports whether n refers to the target anywhere.
func (t *Target) Mentions(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		if found {
			return false
		}
		if e, ok := m.(ast.Expr); ok && t.Is(e) {
			found = true
		}
		return !found
	})
	return found
}

// Local reports whether the target is a variable declared inside body
// (not a parameter, a captured variable or a field).
func (t *Target) Local(body *ast.BlockStmt) bool {
	if t.Expr != nil {
		return false
	}
	for o := range t.Objs {
		if !astq.DeclaredIn(o, body) {
			return false
		}
	}
	return true
}

// Vars returns the variables whose new value ends the target: its
// variables, or the variable at the root of an expression target
// (e in e.buf).
func (t *Target) Vars() map[types.Object]bool {
	if t.Expr == nil {
		return t.Objs
	}
	if root := astq.RootObject(t.pass, t.Expr); root != nil {
		return map[types.Object]bool{root: true}
	}
	return nil
}
