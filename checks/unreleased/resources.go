package unreleased

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"

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
