package watch

import (
	"bytes"
	"context"
	"github.com/silentfail/silentfail/diagnose"
	"github.com/silentfail/silentfail/goroutines"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// blockInDefer is what a stuck request waits in: a deferred call
// (an audit send, a flush) that does not return.
func blockInDefer(release chan struct{}) { <-release }

// blockElsewhere is where the other request waits.
func blockElsewhere(release chan struct{}) { <-release }

func stuckHandler(release chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		defer blockInDefer(release)
		go blockInDefer(release) // a goroutine the request started: it carries the request's labels
		io.WriteString(w, "ok")
	}
}

func TestMiddlewareCapturesAStuckRequest(t *testing.T) {
	t.Run("goroutine labels", func(t *testing.T) { testStuckRequest(t, false) })
	t.Run("context labels", func(t *testing.T) { testStuckRequest(t, true) })
}

func testStuckRequest(t *testing.T, contextLabels bool) {
	dir := t.TempDir()
	opts := []Option{WithDir(dir), WithInterval(time.Hour), WithRules(),
		WithRequestDeadline(50 * time.Millisecond), WithLogger(testLogger(t))}
	if contextLabels {
		opts = append(opts, WithContextLabels())
	}
	w, err := Start(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.Handle("GET /stuck/{id}", stuckHandler(release))
	mux.HandleFunc("GET /other", func(w http.ResponseWriter, r *http.Request) { blockElsewhere(release) })
	srv := httptest.NewServer(w.Middleware(mux))
	defer srv.Close()

	// By default the requests that start within one deadline check
	// share a label and a capture: start /other in a later check, so
	// that each request has its own.
	var wg sync.WaitGroup
	for i, path := range []string{"/stuck/7", "/other"} {
		if path == "/other" {
			e := w.flights.epoch.Load()
			waitFor(t, "the next deadline check", func() bool { return w.flights.epoch.Load() > e })
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(srv.URL + path)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
		}()
		waitFor(t, path+" in the middleware", func() bool { return w.InFlight() == int64(i+1) })
	}
	waitFor(t, "two slow-request captures", func() bool { return len(captures(t, dir)) == 2 })
	if n := w.InFlight(); n != 2 {
		t.Errorf("in flight: %d, want 2", n)
	}
	close(release)
	wg.Wait()

	byPath := map[string]Capture{}
	for _, c := range captures(t, dir) {
		m, err := ReadMeta(c.Path)
		if err != nil {
			t.Fatal(err)
		}
		if m.Rule != RuleSlowRequest || m.Request == nil || m.Request.Requests != 1 {
			t.Fatalf("capture.json %+v, want a slow-request capture of one request", m)
		}
		text, err := os.ReadFile(filepath.Join(c.Path, FileDump))
		if err != nil {
			t.Fatal(err)
		}
		path := "/other"
		if bytes.Contains(text, []byte("watch.blockInDefer")) {
			path = "/stuck/7"
		}
		if contextLabels && m.Request.Path != path {
			t.Errorf("capture of %s says path %q", path, m.Request.Path)
		}
		byPath[path] = c
	}
	c, ok := byPath["/stuck/7"]
	if !ok {
		t.Fatalf("no capture of /stuck/7 in %v", byPath)
	}
	m, _ := ReadMeta(c.Path)
	if m.Request.Elapsed < 50*time.Millisecond || (contextLabels && m.Request.Method != "GET") {
		t.Errorf("request info %+v", m.Request)
	}
	if !contextLabels && (m.Request.Method != "" || m.Request.Path != "") {
		t.Errorf("request info %+v: method and path are known WithContextLabels only", m.Request)
	}

	// The pprof profile holds the request's goroutines only: the handler
	// stuck in its deferred call and the goroutine it started.
	p := readProfile(t, filepath.Join(c.Path, FileGoroutine))
	total := int64(0)
	for _, s := range p.Sample {
		total += s.Value[0]
		if got := s.Label[LabelRequest]; len(got) != 1 || got[0] != m.Request.ID {
			t.Errorf("sample labelled %v, want only request %s", s.Label, m.Request.ID)
		}
		wantPath := []string{"/stuck/7"}
		if !contextLabels {
			wantPath = nil // only LabelRequest by default
		}
		if got := s.Label[LabelPath]; !slices.Equal(got, wantPath) {
			t.Errorf("sample path label %v, want %v", got, wantPath)
		}
		if got := s.Label[LabelRoute]; len(got) != 0 {
			// The middleware wraps the mux: the route is not known yet.
			t.Errorf("route label %v set outside the mux", got)
		}
		if !hasFrame(s, "watch.blockInDefer") {
			t.Errorf("a captured goroutine is not in blockInDefer: %v", sampleFunctions(s))
		}
		if hasFrame(s, "watch.blockElsewhere") {
			t.Errorf("the other request's goroutine was captured")
		}
	}
	if total != 2 {
		t.Errorf("%d goroutines captured, want 2 (the handler and the goroutine it started)", total)
	}
	handlerInDefer := false
	for _, s := range p.Sample {
		// Closure names vary with inlining: watch.stuckHandler.func1,
		// watch.TestMiddlewareCapturesAStuckRequest.stuckHandler.func10.
		handlerInDefer = handlerInDefer || (hasFrame(s, "watch.blockInDefer") && hasFrame(s, "stuckHandler.func"))
	}
	if !handlerInDefer {
		for _, s := range p.Sample {
			t.Log(sampleFunctions(s))
		}
		t.Errorf("no captured stack shows the handler blocked in its deferred call")
	}

	text, err := os.ReadFile(filepath.Join(c.Path, FileDump))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(text, []byte("goroutine profile: total 2\n")) || !bytes.Contains(text, []byte("# labels: ")) ||
		!bytes.Contains(text, []byte("watch.blockInDefer")) || bytes.Contains(text, []byte("watch.blockElsewhere")) {
		t.Errorf("%s:\n%s", FileDump, text)
	}
	// diagnose judges the capture, as the Handler page shows it: the
	// request's goroutines are stuck, with the request and the reason.
	snaps, err := goroutines.ReadDir(c.Path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := diagnose.Analyze(snaps)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Stuck() == 0 {
		t.Errorf("no stuck group in the report of %s", c.Name)
	}
	for _, g := range rep.Groups {
		if g.Verdict != diagnose.Stuck || g.Request == nil || g.Request.ID != m.Request.ID ||
			!strings.Contains(g.Reason, "past its deadline") || !strings.Contains(g.Reason, "captured because") {
			t.Errorf("%s: %s (request %+v)", g.Verdict, g.Reason, g.Request)
		}
		if contextLabels && !strings.Contains(g.Reason, "GET /stuck/7") {
			t.Errorf("the reason does not name the request: %s", g.Reason)
		}
	}
	var page bytes.Buffer
	if err := DiagnoseReport(&page, c.Path); err != nil || !strings.Contains(page.String(), `class="group stuck"`) {
		t.Errorf("the capture page does not show the stuck request (%v)", err)
	}
	if o, ok := byPath["/other"]; !ok {
		t.Error("no capture of /other")
	} else if text, _ := os.ReadFile(filepath.Join(o.Path, FileDump)); bytes.Contains(text, []byte("blockInDefer")) {
		t.Errorf("the /other capture holds the /stuck request:\n%s", text)
	}
	waitFor(t, "the requests to leave the middleware", func() bool { return w.InFlight() == 0 })
}

func hasFrame(s *profile.Sample, fn string) bool {
	for _, f := range sampleFunctions(s) {
		if strings.Contains(f, fn) {
			return true
		}
	}
	return false
}

func TestMiddlewareRouteLabelInsideTheMux(t *testing.T) {
	w, err := Start(context.Background(), WithDir(t.TempDir()), WithInterval(time.Hour), WithRules(), WithRequestDeadline(0),
		WithContextLabels())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	var labels map[string]string
	mux := http.NewServeMux()
	mux.Handle("GET /items/{id}", w.Middleware(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		labels = map[string]string{}
		ctx := r.Context()
		for _, k := range []string{LabelRequest, LabelMethod, LabelPath, LabelRoute, LabelID} {
			labels[k], _ = pprofLabel(ctx, k)
		}
	})))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/items/3", nil)
	req.Header.Set("X-Request-Id", "abc-123")
	mux.ServeHTTP(rec, req)
	want := map[string]string{LabelRequest: "1", LabelMethod: "GET", LabelPath: "/items/3", LabelRoute: "GET /items/{id}", LabelID: "abc-123"}
	for k, v := range want {
		if labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, labels[k], v)
		}
	}
}

func TestRequestFilesOfAFinishedRequest(t *testing.T) {
	if _, err := requestFiles("no-such-request", func() bool { return false }, &Meta{}); err != errSkip {
		t.Errorf("err = %v, want errSkip", err)
	}
}

// A request whose handler replaced its goroutine's labels still runs but
// carries no label: the capture keeps every goroutine and says why.
func TestRequestFilesOfARequestWithoutItsLabel(t *testing.T) {
	m := &Meta{Reason: "GET /x still running after 30s (request e1)"}
	files, err := requestFiles("e1-not-on-any-goroutine", func() bool { return true }, m)
	if err != nil || len(files) != 2 {
		t.Fatalf("%d files, err %v; want 2 files", len(files), err)
	}
	var b bytes.Buffer
	if err := files[1].write(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Parse(&b)
	if err != nil {
		t.Fatal(err)
	}
	if countFrame(p, "testing.tRunner") == 0 {
		t.Error("the capture does not hold every goroutine (this test's own is missing)")
	}
	if !strings.Contains(m.Reason, "no goroutine carries its label") {
		t.Errorf("reason %q does not say why every goroutine was captured", m.Reason)
	}
}

// blockUnderOwnLabels is a handler that labels itself with pprof.Do,
// which drops the middleware's goroutine label.
func blockUnderOwnLabels(release chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pprof.Do(r.Context(), pprof.Labels("stage", "render"), func(context.Context) { blockInDefer(release) })
	}
}

func TestMiddlewareCapturesARequestThatReplacedItsLabels(t *testing.T) {
	dir := t.TempDir()
	w, err := Start(context.Background(), WithDir(dir), WithInterval(time.Hour), WithRules(),
		WithRequestDeadline(50*time.Millisecond), WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	release := make(chan struct{})
	srv := httptest.NewServer(w.Middleware(blockUnderOwnLabels(release)))
	defer srv.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if resp, err := http.Get(srv.URL + "/render"); err == nil {
			resp.Body.Close()
		}
	}()
	waitFor(t, "a slow-request capture", func() bool { return len(captures(t, dir)) == 1 })
	close(release)
	<-done
	c := captures(t, dir)[0]
	m, err := ReadMeta(c.Path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Reason, "no goroutine carries its label") {
		t.Errorf("reason %q", m.Reason)
	}
	p := readProfile(t, filepath.Join(c.Path, FileGoroutine))
	if countFrame(p, "watch.blockInDefer") != 1 {
		t.Error("the stuck handler is not in the capture")
	}
}

func TestFilterText(t *testing.T) {
	in := "goroutine profile: total 13\n" +
		"3 @ 0x1 0x2\n# labels: {\"silentfail.request\":\"1\"}\n#\t0x1\tmain.a+0x1\t/a.go:1\n\n" +
		"2 @ 0x3\n# labels: {\"silentfail.request\":\"12\"}\n#\t0x3\tmain.b+0x1\t/b.go:1\n\n" +
		"1 @ 0x4\n#\t0x4\tmain.c+0x1\t/c.go:1\n\n" +
		// A connection's goroutine between two requests: left out.
		"4 @ 0x5 0x6\n# labels: {\"silentfail.request\":\"1\"}\n#\t0x5\tbufio.(*Reader).Peek+0x9\t/bufio.go:1\n#\t0x6\tnet/http.(*conn).serve+0x5\t/server.go:2\n\n" +
		// The same goroutine serving a request: kept.
		"3 @ 0x7 0x8 0x6\n# labels: {\"silentfail.request\":\"1\"}\n#\t0x7\tmain.a+0x1\t/a.go:1\n" +
		"#\t0x8\t" + servingFrames[0] + "+0x2a\t/middleware.go:3\n#\t0x6\tnet/http.(*conn).serve+0x5\t/server.go:2\n\n"
	got := string(filterText([]byte(in), `"silentfail.request":"1"`))
	want := "goroutine profile: total 6\n3 @ 0x1 0x2\n# labels: {\"silentfail.request\":\"1\"}\n#\t0x1\tmain.a+0x1\t/a.go:1\n\n" +
		"3 @ 0x7 0x8 0x6\n# labels: {\"silentfail.request\":\"1\"}\n#\t0x7\tmain.a+0x1\t/a.go:1\n" +
		"#\t0x8\t" + servingFrames[0] + "+0x2a\t/middleware.go:3\n#\t0x6\tnet/http.(*conn).serve+0x5\t/server.go:2\n\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// leftByRequest tells net/http's server goroutines outside the
// middleware from those inside it and from the rest.
func TestLeftByRequest(t *testing.T) {
	for _, tc := range []struct {
		stack []string
		want  bool
	}{
		{[]string{"main.work", "main.handler", servingFrames[0], "net/http.serverHandler.ServeHTTP", "net/http.(*conn).serve"}, false},
		{[]string{"main.work", "main.handler.func1", "runtime/pprof.Do", servingFrames[1], "net/http.(*conn).serve"}, false},
		{[]string{"bufio.(*Reader).Peek", "net/http.(*conn).serve"}, true},
		{[]string{"net.(*conn).Read", "net/http.(*connReader).backgroundRead"}, true},
		{[]string{"main.handler", servingFrames[0], "net/http.(*http2serverConn).runHandler"}, false},
		{[]string{"main.handler", servingFrames[0], "net/http/internal/http2.(*serverConn).runHandler"}, false},
		{[]string{"net/http.(*http2serverConn).readFrames"}, true},
		{[]string{"golang.org/x/net/http2.(*serverConn).serve"}, true},
		// A goroutine the handler started, and the client's.
		{[]string{"main.audit"}, false},
		{[]string{"net/http.(*persistConn).readLoop"}, false},
	} {
		if got := leftByRequest(tc.stack); got != tc.want {
			t.Errorf("leftByRequest(%v) = %v, want %v", tc.stack, got, tc.want)
		}
	}
}

// The default middleware must cost a request no allocation: in a busy
// server, garbage is most of what a per-request wrapper costs.
func TestMiddlewareAllocatesNothing(t *testing.T) {
	w, err := Start(context.Background(), WithDir(t.TempDir()), WithInterval(time.Hour), WithRules())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	h := w.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	rw := &discardWriter{h: http.Header{}}
	req := httptest.NewRequest("GET", "/items/3", nil)
	req.Header.Set("X-Request-Id", "abc-123")
	if n := testing.AllocsPerRun(1000, func() { h.ServeHTTP(rw, req) }); n != 0 {
		t.Errorf("%v allocations per request, want 0", n)
	}
}

// blockAfterRequest is a goroutine started after a request ended, on
// the goroutine that served it.
func blockAfterRequest(release chan struct{}) { <-release }

// startWithOneCohort starts a watcher that neither samples nor starts
// a new cohort during a test: every request shares the first cohort.
func startWithOneCohort(t *testing.T) *Watcher {
	t.Helper()
	w, err := Start(context.Background(), WithDir(t.TempDir()), WithInterval(time.Hour), WithRules(),
		WithRequestDeadline(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return w
}

// By default the middleware leaves its label on the goroutine after
// the request, until the next request replaces it (see Middleware).
func TestMiddlewareLabelLastsUntilTheNextRequest(t *testing.T) {
	w := startWithOneCohort(t)
	release := make(chan struct{})
	defer close(release)
	h := w.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	first := w.flights.current.Load().label
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	go blockAfterRequest(release)
	w.flights.nextEpoch()
	second := w.flights.current.Load().label
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	go blockInDefer(release)
	waitFor(t, "both goroutines to block", func() bool {
		p := goroutineProfile(t)
		return countFrame(p, "watch.blockInDefer") == 1 && countFrame(p, "watch.blockAfterRequest") == 1
	})
	for _, s := range goroutineProfile(t).Sample {
		got := s.Label[LabelRequest]
		switch {
		case hasFrame(s, "watch.blockAfterRequest") && !slices.Equal(got, []string{first}):
			t.Errorf("a goroutine started after the first request carries %s=%v, want %s", LabelRequest, got, first)
		case hasFrame(s, "watch.blockInDefer") && !slices.Equal(got, []string{second}):
			t.Errorf("a goroutine started after the second request carries %s=%v, want %s", LabelRequest, got, second)
		}
	}
}

// A request's capture leaves out the goroutines that carry its label
// but serve no request: with the label left on after a request, a
// keep-alive connection's goroutine keeps it while idle, and so does
// the goroutine net/http starts to read ahead on the connection during
// the next request. The goroutines serving the request, and those it
// started, stay in, over HTTP/1 and HTTP/2.
func TestRequestCaptureLeavesOutConnectionsBetweenRequests(t *testing.T) {
	for _, proto := range []string{"HTTP/1.1", "HTTP/2.0"} {
		t.Run(proto, func(t *testing.T) { testCaptureLeavesOutConnections(t, proto) })
	}
}

func testCaptureLeavesOutConnections(t *testing.T, proto string) {
	w := startWithOneCohort(t)
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.Handle("GET /stuck", stuckHandler(release))
	mux.HandleFunc("GET /fast", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	srv := httptest.NewUnstartedServer(w.Middleware(mux))
	newClient := func() *http.Client { return &http.Client{Transport: &http.Transport{}} }
	if proto == "HTTP/2.0" {
		srv.EnableHTTP2 = true
		srv.StartTLS()
		newClient = func() *http.Client {
			tr := srv.Client().Transport.(*http.Transport).Clone()
			return &http.Client{Transport: tr}
		}
	} else {
		srv.Start()
	}
	defer srv.Close()
	get := func(c *http.Client, path string) {
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			t.Error(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.Proto != proto {
			t.Errorf("%s answered over %s, want %s", path, resp.Proto, proto)
		}
	}
	// One connection serves a request, then the stuck one; another
	// serves a request and stays open, idle. Every request is in the
	// first deadline check's cohort.
	label := w.flights.current.Load().label
	busy, idle := newClient(), newClient()
	defer busy.CloseIdleConnections()
	defer idle.CloseIdleConnections()
	get(busy, "/fast")
	get(idle, "/fast")
	done := make(chan struct{})
	go func() {
		defer close(done)
		get(busy, "/stuck")
	}()
	defer func() { close(release); <-done }()
	labelled := func(p *profile.Profile) (serving, left int64) {
		for _, s := range p.Sample {
			if !hasLabel(s.Label[LabelRequest], label) {
				continue
			}
			if hasFrame(s, "watch.blockInDefer") {
				serving += s.Value[0]
			} else {
				left += s.Value[0]
			}
		}
		return serving, left
	}
	// Over HTTP/1, the idle connection's goroutine and the stuck
	// request's read-ahead goroutine carry the label too; over HTTP/2,
	// each request has its own goroutine, and the connection's carry
	// no label.
	wantLeft := int64(2)
	if proto == "HTTP/2.0" {
		wantLeft = 0
	}
	waitFor(t, "the stuck request and the idle connection", func() bool {
		serving, left := labelled(goroutineProfile(t))
		return serving == 2 && left == wantLeft
	})

	m := &Meta{}
	files, err := requestFiles(label, func() bool { return true }, m)
	if err != nil || len(files) != 2 {
		t.Fatalf("%d files, err %v; want 2 files", len(files), err)
	}
	var text, pb bytes.Buffer
	if err := files[0].write(context.Background(), &text); err != nil {
		t.Fatal(err)
	}
	if err := files[1].write(context.Background(), &pb); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Parse(&pb)
	if err != nil {
		t.Fatal(err)
	}
	if serving, left := labelled(p); serving != 2 || left != 0 || len(p.Sample) == 0 {
		for _, s := range p.Sample {
			t.Log(s.Label, sampleFunctions(s))
		}
		t.Errorf("captured %d goroutines of the request and %d others, want 2 and 0", serving, left)
	}
	if !bytes.HasPrefix(text.Bytes(), []byte("goroutine profile: total 2\n")) || bytes.Contains(text.Bytes(), []byte("net/http.(*connReader).backgroundRead")) {
		t.Errorf("%s:\n%s", FileDump, text.Bytes())
	}
	if m.Reason != "" {
		t.Errorf("reason %q: the request's goroutines were not found", m.Reason)
	}
}

func goroutineProfile(t *testing.T) *profile.Profile {
	t.Helper()
	var b bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&b, 0); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Parse(&b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func countFrame(p *profile.Profile, fn string) int64 {
	var n int64
	for _, s := range p.Sample {
		if hasFrame(s, fn) {
			n += s.Value[0]
		}
	}
	return n
}

// A request that ended before its capture is skipped, even though
// goroutines with its label may still run (the label value is shared
// with the requests its entry served just before).
func TestRequestFilesOfARequestThatLeft(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	pprof.Do(context.Background(), pprof.Labels(LabelRequest, "left-7"), func(context.Context) {
		go blockAfterRequest(release)
	})
	waitFor(t, "the labelled goroutine to block", func() bool { return countFrame(goroutineProfile(t), "watch.blockAfterRequest") == 1 })
	if _, err := requestFiles("left-7", func() bool { return false }, &Meta{}); err != errSkip {
		t.Errorf("request gone: err = %v, want errSkip", err)
	}
	files, err := requestFiles("left-7", func() bool { return true }, &Meta{})
	if err != nil || len(files) != 2 {
		t.Errorf("request running: %d files, err %v; want 2 files", len(files), err)
	}
}

// The sampling goroutine starts a new label epoch at every deadline check.
func TestLabelEpochAdvances(t *testing.T) {
	w, err := Start(context.Background(), WithDir(t.TempDir()), WithInterval(time.Hour), WithRules(),
		WithRequestDeadline(40*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	waitFor(t, "two label epochs", func() bool { return w.flights.epoch.Load() >= 2 })
}

// A request is late once the epoch after the one it started in began a
// deadline ago: never before the deadline, at most one check after it.
func TestTickEpochFindsARequestAfterItsDeadline(t *testing.T) {
	t.Run("cohort", func(t *testing.T) {
		// Three requests in one cohort: one firing, three slow requests.
		testTickEpoch(t, 3, func(w *Watcher) func() {
			c := w.flights.current.Load()
			a, b, x := c.enter(), c.enter(), c.enter()
			return func() { a.Add(-1); b.Add(-1); x.Add(-1) }
		})
	})
	t.Run("entry", func(t *testing.T) {
		testTickEpoch(t, 1, func(w *Watcher) func() {
			f := w.flights.get()
			f.start(httptest.NewRequest("GET", "/late", nil), w.flights.epoch.Load(), "e-test")
			return func() { w.flights.put(f) }
		})
	})
}

// testTickEpoch checks when the requests (n of them) that enter
// registers are reported.
func testTickEpoch(t *testing.T, n uint64, enter func(*Watcher) (leave func())) {
	const d = time.Hour // the loop's own check runs every d/8: never during this test
	t0 := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	now := t0
	w, err := Start(context.Background(), WithDir(t.TempDir()), WithInterval(time.Hour), WithRules(),
		WithRequestDeadline(d), WithClock(func() time.Time { return now }), WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	slow := func() uint64 { w.stats.mu.Lock(); defer w.stats.mu.Unlock(); return w.stats.slowRequests }
	firings := func() uint64 { w.stats.mu.Lock(); defer w.stats.mu.Unlock(); return w.stats.firings[RuleSlowRequest] }

	now = t0.Add(d / 8)
	w.tickEpoch()                          // epoch 1 begins
	started := t0.Add(d/8 + 6*time.Minute) // late in epoch 1: 7.5 to 15 minutes
	now = started
	defer enter(w)()
	for i := 2; i <= 9; i++ {
		now = t0.Add(time.Duration(i) * d / 8)
		w.tickEpoch()
		if n := slow(); n != 0 {
			t.Fatalf("reported at check %d, %v after the request started", i, now.Sub(started))
		}
	}
	now = t0.Add(10 * d / 8)
	w.tickEpoch()
	if got := slow(); got != n || firings() != 1 {
		t.Fatalf("%d slow requests in %d firings %v after the requests started, want %d in 1", got, firings(), now.Sub(started), n)
	}
	w.tickEpoch()
	if got := slow(); got != n || firings() != 1 {
		t.Errorf("reported again: %d slow requests in %d firings", got, firings())
	}
}
