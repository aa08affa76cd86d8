// Package astq holds the syntax and type predicates shared by the
// silentfail analyzers. Every helper takes the *analysis.Pass (or the
// types.Info it carries) so that answers are always about the package
// being analyzed.
package astq

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"go/version"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// Imports reports whether the package being analyzed directly imports
// any of the given package paths. Analyzers use it to return early from
// packages that cannot contain what they look for.
func Imports(pass *analysis.Pass, paths ...string) bool {
	for _, imp := range pass.Pkg.Imports() {
		for _, p := range paths {
			if imp.Path() == p {
				return true
			}
		}
	}
	return false
}

// Callee returns the function or method statically called by call, or
// nil for calls of function values, conversions and builtins.
func Callee(pass *analysis.Pass, call *ast.CallExpr) *types.Func {
	fn, _ := typeutil.Callee(pass.TypesInfo, call).(*types.Func)
	return fn
}

// IsFunc reports whether fn is the package-level function pkgPath.name
// for one of the given names.
func IsFunc(fn *types.Func, pkgPath string, names ...string) bool {
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != pkgPath {
		return false
	}
	if sig, ok := fn.Type().(*types.Signature); !ok || sig.Recv() != nil {
		return false
	}
	for _, n := range names {
		if fn.Name() == n {
			return true
		}
	}
	return false
}

// IsMethod reports whether fn is a method named one of names whose
// receiver's named type (pointer or not, or interface) is pkgPath.typeName.
func IsMethod(fn *types.Func, pkgPath, typeName string, names ...string) bool {
	if fn == nil {
		return false
	}
	sig, ok := fn.Type().(*types.Signature)
	if !ok || sig.Recv() == nil {
		return false
	}
	named := NamedOf(sig.Recv().Type())
	if named == nil {
		return false
	}
	obj := named.Obj()
	if obj.Pkg() == nil || obj.Pkg().Path() != pkgPath || obj.Name() != typeName {
		return false
	}
	for _, n := range names {
		if fn.Name() == n {
			return true
		}
	}
	return false
}

// NamedOf returns the named type of t or of *t, or nil.
func NamedOf(t types.Type) *types.Named {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, _ := types.Unalias(t).(*types.Named)
	return n
}

// IsNamedType reports whether t (or *t) is the named type pkgPath.name.
func IsNamedType(t types.Type, pkgPath, name string) bool {
	n := NamedOf(t)
	return n != nil && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkgPath && n.Obj().Name() == name
}

// IsErrorType reports whether t is the predeclared error interface.
func IsErrorType(t types.Type) bool {
	return types.Identical(t, types.Universe.Lookup("error").Type())
}

// ReceiverExpr returns the operand of a method call x.m(...) and true,
// or nil and false when call is not a call of a selector expression.
func ReceiverExpr(call *ast.CallExpr) (ast.Expr, bool) {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil, false
	}
	return sel.X, true
}

// RootObject returns the variable at the root of an expression such as
// x, x.f, x.f.g, (*x).f or x[i]: the object whose reassignment would
// change what the expression denotes. It returns nil when there is none
// (calls, literals).
func RootObject(pass *analysis.Pass, e ast.Expr) types.Object {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			return pass.TypesInfo.ObjectOf(x)
		case *ast.SelectorExpr:
			if _, ok := pass.TypesInfo.Selections[x]; !ok {
				return pass.TypesInfo.ObjectOf(x.Sel) // qualified identifier pkg.Name
			}
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.UnaryExpr:
			if x.Op != token.AND {
				return nil
			}
			e = x.X
		default:
			return nil
		}
	}
}

// SameExpr reports whether a and b are the same side-effect-free
// expression over the same variables (x.mu and x.mu, s and s).
func SameExpr(pass *analysis.Pass, a, b ast.Expr) bool {
	a, b = ast.Unparen(a), ast.Unparen(b)
	switch x := a.(type) {
	case *ast.Ident:
		y, ok := b.(*ast.Ident)
		return ok && pass.TypesInfo.ObjectOf(x) != nil && pass.TypesInfo.ObjectOf(x) == pass.TypesInfo.ObjectOf(y)
	case *ast.SelectorExpr:
		y, ok := b.(*ast.SelectorExpr)
		return ok && pass.TypesInfo.ObjectOf(x.Sel) == pass.TypesInfo.ObjectOf(y.Sel) &&
			(pass.TypesInfo.Selections[x] == nil || SameExpr(pass, x.X, y.X))
	case *ast.StarExpr:
		y, ok := b.(*ast.StarExpr)
		return ok && SameExpr(pass, x.X, y.X)
	case *ast.UnaryExpr:
		y, ok := b.(*ast.UnaryExpr)
		return ok && x.Op == token.AND && y.Op == token.AND && SameExpr(pass, x.X, y.X)
	}
	return false
}

// DeclaredIn reports whether obj is declared inside n: a local of the
// function, loop or block n, not a variable of an enclosing scope, a
// package-level one, or one of another package.
func DeclaredIn(obj types.Object, n ast.Node) bool {
	return obj.Pos() >= n.Pos() && obj.Pos() < n.End()
}

// EnclosingFunc returns the innermost function declaration or literal
// containing cur, and its body. It returns a zero cursor at package level.
func EnclosingFunc(cur inspector.Cursor) (inspector.Cursor, *ast.FuncType, *ast.BlockStmt) {
	for c := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		if c == cur {
			continue
		}
		switch fn := c.Node().(type) {
		case *ast.FuncDecl:
			return c, fn.Type, fn.Body
		case *ast.FuncLit:
			return c, fn.Type, fn.Body
		}
	}
	return inspector.Cursor{}, nil, nil
}

// FuncName returns a name for the function at cur suitable for a
// message: "Serve", "(*Server).Serve" is shortened to "Serve", and a
// function literal is "the enclosing function literal".
func FuncName(cur inspector.Cursor) string {
	if fd, ok := cur.Node().(*ast.FuncDecl); ok {
		return fd.Name.Name
	}
	return "the function literal"
}

// Signature returns the type of the function at cur.
func Signature(pass *analysis.Pass, cur inspector.Cursor) *types.Signature {
	switch fn := cur.Node().(type) {
	case *ast.FuncDecl:
		if obj, ok := pass.TypesInfo.Defs[fn.Name].(*types.Func); ok {
			return obj.Signature()
		}
	case *ast.FuncLit:
		if sig, ok := pass.TypesInfo.TypeOf(fn).(*types.Signature); ok {
			return sig
		}
	}
	return nil
}

// LoopBody returns the body of a for or range statement, or nil.
func LoopBody(n ast.Node) *ast.BlockStmt {
	switch l := n.(type) {
	case *ast.ForStmt:
		return l.Body
	case *ast.RangeStmt:
		return l.Body
	}
	return nil
}

// FileOf returns the syntax tree of the file containing pos.
func FileOf(pass *analysis.Pass, pos token.Pos) *ast.File {
	for _, f := range pass.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			return f
		}
	}
	return nil
}

// FileVersion returns the Go language version in force for the file
// containing pos ("go1.21"), or "" when it is unknown. The version comes
// from the file's //go:build line or its module's go directive, never
// from the toolchain running the analysis.
func FileVersion(pass *analysis.Pass, pos token.Pos) string {
	f := FileOf(pass, pos)
	if f == nil || pass.TypesInfo.FileVersions == nil {
		return ""
	}
	v := pass.TypesInfo.FileVersions[f]
	if !version.IsValid(v) {
		return ""
	}
	return v
}

// IsHTTPHandler reports whether a function of type sig has the shape of
// an HTTP handler: parameters (http.ResponseWriter, *http.Request).
func IsHTTPHandler(sig *types.Signature) bool {
	if sig == nil || sig.Params().Len() != 2 {
		return false
	}
	return IsNamedType(sig.Params().At(0).Type(), "net/http", "ResponseWriter") &&
		IsNamedType(sig.Params().At(1).Type(), "net/http", "Request")
}

// NamedErrorResults returns the named result variables of sig whose type is
// error.
func NamedErrorResults(sig *types.Signature) []*types.Var {
	var out []*types.Var
	if sig == nil {
		return nil
	}
	for v := range sig.Results().Variables() {
		if v.Name() != "" && v.Name() != "_" && IsErrorType(v.Type()) {
			out = append(out, v)
		}
	}
	return out
}

// ReturnsError reports whether a function of type sig has an error
// among its results.
func ReturnsError(sig *types.Signature) bool {
	if sig == nil {
		return false
	}
	for v := range sig.Results().Variables() {
		if IsErrorType(v.Type()) {
			return true
		}
	}
	return false
}

// Render returns a compact source form of e, for messages. A call of
// C code, which the analyzers see as cgo rewrote it (a function literal
// calling _Cfunc_free), is shown as written: C.free(…).
func Render(e ast.Expr) string {
	if name, ok := CgoCall(e); ok {
		return "C." + name + "(…)"
	}
	return types.ExprString(e)
}

// CgoCall reports whether e is a call of a C function as cgo rewrites
// it (_Cfunc_free(p), or a function literal, possibly returning
// another, that checks the pointers and calls _Cfunc_free), and
// returns the C function's name.
func CgoCall(e ast.Expr) (string, bool) {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return "", false
	}
	fun := ast.Unparen(call.Fun)
	if inner, ok := fun.(*ast.CallExpr); ok {
		fun = ast.Unparen(inner.Fun)
	}
	switch f := fun.(type) {
	case *ast.Ident:
		if name, ok := strings.CutPrefix(f.Name, "_Cfunc_"); ok {
			return name, true
		}
	case *ast.FuncLit:
		name := ""
		ast.Inspect(f.Body, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && name == "" {
				if rest, ok := strings.CutPrefix(id.Name, "_Cfunc_"); ok {
					name = rest
				}
			}
			return name == ""
		})
		return name, name != ""
	}
	return "", false
}

// ExtractDoc returns the documentation of analyzer name from the
// package doc comment in content (the text of a doc.go file): the part
// after the "# Analyzer name" heading, starting with the title line
// "name: title". It panics if the heading is missing, so that a check
// with a malformed doc.go fails at init, in every test.
func ExtractDoc(content, name string) string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "doc.go", content, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil || f.Doc == nil {
		panic(fmt.Sprintf("%s: doc.go has no package documentation", name))
	}
	text := f.Doc.Text()
	_, after, ok := strings.Cut(text, "# Analyzer "+name+"\n")
	if !ok {
		panic(fmt.Sprintf("%s: doc.go has no %q heading", name, "# Analyzer "+name))
	}
	after = strings.TrimLeft(after, "\n")
	if title, _, _ := strings.Cut(after, "\n"); !strings.HasPrefix(title, name+": ") {
		panic(fmt.Sprintf("%s: doc.go: the line after the heading must be %q", name, name+": title"))
	}
	after, _, _ = strings.Cut(after, "\n# ")
	return strings.TrimSpace(after)
}

// IsTestFile reports whether pos lies in a _test.go file.
func IsTestFile(pass *analysis.Pass, pos token.Pos) bool {
	f := pass.Fset.File(pos)
	return f != nil && strings.HasSuffix(f.Name(), "_test.go")
}

// IsTestCode reports whether pos lies in code that only tests run: a
// _test.go file, or a package whose import path has an element that
// names test support: one starting with "test" (testutil, testing,
// testhelpers, testenv), "mock" or "fake" (mocks, mockstore, fakes),
// "e2e", or "test"/"tests" with a prefix joined by "_" or "-"
// (integration_test), a file named as a mock or fake (mock_store.go,
// store_mock.go, fake_clock.go), or a file that uses testing's T, B,
// F, TB or M (a test harness or mock: production code does not hold a
// *testing.T). Such code writes fixtures and fails its test on the
// next read; it does not serve requests.
func IsTestCode(pass *analysis.Pass, pos token.Pos) bool {
	return isTestCode(pass, pos, usesTestingTypes)
}

// TestCode returns IsTestCode for the files of pass, walking each file
// for testing's types at most once: checks that ask about every
// function or defer of a package use it.
func TestCode(pass *analysis.Pass) func(token.Pos) bool {
	memo := make(map[*ast.File]bool)
	uses := func(pass *analysis.Pass, f *ast.File) bool {
		u, ok := memo[f]
		if !ok {
			u = usesTestingTypes(pass, f)
			memo[f] = u
		}
		return u
	}
	return func(pos token.Pos) bool { return isTestCode(pass, pos, uses) }
}

func isTestCode(pass *analysis.Pass, pos token.Pos, usesTesting func(*analysis.Pass, *ast.File) bool) bool {
	if IsTestFile(pass, pos) {
		return true
	}
	if f := pass.Fset.File(pos); f != nil {
		name := strings.TrimSuffix(filepath.Base(f.Name()), ".go")
		for _, w := range []string{"mock", "mocks", "fake", "fakes"} {
			if strings.HasPrefix(name, w+"_") || strings.HasSuffix(name, "_"+w) {
				return true
			}
		}
	}
	if pass.Pkg == nil {
		return false
	}
	if f := FileOf(pass, pos); f != nil && usesTesting(pass, f) {
		return true
	}
	for elem := range strings.SplitSeq(pass.Pkg.Path(), "/") {
		switch {
		case strings.HasPrefix(elem, "test"), elem == "e2e",
			strings.HasPrefix(elem, "mock"), strings.HasPrefix(elem, "fake"),
			strings.HasSuffix(elem, "_test"), strings.HasSuffix(elem, "-test"),
			strings.HasSuffix(elem, "_tests"), strings.HasSuffix(elem, "-tests"):
			return true
		}
	}
	return false
}

// usesTestingTypes reports whether file f refers to testing.T, B, F, TB
// or M.
func usesTestingTypes(pass *analysis.Pass, f *ast.File) bool {
	imports := false
	for _, imp := range f.Imports {
		imports = imports || imp.Path.Value == `"testing"`
	}
	if !imports || pass.TypesInfo == nil {
		return false
	}
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok || found {
			return !found
		}
		if tn, ok := pass.TypesInfo.Uses[sel.Sel].(*types.TypeName); ok && tn.Pkg() != nil && tn.Pkg().Path() == "testing" {
			switch tn.Name() {
			case "T", "B", "F", "TB", "M":
				found = true
			}
		}
		return true
	})
	return found
}

// InTestBody reports whether cur lies in the body of a test: a Test,
// Benchmark, Fuzz or Example function of a _test.go file, or a function
// (declared or literal) that takes a *testing.T, *testing.B, *testing.F
// or testing.TB, or a literal inside one. Code there runs for one test
// only; what goes wrong there fails or hangs that test.
func InTestBody(pass *analysis.Pass, cur inspector.Cursor) bool {
	for c := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		var ft *ast.FuncType
		switch f := c.Node().(type) {
		case *ast.FuncDecl:
			ft = f.Type
			if IsTestFile(pass, f.Pos()) {
				for _, p := range []string{"Test", "Benchmark", "Fuzz", "Example"} {
					if strings.HasPrefix(f.Name.Name, p) {
						return true
					}
				}
			}
		case *ast.FuncLit:
			ft = f.Type
		}
		for _, fld := range ft.Params.List {
			t := pass.TypesInfo.TypeOf(fld.Type)
			if p, ok := t.(*types.Pointer); ok {
				t = p.Elem()
			}
			if n := NamedOf(t); n != nil && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "testing" {
				switch n.Obj().Name() {
				case "T", "B", "F", "TB":
					return true
				}
			}
		}
	}
	return false
}
