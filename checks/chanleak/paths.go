// The owner's control-flow graph: where it receives, and the paths on
// which a started goroutine's send finds no receiver (a return, a break
// out of the receiving loop).

package chanleak

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"

	"github.com/silentfail/silentfail/internal/astq"
)

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
