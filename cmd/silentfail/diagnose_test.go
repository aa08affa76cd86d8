package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const captures = "../../goroutines/testdata/captures"

func TestDiagnoseFilesExitOneOnLeaks(t *testing.T) {
	r := silentfail(t, ".", "diagnose", "-source", "none", filepath.Join(captures, "go1.27.debug2.txt"), filepath.Join(captures, "go1.27.goroutineleak.pb.gz"))
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (leaks)\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"LEAK  3 goroutines in chan send", "goroutineleak profile lists 3", "growth cannot be judged"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestDiagnoseNoLeakExitsZero(t *testing.T) {
	// One debug=2 dump of a handful of goroutines: nothing is proven.
	r := silentfail(t, ".", "diagnose", "-source", "none", filepath.Join(captures, "go1.26.debug2.txt"))
	if r.code != 0 || !strings.Contains(r.stdout, "0 leak") {
		t.Errorf("exit %d, want 0\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestDiagnoseOutputs(t *testing.T) {
	dir := t.TempDir()
	html, prof := filepath.Join(dir, "r.html"), filepath.Join(dir, "r.pb.gz")
	r := silentfail(t, ".", "diagnose", "-source", "none", "-json", "-html", html, "-pprof", prof,
		filepath.Join(captures, "go1.27.debug2.txt"), filepath.Join(captures, "go1.27.goroutineleak.pb.gz"))
	if r.code != 1 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var doc struct {
		Leaks  int `json:"leaks"`
		Groups []struct {
			Verdict string `json:"verdict"`
			Culprit struct {
				Function string `json:"function"`
				Line     int    `json:"line"`
			} `json:"culprit"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("-json output: %v\n%s", err, r.stdout)
	}
	if doc.Leaks < 1 || doc.Groups[0].Verdict != "leak" || !strings.HasPrefix(doc.Groups[0].Culprit.Function, "main.") || doc.Groups[0].Culprit.Line == 0 {
		t.Errorf("json: %+v", doc)
	}
	page, err := os.ReadFile(html)
	if err != nil || !strings.Contains(string(page), "<svg") || !strings.Contains(string(page), doc.Groups[0].Culprit.Function) {
		t.Errorf("-html: %v", err)
	}
	out, err := exec.Command("go", "tool", "pprof", "-top", prof).CombinedOutput()
	if err != nil || !strings.Contains(string(out), doc.Groups[0].Culprit.Function) {
		t.Errorf("-pprof: %v\n%s", err, out)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".silentfail-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestDiagnoseBadInput(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.txt")
	os.WriteFile(junk, []byte("<html>not a dump</html>\n"), 0o644)
	html := filepath.Join(dir, "r.html")
	for _, args := range [][]string{
		{"diagnose", "-source", "none", "-html", html, junk},
		{"diagnose", "-source", "none", filepath.Join(dir, "missing.txt")},
		{"diagnose", "-source", "none", "http://127.0.0.1:1/debug/pprof/"},
		{"diagnose"},
	} {
		r := silentfail(t, ".", args...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2, nothing on stdout, one line", args, r.code, r.stdout, r.stderr)
		}
	}
	if _, err := os.Stat(html); !os.IsNotExist(err) {
		t.Error("-html written for an input that could not be read")
	}
}

// Binary files say what they are not, in words, not a decoder's; a
// gzipped text dump is read as the dump it holds.
func TestDiagnoseBinaryAndGzippedInput(t *testing.T) {
	dir := t.TempDir()
	random := filepath.Join(dir, "random.bin")
	b := make([]byte, 4096)
	for i := range b {
		b[i] = byte(i*7919 + i/3) // not text, not a profile
	}
	os.WriteFile(random, b, 0o644)
	r := silentfail(t, ".", "diagnose", "-source", "none", random)
	if r.code != 2 || !strings.Contains(r.stderr, random+": goroutines: binary data that is neither a goroutine dump nor a pprof profile") || strings.Contains(r.stderr, "wire type") {
		t.Errorf("random bytes: %+v", r)
	}
	dump, err := os.ReadFile(filepath.Join(captures, "go1.27.debug2.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(dump)
	zw.Close()
	zipped := filepath.Join(dir, "dump.txt.gz")
	os.WriteFile(zipped, gz.Bytes(), 0o644)
	plain := silentfail(t, ".", "diagnose", "-source", "none", filepath.Join(captures, "go1.27.debug2.txt"))
	r = silentfail(t, ".", "diagnose", "-source", "none", zipped)
	if r.code != plain.code || r.stderr != "" || !strings.Contains(r.stdout, "groups of goroutines") {
		t.Errorf("gzipped dump: %+v", r)
	}
	os.WriteFile(zipped, gz.Bytes()[:gz.Len()/2], 0o644)
	r = silentfail(t, ".", "diagnose", "-source", "none", zipped)
	if r.code != 2 || !strings.Contains(r.stderr, "cut short") {
		t.Errorf("gzipped dump cut short: %+v", r)
	}
}

// The URL path on a real leaking process: three snapshots show growth.
func TestDiagnoseURL(t *testing.T) {
	base := startLeaky(t)
	leak(t, base, 20)
	// Between the snapshots, more requests leak: run them while
	// diagnose waits.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 3 {
			leak(t, base, 20)
		}
	}()
	r := silentfail(t, ".", "diagnose", "-source", "none", "-samples", "3", "-every", "300ms", base)
	<-done
	if r.code != 1 && r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "3 snapshots") || !strings.Contains(r.stdout, "main.lookup") || !strings.Contains(r.stderr, "snapshot 3/3") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
}

// The demo runs the whole loop on the example service and shows the
// runtime leak linked to its static finding, from a directory that has
// nothing of silentfail in it, and leaves nothing behind.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and loads the example service")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	r := silentfail(t, t.TempDir(), "demo")
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("the demo left %s behind", left[0].Name())
	}
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"LEAK", "stock.go:70", "(chanleak)", "rule fired"} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("demo output lacks %q:\n%s\n%s", want, r.stdout, r.stderr)
		}
	}
}

// dumps writes a debug=2 dump of the service at base into dir after
// each step, with modification times a minute apart (the order
// diagnose reads plain files in).
func dumps(t *testing.T, base, dir string, steps ...func()) {
	t.Helper()
	for i, step := range steps {
		step()
		time.Sleep(100 * time.Millisecond) // let the goroutines just started park
		resp, err := http.Get(base + "/debug/pprof/goroutine?debug=2")
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, fmt.Sprintf("dump%d.txt", i))
		if err := os.WriteFile(name, b, 0o644); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 12, 7, 10, i, 0, 0, time.UTC)
		if err := os.Chtimes(name, at, at); err != nil {
			t.Fatal(err)
		}
	}
}

// Goroutine ids across real debug=2 dumps: the goroutines a request
// leaves stay, at the same line, while more arrive (leak); the workers
// of a pool that scaled once are the same goroutines in every later dump
// (ok).
func TestDiagnoseDumpsByIdentity(t *testing.T) {
	base := startLeaky(t)
	dir := t.TempDir()
	scale := func(n int) func() {
		return func() {
			resp, err := http.Get(fmt.Sprintf("%s/scale?n=%d", base, n))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
	}
	dumps(t, base, dir,
		func() { leak(t, base, 10); scale(10)() },
		func() { leak(t, base, 30); scale(210)() },
		func() { leak(t, base, 30) },
		func() { leak(t, base, 30) },
	)
	r := silentfail(t, ".", "diagnose", "-source", "none", dir)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (a leak)\n%s%s", r.code, r.stdout, r.stderr)
	}
	leakAt := regexp.MustCompile(`LEAK  100 goroutines in chan send[^\n]*\n  why:      grew from 10 to 100 over 4 snapshots, blocked in chan send at main.lookup [^\n]*all 10 of the first are still there \(same goroutine ids\)`)
	if !leakAt.MatchString(r.stdout) {
		t.Errorf("the leak in main.lookup is not judged by its ids:\n%s", r.stdout)
	}
	pool := regexp.MustCompile(`ok[^\n]*\n(?:[^\n]*\n)*?\s+210\s+chan receive\s+main.poolWorker`)
	if !pool.MatchString(r.stdout) || strings.Contains(r.stdout, "LEAK  210") {
		t.Errorf("the pool that scaled once is not ok:\n%s", r.stdout)
	}
}

// Salvage: a stray file in a capture directory and a dump cut inside a
// stack are notes, not the end of the report; "-" reads the standard
// input; an -html path in a directory that does not exist is refused
// before anything is read.
func TestDiagnoseSalvages(t *testing.T) {
	dir := t.TempDir()
	dump, err := os.ReadFile(filepath.Join(captures, "go1.27.debug2.txt"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "a.txt"), dump, 0o644)
	os.WriteFile(filepath.Join(dir, "notes.md"), []byte("# what we did during the incident\n"), 0o644)
	cut := dump[:bytes.LastIndex(dump, []byte("\n\t"))]
	os.WriteFile(filepath.Join(dir, "b.txt"), cut, 0o644)

	r := silentfail(t, ".", "diagnose", "-source", "none", dir)
	if r.code == 2 || !strings.Contains(r.stdout, "2 snapshots") {
		t.Errorf("exit %d, want the report of the two dumps\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"skipped " + filepath.Join(dir, "notes.md"), filepath.Join(dir, "b.txt") + " is cut: the input ends inside goroutine"} {
		if !strings.Contains(r.stderr, want) || !strings.Contains(r.stdout, want) {
			t.Errorf("no note %q on stderr and in the report:\n%s\n%s", want, r.stdout, r.stderr)
		}
	}

	cmd := exec.Command(binary, "diagnose", "-source", "none", "-")
	cmd.Stdin = bytes.NewReader(dump)
	out, _ := cmd.Output()
	if !strings.Contains(string(out), "1 snapshot") {
		t.Errorf("diagnose -: %s", out)
	}

	r = silentfail(t, ".", "diagnose", "-source", "none", "-html", filepath.Join(dir, "no", "such", "r.html"), "http://127.0.0.1:1/debug/pprof/")
	if r.code != 2 || !strings.Contains(r.stderr, "-html") || strings.Contains(r.stderr, "127.0.0.1") {
		t.Errorf("exit %d, stderr %q; want 2 for the -html path, before sampling", r.code, r.stderr)
	}

	// Only unreadable files: nothing usable, exit 2 naming one.
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "x.txt"), []byte("<html>\n"), 0o644)
	r = silentfail(t, ".", "diagnose", "-source", "none", bad)
	if r.code != 2 || !strings.Contains(r.stderr, "no readable goroutine dump or profile") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// Above -dump-limit goroutines a URL's snapshots are goroutine
// profiles, not debug=2 dumps (which stop the world while they print),
// and the report says so.
func TestDiagnoseURLDumpLimit(t *testing.T) {
	base := startLeaky(t)
	leak(t, base, 20)
	r := silentfail(t, ".", "diagnose", "-source", "none", "-json", "-samples", "2", "-every", "100ms", "-dump-limit", "5", base)
	if r.code == 2 {
		t.Fatalf("exit 2\n%s", r.stderr)
	}
	var rep struct {
		Snapshots []struct{ Format, Source string }
		Notes     []string
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(rep.Snapshots) < 2 || rep.Snapshots[0].Format != "pprof" || !strings.HasSuffix(rep.Snapshots[0].Source, "/goroutine") {
		t.Errorf("snapshots %+v, want goroutine profiles", rep.Snapshots)
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "above -dump-limit") {
		t.Errorf("notes %q", rep.Notes)
	}
	r = silentfail(t, ".", "diagnose", "-source", "none", "-json", "-samples", "1", base)
	if !strings.Contains(r.stdout, `"format": "dump"`) {
		t.Errorf("below the limit, a debug=2 dump: %s", r.stdout)
	}
}

// A leak across a restart: two dumps of one process, then two of the
// next (killed and started again, as an OOM kill and a supervisor do).
// The counts fall at the restart; the leak grows in each life.
func TestDiagnoseLeakAcrossARestart(t *testing.T) {
	dir := t.TempDir()
	base, kill := startLeakyProcess(t)
	dumps(t, base, dir, func() { leak(t, base, 1100) }, func() { leak(t, base, 200) })
	kill()
	base2, _ := startLeakyProcess(t)
	more := t.TempDir()
	dumps(t, base2, more, func() { leak(t, base2, 100) }, func() { leak(t, base2, 200) })
	for i, name := range []string{"dump0.txt", "dump1.txt"} {
		at := time.Date(2026, 12, 7, 10, 2+i, 0, 0, time.UTC)
		dst := filepath.Join(dir, fmt.Sprintf("dump%d.txt", 2+i))
		if err := os.Rename(filepath.Join(more, name), dst); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(dst, at, at)
	}
	r := silentfail(t, ".", "diagnose", "-source", "none", dir)
	if r.code != 1 || !strings.Contains(r.stdout, "restarted between snapshots 2 and 3") ||
		!regexp.MustCompile(`LEAK  \d+ goroutines in chan send[^\n]*\n  why:      grew in each of 2 lives of the process`).MatchString(r.stdout) {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A service that dies while diagnose samples it: the snapshots taken
// before are judged, with a note, instead of nothing.
func TestDiagnoseURLKeepsSnapshotsOfADeadService(t *testing.T) {
	base, kill := startLeakyProcess(t)
	leak(t, base, 20)
	cmd := exec.Command(binary, "diagnose", "-source", "none", "-samples", "3", "-every", "1s", base)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	rd := bufio.NewReader(stderr)
	var log strings.Builder
	for !strings.Contains(log.String(), "snapshot 1/3") {
		line, err := rd.ReadString('\n')
		log.WriteString(line)
		if err != nil {
			t.Fatalf("no first snapshot: %v\n%s", err, log.String())
		}
	}
	kill()
	rest, _ := io.ReadAll(rd)
	log.Write(rest)
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 2 {
		t.Fatalf("exit 2: the snapshot taken was thrown away\n%s", log.String())
	}
	if !strings.Contains(stdout.String(), "1 snapshot") || !strings.Contains(log.String(), "snapshot 2 of 3 failed") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout.String(), log.String())
	}
}

// An output file that cannot be written does not cost the report: it is
// printed first, then the error, exit 2.
func TestDiagnoseReportBeforeOutputFiles(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "report.html")
	if err := os.Mkdir(target, 0o755); err != nil { // a directory where the file should go
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(target, "keep"), []byte("x"), 0o644)
	r := silentfail(t, ".", "diagnose", "-source", "none", "-html", target, filepath.Join(captures, "go1.27.debug2.txt"))
	if r.code != 2 || !strings.Contains(r.stdout, "groups of goroutines") || !strings.Contains(r.stderr, "report.html") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}
