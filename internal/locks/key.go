package locks

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// A Key names one mutex by the variable it hangs from and the fields
// that lead to it: c.mu is {c, ".mu"}, a package-level mu is {mu, ""},
// and c.Lock() on a type embedding sync.Mutex is {c, ".Mutex"}. Two
// expressions with the same Key denote the same mutex as long as the
// variable and the fields on the way are not assigned in between, which
// the analysis tracks.
type Key struct {
	Base types.Object
	Path string
}

// within reports whether k hangs from the location prefix names: the
// same variable, and prefix's fields leading to k's.
func (k Key) within(prefix Key) bool {
	return k.Base == prefix.Base &&
		(k.Path == prefix.Path || strings.HasPrefix(k.Path, prefix.Path+"."))
}

// keyOf returns the Key of an expression that denotes a variable or a
// field path from one (x, x.f.g, (*x).f, &x.f), or false for anything
// else: calls, index expressions, conversions.
func keyOf(info *types.Info, e ast.Expr) (Key, bool) {
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		v, ok := info.ObjectOf(x).(*types.Var)
		if !ok || v.IsField() {
			return Key{}, false
		}
		return Key{Base: v}, true
	case *ast.SelectorExpr:
		sel, ok := info.Selections[x]
		if !ok {
			// A qualified identifier, pkg.Var.
			v, ok := info.ObjectOf(x.Sel).(*types.Var)
			if !ok {
				return Key{}, false
			}
			return Key{Base: v}, true
		}
		if sel.Kind() != types.FieldVal {
			return Key{}, false
		}
		k, ok := keyOf(info, x.X)
		if !ok {
			return Key{}, false
		}
		k.Path += implicitFields(sel.Recv(), sel.Index()[:len(sel.Index())-1]) + "." + x.Sel.Name
		return k, true
	case *ast.StarExpr:
		return keyOf(info, x.X)
	case *ast.UnaryExpr:
		if x.Op != token.AND {
			return Key{}, false
		}
		return keyOf(info, x.X)
	}
	return Key{}, false
}

// implicitFields spells the embedded fields a promoted selection goes
// through: ".Inner.Mutex" for index path [i, j] on recv.
func implicitFields(recv types.Type, index []int) string {
	var b strings.Builder
	t := recv
	for _, i := range index {
		st, ok := deref(t).Underlying().(*types.Struct)
		if !ok || i >= st.NumFields() {
			break
		}
		f := st.Field(i)
		b.WriteString("." + f.Name())
		t = f.Type()
	}
	return b.String()
}

func deref(t types.Type) types.Type {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

// String spells the key as the source does: c.mu, mu, c.Mutex.
func (k Key) String() string {
	if k.Base == nil {
		return "?" + k.Path
	}
	return k.Base.Name() + k.Path
}
