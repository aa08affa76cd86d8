// Package locks follows sync.Mutex and sync.RWMutex through the
// functions of a package: which mutexes each function holds at each
// point on every path, which ones it takes (directly or through the
// package's own functions and closures it calls), which ones it releases
// without having taken them, and which ones it still holds when it
// returns. The lock checks are built on it.
//
// The analysis is intraprocedural over each function's control-flow
// graph with summaries of the package's own callees; a call it cannot
// see into (an interface method, a function value, another package) is
// assumed to leave the mutexes alone unless the mutex itself is passed
// to it, in which case the mutex is forgotten. Held means held on every
// path: a join keeps only what both sides hold, so a finding never rests
// on one branch.
package locks

import (
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/cfg"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/silentfail/silentfail/internal/decls"
	"github.com/silentfail/silentfail/internal/flow"
)

// Analyzer computes a *Result for the package, lazily.
var Analyzer = &analysis.Analyzer{
	Name:       "silentfaillocks",
	Doc:        "silentfaillocks: which mutexes each function of the package holds, takes and releases",
	URL:        "https://pkg.go.dev/github.com/silentfail/silentfail/internal/locks",
	Requires:   []*analysis.Analyzer{flow.Analyzer, decls.Analyzer},
	Run:        run,
	ResultType: reflect.TypeFor[*Result](),
}

// Mode tells a write lock from a read lock.
type Mode uint8

const (
	Write Mode = iota + 1 // Lock
	Read                  // RLock
)

func (m Mode) method() string {
	if m == Read {
		return "RLock"
	}
	return "Lock"
}

// Method returns the name of the method that takes a lock of mode m.
func (m Mode) Method() string { return m.method() }

// Held is a mutex held at some point: how, and since which call.
type Held struct {
	Mode   Mode
	Pos    token.Pos // the Lock, or the call of the function that returned with it held
	Locker bool      // taken through the sync.Locker interface
}

// A Relock is a lock taken again by the goroutine that holds it on
// every path to that point.
type Relock struct {
	Call *ast.CallExpr // the Lock/RLock, or the call of the package's function that takes it
	Key  Key
	Mode Mode // how the second acquisition takes it
	Held Held // how and since where it is held
	// Via is the package's function (*ast.FuncDecl or *ast.FuncLit)
	// called at Call that takes the lock, directly or through its own
	// callees, at LockPos; nil when Call is the Lock itself.
	Via     ast.Node
	LockPos token.Pos
	// Locker is true when a Lock involved goes through the sync.Locker
	// interface: the dynamic type may be any lock, reentrant or not.
	Locker bool
	// Deferred marks a deferred call at Call that takes the lock when
	// the function returns, while it is still held.
	Deferred bool
	// Printed is the operand of a fmt or log call at Call whose String
	// or Error method, Via, takes the lock; nil for an ordinary call.
	Printed ast.Expr
}

// Result answers questions about the package's functions.
type Result struct {
	info  *types.Info
	flow  *flow.CFGs
	decls *decls.Index

	mu      sync.Mutex
	printed map[*ast.CallExpr][]formatted // formattedArgs' answers for print calls
	funcs   map[ast.Node]*funcInfo        // *ast.FuncDecl or *ast.FuncLit
	closure map[ast.Node]map[*types.Var]*ast.FuncLit
	mayLock map[ast.Node]bool
}

func run(pass *analysis.Pass) (any, error) {
	return &Result{
		info:    pass.TypesInfo,
		flow:    pass.ResultOf[flow.Analyzer].(*flow.CFGs),
		decls:   pass.ResultOf[decls.Analyzer].(*decls.Index),
		funcs:   make(map[ast.Node]*funcInfo),
		closure: make(map[ast.Node]map[*types.Var]*ast.FuncLit),
	}, nil
}

// Relocks returns the relocks inside fn, a *ast.FuncDecl or *ast.FuncLit
// (a literal is analysed as its own function, entered with no lock held).
func (r *Result) Relocks(fn ast.Node) []Relock {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.analyse(fn).relocks
}

// summary is what a call of a function does to its caller's mutexes,
// in terms of the function's own parameters, receiver, captured and
// package-level variables.
type summary struct {
	acquires    map[Key]Held // taken afresh on every path that returns
	mayAcquires map[Key]Held // taken on some path
	releases    map[Key]bool // released on some path without having been taken
	holds       map[Key]Held // still held on every normal return
}

type funcInfo struct {
	node     ast.Node
	formals  map[*types.Var]bool
	sum      summary
	relocks  []Relock
	in       map[*cfg.Block]*state // the fixed point, for replays with hooks
	leaks    *[]Leak               // computed on demand
	visiting bool
}

// analyse runs the lock dataflow over fn once and memoizes it. A
// recursive call sees an empty summary.
func (r *Result) analyse(fn ast.Node) *funcInfo {
	if fi, ok := r.funcs[fn]; ok {
		return fi
	}
	fi := &funcInfo{node: fn, visiting: true}
	r.funcs[fn] = fi
	var g *cfg.CFG
	var ftype *ast.FuncType
	var recv *ast.FieldList
	switch f := fn.(type) {
	case *ast.FuncDecl:
		g, ftype, recv = r.flow.FuncDecl(f), f.Type, f.Recv
	case *ast.FuncLit:
		g, ftype = r.flow.FuncLit(f), f.Type
	}
	fi.formals = r.formals(recv, ftype.Params)
	if g != nil {
		w := &walker{r: r, fn: fn}
		w.solve(g)
		fi.sum = w.summary()
		fi.relocks = w.relocks
		fi.in = w.in
	}
	fi.visiting = false
	return fi
}

func (r *Result) formals(lists ...*ast.FieldList) map[*types.Var]bool {
	m := make(map[*types.Var]bool)
	for _, l := range lists {
		if l == nil {
			continue
		}
		for _, f := range l.List {
			for _, n := range f.Names {
				if v, ok := r.info.Defs[n].(*types.Var); ok {
					m[v] = true
				}
			}
		}
	}
	return m
}

// callee returns the function a call runs, when it is one whose body
// the package has: a function or method declared in the package, a
// function literal called where it is written, or a local variable
// assigned one literal and never reassigned. It also returns the
// actual expression of each formal, for translating the summary.
func (r *Result) callee(encl ast.Node, call *ast.CallExpr) (ast.Node, map[*types.Var]ast.Expr) {
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.FuncLit:
		return fun, r.bindParams(fun.Type, call, nil)
	case *ast.Ident:
		if v, ok := r.info.Uses[fun].(*types.Var); ok {
			if lit := r.closures(encl)[v]; lit != nil {
				return lit, r.bindParams(lit.Type, call, nil)
			}
		}
	}
	d := r.decls.Of(typeutil.StaticCallee(r.info, call))
	if d == nil || d.Body == nil {
		return nil, nil
	}
	var recvActual ast.Expr
	if d.Recv != nil {
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		if !ok {
			return nil, nil
		}
		s := r.info.Selections[sel]
		if s == nil || s.Kind() != types.MethodVal {
			return nil, nil // a method expression T.m(x): rare, left alone
		}
		recvActual = promoted{sel.X, implicitFields(s.Recv(), s.Index()[:len(s.Index())-1])}
	}
	binds := r.bindParams(d.Type, call, nil)
	if d.Recv != nil && len(d.Recv.List) == 1 && len(d.Recv.List[0].Names) == 1 {
		if v, ok := r.info.Defs[d.Recv.List[0].Names[0]].(*types.Var); ok {
			binds[v] = recvActual
		}
	}
	return d, binds
}

// promoted is the receiver of a method promoted from an embedded field:
// X with the embedded fields' path appended.
type promoted struct {
	ast.Expr
	path string
}

func (r *Result) bindParams(ft *ast.FuncType, call *ast.CallExpr, m map[*types.Var]ast.Expr) map[*types.Var]ast.Expr {
	if m == nil {
		m = make(map[*types.Var]ast.Expr)
	}
	i := 0
	for _, f := range ft.Params.List {
		names := f.Names
		if len(names) == 0 {
			i++
			continue
		}
		for _, n := range names {
			if _, variadic := f.Type.(*ast.Ellipsis); !variadic && i < len(call.Args) && !call.Ellipsis.IsValid() {
				if v, ok := r.info.Defs[n].(*types.Var); ok {
					m[v] = call.Args[i]
				}
			}
			i++
		}
	}
	return m
}

// closures maps the local variables of encl that are assigned one
// function literal, by := or var, and never assigned again nor have
// their address taken, to that literal.
func (r *Result) closures(encl ast.Node) map[*types.Var]*ast.FuncLit {
	if lit, ok := encl.(*ast.FuncLit); ok {
		// A literal sees the closures of the declaration around it (one
		// closure calling another): look them up there.
		for _, d := range r.decls.All() {
			if d.Body != nil && d.Body.Pos() <= lit.Pos() && lit.End() <= d.Body.End() {
				encl = d
				break
			}
		}
	}
	if m, ok := r.closure[encl]; ok {
		return m
	}
	lits := make(map[*types.Var]*ast.FuncLit)
	writes := make(map[*types.Var]int)
	note := func(id *ast.Ident, rhs ast.Expr) {
		v, ok := r.info.ObjectOf(id).(*types.Var)
		if !ok {
			return
		}
		writes[v]++
		if lit, ok := rhs.(*ast.FuncLit); ok {
			lits[v] = lit
		}
	}
	if body := bodyOf(encl); body != nil {
		ast.Inspect(body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					id, ok := ast.Unparen(lhs).(*ast.Ident)
					if !ok {
						continue
					}
					var rhs ast.Expr
					if len(n.Rhs) == len(n.Lhs) {
						rhs = n.Rhs[i]
					}
					note(id, rhs)
				}
			case *ast.ValueSpec:
				for i, id := range n.Names {
					var rhs ast.Expr
					if i < len(n.Values) {
						rhs = n.Values[i]
					}
					if rhs != nil {
						note(id, rhs)
					}
				}
			case *ast.UnaryExpr:
				if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && n.Op == token.AND {
					if v, ok := r.info.Uses[id].(*types.Var); ok {
						writes[v] += 2
					}
				}
			}
			return true
		})
	}
	for v := range lits {
		if writes[v] != 1 {
			delete(lits, v)
		}
	}
	r.closure[encl] = lits
	return lits
}

// translate maps a key of callee's summary into the caller's terms: a
// formal becomes the actual's key, a variable local to the callee is
// dropped, anything else (package-level, captured) stays.
func (r *Result) translate(callee *funcInfo, binds map[*types.Var]ast.Expr, k Key) (Key, bool) {
	v, ok := k.Base.(*types.Var)
	if !ok {
		return Key{}, false
	}
	if callee.formals[v] {
		actual, ok := binds[v]
		if !ok || actual == nil {
			return Key{}, false
		}
		ak, ok := r.actualKey(actual)
		if !ok {
			return Key{}, false
		}
		ak.Path += k.Path
		return ak, true
	}
	if v.Parent() == nil || v.Pkg() == nil {
		return k, true
	}
	if v.Parent() == v.Pkg().Scope() {
		return k, true // package-level
	}
	if v.Pos() >= callee.node.Pos() && v.Pos() < callee.node.End() {
		return Key{}, false // the callee's own local
	}
	return k, true // captured by a literal
}

func (r *Result) actualKey(e ast.Expr) (Key, bool) {
	if p, ok := e.(promoted); ok {
		k, ok := keyOf(r.info, p.Expr)
		k.Path += p.path
		return k, ok
	}
	return keyOf(r.info, e)
}

// Each calls visit before each node of fn's control-flow graph, at the
// start of each select case's body with its *ast.CommClause, and at the
// head of each range loop (where each turn receives) with its
// *ast.RangeStmt, with the mutexes held there on every path and those
// taken on some path before it. The maps belong to the analysis: read
// them during the call only. visit must not call back into r.
func (r *Result) Each(fn ast.Node, visit func(n ast.Node, held, taken map[Key]Held)) {
	r.replay(&walker{r: r, fn: fn, before: func(n ast.Node, st *state) { visit(n, st.held, st.may) }})
}

// replay runs w, a walker with a hook, over its function's fixed point.
func (r *Result) replay(w *walker) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.replayLocked(w)
}

// replayLocked walks the fixed point that analyse computed once more,
// without solving again.
func (r *Result) replayLocked(w *walker) {
	fi := r.analyse(w.fn)
	g := r.graphOf(w.fn)
	if g == nil || fi.in == nil {
		return
	}
	w.in = fi.in
	w.collectRanges()
	w.reportPass(g)
}

// KeyOf returns the Key of an expression that denotes a variable or a
// field path from one, or false.
func (r *Result) KeyOf(e ast.Expr) (Key, bool) { return keyOf(r.info, e) }

// MayLock reports whether fn can take a sync mutex: it calls Lock or
// RLock itself, or calls (directly or through others) a function or
// closure of the package that does. Functions that cannot are skipped
// by the checks, which is most functions of most packages.
func (r *Result) MayLock(fn ast.Node) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mayLock == nil {
		r.computeMayLock()
	}
	return r.mayLock[fn]
}

func (r *Result) computeMayLock() {
	r.mayLock = make(map[ast.Node]bool)
	calls := make(map[ast.Node][]ast.Node)
	var fns []ast.Node
	for _, d := range r.decls.All() {
		if d.Body == nil {
			continue
		}
		ast.Inspect(d.Body, func(n ast.Node) bool {
			if lit, ok := n.(*ast.FuncLit); ok {
				fns = append(fns, lit)
			}
			return true
		})
		fns = append(fns, d)
	}
	for _, fn := range fns {
		w := &walker{r: r, fn: fn}
		ast.Inspect(fn, func(n ast.Node) bool {
			if lit, ok := n.(*ast.FuncLit); ok && lit != fn {
				return false
			}
			c, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if op, _, ok := w.lockOp(c); ok && (op == "Lock" || op == "RLock") {
				r.mayLock[fn] = true
			}
			if callee, _ := r.callee(fn, c); callee != nil {
				calls[fn] = append(calls[fn], callee)
			}
			for _, f := range r.formattedArgs(c) {
				if d := r.decls.Of(f.method); d != nil {
					calls[fn] = append(calls[fn], d)
				}
			}
			return true
		})
	}
	for changed := true; changed; {
		changed = false
		for _, fn := range fns {
			if r.mayLock[fn] {
				continue
			}
			for _, c := range calls[fn] {
				if r.mayLock[c] {
					r.mayLock[fn] = true
					changed = true
					break
				}
			}
		}
	}
}

// graphOf returns the control-flow graph of a *ast.FuncDecl or
// *ast.FuncLit, or nil.
func (r *Result) graphOf(fn ast.Node) *cfg.CFG {
	switch f := fn.(type) {
	case *ast.FuncDecl:
		return r.flow.FuncDecl(f)
	case *ast.FuncLit:
		return r.flow.FuncLit(f)
	}
	return nil
}

// bodyOf returns the body of a *ast.FuncDecl or *ast.FuncLit, or nil.
func bodyOf(fn ast.Node) *ast.BlockStmt {
	switch f := fn.(type) {
	case *ast.FuncDecl:
		return f.Body
	case *ast.FuncLit:
		return f.Body
	}
	return nil
}

// An Acquisition is a lock taken by a function: by a Lock or RLock call,
// or by a call of the package's function that takes it on some path.
type Acquisition struct {
	Call    *ast.CallExpr
	Key     Key
	Mode    Mode
	LockPos token.Pos // the Lock itself (in the callee for a call)
	Via     ast.Node  // the callee, or nil
}

// Acquisitions calls visit for each lock fn takes, with the mutexes held
// there on every path. The map belongs to the analysis: read it during
// the call only. visit must not call back into r.
func (r *Result) Acquisitions(fn ast.Node, visit func(a Acquisition, held map[Key]Held)) {
	r.replay(&walker{r: r, fn: fn, onAcquire: visit})
}

// Class names the mutexes a key can denote across the package's
// functions: the struct type and field that hold it (T.mu), or the
// package-level variable. Keys rooted at a local variable have none.
func (r *Result) Class(k Key) (string, bool) {
	v, ok := k.Base.(*types.Var)
	if !ok || v.Pkg() == nil {
		return "", false
	}
	if k.Path == "" {
		if v.Parent() != v.Pkg().Scope() {
			return "", false
		}
		return v.Pkg().Name() + "." + v.Name(), true
	}
	names := strings.Split(k.Path[1:], ".")
	holder := v.Type()
	// The class is the last named type on the way and the fields from
	// it: Store.mu.RWMutex when mu is an anonymous struct{ sync.RWMutex }.
	var named types.Type
	var from int
	for i, n := range names {
		if _, ok := deref(holder).(*types.Named); ok {
			named, from = deref(holder), i
		}
		st, ok := deref(holder).Underlying().(*types.Struct)
		if !ok {
			return "", false
		}
		var f *types.Var
		for j := range st.NumFields() {
			if st.Field(j).Name() == n {
				f = st.Field(j)
			}
		}
		if f == nil {
			return "", false
		}
		if i == len(names)-1 {
			if named == nil {
				return "", false
			}
			return types.TypeString(named, types.RelativeTo(v.Pkg())) + "." + strings.Join(names[from:], "."), true
		}
		holder = f.Type()
	}
	return "", false
}
