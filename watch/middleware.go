package watch

import (
	"context"
	"fmt"
	"net/http"
	"runtime/pprof"
	"strconv"
	"time"
)

// The pprof labels the Middleware puts on each request's goroutine;
// goroutines the handler starts inherit them.
const (
	LabelRequest = "silentfail.request" // a per-process request number, unique while the process runs
	LabelMethod  = "http.method"
	LabelPath    = "http.path"
	LabelRoute   = "http.route"      // the ServeMux pattern, when the middleware wraps a routed handler (Go 1.23+)
	LabelID      = "http.request_id" // the X-Request-Id header, when the request has one
)

// requestLabels returns the request's labels, keys in sorted order so
// that pprof.Labels skips its sort.
func requestLabels(f *flight) pprof.LabelSet {
	var kv [10]string
	n := 0
	add := func(k, v string) {
		if v != "" {
			kv[n], kv[n+1] = k, v
			n += 2
		}
	}
	add(LabelMethod, f.method)
	add(LabelPath, f.path)
	add(LabelID, f.requestID)
	add(LabelRoute, f.route)
	add(LabelRequest, f.id)
	return pprof.Labels(kv[:n]...)
}

// Middleware wraps next so that each request's goroutine carries pprof
// labels (LabelRequest, LabelMethod, LabelPath, LabelRoute, LabelID) and is
// counted in the InFlight metric. A request still running after the
// request deadline (WithRequestDeadline, default 30s) is captured once:
// the goroutines carrying its label, with their stacks, showing where
// it is stuck — a deferred call, a lock, a channel. The capture is
// queued, never waited for.
func (w *Watcher) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		seq := w.reqSeq.Add(1)
		f := flights.Get().(*flight)
		f.id, f.method, f.path, f.route, f.requestID = strconv.FormatUint(seq, 10), r.Method, r.URL.Path, r.Pattern, r.Header.Get("X-Request-Id")
		if w.cfg.requestDeadline > 0 {
			f.started = w.cfg.now()
		}
		labels := requestLabels(f)
		w.flights.add(f, seq)
		defer w.flights.remove(f)
		pprof.Do(r.Context(), labels, func(ctx context.Context) {
			next.ServeHTTP(rw, r.WithContext(ctx))
		})
	})
}

// deadlineCheckEvery is how often the sampling goroutine looks for
// requests past deadline d: a stuck request is captured at most d/8
// late, and a scan of the requests in flight costs microseconds.
func deadlineCheckEvery(d time.Duration) time.Duration {
	return max(d/8, time.Millisecond)
}

// captureOverdue queues a capture of every request that has been in
// the Middleware longer than the request deadline.
func (w *Watcher) captureOverdue() {
	d := w.cfg.requestDeadline
	now := w.cfg.now()
	for _, f := range w.flights.overdue(now.Add(-d)) {
		w.stats.slowRequest()
		info := &RequestInfo{ID: f.id, Method: f.method, Path: f.path, Route: f.route, RequestID: f.requestID,
			Started: f.started, Elapsed: now.Sub(f.started)}
		w.enqueue(job{
			meta: Meta{
				Time:    now,
				Rule:    RuleSlowRequest,
				Reason:  fmt.Sprintf("%s %s still running after %v (request %s)", f.method, f.path, d, f.id),
				Values:  map[Metric]float64{InFlight: float64(w.flights.count())},
				Source:  w.source,
				Request: info,
			},
			files: func() ([]captureFile, error) { return requestFiles(f.id) },
		})
	}
}

// RuleSlowRequest is the rule name of the Middleware's captures.
const RuleSlowRequest = "slow-request"
