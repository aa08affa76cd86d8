package astq_test

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"

	"github.com/silentfail/silentfail/internal/astq"
)

const src = `package p

import (
	"context"
	"net/http"
	"sync"
)

type S struct{ mu sync.Mutex }

func (s *S) Run(ctx context.Context, jobs <-chan int) {
	defer s.mu.Unlock()
	for {
		select {
		case <-ctx.Done():
			return
		case <-jobs:
		}
	}
}

func (s *S) Once(ctx context.Context) {
	go func() {
		for {
			<-ctx.Done()
		}
	}()
}

func Serve(w http.ResponseWriter, r *http.Request) {}
`

// load type-checks src into a pass with the information the
// predicates read.
func load(t *testing.T) (*analysis.Pass, *ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Defs:       map[*ast.Ident]types.Object{},
		Uses:       map[*ast.Ident]types.Object{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
	}
	pkg, err := (&types.Config{Importer: importer.Default()}).Check("p", fset, []*ast.File{f}, info)
	if err != nil {
		t.Fatal(err)
	}
	return &analysis.Pass{Fset: fset, Files: []*ast.File{f}, Pkg: pkg, TypesInfo: info}, f
}

func funcBody(f *ast.File, name string) *ast.FuncDecl {
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == name {
			return fd
		}
	}
	return nil
}

func TestRunsUntilDone(t *testing.T) {
	pass, f := load(t)
	if !astq.RunsUntilDone(pass, funcBody(f, "Run").Body) {
		t.Error("Run loops until ctx is done: want true")
	}
	// The loop is in a function literal: Once itself returns at once.
	if astq.RunsUntilDone(pass, funcBody(f, "Once").Body) {
		t.Error("Once only starts a goroutine: want false")
	}
}

func TestIsMethodAndCallee(t *testing.T) {
	pass, f := load(t)
	var unlock *ast.CallExpr
	ast.Inspect(funcBody(f, "Run"), func(n ast.Node) bool {
		if d, ok := n.(*ast.DeferStmt); ok {
			unlock = d.Call
		}
		return true
	})
	fn := astq.Callee(pass, unlock)
	if !astq.IsMethod(fn, "sync", "Mutex", "Unlock") {
		t.Errorf("Callee(s.mu.Unlock()) = %v: want (*sync.Mutex).Unlock", fn)
	}
	if astq.IsMethod(fn, "sync", "RWMutex", "Unlock") {
		t.Error("IsMethod matched the wrong receiver type")
	}
	recv, ok := astq.ReceiverExpr(unlock)
	if !ok || astq.Render(recv) != "s.mu" {
		t.Errorf("ReceiverExpr = %v, %v: want s.mu", recv, ok)
	}
	if obj := astq.RootObject(pass, recv); obj == nil || obj.Name() != "s" {
		t.Errorf("RootObject(s.mu) = %v: want s", obj)
	}
}

func TestIsHTTPHandler(t *testing.T) {
	pass, _ := load(t)
	for name, want := range map[string]bool{"Serve": true} {
		fn := pass.Pkg.Scope().Lookup(name).(*types.Func)
		if got := astq.IsHTTPHandler(fn.Signature()); got != want {
			t.Errorf("IsHTTPHandler(%s) = %v, want %v", name, got, want)
		}
	}
	run := pass.Pkg.Scope().Lookup("S").Type().(*types.Named).Method(0)
	if astq.IsHTTPHandler(run.Signature()) {
		t.Errorf("IsHTTPHandler(%s) = true, want false", run.Name())
	}
}

func TestTeardownName(t *testing.T) {
	for name, want := range map[string]bool{
		"Shutdown": true, "closeAll": true, "StopWorkers": true, "Wait": true, "drain": true,
		"Run": false, "Serve": false, "Handle": false, "Reclose": false,
	} {
		if got := astq.TeardownName(name); got != want {
			t.Errorf("TeardownName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestExtractDoc(t *testing.T) {
	good := "// Package x is x.\n//\n// # Analyzer x\n//\n// x: a title\n//\n// Body.\npackage x\n"
	if got := astq.ExtractDoc(good, "x"); !strings.HasPrefix(got, "x: a title") || !strings.HasSuffix(got, "Body.") {
		t.Errorf("ExtractDoc = %q", got)
	}
	for _, bad := range []string{
		"package x\n",
		"// Package x is x.\npackage x\n",
		"// Package x.\n//\n// # Analyzer x\n//\n// wrong title\npackage x\n",
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("ExtractDoc(%q) did not panic", bad)
				}
			}()
			astq.ExtractDoc(bad, "x")
		}()
	}
}

// Calls of C code reach the analyzers as cgo rewrote them; messages
// show them as written.
func TestCgoCall(t *testing.T) {
	for _, tc := range []struct {
		expr, name, render string
	}{
		{`_Cfunc_free(p)`, "free", "C.free(…)"},
		{`func() { _cgo0 := p; _cgoCheckPointer(_cgo0, nil); _Cfunc_free(_cgo0) }()`, "free", "C.free(…)"},
		{`func() func() { _cgo0 := p; return func() { _cgoCheckPointer(_cgo0, nil); _Cfunc_free(_cgo0) } }()()`, "free", "C.free(…)"},
		{`free(p)`, "", "free(p)"},
		{`func() { free(p) }()`, "", "(func() literal)()"},
	} {
		e, err := parser.ParseExpr(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		name, ok := astq.CgoCall(e)
		if name != tc.name || ok != (tc.name != "") {
			t.Errorf("CgoCall(%s) = %q, %v; want %q", tc.expr, name, ok, tc.name)
		}
		if got := astq.Render(e); got != tc.render {
			t.Errorf("Render(%s) = %q, want %q", tc.expr, got, tc.render)
		}
	}
}

func TestIsTestCode(t *testing.T) {
	fset := token.NewFileSet()
	lib := fset.AddFile("/m/lib.go", -1, 10)
	test := fset.AddFile("/m/lib_test.go", -1, 10)
	mockFile := fset.AddFile("/m/mock_store.go", -1, 10)
	fakeFile := fset.AddFile("/m/clock_fake.go", -1, 10)
	mockingbird := fset.AddFile("/m/mockingbird.go", -1, 10)
	for _, tc := range []struct {
		path string
		file *token.File
		want bool
	}{
		{"example.com/m/server", lib, false},
		{"example.com/m/server", test, true},
		{"example.com/m/internal/testutil", lib, true},
		{"example.com/m/pkg/testing/e2eutil", lib, true},
		{"example.com/m/tests/runner/loadtest", lib, true},
		{"example.com/m/e2e", lib, true},
		{"example.com/m/integration_test", lib, true},
		{"example.com/m/latest", lib, false}, // "test" inside a word is not test support
		{"example.com/m/attestation", lib, false},
		{"example.com/m/contest-api", lib, false},
		{"example.com/m/internal/mockstore/mocktikv", lib, true},
		{"example.com/m/fakes", lib, true},
		{"example.com/m/server", mockFile, true},
		{"example.com/m/server", fakeFile, true},
		{"example.com/m/server", mockingbird, false}, // a word, not a mock_ file
		{"example.com/m/unmocked", lib, false},
	} {
		pass := &analysis.Pass{Fset: fset, Pkg: types.NewPackage(tc.path, "p")}
		if got := astq.IsTestCode(pass, token.Pos(tc.file.Base())); got != tc.want {
			t.Errorf("IsTestCode(%s, %s) = %v, want %v", tc.path, tc.file.Name(), got, tc.want)
		}
	}
}

// TestIsTestCodeHarness: a file that holds a *testing.T is a test
// harness, whatever its path; one that only imports testing for
// testing.Testing() is not, nor is another file of the same package.
func TestIsTestCodeHarness(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want bool
	}{
		{"package h\nimport \"testing\"\ntype Node struct{ t *testing.T }\n", true},
		{"package h\nimport \"testing\"\nfunc Run(m *testing.M) int { return m.Run() }\n", true},
		{"package h\nimport \"testing\"\nvar inTest = testing.Testing()\n", false},
		{"package h\nfunc F() {}\n", false},
	} {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "h.go", tc.src, 0)
		if err != nil {
			t.Fatal(err)
		}
		info := &types.Info{Uses: map[*ast.Ident]types.Object{}, Defs: map[*ast.Ident]types.Object{}}
		pkg, err := (&types.Config{Importer: importer.Default()}).Check("example.com/m/harness", fset, []*ast.File{f}, info)
		if err != nil {
			t.Fatal(err)
		}
		other, err := parser.ParseFile(fset, "other.go", "package h\nfunc G() {}\n", 0)
		if err != nil {
			t.Fatal(err)
		}
		pass := &analysis.Pass{Fset: fset, Files: []*ast.File{f, other}, Pkg: pkg, TypesInfo: info}
		if got := astq.IsTestCode(pass, f.Pos()); got != tc.want {
			t.Errorf("IsTestCode(%q) = %v, want %v", tc.src, got, tc.want)
		}
		if astq.IsTestCode(pass, other.Pos()) {
			t.Errorf("IsTestCode: another file of the package next to %q is test code", tc.src)
		}
		// TestCode gives the same answers, asked twice (the second
		// from its memo).
		isTest := astq.TestCode(pass)
		for range 2 {
			if got := isTest(f.Pos()); got != tc.want {
				t.Errorf("TestCode(%q) = %v, want %v", tc.src, got, tc.want)
			}
			if isTest(other.Pos()) {
				t.Errorf("TestCode: another file of the package next to %q is test code", tc.src)
			}
		}
	}
}

// TestNilComparison: the operand compared with nil, on either side and
// in parentheses; not a comparison whose operands are not nil.
func TestNilComparison(t *testing.T) {
	const src = `package p

var x *int
var y *int

var (
	a = x == nil
	b = nil != (x)
	c = nil != x == true
	d = x == y
	e = x
)
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{}}
	if _, err := (&types.Config{}).Check("p", fset, []*ast.File{f}, info); err != nil {
		t.Fatal(err)
	}
	pass := &analysis.Pass{Fset: fset, Files: []*ast.File{f}, TypesInfo: info}
	want := map[string]string{"a": "x ==", "b": "x !=", "c": "", "d": "", "e": ""}
	for _, spec := range f.Decls[2].(*ast.GenDecl).Specs {
		vs := spec.(*ast.ValueSpec)
		got := ""
		if x, op, ok := astq.NilComparison(pass, vs.Values[0]); ok {
			got = astq.Render(x) + " " + op.String()
		}
		if name := vs.Names[0].Name; got != want[name] {
			t.Errorf("NilComparison(%s) = %q, want %q", astq.Render(vs.Values[0]), got, want[name])
		}
	}
	if astq.IsNil(pass, nil) {
		t.Errorf("IsNil(nil expression) = true")
	}
}

func TestDeclaredIn(t *testing.T) {
	pass, f := load(t)
	run, once := funcBody(f, "Run"), funcBody(f, "Once")
	ctx := pass.TypesInfo.Defs[run.Type.Params.List[0].Names[0]]
	if !astq.DeclaredIn(ctx, run) {
		t.Error("Run's parameter ctx: want declared in Run")
	}
	if astq.DeclaredIn(ctx, once) || astq.DeclaredIn(ctx, run.Body) {
		t.Error("Run's parameter ctx: want not declared in Once, nor in Run's body")
	}
	if s := pass.Pkg.Scope().Lookup("S"); astq.DeclaredIn(s, run) {
		t.Error("package-level type S: want not declared in Run")
	}
}
