// The exemptions the doc names under what the check leaves alone: values
// kept past the iteration or only held, cleanups that run only on
// failure, deadline contexts on a root, AfterFunc callbacks that must
// stay armed.

package deferloop

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/tools/go/analysis"

	"github.com/silentfail/silentfail/internal/astq"
)

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
		x, _, isCmp := astq.NilComparison(pass, e)
		if !isCmp {
			return false
		}
		id, ok := x.(*ast.Ident)
		if !ok {
			return false
		}
		v, ok := pass.TypesInfo.Uses[id].(*types.Var)
		return ok && astq.IsErrorType(v.Type()) && !astq.DeclaredIn(v, loop)
	}
	return false
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
			return v != nil && !astq.DeclaredIn(v, body)
		}
		// x.f = v, m[k] = v, *p = v: stored through something.
		v := astq.RootObject(pass, e)
		return v == nil || !astq.DeclaredIn(v, body) || !isLocalValue(v)
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
