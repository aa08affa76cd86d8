package deferloop

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"
	"unicode"

	"golang.org/x/tools/go/analysis"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/decls"
)

// pileUp describes what accumulates when a deferred call is repeated.
type pileUp struct {
	effect string // "one open file per iteration piles up"
	lock   bool   // the deferred call releases a lock
	mu     string // the mutex, when lock is set
	// unlockTwice is set when the loop body also unlocks the mutex
	// explicitly: wrapping the body would not help.
	unlockTwice bool
	// intended is set when each iteration locks a different mutex
	// (lock all shards, lock a chain of parents): holding them all
	// until the function returns is the point.
	intended bool
}

// classify names what piles up when call is deferred once per
// iteration of loop.
func classify(pass *analysis.Pass, call *ast.CallExpr, loop ast.Stmt) pileUp {
	if lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
		if onFailureOnly(pass, lit, loop) {
			// The cleanup of a function that hands what the loop
			// opened to its caller: on success the deferred calls do
			// nothing, on failure they release everything at return.
			return pileUp{intended: true}
		}
		// defer func() { ... f.Close() ... }(): judge by what it calls.
		var found *pileUp
		ast.Inspect(lit.Body, func(n ast.Node) bool {
			if found != nil {
				return false
			}
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.CallExpr:
				if r, ok := classifyCall(pass, n, loop); ok {
					found = &r
					return false
				}
			}
			return true
		})
		if found != nil {
			return *found
		}
		if !callsRelease(lit.Body) {
			return pileUp{intended: true} // logs, counts: nothing is held
		}
		return pileUp{effect: "one deferred call per iteration piles up"}
	}
	if afterFuncStop(pass, call, loop) {
		// Rule "AfterFunc stays armed": stop() unregisters a callback
		// that must stay armed while the function goes on (it wakes
		// the wait that follows the loop); stopping it per iteration,
		// as the fix would, disarms it.
		return pileUp{intended: true}
	}
	if fn := astq.Callee(pass, call); astq.IsMethod(fn, "sync", "WaitGroup", "Done") {
		// wg.Done() tells a waiter that the function is over: that it
		// runs at return is the point.
		return pileUp{intended: true}
	}
	if name, ok := astq.CgoCall(call); ok && name == "free" {
		return pileUp{effect: "one C allocation per iteration stays allocated until then"}
	}
	if recv := lockerOf(pass, call, loop); recv != nil && perIteration(pass, recv, loop) {
		// unlock := shard.LockKeys(keys); defer unlock(): each
		// iteration locks another value's mutex, held until the
		// function returns on purpose, as with s.mu.Lock() below.
		return pileUp{intended: true}
	}
	if r, ok := classifyCall(pass, call, loop); ok {
		return r
	}
	if inner, ok := ast.Unparen(call.Fun).(*ast.CallExpr); ok && !returnsRelease(pass, inner, loop) {
		// defer openNode(n)() where the returned function only
		// prints the closing bracket: deferring per iteration is how
		// the nesting comes out right, nothing is held.
		return pileUp{intended: true}
	}
	if _, returned := ast.Unparen(call.Fun).(*ast.CallExpr); !returned && !releaseName(calleeName(call)) {
		// defer config.apply(tc), defer logDuration(start): a call
		// that releases nothing the check knows of; running them all
		// at return may well be the point.
		return pileUp{intended: true}
	}
	return pileUp{effect: "one deferred call per iteration piles up"}
}

// calleeName returns the name call calls by: f for f(), M for x.M().
func calleeName(call *ast.CallExpr) string {
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

// callsRelease reports whether body calls something whose name says it
// releases (closeScope, cleanup, Unlock...), outside nested literals.
func callsRelease(body *ast.BlockStmt) bool {
	return callsIn(body, func(call *ast.CallExpr) bool { return releaseName(calleeName(call)) })
}

// callsIn reports whether n makes a call for which match is true, not
// counting the calls in function literals, which may run elsewhere.
func callsIn(n ast.Node, match func(*ast.CallExpr) bool) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			found = match(n)
		}
		return !found
	})
	return found
}

// returnsRelease reports whether the function that call invokes may
// return a function that releases something: a literal or function
// value that closes, unlocks, stops, cancels... It says yes when it
// cannot see the function (another package, a function value).
func returnsRelease(pass *analysis.Pass, call *ast.CallExpr, loop ast.Stmt) bool {
	decl := pass.ResultOf[decls.Analyzer].(*decls.Index).Of(astq.Callee(pass, call))
	if decl == nil || decl.Body == nil {
		return true
	}
	releases := false
	isRelease := func(e ast.Expr) {
		switch e := ast.Unparen(e).(type) {
		case *ast.FuncLit:
			ast.Inspect(e.Body, func(n ast.Node) bool {
				if c, ok := n.(*ast.CallExpr); ok && !releases {
					if _, ok := classifyCall(pass, c, loop); ok {
						releases = true
					} else if fn := astq.Callee(pass, c); fn != nil && releaseName(fn.Name()) {
						releases = true // closeScope(), os.RemoveAll(dir)
					} else if tv := pass.TypesInfo.Types[c.Fun]; fn == nil && !tv.IsType() && !tv.IsBuiltin() {
						releases = true // a call of a function value: unknown
					}
				}
				return !releases
			})
		case *ast.Ident:
			if e.Name != "nil" {
				releases = true // a variable holding a function: unknown
			}
		default:
			releases = true // s.mu.Unlock, cancel, ...: a method value or unknown
		}
	}
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // its returns are its own
		case *ast.ReturnStmt:
			for _, r := range n.Results {
				if _, isFunc := pass.TypesInfo.TypeOf(r).Underlying().(*types.Signature); isFunc {
					isRelease(r)
				}
			}
		}
		return !releases
	})
	return releases
}

// releaseName reports whether name reads as a release: Close,
// closeScope, Unlock, Stop, Release, Done...
func releaseName(name string) bool {
	prefixes := []string{"remove", "cleanup", "free", "cancel", "put", "shutdown", "disconnect", "kill"}
	for _, p := range releaseOf {
		prefixes = append(prefixes, p.release)
	}
	for _, p := range prefixes {
		if len(name) >= len(p) && strings.EqualFold(name[:len(p)], p) {
			rest := name[len(p):]
			if rest == "" || unicode.IsUpper(rune(rest[0])) {
				return true
			}
		}
	}
	return false
}

func classifyCall(pass *analysis.Pass, call *ast.CallExpr, loop ast.Stmt) (pileUp, bool) {
	// cancel() of context.WithCancel/WithTimeout/WithDeadline.
	if t := pass.TypesInfo.TypeOf(call.Fun); t != nil {
		if astq.IsNamedType(t, "context", "CancelFunc") || astq.IsNamedType(t, "context", "CancelCauseFunc") {
			if withDeadline(pass, call, loop) {
				// The deadline cancels the context and frees its
				// timer: at most a timeout's worth of contexts is
				// alive at once, not one per iteration until return.
				return pileUp{intended: true}, true
			}
			return pileUp{effect: "contexts and their timers pile up until then"}, true
		}
	}
	fn := astq.Callee(pass, call)
	recv, isSel := astq.ReceiverExpr(call)
	if fn == nil || !isSel {
		return pileUp{}, false
	}
	sig, _ := fn.Type().(*types.Signature)
	if sig == nil || sig.Recv() == nil {
		return pileUp{}, false
	}
	name := fn.Name()
	switch {
	case astq.IsMethod(fn, "sync", "Mutex", "Unlock"),
		astq.IsMethod(fn, "sync", "RWMutex", "Unlock"),
		astq.IsMethod(fn, "sync", "Locker", "Unlock"):
		mu := astq.Render(recv)
		if perIteration(pass, recv, loop) {
			// for _, s := range shards { s.mu.Lock(); defer s.mu.Unlock() }
			// locks every shard until the function returns: on purpose.
			return pileUp{intended: true}, true
		}
		if lockedInLoop(pass, recv, loop, "Lock") {
			return pileUp{effect: fmt.Sprintf("the second iteration blocks forever on %s.Lock()", mu), lock: true, mu: mu}, true
		}
		return pileUp{effect: fmt.Sprintf("%s is unlocked once per iteration then, a fatal error from the second unlock on", mu), lock: true, mu: mu}, true
	case astq.IsMethod(fn, "sync", "RWMutex", "RUnlock"):
		mu := astq.Render(recv)
		if perIteration(pass, recv, loop) {
			return pileUp{intended: true}, true
		}
		return pileUp{effect: fmt.Sprintf("read locks on %s pile up: every %s.Lock() waits until then, and once a writer waits the next %s.RLock() blocks forever", mu, mu, mu), lock: true, mu: mu}, true
	case astq.IsMethod(fn, "os", "File", "Close"):
		return pileUp{effect: "one open file per iteration piles up"}, true
	case astq.IsMethod(fn, "database/sql", "Rows", "Close"):
		return pileUp{effect: "one open *sql.Rows per iteration piles up, each holding a database connection"}, true
	case astq.IsMethod(fn, "database/sql", "Stmt", "Close"):
		return pileUp{effect: "one prepared statement per iteration piles up"}, true
	case astq.IsMethod(fn, "database/sql", "Tx", "Rollback", "Commit"):
		return pileUp{effect: "one open transaction per iteration piles up, each holding a database connection"}, true
	case astq.IsMethod(fn, "database/sql", "Conn", "Close"):
		return pileUp{effect: "one database connection per iteration piles up"}, true
	case astq.IsMethod(fn, "time", "Timer", "Stop"), astq.IsMethod(fn, "time", "Ticker", "Stop"):
		return pileUp{effect: "one running timer per iteration piles up"}, true
	}
	if name != "Close" {
		return pileUp{}, false
	}
	if sel, ok := ast.Unparen(recv).(*ast.SelectorExpr); ok && sel.Sel.Name == "Body" &&
		astq.IsNamedType(pass.TypesInfo.TypeOf(sel.X), "net/http", "Response") {
		return pileUp{effect: "one unclosed response body per iteration piles up, each holding a connection"}, true
	}
	rt := pass.TypesInfo.TypeOf(recv)
	if rt == nil {
		return pileUp{}, false
	}
	if n := astq.NamedOf(rt); n != nil && n.Obj().Pkg() != nil {
		switch path, tn := n.Obj().Pkg().Path(), n.Obj().Name(); {
		case (path == "net" || path == "crypto/tls") && strings.HasSuffix(tn, "Conn"):
			return pileUp{effect: "one open connection per iteration piles up"}, true
		case path == "net" && strings.HasSuffix(tn, "Listener"):
			return pileUp{effect: "one open listener per iteration piles up"}, true
		}
	}
	qual := func(p *types.Package) string { // table.Iterator, not a full path
		if p == pass.Pkg {
			return ""
		}
		return p.Name()
	}
	return pileUp{effect: fmt.Sprintf("one unclosed %s per iteration piles up", types.TypeString(rt, qual))}, true
}

// lockedInLoop reports whether the body of loop calls mu.<lock>() on
// the same mutex expression outside nested function literals.
func lockedInLoop(pass *analysis.Pass, mu ast.Expr, loop ast.Stmt, lock string) bool {
	return callsIn(astq.LoopBody(loop), func(call *ast.CallExpr) bool {
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		return ok && sel.Sel.Name == lock && len(call.Args) == 0 && astq.SameExpr(pass, sel.X, mu)
	})
}

// callString renders the deferred call for a message: f.Close(),
// os.Remove(name), "function literal".
func callString(call *ast.CallExpr) string {
	if _, ok := astq.CgoCall(call); ok {
		return astq.Render(call) // defer C.free(p), rewritten by cgo
	}
	if _, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
		return "function literal"
	}
	var args []string
	for _, a := range call.Args {
		args = append(args, astq.Render(a))
	}
	s := strings.Join(args, ", ")
	if len(s) > 30 || strings.Contains(s, "func(") {
		s = "..."
	}
	if call.Ellipsis != token.NoPos {
		s += "..."
	}
	return astq.Render(call.Fun) + "(" + s + ")"
}

// perIteration reports whether e denotes a different value in each
// iteration of loop: it mentions a variable declared in the loop (its
// body, init or range variables) or assigned in it (p.mu with p the
// loop variable, shards[i].mu).
func perIteration(pass *analysis.Pass, e ast.Expr, loop ast.Stmt) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok || found {
			return !found
		}
		v, ok := pass.TypesInfo.Uses[id].(*types.Var)
		if !ok || v.IsField() {
			return true
		}
		found = loop.Pos() <= v.Pos() && v.Pos() < loop.End() || assigns(pass, loop, v)
		return !found
	})
	return found
}

// lockerOf returns x when the deferred call calls a function value
// that the loop body got from a method of x whose name says it locks
// (unlock := x.LockKeys(keys); defer unlock()), and nil otherwise.
func lockerOf(pass *analysis.Pass, call *ast.CallExpr, loop ast.Stmt) ast.Expr {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return nil
	}
	fv, ok := pass.TypesInfo.Uses[id].(*types.Var)
	if !ok {
		return nil
	}
	var recv ast.Expr
	ast.Inspect(astq.LoopBody(loop), func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
			return recv == nil
		}
		l, ok := as.Lhs[0].(*ast.Ident)
		if !ok || pass.TypesInfo.ObjectOf(l) != fv {
			return true
		}
		c, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := ast.Unparen(c.Fun).(*ast.SelectorExpr)
		if ok && pass.TypesInfo.Selections[sel] != nil && locks(sel.Sel.Name) {
			recv = sel.X
		}
		return recv == nil
	})
	return recv
}

// locks reports whether a method name says it locks: Lock, RLock,
// LockAndSetBuckets, not Unlock or Blocks.
func locks(name string) bool {
	for _, p := range []string{"Lock", "RLock", "lock", "rlock"} {
		if rest, ok := strings.CutPrefix(name, p); ok && (rest == "" || unicode.IsUpper(rune(rest[0]))) {
			return true
		}
	}
	return false
}
