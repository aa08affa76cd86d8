package diagnose_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/silentfail/silentfail/diagnose"
	"github.com/silentfail/silentfail/diagnose/render"
	"github.com/silentfail/silentfail/goroutines"
)

// Folding goroutines while reading changes no verdict, reason or
// count: every real capture, alone and with the two dumps taken a
// minute apart together, gives the same report folded or not.
func TestFoldedReportsAreTheSame(t *testing.T) {
	dir := filepath.Join("..", "goroutines", "testdata", "captures")
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no captures in %s: %v", dir, err)
	}
	sets := [][]string{{filepath.Join(dir, "go1.26.twodumps-a.txt"), filepath.Join(dir, "go1.26.twodumps-b.txt")}}
	for _, f := range files {
		sets = append(sets, []string{f})
	}
	report := func(set []string, opts ...goroutines.Option) string {
		var snaps []*goroutines.Snapshot
		for _, f := range set {
			s, err := goroutines.ParseFile(f, opts...)
			if err != nil {
				return "error: " + err.Error()
			}
			snaps = append(snaps, s)
		}
		rep, err := diagnose.Analyze(snaps)
		if err != nil {
			return "error: " + err.Error()
		}
		var b bytes.Buffer
		render.JSON(&b, rep)
		return b.String()
	}
	for _, set := range sets {
		if fi, err := os.Stat(set[0]); err != nil || fi.IsDir() {
			continue
		}
		plain, folded := report(set), report(set, goroutines.Fold())
		if plain != folded {
			t.Errorf("%v: folded report differs:\n%s\n---\n%s", set, plain, folded)
		}
	}
}
