package ctxreplace

import (
	_ "embed"
	"go/ast"
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
