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
func requestLabels(r *http.Request, id string) pprof.LabelSet {
	var kv [10]string
	n := 0
	add := func(k, v string) {
		if v != "" {
			kv[n], kv[n+1] = k, v
			n += 2
		}
	}
	add(LabelMethod, r.Method)
	add(LabelPath, r.URL.Path)
	add(LabelID, r.Header.Get("X-Request-Id"))
	add(LabelRoute, r.Pattern)
	add(LabelRequest, id)
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
		id := strconv.FormatUint(w.reqSeq.Add(1), 10)
		w.inFlight.Add(1)
		defer w.inFlight.Add(-1)
		if d := w.cfg.requestDeadline; d > 0 {
			started := w.cfg.now()
			t := time.AfterFunc(d, func() { w.requestStuck(id, r, started, d) })
			defer t.Stop()
		}
		pprof.Do(r.Context(), requestLabels(r, id), func(ctx context.Context) {
			next.ServeHTTP(rw, r.WithContext(ctx))
		})
	})
}

// requestStuck runs in the deadline timer's goroutine: it only queues.
func (w *Watcher) requestStuck(id string, r *http.Request, started time.Time, deadline time.Duration) {
	if w.ctx.Err() != nil {
		return
	}
	now := w.cfg.now()
	w.stats.slowRequest()
	info := &RequestInfo{ID: id, Method: r.Method, Path: r.URL.Path, Route: r.Pattern, RequestID: r.Header.Get("X-Request-Id"),
		Started: started, Elapsed: now.Sub(started)}
	w.enqueue(job{
		meta: Meta{
			Time:    now,
			Rule:    RuleSlowRequest,
			Reason:  fmt.Sprintf("%s %s still running after %v (request %s)", r.Method, r.URL.Path, deadline, id),
			Values:  map[Metric]float64{InFlight: float64(w.inFlight.Load())},
			Source:  w.source,
			Request: info,
		},
		files: func() ([]captureFile, error) { return requestFiles(id) },
	})
}

// RuleSlowRequest is the rule name of the Middleware's captures.
const RuleSlowRequest = "slow-request"
