package chanleak

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"

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

func commRecv(s ast.Stmt) (*ast.UnaryExpr, bool) {
	var e ast.Expr
	switch s := s.(type) {
	case *ast.ExprStmt:
		e = s.X
	case *ast.AssignStmt:
		if len(s.Rhs) == 1 {
			e = s.Rhs[0]
		}
	}
	u, ok := ast.Unparen(e).(*ast.UnaryExpr)
	return u, ok && u.Op == token.ARROW
}

// ---- control flow ----

type graph struct {
	c      *checker
	g      *cfg.CFG
	pos    map[ast.Node][2]int // node -> block index, node index
	comms  map[ast.Node]bool   // select communications, evaluated before the select in the graph
	blocks []*cfg.Block
}

func (c *checker) graph(owner inspector.Cursor) *graph {
	var g *cfg.CFG
	switch fn := owner.Node().(type) {
	case *ast.FuncDecl:
		g = c.cfgs.FuncDecl(fn)
	case *ast.FuncLit:
		g = c.cfgs.FuncLit(fn)
	}
	if g == nil {
		return nil
	}
	gr := &graph{c: c, g: g, pos: make(map[ast.Node][2]int), comms: make(map[ast.Node]bool)}
	for _, b := range g.Blocks {
		for i, n := range b.Nodes {
			gr.pos[n] = [2]int{int(b.Index), i}
		}
		if b.Kind == cfg.KindSelectCaseBody {
			if cc, ok := b.Stmt.(*ast.CommClause); ok && cc.Comm != nil {
				gr.comms[cc.Comm] = true
			}
		}
	}
	return gr
}

// recvPoint is a place in the owner's graph where it receives.
type recvPoint struct {
	node      ast.Node // the graph node, or the comm clause / range statement
	block     int
	index     int  // node index in block; -1: on entering the block
	rangeHead bool // node is a range statement over the channel
}

type recvPoints struct {
	list  []recvPoint
	at    map[[2]int]bool
	entry map[int]bool
}

// recvPoints places the owner's receives in the graph.
func (g *graph) recvPoints(ch *channel, recv []op) recvPoints {
	rp := recvPoints{at: map[[2]int]bool{}, entry: map[int]bool{}}
	for _, o := range recv {
		site := o.site
		if o.kind == opRange && o.site == o.node.(*ast.RangeStmt).X {
			rs := o.node.(*ast.RangeStmt)
			for _, b := range g.g.Blocks {
				if b.Stmt == rs && b.Kind == cfg.KindRangeLoop {
					rp.entry[int(b.Index)] = true
					rp.list = append(rp.list, recvPoint{node: rs, block: int(b.Index), index: -1, rangeHead: true})
				}
			}
			continue
		}
		// A select case: the receive happens when its body is entered.
		done := false
		for _, b := range g.g.Blocks {
			if b.Kind != cfg.KindSelectCaseBody {
				continue
			}
			cc := b.Stmt.(*ast.CommClause)
			if cc.Comm != nil && cc.Comm.Pos() <= site.Pos() && site.End() <= cc.Comm.End() {
				rp.entry[int(b.Index)] = true
				rp.list = append(rp.list, recvPoint{node: cc, block: int(b.Index), index: -1})
				done = true
			}
		}
		if done {
			continue
		}
		for _, b := range g.g.Blocks {
			for i, n := range b.Nodes {
				if g.comms[n] {
					continue
				}
				if n.Pos() <= site.Pos() && site.End() <= n.End() {
					if _, isRange := n.(*ast.RangeStmt); isRange {
						continue
					}
					rp.at[[2]int{int(b.Index), i}] = true
					rp.list = append(rp.list, recvPoint{node: n, block: int(b.Index), index: i})
				}
			}
		}
	}
	return rp
}

// inside reports whether a receive point lies in loop.
func (rp recvPoints) inside(loop ast.Stmt) bool {
	body := astq.LoopBody(loop)
	for _, r := range rp.list {
		if body != nil && body.Pos() <= r.node.Pos() && r.node.Pos() < body.End() {
			return true
		}
	}
	return false
}

// withSignals adds to rp the select cases that receive from another
// channel the same goroutine sends on or closes: the goroutine reports
// through one channel or the other (an error or done), so that case
// means it will not send on this one.
func (c *checker) withSignals(ch *channel, g *graph, s *sender, rp recvPoints) recvPoints {
	out := recvPoints{list: rp.list, at: rp.at, entry: make(map[int]bool)}
	for k, v := range rp.entry {
		out.entry[k] = v
	}
	info := c.pass.TypesInfo
	for _, b := range g.g.Blocks {
		if b.Kind != cfg.KindSelectCaseBody {
			continue
		}
		u, ok := commRecv(b.Stmt.(*ast.CommClause).Comm)
		if !ok {
			continue
		}
		id, ok := ast.Unparen(u.X).(*ast.Ident)
		if !ok {
			continue
		}
		other := info.Uses[id]
		if other == nil || other == types.Object(ch.obj) {
			continue
		}
		signals := false
		ast.Inspect(s.g.Call, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SendStmt:
				if x, ok := ast.Unparen(n.Chan).(*ast.Ident); ok && info.Uses[x] == other {
					signals = true
				}
			case *ast.CallExpr:
				if f, ok := ast.Unparen(n.Fun).(*ast.Ident); ok && f.Name == "close" && len(n.Args) == 1 {
					if x, ok := ast.Unparen(n.Args[0]).(*ast.Ident); ok && info.Uses[x] == other {
						signals = true
					}
				}
			}
			return !signals
		})
		if signals {
			out.entry[int(b.Index)] = true
		}
	}
	return out
}

// witness is a path on which the owner leaves a sender behind.
type witness struct {
	via   *ast.CommClause // the select case it took
	ret   ast.Node        // the return statement
	once  bool
	early bool // the receiving loop is left before its end
}

// missesRecv reports whether a path from go statement gs reaches a
// return of the owner without receiving.
func (g *graph) missesRecv(gs *ast.GoStmt, rp recvPoints) (witness, bool) {
	p, ok := g.pos[gs]
	if !ok || !g.g.Blocks[p[0]].Live {
		return witness{}, false
	}
	type item struct {
		b, i int
		via  *ast.CommClause
	}
	seen := map[int]bool{}
	stack := []item{{p[0], p[1] + 1, nil}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		b := g.g.Blocks[it.b]
		stop := false
		for i := it.i; i < len(b.Nodes); i++ {
			if rp.at[[2]int{it.b, i}] {
				stop = true
				break
			}
		}
		if stop {
			continue
		}
		if ret, ok := g.exit(b); ok {
			return witness{via: it.via, ret: ret}, true
		}
		for _, s := range b.Succs {
			if seen[int(s.Index)] || rp.entry[int(s.Index)] {
				continue
			}
			if (s.Kind == cfg.KindRangeDone || s.Kind == cfg.KindForDone) && (b.Kind == cfg.KindRangeLoop || b.Kind == cfg.KindForLoop) && rp.inside(b.Stmt) {
				continue // a receiving loop runs as often as the sending one
			}
			seen[int(s.Index)] = true
			via := it.via
			if s.Kind == cfg.KindSelectCaseBody && via == nil {
				via = s.Stmt.(*ast.CommClause)
			}
			if s.Kind == cfg.KindSelectDone && via == nil {
				// a default case reaches done directly from the last "after case" block
				if b.Kind == cfg.KindSelectAfterCase {
					if sel := g.selectOf(s); sel != nil {
						for _, st := range sel.Body.List {
							if cc := st.(*ast.CommClause); cc.Comm == nil {
								via = cc
							}
						}
					}
				}
			}
			stack = append(stack, item{int(s.Index), 0, via})
		}
	}
	return witness{}, false
}

func (g *graph) selectOf(b *cfg.Block) *ast.SelectStmt {
	s, _ := b.Stmt.(*ast.SelectStmt)
	return s
}

// reachable reports whether receive point r can follow go statement gs.
func (g *graph) reachable(gs *ast.GoStmt, r recvPoint) bool {
	p, ok := g.pos[gs]
	if !ok {
		return false
	}
	if p[0] == r.block && r.index > p[1] {
		return true
	}
	seen := map[int]bool{}
	stack := []int{p[0]}
	for len(stack) > 0 {
		b := g.g.Blocks[stack[len(stack)-1]]
		stack = stack[:len(stack)-1]
		for _, s := range b.Succs {
			if int(s.Index) == r.block {
				return true
			}
			if !seen[int(s.Index)] {
				seen[int(s.Index)] = true
				stack = append(stack, int(s.Index))
			}
		}
	}
	return false
}

// leavesEarly reports whether, after receive point r, the owner can
// return without going back to the head of the receiving loop.
func (g *graph) leavesEarly(r recvPoint, loop ast.Stmt) (witness, bool) {
	start := r.index + 1
	if r.index < 0 {
		start = 0
	}
	if r.rangeHead {
		// after receiving, the range body runs
		for _, b := range g.g.Blocks {
			if b.Stmt == loop && b.Kind == cfg.KindRangeBody {
				return g.leavesFrom(int(b.Index), 0, loop)
			}
		}
		return witness{}, false
	}
	return g.leavesFrom(r.block, start, loop)
}

func (g *graph) leavesFrom(bi, start int, loop ast.Stmt) (witness, bool) {
	seen := map[int]bool{bi: true}
	type item struct{ b, i int }
	stack := []item{{bi, start}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		b := g.g.Blocks[it.b]
		if ret, ok := g.exit(b); ok {
			return witness{ret: ret, early: true}, true
		}
		for _, s := range b.Succs {
			if s.Stmt == loop && isHeadKind(s, loop) {
				continue
			}
			if !seen[int(s.Index)] {
				seen[int(s.Index)] = true
				stack = append(stack, item{int(s.Index), 0})
			}
		}
	}
	return witness{}, false
}

func isHeadKind(b *cfg.Block, loop ast.Stmt) bool {
	switch b.Kind {
	case cfg.KindForLoop, cfg.KindForPost, cfg.KindRangeLoop:
		return true
	case cfg.KindForBody:
		return loop.(*ast.ForStmt).Cond == nil
	}
	return false
}

// returns reports whether some path from gs reaches a return.
func (g *graph) returns(gs *ast.GoStmt) bool {
	_, ok := g.missesRecv(gs, recvPoints{at: map[[2]int]bool{}, entry: map[int]bool{}})
	return ok
}

// exit reports whether block b ends the function: a return statement,
// or falling off the end; not a panic or a call that never returns.
func (g *graph) exit(b *cfg.Block) (ast.Node, bool) {
	if len(b.Succs) > 0 || !b.Live || b.Kind == cfg.KindSelectAfterCase {
		return nil, false // (the last "after case" of a select without default cannot run)
	}
	if len(b.Nodes) == 0 {
		return nil, true
	}
	if ret, ok := b.Nodes[len(b.Nodes)-1].(*ast.ReturnStmt); ok {
		return ret, true
	}
	return nil, !g.endsInNoReturn(b)
}

func (g *graph) endsInNoReturn(b *cfg.Block) bool {
	if len(b.Nodes) == 0 {
		return false
	}
	if es, ok := b.Nodes[len(b.Nodes)-1].(*ast.ExprStmt); ok {
		if call, ok := ast.Unparen(es.X).(*ast.CallExpr); ok {
			return g.noReturn(call)
		}
	}
	return false
}

func (g *graph) noReturn(call *ast.CallExpr) bool {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := g.c.pass.TypesInfo.Uses[id].(*types.Builtin); ok && b.Name() == "panic" {
			return true
		}
	}
	fn := astq.Callee(g.c.pass, call)
	return fn != nil && g.c.cfgs.NoReturn(fn)
}
