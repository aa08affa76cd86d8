package watch

import (
	"sync"
	"time"
)

// inflightShards spreads the registry's locks so that requests served
// on different cores rarely contend.
const inflightShards = 16

// An inflight registry holds the requests inside the Middleware, so
// that the sampling goroutine can find the ones past the deadline.
// Registering costs a request one short critical section; a timer per
// request, the obvious alternative, costs two timer-heap operations
// and two allocations, which a busy service pays on every request.
type inflight struct {
	shards [inflightShards]inflightShard
}

type inflightShard struct {
	mu   sync.Mutex
	head *flight
	n    int64
	_    [32]byte // keep neighbouring shards' locks off one cache line
}

// flights recycles the registry's entries: a busy service would
// otherwise allocate one per request.
var flights = sync.Pool{New: func() any { return new(flight) }}

// A flight is one request in the Middleware. Its fields are copied
// from the request when it starts: the handler owns the request and
// may change it while the registry reads the flight.
type flight struct {
	prev, next *flight
	shard      *inflightShard

	id, method, path, route, requestID string
	started                            time.Time
	reported                           bool // guarded by the shard's lock
}

func (in *inflight) add(f *flight, seq uint64) {
	s := &in.shards[seq%inflightShards]
	f.shard = s
	s.mu.Lock()
	f.next = s.head
	if s.head != nil {
		s.head.prev = f
	}
	s.head = f
	s.n++
	s.mu.Unlock()
}

// remove takes f out of the registry and recycles it: f must not be
// used afterwards.
func (in *inflight) remove(f *flight) {
	s := f.shard
	s.mu.Lock()
	if f.prev != nil {
		f.prev.next = f.next
	} else {
		s.head = f.next
	}
	if f.next != nil {
		f.next.prev = f.prev
	}
	s.n--
	s.mu.Unlock()
	*f = flight{}
	flights.Put(f)
}

// count returns the number of requests in the registry.
func (in *inflight) count() int64 {
	var n int64
	for i := range in.shards {
		s := &in.shards[i]
		s.mu.Lock()
		n += s.n
		s.mu.Unlock()
	}
	return n
}

// overdue returns copies of the requests that started at or before
// cutoff and were not returned before, and marks them returned: each
// stuck request is captured once.
func (in *inflight) overdue(cutoff time.Time) []flight {
	var late []flight
	for i := range in.shards {
		s := &in.shards[i]
		s.mu.Lock()
		for f := s.head; f != nil; f = f.next {
			if !f.reported && !f.started.After(cutoff) {
				f.reported = true
				late = append(late, flight{id: f.id, method: f.method, path: f.path, route: f.route,
					requestID: f.requestID, started: f.started})
			}
		}
		s.mu.Unlock()
	}
	return late
}
