package watch

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// waitFor polls cond until it holds, failing the test after a bounded
// time: captures happen in other goroutines, so tests wait for their
// effect rather than for a fixed duration.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, nil))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// captures returns the captures in dir, failing the test on error.
func captures(t *testing.T, dir string) []Capture {
	t.Helper()
	caps, err := ListCaptures(dir)
	if err != nil {
		t.Fatal(err)
	}
	return caps
}

// checkCapture checks that a rule capture's files are what they claim.
func checkCapture(t *testing.T, c Capture, wantRule string) *Meta {
	t.Helper()
	dump, err := os.ReadFile(filepath.Join(c.Path, FileDump))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(dump, []byte("goroutine ")) {
		t.Errorf("%s does not start with \"goroutine \": %.40q", FileDump, dump)
	}
	for _, name := range []string{FileGoroutine, FileHeap} {
		p := readProfile(t, filepath.Join(c.Path, name))
		if len(p.Sample) == 0 && name == FileGoroutine {
			t.Errorf("%s has no samples", name)
		}
	}
	m, err := ReadMeta(c.Path)
	if err != nil {
		t.Fatal(err)
	}
	if m.Rule != wantRule || m.Reason == "" || m.Source == "" || m.Time.IsZero() {
		t.Errorf("capture.json = %+v, want rule %s with a reason, a source and a time", m, wantRule)
	}
	if _, ok := m.Values[Goroutines]; !ok {
		t.Errorf("capture.json values %v lack %s", m.Values, Goroutines)
	}
	return m
}

// readProfile gunzips and parses a pprof file.
func readProfile(t *testing.T, path string) *profile.Profile {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: gunzip: %v", path, err)
	}
	p, err := profile.ParseData(raw)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return p
}

// leakInTest starts n goroutines blocked until the test ends, and
// returns once they are all blocked.
func leakInTest(t *testing.T, n int) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	for range n {
		go leakedInTest(release)
	}
	waitFor(t, "the leaked goroutines to block", func() bool { return blockedIn("watch.leakedInTest(") >= n })
}

// blockedIn counts the goroutines blocked on a channel receive in fn.
func blockedIn(fn string) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "[chan receive") && strings.Contains(g, fn) {
			count++
		}
	}
	return count
}

func leakedInTest(release chan struct{}) { <-release }

func TestWatcherCapturesALeak(t *testing.T) {
	dir := t.TempDir()
	limit := runtime.NumGoroutine() + 50
	w, err := Start(context.Background(),
		WithDir(dir), WithInterval(2*time.Millisecond), WithCaptureGap(time.Hour),
		WithRules(Rule{Name: "goroutines-ceiling", Metric: Goroutines, Kind: Ceiling, Limit: float64(limit)}),
		WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	leakInTest(t, 100)
	waitFor(t, "a capture", func() bool { return len(captures(t, dir)) > 0 })
	w.Stop()

	caps := captures(t, dir)
	if len(caps) != 1 {
		t.Fatalf("%d captures, want 1 (the capture gap is an hour)", len(caps))
	}
	c := caps[0]
	if !strings.HasSuffix(c.Name, "-0001-goroutines-ceiling") || c.Rule != "goroutines-ceiling" {
		t.Errorf("capture name %s", c.Name)
	}
	m := checkCapture(t, c, "goroutines-ceiling")
	if m.Values[Goroutines] < float64(limit) {
		t.Errorf("captured goroutines %v below the limit %d", m.Values[Goroutines], limit)
	}
	dump, _ := os.ReadFile(filepath.Join(c.Path, FileDump))
	if n := bytes.Count(dump, []byte("watch.leakedInTest(")); n < 100 {
		t.Errorf("the dump shows %d leaked goroutines, want 100", n)
	}
	wantFiles := []string{FileMeta, FileDump, FileGoroutine, FileHeap}
	for _, f := range wantFiles {
		if !contains(c.Files, f) || !contains(m.Files, f) {
			t.Errorf("file %s missing: on disk %v, in capture.json %v", f, c.Files, m.Files)
		}
	}
	if leak := contains(c.Files, FileGoroutineLeak); leak != (lookupExists("goroutineleak")) {
		t.Errorf("goroutineleak.pb.gz present = %v, runtime has the profile = %v", leak, !leak)
	}
	assertNoTemp(t, dir)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// assertNoTemp fails if a capture in progress was left in dir.
func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			t.Errorf("partial capture left: %s", e.Name())
		}
	}
}

func TestStopAbandonsACaptureInProgress(t *testing.T) {
	dir := t.TempDir()
	w, err := Start(context.Background(), WithDir(dir), WithInterval(time.Hour), WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	inside := make(chan struct{})
	w.enqueue(job{
		meta: Meta{Time: time.Now(), Rule: "test"},
		files: func(*Meta) ([]captureFile, error) {
			return []captureFile{
				{FileDump, func(_ context.Context, w io.Writer) error {
					_, err := io.WriteString(w, "goroutine 1 [running]:\n")
					return err
				}},
				{FileHeap, func(ctx context.Context, w io.Writer) error {
					io.WriteString(w, "half a profile")
					close(inside)
					<-ctx.Done() // a slow write, interrupted by Stop
					return ctx.Err()
				}},
			}, nil
		},
	})
	<-inside
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), tmpPrefix) {
		t.Fatalf("during the capture the directory holds %v, want one temporary directory", entries)
	}
	w.Stop()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("after Stop the directory holds %v, want nothing", entries)
	}
}

func TestQueueFullDropsAndCounts(t *testing.T) {
	dir := t.TempDir()
	w, err := Start(context.Background(), WithDir(dir), WithInterval(time.Hour), WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	block := make(chan struct{})
	started := make(chan struct{})
	w.enqueue(job{meta: Meta{Time: time.Now(), Rule: "slow"}, files: func(*Meta) ([]captureFile, error) {
		close(started)
		<-block
		return nil, errSkip
	}})
	<-started // the capture goroutine is busy: the queue fills up
	for range queueSize + 3 {
		w.enqueue(job{meta: Meta{Time: time.Now(), Rule: "x"}, files: func(*Meta) ([]captureFile, error) { return nil, errSkip }})
	}
	close(block)
	w.stats.mu.Lock()
	drops := w.stats.drops
	w.stats.mu.Unlock()
	if drops != 3 {
		t.Errorf("%d captures dropped, want 3", drops)
	}
}

func TestStoreRotation(t *testing.T) {
	dir := t.TempDir()
	// Things that are not captures must survive rotation.
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	os.Mkdir(filepath.Join(dir, "keep-me"), 0o755)
	notOurs := filepath.Join(dir, "20200101T000000.000Z-0000-lookalike") // a capture's name, no capture.json
	os.Mkdir(notOurs, 0o755)
	os.WriteFile(filepath.Join(notOurs, "data"), bytes.Repeat([]byte("x"), 1<<20), 0o644)

	payload := func(n int) []captureFile {
		return []captureFile{{FileDump, func(_ context.Context, w io.Writer) error {
			_, err := w.Write(bytes.Repeat([]byte("g"), n))
			return err
		}}}
	}
	s, err := openStore(dir, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for i := range 5 {
		c, err := s.write(context.Background(), Meta{Time: t0.Add(time.Duration(i) * time.Second), Rule: "Goroutines Ceiling!"}, payload(1000))
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, c.Name)
		if _, err := s.rotate(); err != nil {
			t.Fatal(err)
		}
	}
	if names[0] != "20261123T021500.000Z-0001-goroutines-ceiling" {
		t.Errorf("first capture named %s", names[0])
	}
	got := captures(t, dir)
	if len(got) != 3 || got[0].Name != names[2] || got[2].Name != names[4] {
		t.Errorf("after 5 captures with at most 3: %v, want the last three of %v", got, names)
	}
	for _, keep := range []string{"notes.txt", "keep-me", filepath.Base(notOurs)} {
		if _, err := os.Stat(filepath.Join(dir, keep)); err != nil {
			t.Errorf("rotation removed %s, which is not a capture", keep)
		}
	}

	// By bytes: each capture is ~1000 bytes of dump plus capture.json.
	s.maxCaptures, s.maxBytes = 0, 2*got[2].Bytes+got[2].Bytes/2
	if _, err := s.rotate(); err != nil {
		t.Fatal(err)
	}
	if got := captures(t, dir); len(got) != 2 || got[1].Name != names[4] {
		t.Errorf("with room for 2.5 captures: %v", got)
	}
	// One capture larger than the limit is still kept: the newest always is.
	c, err := s.write(context.Background(), Meta{Time: t0.Add(time.Minute), Rule: "big"}, payload(10*int(s.maxBytes)))
	if err != nil {
		t.Fatal(err)
	}
	s.rotate()
	if got := captures(t, dir); len(got) != 1 || got[0].Name != c.Name {
		t.Errorf("after a capture larger than the limit: %v, want only %s", got, c.Name)
	}

	// A new store continues the sequence and removes leftovers of a crash.
	os.Mkdir(filepath.Join(dir, tmpPrefix+"20261123T021600.000Z-0099-x"), 0o755)
	s2, err := openStore(dir, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	if s2.seq != 6 {
		t.Errorf("sequence restarts at %d, want 6", s2.seq)
	}
	assertNoTemp(t, dir)
}

func TestStoreCancelledWriteLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	s, err := openStore(dir, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	files := []captureFile{
		{FileDump, func(context.Context, io.Writer) error { cancel(); return nil }},
		{FileHeap, func(context.Context, io.Writer) error { t.Error("a file written after cancel"); return nil }},
	}
	if _, err := s.write(ctx, Meta{Time: t0, Rule: "r"}, files); err == nil || !strings.Contains(err.Error(), "abandoned") {
		t.Errorf("err = %v, want an abandoned capture", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the directory holds %v", entries)
	}
	// A failing profile also leaves nothing, and says which file failed.
	files = []captureFile{{FileHeap, func(context.Context, io.Writer) error { return io.ErrUnexpectedEOF }}}
	if _, err := s.write(context.Background(), Meta{Time: t0, Rule: "r"}, files); err == nil || !strings.Contains(err.Error(), FileHeap) {
		t.Errorf("err = %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the directory holds %v", entries)
	}
}

func TestMetaJSON(t *testing.T) {
	dir := t.TempDir()
	s, _ := openStore(dir, 0, 0)
	m := Meta{Time: t0, Rule: "goroutines-growth", Reason: "why", Values: map[Metric]float64{Goroutines: 12}, Source: "process 1 (x)"}
	c, err := s.write(context.Background(), m, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(c.Path, FileMeta))
	var generic map[string]any
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"time", "rule", "reason", "values", "source", "files"} {
		if _, ok := generic[k]; !ok {
			t.Errorf("capture.json lacks %q: %s", k, raw)
		}
	}
	if v := generic["values"].(map[string]any)["goroutines"]; v != 12.0 {
		t.Errorf("values.goroutines = %v", v)
	}
}
