package deferloop

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
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

// onFailureOnly reports whether the deferred function literal lit does
// its work only when an error variable declared outside loop (the
// function's named error result, usually) is not nil when it runs:
// its body is one `if err != nil && ... { ... }`, or starts with
// `if err == nil || ... { return }`.
func onFailureOnly(pass *analysis.Pass, lit *ast.FuncLit, loop ast.Stmt) bool {
	body := lit.Body.List
	if len(body) == 0 {
		return false
	}
	first, ok := body[0].(*ast.IfStmt)
	if !ok || first.Init != nil || first.Else != nil {
		return false
	}
	if len(body) == 1 && testsError(pass, first.Cond, token.NEQ, token.LAND, loop) {
		return true
	}
	if len(first.Body.List) != 1 {
		return false
	}
	ret, ok := first.Body.List[0].(*ast.ReturnStmt)
	return ok && len(ret.Results) == 0 && testsError(pass, first.Cond, token.EQL, token.LOR, loop)
}

// testsError reports whether cond is `err <cmp> nil`, or a chain of
// chain (&& or ||) with that comparison among its operands, err being
// a variable of type error declared outside loop.
func testsError(pass *analysis.Pass, cond ast.Expr, cmp, chain token.Token, loop ast.Stmt) bool {
	e, ok := ast.Unparen(cond).(*ast.BinaryExpr)
	if !ok {
		return false
	}
	switch e.Op {
	case chain:
		return testsError(pass, e.X, cmp, chain, loop) || testsError(pass, e.Y, cmp, chain, loop)
	case cmp:
		x, y := e.X, e.Y
		if pass.TypesInfo.Types[x].IsNil() {
			x, y = y, x
		}
		if !pass.TypesInfo.Types[y].IsNil() {
			return false
		}
		id, ok := ast.Unparen(x).(*ast.Ident)
		if !ok {
			return false
		}
		v, ok := pass.TypesInfo.Uses[id].(*types.Var)
		return ok && astq.IsErrorType(v.Type()) && (v.Pos() < loop.Pos() || v.Pos() >= loop.End())
	}
	return false
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

// keptPastIteration reports whether the value the deferred call
// releases is stored somewhere that outlives the iteration (appended
// to a slice, assigned to a variable declared outside the loop, sent on
// a channel, put in a composite literal): then keeping it until the
// function returns is the point, as in
//
//	for _, addr := range addrs {
//		l, err := net.Listen("tcp", addr)
//		...
//		defer l.Close()
//		listeners = append(listeners, l)
//	}
func keptPastIteration(pass *analysis.Pass, def *ast.DeferStmt, loop ast.Stmt) bool {
	body := astq.LoopBody(loop)
	var vars []types.Object
	consider := func(e ast.Expr) {
		v := astq.RootObject(pass, e)
		if v, ok := v.(*types.Var); ok && body.Pos() <= v.Pos() && v.Pos() < body.End() {
			vars = append(vars, v)
		}
	}
	call := def.Call
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.FuncLit:
		// defer func() { cleanUp(zr) }(): the variables of the loop
		// body that the literal uses.
		ast.Inspect(fun.Body, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if v, ok := pass.TypesInfo.Uses[id].(*types.Var); ok && !v.IsField() &&
					!(fun.Pos() <= v.Pos() && v.Pos() < fun.End()) && !slices.Contains(vars, types.Object(v)) {
					consider(id)
				}
			}
			return true
		})
	case *ast.Ident:
		consider(fun) // cancel()
	case *ast.SelectorExpr:
		if _, isMethod := pass.TypesInfo.Selections[fun]; isMethod {
			consider(fun.X)
		}
	}
	for _, a := range call.Args {
		consider(a)
	}
	if len(vars) == 0 {
		return false
	}
	// ctx, cancel := context.WithCancel(ctx): what keeps ctx keeps the
	// reason to defer cancel.
	ast.Inspect(body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Rhs) != 1 || len(as.Lhs) < 2 {
			return true
		}
		defined := definedTogether(pass, as)
		if slices.ContainsFunc(defined, func(d types.Object) bool { return slices.Contains(vars, d) }) {
			for _, d := range defined {
				if !slices.Contains(vars, d) {
					vars = append(vars, d)
				}
			}
		}
		return true
	})
	// flows reports whether e is one of vars, or a value built from one
	// (a call taking it, &T{f: v}, &v): bufio.NewReader(f) keeps f.
	var flows func(e ast.Expr) bool
	flows = func(e ast.Expr) bool {
		switch e := ast.Unparen(e).(type) {
		case *ast.CallExpr:
			// A wrapper (bufio.NewReader(f), tls.Client(c)) or a
			// constructor (pb.NewStoreClient(conn)) keeps its
			// argument; parse(f) returns what it read.
			if !isStream(pass.TypesInfo.TypeOf(e)) && !isConstructor(astq.Callee(pass, e)) {
				return false
			}
			for _, a := range e.Args {
				if flows(a) {
					return true
				}
			}
			return false
		case *ast.CompositeLit:
			for _, a := range e.Elts {
				if flows(a) {
					return true
				}
			}
			return false
		case *ast.KeyValueExpr:
			return flows(e.Value)
		case *ast.UnaryExpr:
			return e.Op == token.AND && flows(e.X)
		case *ast.SliceExpr:
			return flows(e.X) // buf[:0] shares buf's array
		}
		r := astq.RootObject(pass, e)
		for _, v := range vars {
			if r == v {
				return true
			}
		}
		return false
	}
	// it, err := block.iter(ctx): a stream opened on what the deferred
	// call releases keeps it in use as long as the stream is (a span
	// ended at return covers an iterator read after the loop).
	for changed := true; changed; {
		changed = false
		ast.Inspect(body, func(n ast.Node) bool {
			as, ok := n.(*ast.AssignStmt)
			if !ok || len(as.Rhs) != 1 {
				return true
			}
			call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
			if !ok || !slices.ContainsFunc(call.Args, flows) {
				return true
			}
			results := []types.Type{pass.TypesInfo.TypeOf(call)}
			if tuple, ok := results[0].(*types.Tuple); ok {
				results = results[:0]
				for v := range tuple.Variables() {
					results = append(results, v.Type())
				}
			}
			if len(results) != len(as.Lhs) {
				return true
			}
			for i, l := range as.Lhs {
				id, ok := l.(*ast.Ident)
				if !ok || !(isStream(results[i]) || isConstructor(astq.Callee(pass, call))) {
					continue
				}
				if v, ok := pass.TypesInfo.ObjectOf(id).(*types.Var); ok && body.Pos() <= v.Pos() && v.Pos() < body.End() && !slices.Contains(vars, types.Object(v)) {
					vars = append(vars, v)
					changed = true
				}
			}
			return true
		})
	}
	outside := func(e ast.Expr) bool {
		if _, ok := ast.Unparen(e).(*ast.Ident); ok {
			v := astq.RootObject(pass, e)
			return v != nil && (v.Pos() < body.Pos() || v.Pos() >= body.End())
		}
		// x.f = v, m[k] = v, *p = v: stored through something.
		v := astq.RootObject(pass, e)
		return v == nil || v.Pos() < body.Pos() || v.Pos() >= body.End() || !isLocalValue(v)
	}
	kept := false
	ast.Inspect(body, func(n ast.Node) bool {
		if kept {
			return false
		}
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Lhs) == len(n.Rhs) {
				for i, r := range n.Rhs {
					if flows(r) && outside(n.Lhs[i]) && n.Tok != token.DEFINE {
						kept = true
					}
				}
			}
		case *ast.SendStmt:
			kept = flows(n.Value)
		case *ast.CallExpr:
			if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok && id.Name == "append" {
				if _, ok := pass.TypesInfo.Uses[id].(*types.Builtin); ok {
					for _, a := range n.Args[1:] {
						kept = kept || flows(a)
					}
				}
			}
		case *ast.GoStmt:
			// A goroutine still uses it after the iteration.
			kept = slices.ContainsFunc(n.Call.Args, flows) || uses(pass, n.Call.Fun, vars)
		}
		return !kept
	})
	return kept
}

// isLocalValue reports whether v is a local variable whose fields or
// elements are part of its own storage (a struct or array value), so
// that v.f = x does not store x anywhere else.
func isLocalValue(v types.Object) bool {
	switch v.Type().Underlying().(type) {
	case *types.Struct, *types.Array:
		return v.Parent() != nil && v.Parent() != v.Pkg().Scope()
	}
	return false
}

// uses reports whether n refers to one of vars.
func uses(pass *analysis.Pass, n ast.Node, vars []types.Object) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			for _, v := range vars {
				if pass.TypesInfo.Uses[id] == v {
					found = true
				}
			}
		}
		return !found
	})
	return found
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

// isStream reports whether values of type t can wrap an open resource:
// they have a Read, Write or Close method.
func isStream(t types.Type) bool {
	if t == nil {
		return false
	}
	ms := types.NewMethodSet(t)
	if _, isPtr := t.Underlying().(*types.Pointer); !isPtr && !types.IsInterface(t) {
		ms = types.NewMethodSet(types.NewPointer(t))
	}
	for _, m := range []string{"Read", "Write", "Close"} {
		if ms.Lookup(nil, m) != nil {
			return true
		}
	}
	return false
}

// isConstructor reports whether fn is named like a constructor (New,
// NewClient, newBookmark): what it returns usually holds on to its
// arguments.
func isConstructor(fn *types.Func) bool {
	if fn == nil {
		return false
	}
	rest, ok := strings.CutPrefix(fn.Name(), "New")
	if !ok {
		// newBookmark(it): the package's own constructors.
		if rest, ok = strings.CutPrefix(fn.Name(), "new"); !ok || rest == "" {
			return false
		}
	}
	return rest == "" || unicode.IsUpper(rune(rest[0]))
}

// heldOnly reports whether the iteration receives from a channel what
// the deferred method call x.M() releases and does nothing with it but
// defer its release: no use of x, or of a variable defined with it,
// anywhere else in the loop body. Such a loop gathers values that other
// goroutines made, to keep them until the function returns, as in
//
//	for range nodes {
//		ev := <-started
//		if ev.err != nil {
//			return ev.err
//		}
//		defer ev.server.Close()
//	}
//
// A use of another field of the same variable (ev.err) is not a use of
// x (ev.server).
func heldOnly(pass *analysis.Pass, def *ast.DeferStmt, loop ast.Stmt) bool {
	sel, ok := ast.Unparen(def.Call.Fun).(*ast.SelectorExpr)
	if !ok || pass.TypesInfo.Selections[sel] == nil || len(def.Call.Args) > 0 {
		return false
	}
	x := ast.Unparen(sel.X)
	root, ok := astq.RootObject(pass, x).(*types.Var)
	if !ok {
		return false
	}
	body := astq.LoopBody(loop)
	received := false
	if rs, ok := loop.(*ast.RangeStmt); ok {
		if id, ok := rs.Key.(*ast.Ident); ok && pass.TypesInfo.Defs[id] == root {
			_, received = pass.TypesInfo.TypeOf(rs.X).Underlying().(*types.Chan)
		}
	}
	watched := []types.Object{root}
	ast.Inspect(body, func(n ast.Node) bool {
		// The variables defined together with x's root.
		if as, ok := n.(*ast.AssignStmt); ok {
			if defined := definedTogether(pass, as); slices.Contains(defined, types.Object(root)) {
				watched = append(watched, defined...)
				if len(as.Rhs) == 1 {
					u, ok := ast.Unparen(as.Rhs[0]).(*ast.UnaryExpr)
					received = ok && u.Op == token.ARROW
				}
			}
		}
		return true
	})
	if !received {
		return false
	}
	used := false
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		if used || n == def {
			return false
		}
		switch n := n.(type) {
		case *ast.SelectorExpr:
			// ev.err does not use ev.server; ev.server.Addr() does.
			if astq.RootObject(pass, n) == root && pass.TypesInfo.Selections[n] != nil && !related(pass, n, x) {
				return false
			}
		case *ast.Ident:
			if obj := pass.TypesInfo.Uses[n]; obj != nil && slices.Contains(watched, obj) {
				used = true
			}
		}
		return true
	}
	ast.Inspect(body, visit)
	return !used
}

// related reports whether one of the selector chains a and x is a
// prefix of the other: ev.server.Addr and ev.server are, ev.err and
// ev.server are not.
func related(pass *analysis.Pass, a, x ast.Expr) bool {
	chain := func(e ast.Expr) []types.Object {
		var objs []types.Object
		for {
			switch s := ast.Unparen(e).(type) {
			case *ast.SelectorExpr:
				objs = append(objs, pass.TypesInfo.ObjectOf(s.Sel))
				e = s.X
				continue
			case *ast.StarExpr:
				e = s.X
				continue
			case *ast.Ident:
				objs = append(objs, pass.TypesInfo.ObjectOf(s))
			default:
				return nil // an index or a call: treat as related
			}
			slices.Reverse(objs)
			return objs
		}
	}
	ca, cx := chain(a), chain(x)
	if ca == nil || cx == nil {
		return true
	}
	n := min(len(ca), len(cx))
	return slices.Equal(ca[:n], cx[:n])
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

// definedTogether returns the variables a := statement defines (f and
// err in f, err := open()), none for another assignment.
func definedTogether(pass *analysis.Pass, as *ast.AssignStmt) []types.Object {
	if as.Tok != token.DEFINE {
		return nil
	}
	var defined []types.Object
	for _, l := range as.Lhs {
		if id, ok := l.(*ast.Ident); ok && pass.TypesInfo.Defs[id] != nil {
			defined = append(defined, pass.TypesInfo.Defs[id])
		}
	}
	return defined
}

// withDeadline (rule "deadline on a root context") reports whether the
// deferred cancel() was made in the loop body by context.WithTimeout or
// WithDeadline (or their Cause forms) on context.Background() or TODO():
// such a context is in no parent's list of children, and its own timer
// cancels it at the deadline.
func withDeadline(pass *analysis.Pass, call *ast.CallExpr, loop ast.Stmt) bool {
	made := madeBy(pass, call, loop)
	if made == nil || len(made.Args) == 0 || !contextFunc(pass, made, "WithTimeout", "WithDeadline") {
		return false
	}
	root, ok := ast.Unparen(made.Args[0]).(*ast.CallExpr)
	return ok && contextFunc(pass, root, "Background", "TODO")
}

// afterFuncStop reports whether the deferred call is stop() for a stop
// that the loop body assigned from context.AfterFunc.
func afterFuncStop(pass *analysis.Pass, call *ast.CallExpr, loop ast.Stmt) bool {
	made := madeBy(pass, call, loop)
	return len(call.Args) == 0 && made != nil && contextFunc(pass, made, "AfterFunc")
}

// madeBy returns the call whose last result the loop body assigns to
// the function variable that the deferred call calls (cancel in
// `ctx, cancel := context.WithTimeout(…)`, stop in `stop :=
// context.AfterFunc(…)`), or nil.
func madeBy(pass *analysis.Pass, call *ast.CallExpr, loop ast.Stmt) *ast.CallExpr {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return nil
	}
	v := pass.TypesInfo.Uses[id]
	var made *ast.CallExpr
	ast.Inspect(astq.LoopBody(loop), func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if made != nil || !ok || len(as.Rhs) != 1 || !isVar(pass, as.Lhs[len(as.Lhs)-1], v) {
			return made == nil
		}
		made, _ = ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
		return made == nil
	})
	return made
}

// contextFunc reports whether call calls a function of package context
// whose name starts with one of prefixes.
func contextFunc(pass *analysis.Pass, call *ast.CallExpr, prefixes ...string) bool {
	fn := astq.Callee(pass, call)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "context" {
		return false
	}
	for _, p := range prefixes {
		if strings.HasPrefix(fn.Name(), p) {
			return true
		}
	}
	return false
}
