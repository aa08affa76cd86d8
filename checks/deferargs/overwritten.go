package deferargs

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/cfg"
)

// overwrittenBeforeRead reports whether, on every path through fd, the
// parameter v is assigned before anything reads it: the callee uses the
// parameter as a scratch variable (if _, err = update(); err != nil
// {...}), so the value the caller passed is never seen. This is part of
// rule "argument the callee never reads". A function literal or an
// address (&v) that mentions v counts as a read where it appears.
func (c *checker) overwrittenBeforeRead(v *types.Var, fd *ast.FuncDecl) bool {
	if v.Name() == "" || v.Name() == "_" {
		return true
	}
	g := c.cfgs.FuncDecl(fd)
	if g == nil || len(g.Blocks) == 0 {
		return false
	}
	seen := make(map[*cfg.Block]bool)
	// walk follows the paths on which the caller's value is still in v
	// from the start of b; it returns false when one of them reads it.
	var walk func(b *cfg.Block) bool
	walk = func(b *cfg.Block) bool {
		if seen[b] {
			return true
		}
		seen[b] = true
		for _, n := range b.Nodes {
			reads, writes := c.paramAccess(v, n)
			if reads {
				return false
			}
			if writes {
				return true // this path no longer holds the caller's value
			}
		}
		for _, s := range b.Succs {
			if !walk(s) {
				return false
			}
		}
		return true
	}
	return walk(g.Blocks[0])
}

// paramAccess says whether node n of a control-flow block reads v (its
// value as it was before n) and whether it assigns v as a whole.
func (c *checker) paramAccess(v *types.Var, n ast.Node) (reads, writes bool) {
	mentions := func(e ast.Node) bool {
		found := false
		ast.Inspect(e, func(m ast.Node) bool {
			if id, ok := m.(*ast.Ident); ok && c.pass.TypesInfo.Uses[id] == v {
				found = true
			}
			return !found
		})
		return found
	}
	as, ok := n.(*ast.AssignStmt)
	if !ok || (as.Tok != token.ASSIGN && as.Tok != token.DEFINE) {
		return mentions(n), false
	}
	for _, r := range as.Rhs {
		if mentions(r) {
			return true, false
		}
	}
	for _, l := range as.Lhs {
		if id, ok := ast.Unparen(l).(*ast.Ident); ok && c.pass.TypesInfo.Uses[id] == v {
			writes = true
			continue
		}
		if mentions(l) {
			return true, false // v.f = x, v[i] = x: v's value is used
		}
	}
	return false, writes
}
