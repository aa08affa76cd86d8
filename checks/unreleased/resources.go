package unreleased

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/flow"
)

// A resource is what an acquiring call hands out and what releases it.
type resource struct {
	noun    string   // "file", "rows"...
	release []string // methods of the value that release it
	body    bool     // released by v.Body.Close() (an *http.Response)
	// nextCloses: Next returning false closes the value (*sql.Rows), so
	// the path that leaves a `for v.Next()` loop by its condition has
	// nothing left to release.
	nextCloses bool
	cost       string // what one leaked value costs, at run time
	fix        string // the release to add, %s is the variable
}

var (
	fileRes = &resource{noun: "file", release: []string{"Close"},
		cost: "one file descriptor leaks per call, until the process hits its limit and every Open and Accept fails",
		fix:  "%s.Close()"}
	connRes = &resource{noun: "connection", release: []string{"Close"},
		cost: "one socket leaks per call, until the process hits its file limit and every Dial and Accept fails",
		fix:  "%s.Close()"}
	listenerRes = &resource{noun: "listener", release: []string{"Close"},
		cost: "the port stays bound and one socket leaks per call",
		fix:  "%s.Close()"}
	rowsRes = &resource{noun: "rows", release: []string{"Close"}, nextCloses: true,
		cost: "the rows keep their database connection busy: one connection leaks per call, until the pool is exhausted and every query waits",
		fix:  "%s.Close()"}
	txRes = &resource{noun: "transaction", release: []string{"Commit", "Rollback"},
		cost: "the transaction keeps its connection, and the rows it locked in the database, until the process exits: one connection leaks per call, until the pool is exhausted and every query waits",
		fix:  "%s.Rollback()"}
	stmtRes = &resource{noun: "prepared statement", release: []string{"Close"},
		cost: "the statement stays prepared on the server and held by the pool: one leaks per call",
		fix:  "%s.Close()"}
	sqlConnRes = &resource{noun: "database connection", release: []string{"Close"},
		cost: "the connection never goes back to the pool: one leaks per call, until the pool is exhausted and every query waits",
		fix:  "%s.Close()"}
	responseRes = &resource{noun: "response", body: true,
		cost: "an unclosed body keeps its connection: it is never reused nor freed, one per call, until the process runs out of sockets",
		fix:  "%s.Body.Close()"}
)

// acquired says what resource the call hands out as its first result,
// or nil.
func acquired(pass *analysis.Pass, call *ast.CallExpr) *resource {
	fn := astq.Callee(pass, call)
	if fn == nil || fn.Pkg() == nil {
		return nil
	}
	switch {
	case astq.IsFunc(fn, "os", "Open", "Create", "OpenFile", "CreateTemp"),
		astq.IsMethod(fn, "os", "Root", "Open", "Create", "OpenFile"):
		return fileRes
	case astq.IsFunc(fn, "net", "Dial", "DialTimeout", "DialTCP", "DialUDP", "DialUnix", "DialIP"),
		astq.IsMethod(fn, "net", "Dialer", "Dial", "DialContext"),
		astq.IsFunc(fn, "crypto/tls", "Dial", "DialWithDialer"),
		astq.IsMethod(fn, "crypto/tls", "Dialer", "Dial", "DialContext"):
		return connRes
	case astq.IsFunc(fn, "net", "Listen", "ListenTCP", "ListenUnix", "ListenPacket", "ListenUDP"),
		astq.IsMethod(fn, "net", "ListenConfig", "Listen", "ListenPacket"):
		return listenerRes
	case astq.IsMethod(fn, "database/sql", "DB", "Query", "QueryContext"),
		astq.IsMethod(fn, "database/sql", "Conn", "QueryContext"),
		astq.IsMethod(fn, "database/sql", "Stmt", "Query", "QueryContext"):
		return rowsRes
	case astq.IsMethod(fn, "database/sql", "DB", "Begin", "BeginTx"),
		astq.IsMethod(fn, "database/sql", "Conn", "BeginTx"):
		return txRes
	case astq.IsMethod(fn, "database/sql", "DB", "Prepare", "PrepareContext"),
		astq.IsMethod(fn, "database/sql", "Conn", "PrepareContext"):
		// Rows and statements of a Tx are closed with the Tx: a leak
		// lasts as long as the transaction (rule "closed with their
		// transaction").
		return stmtRes
	case astq.IsMethod(fn, "database/sql", "DB", "Conn"):
		return sqlConnRes
	case astq.IsFunc(fn, "net/http", "Get", "Post", "Head", "PostForm"),
		astq.IsMethod(fn, "net/http", "Client", "Do", "Get", "Post", "Head", "PostForm"):
		return responseRes
	}
	return nil
}

// A held resource: one acquiring assignment of a local variable.
type held struct {
	pass   *analysis.Pass
	flow   *flow.CFGs
	fn     ast.Node
	res    *resource
	assign *ast.AssignStmt
	call   *ast.CallExpr
	v      *types.Var
	err    *types.Var // the error result, when the function checks it

	assignedVars map[*types.Var]bool // lazily: variables the function assigns
}

// A resourceLeak is a path on which the resource is still held.
type resourceLeak struct {
	exit  *ast.ReturnStmt // nil: the end of the body, or back to the acquire
	again bool            // the path comes back to the acquiring call
}

// checkResources reports, in fn, each resource released on some paths
// out and not on another.
func checkResources(pass *analysis.Pass, flows *flow.CFGs, fn inspector.Cursor) {
	body, g := bodyAndGraph(flows, fn.Node())
	if body == nil || g == nil {
		return
	}
	var cands []*held
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // its own function
		case *ast.AssignStmt:
			if h := candidate(pass, fn, n); h != nil {
				h.flow, h.fn = flows, fn.Node()
				cands = append(cands, h)
			}
		}
		return true
	})
	for _, h := range cands {
		if h.capturedElsewhere(body) {
			continue // rule "handed on": a closure may release it
		}
		if h.deferredBefore(body) {
			continue // rule "released by a deferred call"
		}
		if h.flagged(body) {
			continue // rule "ownership kept in a flag"
		}
		if h.retried(fn.Node()) {
			continue // rule "acquired in a retry loop"
		}
		b, i := nodeIndex(g, h.assign)
		if b == nil {
			continue
		}
		released, leaks := h.paths(g, b, i)
		if !released.IsValid() {
			continue // rule "held on every path out"
		}
		// A path back to the acquire and a path out through the same
		// branch are one slip; the one that comes back is named.
		slices.SortStableFunc(leaks, func(a, b resourceLeak) int {
			switch {
			case a.again && !b.again:
				return -1
			case b.again && !a.again:
				return 1
			}
			return 0
		})
		seen := map[token.Pos]bool{}
		for _, l := range leaks {
			pos := h.call.Pos()
			if l.exit != nil {
				pos = l.exit.Pos()
			}
			if seen[pos] {
				continue
			}
			seen[pos] = true
			h.report(fn, pos, l, released)
		}
	}
}

func bodyAndGraph(flows *flow.CFGs, fn ast.Node) (*ast.BlockStmt, *cfg.CFG) {
	switch fn := fn.(type) {
	case *ast.FuncDecl:
		return fn.Body, flows.FuncDecl(fn)
	case *ast.FuncLit:
		return fn.Body, flows.FuncLit(fn)
	}
	return nil, nil
}

// candidate returns the held resource an assignment acquires into a
// local variable of fn, or nil.
func candidate(pass *analysis.Pass, fn inspector.Cursor, as *ast.AssignStmt) *held {
	if len(as.Rhs) != 1 || len(as.Lhs) == 0 {
		return nil
	}
	call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
	if !ok {
		return nil
	}
	res := acquired(pass, call)
	if res == nil {
		return nil
	}
	id, ok := as.Lhs[0].(*ast.Ident)
	if !ok {
		return nil // a field or an element: the owner releases it
	}
	v, ok := pass.TypesInfo.ObjectOf(id).(*types.Var)
	if !ok || v.Parent() == nil || v.Parent() == v.Pkg().Scope() {
		return nil
	}
	if sig := astq.Signature(pass, fn); sig != nil && isResult(sig, v) {
		return nil // rule "handed on": a named result goes to the caller
	}
	h := &held{pass: pass, res: res, assign: as, call: call, v: v}
	if len(as.Lhs) == 2 {
		if eid, ok := as.Lhs[1].(*ast.Ident); ok {
			if ev, ok := pass.TypesInfo.ObjectOf(eid).(*types.Var); ok && astq.IsErrorType(ev.Type()) {
				h.err = ev
			}
		}
	}
	return h
}

func isResult(sig *types.Signature, v *types.Var) bool {
	for r := range sig.Results().Variables() {
		if r == v {
			return true
		}
	}
	return false
}

func nodeIndex(g *cfg.CFG, n ast.Node) (*cfg.Block, int) {
	for _, b := range g.Blocks {
		if !b.Live {
			continue
		}
		for i, m := range b.Nodes {
			if m == n {
				return b, i
			}
		}
	}
	return nil, 0
}

// capturedElsewhere reports whether a function literal of the body
// refers to the variable, other than a deferred one that releases it.
func (h *held) capturedElsewhere(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if found {
			return false
		}
		switch n := n.(type) {
		case *ast.DeferStmt:
			if lit, ok := n.Call.Fun.(*ast.FuncLit); ok && h.releasesIn(lit.Body) {
				return false // a deferred release: paths handles it
			}
		case *ast.FuncLit:
			if mentionsVar(h.pass.TypesInfo, n.Body, h.v) {
				found = true
			}
			return false
		}
		return true
	})
	return found
}

// deferredBefore reports whether a deferred release of the variable
// comes before the acquire: `var f *os.File; defer func() { if f !=
// nil { f.Close() } }()` closes whatever f holds when the function
// returns.
func (h *held) deferredBefore(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if found || n == nil || n.Pos() >= h.assign.Pos() {
			return false
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		if d, ok := n.(*ast.DeferStmt); ok {
			if h.isRelease(d.Call) {
				found = true
			} else if lit, ok := d.Call.Fun.(*ast.FuncLit); ok && h.releasesIn(lit.Body) {
				found = true
			}
			return false
		}
		return true
	})
	return found
}

// flagged reports whether a release of the variable is guarded by a
// boolean variable (if didOpen { f.Close() }): the function keeps track
// of whether it owns the value, which the walk does not follow.
func (h *held) flagged(body *ast.BlockStmt) bool {
	info := h.pass.TypesInfo
	found := false
	var conds []ast.Expr
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		if found {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.IfStmt:
			if n.Init != nil {
				ast.Inspect(n.Init, visit)
			}
			conds = append(conds, n.Cond)
			ast.Inspect(n.Body, visit)
			conds = conds[:len(conds)-1]
			if n.Else != nil {
				conds = append(conds, n.Cond)
				ast.Inspect(n.Else, visit)
				conds = conds[:len(conds)-1]
			}
			return false
		case *ast.CallExpr:
			if !h.isRelease(n) {
				return true
			}
			for _, c := range conds {
				ast.Inspect(c, func(m ast.Node) bool {
					id, ok := m.(*ast.Ident)
					if !ok {
						return true
					}
					if v, ok := info.Uses[id].(*types.Var); ok && v != h.v && v != h.err && !v.IsField() {
						if b, ok := v.Type().Underlying().(*types.Basic); ok && b.Kind() == types.Bool {
							found = true
						}
					}
					return true
				})
			}
		}
		return true
	}
	ast.Inspect(body, visit)
	return found
}

// retried reports whether the acquire sits in a loop and assigns a
// variable declared outside it: a retry loop (for { resp, err = Do();
// if err != nil { continue }; ...; break }) whose state after the loop
// the walk cannot tell apart.
func (h *held) retried(fn ast.Node) bool {
	body, _ := bodyAndGraph(h.flow, fn)
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if found || n == nil {
			return false
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		var loop ast.Node
		switch n := n.(type) {
		case *ast.ForStmt:
			loop = n.Body
		case *ast.RangeStmt:
			loop = n.Body
		}
		if loop != nil && loop.Pos() <= h.assign.Pos() && h.assign.End() <= loop.End() &&
			!(loop.Pos() <= h.v.Pos() && h.v.Pos() < loop.End()) {
			found = true
		}
		return true
	})
	return found
}


// releasesIn reports whether n contains a release of the variable.
func (h *held) releasesIn(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		if call, ok := m.(*ast.CallExpr); ok && h.isRelease(call) {
			found = true
		}
		return !found
	})
	return found
}

// isRelease reports whether call releases the variable: v.Close(),
// tx.Rollback(), resp.Body.Close().
func (h *held) isRelease(call *ast.CallExpr) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x := ast.Unparen(sel.X)
	if h.res.body {
		inner, ok := x.(*ast.SelectorExpr)
		if !ok || inner.Sel.Name != "Body" || sel.Sel.Name != "Close" {
			return false
		}
		x = ast.Unparen(inner.X)
	} else {
		found := false
		for _, m := range h.res.release {
			found = found || sel.Sel.Name == m
		}
		if !found {
			return false
		}
	}
	id, ok := x.(*ast.Ident)
	return ok && h.pass.TypesInfo.Uses[id] == h.v
}

// drainsBody reports whether call reads a response's body to its end
// (io.ReadAll, io.Copy): at EOF, or at the error that stops the read,
// the transport takes the connection back (rule "body read to the end").
func (h *held) drainsBody(call *ast.CallExpr) bool {
	if !h.res.body {
		return false
	}
	fn := astq.Callee(h.pass, call)
	var arg ast.Expr
	switch {
	case astq.IsFunc(fn, "io", "ReadAll"), astq.IsFunc(fn, "io/ioutil", "ReadAll"):
		arg = call.Args[0]
	case astq.IsFunc(fn, "io", "Copy", "CopyBuffer"):
		arg = call.Args[1]
	default:
		return false
	}
	sel, ok := ast.Unparen(arg).(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Body" {
		return false
	}
	id, ok := ast.Unparen(sel.X).(*ast.Ident)
	return ok && h.pass.TypesInfo.Uses[id] == h.v
}

type effectKind uint8

const (
	kept     effectKind = iota // still held, still ours
	released                   // released on this path
	handed                     // handed on or overwritten: not followed
)

type walkStep struct {
	b       *cfg.Block
	from    int
	errLive bool // err still holds the acquiring call's error
	// closed: Next returned false on the way, which closed the rows;
	// the path is followed only to find the author's own release.
	closed bool
	// known: the conditions the path has tested, by their text, with
	// the answer it took (rule "the same condition twice").
	known string
}

// paths follows every path from the acquiring assignment (node i of
// block b) while the resource stays held, and returns the first release
// met and the paths that leave the function, or come back to the
// acquire, still holding it.
func (h *held) paths(g *cfg.CFG, b *cfg.Block, i int) (token.Pos, []resourceLeak) {
	var rel token.Pos
	var leaks []resourceLeak
	type key struct {
		b               *cfg.Block
		errLive, closed bool
		known           string
	}
	seen := map[key]bool{}
	work := []walkStep{{b: b, from: i + 1, errLive: h.err != nil}}
	leak := func(s walkStep, l resourceLeak) {
		if !s.closed {
			leaks = append(leaks, l)
		}
	}
	for len(work) > 0 {
		s := work[len(work)-1]
		work = work[:len(work)-1]
		stop := false
		for j := s.from; j < len(s.b.Nodes) && !stop; j++ {
			n := s.b.Nodes[j]
			if n == h.assign {
				leak(s, resourceLeak{again: true})
				stop = true
				break
			}
			switch h.effect(n) {
			case released:
				if !rel.IsValid() {
					rel = n.Pos()
				}
				stop = true
				continue
			case handed:
				stop = true
				continue
			}
			if cond, ok := n.(ast.Expr); ok && s.errLive && mentionsVar(h.pass.TypesInfo, cond, h.err) &&
				!(j == len(s.b.Nodes)-1 && len(s.b.Succs) == 2) {
				// A switch on err, or err used in a way the walk does
				// not follow: whether the acquire failed is not known.
				stop = true
				continue
			}
			if h.err != nil && assigns(h.pass, n, h.err) {
				s.errLive = false
			}
			if ret, ok := n.(*ast.ReturnStmt); ok {
				l := resourceLeak{exit: ret}
				if body, _ := bodyAndGraph(h.flow, h.fn); body != nil && ret.Return == body.Rbrace {
					l.exit = nil // the end of the body
				}
				leak(s, l)
				stop = true
			}
		}
		if stop {
			continue
		}
		if len(s.b.Succs) == 0 {
			if h.flow.Returns(s.b) {
				leak(s, resourceLeak{})
			}
			continue
		}
		follow := []bool{true, true}
		closes := []bool{s.closed, s.closed}
		knows := []string{s.known, s.known}
		if len(s.b.Succs) == 2 && len(s.b.Nodes) > 0 {
			if cond, ok := s.b.Nodes[len(s.b.Nodes)-1].(ast.Expr); ok {
				follow[0], follow[1] = h.branches(cond, s.errLive)
				if h.atom(ast.Unparen(cond), s.errLive) == exhausted {
					follow[1], closes[1] = true, true
				}
				if text, neg, ok := h.stable(cond); ok {
					t, f := "+"+text+"\n", "-"+text+"\n"
					if neg {
						t, f = f, t
					}
					switch {
					case strings.Contains(s.known, t):
						follow[1] = false
					case strings.Contains(s.known, f):
						follow[0] = false
					default:
						knows[0], knows[1] = s.known+t, s.known+f
					}
				}
			}
		}
		for k, succ := range s.b.Succs {
			next := walkStep{b: succ, errLive: s.errLive, closed: s.closed, known: s.known}
			if k < 2 {
				if !follow[k] {
					continue
				}
				next.closed, next.known = closes[k], knows[k]
			}
			kk := key{succ, next.errLive, next.closed, next.known}
			if !seen[kk] {
				seen[kk] = true
				work = append(work, next)
			}
		}
	}
	return rel, leaks
}

// stable returns the text of a condition whose answer the walk may
// carry along a path (rule "the same condition twice"): one that
// mentions no variable the function assigns after declaring it, so
// that only the state behind its calls can change it (!canceled(),
// ctx.Err() == nil), and says whether it was negated. A path that
// left the inner `for !canceled()` loop because the context was done
// does not run the outer one's body again.
func (h *held) stable(cond ast.Expr) (string, bool, bool) {
	cond = ast.Unparen(cond)
	neg := false
	for {
		u, ok := cond.(*ast.UnaryExpr)
		if !ok || u.Op != token.NOT {
			break
		}
		cond, neg = ast.Unparen(u.X), !neg
	}
	hasCall, ok := false, true
	ast.Inspect(cond, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			hasCall = true
		case *ast.Ident:
			if v, isVar := h.pass.TypesInfo.Uses[n].(*types.Var); isVar && (v == h.v || v == h.err || h.assignedLater(v)) {
				ok = false
			}
		}
		return ok
	})
	if !ok || !hasCall {
		return "", false, false
	}
	return astq.Render(cond), neg, true
}

// assignedLater reports whether the function assigns v anywhere but in
// its declaration.
func (h *held) assignedLater(v *types.Var) bool {
	if h.assignedVars == nil {
		h.assignedVars = make(map[*types.Var]bool)
		body, _ := bodyAndGraph(h.flow, h.fn)
		ast.Inspect(body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				if n.Tok == token.DEFINE {
					for _, l := range n.Lhs {
						if id, ok := l.(*ast.Ident); ok {
							if w, ok := h.pass.TypesInfo.Uses[id].(*types.Var); ok {
								h.assignedVars[w] = true // redeclared with :=
							}
						}
					}
					return true
				}
				for _, l := range n.Lhs {
					if id, ok := ast.Unparen(l).(*ast.Ident); ok {
						if w, ok := h.pass.TypesInfo.Uses[id].(*types.Var); ok {
							h.assignedVars[w] = true
						}
					}
				}
			case *ast.IncDecStmt:
				if id, ok := ast.Unparen(n.X).(*ast.Ident); ok {
					if w, ok := h.pass.TypesInfo.Uses[id].(*types.Var); ok {
						h.assignedVars[w] = true
					}
				}
			case *ast.RangeStmt:
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if id, ok := e.(*ast.Ident); ok {
						if w, ok := h.pass.TypesInfo.ObjectOf(id).(*types.Var); ok {
							h.assignedVars[w] = true
						}
					}
				}
			case *ast.UnaryExpr:
				if n.Op == token.AND {
					if id, ok := ast.Unparen(n.X).(*ast.Ident); ok {
						if w, ok := h.pass.TypesInfo.Uses[id].(*types.Var); ok {
							h.assignedVars[w] = true // may be written through the pointer
						}
					}
				}
			}
			return true
		})
	}
	return h.assignedVars[v]
}

// assigns reports whether node n assigns the variable v.
func assigns(pass *analysis.Pass, n ast.Node, v *types.Var) bool {
	as, ok := n.(*ast.AssignStmt)
	if !ok {
		return false
	}
	for _, l := range as.Lhs {
		if id, ok := l.(*ast.Ident); ok && pass.TypesInfo.ObjectOf(id) == v {
			return true
		}
	}
	return false
}

// branches says which way out of a condition a path holding the
// resource can take: then, else (rule "the acquire failed"). A branch on which the acquire failed
// (err != nil, v == nil) holds nothing; one on which that is unknown
// (err tested some other way) is not followed, so that no finding
// rests on a guess.
func (h *held) branches(cond ast.Expr, errLive bool) (then, els bool) {
	cond = ast.Unparen(cond)
	if u, ok := cond.(*ast.UnaryExpr); ok && u.Op == token.NOT {
		e, t := h.branches(u.X, errLive)
		return t, e
	}
	if be, ok := cond.(*ast.BinaryExpr); ok && (be.Op == token.LAND || be.Op == token.LOR) {
		lt, le := h.branches(be.X, errLive)
		rt, re := h.branches(be.Y, errLive)
		if be.Op == token.LAND {
			// then: both hold; else: either may not.
			return lt && rt, le && re && lt && rt
		}
		// then: either may hold; else: both fail.
		return lt && rt && le && re, le && re
	}
	switch h.atom(cond, errLive) {
	case failed:
		return false, true
	case succeeded:
		return true, false
	case exhausted:
		return true, false
	case unknown:
		return false, false
	}
	return true, true
}

type atomKind uint8

const (
	unrelated atomKind = iota
	failed             // true means the acquire failed: err != nil, v == nil
	succeeded          // true means it succeeded: err == nil, v != nil
	exhausted          // v.Next(): false means the rows are closed
	unknown            // tests err or v some other way
)

func (h *held) atom(e ast.Expr, errLive bool) atomKind {
	info := h.pass.TypesInfo
	is := func(x ast.Expr, v *types.Var) bool {
		id, ok := ast.Unparen(x).(*ast.Ident)
		return ok && v != nil && info.Uses[id] == v
	}
	isNil := func(x ast.Expr) bool {
		id, ok := ast.Unparen(x).(*ast.Ident)
		return ok && info.Uses[id] == types.Universe.Lookup("nil")
	}
	if be, ok := e.(*ast.BinaryExpr); ok && (be.Op == token.EQL || be.Op == token.NEQ) {
		x, y := be.X, be.Y
		if isNil(x) {
			x, y = y, x
		}
		if isNil(y) && (is(x, h.v) || errLive && is(x, h.err)) {
			isErr := is(x, h.err)
			if (be.Op == token.NEQ) == isErr {
				return failed
			}
			return succeeded
		}
	}
	if be, ok := e.(*ast.BinaryExpr); ok && h.res.body && (be.Op == token.EQL || be.Op == token.NEQ) {
		x, y := be.X, be.Y
		if isNil(x) {
			x, y = y, x
		}
		// A client's response always has a body (http.NoBody at
		// least): rule "closed with their transaction" (its last part).
		if sel, ok := ast.Unparen(x).(*ast.SelectorExpr); ok && isNil(y) && sel.Sel.Name == "Body" && is(sel.X, h.v) {
			if be.Op == token.NEQ {
				return succeeded
			}
			return failed
		}
	}
	if call, ok := e.(*ast.CallExpr); ok && h.res.nextCloses {
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && sel.Sel.Name == "Next" && is(sel.X, h.v) {
			return exhausted
		}
	}
	if errLive && h.err != nil && mentionsVar(info, e, h.err) {
		return unknown
	}
	return unrelated
}

func mentionsVar(info *types.Info, n ast.Node, v *types.Var) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		if id, ok := m.(*ast.Ident); ok && info.Uses[id] == v {
			found = true
		}
		return !found
	})
	return found
}

// effect says what node n does to the resource on a path that holds
// it.
func (h *held) effect(n ast.Node) effectKind {
	switch n := n.(type) {
	case *ast.DeferStmt:
		if h.isRelease(n.Call) {
			return released
		}
		if lit, ok := n.Call.Fun.(*ast.FuncLit); ok && h.releasesIn(lit.Body) {
			return released
		}
	case *ast.AssignStmt:
		if n != h.assign && assigns(h.pass, n, h.v) {
			return handed // overwritten: rule "handed on"
		}
	}
	out := kept
	var stack []ast.Node
	ast.Inspect(n, func(m ast.Node) bool {
		if m == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if out == handed {
			return false
		}
		stack = append(stack, m)
		if call, ok := m.(*ast.CallExpr); ok && (h.isRelease(call) || h.drainsBody(call)) {
			out = released
		}
		if id, ok := m.(*ast.Ident); ok && h.pass.TypesInfo.Uses[id] == h.v && !h.harmlessUse(stack) {
			out = handed
		}
		return true
	})
	return out
}

// harmlessUse reports whether the use of the variable at the top of the
// stack leaves the resource with this function: a method call, a field
// read, a comparison with nil, or an argument to a standard function
// that cannot close it. Anything else (a return, a store, an argument
// to the package's own or another module's function) hands it on.
func (h *held) harmlessUse(stack []ast.Node) bool {
	info := h.pass.TypesInfo
	at := len(stack) - 1
	use := stack[at].(ast.Expr)
	parent := func(i int) ast.Node {
		if i < 0 {
			return nil
		}
		return stack[i]
	}
	p := parent(at - 1)
	if pe, ok := p.(*ast.ParenExpr); ok {
		use, at, p = pe, at-1, parent(at-2)
	}
	switch p := p.(type) {
	case *ast.SelectorExpr:
		sel := info.Selections[p]
		if sel == nil {
			return false
		}
		if call, ok := parent(at - 2).(*ast.CallExpr); ok && call.Fun == p {
			return true // a method call: v.Read(...), v.Close()
		}
		if sel.Kind() != types.FieldVal {
			return false // a method value: v.Close may run anywhere
		}
		// A field (resp.Body): read here, or given to a call.
		switch gp := parent(at - 2).(type) {
		case *ast.SelectorExpr:
			return true // resp.Body.Close(), resp.Header.Get(...)
		case *ast.CallExpr:
			if !canClose(info.TypeOf(p)) {
				return true // resp.Status, resp.Header: data, not the body
			}
			return h.keptByCall(gp, p)
		case *ast.AssignStmt, *ast.ReturnStmt, *ast.CompositeLit, *ast.KeyValueExpr, *ast.SendStmt, *ast.UnaryExpr:
			return false
		}
		return true
	case *ast.BinaryExpr:
		return true // v == nil, v != other
	case *ast.CallExpr:
		return h.keptByCall(p, use)
	}
	return false
}

// ownersOfArgs are standard functions that take over what they are
// given, though the parameter has no Close method.
var ownersOfArgs = map[string]bool{
	"net/http.NewRequest":            true, // the client closes the body
	"net/http.NewRequestWithContext": true,
	"runtime.SetFinalizer":           true,
	"runtime.AddCleanup":             true,
}

// keptByCall reports whether passing arg to call leaves the resource
// with the caller: a standard function whose parameter has no Close
// method (io.Reader, io.Writer...) only reads or writes it.
func (h *held) keptByCall(call *ast.CallExpr, arg ast.Expr) bool {
	if call.Fun == arg {
		return false
	}
	fn, ok := typeutil.Callee(h.pass.TypesInfo, call).(*types.Func)
	if !ok || fn.Pkg() == nil || !isStd(fn.Pkg().Path()) || ownersOfArgs[fn.FullName()] {
		return false
	}
	sig, ok := fn.Type().(*types.Signature)
	if !ok {
		return false
	}
	idx := -1
	for k, a := range call.Args {
		if a == arg {
			idx = k
		}
	}
	if idx < 0 {
		return false
	}
	var pt types.Type
	switch {
	case sig.Variadic() && idx >= sig.Params().Len()-1:
		pt = sig.Params().At(sig.Params().Len() - 1).Type().(*types.Slice).Elem()
	case idx < sig.Params().Len():
		pt = sig.Params().At(idx).Type()
	default:
		return false
	}
	if it, ok := pt.Underlying().(*types.Interface); ok && it.Empty() {
		return false // any: stored (sync.Map, context values) as likely as printed
	}
	obj, _, _ := types.LookupFieldOrMethod(pt, true, nil, "Close")
	return obj == nil
}

// canClose reports whether a value of type t may be closed: an
// interface, or a type with a Close method.
func canClose(t types.Type) bool {
	if t == nil {
		return true
	}
	if _, ok := t.Underlying().(*types.Interface); ok {
		return true
	}
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, "Close")
	return obj != nil
}

func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

func (h *held) report(fn inspector.Cursor, pos token.Pos, l resourceLeak, rel token.Pos) {
	line := func(p token.Pos) int { return h.pass.Fset.Position(p).Line }
	name := astq.FuncName(fn)
	v := h.v.Name()
	what := fmt.Sprintf("%s (%s from %s at line %d)", v, h.res.noun, astq.Render(h.call.Fun), line(h.call.Pos()))
	fix := fmt.Sprintf(h.res.fix, v)
	var msg string
	switch {
	case l.again:
		msg = fmt.Sprintf("a path goes back to %s at line %d with %s still open, so this one is never released (the path through line %d releases it): %s (%s before the next turn)",
			astq.Render(h.call.Fun), line(h.call.Pos()), what, line(rel), h.res.cost, fix)
	case l.exit == nil:
		msg = fmt.Sprintf("%s can return with %s still open (the path through line %d releases it): %s (%s on every path out, or defer it right after the error check)",
			name, what, line(rel), h.res.cost, fix)
	default:
		msg = fmt.Sprintf("%s returns here with %s still open (the path through line %d releases it): %s (%s before this return, or defer it right after the error check)",
			name, what, line(rel), h.res.cost, fix)
	}
	h.pass.Report(analysis.Diagnostic{Pos: pos, Message: msg})
}
