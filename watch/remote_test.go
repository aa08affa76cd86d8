package watch

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	leakyOnce sync.Once
	leakyBin  string
	leakyErr  error
)

// buildLeaky builds testdata/leaky once per test binary.
func buildLeaky(t *testing.T) string {
	t.Helper()
	leakyOnce.Do(func() {
		dir, err := os.MkdirTemp("", "watch-leaky-")
		if err != nil {
			leakyErr = err
			return
		}
		leakyBin = filepath.Join(dir, "leaky")
		out, err := exec.Command("go", "build", "-o", leakyBin, "./testdata/leaky").CombinedOutput()
		if err != nil {
			leakyErr = fmt.Errorf("building testdata/leaky: %v\n%s", err, out)
		}
	})
	if leakyErr != nil {
		t.Fatal(leakyErr)
	}
	return leakyBin
}

// startLeaky runs the leaky service in its own process and returns its
// base URL; the process is killed when the test ends.
func startLeaky(t *testing.T) string {
	t.Helper()
	cmd := exec.Command(buildLeaky(t))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the leaky service's address: %v", err)
	}
	u, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if !ok {
		t.Fatalf("the leaky service printed %q", line)
	}
	return u
}

func TestPollerCapturesARealService(t *testing.T) {
	base := startLeaky(t)
	client := &http.Client{Timeout: 10 * time.Second}
	for range 150 { // bounded traffic: 150 leaked goroutines
		resp, err := client.Get(base + "/leak")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	dir := t.TempDir()
	p, err := NewPoller(base, WithDir(dir), WithInterval(10*time.Millisecond), WithOnce(), WithLogger(testLogger(t)),
		WithRules(Rule{Name: "goroutines-ceiling", Metric: Goroutines, Kind: Ceiling, Limit: 100}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatal("Run returned because of the timeout, not after its capture")
	}
	caps := captures(t, dir)
	if len(caps) != 1 {
		t.Fatalf("%d captures, want 1 (WithOnce)", len(caps))
	}
	m := checkCapture(t, caps[0], "goroutines-ceiling")
	if m.Source != base+"/debug/pprof/" || m.Values[Goroutines] < 150 {
		t.Errorf("capture.json: source %q, values %v", m.Source, m.Values)
	}
	dump, _ := os.ReadFile(filepath.Join(caps[0].Path, FileDump))
	if n := bytes.Count(dump, []byte("main.lookup(")); n != 150 {
		t.Errorf("the dump shows %d leaked main.lookup goroutines, want 150", n)
	}
	// Go 1.27 services list goroutineleak on their index: the leaked
	// senders are proved blocked forever (run with GOTOOLCHAIN=go1.27.x).
	if contains(caps[0].Files, FileGoroutineLeak) {
		leaked := int64(0)
		for _, s := range readProfile(t, filepath.Join(caps[0].Path, FileGoroutineLeak)).Sample {
			if hasFrame(s, "main.lookup") {
				leaked += s.Value[0]
			}
		}
		if leaked != 150 {
			t.Errorf("the goroutineleak profile holds %d main.lookup goroutines, want 150", leaked)
		}
	} else {
		t.Logf("the service has no goroutineleak profile (%s)", runtime.Version())
	}
	assertNoTemp(t, dir)
}

func TestPollerUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more
	dir := t.TempDir()
	p, err := NewPoller("http://"+addr, WithDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = p.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "http://"+addr+"/debug/pprof/") || !strings.Contains(err.Error(), "cannot reach") {
		t.Errorf("err = %v, want a cannot-reach error naming the URL", err)
	}

	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	p, _ = NewPoller(srv.URL, WithDir(dir))
	if err := p.Run(ctx); err == nil || !strings.Contains(err.Error(), "net/http/pprof registered") {
		t.Errorf("err = %v, want a not-pprof error", err)
	}
	if _, err := NewPoller("ftp://x", WithDir(dir)); err == nil {
		t.Error("NewPoller accepted an ftp URL")
	}
}

// fakePprof serves just enough of net/http/pprof for the poller. When
// heapAsked is not nil, the heap profile does not come until the request
// is cancelled.
func fakePprof(heapAsked chan<- struct{}) http.Handler {
	gz := func() []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte("not parsed by the poller"))
		zw.Close()
		return b.Bytes()
	}()
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<a href="goroutine?debug=1">goroutine</a> <a href="heap?debug=1">heap</a>`)
	})
	mux.HandleFunc("/debug/pprof/goroutine", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("debug") {
		case "1":
			io.WriteString(w, "goroutine profile: total 5000\n")
		case "2":
			io.WriteString(w, "goroutine 1 [running]:\nmain.main()\n\t/x.go:1 +0x1\n")
		default:
			w.Write(gz)
		}
	})
	mux.HandleFunc("/debug/pprof/heap", func(w http.ResponseWriter, r *http.Request) {
		if heapAsked == nil {
			w.Write(gz)
			return
		}
		close(heapAsked)
		<-r.Context().Done()
	})
	return mux
}

func TestPollerCancelDuringCaptureLeavesNothing(t *testing.T) {
	heapAsked := make(chan struct{})
	srv := httptest.NewServer(fakePprof(heapAsked))
	defer srv.Close()
	dir := t.TempDir()
	p, err := NewPoller(srv.URL, WithDir(dir), WithInterval(time.Hour), WithGoroutineLimit(100), WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx) }()
	select {
	case <-heapAsked:
	case err := <-done:
		t.Fatalf("Run returned %v before fetching the heap profile", err)
	case <-time.After(20 * time.Second):
		t.Fatal("the poller never fetched the heap profile")
	}
	// The dump and the goroutine profile are written, under a temporary name.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), tmpPrefix) {
		t.Fatalf("during the capture the directory holds %v, want one temporary directory", entries)
	}
	if inside, _ := os.ReadDir(filepath.Join(dir, entries[0].Name())); len(inside) < 2 {
		t.Errorf("the capture in progress holds %v, want the dump and the goroutine profile", inside)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after cancel: %v, want nil", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("after cancel the directory holds %v, want nothing", entries)
	}
}

func TestTotalOf(t *testing.T) {
	for in, want := range map[string]int{
		"goroutine profile: total 12\n1 @ 0x1\n": 12,
		"goroutine profile: total 7":             7,
		"<html>":                                 -1,
		"goroutine profile: total x\n":           -1,
	} {
		n, err := totalOf([]byte(in))
		if (err != nil) != (want < 0) || (err == nil && n != want) {
			t.Errorf("totalOf(%q) = %d, %v; want %d", in, n, err, want)
		}
	}
}

func TestPollerAppliesTheDefaultRules(t *testing.T) {
	srv := httptest.NewServer(fakePprof(nil))
	defer srv.Close()
	// Sustained growth: +300 goroutines per poll, 15s apart. The default
	// growth rule (45s of history at least) fires on the fourth sample.
	counts := []float64{500, 800, 1100, 1400, 1700, 2000, 2300, 2600}
	i := 0
	sampler := func(context.Context) (Sample, error) {
		s := NewSample(t0.Add(time.Duration(i) * DefaultRemoteInterval))
		s.Goroutines = counts[i]
		i++
		return s, nil
	}
	dir := t.TempDir()
	p, err := NewPoller(srv.URL, WithDir(dir), WithInterval(time.Millisecond), WithSampler(sampler), WithOnce(), WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if i != 4 {
		t.Errorf("captured after %d samples, want 4", i)
	}
	caps := captures(t, dir)
	if len(caps) != 1 {
		t.Fatalf("captures %v", caps)
	}
	m, err := ReadMeta(caps[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	if m.Rule != "goroutines-growth" || !strings.Contains(m.Reason, "grew from 500 to 1400 in 45s, steadily") || m.Values[Goroutines] != 1400 {
		t.Errorf("capture.json %+v", m)
	}
	if want := []string{FileMeta, FileGoroutine, FileDump, FileHeap}; !slices.Equal(caps[0].Files, want) {
		t.Errorf("files %v, want %v (no goroutineleak: the index does not list it)", caps[0].Files, want)
	}
}

func TestPollerDumpLimit(t *testing.T) {
	srv := httptest.NewServer(fakePprof(nil))
	defer srv.Close()
	dir := t.TempDir()
	p, err := NewPoller(srv.URL, WithDir(dir), WithOnce(), WithGoroutineLimit(1000), WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Run(ctx); err != nil { // the fake service has 5000 goroutines
		t.Fatal(err)
	}
	caps := captures(t, dir)
	if len(caps) != 1 || !contains(caps[0].Files, FileDump) {
		t.Fatalf("captures %v, want one with the dump (5000 is under the default dump limit)", caps)
	}

	dir = t.TempDir()
	p, _ = NewPoller(srv.URL, WithDir(dir), WithOnce(), WithGoroutineLimit(1000), WithDumpLimit(4000), WithLogger(testLogger(t)))
	if err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
	caps = captures(t, dir)
	if len(caps) != 1 || contains(caps[0].Files, FileDump) {
		t.Fatalf("captures %v, want one without the dump", caps)
	}
	if m, _ := ReadMeta(caps[0].Path); len(m.Skipped) != 1 {
		t.Errorf("skipped %q", m.Skipped)
	}
}
