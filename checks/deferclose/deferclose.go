package deferclose

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
	"github.com/silentfail/silentfail/internal/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports cleanups deferred before the error check of the call
// that produced the value, and dropped Close errors of writers.
var Analyzer = &analysis.Analyzer{
	Name:     "deferclose",
	Doc:      astq.ExtractDoc(doc, "deferclose"),
	URL:      "https://pkg.go.dev/github.com/silentfail/silentfail/checks/deferclose",
	Requires: []*analysis.Analyzer{inspect.Analyzer, decls.Analyzer},
	Run:      run,
}

// dropped turns on the opt-in form (b): the dropped error of a deferred
// Close on something written. The default form (a) reports cleanups
// deferred before the error check, which panic on the failure path.
var dropped bool

// inTests turns on the opt-in form that reports form (a) in test code.
var inTests bool

func init() {
	Analyzer.Flags.BoolVar(&dropped, "dropped", false,
		"also report the dropped error of a deferred Close of a written file or writer (opt-in: on real services most are harmless)")
	Analyzer.Flags.BoolVar(&inTests, "tests", false,
		"also report cleanups deferred before the error check in test code (opt-in: the panic only changes how an already failing test ends)")
}

func run(pass *analysis.Pass) (any, error) {
	pass = suppress.Filter(pass)
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	c := &checker{pass: pass, ins: ins, decls: pass.ResultOf[decls.Analyzer].(*decls.Index)}

	for cur := range ins.Root().Preorder((*ast.AssignStmt)(nil), (*ast.DeclStmt)(nil), (*ast.DeferStmt)(nil)) {
		switch n := cur.Node().(type) {
		case *ast.AssignStmt:
			if len(n.Rhs) == 1 && (n.Tok == token.DEFINE || n.Tok == token.ASSIGN) {
				c.checkEarlyDefer(cur, n.Lhs, n.Rhs[0])
			}
		case *ast.DeclStmt:
			if gd, ok := n.Decl.(*ast.GenDecl); ok && gd.Tok == token.VAR && len(gd.Specs) == 1 {
				if vs := gd.Specs[0].(*ast.ValueSpec); len(vs.Values) == 1 {
					lhs := make([]ast.Expr, len(vs.Names))
					for i, id := range vs.Names {
						lhs[i] = id
					}
					c.checkEarlyDefer(cur, lhs, vs.Values[0])
				}
			}
		case *ast.DeferStmt:
			if dropped {
				// Rule "dropped Close is opt-in": only when asked for.
				c.checkDroppedClose(cur)
			}
		}
	}
	return nil, nil
}

// checker holds what the two halves of the check share for one package.
type checker struct {
	pass  *analysis.Pass
	ins   *inspector.Inspector
	decls *decls.Index // functions and methods declared in the package
	// foreign memoizes foreignNilSafe: a method's source file is read
	// once per package, however many defers call it.
	foreign map[*types.Func]foreignResult
	// neverFails memoizes foreignNeverFails.
	neverFails map[*types.Func]bool
}

// funcDecl returns the declaration of fn in the package being analyzed,
// or nil (another package, an interface method, a function value).
func (c *checker) funcDecl(fn *types.Func) *ast.FuncDecl {
	if fn == nil || fn.Pkg() != c.pass.Pkg {
		return nil
	}
	return c.decls.Of(fn)
}

// objOf returns the variable an identifier denotes (defined or used),
// or nil for the blank identifier and non-variables.
func (c *checker) objOf(e ast.Expr) *types.Var {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok || id.Name == "_" {
		return nil
	}
	v, _ := c.pass.TypesInfo.ObjectOf(id).(*types.Var)
	return v
}

// mentions reports whether n refers to any of the objects.
func (c *checker) mentions(n ast.Node, objs ...types.Object) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if found {
			return false
		}
		if id, ok := n.(*ast.Ident); ok {
			obj := c.pass.TypesInfo.ObjectOf(id)
			for _, o := range objs {
				if obj != nil && obj == o {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// resultUsed reports whether the value of the call at cur is used:
// it is not an expression statement, nor assigned to blank identifiers
// only, nor a deferred or go call.
func resultUsed(cur inspector.Cursor) bool {
	switch p := cur.Parent().Node().(type) {
	case *ast.ExprStmt, *ast.DeferStmt, *ast.GoStmt:
		return false
	case *ast.ParenExpr:
		return resultUsed(cur.Parent())
	case *ast.AssignStmt:
		for _, l := range p.Lhs {
			if id, ok := l.(*ast.Ident); !ok || id.Name != "_" {
				return true
			}
		}
		return false
	}
	return true
}
