// The time.Since form: a duration measured at the defer statement
// instead of at return.

package deferargs

import (
	"fmt"
	"go/ast"
	"go/token"

	"golang.org/x/tools/go/analysis"

	"github.com/silentfail/silentfail/internal/astq"
)

// isElapsed recognizes calls whose result depends on the time they are
// made at: time.Since(t), time.Until(t), time.Now().Sub(t), t.Sub(time.Now()).
func (c *checker) isElapsed(call *ast.CallExpr) bool {
	fn := astq.Callee(c.pass, call)
	if astq.IsFunc(fn, "time", "Since", "Until") {
		return true
	}
	if astq.IsMethod(fn, "time", "Time", "Sub") && len(call.Args) == 1 {
		recv, _ := astq.ReceiverExpr(call)
		return c.isNow(recv) || c.isNow(call.Args[0])
	}
	return false
}

func (c *checker) isNow(e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	return ok && astq.IsFunc(astq.Callee(c.pass, call), "time", "Now")
}

// startOf returns the operand of an elapsed call that holds the start
// (or end) time: start in time.Since(start) and time.Now().Sub(start).
func (c *checker) startOf(call *ast.CallExpr) ast.Expr {
	if len(call.Args) != 1 {
		return nil
	}
	if c.isNow(call.Args[0]) {
		recv, _ := astq.ReceiverExpr(call)
		return recv
	}
	return call.Args[0]
}

func (c *checker) reportElapsed(el *ast.CallExpr, isLit bool) {
	what := astq.Render(el)
	var msg string
	if isLit {
		result := "about 0s"
		if !c.startedJustBefore(el) {
			result = "only the time before the defer statement"
		}
		msg = fmt.Sprintf("%s is evaluated when the defer statement runs, so the deferred function literal receives %s, not the time until %s returns (compute it inside the function literal instead)",
			what, result, c.fnName())
		c.pass.Report(analysis.Diagnostic{Pos: c.def.Pos(), End: c.def.End(), Message: msg, Category: c.category()})
		return
	}
	callee := astq.Render(c.def.Call.Fun)
	if c.startedJustBefore(el) {
		msg = fmt.Sprintf("%s is evaluated when the defer statement runs, so the deferred %s reports about 0s (wrap in a closure: defer func() { %s }())",
			what, callee, shortCall(c.def.Call))
	} else {
		msg = fmt.Sprintf("%s is evaluated when the defer statement runs, so the deferred %s reports only the time before the defer statement, not until %s returns (wrap in a closure: defer func() { %s }())",
			what, callee, c.fnName(), shortCall(c.def.Call))
	}
	c.report(c.def, msg)
}

// startedJustBefore reports whether the start time of el was taken from
// the clock right before the defer statement, with no call in between:
// start := time.Now(); defer log.Printf("%v", time.Since(start)).
func (c *checker) startedJustBefore(el *ast.CallExpr) bool {
	start := c.startOf(el)
	id, ok := ast.Unparen(start).(*ast.Ident)
	if !ok {
		return false
	}
	v := c.pass.TypesInfo.Uses[id]
	for prev, ok := c.cur.PrevSibling(); ok; prev, ok = prev.PrevSibling() {
		if as, ok := prev.Node().(*ast.AssignStmt); ok && len(as.Lhs) == len(as.Rhs) {
			for i, lhs := range as.Lhs {
				if lid, ok := lhs.(*ast.Ident); ok && c.pass.TypesInfo.ObjectOf(lid) == v {
					return c.isNow(as.Rhs[i])
				}
			}
		}
		if c.doesWork(prev.Node()) {
			return false
		}
	}
	return false
}

// workAfter reports whether anything that takes time can run after the
// defer statement: a call (other than a conversion) or a channel
// operation. When nothing does, the duration measured at the defer is
// the right one.
func (c *checker) workAfter() bool {
	for _, n := range c.reachedNodes() {
		if n == c.def || c.inLoopBefore(n.Pos()) {
			continue
		}
		if c.doesWork(n) {
			return true
		}
	}
	return false
}

func (c *checker) doesWork(n ast.Node) bool {
	work := false
	inspectNoLits(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if !c.pass.TypesInfo.Types[n.Fun].IsType() && !isBuiltin(c.pass, n) {
				work = true
			}
		case *ast.SendStmt, *ast.SelectStmt:
			work = true
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				work = true
			}
		}
		return !work
	})
	return work
}
