package render_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/silentfail/silentfail/diagnose"
	"github.com/silentfail/silentfail/diagnose/render"
	"github.com/silentfail/silentfail/goroutines"
)

var update = flag.Bool("update", false, "rewrite the .golden files")

func fr(fn, file string, line int) goroutines.Frame {
	return goroutines.Frame{Function: fn, File: file, Line: line}
}

// report is what diagnose makes of three snapshots of an order service
// leaking one goroutine per timed-out stock lookup.
func report(t *testing.T) *diagnose.Report {
	t.Helper()
	const src = "/home/dev/shop/"
	send := []goroutines.Frame{
		fr("runtime.gopark", "/usr/local/go/src/runtime/proc.go", 435),
		fr("runtime.chansend", "/usr/local/go/src/runtime/chan.go", 283),
		fr("runtime.chansend1", "/usr/local/go/src/runtime/chan.go", 161),
		fr("example.com/shop.(*API).stock.func1", src+"stock.go", 48),
	}
	creator := fr("example.com/shop.(*API).stock", src+"stock.go", 46)
	recv := []goroutines.Frame{
		fr("runtime.gopark", "/usr/local/go/src/runtime/proc.go", 435),
		fr("runtime.chanrecv", "/usr/local/go/src/runtime/chan.go", 664),
		fr("runtime.chanrecv2", "/usr/local/go/src/runtime/chan.go", 511),
		fr("example.com/shop.(*reports).work", src+"worker.go", 40),
	}
	workers := fr("example.com/shop.(*reports).start", src+"worker.go", 30)
	mk := func(at time.Duration, leaked, wait int) *goroutines.Snapshot {
		s := &goroutines.Snapshot{Source: "capture-" + at.String(), Time: time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC).Add(at), Format: goroutines.FormatDump, Profile: goroutines.ProfileGoroutine}
		for i := range leaked {
			s.Goroutines = append(s.Goroutines, &goroutines.Goroutine{ID: int64(100 + i), Count: 1, State: "chan send", WaitMinutes: wait, Stack: send, CreatedBy: &creator})
		}
		for i := range 4 {
			s.Goroutines = append(s.Goroutines, &goroutines.Goroutine{ID: int64(10 + i), Count: 1, State: "chan receive", WaitMinutes: 12, Stack: recv, CreatedBy: &workers})
		}
		return s
	}
	rep, err := diagnose.Analyze([]*goroutines.Snapshot{mk(0, 10, 0), mk(10*time.Second, 60, 1), mk(20*time.Second, 120, 2)},
		diagnose.WithFindings([]diagnose.Finding{{Check: "chanleak", Message: "when ctx is done first, the goroutine blocks forever sending on res (make res buffered)", File: "stock.go", Line: 47, Col: 2, FuncStart: 40, FuncEnd: 60}}))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestText(t *testing.T) {
	var b bytes.Buffer
	if err := render.Text(&b, report(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.txt.golden", b.Bytes())
	for _, want := range []string{"LEAK  120 goroutines in chan send, counts 10 → 60 → 120", "stock.go:47:2: when ctx is done first", "stock.func1  stock.go:48"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text report lacks %q", want)
		}
	}
}

func TestJSON(t *testing.T) {
	var b bytes.Buffer
	if err := render.JSON(&b, report(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.json.golden", b.Bytes())
	var doc struct {
		Groups []struct {
			Verdict     string                 `json:"verdict"`
			Count       []int                  `json:"count"`
			State       string                 `json:"state"`
			WaitMinutes struct{ Min, Max int } `json:"wait_minutes"`
			Culprit     struct {
				Function, File string
				Line           int
			} `json:"culprit"`
			CreatedBy struct{ Function string }   `json:"created_by"`
			Stack     []struct{ Function string } `json:"stack"`
			Reason    string                      `json:"reason"`
			Findings  []struct{ Check string }    `json:"findings"`
		} `json:"groups"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	g := doc.Groups[0]
	if g.Verdict != "leak" || len(g.Count) != 3 || g.State != "chan send" || g.WaitMinutes.Max != 2 ||
		g.Culprit.Line != 48 || g.CreatedBy.Function == "" || len(g.Stack) != 4 || g.Reason == "" || len(g.Findings) != 1 {
		t.Errorf("first group: %+v", g)
	}
}

func TestHTMLIsSelfContained(t *testing.T) {
	var b bytes.Buffer
	if err := render.HTML(&b, report(t)); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{`<details class="group leak" open>`, `<details class="group ok">`, "<svg class=\"spark\"", "<polyline", "stock.go:47:2", "<ol class=\"stack\">"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"http://", "https://", "<script", "<link", "src="} {
		if strings.Contains(page, bad) {
			t.Errorf("page refers to something outside itself: %q", bad)
		}
	}
	if os.Getenv("SF_HTML_OUT") != "" {
		os.WriteFile(os.Getenv("SF_HTML_OUT"), b.Bytes(), 0o644)
	}
}

func TestPprofOpensInGoToolPprof(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leaks.pb.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := render.Pprof(f, report(t)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=10", path).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof: %v\n%s", err, out)
	}
	// Only the leak (120 goroutines) is in it: the idle workers are ok.
	if !strings.Contains(string(out), "example.com/shop.(*API).stock.func1") || !strings.Contains(string(out), "120") ||
		strings.Contains(string(out), "reports).work") {
		t.Errorf("pprof -top:\n%s", out)
	}
}

// TestHTMLInChromium renders the page in a real headless Chromium and
// reads back the DOM it built. It runs where chromium is installed
// (testdata/chromium.sh installs it and sets SF_CHROMIUM=1, which makes
// a missing browser a failure instead of a skip).
func TestHTMLInChromium(t *testing.T) {
	browser, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("SF_CHROMIUM") != "" {
			t.Fatal("SF_CHROMIUM is set but chromium is not installed")
		}
		t.Skip("chromium not installed (run diagnose/render/testdata/chromium.sh)")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	if err := render.HTML(&b, report(t)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(dir, "profile")}
	out, err := exec.Command(browser, append(args, "--dump-dom", "file://"+page)...).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}
	dom := string(out)
	if n := strings.Count(dom, `<details class="group`); n != 2 {
		t.Errorf("the browser built %d group blocks, want 2", n)
	}
	for _, want := range []string{"<polyline", `class="group leak" open=""`, "shop.(*API).stock.func1", "stock.go:47:2", "<ol class=\"stack\">"} {
		if !strings.Contains(dom, want) {
			t.Errorf("DOM lacks %q", want)
		}
	}
	shot := os.Getenv("SF_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(dir, "report.png")
	}
	if out, err := exec.Command(browser, append(args, "--window-size=1200,900", "--screenshot="+shot, "file://"+page)...).CombinedOutput(); err != nil {
		t.Fatalf("chromium --screenshot: %v\n%s", err, out)
	}
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 1000 {
		t.Errorf("no screenshot: %v", err)
	}
}
