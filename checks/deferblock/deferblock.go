package deferblock

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

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

// Analyzer reports deferred calls that sleep or block on the request path.
var Analyzer = &analysis.Analyzer{
	Name:     "deferblock",
	Doc:      astq.ExtractDoc(doc, "deferblock"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/deferblock",
	Requires: []*analysis.Analyzer{inspect.Analyzer, decls.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	pass = suppress.Filter(pass)
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	c := &checker{pass: pass, facts: make(map[ast.Node]*facts), decls: pass.ResultOf[decls.Analyzer].(*decls.Index)}

	for cur := range ins.Root().Preorder((*ast.DeferStmt)(nil)) {
		def := cur.Node().(*ast.DeferStmt)
		if astq.IsTestFile(pass, def.Pos()) {
			continue // sleeping in tests is not a service's latency
		}
		s, ok := c.siteOf(cur)
		if !ok {
			continue
		}
		w := c.newWalker(false)
		w.walkDeferred(def.Call)
		for _, o := range w.ops {
			if msg, ok := c.judge(o, s, def, w.adds); ok {
				pos := o.anchor
				if pos < def.Pos() || pos >= def.End() {
					pos = def.Pos()
				}
				pass.Report(analysis.Diagnostic{Pos: pos, Message: msg})
				break
			}
		}
	}
	return nil, nil
}

type checker struct {
	pass     *analysis.Pass
	decls    *decls.Index
	facts    map[ast.Node]*facts
	fieldBuf map[types.Object]bool // see bufferedField
}

func (c *checker) newWalker(all bool) *walker {
	return &walker{
		pass:  c.pass,
		decls: c.decls,
		all:   all,
		adds:  make(map[types.Object]bool),
		busy:  make(map[*ast.FuncDecl]bool),
	}
}

type siteKind int

const (
	siteOther   siteKind = iota
	siteHandler          // an HTTP handler: the client waits for the deferred call
	siteCtx              // receives a context or a request: someone waits for its result
)

// A site is the function whose return the deferred call holds up.
type site struct {
	kind siteKind
	name string // for messages
	// done is the way out to suggest, "ctx.Done()", "r.Context().Done()".
	done  string
	outer inspector.Cursor // the function, walked out through func(){...}()
	body  *ast.BlockStmt
}

// siteOf finds the function the defer at cur delays. A function literal
// called on the spot delays the function that calls it, so the search
// goes out through those. It reports false for main, init and functions
// without a body.
func (c *checker) siteOf(cur inspector.Cursor) (*site, bool) {
	fn, _, body := astq.EnclosingFunc(cur)
	for fn.Valid() {
		if _, lit := fn.Node().(*ast.FuncLit); !lit || fn.ParentEdgeKind() != edge.CallExpr_Fun {
			break
		}
		fn, _, body = astq.EnclosingFunc(fn.Parent())
	}
	if !fn.Valid() || body == nil {
		return nil, false
	}
	s := &site{outer: fn, body: body, name: astq.FuncName(fn)}
	if fd, ok := fn.Node().(*ast.FuncDecl); ok && fd.Recv == nil &&
		(fd.Name.Name == "init" || fd.Name.Name == "main" && c.pass.Pkg.Name() == "main") {
		return nil, false
	}
	sig := astq.Signature(c.pass, fn)
	if sig == nil {
		return nil, false
	}
	var w, req, ctx *types.Var
	for v := range sig.Params().Variables() {
		switch {
		case w == nil && astq.IsNamedType(v.Type(), "net/http", "ResponseWriter"):
			w = v
		case req == nil && astq.IsNamedType(v.Type(), "net/http", "Request"):
			req = v
		case ctx == nil && astq.IsNamedType(v.Type(), "context", "Context"):
			ctx = v
		}
	}
	switch {
	case w != nil && req != nil:
		s.kind = siteHandler
		if _, lit := fn.Node().(*ast.FuncLit); lit {
			s.name = "the handler"
		}
		s.done = named(req, "r") + ".Context().Done()"
	case ctx != nil:
		s.kind = siteCtx
		s.done = named(ctx, "ctx") + ".Done()"
	case req != nil:
		s.kind = siteCtx
		s.done = named(req, "req") + ".Context().Done()"
	}
	if s.kind == siteCtx && (astq.RunsUntilDone(c.pass, body) || astq.TeardownName(s.name)) {
		s.kind = siteOther
	}
	return s, true
}

func named(v *types.Var, def string) string {
	if v.Name() == "" || v.Name() == "_" {
		return def
	}
	return v.Name()
}

// facts are what the function holding the defer does around it.
type facts struct {
	ops    []op                  // channel operations, with their anchors in the body
	adds   map[types.Object]bool // WaitGroups/errgroups it adds goroutines to
	goRefs map[types.Object]bool // variables and fields its goroutines use
	local  map[types.Object]bool // channels and groups declared in its body
	buffer map[types.Object]bool // local channels made with a buffer
	// made holds the local variables whose value the function created:
	// from a constructor or another call (not make), a composite literal,
	// or a struct declared with its zero value. What hangs off them (a
	// queue, a preloader with its workers) is the function's own.
	made map[types.Object]bool
	// fresh holds the local channels made in the function (make) or
	// declared nil: nobody but the function can reach them.
	fresh map[types.Object]bool
	// derived holds the contexts the function derives with a cancel
	// (ctx, cancel := context.WithCancel(ctx)).
	derived map[types.Object]bool
	uses    map[types.Object]*uses
}

// uses classifies the uses of a local channel in its function.
type uses struct {
	send, recv, other bool
}

func (c *checker) factsOf(s *site) *facts {
	if f := c.facts[s.outer.Node()]; f != nil {
		return f
	}
	pass := c.pass
	f := &facts{
		goRefs:  make(map[types.Object]bool),
		local:   make(map[types.Object]bool),
		buffer:  make(map[types.Object]bool),
		made:    make(map[types.Object]bool),
		fresh:   make(map[types.Object]bool),
		derived: make(map[types.Object]bool),
		uses:    make(map[types.Object]*uses),
	}
	c.facts[s.outer.Node()] = f

	w := c.newWalker(true)
	w.walk(s.body, frame{})
	f.ops, f.adds = w.ops, w.adds

	// Goroutines started anywhere in the function, also in literals.
	for cur := range s.outer.Preorder((*ast.GoStmt)(nil), (*ast.CallExpr)(nil)) {
		var call *ast.CallExpr
		switch n := cur.Node().(type) {
		case *ast.GoStmt:
			call = n.Call
		case *ast.CallExpr:
			fn := astq.Callee(pass, n)
			if !astq.IsMethod(fn, "sync", "WaitGroup", "Go") &&
				!astq.IsMethod(fn, "golang.org/x/sync/errgroup", "Group", "Go", "TryGo") {
				continue
			}
			if recv, ok := astq.ReceiverExpr(n); ok {
				if k := keyOf(pass, recv, nil); k != nil {
					f.adds[k] = true
				}
			}
			call = n
		}
		c.refs(call, nil, f.goRefs)
		if fn := astq.Callee(pass, call); fn != nil && fn.Pkg() == pass.Pkg {
			if decl := c.decls.Of(fn); decl != nil && decl.Body != nil {
				w := c.newWalker(false)
				c.refs(decl.Body, w.bind(decl, call, nil), f.goRefs)
			}
		}
	}

	for cur := range s.outer.Preorder((*ast.AssignStmt)(nil)) {
		as := cur.Node().(*ast.AssignStmt)
		if len(as.Rhs) != 1 || len(as.Lhs) != 2 {
			continue
		}
		call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
		if !ok || !astq.IsFunc(astq.Callee(pass, call), "context",
			"WithCancel", "WithCancelCause", "WithTimeout", "WithTimeoutCause", "WithDeadline", "WithDeadlineCause") {
			continue
		}
		if id, ok := as.Lhs[0].(*ast.Ident); ok {
			if obj := pass.TypesInfo.ObjectOf(id); obj != nil {
				f.derived[obj] = true
			}
		}
	}

	// Local channels: how they are made and used.
	for cur := range s.outer.Preorder((*ast.Ident)(nil)) {
		id := cur.Node().(*ast.Ident)
		if obj, ok := pass.TypesInfo.Defs[id].(*types.Var); ok && obj.Pos() >= s.body.Pos() && obj.Pos() < s.body.End() {
			f.local[obj] = true
			rhs := initOf(cur, id)
			if rhs != nil && buffered(pass, rhs) {
				f.buffer[obj] = true
			}
			if madeHere(pass, cur, rhs) {
				f.made[obj] = true
			}
			if freshChan(pass, cur, rhs) {
				f.fresh[obj] = true
			}
			continue
		}
		obj, ok := pass.TypesInfo.Uses[id].(*types.Var)
		if !ok || !isChan(obj.Type()) {
			continue
		}
		u := f.uses[obj]
		if u == nil {
			u = new(uses)
			f.uses[obj] = u
		}
		switch p := cur.Parent().Node().(type) {
		case *ast.SendStmt:
			if p.Chan == id {
				u.send = true
			} else {
				u.other = true
			}
		case *ast.UnaryExpr:
			if p.Op == token.ARROW {
				u.recv = true
			} else {
				u.other = true
			}
		case *ast.RangeStmt:
			if p.X == id {
				u.recv = true
			} else {
				u.other = true
			}
		default:
			u.other = true
		}
	}
	return f
}

// refs adds to m the keys of the variables and fields used in n.
func (c *checker) refs(n ast.Node, subst map[types.Object]types.Object, m map[types.Object]bool) {
	ast.Inspect(n, func(n ast.Node) bool {
		if e, ok := n.(ast.Expr); ok {
			if k := keyOf(c.pass, e, subst); k != nil {
				m[k] = true
			}
		}
		return true
	})
}

// initOf returns the expression that initializes the variable defined by
// id in x := e or var x = e, or nil.
func initOf(cur inspector.Cursor, id *ast.Ident) ast.Expr {
	switch p := cur.Parent().Node().(type) {
	case *ast.AssignStmt:
		if len(p.Lhs) == len(p.Rhs) {
			for i, l := range p.Lhs {
				if l == id {
					return p.Rhs[i]
				}
			}
		}
	case *ast.ValueSpec:
		if len(p.Names) == len(p.Values) {
			for i, n := range p.Names {
				if n == id {
					return p.Values[i]
				}
			}
		}
	}
	return nil
}

// madeHere reports whether the variable defined by the identifier at cur,
// initialized with rhs (nil if none), holds a value the function made.
func madeHere(pass *analysis.Pass, cur inspector.Cursor, rhs ast.Expr) bool {
	if rhs == nil {
		spec, ok := cur.Parent().Node().(*ast.ValueSpec)
		if !ok || len(spec.Values) > 0 {
			return false
		}
		_, isStruct := pass.TypesInfo.TypeOf(cur.Node().(*ast.Ident)).Underlying().(*types.Struct)
		return isStruct
	}
	switch x := ast.Unparen(rhs).(type) {
	case *ast.CompositeLit:
		return true
	case *ast.UnaryExpr:
		_, ok := ast.Unparen(x.X).(*ast.CompositeLit)
		return x.Op == token.AND && ok
	case *ast.CallExpr:
		if tv, ok := pass.TypesInfo.Types[x.Fun]; ok && (tv.IsType() || tv.IsBuiltin()) {
			return false // a conversion, make, new
		}
		return true
	}
	return false
}

// freshChan reports whether the variable defined by the identifier at
// cur, initialized with rhs (nil if none), is a channel the function
// makes, or a nil channel.
func freshChan(pass *analysis.Pass, cur inspector.Cursor, rhs ast.Expr) bool {
	if !isChan(pass.TypesInfo.TypeOf(cur.Node().(*ast.Ident))) {
		return false
	}
	if rhs == nil {
		spec, ok := cur.Parent().Node().(*ast.ValueSpec)
		return ok && len(spec.Values) == 0
	}
	call, ok := ast.Unparen(rhs).(*ast.CallExpr)
	return ok && isMake(pass, call)
}

// isMake reports whether call calls the builtin make.
func isMake(pass *analysis.Pass, call *ast.CallExpr) bool {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := pass.TypesInfo.Uses[id].(*types.Builtin)
	return ok && b.Name() == "make"
}

// buffered reports whether e is make(chan T, n) with n not the constant 0.
func buffered(pass *analysis.Pass, e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok || len(call.Args) != 2 || !isMake(pass, call) {
		return false
	}
	if tv, ok := pass.TypesInfo.Types[call.Args[1]]; ok && tv.Value != nil {
		n, exact := constant.Int64Val(constant.ToInt(tv.Value))
		return !exact || n > 0
	}
	return true
}

// helperLocal reports whether key is a variable declared in the body of
// a helper the walk went into (not a field, not a package variable, not
// a variable of the function holding the defer): helpers' parameters are
// replaced by the caller's variables, so only their locals remain.
func (c *checker) helperLocal(key types.Object, f *facts, s *site) bool {
	v, ok := key.(*types.Var)
	if !ok || v.IsField() || f.local[v] || v.Pkg() != c.pass.Pkg || v.Parent() == nil || v.Parent() == v.Pkg().Scope() {
		return false
	}
	for _, fd := range c.decls.All() {
		if fd.Body != nil && fd.Body.Pos() <= v.Pos() && v.Pos() < fd.Body.End() {
			return !(s.body.Pos() <= v.Pos() && v.Pos() < s.body.End())
		}
	}
	return false
}

// bufferedField reports whether key is a struct field that every channel
// made for it in the package is buffered: a semaphore whose tokens are
// taken and given back, or a queue with room. A channel made into a
// local variable first (q := make(chan T, n); return &S{q: q}) counts
// as made for the field when the variable is assigned nothing else.
func (c *checker) bufferedField(key types.Object) bool {
	v, ok := key.(*types.Var)
	if !ok || !v.IsField() {
		return false
	}
	if c.fieldBuf == nil {
		c.fieldBuf = c.bufferedFields()
	}
	return c.fieldBuf[key]
}

func (c *checker) bufferedFields() map[types.Object]bool {
	type store struct {
		field types.Object
		val   ast.Expr
	}
	var stores []store
	made := make(map[*types.Var]*ast.CallExpr) // locals assigned one make and nothing else
	other := make(map[*types.Var]bool)
	local := func(id *ast.Ident, val ast.Expr) {
		v, ok := c.pass.TypesInfo.ObjectOf(id).(*types.Var)
		if !ok || v.IsField() || v.Parent() == nil || v.Parent() == v.Pkg().Scope() {
			return
		}
		if call, ok := ast.Unparen(val).(*ast.CallExpr); ok && isMake(c.pass, call) && made[v] == nil && !other[v] {
			made[v] = call
			return
		}
		delete(made, v)
		other[v] = true
	}
	for _, file := range c.pass.Files {
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok {
					if fv, ok := c.pass.TypesInfo.Uses[id].(*types.Var); ok && fv.IsField() {
						stores = append(stores, store{fv, n.Value})
					}
				}
			case *ast.AssignStmt:
				for i, l := range n.Lhs {
					var val ast.Expr
					if len(n.Lhs) == len(n.Rhs) {
						val = n.Rhs[i]
					}
					switch l := ast.Unparen(l).(type) {
					case *ast.SelectorExpr:
						if fs := c.pass.TypesInfo.Selections[l]; fs != nil && fs.Kind() == types.FieldVal && val != nil {
							stores = append(stores, store{fs.Obj(), val})
						}
					case *ast.Ident:
						if l.Name != "_" {
							local(l, val)
						}
					}
				}
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if i < len(n.Values) {
						local(id, n.Values[i])
					}
				}
			}
			return true
		})
	}
	buf := make(map[types.Object]bool)
	for _, st := range stores {
		val := ast.Unparen(st.val)
		if id, ok := val.(*ast.Ident); ok {
			if v, ok := c.pass.TypesInfo.Uses[id].(*types.Var); ok && made[v] != nil {
				val = made[v]
			}
		}
		call, ok := val.(*ast.CallExpr)
		if !ok || !isMake(c.pass, call) {
			continue
		}
		b := buffered(c.pass, call)
		if prev, seen := buf[st.field]; seen {
			b = b && prev
		}
		buf[st.field] = b
	}
	return buf
}

// judge decides whether the blocking operation o, reached from the
// deferred call of def, is reported, and with which message.
func (c *checker) judge(o op, s *site, def *ast.DeferStmt, adds map[types.Object]bool) (string, bool) {
	f := c.factsOf(s)
	request := s.kind != siteOther
	if o.key != nil && c.helperLocal(o.key, f, s) {
		// A channel or group a helper declared for itself: the helper
		// waits for what it started.
		return "", false
	}
	if o.key != nil && c.bufferedField(o.key) {
		return "", false // a token of a semaphore, or room in a queue
	}
	switch o.kind {
	case opSleep:
		if !request && len(o.via) > 0 || o.retry {
			// A pause between the attempts of a retry loop is part
			// of the work the deferred call does, not a wait after it.
			return "", false
		}
		return c.sleepMsg(o, s), true
	case opTimer:
		if !request {
			return "", false
		}
		return fmt.Sprintf("deferred receive from %s%s waits for the timer and holds %s until it fires (remove it or move it out of the request path)",
			astq.Render(o.expr), where(o), subject(s)), true
	case opCtxDone:
		if !request || o.root != nil && f.derived[o.root] { // a context it derived, and can cancel
			return "", false
		}
		return fmt.Sprintf("deferred receive from %s%s blocks %s until the context is canceled, which its owner usually does only after the return: the goroutine can hang forever (remove the wait)",
			astq.Render(o.expr), where(o), subject(s)), true
	case opSend, opRecv, opRange:
		if o.root != nil && f.made[o.root] {
			return "", false // the channel belongs to a value the function made
		}
		if o.key != nil {
			if f.goRefs[o.key] {
				return "", false // a goroutine of the function's own does the other half
			}
			if o.kind == opSend && f.local[o.key] && f.buffer[o.key] {
				return "", false
			}
			for _, b := range f.ops {
				if b.key == o.key && b.anchor < def.Pos() && (b.kind == opSend) != (o.kind == opSend) {
					return "", false // a token taken before is given back, or the reverse
				}
			}
			if f.fresh[o.key] && !f.buffer[o.key] {
				if u := f.uses[o.key]; u != nil && !u.other {
					if o.kind == opSend && !u.recv {
						return fmt.Sprintf("deferred send on %s%s blocks %s forever: nothing receives from %s, so the goroutine leaks (remove the send)",
							astq.Render(o.expr), where(o), subject(s), astq.Render(o.expr)), true
					}
					if o.kind != opSend && !u.send {
						return fmt.Sprintf("deferred receive from %s%s blocks %s forever: nothing sends on or closes %s, so the goroutine leaks (remove the receive)",
							astq.Render(o.expr), where(o), subject(s), astq.Render(o.expr)), true
					}
				}
			}
		}
		if !request {
			return "", false
		}
		ch := astq.Render(o.expr)
		leak := "the goroutine leaks"
		if s.kind == siteHandler {
			leak = "the handler goroutine leaks"
		}
		switch o.kind {
		case opSend:
			return fmt.Sprintf("deferred send on %s%s blocks %s until someone receives: if nobody does, %s (use select with %s)",
				ch, where(o), subject(s), leak, s.done), true
		case opRecv:
			return fmt.Sprintf("deferred receive from %s%s blocks %s until someone sends on or closes %s: if nobody does, %s (use select with %s)",
				ch, where(o), subject(s), ch, leak, s.done), true
		default:
			return fmt.Sprintf("deferred range over %s%s blocks %s until %s is closed: if it never is, %s (drain it elsewhere, or select with %s)",
				ch, where(o), subject(s), ch, leak, s.done), true
		}
	case opWaitGroup, opErrGroup:
		if !request || o.key == nil || f.local[o.key] || f.adds[o.key] || adds[o.key] || f.goRefs[o.key] || o.root != nil && f.made[o.root] {
			return "", false
		}
		g := astq.Render(o.expr)
		lost := ""
		if o.kind == opErrGroup {
			lost = ", and drops their error"
		}
		return fmt.Sprintf("deferred %s.Wait()%s blocks %s until every goroutine counted in %s is done, not only those %s started%s: their latency becomes its latency (wait only for goroutines it starts, or bound the wait with %s)",
			g, where(o), subject(s), g, s.name, lost, s.done), true
	case opCond:
		if !request || o.loop {
			// Waiting in a loop on the condition is how a Cond is used;
			// whoever wrote it arranged for the signal.
			return "", false
		}
		return fmt.Sprintf("deferred %s.Wait()%s blocks %s until another goroutine signals %s: if none does, the goroutine hangs (wait for the condition before returning, with a way out)",
			astq.Render(o.expr), where(o), subject(s), astq.Render(o.expr)), true
	}
	return "", false
}

func (c *checker) sleepMsg(o op, s *site) string {
	what := "time.Sleep(" + o.dur + ")"
	if o.after {
		what = "receive from time.After(" + o.dur + ")"
	}
	switch s.kind {
	case siteHandler:
		done := "the handler is done"
		return fmt.Sprintf("deferred %s%s holds %s for %s after %s (remove it or move it out of the request path)",
			what, where(o), subject(s), o.dur, done)
	case siteCtx:
		return fmt.Sprintf("deferred %s%s holds %s for %s after its work is done (remove it or move it out of the request path)",
			what, where(o), subject(s), o.dur)
	}
	return fmt.Sprintf("deferred %s%s holds %s for %s after its work is done (remove it, or sleep where a pause is needed)",
		what, where(o), subject(s), o.dur)
}

// subject names what the deferred call holds up.
func subject(s *site) string {
	if s.kind == siteHandler {
		if s.name == "the handler" {
			return "the handler's response"
		}
		return "the response of " + s.name
	}
	if s.name == "the function literal" {
		return "the return of the function literal"
	}
	return s.name + "'s return"
}

// where says through which helpers the operation is reached: "" when it
// is written in the deferred call itself, " (in s.finish)", " (in pause,
// called from s.finish)".
func where(o op) string {
	switch len(o.via) {
	case 0:
		return ""
	case 1:
		return " (in " + o.via[0] + ")"
	}
	return " (in " + o.via[len(o.via)-1] + ", called from " + o.via[0] + ")"
}
