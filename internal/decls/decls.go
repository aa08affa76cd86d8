// Package decls defines an Analyzer whose result is the index of a
// package's function and method declarations, shared by every check that
// looks into the functions a call reaches, so that the package's files
// are walked for them once.
package decls

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"reflect"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// Analyzer builds the Index of the package it runs on.
var Analyzer = &analysis.Analyzer{
	Name:       "decls",
	Doc:        "index of the package's function and method declarations",
	URL:        "https://pkg.go.dev/github.com/silentfail/silentfail/internal/decls",
	Requires:   []*analysis.Analyzer{inspect.Analyzer},
	Run:        run,
	ResultType: reflect.TypeFor[*Index](),
}

// Index maps the package's functions and methods to their declarations.
type Index struct {
	m     map[*types.Func]*ast.FuncDecl
	order []*ast.FuncDecl
}

func run(pass *analysis.Pass) (any, error) {
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	ix := &Index{m: make(map[*types.Func]*ast.FuncDecl)}
	for cur := range ins.Root().Preorder((*ast.FuncDecl)(nil)) {
		d := cur.Node().(*ast.FuncDecl)
		if fn, ok := pass.TypesInfo.Defs[d.Name].(*types.Func); ok {
			ix.m[fn] = d
			ix.order = append(ix.order, d)
		}
	}
	return ix, nil
}

// Of returns the declaration of fn, a function or method of this
// package (an instance of a generic one is looked up by its origin), or
// nil: fn is nil, declared elsewhere, or a function literal.
func (ix *Index) Of(fn *types.Func) *ast.FuncDecl {
	if fn == nil {
		return nil
	}
	return ix.m[fn.Origin()]
}

// All returns every function and method declaration of the package, in
// source order.
func (ix *Index) All() []*ast.FuncDecl { return ix.order }

// Body returns the body of fn's declaration, or nil when there is none
// (declared elsewhere, or implemented in assembly).
func (ix *Index) Body(fn *types.Func) *ast.BlockStmt {
	if d := ix.Of(fn); d != nil {
		return d.Body
	}
	return nil
}

// Read parses file, the source of fn (a function or method of another
// package, found through its position), and returns fn's declaration in
// it, with a body, and the parsed file; or nils when the file is not on
// disk or holds no such declaration. The result has no types: a method
// is matched by its name and its receiver's type name, and its body's
// identifiers are only names.
func Read(file string, fn *types.Func) (*ast.FuncDecl, *ast.File) {
	if file == "" || fn == nil {
		return nil, nil
	}
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, nil
	}
	recv := fn.Signature().Recv()
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != fn.Name() || fd.Body == nil || (fd.Recv == nil) != (recv == nil) {
			continue
		}
		if recv != nil {
			recvName := types.TypeString(recv.Type(), func(*types.Package) string { return "" })
			if len(fd.Recv.List) != 1 || (types.ExprString(fd.Recv.List[0].Type) != recvName && "*"+types.ExprString(fd.Recv.List[0].Type) != recvName) {
				continue
			}
		}
		return fd, f
	}
	return nil, nil
}
