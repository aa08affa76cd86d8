// Package checktest runs an analyzer over its testdata the way every
// silentfail check is tested: the // want expectations, the .golden
// files of its suggested fixes, and a type-check of the code the fixes
// produce, so that no fix can leave a package that does not compile.
package checktest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/txtar"
)

// Run checks analyzer a on the packages matching patterns under dir (a
// GOPATH-style tree with a src directory, or a module root with a go.mod).
func Run(t *testing.T, dir string, a *analysis.Analyzer, patterns ...string) {
	t.Helper()
	analysistest.RunWithSuggestedFixes(t, dir, a, patterns...)
	TypeCheckGolden(t, dir, patterns...)
}

// TypeCheckGolden loads the packages matching patterns with every file
// replaced by its .golden counterpart (each section of a txtar golden
// in turn) and fails if any of them does not type-check.
func TypeCheckGolden(t *testing.T, dir string, patterns ...string) {
	t.Helper()
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	var goldens []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go.golden") {
			goldens = append(goldens, path)
		}
		return nil
	})
	if len(goldens) == 0 {
		return
	}
	// Plain goldens are applied together; each txtar section alone.
	plain := make(map[string][]byte)
	var variants []map[string][]byte
	for _, g := range goldens {
		data, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		src := strings.TrimSuffix(g, ".golden")
		ar := txtar.Parse(data)
		if len(ar.Files) == 0 {
			plain[src] = data
			continue
		}
		for _, f := range ar.Files {
			variants = append(variants, map[string][]byte{src: f.Data})
		}
	}
	if len(plain) > 0 {
		variants = append(variants, plain)
	}
	env := []string{"GOPATH=" + dir, "GO111MODULE=off", "GOWORK=off"}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
		env = []string{"GO111MODULE=on", "GOPROXY=off", "GOWORK=off"}
	}
	for _, overlay := range variants {
		cfg := &packages.Config{
			Mode:    packages.LoadSyntax,
			Dir:     dir,
			Tests:   true,
			Env:     append(os.Environ(), env...),
			Overlay: overlay,
		}
		pkgs, err := packages.Load(cfg, patterns...)
		if err != nil {
			t.Fatalf("loading fixed packages: %v", err)
		}
		packages.Visit(pkgs, nil, func(p *packages.Package) {
			for _, e := range p.Errors {
				t.Errorf("after applying the suggested fixes, %s does not type-check: %v", p.PkgPath, e)
			}
		})
	}
}

// Form turns on the boolean flag of analyzer a that names an opt-in form
// of its check (deferloop's pileup) for the rest of the test: fixtures
// hold every form's findings, and the default form is tested apart.
func Form(t *testing.T, a *analysis.Analyzer, flag string) {
	t.Helper()
	if err := a.Flags.Set(flag, "true"); err != nil {
		t.Fatalf("%s: %v", a.Name, err)
	}
	t.Cleanup(func() { a.Flags.Set(flag, "false") })
}
