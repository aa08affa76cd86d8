// Counting the senders against the buffer: loops whose trip count is
// known, and capacities valid where the channel is made.

package chanleak

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/silentfail/silentfail/internal/astq"
)

// isCounted reports whether loop ends by itself (a range, or a for with
// a condition), as opposed to `for {}` that counts its receives.
func isCounted(loop ast.Stmt) bool {
	switch l := loop.(type) {
	case *ast.RangeStmt:
		return true
	case *ast.ForStmt:
		return l.Cond != nil
	}
	return false
}

// loopCount returns the number of iterations of loop when constant
// (else -1), how to say it, and the capacity to suggest ("" when none
// is valid at the make site).
func (c *checker) loopCount(ch *channel, loop ast.Stmt) (int64, string, string) {
	info := c.pass.TypesInfo
	var x ast.Expr
	switch l := loop.(type) {
	case *ast.RangeStmt:
		x = l.X
	case *ast.ForStmt:
		if b, ok := l.Cond.(*ast.BinaryExpr); ok && b.Op == token.LSS {
			if init, ok := l.Init.(*ast.AssignStmt); ok && len(init.Rhs) == 1 {
				if tv := info.Types[init.Rhs[0]]; tv.Value != nil && tv.Value.String() == "0" {
					if inc, ok := l.Post.(*ast.IncDecStmt); ok && inc.Tok == token.INC {
						return c.countOf(ch, b.Y, true)
					}
				}
			}
		}
		return -1, "", ""
	}
	t := info.TypeOf(x)
	if t == nil {
		return -1, "", ""
	}
	if b, ok := t.Underlying().(*types.Basic); ok && b.Info()&types.IsInteger != 0 {
		return c.countOf(ch, x, true)
	}
	if cl, ok := ast.Unparen(x).(*ast.CompositeLit); ok {
		return int64(len(cl.Elts)), fmt.Sprint(len(cl.Elts)), fmt.Sprint(len(cl.Elts))
	}
	if a, ok := t.Underlying().(*types.Array); ok {
		return a.Len(), fmt.Sprint(a.Len()), fmt.Sprint(a.Len())
	}
	switch t.Underlying().(type) {
	case *types.Slice, *types.Map:
		return c.countOf(ch, x, false)
	}
	return -1, "", ""
}

// countOf renders the count of iterations given by x (an integer, or
// a collection whose length it is).
func (c *checker) countOf(ch *channel, x ast.Expr, integer bool) (int64, string, string) {
	if tv := c.pass.TypesInfo.Types[x]; tv.Value != nil {
		s := tv.Value.ExactString()
		var n int64
		fmt.Sscan(s, &n)
		return n, s, s
	}
	count := astq.Render(x)
	if !integer {
		count = "len(" + count + ")"
	}
	if c.validAtMake(ch, x) {
		return -1, count, count
	}
	return -1, count, ""
}

// validAtMake reports whether expression x (an identifier, or a
// selector rooted at one) means the same at the make call as at the
// loop: in scope there, and not assigned in between.
func (c *checker) validAtMake(ch *channel, x ast.Expr) bool {
	info := c.pass.TypesInfo
	root := astq.RootObject(c.pass, x)
	v, ok := root.(*types.Var)
	if !ok {
		return false
	}
	for e := ast.Unparen(x); ; {
		switch y := e.(type) {
		case *ast.Ident:
			goto ok
		case *ast.SelectorExpr:
			if sel := info.Selections[y]; sel == nil || sel.Kind() != types.FieldVal {
				return false
			}
			e = ast.Unparen(y.X)
		default:
			return false
		}
	}
ok:
	if v.Pos() >= ch.make.Pos() {
		return false
	}
	scope := c.pass.Pkg.Scope().Innermost(ch.make.Pos())
	if scope == nil {
		return false
	}
	if _, obj := scope.LookupParent(v.Name(), ch.make.Pos()); obj != v {
		return false
	}
	// Not assigned between the make and the loop.
	assigned := false
	ast.Inspect(ch.body, func(n ast.Node) bool {
		if n == nil || assigned {
			return false
		}
		if n.Pos() > x.Pos() || n.End() < ch.make.Pos() {
			return true
		}
		switch a := n.(type) {
		case *ast.AssignStmt:
			if a.Pos() > ch.make.Pos() && a.Pos() < x.Pos() {
				for _, l := range a.Lhs {
					if astq.RootObject(c.pass, l) == v {
						assigned = true
					}
				}
			}
		case *ast.UnaryExpr:
			if a.Op == token.AND && astq.RootObject(c.pass, a.X) == v {
				assigned = true
			}
		}
		return true
	})
	return !assigned
}
