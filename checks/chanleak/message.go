// The report, with when the leak happens and the fix that gives the
// channel room.

package chanleak

import (
	"fmt"
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"

	"github.com/silentfail/silentfail/internal/astq"
)

// chanElem renders the element type of the channel for a message.
func (c *checker) chanType(ch *channel) string {
	return types.ExprString(ch.make.Args[0])
}

func (c *checker) fix(ch *channel, capText string) []analysis.SuggestedFix {
	if capText == "" {
		return nil
	}
	mk := ch.make
	var edit analysis.TextEdit
	switch len(mk.Args) {
	case 1:
		edit = analysis.TextEdit{Pos: mk.Args[0].End(), End: mk.Args[0].End(), NewText: []byte(", " + capText)}
	case 2:
		edit = analysis.TextEdit{Pos: mk.Args[1].Pos(), End: mk.Args[1].End(), NewText: []byte(capText)}
	default:
		return nil
	}
	return []analysis.SuggestedFix{{
		Message:   fmt.Sprintf("buffer the channel: make(%s, %s)", c.chanType(ch), capText),
		TextEdits: []analysis.TextEdit{edit},
	}}
}

func (c *checker) reportOnce(ch *channel, s *sender, w witness, n int64) {
	capText := fmt.Sprint(n)
	msg := fmt.Sprintf("%s, the goroutine started at line %d blocks forever sending on %s: one goroutine leaks %s (make %s buffered: make(%s, %s))",
		c.when(ch, w), c.line(s.g), ch.obj.Name(), c.perCall(ch), ch.obj.Name(), c.chanType(ch), capText)
	c.reportAt(ch, s, msg, c.fix(ch, capText))
}

func (c *checker) reportLooped(ch *channel, s *sender, loop ast.Stmt, count, fixCap string, w witness) {
	per := "the goroutines"
	if count != "" {
		per = fmt.Sprintf("the %s goroutines", count)
	}
	when := c.when(ch, w)
	if w.once {
		when = fmt.Sprintf("%s receives only once from %s", astq.FuncName(ch.owner), ch.obj.Name())
		per = "the other goroutines"
	}
	advice := fmt.Sprintf("make %s buffered: make(%s, %s)", ch.obj.Name(), c.chanType(ch), fixCap)
	if fixCap == "" {
		advice = fmt.Sprintf("give %s a buffer for every sender, or keep receiving until all have sent", ch.obj.Name())
	}
	loops := "the loop"
	if len(s.loops) > 1 {
		loops = "the nested loops"
	}
	msg := fmt.Sprintf("%s, %s started at line %d (one per iteration of %s at line %d) block forever sending on %s: they leak %s (%s)",
		when, per, c.line(s.g), loops, c.line(loop), ch.obj.Name(), c.perCall(ch), advice)
	c.reportAt(ch, s, msg, c.fix(ch, fixCap))
}

// reportAt reports at the send when it is in the go statement's
// function literal (where the goroutines will be seen blocked), at the
// go statement otherwise.
func (c *checker) reportAt(ch *channel, s *sender, msg string, fixes []analysis.SuggestedFix) {
	var at ast.Node = s.g
	for _, o := range s.sends {
		if o.node.Pos() >= s.g.Pos() && o.node.End() <= s.g.End() {
			at = o.node
			break
		}
	}
	c.pass.Report(analysis.Diagnostic{Pos: at.Pos(), End: at.End(), Message: msg, SuggestedFixes: fixes})
}

// when says which path leaves the goroutine behind.
func (c *checker) when(ch *channel, w witness) string {
	fn := astq.FuncName(ch.owner)
	if w.via != nil {
		if u, ok := commRecv(w.via.Comm); ok {
			x := ast.Unparen(u.X)
			if call, ok := x.(*ast.CallExpr); ok {
				f := astq.Callee(c.pass, call)
				switch {
				case astq.IsMethod(f, "context", "Context", "Done"):
					if r, ok := astq.ReceiverExpr(call); ok {
						return fmt.Sprintf("when %s is done first", astq.Render(r))
					}
				case astq.IsFunc(f, "time", "After"):
					return "when the timeout fires first"
				}
			}
			if sel, ok := x.(*ast.SelectorExpr); ok && sel.Sel.Name == "C" && astq.IsNamedType(c.pass.TypesInfo.TypeOf(sel.X), "time", "Timer") || sel != nil && sel.Sel.Name == "C" && astq.IsNamedType(c.pass.TypesInfo.TypeOf(sel.X), "time", "Ticker") {
				return "when the timer fires first"
			}
			return fmt.Sprintf("when %s wins the select at line %d", "<-"+astq.Render(u.X), c.line(w.via))
		}
		if w.via.Comm == nil {
			return fmt.Sprintf("when the select at line %d takes its default case", c.line(w.via))
		}
	}
	if w.early && w.ret != nil {
		return fmt.Sprintf("when %s returns at line %d before receiving from every goroutine", fn, c.line(w.ret))
	}
	if w.early {
		return fmt.Sprintf("when %s leaves the receiving loop early", fn)
	}
	if w.ret != nil && w.ret.Pos() >= ch.body.Rbrace {
		return fmt.Sprintf("when %s ends without receiving", fn)
	}
	if w.ret != nil {
		return fmt.Sprintf("when %s returns at line %d before receiving", fn, c.line(w.ret))
	}
	return fmt.Sprintf("when %s returns before receiving", fn)
}

// perCall says how often the leak happens: "per request" for an HTTP
// handler, "per call of F" otherwise.
func (c *checker) perCall(ch *channel) string {
	if astq.IsHTTPHandler(astq.Signature(c.pass, ch.owner)) {
		if fd, ok := ch.owner.Node().(*ast.FuncDecl); ok {
			return "per request served by " + fd.Name.Name
		}
		return "per request"
	}
	return "per call of " + astq.FuncName(ch.owner)
}

func (c *checker) line(n ast.Node) int {
	return c.pass.Fset.Position(n.Pos()).Line
}
