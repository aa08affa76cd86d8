package locks

import (
	"go/ast"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"strings"

	"golang.org/x/tools/go/cfg"
)

// A Leak is a path out of a function, or back to the same Lock, on
// which a mutex the function took is still held, while another path
// from the same Lock releases it.
type Leak struct {
	Lock *ast.CallExpr // the Lock or RLock
	Key  Key
	Mode Mode
	// Exit is the statement by which the path leaves: a return, a break,
	// continue or goto; nil when the path runs off the end of the body.
	Exit ast.Stmt
	// Relock is true when the path comes back to Lock (a continue, a
	// loop's next turn) with the mutex still held: the goroutine blocks
	// on itself there. Otherwise the function returns with it held.
	Relock bool
	// Release is a release of the mutex on another path from Lock.
	Release token.Pos
}

// Leaks returns the leaks of the mutexes fn takes itself (fn is a
// *ast.FuncDecl or *ast.FuncLit). A function that holds a mutex on
// every path out keeps it on purpose and has none; so has a function
// whose callers in the package release what it returns holding, whose
// name says it locks (lockX), or that returns the locked value.
func (r *Result) Leaks(fn ast.Node) []Leak {
	r.mu.Lock()
	defer r.mu.Unlock()
	fi := r.analyse(fn)
	if fi.leaks != nil {
		return *fi.leaks
	}
	g := r.graphOf(fn)
	var out []Leak
	if g != nil {
		// What the function released without taking it, before each
		// node: a Lock of such a mutex gives the caller back its lock.
		restored := map[ast.Node]map[Key]bool{}
		r.replayLocked(&walker{r: r, fn: fn, before: func(n ast.Node, st *state) {
			if len(st.rel) > 0 {
				restored[n] = maps.Clone(st.rel)
			}
		}})
		p := &pathFinder{w: &walker{r: r, fn: fn}, g: g}
		p.w.collectRanges()
		p.index()
		for _, b := range g.Blocks {
			if !b.Live {
				continue
			}
			for i, n := range b.Nodes {
				for _, c := range p.w.calls(n) {
					op, k, ok := p.w.lockOp(c)
					if !ok || (op != "Lock" && op != "RLock") {
						continue
					}
					if restored[n][k] {
						continue // rule "restores the caller's lock"
					}
					if p.deferredBefore(c, k) || p.sameCondition(c, k) {
						continue
					}
					mode := Write
					if op == "RLock" {
						mode = Read
					}
					out = append(out, p.from(b, i, c, k, mode)...)
				}
			}
		}
		out = r.dropContracts(fn, out)
	}
	fi.leaks = &out
	return out
}

type pathFinder struct {
	w       *walker
	g       *cfg.CFG
	exitOf  map[*cfg.Block]ast.Stmt // the branch or return statement that ends a block
	nodeBlk map[ast.Node]*cfg.Block
}

// index finds, for each block that ends in a break, continue, goto or
// return, that statement: go/cfg keeps returns as nodes but not
// branches, which start the unreachable block that follows them.
func (p *pathFinder) index() {
	p.exitOf = make(map[*cfg.Block]ast.Stmt)
	p.nodeBlk = make(map[ast.Node]*cfg.Block)
	for _, b := range p.g.Blocks {
		for _, n := range b.Nodes {
			p.nodeBlk[n] = b
			if ret, ok := n.(*ast.ReturnStmt); ok {
				p.exitOf[b] = ret
			}
		}
	}
	byKind := make(map[ast.Stmt]map[cfg.BlockKind]*cfg.Block)
	for _, b := range p.g.Blocks {
		if b.Stmt == nil {
			continue
		}
		if byKind[b.Stmt] == nil {
			byKind[b.Stmt] = make(map[cfg.BlockKind]*cfg.Block)
		}
		if _, dup := byKind[b.Stmt][b.Kind]; !dup {
			byKind[b.Stmt][b.Kind] = b
		}
	}
	body := bodyOf(p.w.fn)
	// blockAt returns the block a statement at index i of list (owned
	// by owner) starts in.
	var listBlock func(owner ast.Node, list []ast.Stmt, i int) *cfg.Block
	var after func(s ast.Stmt) *cfg.Block
	after = func(s ast.Stmt) *cfg.Block {
		switch s := s.(type) {
		case *ast.IfStmt:
			return byKind[s][cfg.KindIfDone]
		case *ast.ForStmt:
			return byKind[s][cfg.KindForDone]
		case *ast.RangeStmt:
			return byKind[s][cfg.KindRangeDone]
		case *ast.SwitchStmt, *ast.TypeSwitchStmt:
			return byKind[s][cfg.KindSwitchDone]
		case *ast.SelectStmt:
			return byKind[s][cfg.KindSelectDone]
		case *ast.LabeledStmt:
			return after(s.Stmt)
		case *ast.DeclStmt:
			if d, ok := s.Decl.(*ast.GenDecl); ok && len(d.Specs) > 0 {
				return p.nodeBlk[d.Specs[len(d.Specs)-1]]
			}
		}
		return p.nodeBlk[s]
	}
	parents := make(map[*ast.BlockStmt]ast.Node)
	listBlock = func(owner ast.Node, list []ast.Stmt, i int) *cfg.Block {
		if i > 0 {
			return after(list[i-1])
		}
		switch o := owner.(type) {
		case *ast.CaseClause:
			return byKind[o][cfg.KindSwitchCaseBody]
		case *ast.CommClause:
			return byKind[o][cfg.KindSelectCaseBody]
		case *ast.BlockStmt:
			if o == body {
				return p.g.Blocks[0]
			}
			switch par := parents[o].(type) {
			case *ast.IfStmt:
				if par.Body == o {
					return byKind[par][cfg.KindIfThen]
				}
				return byKind[par][cfg.KindIfElse]
			case *ast.ForStmt:
				return byKind[par][cfg.KindForBody]
			case *ast.RangeStmt:
				return byKind[par][cfg.KindRangeBody]
			}
		}
		return nil
	}
	ast.Inspect(body, func(n ast.Node) bool {
		var list []ast.Stmt
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.IfStmt:
			parents[n.Body] = n
			if e, ok := n.Else.(*ast.BlockStmt); ok {
				parents[e] = n
			}
		case *ast.ForStmt:
			parents[n.Body] = n
		case *ast.RangeStmt:
			parents[n.Body] = n
		case *ast.BlockStmt:
			list = n.List
		case *ast.CaseClause:
			list = n.Body
		case *ast.CommClause:
			list = n.Body
		}
		for i, s := range list {
			if br, ok := s.(*ast.BranchStmt); ok && br.Tok != token.FALLTHROUGH {
				if b := listBlock(n, list, i); b != nil {
					p.exitOf[b] = br
				}
			}
		}
		return true
	})
}

type step struct {
	b    *cfg.Block
	from int      // first node to look at
	exit ast.Stmt // the last branch taken on the way
}

// from follows every path from the Lock call c (node i of block b)
// while k stays held.
func (p *pathFinder) from(b *cfg.Block, i int, c *ast.CallExpr, k Key, mode Mode) []Leak {
	var released token.Pos
	var leaks []Leak
	seen := map[*cfg.Block]bool{}
	work := []step{{b: b, from: i + 1}}
	for len(work) > 0 {
		s := work[0]
		work = work[1:]
		done := false
		for j := s.from; j < len(s.b.Nodes) && !done; j++ {
			n := s.b.Nodes[j]
			switch p.effect(n, k) {
			case released_:
				if !released.IsValid() {
					released = n.Pos()
				}
				done = true
			case lost:
				done = true
			case locked:
				if s.b == b && j == i || p.lockedBy(n, c) {
					leaks = append(leaks, Leak{Lock: c, Key: k, Mode: mode, Exit: s.exit, Relock: true})
				}
				done = true
			}
			if ret, ok := n.(*ast.ReturnStmt); ok && !done {
				var exit ast.Stmt = ret
				if p.implicit(ret) {
					exit = s.exit // the end of the body: name the branch that led here
				}
				leaks = append(leaks, Leak{Lock: c, Key: k, Mode: mode, Exit: exit})
				done = true
			}
		}
		if done {
			continue
		}
		if len(s.b.Succs) == 0 {
			if p.w.r.flow.Returns(s.b) {
				leaks = append(leaks, Leak{Lock: c, Key: k, Mode: mode, Exit: s.exit})
			}
			continue
		}
		exit := s.exit
		if e, ok := p.exitOf[s.b]; ok {
			exit = e
		}
		if rs, ok := s.b.Stmt.(*ast.RangeStmt); ok && s.b.Kind == cfg.KindRangeLoop && p.rebinds(rs, k) {
			continue // each turn is another mutex: rule "released elsewhere"
		}
		for _, succ := range s.b.Succs {
			if succ == b {
				// Back to the Lock's block: look again from its start, up
				// to and including the Lock itself.
				if !seen[succ] {
					seen[succ] = true
					work = append(work, step{b: succ, from: 0, exit: exit})
				}
				continue
			}
			if !seen[succ] {
				seen[succ] = true
				work = append(work, step{b: succ, from: 0, exit: exit})
			}
		}
	}
	if !released.IsValid() {
		return nil // held on every path out: a contract, not a slip
	}
	// A path back to the Lock and a path out through the same branch
	// are one slip; the relock is the one that hangs at once.
	slices.SortStableFunc(leaks, func(a, b Leak) int {
		switch {
		case a.Relock && !b.Relock:
			return -1
		case b.Relock && !a.Relock:
			return 1
		}
		return 0
	})
	for i := range leaks {
		leaks[i].Release = released
	}
	return leaks
}

// implicit reports whether ret is the return go/cfg adds at the end of
// a body that does not end in one.
func (p *pathFinder) implicit(ret *ast.ReturnStmt) bool {
	body := bodyOf(p.w.fn)
	return body != nil && ret.Return == body.Rbrace
}

// lockedBy reports whether node n contains the call c.
func (p *pathFinder) lockedBy(n ast.Node, c *ast.CallExpr) bool {
	return c.Pos() >= n.Pos() && c.End() <= n.End()
}

type effectKind int

const (
	none effectKind = iota
	released_
	locked
	lost
)

// effect says what node n does to mutex k on a path where it is held.
func (p *pathFinder) effect(n ast.Node, k Key) effectKind {
	w := p.w
	switch n := n.(type) {
	case *ast.DeferStmt:
		if op, dk, ok := w.lockOp(n.Call); ok && dk == k && (op == "Unlock" || op == "RUnlock") {
			return released_
		}
		if ci, binds := w.calleeInfo(n.Call); ci != nil && releasesKey(w, ci, binds, k) {
			return released_
		}
		return none
	case *ast.GoStmt:
		if ci, binds := w.calleeInfo(n.Call); ci != nil && releasesKey(w, ci, binds, k) {
			return lost
		}
		return none
	case *ast.AssignStmt:
		for _, lhs := range n.Lhs {
			if lk, ok := keyOf(w.r.info, lhs); ok && k.within(lk) {
				return lost
			}
		}
	case *ast.IncDecStmt:
		if lk, ok := keyOf(w.r.info, n.X); ok && k.within(lk) {
			return lost
		}
	}
	if e, ok := n.(ast.Expr); ok && w.ranges != nil && w.ranges[n] {
		if lk, ok := keyOf(w.r.info, e); ok && k.within(lk) {
			return lost
		}
	}
	for _, uk := range w.unlockValues(n) {
		if uk == k {
			return lost // its Unlock handed out as a method value
		}
	}
	var lits []*ast.FuncLit
	ast.Inspect(n, func(m ast.Node) bool {
		if lit, ok := m.(*ast.FuncLit); ok {
			lits = append(lits, lit)
			return false
		}
		return true
	})
	for _, lit := range lits {
		if w.named(lit) {
			continue
		}
		if ci := w.r.analyse(lit); !ci.visiting && releasesKey(w, ci, nil, k) {
			return lost // a callback or goroutine that unlocks it
		}
	}
	for _, c := range w.calls(n) {
		if op, ck, ok := w.lockOp(c); ok {
			if ck != k {
				continue
			}
			switch op {
			case "Unlock", "RUnlock":
				return released_
			case "Lock", "RLock":
				return locked
			}
			continue
		}
		ci, binds := w.calleeInfo(c)
		if ci == nil {
			for _, a := range c.Args {
				if ak, ok := keyOf(w.r.info, a); ok && ak == k {
					return lost
				}
			}
			continue
		}
		if releasesKey(w, ci, binds, k) {
			return released_
		}
	}
	return none
}

func releasesKey(w *walker, ci *funcInfo, binds map[*types.Var]ast.Expr, k Key) bool {
	for rk := range ci.sum.releases {
		if tk, ok := w.r.translate(ci, binds, rk); ok && tk == k {
			return true
		}
	}
	return false
}

// lockingName reports whether a function's name says it takes a lock
// for its caller (lock, Lock, tryLock, lockShard). Acquire is not
// enough: it names what the lock protects as often as the lock.
func lockingName(name string) bool {
	return strings.Contains(strings.ToLower(name), "lock")
}

// dropContracts removes the leaks that return holding the mutex on
// purpose: the function's name says it locks for its caller, or a
// caller in the package releases the mutex after the call (rule
// "returns it held for the caller"). A path that comes back to the
// Lock is never a contract.
func (r *Result) dropContracts(fn ast.Node, leaks []Leak) []Leak {
	d, _ := fn.(*ast.FuncDecl)
	out := leaks[:0]
	for _, l := range leaks {
		if !l.Relock && d != nil && (lockingName(d.Name.Name) || r.callersRelease(d, l.Key)) {
			continue
		}
		if ret, ok := l.Exit.(*ast.ReturnStmt); ok && returnsHolder(r.info, ret, l.Key) {
			continue // the caller gets the locked value
		}
		out = append(out, l)
	}
	return out
}

// returnsHolder reports whether ret returns the variable k hangs from
// (or a value on the way to it): the caller receives the locked value,
// and with it the duty to unlock.
func returnsHolder(info *types.Info, ret *ast.ReturnStmt, k Key) bool {
	for _, e := range ret.Results {
		if rk, ok := keyOf(info, e); ok && k.within(rk) {
			return true
		}
	}
	return false
}

// callersRelease reports whether a function of the package calls d and
// then releases k (in the caller's terms) without having taken it.
func (r *Result) callersRelease(d *ast.FuncDecl, k Key) bool {
	callee := r.analyse(d)
	for _, caller := range r.decls.All() {
		if caller.Body == nil || caller == d {
			continue
		}
		found := false
		ast.Inspect(caller.Body, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || found {
				return !found
			}
			node, binds := r.callee(caller, c)
			if node != d {
				return true
			}
			if tk, ok := r.translate(callee, binds, k); ok && r.unlocksAfter(caller, c.End(), tk) {
				found = true
			}
			return true
		})
		if found {
			return true
		}
	}
	return false
}

// unlocksAfter reports whether fn's first operation on k after pos,
// in its own body or in a deferred literal, is an unlock: it releases
// what the call at pos returned holding.
func (r *Result) unlocksAfter(fn *ast.FuncDecl, pos token.Pos, k Key) bool {
	w := &walker{r: r, fn: fn}
	first := ""
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.DeferStmt:
			if lit, ok := ast.Unparen(n.Call.Fun).(*ast.FuncLit); ok {
				ast.Inspect(lit.Body, func(m ast.Node) bool {
					if c, ok := m.(*ast.CallExpr); ok && c.Pos() >= pos && first == "" {
						if op, ck, ok := w.lockOp(c); ok && ck == k {
							first = op
						}
					}
					return first == ""
				})
				return false
			}
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if n.Pos() >= pos && first == "" {
				if op, ck, ok := w.lockOp(n); ok && ck == k {
					first = op
				}
			}
		}
		return first == ""
	})
	return first == "Unlock" || first == "RUnlock"
}

// rebinds reports whether a range statement assigns, on each turn, the
// variable k hangs from: go/cfg evaluates the key and value once, before
// the loop, so the graph's back edge does not show it.
func (p *pathFinder) rebinds(rs *ast.RangeStmt, k Key) bool {
	for _, e := range []ast.Expr{rs.Key, rs.Value} {
		if e == nil {
			continue
		}
		if ek, ok := keyOf(p.w.r.info, e); ok && k.within(ek) {
			return true
		}
	}
	return false
}

// body returns the function's body.
func (p *pathFinder) body() *ast.BlockStmt { return bodyOf(p.w.fn) }

// enclosing returns the statement lists that contain pos, outermost
// first, each with the index of the statement holding pos.
func (p *pathFinder) enclosing(pos token.Pos) (lists [][]ast.Stmt, at []int, conds []*ast.IfStmt) {
	var walk func(list []ast.Stmt)
	walk = func(list []ast.Stmt) {
		for i, st := range list {
			if pos < st.Pos() || pos >= st.End() {
				continue
			}
			lists, at = append(lists, list), append(at, i)
			var inner [][]ast.Stmt
			ast.Inspect(st, func(n ast.Node) bool {
				if n == nil || pos < n.Pos() || pos >= n.End() {
					return false
				}
				switch n := n.(type) {
				case *ast.FuncLit:
					return false
				case *ast.IfStmt:
					if n.Body.Pos() <= pos && pos < n.Body.End() {
						conds = append(conds, n)
					}
				case *ast.BlockStmt:
					if n != st {
						inner = append(inner, n.List)
						return false
					}
				case *ast.CaseClause:
					inner = append(inner, n.Body)
					return false
				case *ast.CommClause:
					inner = append(inner, n.Body)
					return false
				}
				return true
			})
			for _, l := range inner {
				walk(l)
			}
			return
		}
	}
	if b := p.body(); b != nil {
		walk(b.List)
	}
	return lists, at, conds
}

// deferredBefore reports whether a defer statement that releases k comes
// before the Lock c in a statement list enclosing it, so that it runs
// at every return after c (rule "released by a deferred call": the
// deferred Unlock of the first Lock also releases a later re-Lock).
func (p *pathFinder) deferredBefore(c *ast.CallExpr, k Key) bool {
	lists, at, _ := p.enclosing(c.Pos())
	for li, list := range lists {
		for _, st := range list[:at[li]] {
			d, ok := st.(*ast.DeferStmt)
			if !ok {
				continue
			}
			if p.effect(d, k) == released_ {
				return true
			}
		}
	}
	return false
}

// sameCondition reports whether the Lock c sits under an if whose
// condition, written the same, also guards an unlock of k in the
// function (rule "lock and unlock under the same condition": if old
// != nil { old.mu.Lock() } ... if old != nil { old.mu.Unlock() }).
func (p *pathFinder) sameCondition(c *ast.CallExpr, k Key) bool {
	_, _, conds := p.enclosing(c.Pos())
	if len(conds) == 0 {
		return false
	}
	found := false
	ast.Inspect(p.body(), func(n ast.Node) bool {
		if found {
			return false
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		op, ck, ok := p.w.lockOp(call)
		if !ok || ck != k || (op != "Unlock" && op != "RUnlock") {
			return true
		}
		// Compare only the ifs that guard one of the two and not the
		// other: an if around both decides nothing between them.
		_, _, uconds := p.enclosing(call.Pos())
		for _, a := range conds {
			if slices.Contains(uconds, a) {
				continue
			}
			for _, b := range uconds {
				if !slices.Contains(conds, b) && types.ExprString(a.Cond) == types.ExprString(b.Cond) {
					found = true
				}
			}
		}
		return true
	})
	return found
}
