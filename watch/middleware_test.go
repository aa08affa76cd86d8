package watch

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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
	dir := t.TempDir()
	w, err := Start(context.Background(), WithDir(dir), WithInterval(time.Hour), WithRules(),
		WithRequestDeadline(50*time.Millisecond), WithLogger(testLogger(t)))
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

	var wg sync.WaitGroup
	for _, path := range []string{"/stuck/7", "/other"} {
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
		if m.Rule != RuleSlowRequest || m.Request == nil {
			t.Fatalf("capture.json %+v, want a slow-request capture with its request", m)
		}
		byPath[m.Request.Path] = c
	}
	c, ok := byPath["/stuck/7"]
	if !ok {
		t.Fatalf("no capture of /stuck/7 in %v", byPath)
	}
	m, _ := ReadMeta(c.Path)
	if m.Request.Method != "GET" || m.Request.Elapsed < 50*time.Millisecond {
		t.Errorf("request info %+v", m.Request)
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
		if got := s.Label[LabelPath]; len(got) != 1 || got[0] != "/stuck/7" {
			t.Errorf("sample path label %v", got)
		}
		if got := s.Label[LabelRoute]; len(got) != 0 {
			// The middleware wraps the mux: the route is not known yet.
			t.Errorf("route label %v set outside the mux", got)
		}
		if !hasFrame(s, "watch.blockInDefer") {
			t.Errorf("a captured goroutine is not in blockInDefer: %v", frames(s))
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
			t.Log(frames(s))
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
	if o, ok := byPath["/other"]; !ok {
		t.Error("no capture of /other")
	} else if text, _ := os.ReadFile(filepath.Join(o.Path, FileDump)); bytes.Contains(text, []byte("blockInDefer")) {
		t.Errorf("the /other capture holds the /stuck request:\n%s", text)
	}
	waitFor(t, "the requests to leave the middleware", func() bool { return w.InFlight() == 0 })
}

func hasFrame(s *profile.Sample, fn string) bool {
	for _, f := range frames(s) {
		if strings.Contains(f, fn) {
			return true
		}
	}
	return false
}

func frames(s *profile.Sample) []string {
	var out []string
	for _, loc := range s.Location {
		for _, l := range loc.Line {
			out = append(out, l.Function.Name)
		}
	}
	return out
}

func TestMiddlewareRouteLabelInsideTheMux(t *testing.T) {
	w, err := Start(context.Background(), WithDir(t.TempDir()), WithInterval(time.Hour), WithRules(), WithRequestDeadline(0))
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
	if _, err := requestFiles("no-such-request"); err != errSkip {
		t.Errorf("err = %v, want errSkip", err)
	}
}

func TestFilterText(t *testing.T) {
	in := "goroutine profile: total 6\n" +
		"3 @ 0x1 0x2\n# labels: {\"silentfail.request\":\"1\"}\n#\t0x1\tmain.a+0x1\t/a.go:1\n\n" +
		"2 @ 0x3\n# labels: {\"silentfail.request\":\"12\"}\n#\t0x3\tmain.b+0x1\t/b.go:1\n\n" +
		"1 @ 0x4\n#\t0x4\tmain.c+0x1\t/c.go:1\n\n"
	got := string(filterText([]byte(in), `"silentfail.request":"1"`))
	want := "goroutine profile: total 3\n3 @ 0x1 0x2\n# labels: {\"silentfail.request\":\"1\"}\n#\t0x1\tmain.a+0x1\t/a.go:1\n\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}
