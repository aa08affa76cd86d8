package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A scratch module under git with one finding of the default set.
const oldCode = `package p

import "log"

func work() error { return nil }

// Old has a finding the team has lived with.
func Old() (err error) {
	defer log.Println("old:", err)
	err = work()
	return err
}
`

// newFinding is a second function with the same bug, added later.
const newFinding = `
// New is written after the baseline.
func New() (err error) {
	defer log.Println("new:", err)
	err = work()
	return err
}
`

func scratchRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), "module example.com/p\n\ngo 1.22\n")
	write(t, filepath.Join(dir, "p.go"), oldCode)
	git(t, dir, "init", "-q")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "old")
	return dir
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// moveDown puts lines above everything the old code has, so that the
// old finding's line moves.
func moveDown(t *testing.T, dir string) {
	t.Helper()
	src := strings.Replace(oldCode, "func work()", "// A comment\n// that moves\n// every line below.\nfunc work()", 1)
	write(t, filepath.Join(dir, "p.go"), src+newFinding)
}

func TestBaseline(t *testing.T) {
	dir := scratchRepo(t)
	r := silentfail(t, dir, "check", "-baseline", "base.json", "./...")
	if r.code != exitClean || r.stdout != "" || !strings.Contains(r.stderr, "wrote the baseline base.json with 1 findings") {
		t.Fatalf("writing the baseline: %+v", r)
	}
	r = silentfail(t, dir, "check", "-baseline", "base.json", "./...")
	if r.code != exitClean || r.stdout != "" || !strings.Contains(r.stderr, "1 findings held in the baseline base.json are not shown") {
		t.Fatalf("the old finding is not silent: %+v", r)
	}
	moveDown(t, dir)
	r = silentfail(t, dir, "check", "-baseline", "base.json", "./...")
	if r.code != exitFindings || strings.Count(r.stdout, "\n") != 1 || !strings.Contains(r.stdout, `p.go:19:2: deferred log.Println("new:", err)`) {
		t.Fatalf("want only the new finding (the old one moved): %+v", r)
	}
	write(t, filepath.Join(dir, "bad.json"), `{"version": 7, "findings": []}`)
	r = silentfail(t, dir, "check", "-baseline", "bad.json", "./...")
	if r.code != exitError || !strings.Contains(r.stderr, "baseline bad.json: format version 7") {
		t.Fatalf("a baseline of another version: %+v", r)
	}
	write(t, filepath.Join(dir, "bad.json"), `not json`)
	r = silentfail(t, dir, "check", "-baseline", "bad.json", "./...")
	if r.code != exitError || !strings.Contains(r.stderr, "baseline bad.json: not a silentfail baseline") {
		t.Fatalf("a file that is not a baseline: %+v", r)
	}
}

func TestNewFromRev(t *testing.T) {
	dir := scratchRepo(t)
	moveDown(t, dir)
	r := silentfail(t, dir, "check", "-new-from-rev", "HEAD", "./...")
	if r.code != exitFindings || strings.Count(r.stdout, "\n") != 1 || !strings.Contains(r.stdout, `deferred log.Println("new:", err)`) {
		t.Fatalf("want only the finding on a changed line: %+v", r)
	}
	git(t, dir, "commit", "-q", "-am", "new")
	r = silentfail(t, dir, "check", "-new-from-rev", "HEAD", "./...")
	if r.code != exitClean || r.stdout != "" {
		t.Fatalf("nothing changed since HEAD: %+v", r)
	}
	r = silentfail(t, dir, "check", "-new-from-rev", "HEAD~1", "./...")
	if r.code != exitFindings || !strings.Contains(r.stdout, "new:") || strings.Contains(r.stdout, "old:") {
		t.Fatalf("since the first commit: %+v", r)
	}
	write(t, filepath.Join(dir, "q", "q.go"), strings.Replace(oldCode, "package p", "package q", 1))
	r = silentfail(t, dir, "check", "-new-from-rev", "HEAD", "./...")
	if r.code != exitFindings || !strings.Contains(r.stdout, filepath.Join("q", "q.go")) {
		t.Fatalf("an untracked file is new: %+v", r)
	}
	r = silentfail(t, dir, "check", "-new-from-rev", "nosuchrev", "./...")
	if r.code != exitError || !strings.Contains(r.stderr, "-new-from-rev nosuchrev: no such revision") {
		t.Fatalf("a bad revision: %+v", r)
	}
}

func TestConfigFile(t *testing.T) {
	dir := scratchRepo(t)
	write(t, filepath.Join(dir, "gen", "gen.go"), strings.Replace(oldCode, "package p", "package gen", 1))
	write(t, filepath.Join(dir, "p_test.go"), strings.Replace(strings.Replace(oldCode, "func work() error { return nil }", "", 1), "Old", "OldInTest", -1))

	// Found from a subdirectory; exclude drops gen's finding.
	write(t, filepath.Join(dir, "silentfail.yaml"), "exclude: [gen/]\n")
	r := silentfail(t, filepath.Join(dir, "gen"), "check", "../...")
	if r.code != exitFindings || strings.Contains(r.stdout, "gen.go") || !strings.Contains(r.stdout, "p.go") {
		t.Fatalf("exclude, found from a subdirectory: %+v", r)
	}
	// tests: false leaves the test file out (its finding is in the
	// opt-in form deferargs.tests).
	if r = silentfail(t, dir, "check", "-enable", "default,deferargs.tests", "./..."); !strings.Contains(r.stdout, "p_test.go") {
		t.Fatalf("the test file's finding is missing to start with: %+v", r)
	}
	write(t, filepath.Join(dir, "silentfail.yaml"), "tests: false\n")
	if r = silentfail(t, dir, "check", "-enable", "default,deferargs.tests", "./..."); r.code != exitFindings || strings.Contains(r.stdout, "p_test.go") {
		t.Fatalf("tests: false: %+v", r)
	}
	// disable from the file; a flag wins over it.
	write(t, filepath.Join(dir, "silentfail.yaml"), "disable: [deferargs]\n")
	if r = silentfail(t, dir, "check", "./..."); r.code != exitClean {
		t.Fatalf("disable from the file: %+v", r)
	}
	if r = silentfail(t, dir, "check", "-disable", "relock", "./..."); r.code != exitFindings {
		t.Fatalf("the -disable flag does not win over the file: %+v", r)
	}
	if r = silentfail(t, dir, "check", "-config", "none", "./..."); r.code != exitFindings {
		t.Fatalf("-config none still reads the file: %+v", r)
	}
	// The baseline named in the file, relative to it.
	write(t, filepath.Join(dir, ".silentfail.yaml"), "")
	os.Remove(filepath.Join(dir, "silentfail.yaml"))
	write(t, filepath.Join(dir, ".silentfail.yaml"), "baseline: ci/base.json\n")
	os.MkdirAll(filepath.Join(dir, "ci"), 0o755)
	if r = silentfail(t, filepath.Join(dir, "gen"), "check", "../..."); r.code != exitClean || !strings.Contains(r.stderr, "wrote the baseline") {
		t.Fatalf("baseline from the file: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "ci", "base.json")); err != nil {
		t.Fatalf("baseline not written beside the config file: %v", err)
	}
	os.Remove(filepath.Join(dir, ".silentfail.yaml"))

	for _, c := range []struct{ content, want string }{
		{"enable: [default]\nenabel: [chanleak]\n", `silentfail.yaml:2: unknown key "enabel"`},
		{"enable:\n  - default\n  - chanleek\n", `silentfail.yaml:3: enable: unknown check or form "chanleek"`},
		{"tests: maybe\n", `silentfail.yaml:1: tests: want true or false, not "maybe"`},
		{"enable: {a: b}\n", `silentfail.yaml:1: enable: want a list of names, not a mapping`},
		{"enable: [\n", `silentfail.yaml: `},
	} {
		write(t, filepath.Join(dir, "silentfail.yaml"), c.content)
		r = silentfail(t, dir, "check", "./...")
		if r.code != exitError || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("config %q: want one line with %q, got %+v", c.content, c.want, r)
		}
	}
	r = silentfail(t, dir, "check", "-config", "missing.yaml", "./...")
	if r.code != exitError || !strings.Contains(r.stderr, "-config missing.yaml: no such file") {
		t.Errorf("a missing -config file: %+v", r)
	}
}

// A run replayed from the result cache prints what a fresh run prints,
// byte for byte, in every output form.
func TestCheckCacheSameOutput(t *testing.T) {
	dir := scratchRepo(t)
	moveDown(t, dir)
	t.Setenv("SILENTFAIL_CACHE", t.TempDir())
	for _, form := range [][]string{nil, {"-json"}, {"-sarif"}, {"-enable", "all"}} {
		args := append(append([]string{"check"}, form...), "./...")
		fresh := silentfail(t, dir, append([]string{"check", "-cache=false"}, args[1:]...)...)
		first := silentfail(t, dir, args...)
		replayed := silentfail(t, dir, args...)
		if fresh.stdout == "" || first != fresh || replayed != fresh {
			t.Errorf("%v: fresh, first and replayed runs differ:\n%+v\n%+v\n%+v", form, fresh, first, replayed)
		}
	}
}
