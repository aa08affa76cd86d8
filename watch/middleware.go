package watch

import (
	"context"
	"fmt"
	"net/http"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/silentfail/silentfail/goroutines"
)

// The pprof labels the Middleware puts on each request's goroutine;
// goroutines the handler starts inherit them. By default only
// LabelRequest is set, on the goroutine alone; WithContextLabels adds
// the others and puts them in the request's context too.
const (
	LabelRequest = goroutines.RequestLabel // tells a request's goroutines apart, see Middleware
	LabelMethod  = "http.method"
	LabelPath    = goroutines.PathLabel
	LabelRoute   = goroutines.RouteLabel // the ServeMux pattern, when the middleware wraps a routed handler (Go 1.23+)
	LabelID      = "http.request_id"     // the X-Request-Id header, when the request has one
)

// contextLabels returns f's request's labels, keys in sorted order so
// that pprof.Labels skips its sort.
func contextLabels(f *flight) pprof.LabelSet {
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
	add(LabelRequest, f.labelID)
	return pprof.Labels(kv[:n]...)
}

// Middleware wraps next so that each request is counted in the
// InFlight metric and its goroutine carries the LabelRequest pprof
// label. Requests still running after the request deadline
// (WithRequestDeadline, default 30s) are captured once: the goroutines
// carrying their label, with their stacks, showing where they are
// stuck — a deferred call, a lock, a channel. The capture is queued,
// never waited for.
//
// By default the middleware costs a request no allocation and almost
// no memory traffic: the requests that enter during one deadline check
// interval (the deadline / 8) share a label value and a set of
// counters, and the label is set on the request's goroutine only
// (pprof.SetGoroutineLabels), not in its context. So one capture holds
// every late request that started in the same interval, and may also
// hold goroutines that the interval's finished requests started and
// left running (themselves a leak); its RequestInfo gives their number,
// not their method and path, which the stacks show better anyway (the
// handler's frames). A handler that runs pprof.Do on r.Context()
// replaces the label for the rest of the request: then the capture
// keeps every goroutine and says why. WithContextLabels gives each
// request its own label value and capture, adds LabelMethod,
// LabelPath, LabelRoute and LabelID, and puts the labels in the
// request's context (handlers' pprof.Do keeps them), for about six
// small allocations per request.
//
// By default the label is not taken off when the request ends: the
// goroutine serving a keep-alive connection keeps it until the
// connection's next request replaces it, which saves a request one of
// the label's two calls. So in goroutine and CPU profiles, an idle
// connection's goroutine, and net/http's work on the connection between
// two requests, carry the label of the last request served, and so do
// goroutines that code around the middleware starts after the request,
// or that the goroutine which called the middleware starts later when
// that is not net/http's server. Captures of late requests leave out
// net/http's server goroutines that are not inside the middleware.
func (w *Watcher) Middleware(next http.Handler) http.Handler {
	if w.cfg.contextLabels {
		return &contextLabelsHandler{w: w, next: next}
	}
	return &countingHandler{flights: &w.flights, next: next}
}

// A countingHandler is the default Middleware. Its ServeHTTP method is
// the frame that tells, in a capture, a connection's goroutine serving
// a request from the same goroutine between two requests (see
// leftByRequest).
type countingHandler struct {
	flights *inflight
	next    http.Handler
}

func (h *countingHandler) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	c := h.flights.current.Load()
	n := c.enter()
	pprof.SetGoroutineLabels(c.labels)
	defer n.Add(-1)
	h.next.ServeHTTP(rw, r)
}

// A contextLabelsHandler is the Middleware WithContextLabels.
type contextLabelsHandler struct {
	w    *Watcher
	next http.Handler
}

func (h *contextLabelsHandler) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w := h.w
	f := w.flights.get()
	f.start(r, w.flights.epoch.Load(), strconv.FormatUint(w.reqSeq.Add(1), 10))
	defer w.flights.put(f)
	pprof.Do(r.Context(), contextLabels(f), func(ctx context.Context) {
		h.next.ServeHTTP(rw, r.WithContext(ctx))
	})
}

// deadlineCheckEvery is how often the sampling goroutine looks for
// requests past deadline d: a stuck request is captured at most d/8
// late, and a scan of the requests in flight costs microseconds.
func deadlineCheckEvery(d time.Duration) time.Duration {
	return max(d/8, time.Millisecond)
}

// epochRing is how many epochs' start times the sampling goroutine
// keeps: 64 deadline checks span 8 deadlines, and a request is
// reported after 9 checks at most.
const epochRing = 64

// tickEpoch starts a new epoch, at the sampling goroutine's deadline
// check, and queues a capture of the requests that have been in the
// Middleware longer than the request deadline: one per cohort (by
// default) or per request (WithContextLabels). A request that started
// in epoch s started before epoch s+1 did: it is late once epoch s+1
// started a deadline ago, which finds it at most one check (d/8) after
// the deadline. Its Started is its epoch's start, earlier than the
// request's by less than d/8.
func (w *Watcher) tickEpoch() {
	d := w.cfg.requestDeadline
	now := w.cfg.now()
	e := w.flights.nextEpoch()
	w.epochStarts[e%epochRing] = now
	cutoff := now.Add(-d)
	last, found := uint64(0), false
	for s := e; s > 0 && s+epochRing > e; s-- {
		if !w.epochStarts[s%epochRing].After(cutoff) {
			last, found = s-1, true
			break
		}
	}
	if !found {
		return
	}
	for _, c := range w.flights.lateCohorts(last) {
		n := c.running()
		reason := fmt.Sprintf("%d %s still running after %v (started within %v of each other; label %s=%s)",
			n, plural(n, "request", "requests"), d, deadlineCheckEvery(d), LabelRequest, c.label)
		w.queueSlowRequests(now, e, c.epoch, RequestInfo{ID: c.label, Requests: int(n)}, reason,
			func() bool { return c.running() > 0 })
	}
	for _, late := range w.flights.overdue(last) {
		info := late.info
		info.Requests = 1
		reason := fmt.Sprintf("%s %s still running after %v (request %s)", info.Method, info.Path, d, info.ID)
		w.queueSlowRequests(now, e, late.startEpoch, info, reason, late.serving)
	}
}

// queueSlowRequests counts and queues the capture of late requests
// that started in epoch started (the current one is e), labelled
// info.ID; serving reports whether any of them still runs.
func (w *Watcher) queueSlowRequests(now time.Time, e, started uint64, info RequestInfo, reason string, serving func() bool) {
	w.stats.slowRequest(int64(info.Requests))
	if started+epochRing > e {
		info.Started = w.epochStarts[started%epochRing]
		info.Elapsed = now.Sub(info.Started)
	}
	w.enqueue(job{
		meta: Meta{
			Time:    now,
			Rule:    RuleSlowRequest,
			Reason:  reason,
			Values:  map[Metric]float64{InFlight: float64(w.flights.count())},
			Source:  w.source,
			Request: &info,
		},
		files: func(m *Meta) ([]captureFile, error) { return requestFiles(info.ID, serving, m) },
	})
}

// RuleSlowRequest is the rule name of the Middleware's captures.
const RuleSlowRequest = "slow-request"

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
