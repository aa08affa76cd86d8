package leaktest_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// silentfailDir returns a directory holding a fresh silentfail command,
// which the leaky tests find on PATH to link leaks to static findings.
func silentfailDir(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "leaktest-bin-")
		if buildErr == nil {
			var out []byte
			out, buildErr = exec.Command("go", "build", "-o", filepath.Join(binDir, "silentfail"), "../cmd/silentfail").CombinedOutput()
			if buildErr != nil {
				buildErr = fmt.Errorf("%v\n%s", buildErr, out)
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binDir
}

func TestMain(m *testing.M) {
	// The silentfail command the leaky tests run keeps its result cache
	// here, not in the user's cache directory.
	cache, err := os.MkdirTemp("", "leaktest-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("SILENTFAIL_CACHE", cache)
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.RemoveAll(cache)
	os.Exit(code)
}

// goTest runs the tests of testdata/leaky that match run, verbosely,
// and returns the output and whether go test failed.
func goTest(t *testing.T, run string, env ...string) (string, bool) {
	t.Helper()
	return goTestFlags(t, []string{"-count=1"}, run, env...)
}

func goTestFlags(t *testing.T, flags []string, run string, env ...string) (string, bool) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs a test binary")
	}
	args := append(append([]string{"test"}, flags...), "-v", "-run", run, "./testdata/leaky")
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "PATH="+silentfailDir(t)+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return string(out), err != nil
}

// Check fails the test that leaked, and only it, with parallel tests
// running beside it: through nested goroutines and in subtests; a
// goroutine that finishes within MaxWait is not a leak; a failing test
// is checked too.
func TestCheck(t *testing.T) {
	out, failed := goTest(t, "TestCheck", "LEAKTEST_FAIL=1")
	if !failed {
		t.Fatalf("go test passed\n%s", out)
	}
	for _, want := range []string{
		`--- FAIL: TestCheckLeaks`, `leaktest: TestCheckLeaks leaked 1 goroutine:\n\s+1 blocked in \S+TestCheckLeaks.func1 \(leaky_test.go:54\)`,
		`--- PASS: TestCheckClean`,
		`leaktest: TestCheckNested leaked 1 goroutine:\n\s+1 blocked in \S*leaky.helper \(leaky_test.go:77\)`,
		`--- FAIL: TestCheckSubtests/leaks`, `--- PASS: TestCheckSubtests/clean`,
		`--- PASS: TestCheckLateFinisher`,
		`this test fails on purpose`, `leaktest: TestCheckFailingTest leaked 1 goroutine`,
		`leaktest: TestCheckMutex leaked 1 goroutine:\n\s+1 blocked in \S+TestCheckMutex.func1 \(leaky_test.go:112\)`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "TestCheckClean leaked") || strings.Contains(out, "TestCheckLateFinisher leaked") {
		t.Errorf("a clean test was blamed:\n%s", out)
	}
	if strings.Count(out, "has no goroutineleak profile") != 1 {
		t.Errorf("the runtime without the leak profile is not said once:\n%s", out)
	}
}

// On Go 1.27 the runtime's goroutineleak profile proves the leak: it is
// reported at once, without waiting.
func TestCheckProvenByTheRuntime(t *testing.T) {
	if err := exec.Command("go", "version").Run(); err != nil {
		t.Skip(err)
	}
	if out, err := exec.Command("env", "GOTOOLCHAIN=go1.27.4", "go", "version").CombinedOutput(); err != nil {
		t.Skipf("no Go 1.27 toolchain: %v\n%s", err, out)
	}
	out, failed := goTest(t, "TestCheckLeaks|TestCheckProvenAndLater", "GOTOOLCHAIN=go1.27.4")
	if !failed || !strings.Contains(out, "leaktest: TestCheckLeaks leaked 1 goroutine (the runtime's goroutineleak profile proves 1 blocked forever)") ||
		strings.Contains(out, "has no goroutineleak profile") {
		t.Errorf("%s", out)
	}
	// A goroutine that blocks later is waited for, though another is
	// already proven.
	if !strings.Contains(out, "leaktest: TestCheckProvenAndLater leaked 2 goroutines (the runtime's goroutineleak profile proves 2 blocked forever)") {
		t.Errorf("%s", out)
	}
}

// Main reports, after the tests, what they left behind, and fails the
// run; tests that leak nothing are not named.
func TestMainReportsByTest(t *testing.T) {
	out, failed := goTest(t, "TestLeakParallel|TestCleanParallel|TestCleanSequential")
	if !failed || !strings.Contains(out, "leaked 1 goroutine") || !regexp.MustCompile(`leaky_test.go:23\)`).MatchString(out) {
		t.Errorf("failed %v\n%s", failed, out)
	}
	if strings.Contains(out, "TestCleanParallel leaked") || strings.Contains(out, "TestCleanSequential leaked") {
		t.Errorf("a clean test was blamed:\n%s", out)
	}
	out, failed = goTest(t, "TestCleanParallel|TestCleanSequential|TestCheckClean")
	if failed || strings.Contains(out, "leaked") {
		t.Errorf("clean tests: failed %v\n%s", failed, out)
	}
}

// With -count, -cpu and -shuffle each run of a test has its own label:
// the leaking test fails every time, the clean ones never.
func TestCheckWithCountCPUShuffle(t *testing.T) {
	out, failed := goTestFlags(t, []string{"-count=2", "-cpu=1,2", "-shuffle=on"}, "TestCheckClean|TestCheckLeaks")
	if !failed || strings.Count(out, "--- FAIL: TestCheckLeaks") != 4 || strings.Count(out, "--- PASS: TestCheckClean") != 4 {
		t.Errorf("%s", out)
	}
}

// Goroutines Check already failed a test for are not reported again by
// Main.
func TestMainDoesNotRepeatCheck(t *testing.T) {
	out, failed := goTest(t, "TestCheckLeaks")
	if !failed || strings.Count(out, "TestCheckLeaks leaked") != 1 {
		t.Errorf("failed %v\n%s", failed, out)
	}
}

// Without silentfail on PATH, leaks are reported unlinked, and the
// report says once why.
func TestWithoutTheCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a test binary")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip(err)
	}
	cmd := exec.Command(gobin, "test", "-count=1", "-run", "TestLeakParallel|TestCheckMutex", "./testdata/leaky")
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(gobin))
	b, _ := cmd.CombinedOutput()
	out := string(b)
	if strings.Count(out, "no silentfail command on PATH") != 1 || !strings.Contains(out, "TestLeakParallel leaked 1 goroutine") || strings.Contains(out, "static finding:") {
		t.Errorf("%s", out)
	}
}

// Main names the test through a subtest and a chain of goroutines
// started by helpers, without Check.
func TestMainThroughSubtestsAndHelpers(t *testing.T) {
	out, failed := goTest(t, "TestMainNested")
	if !failed || !regexp.MustCompile(`leaktest: TestMainNested leaked 1 goroutine:\n  1 blocked in leaky.helper \(leaky_test.go:77\) \[select \(no cases\)\], started by leaky.spawn`).MatchString(out) {
		t.Errorf("failed %v\n%s", failed, out)
	}
}

// Under the race detector the labels, the Cleanup and Main's wrapping
// of the tests work the same.
func TestUnderRace(t *testing.T) {
	if out, err := exec.Command("go", "env", "CGO_ENABLED").Output(); err != nil || strings.TrimSpace(string(out)) != "1" {
		t.Skip("no cgo: go test -race cannot run")
	}
	out, failed := goTestFlags(t, []string{"-count=1", "-race"}, "TestCheckLeaks|TestCheckClean|TestLeakParallel")
	if !failed || strings.Contains(out, "DATA RACE") || !strings.Contains(out, "--- PASS: TestCheckClean") ||
		!strings.Contains(out, "leaktest: TestCheckLeaks leaked 1 goroutine") || !strings.Contains(out, "leaktest: TestLeakParallel leaked 1 goroutine") {
		t.Errorf("%s", out)
	}
}
