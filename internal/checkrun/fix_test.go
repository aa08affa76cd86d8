package checkrun

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "p.go")
	if err := os.WriteFile(name, []byte(content), 0o640); err != nil {
		t.Fatal(err)
	}
	return name
}

func finding(msg string, edits ...Edit) Finding {
	return Finding{Check: "x", Message: msg, Fixes: []Fix{{Message: "fix " + msg, Edits: edits}}}
}

const src = "package p\n\nvar a = 1\nvar b = 2\n"

func TestPlanFixesMergesAndSkipsConflicts(t *testing.T) {
	name := writeFile(t, src)
	at := func(s string) int { return strings.Index(src, s) }
	fs := []Finding{
		finding("a", Edit{name, at("1"), at("1") + 1, "10"}),
		finding("a-again", Edit{name, at("1"), at("1") + 1, "10"}),  // identical edit: merged
		finding("conflict", Edit{name, at("1"), at("1") + 1, "11"}), // overlaps: skipped
		finding("b", Edit{name, at("2"), at("2") + 1, "20"}),
		{Check: "x", Message: "no fix"},
	}
	plan, err := PlanFixes(fs)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Fixed) != 3 || len(plan.Skipped) != 1 || plan.Skipped[0].Message != "conflict" {
		t.Fatalf("fixed %d, skipped %v", len(plan.Fixed), plan.Skipped)
	}
	if len(plan.Changes) != 1 || string(plan.Changes[0].New) != "package p\n\nvar a = 10\nvar b = 20\n" {
		t.Fatalf("changes: %+v", plan.Changes)
	}
	if got, _ := os.ReadFile(name); string(got) != src {
		t.Fatal("PlanFixes wrote the file")
	}
	if err := plan.Write(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(name)
	if string(got) != "package p\n\nvar a = 10\nvar b = 20\n" {
		t.Errorf("written: %q", got)
	}
	if info, _ := os.Stat(name); info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640 kept", info.Mode().Perm())
	}
	if entries, _ := os.ReadDir(filepath.Dir(name)); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// A fix that would leave invalid Go is not applied, and the file keeps
// its content.
func TestPlanFixesRefusesInvalidGo(t *testing.T) {
	name := writeFile(t, src)
	plan, err := PlanFixes([]Finding{finding("bad", Edit{name, 0, len("package"), "pkg"})})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 0 || len(plan.Fixed) != 0 || len(plan.Skipped) != 1 {
		t.Fatalf("plan: %+v", plan)
	}
}

// A file modified between analysis and writing is not overwritten.
func TestWriteRefusesChangedFile(t *testing.T) {
	name := writeFile(t, src)
	plan, err := PlanFixes([]Finding{finding("a", Edit{name, strings.Index(src, "1"), strings.Index(src, "1") + 1, "3"})})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(name, []byte(src+"// edited\n"), 0o640)
	if err := plan.Write(); err == nil || !strings.Contains(err.Error(), "changed while") {
		t.Fatalf("Write: %v", err)
	}
}
