package watch

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// fakeWatcher returns a watcher whose samples come from vals, one per
// call of tick, at a fixed clock; its own ticker never fires.
func fakeWatcher(t *testing.T, dir string, rules []Rule, vals []float64, opts ...Option) *Watcher {
	t.Helper()
	i := 0
	sampler := func(context.Context) (Sample, error) {
		s := NewSample(t0.Add(time.Duration(i) * time.Second))
		s.Goroutines, s.HeapBytes = vals[i], 1<<20
		i++
		return s, nil
	}
	opts = append([]Option{WithDir(dir), WithInterval(time.Hour), WithRules(rules...),
		WithSampler(sampler), WithClock(func() time.Time { return t0 }), WithCaptureGap(0), WithLogger(testLogger(t))}, opts...)
	w, err := Start(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return w
}

func TestCollector(t *testing.T) {
	dir := t.TempDir()
	w := fakeWatcher(t, dir, []Rule{
		{Name: "goroutines-ceiling", Metric: Goroutines, Kind: Ceiling, Limit: 100, Cooldown: time.Hour},
		{Name: "goroutines-growth", Metric: Goroutines, Kind: Growth, Window: 2, Cooldown: time.Nanosecond},
	}, []float64{10, 500, 600})
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(w.Collector())
	if n, err := testutil.GatherAndCount(reg, "silentfail_watch_captures_total"); err != nil || n != 1 {
		t.Fatalf("before any sample: %d series, %v", n, err)
	}
	for range 3 {
		w.tick() // the test is the sampling goroutine: the ticker never fires
	}
	waitFor(t, "two captures", func() bool { return len(captures(t, dir)) == 2 })
	waitFor(t, "the captures to be counted", func() bool {
		w.stats.mu.Lock()
		defer w.stats.mu.Unlock()
		return w.stats.captures == 2
	})
	want := `
# HELP silentfail_watch_goroutines Goroutines at the last sample.
# TYPE silentfail_watch_goroutines gauge
silentfail_watch_goroutines 600
# HELP silentfail_watch_heap_live_bytes Heap bytes marked live by the last GC, at the last sample.
# TYPE silentfail_watch_heap_live_bytes gauge
silentfail_watch_heap_live_bytes 1.048576e+06
# HELP silentfail_watch_samples_total Samples taken.
# TYPE silentfail_watch_samples_total counter
silentfail_watch_samples_total 3
# HELP silentfail_watch_rule_firings_total Rule firings, by rule (a firing in cooldown is not counted).
# TYPE silentfail_watch_rule_firings_total counter
silentfail_watch_rule_firings_total{rule="goroutines-ceiling"} 1
silentfail_watch_rule_firings_total{rule="goroutines-growth"} 2
silentfail_watch_rule_firings_total{rule="slow-request"} 0
# HELP silentfail_watch_captures_total Captures written.
# TYPE silentfail_watch_captures_total counter
silentfail_watch_captures_total 2
# HELP silentfail_watch_captures_dropped_total Captures dropped because earlier ones were still being written.
# TYPE silentfail_watch_captures_dropped_total counter
silentfail_watch_captures_dropped_total 0
# HELP silentfail_watch_last_capture_timestamp_seconds Time of the last capture, in seconds since the epoch (0: none yet).
# TYPE silentfail_watch_last_capture_timestamp_seconds gauge
silentfail_watch_last_capture_timestamp_seconds ` + strconv.FormatInt(t0.Add(2*time.Second).Unix(), 10) + "\n"
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"silentfail_watch_goroutines", "silentfail_watch_heap_live_bytes", "silentfail_watch_samples_total",
		"silentfail_watch_rule_firings_total", "silentfail_watch_captures_total",
		"silentfail_watch_captures_dropped_total", "silentfail_watch_last_capture_timestamp_seconds"); err != nil {
		t.Error(err)
	}
	// Unknown values (open files, in-flight requests here) are not exported.
	if n, _ := testutil.GatherAndCount(reg, "silentfail_watch_open_fds", "silentfail_watch_inflight_requests"); n != 0 {
		t.Errorf("%d series for unknown values", n)
	}
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
}

func TestHandler(t *testing.T) {
	dir := t.TempDir()
	w := fakeWatcher(t, dir, []Rule{{Name: "goroutines-ceiling", Metric: Goroutines, Kind: Ceiling, Limit: 100}}, []float64{500})
	leakInTest(t, 100)
	w.tick()
	waitFor(t, "a capture", func() bool { return len(captures(t, dir)) == 1 })
	c := captures(t, dir)[0]
	h := w.Handler()
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		body, _ := io.ReadAll(rec.Result().Body)
		return rec.Code, string(body)
	}
	code, page := get("/")
	if code != 200 {
		t.Fatalf("GET / = %d", code)
	}
	for _, want := range []string{
		c.Name, `href="` + c.Name + `/goroutine.txt"`, `href="` + c.Name + `/heap.pb.gz"`,
		`href="` + c.Name + `/capture.json"`, `src="` + c.Name + `/report"`, "at or above the ceiling 100",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the index lacks %q:\n%s", want, page)
		}
	}
	if code, body := get("/" + c.Name + "/goroutine.txt"); code != 200 || !strings.HasPrefix(body, "goroutine ") {
		t.Errorf("the dump: %d %.40q", code, body)
	}
	// The default report is diagnose's: the leaked goroutines are a
	// group of 100 blocked in leakedInTest.
	if code, body := get("/" + c.Name + "/report"); code != 200 || !strings.Contains(body, "<html") ||
		!strings.Contains(body, "watch.leakedInTest") || !strings.Contains(body, `<span class="count">100</span>`) {
		t.Errorf("the report: %d %s", code, body)
	}
	for _, bad := range []string{"/" + c.Name + "/nope.txt", "/" + c.Name + "/../../etc/passwd", "/../x", "/20991231T000000.000Z-0001-x/goroutine.txt", "/" + c.Name} {
		if code, _ := get(bad); code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", bad, code)
		}
	}
	// ListFiles lists the files only.
	rec := httptest.NewRecorder()
	DirHandler(dir, ListFiles).ServeHTTP(rec, httptest.NewRequest("GET", "/"+c.Name+"/report", nil))
	if !strings.Contains(rec.Body.String(), "goroutine.txt (") || !strings.Contains(rec.Body.String(), "at or above the ceiling") {
		t.Errorf("ListFiles: %s", rec.Body)
	}
	// A custom report replaces the default.
	h = DirHandler(dir, func(w io.Writer, captureDir string) error {
		_, err := io.WriteString(w, "custom report of "+captureDir)
		return err
	})
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/"+c.Name+"/report", nil))
	if !strings.Contains(rec.Body.String(), "custom report of "+c.Path) {
		t.Errorf("custom report: %s", rec.Body)
	}
}

func TestWatcherRotates(t *testing.T) {
	dir := t.TempDir()
	vals := []float64{500, 501, 502, 503, 504}
	w := fakeWatcher(t, dir, []Rule{{Name: "goroutines-ceiling", Metric: Goroutines, Kind: Ceiling, Limit: 100, Cooldown: time.Nanosecond}},
		vals, WithMaxCaptures(2))
	for range vals {
		w.tick()
		// One at a time: the queue would drop captures sent faster than
		// they are written.
		w.stats.mu.Lock()
		n := w.stats.captures
		w.stats.mu.Unlock()
		waitFor(t, "the capture", func() bool {
			w.stats.mu.Lock()
			defer w.stats.mu.Unlock()
			return w.stats.captures > n
		})
	}
	caps := captures(t, dir)
	if len(caps) != 2 || caps[0].Seq != 4 || caps[1].Seq != 5 {
		t.Fatalf("captures %v, want the last two of five", caps)
	}
	if m, _ := ReadMeta(caps[1].Path); m.Values[Goroutines] != 504 {
		t.Errorf("newest capture values %v", m.Values)
	}
}

func TestDumpLimit(t *testing.T) {
	dir := t.TempDir()
	w := fakeWatcher(t, dir, []Rule{{Name: "goroutines-ceiling", Metric: Goroutines, Kind: Ceiling, Limit: 100}},
		[]float64{500}, WithDumpLimit(400))
	w.tick()
	waitFor(t, "a capture", func() bool { return len(captures(t, dir)) == 1 })
	c := captures(t, dir)[0]
	if contains(c.Files, FileDump) || !contains(c.Files, FileGoroutine) || !contains(c.Files, FileHeap) {
		t.Errorf("files %v: want the profiles without the dump", c.Files)
	}
	m, _ := ReadMeta(c.Path)
	if len(m.Skipped) != 1 || !strings.Contains(m.Skipped[0], "500 goroutines, above the dump limit 400") {
		t.Errorf("skipped %q", m.Skipped)
	}
}

func TestHandlerWithoutCaptures(t *testing.T) {
	for _, dir := range []string{t.TempDir(), filepath.Join(t.TempDir(), "not-yet")} {
		rec := httptest.NewRecorder()
		DirHandler(dir, nil).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "No capture yet.") {
			t.Errorf("%s: %d %s", dir, rec.Code, rec.Body)
		}
	}
	rec := httptest.NewRecorder()
	DirHandler(t.TempDir(), nil).ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", rec.Code)
	}
}
