package checkrun_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/silentfail/silentfail/checks/deferlock"
	"github.com/silentfail/silentfail/internal/checkrun"
	"golang.org/x/tools/go/analysis"
)

// A cgo file is analyzed in cgo's rewritten copy, whose //line
// directives name the original: a fix computed there must not be
// applied to the original at the copy's offsets.
func TestNoFixInCgoFile(t *testing.T) {
	if out, err := exec.Command("go", "env", "CGO_ENABLED").Output(); err != nil || strings.TrimSpace(string(out)) != "1" {
		t.Skip("cgo is not enabled")
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no C compiler")
	}
	dir := t.TempDir()
	src := `package c

/*
static int one(void) { return 1; }
*/
import "C"

import "sync"

var mu sync.Mutex

func F() int {
	mu.Lock()
	defer mu.Lock()
	return int(C.one()) + int(C.one())
}
`
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/c\n\ngo 1.22\n")
	write("c.go", src)
	res, err := checkrun.Run(checkrun.Config{Dir: dir, Analyzers: []*analysis.Analyzer{deferlock.Analyzer}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || !strings.HasSuffix(res.Findings[0].Pos.Filename, "c.go") || res.Findings[0].Pos.Line != 14 {
		t.Fatalf("want one finding at c.go:14, got %+v", res.Findings)
	}
	if fixes := res.Findings[0].Fixes; len(fixes) != 0 {
		t.Errorf("a fix in a cgo file: %+v", fixes)
	}
	plan, err := checkrun.PlanFixes(res.Findings)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 0 {
		t.Errorf("fixes change %s:\n%s", plan.Changes[0].Filename, plan.Changes[0].New)
	}
}
