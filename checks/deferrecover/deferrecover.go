package deferrecover

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/decls"
	"github.com/silentfail/silentfail/internal/suppress"
)

//go:embed doc.go
var doc string

// bare turns on the opt-in form that reports `defer recover()` itself;
// called, the one that reports a recover() in a function that no
// deferred call reaches.
var bare, called bool

func init() {
	Analyzer.Flags.BoolVar(&bare, "bare", false,
		"also report a bare defer recover() (opt-in: on real code it guards calls that do not panic; the default form reports recovery wrappers whose recover() is called, not deferred)")
	Analyzer.Flags.BoolVar(&called, "called", false,
		"also report a recover() in an unexported function that is only ever called, never deferred (opt-in: on real code it sat in front of calls that do not panic; the default form reports recovery wrappers called from a deferred function)")
}

// Analyzer reports recover calls that cannot stop a panic.
var Analyzer = &analysis.Analyzer{
	Name:     "deferrecover",
	Doc:      astq.ExtractDoc(doc, "deferrecover"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/deferrecover",
	Requires: []*analysis.Analyzer{inspect.Analyzer, decls.Analyzer},
	Run:      run,
}

type checker struct {
	pass  *analysis.Pass
	decls *decls.Index
	// recoverers are the package's functions and methods that call
	// recover directly: they stop a panic only when deferred themselves.
	recoverers map[*types.Func]bool
	// misused are the recoverers with a call site already reported.
	misused map[*types.Func]bool
	// seen holds the positions already reported: a function deferred
	// in several places is looked into once per call, reported once.
	seen map[token.Pos]bool
}

func run(pass *analysis.Pass) (any, error) {
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	hasRecover := false
	for cur := range ins.Root().Preorder((*ast.CallExpr)(nil)) {
		if isRecover(pass, cur.Node().(*ast.CallExpr)) {
			hasRecover = true
			break
		}
	}
	if !hasRecover {
		return nil, nil // nothing in this package calls recover
	}
	pass = suppress.Filter(pass)

	c := &checker{
		pass:       pass,
		decls:      pass.ResultOf[decls.Analyzer].(*decls.Index),
		recoverers: make(map[*types.Func]bool),
		misused:    make(map[*types.Func]bool),
		seen:       make(map[token.Pos]bool),
	}
	// Declarations come from the unfiltered inspector: a helper in a
	// generated or ignored file is still a helper.
	for cur := range ins.Root().Preorder((*ast.FuncDecl)(nil)) {
		decl := cur.Node().(*ast.FuncDecl)
		fn, ok := pass.TypesInfo.Defs[decl.Name].(*types.Func)
		if !ok || decl.Body == nil {
			continue
		}
		if callsDirectly(decl.Body, func(call *ast.CallExpr) bool { return isRecover(pass, call) }) {
			c.recoverers[fn] = true
		}
	}

	for cur := range ins.Root().Preorder((*ast.DeferStmt)(nil)) {
		c.checkDefer(cur)
	}
	if called {
		// Rule "a recover nothing defers is opt-in": with no deferred
		// call on the way, nothing says the author expects a panic
		// there, and on real code the guarded calls did not panic.
		c.checkNeverDeferred(ins)
	}
	return nil, nil
}

func (c *checker) report(d analysis.Diagnostic) {
	if c.seen[d.Pos] || astq.IsTestCode(c.pass, d.Pos) {
		// Rule "test code": a panic that goes on fails the test
		// loudly; nothing degrades silently there.
		return
	}
	c.seen[d.Pos] = true
	c.pass.Report(d)
}

// checkDefer looks at one defer statement: `defer recover()`, and the
// body of the deferred function when it is a literal or a function of
// the package.
func (c *checker) checkDefer(cur inspector.Cursor) {
	pass := c.pass
	def := cur.Node().(*ast.DeferStmt)
	if isRecover(pass, def.Call) {
		if !bare {
			// Rule "a bare defer recover() is opt-in": written as a
			// charm around calls that are not expected to panic, it
			// changes nothing there; recovery wrappers, which exist
			// because panics happen, are the default form's.
			return
		}
		c.report(analysis.Diagnostic{
			Pos:      def.Pos(),
			End:      def.End(),
			Category: "bare",
			Message: "defer recover() does not stop a panic: recover is itself the deferred call, not called by a deferred function, so it returns nil and the panic goes on " +
				"(call it inside a deferred function literal and handle what it returns)",
		})
		return
	}
	var (
		body  *ast.BlockStmt
		where string
		lit   *ast.FuncLit
	)
	switch fun := ast.Unparen(def.Call.Fun).(type) {
	case *ast.FuncLit:
		body, where, lit = fun.Body, "a deferred closure", fun
	default:
		fn := astq.Callee(pass, def.Call)
		if fn == nil || c.decls.Body(fn) == nil || c.recoverers[fn] {
			return
		}
		body, where = c.decls.Body(fn), fn.Name()+" (deferred)"
	}
	// A deferred function that recovers itself has stopped the panic
	// already: a helper's extra recover() returning nil is harmless.
	if callsDirectly(body, func(call *ast.CallExpr) bool { return isRecover(pass, call) }) {
		return
	}

	// Recovering helpers called by the deferred function.
	callsDirectly(body, func(call *ast.CallExpr) bool {
		name, fn, ok := c.recovererCall(call)
		if !ok {
			return false
		}
		var msg string
		if fn == nil {
			msg = fmt.Sprintf("the function literal called here runs inside %s but is not deferred itself: its recover() returns nil and the panic keeps crashing the process (call recover() directly in the deferred function)",
				where)
		} else {
			c.misused[fn] = true
			msg = fmt.Sprintf("%s() is called from %s, not deferred itself: its recover() returns nil and the panic keeps crashing the process (%s directly)",
				name, where, deferText(call))
		}
		d := analysis.Diagnostic{Pos: call.Pos(), End: call.End(), Message: msg}
		if lit != nil && fn != nil {
			if stmt, ok := only(lit).(*ast.ExprStmt); ok && ast.Unparen(stmt.X) == call {
				if fix, ok := c.deferDirectly(cur, lit, call); ok {
					d.SuggestedFixes = []analysis.SuggestedFix{fix}
				}
			}
		}
		c.report(d)
		return false
	})

	// A recovering function deferred as the last statement of the
	// deferred function runs when that function returns, not as part
	// of the panic: it recovers nothing.
	if len(body.List) == 0 {
		return
	}
	inner, ok := body.List[len(body.List)-1].(*ast.DeferStmt)
	if !ok {
		return
	}
	var (
		name string
		fn   *types.Func
	)
	if l, isLit := ast.Unparen(inner.Call.Fun).(*ast.FuncLit); isLit {
		if !callsDirectly(l.Body, func(call *ast.CallExpr) bool { return isRecover(pass, call) }) {
			return
		}
		name = "the function literal"
	} else if name, fn, ok = c.recovererCall(inner.Call); ok && fn != nil {
		c.misused[fn] = true
		name += "()"
	} else {
		return // defer recover() is reported on its own
	}
	advice := "call recover() directly in the outer deferred function"
	if fn != nil {
		advice = deferText(inner.Call) + " directly"
	}
	d := analysis.Diagnostic{
		Pos: inner.Pos(),
		End: inner.End(),
		Message: fmt.Sprintf("%s is deferred as the last statement of %s: it runs when that function returns, not while the panic unwinds, so its recover() returns nil and the panic keeps crashing the process (%s)",
			name, where, advice),
	}
	if lit != nil && fn != nil && only(lit) == inner {
		if fix, ok := c.deferDirectly(cur, lit, inner.Call); ok {
			d.SuggestedFixes = []analysis.SuggestedFix{fix}
		}
	}
	c.report(d)
}

// recovererCall reports whether call calls a recovering function of
// the package (returned as fn, with its name), or a function literal
// that calls recover directly (fn is nil).
func (c *checker) recovererCall(call *ast.CallExpr) (string, *types.Func, bool) {
	if lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
		return "", nil, callsDirectly(lit.Body, func(call *ast.CallExpr) bool { return isRecover(c.pass, call) })
	}
	fn := astq.Callee(c.pass, call)
	if fn == nil || !c.recoverers[fn] {
		return "", nil, false
	}
	return fn.Name(), fn, true
}

// checkNeverDeferred reports a recover() in an unexported function of
// the package that is never deferred: every use of it is a plain call,
// so the recover always returns nil. A function used as a value (it
// may be deferred through a variable or by another package), an
// exported one, or a method that an interface of the package may
// dispatch to, is not judged.
func (c *checker) checkNeverDeferred(ins *inspector.Inspector) {
	pass := c.pass
	ifaceMethods := make(map[string]bool)
	for cur := range ins.Root().Preorder((*ast.InterfaceType)(nil)) {
		for _, f := range cur.Node().(*ast.InterfaceType).Methods.List {
			for _, n := range f.Names {
				ifaceMethods[n.Name] = true
			}
		}
	}
	type use struct {
		calls    int
		caller   string
		deferred bool
		value    bool
	}
	uses := make(map[*types.Func]*use)
	for cur := range ins.Root().Preorder((*ast.Ident)(nil)) {
		fn, ok := pass.TypesInfo.Uses[cur.Node().(*ast.Ident)].(*types.Func)
		if !ok || !c.recoverers[fn.Origin()] {
			continue
		}
		fn = fn.Origin()
		u := uses[fn]
		if u == nil {
			u = &use{}
			uses[fn] = u
		}
		// Climb from the identifier to the callee expression:
		// pkg-less f, x.f, f[T].
		e := cur
		for {
			p := e.Parent()
			switch n := p.Node().(type) {
			case *ast.SelectorExpr:
				if n.Sel == e.Node() {
					e = p
					continue
				}
			case *ast.IndexExpr:
				if n.X == e.Node() {
					e = p
					continue
				}
			case *ast.IndexListExpr:
				if n.X == e.Node() {
					e = p
					continue
				}
			case *ast.ParenExpr:
				e = p
				continue
			}
			break
		}
		call, ok := e.Parent().Node().(*ast.CallExpr)
		if !ok || ast.Unparen(call.Fun) != e.Node() {
			u.value = true
			continue
		}
		u.calls++
		if _, ok := e.Parent().Parent().Node().(*ast.DeferStmt); ok {
			u.deferred = true
		}
		if u.caller == "" {
			for fd := range e.Enclosing((*ast.FuncDecl)(nil)) {
				u.caller = fd.Node().(*ast.FuncDecl).Name.Name
			}
		}
	}
	for fn, u := range uses {
		if u.value || u.deferred || u.calls == 0 || c.misused[fn] || fn.Exported() {
			continue
		}
		if fn.Signature().Recv() != nil && ifaceMethods[fn.Name()] {
			continue
		}
		decl := c.decls.Of(fn)
		if decl == nil || decl.Body == nil {
			continue
		}
		var rec *ast.CallExpr
		callsDirectly(decl.Body, func(call *ast.CallExpr) bool {
			if rec == nil && isRecover(pass, call) {
				rec = call
			}
			return false
		})
		if rec == nil {
			continue
		}
		caller := "its callers"
		if u.caller != "" {
			caller = u.caller
		}
		c.report(analysis.Diagnostic{
			Pos:      rec.Pos(),
			End:      rec.End(),
			Category: "called",
			Message: fmt.Sprintf("recover() in %s always returns nil: %s is never deferred, only called (by %s), so it stops no panic (defer %s() where the panic must be caught)",
				fn.Name(), fn.Name(), caller, fn.Name()),
		})
	}
}

// isRecover reports whether call is a call of the builtin recover.
func isRecover(pass *analysis.Pass, call *ast.CallExpr) bool {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := pass.TypesInfo.Uses[id].(*types.Builtin)
	return ok && b.Name() == "recover"
}

// callsDirectly calls match for each call made by the function body
// itself: not in nested function literals (another function), and not
// the calls of its own defer and go statements (those functions run on
// their own). It reports whether match returned true once.
func callsDirectly(body *ast.BlockStmt, match func(*ast.CallExpr) bool) bool {
	found := false
	var inspectArgs func(call *ast.CallExpr)
	visit := func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			inspectArgs(n.Call)
			return false
		case *ast.GoStmt:
			inspectArgs(n.Call)
			return false
		case *ast.CallExpr:
			if match(n) {
				found = true
			}
		}
		return true
	}
	// The arguments (and receiver) of a deferred or started call are
	// evaluated by this function; the call itself is not made here.
	inspectArgs = func(call *ast.CallExpr) {
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
			ast.Inspect(sel.X, visit)
		}
		for _, a := range call.Args {
			ast.Inspect(a, visit)
		}
	}
	ast.Inspect(body, visit)
	return found
}

// only returns the single statement of the literal's body, or nil.
func only(lit *ast.FuncLit) ast.Stmt {
	if len(lit.Body.List) != 1 {
		return nil
	}
	return lit.Body.List[0]
}

// deferText renders the statement the message suggests: defer f(args)
// when it is short, defer f(...) otherwise.
func deferText(call *ast.CallExpr) string {
	s := types.ExprString(call)
	if len(s) <= 40 {
		return "defer " + s
	}
	return "defer " + types.ExprString(call.Fun) + "(...)"
}
