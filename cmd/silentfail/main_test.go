package main

import (
	"bytes"
	"encoding/json"
	"github.com/silentfail/silentfail/internal/sarif"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// binary is the silentfail command built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "silentfail-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "silentfail")
	// The commands under test keep their result cache here, not in the
	// user's cache directory.
	os.Setenv("SILENTFAIL_CACHE", filepath.Join(dir, "cache"))
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		os.RemoveAll(dir)
		panic("building silentfail: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// silentfail runs the command in dir with an environment that needs no
// network and no toolchain download.
func silentfail(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local", "GOFLAGS=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{stdout.String(), stderr.String(), code}
}

// copyTree copies the fixture at src into a fresh temporary directory,
// so tests that modify files or need a tree outside any module can.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

const mod = "testdata/mod"

func TestCheckReportsFindingsSortedWithRelativePaths(t *testing.T) {
	r := silentfail(t, mod, "check", "./cache/...", "./clean/...", "./gen/...")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (findings)\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	want := []string{
		"cache/cache.go:14:2: c.mu is taken with RLock but released with deferred Unlock",
		"cache/cache.go:27:23: //silentfail:ignore deferlock has no reason",
		"cache/cache.go:27:2: c.mu is taken with Lock but released with deferred RUnlock",
		"cache/cache_test.go:11:2: deferred mu.Lock() runs when TestGet returns",
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d findings, want %d:\n%s", len(lines), len(want), r.stdout)
	}
	// Sorted by file, line, column: the directive (col 23) comes after
	// the defer (col 2) on line 27.
	want[1], want[2] = want[2], want[1]
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) || !strings.HasSuffix(lines[i], "(deferlock)") {
			t.Errorf("line %d:\n got %s\nwant %s... (deferlock)", i, lines[i], w)
		}
	}
}

func TestCheckCleanPackageExitsZero(t *testing.T) {
	r := silentfail(t, mod, "check", "./clean")
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 0 and nothing", r.code, r.stdout, r.stderr)
	}
}

func TestCheckWithoutTests(t *testing.T) {
	r := silentfail(t, mod, "check", "-tests=false", "./cache")
	if strings.Contains(r.stdout, "cache_test.go") {
		t.Errorf("-tests=false still reports test files:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "cache.go:14:2") {
		t.Errorf("-tests=false lost the non-test finding:\n%s", r.stdout)
	}
}

func TestCheckBrokenPackageStillChecksTheOthers(t *testing.T) {
	r := silentfail(t, mod, "check", "./...")
	if r.code != exitPartial+exitFindings {
		t.Fatalf("exit %d, want %d (partial run with findings)\nstderr:\n%s", r.code, exitPartial+exitFindings, r.stderr)
	}
	if !strings.Contains(r.stderr, "package example.com/mod/broken does not type-check") || !strings.Contains(r.stderr, "undefinedName") {
		t.Errorf("stderr does not name the broken package and its error:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, "partial run: 1 packages skipped") {
		t.Errorf("stderr does not sum up the partial run:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "cache/cache.go:14:2") {
		t.Errorf("the other packages were not reported:\n%s", r.stdout)
	}

	// Without findings in what was checked, the run is still partial.
	if r := silentfail(t, mod, "check", "./broken", "./clean"); r.code != exitPartial+exitClean {
		t.Errorf("broken + clean: exit %d, want %d\nstderr:\n%s", r.code, exitPartial+exitClean, r.stderr)
	}
	// Nothing analyzed at all: could not run.
	if r := silentfail(t, mod, "check", "./broken"); r.code != exitError || !strings.Contains(r.stderr, "nothing was analyzed") {
		t.Errorf("broken alone: exit %d, want %d and a reason\nstderr:\n%s", r.code, exitError, r.stderr)
	}

	// -json carries the skipped package as go vet -json carries a failed
	// analysis: {"error": "..."} under each check that ran.
	j := silentfail(t, mod, "check", "-json", "./...")
	var tree map[string]map[string]json.RawMessage
	if err := json.Unmarshal([]byte(j.stdout), &tree); err != nil {
		t.Fatalf("-json output does not decode: %v\n%s", err, j.stdout)
	}
	var failed struct {
		Err string `json:"error"`
	}
	if err := json.Unmarshal(tree["example.com/mod/broken"]["deferloop"], &failed); err != nil || !strings.Contains(failed.Err, "undefinedName") {
		t.Errorf("-json: broken package's deferloop entry is %s, want an error naming undefinedName", tree["example.com/mod/broken"]["deferloop"])
	}
	if j.code != r.code {
		t.Errorf("-json: exit %d, want %d as without it", j.code, r.code)
	}

	// -sarif says the run was not complete and why.
	sr := silentfail(t, mod, "check", "-sarif", "./...")
	var log struct {
		Runs []struct {
			Invocations []struct {
				ExecutionSuccessful        bool `json:"executionSuccessful"`
				ToolExecutionNotifications []struct {
					Level   string                `json:"level"`
					Message struct{ Text string } `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(sr.stdout), &log); err != nil || len(log.Runs) != 1 || len(log.Runs[0].Invocations) != 1 {
		t.Fatalf("-sarif: want one run with one invocation (%v):\n%s", err, sr.stdout)
	}
	inv := log.Runs[0].Invocations[0]
	if inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != 1 ||
		inv.ToolExecutionNotifications[0].Level != "error" ||
		!strings.Contains(inv.ToolExecutionNotifications[0].Message.Text, "example.com/mod/broken") {
		t.Errorf("-sarif: invocation %+v, want executionSuccessful false and one error naming the broken package", inv)
	}
	if err := sarif.Validate([]byte(sr.stdout)); err != nil {
		t.Errorf("-sarif: %v", err)
	}
}

func TestCheckCannotRun(t *testing.T) {
	nomod := copyTree(t, "testdata/nomod")
	for _, tc := range []struct {
		name string
		dir  string
		args []string
		want string
	}{
		{"no module", nomod, []string{"check", "./..."}, nomod + ": no Go module here"},        // the directory it ran in, not /
		{"a directory without Go files", mod, []string{"check", "./empty"}, "no Go files in "}, // not "does not type-check"
		{"missing directory", mod, []string{"check", "./nosuchdir/..."}, "pattern ./nosuchdir/...: lstat ./nosuchdir/: no such file or directory"},
		{"nothing matched", mod, []string{"check", "./empty/..."}, "./empty/... matched no packages"},
		{"unknown check", mod, []string{"check", "-enable", "deferlok", "./clean"}, `unknown check "deferlok"`},
		{"fix and diff", mod, []string{"check", "-fix", "-diff", "./clean"}, "cannot be used together"},
		{"unknown flag", mod, []string{"check", "-nosuchflag"}, "flag provided but not defined"},
		{"unknown command", mod, []string{"chekc"}, `unknown command "chekc"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := silentfail(t, tc.dir, tc.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2; stderr:\n%s", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr does not say %q:\n%s", tc.want, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("unexpected output:\n%s", r.stdout)
			}
		})
	}
}

func TestCheckEnableDisable(t *testing.T) {
	if r := silentfail(t, mod, "check", "-enable", "deferloop", "./cache"); r.code != 0 || r.stdout != "" {
		t.Errorf("-enable deferloop: exit %d, output:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := silentfail(t, mod, "check", "-disable", "deferlock", "./cache"); r.code != 0 || r.stdout != "" {
		t.Errorf("-disable deferlock: exit %d, output:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := silentfail(t, mod, "check", "-enable", "deferlock,deferloop", "./cache"); r.code != 1 {
		t.Errorf("-enable deferlock,deferloop: exit %d, want 1:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestCheckJSON(t *testing.T) {
	r := silentfail(t, mod, "check", "-json", "./cache")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	var tree vetJSON
	if err := json.Unmarshal([]byte(r.stdout), &tree); err != nil {
		t.Fatalf("output is not go vet -json shaped: %v\n%s", err, r.stdout)
	}
	diags := tree["example.com/mod/cache [example.com/mod/cache.test]"]["deferlock"]
	if len(diags) != 4 {
		t.Fatalf("want 4 deferlock diagnostics in the test variant, got %d:\n%s", len(diags), r.stdout)
	}
	first := diags[0]
	if !strings.HasSuffix(first.Posn, filepath.Join("cache", "cache.go")+":14:2") || len(first.SuggestedFixes) != 1 {
		t.Fatalf("first diagnostic: %+v", first)
	}
	e := first.SuggestedFixes[0].Edits[0]
	src, err := os.ReadFile(e.Filename)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(src[e.Start:e.End]); got != "Unlock" || e.New != "RUnlock" {
		t.Errorf("edit replaces %q with %q, want Unlock -> RUnlock", got, e.New)
	}
}

func TestCheckDiffChangesNothing(t *testing.T) {
	dir := copyTree(t, mod)
	before, _ := os.ReadFile(filepath.Join(dir, "cache", "cache.go"))
	r := silentfail(t, dir, "check", "-diff", "./cache")
	if !strings.Contains(r.stdout, "--- a/cache/cache.go\n+++ b/cache/cache.go\n") ||
		!strings.Contains(r.stdout, "-\tdefer c.mu.Unlock()\n+\tdefer c.mu.RUnlock()\n") {
		t.Errorf("diff:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "cache", "cache.go"))
	if !bytes.Equal(before, after) {
		t.Error("-diff modified the file")
	}
}

func TestCheckFixLeavesCompilingCode(t *testing.T) {
	dir := copyTree(t, mod)
	os.RemoveAll(filepath.Join(dir, "broken"))
	os.RemoveAll(filepath.Join(dir, "typo"))
	r := silentfail(t, dir, "check", "-fix", "./...")
	if !strings.Contains(r.stderr, "applied 3 fixes in 2 files") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	// What remains is the directive without a reason, which has no fix.
	if r.code != 1 || strings.Count(r.stdout, "\n") != 1 || !strings.Contains(r.stdout, "has no reason") {
		t.Errorf("after -fix: exit %d, remaining findings:\n%s", r.code, r.stdout)
	}
	fixed, _ := os.ReadFile(filepath.Join(dir, "cache", "cache.go"))
	if !strings.Contains(string(fixed), "c.mu.RLock()\n\tdefer c.mu.RUnlock()") {
		t.Errorf("cache.go after -fix:\n%s", fixed)
	}
	// The directive's line was suppressed: its code must be untouched.
	if !strings.Contains(string(fixed), "defer c.mu.Lock()\n") {
		t.Errorf("-fix changed a suppressed finding:\n%s", fixed)
	}
	vet := exec.Command("go", "vet", "./...")
	vet.Dir = dir
	vet.Env = append(os.Environ(), "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local", "GOFLAGS=")
	if out, err := vet.CombinedOutput(); err != nil {
		t.Errorf("fixed module does not build: %v\n%s", err, out)
	}
	if r := silentfail(t, dir, "check", "-disable", "deferlock", "./..."); r.code != 0 {
		t.Errorf("second run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestVetTool(t *testing.T) {
	cmd := exec.Command("go", "vet", "-vettool="+binary, "./cache")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local", "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("go vet -vettool reported nothing:\n%s", out)
	}
	if !strings.Contains(string(out), "cache.go:14:2: c.mu is taken with RLock") {
		t.Errorf("go vet -vettool output:\n%s", out)
	}
	if strings.Contains(string(out), "cache.go:21") {
		t.Errorf("the ignore directive does not work under go vet:\n%s", out)
	}
}

// TestVetToolDefaultSet: go vet runs the default set unless a check is
// named; a form's flag turns it on within its check.
func TestVetToolDefaultSet(t *testing.T) {
	vet := func(args ...string) string {
		cmd := exec.Command("go", append(append([]string{"vet", "-vettool=" + binary}, args...), "./optin")...)
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local", "GOFLAGS=")
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	const chanleakAt, ctxreplaceAt, pileupAt = "optin.go:15", "optin.go:28", "optin.go:39"
	for _, tc := range []struct {
		args      []string
		want, not []string
	}{
		{nil, nil, []string{chanleakAt, ctxreplaceAt, pileupAt}},
		{[]string{"-chanleak"}, []string{chanleakAt}, []string{ctxreplaceAt, pileupAt}},
		{[]string{"-ctxreplace", "-ctxreplace.background"}, []string{ctxreplaceAt}, []string{chanleakAt, pileupAt}},
		{[]string{"-deferloop.pileup"}, []string{pileupAt}, []string{chanleakAt, ctxreplaceAt}},
	} {
		out := vet(tc.args...)
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("go vet -vettool %q: no finding at %s:\n%s", tc.args, w, out)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(out, n) {
				t.Errorf("go vet -vettool %q: unexpected finding at %s:\n%s", tc.args, n, out)
			}
		}
	}
}

func TestCheckOptIn(t *testing.T) {
	if r := silentfail(t, mod, "check", "./optin"); r.code != 0 {
		t.Errorf("default set on opt-in bugs: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r := silentfail(t, mod, "check", "-enable", "default,chanleak,ctxreplace.background,deferloop.pileup", "./optin")
	for _, at := range []string{"optin.go:15:", "optin.go:28:", "optin.go:39:"} {
		if r.code != 1 || !strings.Contains(r.stdout, at) {
			t.Errorf("-enable default,chanleak,ctxreplace.background,deferloop.pileup: exit %d, want a finding at %s\n%s%s", r.code, at, r.stdout, r.stderr)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	r := silentfail(t, mod, "help")
	for _, name := range []string{"deferloop", "deferargs", "deferclose", "defererr", "deferblock", "defergo", "deferrecover", "deferlock", "loopcapture"} {
		if !strings.Contains(r.stdout, "  "+name+": ") {
			t.Errorf("help does not list %s:\n%s", name, r.stdout)
		}
	}
	r = silentfail(t, mod, "help", "deferlock")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "deferlock: ") || !strings.Contains(r.stdout, "Bad:") || !strings.Contains(r.stdout, "https://") {
		t.Errorf("help deferlock: exit %d\n%s", r.code, r.stdout)
	}
	// The first screen, what a user reads when a finding appears, holds
	// the what, the harm, the fix and a bad/good pair in 12 lines.
	for _, name := range []string{"deferloop", "deferargs", "deferclose", "defererr", "deferblock", "defergo", "deferrecover", "deferlock", "relock", "unreleased", "lockwait", "lockorder", "waitgroup", "loopcapture", "ctxcancel", "ctxreplace", "chanleak", "lonechan", "poolreset", "poolput"} {
		r := silentfail(t, mod, "help", name)
		first, _, ok := strings.Cut(r.stdout, strings.Repeat("-", 72))
		if !ok || strings.Count(strings.TrimSpace(first), "\n")+1 > 12 {
			t.Errorf("help %s: no first screen of at most 12 lines:\n%s", name, first)
		}
		for _, part := range []string{"what:", "hurts:", "fix:", "bad:", "good:"} {
			if !strings.Contains(first, part) {
				t.Errorf("help %s: first screen lacks %q:\n%s", name, part, first)
			}
		}
	}
	if r := silentfail(t, mod, "help", "nosuch"); r.code != 2 || !strings.Contains(r.stderr, `unknown check "nosuch"`) {
		t.Errorf("help nosuch: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := silentfail(t, mod, "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "silentfail ") {
		t.Errorf("version: exit %d, %q", r.code, r.stdout)
	}
}

func TestCheckReportsDirectivesNamingNoCheck(t *testing.T) {
	r := silentfail(t, mod, "check", "./typo")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	want := []string{
		`typo/typo.go:11:2: //silentfail:ignore names "deferlok", which is not a silentfail check, so it suppresses nothing for it (checks: deferloop, `,
		`typo/typo.go:12:2: deferred mu.Lock() `,
		`typo/typo.go:17:2: //silentfail:ignore names no check, so it suppresses nothing`,
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d findings, want %d:\n%s", len(lines), len(want), r.stdout)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d:\n got %s\nwant %s...", i, lines[i], w)
		}
	}
	if !strings.HasSuffix(lines[0], "(ignore)") || !strings.HasSuffix(lines[1], "(deferlock)") {
		t.Errorf("check names: %q, %q", lines[0], lines[1])
	}
}

// vetJSON is go vet's -json output as a user's tool reads it (package
// ID, then analyzer, then diagnostics), written here on its own rather
// than borrowed from check.go, so that a wrong field name there fails
// the tests.
type vetJSON map[string]map[string][]struct {
	Posn           string `json:"posn"`
	Message        string `json:"message"`
	SuggestedFixes []struct {
		Message string `json:"message"`
		Edits   []struct {
			Filename   string `json:"filename"`
			Start, End int
			New        string `json:"new"`
		} `json:"edits"`
	} `json:"suggested_fixes"`
}
