package ctxreplace

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"go/version"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/decls"
	"github.com/silentfail/silentfail/internal/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports context chains rooted at context.Background() or
// context.TODO() that are passed on where the caller's context is at hand.
var Analyzer = &analysis.Analyzer{
	Name:     "ctxreplace",
	Doc:      astq.ExtractDoc(doc, "ctxreplace"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/ctxreplace",
	Requires: []*analysis.Analyzer{inspect.Analyzer, decls.Analyzer},
	Run:      run,
}

// background turns on the opt-in form: chains rooted at
// context.Background() (context.TODO() is always reported). See the
// doc's "The default form and the opt-in form".
var background bool

func init() {
	Analyzer.Flags.BoolVar(&background, "background", false,
		"also report chains rooted at context.Background() (opt-in: on real services most are deliberate detaching)")
}

func run(pass *analysis.Pass) (any, error) {
	pass = suppress.Filter(pass)
	if !astq.Imports(pass, "context") {
		return nil, nil
	}
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	c := &checker{
		decls:   pass.ResultOf[decls.Analyzer].(*decls.Index),
		pass:    pass,
		sources: make(map[*types.Var][]ast.Expr),
		opaque:  make(map[*types.Var]bool),
		memo:    make(map[*types.Var][]*ast.CallExpr),
		sites:   make(map[inspector.Cursor]*site),
	}
	c.collect(ins)

	// The roots: every context.Background() and context.TODO() call.
	roots := make(map[*ast.CallExpr]inspector.Cursor)
	for cur := range ins.Root().Preorder((*ast.CallExpr)(nil)) {
		call := cur.Node().(*ast.CallExpr)
		fn := astq.Callee(pass, call)
		// Rule "background is opt-in": Background() roots count only
		// when the form is asked for.
		if astq.IsFunc(fn, "context", "TODO") || background && astq.IsFunc(fn, "context", "Background") {
			roots[call] = cur
		}
	}
	if len(roots) == 0 {
		return nil, nil
	}
	// Every call that takes a context: the chains rooted at
	// Background/TODO that reach it, reported at their root with the
	// first such call in the same function.
	done := make(map[*ast.CallExpr]bool)
	var found []finding
	for cur := range ins.Root().Preorder((*ast.CallExpr)(nil)) {
		call := cur.Node().(*ast.CallExpr)
		if fn := astq.Callee(pass, call); fn != nil && fn.Pkg() != nil {
			switch fn.Pkg().Path() {
			case "context":
				continue // derived contexts are followed from their uses
			case "log/slog":
				continue // the context only carries values for the handler
			}
		}
		if c.deriver(call) {
			continue
		}
		tv, ok := pass.TypesInfo.Types[call.Fun]
		if !ok || tv.IsType() {
			continue
		}
		sig, ok := tv.Type.Underlying().(*types.Signature)
		if !ok {
			continue
		}
		if c.notWork(call, sig) {
			continue
		}
		var ss *site
		for i, arg := range call.Args {
			if !isContext(paramType(sig, call, i)) || c.ignoresParam(call, i) {
				continue
			}
			rs := c.roots(arg)
			if len(rs) == 0 {
				continue
			}
			if ss == nil {
				if ss = c.siteOf(cur); ss == nil || isTeardownCall(pass, call) || c.undoesOnError(cur, call) {
					break
				}
			}
			for _, r := range rs {
				rc, ok := roots[r]
				if !ok || done[r] || c.siteOf(rc) != ss || !c.reportable(ss, rc) {
					continue
				}
				done[r] = true
				found = append(found, finding{root: r, sink: call, site: ss})
			}
		}
	}
	c.emit(found)
	return nil, nil
}

type checker struct {
	pass *analysis.Pass
	// sources holds what each local context variable is assigned; opaque
	// marks the variables whose value can come from elsewhere
	// (parameters, results, address taken, range, tuple results).
	sources map[*types.Var][]ast.Expr
	opaque  map[*types.Var]bool
	memo    map[*types.Var][]*ast.CallExpr
	sites   map[inspector.Cursor]*site
	decls   *decls.Index
	used    map[*types.Var]bool
}

// collect records the assignments to local context variables.
func (c *checker) collect(ins *inspector.Inspector) {
	info := c.pass.TypesInfo
	local := func(e ast.Expr) *types.Var {
		id, ok := ast.Unparen(e).(*ast.Ident)
		if !ok {
			return nil
		}
		v, ok := info.ObjectOf(id).(*types.Var)
		if !ok || v.IsField() || v.Pkg() != c.pass.Pkg || v.Parent() == c.pass.Pkg.Scope() || !isContext(v.Type()) {
			return nil
		}
		return v
	}
	for cur := range ins.Root().Preorder((*ast.AssignStmt)(nil), (*ast.ValueSpec)(nil), (*ast.RangeStmt)(nil), (*ast.UnaryExpr)(nil), (*ast.FuncType)(nil), (*ast.FuncDecl)(nil)) {
		switch n := cur.Node().(type) {
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				v := local(lhs)
				if v == nil {
					continue
				}
				switch {
				case len(n.Lhs) == len(n.Rhs):
					c.sources[v] = append(c.sources[v], n.Rhs[i])
				case len(n.Rhs) == 1 && c.resultIsDerived(n.Rhs[0], i):
					c.sources[v] = append(c.sources[v], n.Rhs[0])
				default:
					c.opaque[v] = true
				}
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				v := local(id)
				if v == nil {
					continue
				}
				switch {
				case len(n.Values) == 0:
				case len(n.Names) == len(n.Values):
					c.sources[v] = append(c.sources[v], n.Values[i])
				case len(n.Values) == 1 && c.resultIsDerived(n.Values[0], i):
					c.sources[v] = append(c.sources[v], n.Values[0])
				default:
					c.opaque[v] = true
				}
			}
		case *ast.RangeStmt:
			for _, e := range []ast.Expr{n.Key, n.Value} {
				if v := local(e); v != nil {
					c.opaque[v] = true
				}
			}
		case *ast.UnaryExpr:
			if v := local(n.X); v != nil && n.Op == token.AND {
				c.opaque[v] = true
			}
		case *ast.FuncType:
			for _, fl := range []*ast.FieldList{n.Params, n.Results} {
				if fl == nil {
					continue
				}
				for _, f := range fl.List {
					for _, id := range f.Names {
						if v, ok := info.Defs[id].(*types.Var); ok {
							c.opaque[v] = true
						}
					}
				}
			}
		case *ast.FuncDecl:
			if n.Recv != nil {
				for _, f := range n.Recv.List {
					for _, id := range f.Names {
						if v, ok := info.Defs[id].(*types.Var); ok {
							c.opaque[v] = true
						}
					}
				}
			}
		}
	}
}

// notWork reports whether call is one whose context does not govern
// work the caller waits for: a function whose name says it runs
// asynchronously (refreshAsync, startBackground) or hands the work to
// something that outlives the call (Start, Spawn, Launch, Submit,
// Enqueue, Schedule); a logger (Printf, Errorf, Info, Log..., or a
// function of no result with a log further in its name, auditLogIf) or a
// lookup of context values (FromContext, GetLogger), which only read
// the context's values; or a call that gets a timeout of its own (a
// time.Duration parameter named timeout), where a fresh context keeps
// the caller's deadline from overriding it.
func (c *checker) notWork(call *ast.CallExpr, sig *types.Signature) bool {
	for v := range sig.Params().Variables() {
		if l := strings.ToLower(v.Name()); astq.IsNamedType(v.Type(), "time", "Duration") && (strings.Contains(l, "timeout") || strings.Contains(l, "deadline")) {
			return true
		}
	}
	name := ""
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		name = f.Name
	case *ast.SelectorExpr:
		name = f.Sel.Name
	case *ast.IndexExpr:
		if sel, ok := f.X.(*ast.SelectorExpr); ok {
			name = sel.Sel.Name
		}
	}
	if strings.Contains(name, "FromContext") {
		return true
	}
	ws := words(name)
	if len(ws) == 0 {
		return false
	}
	for _, w := range ws {
		switch w {
		case "async", "background", "detach", "detached":
			return true // work meant to outlive the caller
		}
	}
	switch ws[0] {
	case "start", "spawn", "launch", "submit", "enqueue", "schedule":
		return true // hands the work to something that outlives the call
	case "print", "printf", "println", "log", "logf", "logger", "debug", "debugf", "info", "infof", "warn", "warnf", "warning", "warningf", "error", "errorf":
		return true
	case "get":
		return len(ws) > 1 && (ws[1] == "logger" || ws[1] == "log")
	}
	// auditLogInternal, replLogOnceIf: a log call further in the name,
	// and nothing to return, as loggers do (replicateLog returns an
	// error: it does work).
	return sig.Results().Len() == 0 && slices.ContainsFunc(ws[1:], func(w string) bool { return w == "log" || w == "logf" })
}

// ignoresParam reports whether call calls a function of this package
// whose i-th parameter is never used (named _, unnamed, or not referred
// to in its body), or only in go statements, which detach the work
// anyway. Whatever context it gets makes no difference to the caller.
func (c *checker) ignoresParam(call *ast.CallExpr, i int) bool {
	fn := astq.Callee(c.pass, call)
	if fn == nil || fn.Pkg() != c.pass.Pkg {
		return false
	}
	fn = fn.Origin()
	if c.used == nil {
		c.used = make(map[*types.Var]bool)
		for _, obj := range c.pass.TypesInfo.Uses {
			if v, ok := obj.(*types.Var); ok {
				c.used[v] = true
			}
		}
	}
	decl := c.decls.Of(fn)
	sig := fn.Signature()
	if decl == nil || decl.Body == nil || i >= sig.Params().Len() || sig.Variadic() && i >= sig.Params().Len()-1 {
		return false
	}
	v := sig.Params().At(i)
	return !usable(v) || !c.used[v] || onlyInGo(c.pass, decl.Body, v)
}

// onlyInGo reports whether every use of v in body is inside a go
// statement: the function hands the context to work it detaches.
func onlyInGo(pass *analysis.Pass, body *ast.BlockStmt, v *types.Var) bool {
	uses, inGo := 0, 0
	var walk func(n ast.Node, g bool)
	walk = func(n ast.Node, g bool) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				if !g {
					walk(n.Call, true)
					return false
				}
			case *ast.Ident:
				if pass.TypesInfo.Uses[n] == v {
					uses++
					if g {
						inGo++
					}
				}
			}
			return true
		})
	}
	walk(body, false)
	return uses > 0 && uses == inGo
}

// resultIsDerived reports whether the i-th result of the call e is a
// context derived from the call's first argument: ctx, cancel :=
// context.WithTimeout(ctx, d), g, ctx := errgroup.WithContext(ctx).
func (c *checker) resultIsDerived(e ast.Expr, i int) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok || !c.deriver(call) {
		return false
	}
	sig := c.pass.TypesInfo.TypeOf(call.Fun).Underlying().(*types.Signature)
	return i < sig.Results().Len() && isContext(sig.Results().At(i).Type())
}

// deriver reports whether call makes a context from the context it
// receives first: context.WithValue/WithCancel/WithTimeout/...,
// signal.NotifyContext, errgroup.WithContext, a tracer's Start, any
// function whose first parameter and one of whose results are contexts.
func (c *checker) deriver(call *ast.CallExpr) bool {
	if len(call.Args) == 0 {
		return false
	}
	tv, ok := c.pass.TypesInfo.Types[call.Fun]
	if !ok || tv.IsType() {
		return false
	}
	sig, ok := tv.Type.Underlying().(*types.Signature)
	if !ok || sig.Params().Len() == 0 || !isContext(sig.Params().At(0).Type()) {
		return false
	}
	if astq.IsFunc(astq.Callee(c.pass, call), "context", "WithoutCancel") {
		return false
	}
	for v := range sig.Results().Variables() {
		if isContext(v.Type()) {
			return true
		}
	}
	return false
}

// roots returns the context.Background()/TODO() calls that the context
// expression e is rooted at, or nil when some of its values may come
// from elsewhere (a parameter, a field, r.Context(), WithoutCancel).
func (c *checker) roots(e ast.Expr) []*ast.CallExpr {
	r, ok := c.rootsOf(e, make(map[*types.Var]bool))
	if !ok {
		return nil
	}
	return r
}

func (c *checker) rootsOf(e ast.Expr, busy map[*types.Var]bool) ([]*ast.CallExpr, bool) {
	switch x := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		fn := astq.Callee(c.pass, x)
		if astq.IsFunc(fn, "context", "Background", "TODO") {
			return []*ast.CallExpr{x}, true
		}
		if c.deriver(x) {
			return c.rootsOf(x.Args[0], busy)
		}
	case *ast.Ident:
		v, ok := c.pass.TypesInfo.Uses[x].(*types.Var)
		if !ok || c.opaque[v] {
			return nil, false
		}
		srcs, ok := c.sources[v]
		if !ok {
			return nil, false // declared some other way (a type switch), or never assigned
		}
		if r, ok := c.memo[v]; ok {
			return r, r != nil
		}
		if busy[v] {
			return nil, true // ctx = context.WithValue(ctx, k, v): adds no root
		}
		busy[v] = true
		var out []*ast.CallExpr
		for _, s := range srcs {
			r, ok := c.rootsOf(s, busy)
			if !ok {
				c.memo[v] = nil
				return nil, false
			}
			out = append(out, r...)
		}
		delete(busy, v)
		if len(busy) == 0 {
			c.memo[v] = out
		}
		return out, true
	}
	return nil, false
}

// A site is the function whose caller's context a fresh chain replaces.
type site struct {
	fn      inspector.Cursor
	name    string     // for messages: "handler search", "Fetch"
	handler bool       // the context is the request's
	lost    string     // "r.Context()", "ctx"
	ident   string     // the identifier a fix refers to ("r", "ctx"), "" when none
	param   *types.Var // its parameter
	silent  bool       // main, init, teardown functions
	watches int        // 1: waits on its context's Done channel, -1: does not, 0: not known yet
}

// siteOf returns the site of the code at cur: the innermost function
// with a context.Context or *http.Request parameter (HTTP handlers
// included), walking out of function literals that run while their
// enclosing function does (called on the spot, passed to a call, kept in
// a local variable). It returns nil inside go and defer statements,
// function literals that may run later (stored, returned, scheduled
// with time.AfterFunc or context.AfterFunc), and functions without a
// context.
func (c *checker) siteOf(cur inspector.Cursor) *site {
	for p := cur.Parent(); p.Valid() && p.Node() != nil; p = p.Parent() {
		switch n := p.Node().(type) {
		case *ast.GoStmt, *ast.DeferStmt:
			return nil
		case *ast.FuncDecl:
			return c.siteAt(p)
		case *ast.FuncLit:
			if s := c.siteAt(p); s != nil {
				return s
			}
			if !c.runsInPlace(p, n) {
				return nil
			}
		}
	}
	return nil
}

// runsInPlace reports whether the function literal at cur runs while
// the function containing it does.
func (c *checker) runsInPlace(cur inspector.Cursor, lit *ast.FuncLit) bool {
	switch k, _ := cur.ParentEdge(); k {
	case edge.CallExpr_Fun:
		return true // go and defer are found by the caller's walk
	case edge.CallExpr_Args:
		call := cur.Parent().Node().(*ast.CallExpr)
		fn := astq.Callee(c.pass, call)
		if fn == nil {
			return true
		}
		if astq.IsFunc(fn, "time", "AfterFunc") || astq.IsFunc(fn, "context", "AfterFunc") ||
			astq.IsFunc(fn, "runtime", "SetFinalizer", "AddCleanup") || teardownName(fn.Name()) {
			return false
		}
		// singleflight-style groups share one call among many
		// callers: it must not die with the first caller's context.
		if n := astq.NamedOf(recvType(fn)); n != nil && n.Obj().Name() == "Group" && (fn.Name() == "Do" || fn.Name() == "DoChan") {
			return false
		}
		return true
	case edge.AssignStmt_Rhs:
		as := cur.Parent().Node().(*ast.AssignStmt)
		if len(as.Lhs) != len(as.Rhs) {
			return false
		}
		id, ok := as.Lhs[cur.ParentEdgeIndex()].(*ast.Ident)
		return ok && !teardownName(id.Name) && c.isLocalVar(id)
	case edge.ValueSpec_Values:
		vs := cur.Parent().Node().(*ast.ValueSpec)
		i := cur.ParentEdgeIndex()
		return len(vs.Names) == len(vs.Values) && !teardownName(vs.Names[i].Name) && c.isLocalVar(vs.Names[i])
	}
	return false
}

func (c *checker) isLocalVar(id *ast.Ident) bool {
	v, ok := c.pass.TypesInfo.ObjectOf(id).(*types.Var)
	return ok && !v.IsField() && v.Parent() != nil && v.Parent() != c.pass.Pkg.Scope()
}

func recvType(fn *types.Func) types.Type {
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() != nil {
		return sig.Recv().Type()
	}
	return nil
}

// siteAt returns the site for the function at cur, or nil when the
// function has neither a context nor a request.
func (c *checker) siteAt(cur inspector.Cursor) *site {
	if s, ok := c.sites[cur]; ok {
		return s
	}
	s := c.newSite(cur)
	c.sites[cur] = s
	return s
}

func (c *checker) newSite(cur inspector.Cursor) *site {
	sig := astq.Signature(c.pass, cur)
	if sig == nil {
		return nil
	}
	var ctx, req *types.Var
	for v := range sig.Params().Variables() {
		if ctx == nil && isContext(v.Type()) {
			ctx = v
		}
	}
	handler := astq.IsHTTPHandler(sig)
	if handler {
		req = sig.Params().At(1)
	}
	if ctx == nil && !handler {
		return nil
	}
	s := &site{fn: cur, handler: handler}
	switch fn := cur.Node().(type) {
	case *ast.FuncDecl:
		s.name = fn.Name.Name
		if s.handler {
			s.name = "handler " + s.name
		}
		s.silent = teardownName(fn.Name.Name)
	case *ast.FuncLit:
		s.name = "the function literal"
		if s.handler {
			s.name = "the handler"
		}
	}
	switch {
	case ctx != nil && usable(ctx):
		s.lost, s.ident, s.param = ctx.Name(), ctx.Name(), ctx
	case req != nil && usable(req):
		s.lost, s.ident, s.param = req.Name()+".Context()", req.Name(), req
	case ctx != nil:
		s.lost = "the context parameter"
	default:
		s.lost = "the request's context"
	}
	// main and init create the root contexts; closures there are part of
	// them, except handlers, which run per request.
	if !s.handler {
		for p := range cur.Enclosing((*ast.FuncDecl)(nil)) {
			fd := p.Node().(*ast.FuncDecl)
			if fd.Recv == nil && (fd.Name.Name == "init" || fd.Name.Name == "main" && c.pass.Pkg.Name() == "main") {
				s.silent = true
			}
		}
	}
	return s
}

func usable(v *types.Var) bool { return v.Name() != "" && v.Name() != "_" }

// reportable applies the exceptions that depend on where the root is:
// test files, main and init, teardown functions, and code that runs
// once the caller's context is done.
func (c *checker) reportable(s *site, root inspector.Cursor) bool {
	if s.silent || s.param == nil {
		return false
	}
	if astq.IsTestFile(c.pass, root.Node().Pos()) {
		return false
	}
	return !c.afterDone(s, root) && !c.watchesDone(s)
}

// watchesDone reports whether the site's function waits on its own
// context's Done channel (ctx.Done(), r.Context().Done()) anywhere,
// goroutines included: it bridges the caller's cancellation to the
// fresh chain by hand (select on ctx.Done() and return, canceling the
// fresh context with a deferred cancel; a goroutine that cancels it
// when ctx is done).
func (c *checker) watchesDone(s *site) bool {
	if s.watches != 0 {
		return s.watches > 0
	}
	s.watches = -1
	ast.Inspect(s.fn.Node(), func(n ast.Node) bool {
		u, ok := n.(*ast.UnaryExpr)
		if !ok || u.Op != token.ARROW {
			return s.watches < 0
		}
		call, ok := ast.Unparen(u.X).(*ast.CallExpr)
		if !ok || !c.isDoneCall(call) {
			return true
		}
		x, _ := astq.ReceiverExpr(call)
		if inner, ok := ast.Unparen(x).(*ast.CallExpr); ok && astq.IsMethod(astq.Callee(c.pass, inner), "net/http", "Request", "Context") {
			x, _ = astq.ReceiverExpr(inner)
		}
		if id, ok := ast.Unparen(x).(*ast.Ident); ok && c.pass.TypesInfo.Uses[id] == s.param && s.param != nil {
			s.watches = 1
		}
		return s.watches < 0
	})
	return s.watches > 0
}

// afterDone reports whether the statement holding root runs once a
// context is known to be done: after a receive from Done() earlier in an
// enclosing block, in a select case receiving from Done(), or in a
// branch taken when a context's Err() is set or an error is
// context.Canceled/DeadlineExceeded. A fresh context there is the
// shutdown and cleanup pattern.
func (c *checker) afterDone(s *site, root inspector.Cursor) bool {
	for p := root; p.Valid() && p != s.fn; p = p.Parent() {
		parent := p.Parent()
		k, idx := p.ParentEdge()
		switch k {
		case edge.BlockStmt_List:
			for _, st := range parent.Node().(*ast.BlockStmt).List[:idx] {
				if c.receivesDone(st) {
					return true
				}
			}
		case edge.CaseClause_Body:
			cc := parent.Node().(*ast.CaseClause)
			for _, st := range cc.Body[:idx] {
				if c.receivesDone(st) {
					return true
				}
			}
			for _, e := range cc.List {
				if c.mentionsDone(e) {
					return true
				}
			}
		case edge.CommClause_Body:
			cc := parent.Node().(*ast.CommClause)
			if cc.Comm != nil && c.receivesDone(cc.Comm) {
				return true
			}
			for _, st := range cc.Body[:idx] {
				if c.receivesDone(st) {
					return true
				}
			}
		case edge.IfStmt_Body:
			if c.mentionsDone(parent.Node().(*ast.IfStmt).Cond) {
				return true
			}
		}
	}
	return false
}

// receivesDone reports whether n receives from a context's Done channel
// (outside function literals).
func (c *checker) receivesDone(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.UnaryExpr:
			if call, ok := ast.Unparen(n.X).(*ast.CallExpr); ok && n.Op == token.ARROW && c.isDoneCall(call) {
				found = true
			}
		}
		return !found
	})
	return found
}

func (c *checker) isDoneCall(call *ast.CallExpr) bool {
	return astq.IsMethod(astq.Callee(c.pass, call), "context", "Context", "Done")
}

// mentionsDone reports whether a condition tests that a context is done:
// ctx.Err(), context.Cause, context.Canceled, context.DeadlineExceeded.
func (c *checker) mentionsDone(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			fn := astq.Callee(c.pass, n)
			if astq.IsMethod(fn, "context", "Context", "Err") || astq.IsFunc(fn, "context", "Cause") {
				found = true
			}
		case *ast.Ident:
			if v, ok := c.pass.TypesInfo.Uses[n].(*types.Var); ok && v.Pkg() != nil && v.Pkg().Path() == "context" &&
				(v.Name() == "Canceled" || v.Name() == "DeadlineExceeded") {
				found = true
			}
		}
		return !found
	})
	return found
}

type finding struct {
	root, sink *ast.CallExpr
	site       *site
	fix        string // the replacement of root, "" when none is safe
}

// emit reports the findings. A fix replaces the root call by the
// context at hand; when that removes the file's last use of package
// context, the fix also removes the import (only if a single fix in the
// file does so, or the fixes could not be applied one at a time).
func (c *checker) emit(found []finding) {
	fixed := make(map[*ast.File]map[*ast.Ident]bool)
	for i := range found {
		f := &found[i]
		s := f.site
		if s.ident == "" || !c.visible(s.ident, s.param, f.root.Pos()) {
			continue
		}
		f.fix = s.ident
		if !isContext(s.param.Type()) {
			f.fix += ".Context()"
		}
		if file := astq.FileOf(c.pass, f.root.Pos()); file != nil {
			if fixed[file] == nil {
				fixed[file] = make(map[*ast.Ident]bool)
			}
			fixed[file][pkgIdent(f.root)] = true
		}
	}
	for _, f := range found {
		var fixes []analysis.SuggestedFix
		if f.fix != "" {
			edits := []analysis.TextEdit{{Pos: f.root.Pos(), End: f.root.End(), NewText: []byte(f.fix)}}
			file := astq.FileOf(c.pass, f.root.Pos())
			ok := true
			if file != nil && !c.usesContextElsewhere(file, fixed[file]) {
				del, found := c.deleteImport(file)
				ok = found && len(fixed[file]) == 1
				edits = append(edits, del)
			}
			if ok {
				fixes = []analysis.SuggestedFix{{Message: "root the context at " + f.site.lost, TextEdits: edits}}
			}
		}
		d := analysis.Diagnostic{Pos: f.root.Pos(), End: f.root.End(), Message: c.message(f.root, f.sink, f.site), SuggestedFixes: fixes}
		if astq.IsFunc(astq.Callee(c.pass, f.root), "context", "Background") {
			d.Category = "background" // the opt-in form, named in -json output
		}
		c.pass.Report(d)
	}
}

// pkgIdent returns the package identifier of a call context.Background().
func pkgIdent(call *ast.CallExpr) *ast.Ident {
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		if id, ok := sel.X.(*ast.Ident); ok {
			return id
		}
	}
	return nil
}

// usesContextElsewhere reports whether file refers to package context
// other than through the identifiers in except.
func (c *checker) usesContextElsewhere(file *ast.File, except map[*ast.Ident]bool) bool {
	found := false
	ast.Inspect(file, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && !except[id] {
			if pn, ok := c.pass.TypesInfo.Uses[id].(*types.PkgName); ok && pn.Imported().Path() == "context" {
				found = true
			}
		}
		return !found
	})
	return found
}

// deleteImport returns the edit that removes the lines of file's import
// of package context, and false when it does not stand on lines of its
// own.
func (c *checker) deleteImport(file *ast.File) (analysis.TextEdit, bool) {
	tf := c.pass.Fset.File(file.Pos())
	for _, d := range file.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		for _, spec := range gd.Specs {
			is := spec.(*ast.ImportSpec)
			if is.Path.Value != `"context"` {
				continue
			}
			var from, to token.Pos = is.Pos(), is.End()
			if is.Doc != nil {
				from = is.Doc.Pos()
			}
			if is.Comment != nil {
				to = is.Comment.End()
			}
			if len(gd.Specs) == 1 {
				from, to = gd.Pos(), gd.End()
			}
			first, last := tf.Line(from), tf.Line(to)
			for _, other := range gd.Specs {
				if other != spec && tf.Line(other.Pos()) <= last && tf.Line(other.End()) >= first {
					return analysis.TextEdit{}, false
				}
			}
			end := token.Pos(tf.Base() + tf.Size())
			if last < tf.LineCount() {
				end = tf.LineStart(last + 1)
			}
			return analysis.TextEdit{Pos: tf.LineStart(first), End: end}, true
		}
	}
	return analysis.TextEdit{}, false
}

func (c *checker) message(root, sink *ast.CallExpr, s *site) string {
	pass := c.pass
	what := "context.Background()"
	if astq.IsFunc(astq.Callee(pass, root), "context", "TODO") {
		what = "context.TODO()"
	}
	detach := version.Compare(astq.FileVersion(pass, root.Pos()), "go1.21") >= 0 ||
		astq.FileVersion(pass, root.Pos()) == ""
	var effect, advice string
	if s.handler || s.param != nil && !isContext(s.param.Type()) {
		effect = "when the client disconnects or the request's deadline passes, the work goes on (queries and upstream calls keep running) and under load the handlers pile up"
		advice = "root it at " + s.lost
		if detach {
			advice += "; use context.WithoutCancel(" + s.lost + ") if the work must outlive the request"
		}
	} else {
		effect = "when " + s.lost + " is canceled or its deadline passes, the work goes on (queries and upstream calls keep running) and under load the callers pile up"
		advice = "root it at " + s.lost
		if detach {
			advice += "; use context.WithoutCancel(" + s.lost + ") if the work must outlive the call"
		}
	}
	return fmt.Sprintf("%s in %s drops %s and is passed to %s: %s (%s)",
		what, s.name, s.lost, sinkName(sink), effect, advice)
}

// visible reports whether name denotes the parameter v at pos (in
// scope, not shadowed).
func (c *checker) visible(name string, v *types.Var, pos token.Pos) bool {
	scope := c.pass.Pkg.Scope().Innermost(pos)
	if scope == nil {
		return false
	}
	_, obj := scope.LookupParent(name, pos)
	return obj == v
}

func sinkName(call *ast.CallExpr) string {
	s := astq.Render(call.Fun)
	if len(s) > 60 {
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
			return sel.Sel.Name
		}
		return "a call"
	}
	return s
}

// undoesOnError reports whether call, at cur, undoes what the function
// did (Delete, Remove, Rollback, Abort, Cleanup...) in a branch about an
// error (its condition reads a variable of type error): a compensating
// action after a failure, which must run to the end even when the
// failure was the caller's cancellation.
func (c *checker) undoesOnError(cur inspector.Cursor, call *ast.CallExpr) bool {
	name := ""
	if fn := astq.Callee(c.pass, call); fn != nil {
		name = fn.Name()
	}
	ws := words(name)
	if len(ws) == 0 {
		return false
	}
	switch ws[0] {
	case "delete", "remove", "rollback", "abort", "cleanup", "clean", "revert", "undo", "purge":
	default:
		return false
	}
	for p := cur; p.Valid(); p = p.Parent() {
		switch p.Node().(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			return false
		case *ast.BlockStmt:
			if k, _ := p.ParentEdge(); k != edge.IfStmt_Body {
				continue
			}
			readsError := false
			ast.Inspect(p.Parent().Node().(*ast.IfStmt).Cond, func(m ast.Node) bool {
				if id, ok := m.(*ast.Ident); ok {
					if v, ok := c.pass.TypesInfo.Uses[id].(*types.Var); ok && astq.IsErrorType(v.Type()) {
						readsError = true
					}
				}
				return !readsError
			})
			if readsError {
				return true
			}
		}
	}
	return false
}

// isTeardownCall reports whether call stops something (srv.Shutdown,
// conn.Close, s.GracefulStop): such calls get a fresh context with a
// timeout of their own on purpose, as the caller's may be done already.
func isTeardownCall(pass *analysis.Pass, call *ast.CallExpr) bool {
	if fn := astq.Callee(pass, call); fn != nil {
		return teardownName(fn.Name())
	}
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		return teardownName(sel.Sel.Name)
	}
	return false
}

// teardownName reports whether a function's name says it stops
// something: it starts with one of astq.TeardownName's words (Close,
// Stop, Shutdown, Wait, Drain...) or has a word such as Shutdown, Stop,
// Exit or Quit in it (GracefulStop, handleStop, exitProcess).
func teardownName(name string) bool {
	if astq.TeardownName(name) {
		return true
	}
	for _, w := range words(name) {
		switch w {
		case "shutdown", "stop", "exit", "quit", "terminate", "graceful", "drain":
			return true
		}
	}
	return false
}

// words splits a mixedCaps or snake_case identifier into lower-case words.
func words(name string) []string {
	var out []string
	start := 0
	for i := 1; i <= len(name); i++ {
		if i == len(name) || name[i] == '_' || isUpper(name[i]) && !isUpper(name[i-1]) {
			if w := strings.Trim(name[start:i], "_"); w != "" {
				out = append(out, strings.ToLower(w))
			}
			start = i
		}
	}
	return out
}

func isUpper(b byte) bool { return 'A' <= b && b <= 'Z' }

func isContext(t types.Type) bool {
	if t == nil {
		return false
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context"
}

// paramType returns the type of the parameter that the i-th argument
// of call is passed to, or nil.
func paramType(sig *types.Signature, call *ast.CallExpr, i int) types.Type {
	n := sig.Params().Len()
	if sig.Variadic() && i >= n-1 {
		if call.Ellipsis.IsValid() {
			return nil
		}
		if s, ok := sig.Params().At(n - 1).Type().Underlying().(*types.Slice); ok {
			return s.Elem()
		}
		return nil
	}
	if i >= n {
		return nil
	}
	return sig.Params().At(i).Type()
}
