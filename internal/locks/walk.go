package locks

import (
	"go/ast"
	"go/types"
	"maps"

	"golang.org/x/tools/go/cfg"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/silentfail/silentfail/internal/astq"
)

// state is what is known at one point of one function, on every path
// that reaches it.
type state struct {
	held map[Key]Held // held on every path
	acq  map[Key]Held // taken afresh on every path (not after a release of ours)
	may  map[Key]Held // taken on some path
	rel  map[Key]bool // released on some path without being taken first
}

func newState() *state {
	return &state{held: map[Key]Held{}, acq: map[Key]Held{}, may: map[Key]Held{}, rel: map[Key]bool{}}
}

func (s *state) clone() *state {
	return &state{held: maps.Clone(s.held), acq: maps.Clone(s.acq), may: maps.Clone(s.may), rel: maps.Clone(s.rel)}
}

// join merges t into s (s may be nil: not reached yet) and reports
// whether s changed.
func join(s **state, t *state) bool {
	if *s == nil {
		*s = t.clone()
		return true
	}
	changed := false
	for k, h := range (*s).held {
		if o, ok := t.held[k]; !ok || o.Mode != h.Mode {
			delete((*s).held, k)
			changed = true
		}
	}
	for k := range (*s).acq {
		if _, ok := t.acq[k]; !ok {
			delete((*s).acq, k)
			changed = true
		}
	}
	for k, h := range t.may {
		if _, ok := (*s).may[k]; !ok {
			(*s).may[k] = h
			changed = true
		}
	}
	for k := range t.rel {
		if !(*s).rel[k] {
			(*s).rel[k] = true
			changed = true
		}
	}
	return changed
}

type walker struct {
	r       *Result
	fn      ast.Node
	in      map[*cfg.Block]*state
	report  bool
	relocks []Relock
	// before, when set, is called on the fixed point before each node,
	// at the start of a select case's body with its CommClause, and at
	// the head of a range loop with its RangeStmt.
	before func(n ast.Node, st *state)
	// onAcquire, when set, is called on the fixed point for each lock
	// the function takes, itself or through a callee (on some path of
	// the callee), with what is held on every path at that point.
	onAcquire func(a Acquisition, held map[Key]Held)
	ranges    map[ast.Node]bool // range statements' key and value expressions
	// exit is what is held on every path when the function returns,
	// before its deferred calls run; set for the report pass.
	exit *state
	// madeFrom maps a local variable holding a function made by a call
	// given mutexes (unlock := unlockOnce(&mu)) to those mutexes; built
	// on first use.
	madeFrom map[types.Object][]Key
}

// collectRanges notes the key and value expressions of the function's
// range statements, which the graph holds as bare expressions and which
// are assigned on each turn.
func (w *walker) collectRanges() {
	w.ranges = make(map[ast.Node]bool)
	ast.Inspect(w.fn, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return n == w.fn
		case *ast.RangeStmt:
			if n.Key != nil {
				w.ranges[n.Key] = true
			}
			if n.Value != nil {
				w.ranges[n.Value] = true
			}
		}
		return true
	})
}

func (w *walker) solve(g *cfg.CFG) {
	w.in = make(map[*cfg.Block]*state)
	w.collectRanges()
	if len(g.Blocks) == 0 {
		return
	}
	w.in[g.Blocks[0]] = newState()
	work := []*cfg.Block{g.Blocks[0]}
	queued := map[*cfg.Block]bool{g.Blocks[0]: true}
	for len(work) > 0 {
		b := work[0]
		work = work[1:]
		queued[b] = false
		out := w.transfer(b, w.in[b].clone())
		for _, s := range b.Succs {
			in := w.in[s]
			if join(&in, out) {
				w.in[s] = in
				if !queued[s] {
					queued[s] = true
					work = append(work, s)
				}
			}
		}
	}
	w.reportPass(g)
}

// reportPass walks the fixed point in w.in once more, with reporting
// and the hooks on.
func (w *walker) reportPass(g *cfg.CFG) {
	w.exit = w.exitState(g)
	w.report = true
	for _, b := range g.Blocks {
		if st := w.in[b]; st != nil {
			w.transfer(b, st.clone())
		}
	}
	w.report = false
}

// exitState joins the states in which the function returns, before
// its deferred calls run; nil when it never returns.
func (w *walker) exitState(g *cfg.CFG) *state {
	var exit *state
	for _, b := range g.Blocks {
		st := w.in[b]
		if st == nil || !b.Live || len(b.Succs) != 0 || !w.r.flow.Returns(b) {
			continue
		}
		out := w.transfer(b, st.clone())
		join(&exit, out)
	}
	return exit
}

// summary sums up the function for its callers from the fixed point
// and the exit state the report pass computed.
func (w *walker) summary() summary {
	exit := w.exit
	released := w.deferredReleases()
	s := summary{acquires: map[Key]Held{}, mayAcquires: map[Key]Held{}, releases: map[Key]bool{}, holds: map[Key]Held{}}
	for b, st := range w.in {
		for k, h := range w.transfer(b, st.clone()).may {
			s.mayAcquires[k] = h
		}
	}
	// Releases count on any path, not only those that return: a
	// goroutine or callback that unlocks and then blocks still unlocks.
	for _, st := range w.in {
		for k := range st.rel {
			s.releases[k] = true
		}
	}
	if exit == nil {
		return s
	}
	maps.Copy(s.acquires, exit.acq)
	for k, h := range exit.held {
		if !released[k] {
			s.holds[k] = h
		}
	}
	for k := range exit.rel {
		s.releases[k] = true
	}
	// A deferred unlock of what the function took on every path gives
	// back its own lock; any other deferred unlock is the caller's.
	for k := range released {
		if _, own := exit.acq[k]; !own {
			s.releases[k] = true
		}
	}
	return s
}

// deferredReleases returns the mutexes that a deferred call of the
// function may release.
func (w *walker) deferredReleases() map[Key]bool {
	out := make(map[Key]bool)
	ast.Inspect(w.fn, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return n == w.fn
		case *ast.DeferStmt:
			if op, k, ok := w.lockOp(n.Call); ok && (op == "Unlock" || op == "RUnlock") {
				out[k] = true
			} else if ci, binds := w.calleeInfo(n.Call); ci != nil {
				for k := range ci.sum.releases {
					if tk, ok := w.r.translate(ci, binds, k); ok {
						out[tk] = true
					}
				}
			}
			return false
		}
		return true
	})
	return out
}

func (w *walker) calleeInfo(call *ast.CallExpr) (*funcInfo, map[*types.Var]ast.Expr) {
	node, binds := w.r.callee(w.fn, call)
	if node == nil {
		return nil, nil
	}
	ci := w.r.analyse(node)
	if ci.visiting {
		return nil, nil
	}
	return ci, binds
}

// transfer applies the nodes of b to st and returns it.
func (w *walker) transfer(b *cfg.Block, st *state) *state {
	hook := w.before
	if !w.report {
		hook = nil
	}
	if hook != nil && (b.Kind == cfg.KindSelectCaseBody || b.Kind == cfg.KindRangeLoop) && b.Stmt != nil {
		hook(b.Stmt, st)
	}
	for _, n := range b.Nodes {
		if hook != nil {
			hook(n, st)
		}
		w.node(n, st)
	}
	return st
}

func (w *walker) node(n ast.Node, st *state) {
	switch n := n.(type) {
	case *ast.DeferStmt:
		if w.report {
			w.deferredUnderLock(n, st)
		}
		return // runs at return; its arguments take no lock
	case *ast.GoStmt:
		// Another goroutine may unlock what this one holds (a mutex
		// used as a semaphore): forget what it releases.
		if ci, binds := w.calleeInfo(n.Call); ci != nil {
			for k := range ci.sum.releases {
				if tk, ok := w.r.translate(ci, binds, k); ok {
					delete(st.held, tk)
				}
			}
		}
		return
	case *ast.ValueSpec:
		for _, v := range n.Values {
			w.expr(v, st)
		}
		return
	}
	if e, ok := n.(ast.Expr); ok && w.ranges[n] {
		w.assign(e, st)
		return
	}
	w.expr(n, st)
	switch n := n.(type) {
	case *ast.AssignStmt:
		for _, lhs := range n.Lhs {
			w.assign(lhs, st)
		}
	case *ast.IncDecStmt:
		w.assign(n.X, st)
	case *ast.RangeStmt:
		// not a node of the graph; its parts are
	}
}

// assign forgets every mutex reached through the location lhs denotes.
func (w *walker) assign(lhs ast.Expr, st *state) {
	k, ok := keyOf(w.r.info, lhs)
	if !ok {
		return
	}
	for h := range st.held {
		if h.within(k) {
			delete(st.held, h)
		}
	}
	for h := range st.acq {
		if h.within(k) {
			delete(st.acq, h)
		}
	}
	for h := range st.may {
		if h.within(k) {
			delete(st.may, h)
		}
	}
}

// expr applies the calls in n in the order they run (operands first),
// leaving function literals' bodies alone: a literal that is not called
// on the spot runs some other time, but what it releases is forgotten
// (it may be a callback that unlocks).
func (w *walker) expr(n ast.Node, st *state) {
	for _, k := range w.unlockValues(n) {
		delete(st.held, k)
	}
	ast.Inspect(n, func(m ast.Node) bool {
		if lit, ok := m.(*ast.FuncLit); ok {
			if !w.named(lit) && !w.calledOnSpot(n, lit) {
				w.forgetReleasedBy(lit, st)
			}
			return false
		}
		return true
	})
	for _, c := range w.calls(n) {
		w.call(c, st)
	}
}

// unlockValues returns the mutexes whose Unlock or RUnlock n takes as a
// method value (mu.Unlock stored or handed to a callback, a goroutine,
// a timer): whoever holds it may release the mutex at any time.
func (w *walker) unlockValues(n ast.Node) []Key {
	called := map[ast.Expr]bool{}
	var out []Key
	ast.Inspect(n, func(m ast.Node) bool {
		switch m := m.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			called[ast.Unparen(m.Fun)] = true
		case *ast.SelectorExpr:
			if called[m] || (m.Sel.Name != "Unlock" && m.Sel.Name != "RUnlock") {
				return true
			}
			s := w.r.info.Selections[m]
			if s == nil || s.Kind() != types.MethodVal {
				return true
			}
			fn, _ := s.Obj().(*types.Func)
			if !astq.IsMethod(fn, "sync", "Mutex", "Unlock") && !astq.IsMethod(fn, "sync", "RWMutex", "Unlock", "RUnlock") && !astq.IsMethod(fn, "sync", "Locker", "Unlock") {
				return true
			}
			if k, ok := keyOf(w.r.info, m.X); ok {
				k.Path += implicitFields(s.Recv(), s.Index()[:len(s.Index())-1])
				out = append(out, k)
			}
		}
		return true
	})
	return out
}

// calledOnSpot reports whether lit is the function of a call in n.
func (w *walker) calledOnSpot(n ast.Node, lit *ast.FuncLit) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		if c, ok := m.(*ast.CallExpr); ok && ast.Unparen(c.Fun) == lit {
			found = true
		}
		return !found
	})
	return found
}

// calls returns the calls in n in the order they run (operands first),
// leaving function literals' bodies alone.
func (w *walker) calls(n ast.Node) []*ast.CallExpr {
	var calls []*ast.CallExpr
	var visit func(ast.Node) bool
	visit = func(m ast.Node) bool {
		switch m := m.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if _, ok := ast.Unparen(m.Fun).(*ast.FuncLit); !ok {
				ast.Inspect(m.Fun, visit) // a literal called on the spot is the callee
			}
			for _, a := range m.Args {
				ast.Inspect(a, visit)
			}
			calls = append(calls, m)
			return false
		}
		return true
	}
	ast.Inspect(n, visit)
	return calls
}

// named reports whether lit is the one value of a local variable that
// calls see through: what it releases counts where it is called.
func (w *walker) named(lit *ast.FuncLit) bool {
	for _, l := range w.r.closures(w.fn) {
		if l == lit {
			return true
		}
	}
	return false
}

// forgetMadeInto forgets the mutexes given to a call that returns a
// function (unlock := unlockOnce(&mu)), and, when such a function is
// called through the variable that holds it, the mutexes it was made
// with: it may release them (rule "mutex handed to a call").
func (w *walker) forgetMadeInto(call *ast.CallExpr, st *state) {
	for _, k := range w.makerKeys(call) {
		delete(st.held, k)
	}
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if w.madeFrom == nil {
			w.collectMade()
		}
		for _, k := range w.madeFrom[w.r.info.Uses[id]] {
			delete(st.held, k)
		}
	}
}

// makerKeys returns the mutexes given to call when it returns a
// function, nil otherwise.
func (w *walker) makerKeys(call *ast.CallExpr) []Key {
	t := w.r.info.TypeOf(call.Fun)
	if t == nil {
		return nil
	}
	sig, ok := t.Underlying().(*types.Signature)
	if !ok {
		return nil
	}
	returnsFunc := false
	for v := range sig.Results().Variables() {
		if _, ok := v.Type().Underlying().(*types.Signature); ok {
			returnsFunc = true
		}
	}
	if !returnsFunc {
		return nil
	}
	var keys []Key
	for _, a := range call.Args {
		if k, ok := keyOf(w.r.info, a); ok {
			keys = append(keys, k)
		}
	}
	return keys
}

// collectMade fills madeFrom from the function's assignments of a
// maker's result to a local variable.
func (w *walker) collectMade() {
	w.madeFrom = make(map[types.Object][]Key)
	ast.Inspect(w.fn, func(n ast.Node) bool {
		if lit, ok := n.(*ast.FuncLit); ok && lit != w.fn {
			return false
		}
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != len(as.Rhs) {
			return true
		}
		for i, r := range as.Rhs {
			call, ok := ast.Unparen(r).(*ast.CallExpr)
			if !ok {
				continue
			}
			id, ok := as.Lhs[i].(*ast.Ident)
			if !ok {
				continue
			}
			obj := w.r.info.ObjectOf(id)
			if keys := w.makerKeys(call); obj != nil && len(keys) > 0 {
				w.madeFrom[obj] = append(w.madeFrom[obj], keys...)
			}
		}
		return true
	})
}

func (w *walker) forgetReleasedBy(fun ast.Expr, st *state) {
	lit, ok := ast.Unparen(fun).(*ast.FuncLit)
	if !ok || lit == w.fn {
		return
	}
	ci := w.r.analyse(lit)
	if ci.visiting {
		return
	}
	for k := range ci.sum.releases {
		if tk, ok := w.r.translate(ci, nil, k); ok {
			delete(st.held, tk)
		}
	}
}

// viaLocker reports whether call is Lock or RLock through the
// sync.Locker interface.
func (w *walker) viaLocker(call *ast.CallExpr) bool {
	fn, _ := typeutil.Callee(w.r.info, call).(*types.Func)
	return astq.IsMethod(fn, "sync", "Locker", "Lock")
}

// lockOp recognizes a Lock, RLock, Unlock, RUnlock, TryLock or TryRLock
// of sync's mutexes (also promoted, or through sync.Locker) and returns
// the method and the mutex's key.
func (w *walker) lockOp(call *ast.CallExpr) (string, Key, bool) {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || len(call.Args) != 0 {
		return "", Key{}, false
	}
	fn, _ := typeutil.Callee(w.r.info, call).(*types.Func)
	if !astq.IsMethod(fn, "sync", "Mutex", "Lock", "Unlock", "TryLock") &&
		!astq.IsMethod(fn, "sync", "RWMutex", "Lock", "Unlock", "RLock", "RUnlock", "TryLock", "TryRLock") &&
		!astq.IsMethod(fn, "sync", "Locker", "Lock", "Unlock") {
		return "", Key{}, false
	}
	k, ok := keyOf(w.r.info, sel.X)
	if !ok {
		return "", Key{}, false
	}
	if s := w.r.info.Selections[sel]; s != nil {
		k.Path += implicitFields(s.Recv(), s.Index()[:len(s.Index())-1])
	}
	return fn.Name(), k, true
}

func (w *walker) call(call *ast.CallExpr, st *state) {
	if op, k, ok := w.lockOp(call); ok {
		switch op {
		case "Lock", "RLock":
			mode := Write
			if op == "RLock" {
				mode = Read
			}
			if h, ok := st.held[k]; ok && w.report {
				w.relocks = append(w.relocks, Relock{Call: call, Key: k, Mode: mode, Held: h, Locker: w.viaLocker(call) || h.Locker})
			}
			if w.report && w.onAcquire != nil {
				w.onAcquire(Acquisition{Call: call, Key: k, Mode: mode, LockPos: call.Pos()}, st.held)
			}
			st.held[k] = Held{Mode: mode, Pos: call.Pos(), Locker: w.viaLocker(call)}
			if _, ok := st.acq[k]; !ok && !st.rel[k] {
				st.acq[k] = Held{Mode: mode, Pos: call.Pos(), Locker: w.viaLocker(call)}
			}
			if _, ok := st.may[k]; !ok {
				st.may[k] = Held{Mode: mode, Pos: call.Pos()}
			}
		case "Unlock", "RUnlock":
			if _, ok := st.held[k]; !ok {
				st.rel[k] = true
			}
			delete(st.held, k)
		}
		return
	}
	w.forgetMadeInto(call, st)
	ci, binds := w.calleeInfo(call)
	if ci == nil {
		// A call we cannot see into that is given the mutex itself may
		// unlock it.
		for _, a := range call.Args {
			if ak, ok := keyOf(w.r.info, a); ok {
				delete(st.held, ak)
			}
		}
	} else {
		w.apply(call, ci, binds, nil, st)
	}
	for _, f := range w.r.formattedArgs(call) {
		if ci, binds := w.printInfo(f); ci != nil {
			w.apply(call, ci, binds, f.arg, st)
		}
	}
}

// printInfo returns the String or Error method a print call runs on
// f's operand, with its receiver bound to the operand; nil when the
// method has no body here, is being analysed, or has a value receiver
// (it locks a copy of the mutex, which keys by variable do not follow).
func (w *walker) printInfo(f formatted) (*funcInfo, map[*types.Var]ast.Expr) {
	d := w.r.decls.Of(f.method)
	if d == nil || d.Body == nil || d.Recv == nil || len(d.Recv.List) != 1 || len(d.Recv.List[0].Names) != 1 {
		return nil, nil
	}
	recv, ok := w.r.info.Defs[d.Recv.List[0].Names[0]].(*types.Var)
	if !ok || !types.Identical(recv.Type(), w.r.info.TypeOf(f.arg)) {
		return nil, nil // a value receiver, or a method promoted from an embedded field
	}
	if _, ptr := recv.Type().(*types.Pointer); !ptr {
		return nil, nil
	}
	ci := w.r.analyse(d)
	if ci.visiting {
		return nil, nil
	}
	return ci, map[*types.Var]ast.Expr{recv: f.arg}
}

// apply runs callee ci, called at call with its formals bound by binds,
// on st: what it takes while st holds it is a relock, and what it
// takes, releases and keeps held changes st. printed is the operand
// whose String or Error method ci is, when call is a print call.
func (w *walker) apply(call *ast.CallExpr, ci *funcInfo, binds map[*types.Var]ast.Expr, printed ast.Expr, st *state) {
	if w.report && w.onAcquire != nil {
		for k, a := range ci.sum.mayAcquires {
			if tk, ok := w.r.translate(ci, binds, k); ok {
				w.onAcquire(Acquisition{Call: call, Key: tk, Mode: a.Mode, LockPos: a.Pos, Via: ci.node}, st.held)
			}
		}
	}
	for k, a := range ci.sum.acquires {
		tk, ok := w.r.translate(ci, binds, k)
		if !ok {
			continue
		}
		if h, ok := st.held[tk]; ok && w.report {
			w.relocks = append(w.relocks, Relock{Call: call, Key: tk, Mode: a.Mode, Held: h, Via: ci.node, LockPos: a.Pos, Locker: a.Locker || h.Locker, Printed: printed})
		}
	}
	for k := range ci.sum.releases {
		if tk, ok := w.r.translate(ci, binds, k); ok {
			if _, held := st.held[tk]; !held {
				st.rel[tk] = true
			}
			delete(st.held, tk)
		}
	}
	for k, a := range ci.sum.acquires {
		if tk, ok := w.r.translate(ci, binds, k); ok {
			if _, ok := st.acq[tk]; !ok && !st.rel[tk] {
				st.acq[tk] = a
			}
		}
	}
	for k, a := range ci.sum.mayAcquires {
		if tk, ok := w.r.translate(ci, binds, k); ok {
			if _, ok := st.may[tk]; !ok {
				st.may[tk] = a
			}
		}
	}
	for k, h := range ci.sum.holds {
		if tk, ok := w.r.translate(ci, binds, k); ok {
			st.held[tk] = Held{Mode: h.Mode, Pos: call.Pos()}
		}
	}
}
