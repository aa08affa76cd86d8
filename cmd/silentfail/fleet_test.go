package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fakePrometheus answers query_range with go_goroutines series for the
// given instances, each from first to last over two samples; it checks
// the query carries the selector.
func fakePrometheus(t *testing.T, selector string, series map[string][2]int) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/query_range" || r.URL.Query().Get("query") != "go_goroutines{"+selector+"}" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"status": "error", "errorType": "bad_data", "error": "unexpected query %s"}`, r.URL.RawQuery)
			return
		}
		now := time.Now().Unix()
		var res []string
		for inst, v := range series {
			res = append(res, fmt.Sprintf(`{"metric": {"__name__": "go_goroutines", "instance": %q, "job": "api"}, "values": [[%d, "%d"], [%d, "%d"]]}`, inst, now-3600, v[0], now, v[1]))
		}
		fmt.Fprintf(w, `{"status": "success", "data": {"resultType": "matrix", "result": [%s]}}`, strings.Join(res, ","))
	}))
}

// Two leaking instances on loopback, one flat, one gone: the fleet view
// captures the two that grew and still answer, and folds their leak
// into one finding "in 2 of 2 instances".
func TestDiagnoseFleet(t *testing.T) {
	if testing.Short() {
		t.Skip("runs leaking services on loopback")
	}
	a, b := startLeaky(t), startLeaky(t)
	leak(t, a, 20)
	leak(t, b, 20)
	// Both keep leaking while the instances are captured one after the
	// other (3 snapshots 300ms apart each).
	stop, done := make(chan struct{}), make(chan struct{})
	defer func() { close(stop); <-done }()
	go func() {
		defer close(done)
		for range 40 {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			leak(t, a, 5)
			leak(t, b, 5)
		}
	}()
	host := func(u string) string { return strings.TrimPrefix(u, "http://") }
	prom := fakePrometheus(t, `job="api"`, map[string][2]int{
		host(a): {10, 900}, host(b): {10, 500}, "127.0.0.1:1": {10, 100}, "flat:8080": {50, 50},
	})
	defer prom.Close()
	r := silentfail(t, ".", "diagnose", "-source", "none", "-prometheus", prom.URL, "-selector", `job="api"`, "-samples", "3", "-every", "300ms", "-top", "3")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (a leak)\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"4 instances match {job=\"api\"}; 3 grew over the last 1h0m0s; capturing the 3 that grew most",
		"127.0.0.1:1: 10 → 100 goroutines; not captured",
		"in 2 of 2 instances captured",
		"main.lookup",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("no %q in\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "flat:8080") {
		t.Errorf("the flat instance was captured:\n%s", r.stdout)
	}

	r = silentfail(t, ".", "diagnose", "-prometheus", prom.URL, "-selector", `job="none"`)
	if r.code != 2 || !strings.Contains(r.stderr, "bad_data") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("a query Prometheus refuses: %+v", r)
	}
	r = silentfail(t, ".", "diagnose", "-prometheus", prom.URL, "x.txt")
	if r.code != 2 || !strings.Contains(r.stderr, "give no SOURCE") {
		t.Errorf("-prometheus with a SOURCE: %+v", r)
	}
}
