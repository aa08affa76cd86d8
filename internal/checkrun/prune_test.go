package checkrun

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"runtime"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

func TestPruneRemovesWhatImportersCannotReach(t *testing.T) {
	const src = `package p

import "io"

const (
	a = iota
	b
)

type T struct{ f inner }
type inner struct{}
func (inner) Read([]byte) (int, error) { return 0, nil }
func (T) m(x param) {}
func (T) n() {}
type I interface{ m() }
func UsesI(i iface) {}
type iface interface{ o() }
func (inner) o() {}
func (inner) p() {}
type param int
type onlyInBody int
func (onlyInBody) M() {}
func helper() onlyInBody { return 0 }
func Exported() io.Reader { return helper() }
var V = mk()
func mk() made { return 0 }
type made int
var unused, unused2 = 1, 2
type Gen[P constraint] struct{}
type constraint interface{ ~int }
func (g *Gen[P]) Method() {}
func (g *Gen[P]) method() {}
func init() {}
func _() {}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, depParseMode)
	if err != nil {
		t.Fatal(err)
	}
	pruneToAPI([]*ast.File{f})
	var got []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			name := d.Name.Name
			if d.Recv != nil {
				name = receiverBase(d.Recv.List[0].Type) + "." + name
			}
			got = append(got, name)
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					got = append(got, s.Name.Name)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						got = append(got, n.Name)
					}
				case *ast.ImportSpec:
					got = append(got, s.Path.Value)
				}
			}
		}
	}
	want := []string{`"io"`, "a", "b", "T", "inner", "inner.Read", "T.m", "I", "UsesI", "iface", "inner.o", "param",
		"Exported", "V", "mk", "made", "Gen", "constraint", "Gen.Method"}
	if !slices.Equal(got, want) {
		t.Errorf("kept %v\nwant %v", got, want)
	}
}

// TestPruneKeepsAPI type-checks a real build graph twice, dependencies
// whole and pruned, and compares the API of every package: what an
// importer can see must not change.
func TestPruneKeepsAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks a few hundred packages")
	}
	roots, err := packages.Load(&packages.Config{Mode: metadataMode},
		"net/http", "encoding/json", "go/types", "golang.org/x/tools/go/analysis/checker")
	if err != nil {
		t.Fatal(err)
	}
	full := graphAPIs(roots, true)
	pruned := graphAPIs(roots, false)
	if len(full) < 100 {
		t.Fatalf("only %d packages in the graph", len(full))
	}
	for path, want := range full {
		if got := pruned[path]; got != want {
			t.Errorf("%s: API changed by pruning:\n%s", path, lineDiff(want, got))
		}
	}
}

// graphAPIs type-checks every package of the graph of roots as a
// dependency and returns each one's API, one declaration a line.
func graphAPIs(roots []*packages.Package, fullDeps bool) map[string]string {
	l := &graphLoader{
		fset:     token.NewFileSet(),
		sizes:    types.SizesFor("gc", runtime.GOARCH),
		nodes:    make(map[*packages.Package]*node),
		fullDeps: fullDeps,
	}
	apis := make(map[string]string)
	packages.Visit(roots, nil, func(p *packages.Package) {
		n := &node{pkg: p, root: -1}
		l.nodes[p] = n
		n.types = l.checkDependency(p)
		apis[p.PkgPath] = api(n.types)
	})
	return apis
}

func api(pkg *types.Package) string {
	q := func(p *types.Package) string { return p.Path() }
	var lines []string
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		lines = append(lines, types.ObjectString(obj, q))
		if _, ok := obj.(*types.TypeName); !ok {
			continue
		}
		for _, t := range []types.Type{obj.Type(), types.NewPointer(obj.Type())} {
			if _, isPtr := obj.Type().Underlying().(*types.Pointer); isPtr {
				continue
			}
			ms := types.NewMethodSet(t)
			for i := range ms.Len() {
				if ms.At(i).Obj().Exported() {
					lines = append(lines, "  "+types.SelectionString(ms.At(i), q))
				}
			}
			// Unexported methods matter to importers only through the
			// package's interfaces that have them.
			for _, iname := range scope.Names() {
				it := scope.Lookup(iname)
				if _, ok := it.(*types.TypeName); !ok || !it.Exported() {
					continue
				}
				if iface, ok := it.Type().Underlying().(*types.Interface); ok && types.Implements(t, iface) {
					lines = append(lines, "  implements "+iname)
				}
			}
		}
	}
	return strings.Join(lines, "\n")
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for _, l := range w {
		if !slices.Contains(g, l) {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}
