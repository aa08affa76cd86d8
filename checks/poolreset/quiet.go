// The uses that are not leftover state: exemptions the doc names under
// what the check leaves alone.

package poolreset

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/edge"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/pools"
)

// builtInField reports whether e is a field of t that the package sets
// only in composite literals (the pool's New builds it in) and never
// assigns or takes the address of, and whose type has no Reset method:
// a helper object such as a generated parser, which every request
// reuses as it is, not state one request leaves for the next.
func (c *checker) builtInField(e ast.Expr, t *pools.Target) bool {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok || !t.Is(sel.X) {
		return false
	}
	s := c.pass.TypesInfo.Selections[sel]
	if s == nil || s.Kind() != types.FieldVal {
		return false
	}
	field := s.Obj().(*types.Var)
	if resetMethod(c.pass, field.Type()) != nil || hasMethod(c.pass, field.Type(), "Write") {
		return false
	}
	if c.changedFields == nil {
		c.changedFields = c.fieldsChanged()
	}
	return !c.changedFields[field]
}

// fieldsChanged returns the fields the package assigns, increments or
// takes the address of.
func (c *checker) fieldsChanged() map[*types.Var]bool {
	changed := make(map[*types.Var]bool)
	note := func(e ast.Expr) {
		if sel, ok := ast.Unparen(e).(*ast.SelectorExpr); ok {
			if s := c.pass.TypesInfo.Selections[sel]; s != nil && s.Kind() == types.FieldVal {
				changed[s.Obj().(*types.Var)] = true
			}
		}
	}
	for _, f := range c.pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for _, l := range n.Lhs {
					note(l)
				}
			case *ast.IncDecStmt:
				note(n.X)
			case *ast.UnaryExpr:
				if n.Op == token.AND {
					note(n.X)
				}
			}
			return true
		})
	}
	return changed
}

// wholeCapacity reports whether s is b.Bytes()[:b.Cap()] for the
// pooled buffer b: its memory taken whole as scratch space, which the
// code fills before it reads, as it does with a pooled slice (see the
// scratch buffers in the package documentation).
func (c *checker) wholeCapacity(s *ast.SliceExpr, t *pools.Target) bool {
	isMethodOf := func(e ast.Expr, name string) bool {
		call, ok := ast.Unparen(e).(*ast.CallExpr)
		if !ok || len(call.Args) != 0 {
			return false
		}
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		return ok && sel.Sel.Name == name && t.Is(sel.X)
	}
	return s.Low == nil && s.High != nil && isMethodOf(s.X, "Bytes") && isMethodOf(s.High, "Cap")
}

// statelessMethod reports whether fn is a method documented to depend
// on nothing an earlier call left in its receiver: zstd's EncodeAll and
// DecodeAll, made for encoders and decoders shared or pooled as they are.
func statelessMethod(fn *types.Func) bool {
	const zstd = "github.com/klauspost/compress/zstd"
	return astq.IsMethod(fn, zstd, "Encoder", "EncodeAll") || astq.IsMethod(fn, zstd, "Decoder", "DecodeAll")
}

// memoMap reports whether the map v, taken from a pool, serves f as a
// cache that the pool lets the garbage collector reclaim: f only looks
// keys up, stores m[k] = v, asks its length and puts it back. What an
// earlier user left in it is then what this one would compute for the
// same key, not a leak.
func (c *checker) memoMap(f *funcInfo, v types.Object) bool {
	stores := 0
	for cur := range f.cur.Preorder((*ast.Ident)(nil)) {
		if c.pass.TypesInfo.Uses[cur.Node().(*ast.Ident)] != v {
			continue
		}
		parent := cur.Parent()
		switch p := parent.Node().(type) {
		case *ast.IndexExpr:
			if k, _ := cur.ParentEdge(); k != edge.IndexExpr_X {
				return false
			}
			switch gp := parent.Parent().Node().(type) {
			case *ast.AssignStmt:
				if k, _ := parent.ParentEdge(); k == edge.AssignStmt_Lhs {
					if gp.Tok != token.ASSIGN {
						return false // m[k] += n keeps counting what was there
					}
					stores++
				}
			case *ast.IncDecStmt:
				return false
			}
		case *ast.CallExpr:
			if put, ok := c.pl.PutOf(p); ok && put.Arg == cur.Node() {
				continue
			}
			if !isBuiltin(c.pass, p, "len") {
				return false
			}
		default:
			return false
		}
	}
	return stores > 0
}
