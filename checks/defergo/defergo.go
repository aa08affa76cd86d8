package defergo

import (
	_ "embed"
	"fmt"
	"go/ast"
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

// Analyzer reports goroutines started by deferred calls that nothing
// waits for.
var Analyzer = &analysis.Analyzer{
	Name:     "defergo",
	Doc:      astq.ExtractDoc(doc, "defergo"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/defergo",
	Requires: []*analysis.Analyzer{inspect.Analyzer, decls.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	pass = suppress.Filter(pass)
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	c := &checker{pass: pass}

	for cur := range ins.Root().Preorder((*ast.DeferStmt)(nil)) {
		def := cur.Node().(*ast.DeferStmt)
		if astq.IsTestFile(pass, def.Pos()) {
			continue
		}
		fn, ok := c.siteOf(cur)
		if !ok {
			continue
		}
		c.init()
		for _, g := range c.goroutines(def.Call) {
			if c.tracked(g) {
				continue
			}
			lost := c.dropsError(g.stmt.Call)
			if !fn.request && !lost {
				continue // off the request path, a goroutine that handles its own error is a design choice
			}
			outcome := "and under load one more piles up per call"
			if lost {
				outcome = "and its errors are lost"
			}
			pos := g.stmt.Pos()
			if g.via != "" {
				pos = g.anchor
			}
			who := "deferred closure"
			if _, lit := ast.Unparen(def.Call.Fun).(*ast.FuncLit); !lit {
				who = "deferred " + calleeName(def.Call) + "()"
			}
			in := ""
			if g.via != "" && who != "deferred "+g.via+"()" {
				in = " (in " + g.via + ")"
			}
			pass.Report(analysis.Diagnostic{
				Pos: pos,
				End: pos,
				Message: fmt.Sprintf("%s starts a goroutine%s running %s that nothing waits for: it outlives %s %s (run it synchronously, or track it with a WaitGroup %s)",
					who, in, running(pass, g.stmt.Call), fn.name, outcome, fn.owner),
			})
			break
		}
	}
	return nil, nil
}

type checker struct {
	pass  *analysis.Pass
	decls *decls.Index
	recvd map[types.Object]bool // channels received from somewhere in the package
}

// init indexes the package on the first defer that needs it.
func (c *checker) init() {
	if c.recvd != nil {
		return
	}
	pass := c.pass
	c.decls = pass.ResultOf[decls.Analyzer].(*decls.Index)
	c.recvd = make(map[types.Object]bool)
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			var ch ast.Expr
			switch n := n.(type) {
			case *ast.UnaryExpr:
				if n.Op == token.ARROW {
					ch = n.X
				}
			case *ast.RangeStmt:
				if t := pass.TypesInfo.TypeOf(n.X); t != nil {
					if _, ok := t.Underlying().(*types.Chan); ok {
						ch = n.X
					}
				}
			}
			if k := keyOf(pass, ch); k != nil {
				c.recvd[k] = true
			}
			return true
		})
	}
}

// A fn is the function whose deferred call starts the goroutine.
type fn struct {
	name  string
	owner string // who should own the WaitGroup, for the message
	// request is set for HTTP handlers and functions that receive a
	// context or a request: the goroutine outlives a request.
	request bool
}

// siteOf finds the function the defer at cur belongs to, out through
// function literals called on the spot. It reports false for main and
// init, where goroutines end with the process.
func (c *checker) siteOf(cur inspector.Cursor) (fn, bool) {
	f, _, body := astq.EnclosingFunc(cur)
	for f.Valid() {
		if _, lit := f.Node().(*ast.FuncLit); !lit || f.ParentEdgeKind() != edge.CallExpr_Fun {
			break
		}
		f, _, body = astq.EnclosingFunc(f.Parent())
	}
	if !f.Valid() || body == nil {
		return fn{}, false
	}
	out := fn{name: astq.FuncName(f), owner: "that its caller waits on"}
	fd, isDecl := f.Node().(*ast.FuncDecl)
	if isDecl && fd.Recv == nil && (fd.Name.Name == "init" || fd.Name.Name == "main" && c.pass.Pkg.Name() == "main") {
		return fn{}, false
	}
	request := false
	if sig := astq.Signature(c.pass, f); sig != nil {
		for v := range sig.Params().Variables() {
			if astq.IsNamedType(v.Type(), "context", "Context") || astq.IsNamedType(v.Type(), "net/http", "Request") {
				request = true
			}
		}
		if r := sig.Recv(); r != nil && !request {
			if n := astq.NamedOf(r.Type()); n != nil {
				out.owner = "owned by its " + n.Obj().Name()
			}
		}
	}
	if request && astq.RunsUntilDone(c.pass, body) {
		request = false // a worker that runs until its context is done
	}
	if request {
		out.owner = "owned by the server"
	}
	out.request = request
	return out, true
}

// A goroutine is a go statement the deferred call runs.
type goroutine struct {
	stmt   *ast.GoStmt
	body   *ast.BlockStmt // the function body the go statement is in
	via    string         // the same-package function it is in, if not the deferred closure
	anchor token.Pos      // where the deferred closure leads to it
}

// goroutines returns the go statements that the deferred call runs: in
// the deferred function literal, in the same-package function it defers,
// and in the same-package functions the literal calls (one level).
func (c *checker) goroutines(call *ast.CallExpr) []goroutine {
	var out []goroutine
	// inHelper adds the go statements of a same-package function that
	// always starts them: those written at the top level of its body. A
	// helper that starts a goroutine only in some branch is a design
	// decision of its own (run again later without blocking the caller),
	// not the deferred call's.
	inHelper := func(decl *ast.FuncDecl, via *ast.CallExpr) {
		for _, st := range decl.Body.List {
			if g, ok := st.(*ast.GoStmt); ok {
				out = append(out, goroutine{stmt: g, body: decl.Body, via: calleeName(via), anchor: via.Pos()})
			}
		}
	}
	var scan func(n ast.Node, body *ast.BlockStmt)
	scan = func(n ast.Node, body *ast.BlockStmt) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				out = append(out, goroutine{stmt: n, body: body, anchor: n.Pos()})
				return false
			case *ast.FuncLit:
				return false // not run by the deferred call, unless called on the spot
			case *ast.CallExpr:
				if lit, ok := ast.Unparen(n.Fun).(*ast.FuncLit); ok {
					scan(lit.Body, body)
				} else if decl := c.helper(n); decl != nil {
					inHelper(decl, n)
				}
			}
			return true
		})
	}
	if lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
		scan(lit.Body, lit.Body)
	} else if decl := c.helper(call); decl != nil {
		inHelper(decl, call)
	}
	return out
}

// helper returns the declaration of the same-package function call calls.
func (c *checker) helper(call *ast.CallExpr) *ast.FuncDecl {
	f := astq.Callee(c.pass, call)
	if f == nil || f.Pkg() != c.pass.Pkg {
		return nil
	}
	if d := c.decls.Of(f); d != nil && d.Body != nil {
		return d
	}
	return nil
}

// tracked reports whether something waits for, or can stop, the
// goroutine g: it calls Done on a WaitGroup, a WaitGroup's Add precedes
// it, it reports on a channel that the package receives from, or it
// watches a stop signal (see stoppable).
func (c *checker) tracked(g goroutine) bool {
	pass := c.pass
	found := false
	signals := func(n ast.Node) bool {
		if found {
			return false
		}
		switch n := n.(type) {
		case *ast.CallExpr:
			f := astq.Callee(pass, n)
			if astq.IsMethod(f, "sync", "WaitGroup", "Done") {
				found = true
			}
			if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok && len(n.Args) == 1 {
				if b, ok := pass.TypesInfo.Uses[id].(*types.Builtin); ok && b.Name() == "close" && c.recvd[keyOf(pass, n.Args[0])] {
					found = true
				}
			}
		case *ast.SendStmt:
			if c.recvd[keyOf(pass, n.Chan)] {
				found = true
			}
		}
		return true
	}
	ast.Inspect(g.stmt.Call, signals)
	decl := c.helper(g.stmt.Call)
	if decl != nil {
		ast.Inspect(decl.Body, signals)
	}
	if found || c.stoppable(g.stmt.Call) || decl != nil && c.stoppable(decl.Body) {
		return true
	}
	ast.Inspect(g.body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && call.Pos() < g.stmt.Pos() &&
			astq.IsMethod(astq.Callee(pass, call), "sync", "WaitGroup", "Add") {
			found = true
		}
		return !found
	})
	return found
}

// stoppable reports whether the code at n watches a stop signal: it
// receives from a context's Done(), or has a select case receiving from
// a chan struct{} (done, quit, stop). Whoever owns the signal bounds the
// goroutine's life.
func (c *checker) stoppable(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.UnaryExpr:
			if call, ok := ast.Unparen(n.X).(*ast.CallExpr); ok && n.Op == token.ARROW &&
				astq.IsMethod(astq.Callee(c.pass, call), "context", "Context", "Done") {
				found = true
			}
		case *ast.SelectStmt:
			for _, st := range n.Body.List {
				cc := st.(*ast.CommClause)
				var e ast.Expr
				switch comm := cc.Comm.(type) {
				case *ast.ExprStmt:
					e = comm.X
				case *ast.AssignStmt:
					if len(comm.Rhs) == 1 {
						e = comm.Rhs[0]
					}
				}
				if u, ok := ast.Unparen(e).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
					if ch, ok := c.pass.TypesInfo.TypeOf(u.X).Underlying().(*types.Chan); ok {
						if st, ok := ch.Elem().Underlying().(*types.Struct); ok && st.NumFields() == 0 {
							found = true
						}
					}
				}
			}
		}
		return !found
	})
	return found
}

// dropsError reports whether the goroutine started by call discards an
// error: the function it runs returns one, or the literal it runs calls
// a function returning an error as a statement.
func (c *checker) dropsError(call *ast.CallExpr) bool {
	lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit)
	if !ok {
		return returnsError(c.pass.TypesInfo.TypeOf(call))
	}
	lost := false
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ExprStmt:
			if call, ok := ast.Unparen(n.X).(*ast.CallExpr); ok && returnsError(c.pass.TypesInfo.TypeOf(call)) {
				lost = true
			}
		}
		return !lost
	})
	return lost
}

// returnsError reports whether a call's type (a result or a tuple of
// results) contains an error.
func returnsError(t types.Type) bool {
	if t == nil {
		return false
	}
	if tup, ok := t.(*types.Tuple); ok {
		for v := range tup.Variables() {
			if astq.IsErrorType(v.Type()) {
				return true
			}
		}
		return false
	}
	return astq.IsErrorType(t)
}

// running names what the goroutine runs: "flush", "s.flush", or for a
// literal the one call it makes, else "a function literal".
func running(pass *analysis.Pass, call *ast.CallExpr) string {
	if lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
		if len(lit.Body.List) == 1 {
			if es, ok := lit.Body.List[0].(*ast.ExprStmt); ok {
				if inner, ok := ast.Unparen(es.X).(*ast.CallExpr); ok {
					if _, lit := ast.Unparen(inner.Fun).(*ast.FuncLit); !lit {
						return calleeName(inner)
					}
				}
			}
		}
		return "a function literal"
	}
	return calleeName(call)
}

// calleeName renders the function part of a call: "flush", "s.flush".
func calleeName(call *ast.CallExpr) string {
	fun := ast.Unparen(call.Fun)
	switch ix := fun.(type) {
	case *ast.IndexExpr:
		fun = ix.X
	case *ast.IndexListExpr:
		fun = ix.X
	}
	return astq.Render(fun)
}

// keyOf returns the identity of a channel expression: its variable, or
// its field whatever the value holding it; nil when there is none.
func keyOf(pass *analysis.Pass, e ast.Expr) types.Object {
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		if v, ok := pass.TypesInfo.ObjectOf(x).(*types.Var); ok {
			return v
		}
	case *ast.SelectorExpr:
		if sel := pass.TypesInfo.Selections[x]; sel != nil {
			if sel.Kind() == types.FieldVal {
				return sel.Obj()
			}
			return nil
		}
		if v, ok := pass.TypesInfo.ObjectOf(x.Sel).(*types.Var); ok {
			return v
		}
	case *ast.StarExpr:
		return keyOf(pass, x.X)
	}
	return nil
}
