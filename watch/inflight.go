package watch

import (
	"context"
	"net/http"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"weak"
)

// An inflight registry holds the requests inside the Middleware, so
// that the sampling goroutine can count them and find the ones past the
// deadline.
//
// A request must pay as little as possible for this, and what costs in
// a busy server is not instructions but memory traffic: an allocation
// (more garbage to collect) or a cache line another core wrote last (a
// shared counter, a shared lock, a neighbour in a shared list). So each
// request borrows an entry from a sync.Pool, which keeps entries per
// processor, and writes only into that entry, under the entry's own
// lock: nothing is shared between requests. The sampling goroutine,
// every few seconds, walks every entry the pool ever made. It finds
// them through weak pointers, so that entries the pool lets go are
// freed, not kept forever by the registry.
type inflight struct {
	pool sync.Pool // of *flight

	// epoch counts the sampling goroutine's deadline checks. It is the
	// requests' clock (reading an atomic that changes every few seconds
	// costs less than reading the time) and it tells entries when to
	// build new labels.
	epoch    atomic.Uint64
	labelSeq atomic.Uint64

	mu  sync.Mutex
	all []weak.Pointer[flight] // every entry made and not yet freed
}

// A flight is one registry entry: the request it serves, if any, and
// the pprof labels it puts on the request's goroutine. Its fields are
// copied from the request when it starts: the handler owns the
// request and may change it while the sampling goroutine reads the
// entry.
type flight struct {
	mu       sync.Mutex
	busy     bool
	reported bool   // this request was returned by overdue
	uses     uint64 // requests served: tells a request from the next one in the same entry

	method, path, route, requestID string
	startEpoch                     uint64 // the epoch when the request started

	// labelID is the LabelRequest value of the request being served.
	// By default the entry builds its labels once per label epoch and
	// reuses them (labels, labelEpoch): see Middleware.
	labelID    string
	labels     context.Context
	labelValue string // LabelRequest in labels
	labelEpoch uint64
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

// goroutineLabels returns f's label set for a request starting in
// epoch, and the value of its LabelRequest label. The set is built once
// per epoch: a request costs no allocation, and the requests f served
// in the same epoch share a LabelRequest value (the epoch advances
// every few seconds). Only f's owner calls it.
func (in *inflight) goroutineLabels(f *flight, epoch uint64) (context.Context, string) {
	if f.labels == nil || f.labelEpoch != epoch {
		id := "e" + strconv.FormatUint(in.labelSeq.Add(1), 10)
		f.labels = pprof.WithLabels(context.Background(), pprof.Labels(LabelRequest, id))
		f.labelValue, f.labelEpoch = id, epoch
	}
	return f.labels, f.labelValue
}

// nextEpoch starts a new epoch and returns it: every entry builds a new
// label set for its next request.
func (in *inflight) nextEpoch() uint64 { return in.epoch.Add(1) }

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
