package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// startLeaky builds and starts watch's test service, a real process on
// loopback whose /leak requests each leave a goroutine blocked forever.
func startLeaky(t *testing.T) string {
	t.Helper()
	base, _ := startLeakyProcess(t)
	return base
}

// startLeakyProcess is startLeaky that also returns a func that kills
// the process (and waits for it), for tests of a service that dies.
func startLeakyProcess(t *testing.T) (string, func()) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "leaky")
	if out, err := exec.Command("go", "build", "-o", bin, "../../watch/testdata/leaky").CombinedOutput(); err != nil {
		t.Fatalf("building the leaky service: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	kill := func() { once.Do(func() { cmd.Process.Kill(); cmd.Wait() }) }
	t.Cleanup(kill)
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the leaky service printed no address: %v", err)
	}
	return strings.TrimSpace(strings.TrimPrefix(line, "listening on ")), kill
}

func leak(t *testing.T, base string, n int) {
	t.Helper()
	for range n {
		resp, err := http.Get(base + "/leak")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
}

func TestWatchCapturesARealService(t *testing.T) {
	base := startLeaky(t)
	leak(t, base, 60)
	dir := filepath.Join(t.TempDir(), "captures")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "watch", "-interval", "50ms", "-goroutines", "40", "-once", "-dir", dir, base)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("silentfail watch: %v\n%s", err, out)
	}
	caps, _ := filepath.Glob(filepath.Join(dir, "*", "goroutine.txt"))
	if len(caps) != 1 {
		t.Fatalf("want one capture with a goroutine dump, got %v\n%s", caps, out)
	}
	dump, _ := os.ReadFile(caps[0])
	if !strings.HasPrefix(string(dump), "goroutine ") || strings.Count(string(dump), "main.lookup(") < 60 {
		t.Errorf("the dump does not show the 60 leaked goroutines in main.lookup:\n%.500s", dump)
	}
	if !strings.Contains(string(out), "silentfail diagnose "+dir) {
		t.Errorf("the output does not say how to read the capture:\n%s", out)
	}
}

func TestWatchStopsCleanlyOnSIGINT(t *testing.T) {
	base := startLeaky(t)
	dir := filepath.Join(t.TempDir(), "captures")
	cmd := exec.Command(binary, "watch", "-interval", "20ms", "-dir", dir, base)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	// The first line says it watches: the poller is running.
	if _, err := bufio.NewReader(stderr).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("after SIGINT: %v, want exit 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("silentfail watch did not stop on SIGINT")
	}
	// Nothing fired: the directory it created is gone again.
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		entries, _ := os.ReadDir(dir)
		t.Errorf("capture directory left behind: %v", entries)
	}
}

func TestWatchUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	dir := filepath.Join(t.TempDir(), "captures")
	r := silentfail(t, ".", "watch", "-dir", dir, url)
	if r.code != 2 || !strings.Contains(r.stderr, "cannot reach the service") || !strings.Contains(r.stderr, url) {
		t.Errorf("exit %d, stderr:\n%s\nwant 2 and an error naming %s", r.code, r.stderr, url)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("a failed watch left %s behind", dir)
	}
	if r := silentfail(t, ".", "watch"); r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("no URL: exit %d, stderr %q", r.code, r.stderr)
	}
}

// A service leaking ten goroutines a second, watched every second:
// growth is judged in time, not in samples, so the capture comes within
// a minute (the rule needs 45s of history), and watch says what it did.
func TestWatchCatchesASteadyLeakWithinAMinute(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 50 seconds")
	}
	base := startLeaky(t)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if resp, err := http.Get(base + "/leak"); err == nil {
					resp.Body.Close()
				}
			}
		}
	}()
	dir := filepath.Join(t.TempDir(), "captures")
	start := time.Now()
	out, err := exec.Command(binary, "watch", "-interval", "1s", "-goroutines", "1000000", "-once", "-timeout", "90s", "-dir", dir, base).CombinedOutput()
	took := time.Since(start)
	stop()
	if err != nil {
		t.Fatalf("silentfail watch: %v\n%s", err, out)
	}
	metas, _ := filepath.Glob(filepath.Join(dir, "*", "capture.json"))
	if len(metas) != 1 {
		t.Fatalf("want one capture after %s, got %v\n%s", took, metas, out)
	}
	b, _ := os.ReadFile(metas[0])
	if !strings.Contains(string(b), `"rule": "goroutines-growth"`) || took > 70*time.Second {
		t.Errorf("captured after %s (want within a minute of the start, by goroutines-growth):\n%s", took, b)
	}
	if !regexp.MustCompile(`silentfail: \d+ polls \(0 failed\), [1-9]\d* rule firings, 1 captures written \(0 failed\)`).Match(out) {
		t.Errorf("no summary line:\n%s", out)
	}
}

// A run whose every capture failed says so and exits 2: a service that
// answers the count but fails every profile.
func TestWatchEveryCaptureFailed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/debug/pprof/":
			fmt.Fprintln(w, `<a href="goroutine?debug=1">goroutine</a> <a href="heap?debug=1">heap</a>`)
		case r.URL.Path == "/debug/pprof/goroutine" && r.URL.Query().Get("debug") == "1":
			fmt.Fprintln(w, "goroutine profile: total 50000\n50000 @ 0x1\n#\t0x1\tmain.f+0x1\t/x/main.go:1")
		default:
			http.Error(w, "profiling is switched off", http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "captures")
	r := silentfail(t, ".", "watch", "-interval", "50ms", "-gap", "10ms", "-cooldown", "10ms", "-timeout", "2s", "-dir", dir, srv.URL)
	if r.code != 2 || !strings.Contains(r.stderr, "every capture failed") || !regexp.MustCompile(`[1-9]\d* rule firings, 0 captures written \([1-9]\d* failed\)`).MatchString(r.stderr) {
		t.Errorf("exit %d, want 2\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the capture directory is left behind: %v", err)
	}
}
