package udiff

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnified(t *testing.T) {
	a := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"
	b := "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\n"
	got := Unified("x.go", "x.go", []byte(a), []byte(b))
	want := `--- x.go
+++ x.go
@@ -1,10 +1,11 @@
 a
 b
 c
-d
+D
 e
 f
 g
 h
 i
 j
+k
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if Unified("x", "x", []byte(a), []byte(a)) != "" {
		t.Error("equal inputs gave a diff")
	}
}

func TestTwoHunks(t *testing.T) {
	var a, b []string
	for i := range 30 {
		line := strings.Repeat("x", i)
		a = append(a, line)
		if i == 2 || i == 25 {
			line = "changed"
		}
		b = append(b, line)
	}
	got := Unified("f", "f", []byte(strings.Join(a, "\n")+"\n"), []byte(strings.Join(b, "\n")+"\n"))
	if n := strings.Count(got, "@@ -"); n != 2 {
		t.Errorf("want 2 hunks, got %d:\n%s", n, got)
	}
}

// The diff must be one that patch(1) applies, turning a into b.
func TestPatchApplies(t *testing.T) {
	patch, err := exec.LookPath("patch")
	if err != nil {
		t.Skip("patch not installed")
	}
	a := "package p\n\nfunc f() {\n\tdefer mu.Lock()\n}\n\nvar x = 1\n"
	b := "package p\n\nfunc f() {\n\tdefer mu.Unlock()\n}\n\nvar x = 1\nvar y = 2\n"
	dir := t.TempDir()
	file := filepath.Join(dir, "p.go")
	if err := os.WriteFile(file, []byte(a), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(patch, "-s", file)
	cmd.Stdin = strings.NewReader(Unified("p.go", "p.go", []byte(a), []byte(b)))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch: %v\n%s", err, out)
	}
	got, _ := os.ReadFile(file)
	if string(got) != b {
		t.Errorf("patched file:\n%s\nwant:\n%s", got, b)
	}
}
