package checkrun_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/silentfail/silentfail/checks/suite"
	"github.com/silentfail/silentfail/internal/checkrun"
)

// copyModule copies cmd/silentfail's test module (its cache and clean
// packages, both with findings or not) to a directory the test may edit.
func copyModule(t *testing.T) string {
	t.Helper()
	src := filepath.Join("..", "..", "cmd", "silentfail", "testdata", "mod")
	dst := t.TempDir()
	for _, rel := range []string{"go.mod", "cache/cache.go", "cache/cache_test.go", "clean/clean.go", "optin/optin.go"} {
		b, err := os.ReadFile(filepath.Join(src, rel))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o755)
		if err := os.WriteFile(filepath.Join(dst, rel), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func run(t *testing.T, dir string, cache *checkrun.Cache, enable ...string) *checkrun.Result {
	t.Helper()
	as, err := suite.Select(enable, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := checkrun.Run(checkrun.Config{Dir: dir, Analyzers: as, Tests: true, Cache: cache, Env: append(os.Environ(), "GOPROXY=off", "GOWORK=off", "GOFLAGS=")})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// A run on an unchanged tree replays every package from the cache and
// finds exactly what a fresh run finds; a changed file, or other
// checks, recompute what they touch; a corrupt entry is recomputed.
func TestCacheReplaysUnchangedPackages(t *testing.T) {
	dir := copyModule(t)
	cache, err := checkrun.OpenCache(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	fresh := run(t, dir, nil)
	if len(fresh.Findings) == 0 || fresh.Analyzed < 3 {
		t.Fatalf("the test module should have findings in several packages: %+v", fresh)
	}
	first := run(t, dir, cache)
	again := run(t, dir, cache)
	if first.Cached != 0 || again.Cached != again.Analyzed {
		t.Errorf("cached: first run %d, second %d of %d", first.Cached, again.Cached, again.Analyzed)
	}
	for _, r := range []*checkrun.Result{first, again} {
		r.Cached = 0
		if !reflect.DeepEqual(r, fresh) {
			t.Errorf("cached run differs from a fresh one:\n%+v\n%+v", r, fresh)
		}
	}

	// Another set of checks shares no entry.
	if r := run(t, dir, cache, "all"); r.Cached != 0 {
		t.Errorf("-enable all replayed %d packages of the default run", r.Cached)
	}

	// An edit recomputes its package (and its test variant), no other.
	path := filepath.Join(dir, "cache", "cache.go")
	src, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(src), "c.mu.RLock()", "c.mu.Lock()", 1)), 0o644)
	edited := run(t, dir, cache)
	if edited.Cached == 0 || edited.Cached == edited.Analyzed {
		t.Errorf("after an edit: %d of %d replayed", edited.Cached, edited.Analyzed)
	}
	edited.Cached = 0
	if want := run(t, dir, nil); !reflect.DeepEqual(edited, want) {
		t.Errorf("after an edit the cached run differs from a fresh one:\n%+v\n%+v", edited, want)
	}

	// Corrupt entries are ignored and written again.
	filepath.WalkDir(cache.Dir(), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.WriteFile(p, []byte("{not json"), 0o644)
		}
		return nil
	})
	if r := run(t, dir, cache); r.Cached != 0 {
		t.Errorf("corrupt entries replayed: %d", r.Cached)
	} else if r := run(t, dir, cache); r.Cached != r.Analyzed {
		t.Errorf("entries not written again after corruption: %d of %d", r.Cached, r.Analyzed)
	}
}

// The cache stays within its bound, dropping the entries used least
// recently.
func TestCacheIsBounded(t *testing.T) {
	dir := copyModule(t)
	cdir := t.TempDir()
	cache, err := checkrun.OpenCache(cdir, 1) // every entry is over the bound
	if err != nil {
		t.Fatal(err)
	}
	run(t, dir, cache)
	var n int
	filepath.WalkDir(cdir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	if n != 0 {
		t.Errorf("%d entries kept in a cache bounded to 1 byte", n)
	}
}
