package deferargs

import (
	_ "embed"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/silentfail/silentfail/internal/astq"
	"github.com/silentfail/silentfail/internal/decls"
	"github.com/silentfail/silentfail/internal/flow"
	"github.com/silentfail/silentfail/internal/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports arguments of deferred calls that are evaluated when
// the defer statement runs although the call needs their value at return.
var Analyzer = &analysis.Analyzer{
	Name:     "deferargs",
	Doc:      astq.ExtractDoc(doc, "deferargs"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/deferargs",
	Requires: []*analysis.Analyzer{inspect.Analyzer, flow.Analyzer, decls.Analyzer},
	Run:      run,
}

// inTests turns on the opt-in form that reports deferred calls in test
// code.
var inTests bool

func init() {
	Analyzer.Flags.BoolVar(&inTests, "tests", false,
		"also report deferred calls in code that only tests run (opt-in: a test's cleanup or log taking an early value misleads that test, not a service)")
}

func run(pass *analysis.Pass) (any, error) {
	pass = suppress.Filter(pass)
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	cfgs := pass.ResultOf[flow.Analyzer].(*flow.CFGs)
	index := pass.ResultOf[decls.Analyzer].(*decls.Index)

	isTestCode := astq.TestCode(pass)
	foreign := make(map[*types.Func]*ast.FuncDecl)
	for cur := range ins.Root().Preorder((*ast.DeferStmt)(nil)) {
		def := cur.Node().(*ast.DeferStmt)
		if len(deferredArgs(def.Call)) == 0 || isBuiltin(pass, def.Call) {
			continue // defer cancel(), defer close(ch): nothing is evaluated early
		}
		fn, _, body := astq.EnclosingFunc(cur)
		if !fn.Valid() || body == nil {
			continue
		}
		testCode := isTestCode(def.Pos())
		if testCode && !inTests {
			continue // rule "test code is opt-in"
		}
		c := &checker{pass: pass, cfgs: cfgs, index: index, foreign: foreign, def: def, cur: cur, fn: fn, body: body, testCode: testCode}
		c.check()
	}
	return nil, nil
}

// deferredArgs returns the arguments evaluated by the defer statement
// on behalf of the deferred call: those of the call, and those of the
// calls that produce the function to defer (defer track(name, err)()).
func deferredArgs(call *ast.CallExpr) []ast.Expr {
	args := call.Args
	for {
		inner, ok := ast.Unparen(call.Fun).(*ast.CallExpr)
		if !ok {
			return args
		}
		args = append(append([]ast.Expr(nil), inner.Args...), args...)
		call = inner
	}
}

// isBuiltin reports whether call calls a builtin other than print and
// println (the only builtins whose deferred arguments are reported on).
func isBuiltin(pass *analysis.Pass, call *ast.CallExpr) bool {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := pass.TypesInfo.Uses[id].(*types.Builtin)
	return ok && b.Name() != "print" && b.Name() != "println"
}

// A write is a statement or expression that may change a variable.
type write struct {
	pos token.Pos
	// rhs is the value assigned when it is known as one expression
	// (x = rhs, x := rhs, var x = rhs, return rhs); nil otherwise
	// (x++, x += y, &x, multi-value assignments).
	rhs ast.Expr
	// zero marks a declaration without a value (var x T, a named result).
	zero bool
	// earlier marks a write inside a loop that contains the defer, placed
	// before it: it belongs to a previous iteration, whose deferred call
	// deliberately took the value of its own iteration.
	earlier bool
}

type checker struct {
	pass  *analysis.Pass
	cfgs  *flow.CFGs
	index *decls.Index
	// foreign holds the declarations read from other packages' source
	// files, shared by the checkers of one package.
	foreign map[*types.Func]*ast.FuncDecl
	def     *ast.DeferStmt
	cur     inspector.Cursor
	fn      inspector.Cursor
	body    *ast.BlockStmt

	testCode bool // the defer is in code only tests run: the opt-in form

	loops []ast.Node // for and range statements of fn that contain the defer

	reached   bool
	later     []ast.Node               // CFG nodes that can run after the defer statement
	after     map[types.Object][]write // writes among them
	rangeAsgn map[ast.Expr]bool        // keys and values of `for k, v = range` in fn
	before    map[types.Object][]write // writes textually before the defer, declarations included
	flagged   map[types.Object]bool    // variables whose late value the deferred call wants
	fnSig     *types.Signature         // signature of fn
	results   map[types.Object]int     // named results of fn, by index
	elapsed   map[*ast.CallExpr]bool   // time.Since-like calls found in the arguments
	nilOnly   map[*types.Var]bool      // errors the arguments only compare with nil
}

func (c *checker) check() {
	pass, call := c.pass, c.def.Call
	for l := range c.cur.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil)) {
		if l.Node().Pos() > c.fn.Node().Pos() {
			c.loops = append(c.loops, l.Node())
		}
	}
	c.fnSig = astq.Signature(pass, c.fn)
	c.results = make(map[types.Object]int)
	if c.fnSig != nil {
		for i := range c.fnSig.Results().Len() {
			if v := c.fnSig.Results().At(i); v.Name() != "" && v.Name() != "_" {
				c.results[v] = i
			}
		}
	}
	fun := ast.Unparen(call.Fun)
	for inner, ok := fun.(*ast.CallExpr); ok; inner, ok = fun.(*ast.CallExpr) {
		fun = ast.Unparen(inner.Fun)
	}
	_, isLit := fun.(*ast.FuncLit)

	// First shape: a duration measured against the clock, frozen at the
	// defer statement.
	c.elapsed = make(map[*ast.CallExpr]bool)
	var first *ast.CallExpr
	var unread map[ast.Expr]bool
	if c.mayReport(deferredArgs(call)) {
		unread = c.unreadArgs(call) // may parse another package's source: only when it matters
	}
	var args []ast.Expr
	for _, arg := range deferredArgs(call) {
		if !unread[arg] {
			args = append(args, arg)
		}
	}
	for _, arg := range args {
		inspectNoLits(arg, func(n ast.Node) bool {
			if e, ok := n.(*ast.CallExpr); ok && c.isElapsed(e) {
				c.elapsed[e] = true
				if first == nil {
					first = e
				}
				return false
			}
			return true
		})
	}
	// Second shape: a variable read now that the function changes later.
	// Not in defer func(v T) { ... }(v): passing the value to a function
	// literal is the idiom for capturing it now.
	var vars []*types.Var
	c.flagged = make(map[types.Object]bool)
	c.nilOnly = c.nilComparedOnly(args)
	for _, arg := range args {
		if isLit {
			break
		}
		inspectNoLits(arg, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.UnaryExpr:
				return n.Op != token.AND // &x: the callee reads x through the pointer, late
			case *ast.Ident:
				v, ok := pass.TypesInfo.Uses[n].(*types.Var)
				if ok && !c.flagged[v] && c.stale(v) {
					c.flagged[v] = true
					vars = append(vars, v)
				}
			}
			return true
		})
	}
	switch {
	case first != nil && c.workAfter():
		c.reportElapsed(first, isLit)
	case len(vars) > 0:
		c.reportStale(vars)
	}
}

// mayReport reports whether one of args measures elapsed time or reads
// a variable of fn that is written after the defer statement: the only
// arguments either shape can report.
func (c *checker) mayReport(args []ast.Expr) bool {
	found := false
	for _, arg := range args {
		inspectNoLits(arg, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				found = found || c.isElapsed(n)
			case *ast.Ident:
				v, ok := c.pass.TypesInfo.Uses[n].(*types.Var)
				found = found || ok && c.declaredInFn(v) && len(c.writesAfter()[v]) > 0
			}
			return !found
		})
	}
	return found
}

// doesWork reports whether body has a statement other than a return:
// an empty body or a bare return is a stand-in.
func doesWork(body *ast.BlockStmt) bool {
	for _, st := range body.List {
		if _, ok := st.(*ast.ReturnStmt); !ok {
			return true
		}
	}
	return false
}

var knownOS = map[string]bool{"aix": true, "android": true, "darwin": true, "dragonfly": true, "freebsd": true, "hurd": true, "illumos": true, "ios": true, "js": true, "linux": true, "nacl": true, "netbsd": true, "openbsd": true, "plan9": true, "solaris": true, "wasip1": true, "windows": true, "zos": true, "unix": true}

var knownArch = map[string]bool{"386": true, "amd64": true, "arm": true, "arm64": true, "loong64": true, "mips": true, "mipsle": true, "mips64": true, "mips64le": true, "ppc64": true, "ppc64le": true, "riscv64": true, "s390x": true, "sparc64": true, "wasm": true}

// neverRead reports whether the parameter v is blank, unused, or used
// in body only as a result of a return statement.
func (c *checker) neverRead(v *types.Var, body *ast.BlockStmt) bool {
	if v.Name() == "" || v.Name() == "_" {
		return true
	}
	read := false
	ast.Inspect(body, func(n ast.Node) bool {
		if read {
			return false
		}
		if ret, ok := n.(*ast.ReturnStmt); ok {
			for _, r := range ret.Results {
				if id, ok := ast.Unparen(r).(*ast.Ident); ok && c.pass.TypesInfo.Uses[id] == v {
					continue
				}
				ast.Inspect(r, func(m ast.Node) bool {
					if id, ok := m.(*ast.Ident); ok && c.pass.TypesInfo.Uses[id] == v {
						read = true
					}
					return !read
				})
			}
			return false
		}
		if id, ok := n.(*ast.Ident); ok && c.pass.TypesInfo.Uses[id] == v {
			read = true
		}
		return !read
	})
	return !read
}

// inspectNoLits is ast.Inspect that does not enter function literals.
func inspectNoLits(n ast.Node, f func(ast.Node) bool) {
	ast.Inspect(n, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		return f(n)
	})
}
