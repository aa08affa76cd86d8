package chanleak

import (
	"fmt"
	"go/ast"

	"golang.org/x/tools/go/cfg"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
)

// sender is one go statement of the owner whose goroutine sends on the
// channel.
type sender struct {
	g     *ast.GoStmt
	sends []op
	multi bool // the goroutine can send more than once
	loops []ast.Stmt
}

// judge decides whether the channel's goroutines can be left blocked.
func (c *checker) judge(ch *channel) {
	var senders []*sender
	byGo := make(map[*ast.GoStmt]*sender)
	othersRecv := false
	var ownerRecv []op
	closed := false
	for _, o := range ch.ops {
		reg, g := c.regionOf(ch, o)
		switch o.kind {
		case opClose:
			closed = true
		case opSend:
			if reg != inGo || o.wayOut {
				continue
			}
			s := byGo[g]
			if s == nil {
				s = &sender{g: g}
				byGo[g] = s
				senders = append(senders, s)
			}
			s.sends = append(s.sends, o)
			if o.loop || len(s.sends) > 1 {
				s.multi = true
			}
		case opRecv, opRange:
			if reg == inOwner {
				ownerRecv = append(ownerRecv, o)
			} else {
				othersRecv = true
			}
		}
	}
	for _, s := range senders {
		if s.multi && c.onePerRun(s) {
			s.multi = false
		}
	}
	g := c.graph(ch.owner)
	if g == nil {
		return
	}
	if !othersRecv {
		c.judgeSenders(ch, g, senders, ownerRecv)
	}
	if !closed {
		c.judgeRanges(ch, g)
	}
}

// judgeSenders handles shapes 1 and 2: goroutines sending on a channel
// the owner may stop receiving from.
func (c *checker) judgeSenders(ch *channel, g *graph, senders []*sender, recv []op) {
	if len(senders) == 0 {
		return
	}
	capN, capExpr := c.capacity(ch.make)
	if capExpr != nil {
		return // a computed buffer: trust it
	}
	// Go statements of the owner itself only, outside nested literals.
	var once, looped []*sender
	for _, s := range senders {
		gc, ok := ch.owner.FindNode(s.g)
		if !ok {
			return
		}
		if f, _, _ := astq.EnclosingFunc(gc); f != ch.owner {
			return
		}
		// Loops around the make call make a new channel per iteration:
		// they do not multiply the senders of one channel.
		for _, l := range loopsBetween(gc, ch.owner) {
			if !(l.Pos() <= ch.make.Pos() && ch.make.End() <= l.End()) {
				s.loops = append(s.loops, l)
			}
		}
		if s.multi {
			return // a streaming producer: another shape
		}
		if len(s.loops) == 0 {
			once = append(once, s)
		} else {
			looped = append(looped, s)
		}
	}
	if len(looped) > 0 && len(once) > 0 || len(looped) > 1 {
		return
	}
	rp := g.recvPoints(ch, recv)
	for _, sd := range senders {
		if c.correlated(ch, sd.g, rp) {
			return // started and received under the same condition
		}
	}
	if len(looped) == 0 {
		if capN > 0 {
			return // buffered: with several senders, which send blocks depends on timing
		}
		for _, s := range once {
			if w, ok := g.missesRecv(s.g, c.withSignals(ch, g, s, rp)); ok {
				c.reportOnce(ch, s, w, int64(len(once)))
				return
			}
		}
		return
	}
	s := looped[0]
	loop := s.loops[len(s.loops)-1] // outermost loop: the senders it starts
	n, count, fixCap := c.loopCount(ch, loop)
	if len(s.loops) > 1 {
		n, count, fixCap = -1, "", "" // nested loops: the count is a product
	}
	if capN > 0 && (n < 0 || capN >= n) {
		return
	}
	if w, ok := g.missesRecv(s.g, c.withSignals(ch, g, s, rp)); ok {
		c.reportLooped(ch, s, loop, count, fixCap, w)
		return
	}
	// Receives that stop before the last sender is served.
	goLoops := map[ast.Stmt]bool{}
	for _, l := range s.loops {
		goLoops[l] = true
	}
	single := 0 // receives outside any loop
	for _, r := range rp.list {
		if c.recvLoop(ch, r) == nil {
			single++
		}
	}
	for _, r := range rp.list {
		rl := c.recvLoop(ch, r)
		if rl != nil && goLoops[rl] {
			continue // received in the iteration that started it
		}
		if rl == nil {
			if single > 1 || len(rp.list) > 1 || !g.reachable(s.g, r) {
				continue // several receives: cannot count them against the senders
			}
			c.reportLooped(ch, s, loop, count, fixCap, witness{once: true})
			return
		}
		if !isCounted(rl) {
			continue
		}
		if w, ok := g.leavesEarly(r, rl); ok {
			c.reportLooped(ch, s, loop, count, fixCap, w)
			return
		}
	}
}

// judgeRanges handles shape 3: a goroutine ranging over a channel that
// nothing closes.
func (c *checker) judgeRanges(ch *channel, g *graph) {
	if fd, ok := ch.owner.Node().(*ast.FuncDecl); ok && fd.Recv == nil && (fd.Name.Name == "main" && c.pass.Pkg.Name() == "main" || fd.Name.Name == "init") {
		return
	}
	for _, o := range ch.ops {
		if o.kind != opRange {
			continue
		}
		reg, gs := c.regionOf(ch, o)
		if reg != inGo {
			continue
		}
		gc, ok := ch.owner.FindNode(gs)
		if !ok {
			continue
		}
		if f, _, _ := astq.EnclosingFunc(gc); f != ch.owner {
			continue
		}
		if !g.returns(gs) {
			continue // the owner never returns: the goroutine lives as long as it
		}
		rs := o.node.(*ast.RangeStmt)
		msg := fmt.Sprintf("the goroutine started at line %d ranges over %s, which nothing closes: it never exits, one goroutine leaks %s (close(%s) after the last send)",
			c.line(gs), ch.obj.Name(), c.perCall(ch), ch.obj.Name())
		if rs.Pos() >= gs.Pos() && rs.End() <= gs.End() {
			c.pass.Report(analysis.Diagnostic{Pos: rs.For, End: rs.X.End(), Message: msg})
		} else {
			c.pass.Report(analysis.Diagnostic{Pos: gs.Pos(), End: gs.End(), Message: msg})
		}
		return
	}
}

// loopsBetween returns the loops around cur inside owner, innermost first.
func loopsBetween(cur, owner inspector.Cursor) []ast.Stmt {
	var out []ast.Stmt
	for p := cur.Parent(); p.Valid() && p != owner; p = p.Parent() {
		switch l := p.Node().(type) {
		case *ast.ForStmt:
			out = append(out, l)
		case *ast.RangeStmt:
			out = append(out, l)
		}
	}
	return out
}

// recvLoop returns the innermost loop of the owner around receive
// point r, or nil.
func (c *checker) recvLoop(ch *channel, r recvPoint) ast.Stmt {
	if rs, ok := r.node.(*ast.RangeStmt); ok && r.rangeHead {
		return rs
	}
	cur, ok := ch.owner.FindNode(r.node)
	if !ok {
		return nil
	}
	ls := loopsBetween(cur, ch.owner)
	if len(ls) == 0 {
		return nil
	}
	return ls[0]
}

// correlated reports whether the go statement and one of the receives
// sit under if statements with the same condition: the graph does not
// know that both branches go the same way.
func (c *checker) correlated(ch *channel, gs *ast.GoStmt, rp recvPoints) bool {
	conds := func(n ast.Node) map[string]bool {
		out := map[string]bool{}
		cur, ok := ch.owner.FindNode(n)
		if !ok {
			return out
		}
		for p := cur.Parent(); p.Valid() && p != ch.owner; p = p.Parent() {
			if is, ok := p.Node().(*ast.IfStmt); ok {
				out[astq.Render(is.Cond)] = true
			}
		}
		return out
	}
	gc := conds(gs)
	if len(gc) == 0 {
		return false
	}
	for _, r := range rp.list {
		for k := range conds(r.node) {
			if gc[k] {
				return true
			}
		}
	}
	return false
}

// ---- control flow ----

// onePerRun reports whether a goroutine's several sends lie on exclusive
// paths of its function literal (if failed { ch <- err; return }; ch <-
// res): none in a loop, none reachable from another, so each run sends
// once, as a single send does.
func (c *checker) onePerRun(s *sender) bool {
	lit, ok := ast.Unparen(s.g.Call.Fun).(*ast.FuncLit)
	if !ok {
		return false
	}
	type at struct {
		b *cfg.Block
		i int
	}
	g := c.cfgs.FuncLit(lit)
	where := map[ast.Node]at{}
	for _, b := range g.Blocks {
		for i, n := range b.Nodes {
			where[n] = at{b, i}
		}
	}
	var starts []at
	for _, o := range s.sends {
		if o.loop {
			return false
		}
		a, ok := where[o.node]
		if !ok {
			return false // inside a nested literal or a clause the graph does not hold
		}
		starts = append(starts, a)
	}
	for _, a := range starts {
		// Is another send reachable after a?
		for _, o := range starts {
			if o != a && o.b == a.b && o.i > a.i {
				return false
			}
		}
		seen := map[*cfg.Block]bool{}
		work := append([]*cfg.Block(nil), a.b.Succs...)
		for len(work) > 0 {
			b := work[0]
			work = work[1:]
			if seen[b] {
				continue
			}
			seen[b] = true
			for _, o := range starts {
				if o.b == b {
					return false
				}
			}
			work = append(work, b.Succs...)
		}
	}
	return true
}
