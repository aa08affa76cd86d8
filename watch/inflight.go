package watch

import (
	"context"
	"net/http"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"unsafe"
	"weak"
)

// An inflight registry holds the requests inside the Middleware, so
// that the sampling goroutine can count them and find the ones past the
// deadline.
//
// A request must pay as little as possible for this, and what costs in
// a busy server is not instructions but memory traffic: an allocation
// (more garbage to collect), a cache line another core wrote last (a
// shared counter, a shared lock), code that is not in the cache. So by
// default a request is not registered on its own: it counts itself in
// the current cohort (the requests that entered during one epoch, the
// few seconds between two deadline checks), in a counter chosen by its
// goroutine's stack, so that concurrent requests rarely share one, and
// carries the cohort's label. A cohort with requests left once the
// deadline has passed since its epoch ended holds late requests only:
// its label finds their goroutines.
//
// WithContextLabels registers each request on its own, for its own
// label and details: it borrows an entry from a sync.Pool, which keeps
// entries per processor, and writes only into that entry, under the
// entry's own lock. The sampling goroutine finds the entries through
// weak pointers, so that entries the pool lets go are freed, not kept
// forever by the registry.
type inflight struct {
	current atomic.Pointer[cohort] // where entering requests count themselves

	// epoch counts the sampling goroutine's deadline checks. It is the
	// requests' clock: reading an atomic that changes every few seconds
	// costs less than reading the time.
	epoch    atomic.Uint64
	labelSeq atomic.Uint64

	mu      sync.Mutex
	cohorts []*cohort              // the current cohort and older ones that may hold requests
	pool    sync.Pool              // of *flight
	all     []weak.Pointer[flight] // every entry made and not yet freed
}

// A cohort counts the requests that entered the Middleware during one
// epoch and are still inside.
type cohort struct {
	epoch    uint64
	label    string          // its LabelRequest value
	labels   context.Context // carries LabelRequest=label
	counts   []paddedCount   // requests inside, by goroutine stack; len is a power of two
	reported bool            // under inflight.mu: lateCohorts returned it
}

// A paddedCount fills a cache line, so that requests on different
// cores counting themselves in neighbouring counters do not contend.
type paddedCount struct {
	n atomic.Int64
	_ [56]byte
}

func newCohort(epoch, seq uint64) *cohort {
	n := 16
	for n < 4*runtime.GOMAXPROCS(0) && n < 1024 {
		n *= 2
	}
	id := "e" + strconv.FormatUint(seq, 10)
	return &cohort{epoch: epoch, label: id, counts: make([]paddedCount, n),
		labels: pprof.WithLabels(context.Background(), pprof.Labels(LabelRequest, id))}
}

// enter counts a request in c and returns its counter, which the
// request decrements when it leaves. The counter is chosen by the
// address of the goroutine's stack: goroutine stacks are at least 8 kB
// apart, so the connections' goroutines spread over the counters, and
// a goroutine that serves its connection's requests one after the
// other keeps using the same one.
func (c *cohort) enter() *atomic.Int64 {
	var probe byte
	i := uintptr(unsafe.Pointer(&probe)) >> 13 & uintptr(len(c.counts)-1)
	n := &c.counts[i].n
	n.Add(1)
	return n
}

// running returns the number of c's requests still inside.
func (c *cohort) running() int64 {
	var n int64
	for i := range c.counts {
		n += c.counts[i].n.Load()
	}
	return n
}

// begin makes epoch 0's cohort, before the first request.
func (in *inflight) begin() {
	c := newCohort(0, in.labelSeq.Add(1))
	in.mu.Lock()
	in.cohorts = append(in.cohorts, c)
	in.mu.Unlock()
	in.current.Store(c)
}

// nextEpoch starts a new epoch, with a new cohort, and returns it. It
// forgets the cohorts that hold no request, except the one that was
// current until now: a request may have loaded it and not yet counted
// itself. (A request held up for a whole check between the two would
// count itself in a forgotten cohort: never reported, a miss rather
// than a false capture.) A cohort is kept as long as one of its
// requests runs: a service whose requests never return keeps one small
// cohort per epoch, less than what their goroutines hold.
func (in *inflight) nextEpoch() uint64 {
	e := in.epoch.Add(1)
	c := newCohort(e, in.labelSeq.Add(1))
	in.mu.Lock()
	defer in.mu.Unlock()
	prev := in.current.Swap(c)
	kept := in.cohorts[:0]
	for _, old := range in.cohorts {
		if old == prev || old.running() > 0 {
			kept = append(kept, old)
		}
	}
	clear(in.cohorts[len(kept):])
	in.cohorts = append(kept, c)
	return e
}

// lateCohorts returns the cohorts of epoch last or before that still
// hold requests, each once.
func (in *inflight) lateCohorts(last uint64) []*cohort {
	in.mu.Lock()
	defer in.mu.Unlock()
	var late []*cohort
	for _, c := range in.cohorts {
		if c.epoch <= last && !c.reported && c.running() > 0 {
			c.reported = true
			late = append(late, c)
		}
	}
	return late
}

// A flight is one registry entry of WithContextLabels: the request it
// serves, if any. Its fields are copied from the request when it
// starts: the handler owns the request and may change it while the
// sampling goroutine reads the entry.
type flight struct {
	mu       sync.Mutex
	busy     bool
	reported bool   // this request was returned by overdue
	uses     uint64 // requests served: tells a request from the next one in the same entry

	method, path, route, requestID string
	startEpoch                     uint64 // the epoch when the request started
	labelID                        string // the LabelRequest value of the request being served
}

// get returns an idle entry.
func (in *inflight) get() *flight {
	if f, ok := in.pool.Get().(*flight); ok {
		return f
	}
	f := new(flight)
	in.mu.Lock()
	in.all = append(in.all, weak.Make(f))
	in.mu.Unlock()
	return f
}

// start records that f serves r from now on, under label id.
func (f *flight) start(r *http.Request, epoch uint64, id string) {
	f.mu.Lock()
	f.busy, f.reported = true, false
	f.uses++
	f.method, f.path, f.route, f.requestID = r.Method, r.URL.Path, r.Pattern, requestID(r.Header)
	f.startEpoch, f.labelID = epoch, id
	f.mu.Unlock()
}

// requestID returns the X-Request-Id header. Header.Get would
// canonicalize the key on every request; a server's request headers
// are canonical already.
func requestID(h http.Header) string {
	if v := h["X-Request-Id"]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// put records that f's request is over and recycles f: the caller must
// not use f afterwards.
func (in *inflight) put(f *flight) {
	f.mu.Lock()
	f.busy = false
	f.method, f.path, f.route, f.requestID, f.labelID = "", "", "", "", ""
	f.mu.Unlock()
	in.pool.Put(f)
}

// entries returns the entries not yet freed, and forgets the freed ones.
func (in *inflight) entries() []*flight {
	in.mu.Lock()
	defer in.mu.Unlock()
	live := make([]*flight, 0, len(in.all))
	kept := in.all[:0]
	for _, wp := range in.all {
		if f := wp.Value(); f != nil {
			live = append(live, f)
			kept = append(kept, wp)
		}
	}
	clear(in.all[len(kept):])
	in.all = kept
	return live
}

// count returns the number of requests in the registry.
func (in *inflight) count() int64 {
	var n int64
	in.mu.Lock()
	for _, c := range in.cohorts {
		n += c.running()
	}
	in.mu.Unlock()
	for _, f := range in.entries() {
		f.mu.Lock()
		if f.busy {
			n++
		}
		f.mu.Unlock()
	}
	return n
}

// A lateRequest is a copy of a request past the deadline.
type lateRequest struct {
	entry      *flight
	uses       uint64
	startEpoch uint64
	info       RequestInfo // Started and Elapsed left to the caller
}

// overdue returns the requests that started in epoch last or before and
// were not returned before: each stuck request is returned once.
func (in *inflight) overdue(last uint64) []lateRequest {
	var late []lateRequest
	for _, f := range in.entries() {
		f.mu.Lock()
		if f.busy && !f.reported && f.startEpoch <= last {
			f.reported = true
			late = append(late, lateRequest{entry: f, uses: f.uses, startEpoch: f.startEpoch, info: RequestInfo{
				ID: f.labelID, Method: f.method, Path: f.path, Route: f.route, RequestID: f.requestID}})
		}
		f.mu.Unlock()
	}
	return late
}

// serving reports whether the request that overdue returned as l is
// still running.
func (l *lateRequest) serving() bool {
	l.entry.mu.Lock()
	defer l.entry.mu.Unlock()
	return l.entry.busy && l.entry.uses == l.uses
}
