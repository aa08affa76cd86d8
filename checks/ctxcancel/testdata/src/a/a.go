package a

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// A session registry: the entry is deleted, its context never canceled.

type session struct {
	id     string
	ctx    context.Context
	cancel context.CancelFunc
}

type Hub struct {
	base     context.Context
	mu       sync.Mutex
	sessions map[string]*session
}

func (h *Hub) Open(id string) *session {
	ctx, cancel := context.WithTimeout(h.base, time.Hour)
	s := &session{
		id:     id,
		ctx:    ctx,
		cancel: cancel, // want `the cancel func of context.WithTimeout is stored in field session.cancel, which is never called in this package: the context, its timer and its entry in the parent context stay alive until the parent is canceled: with a long-lived parent one more piles up on every call \(call it in a Close/Stop method or when the work ends, or defer it\)`
	}
	h.mu.Lock()
	h.sessions[id] = s
	h.mu.Unlock()
	return s
}

func (h *Hub) Close(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s := h.sessions[id]; s != nil && s.cancel != nil {
		delete(h.sessions, id)
	}
}

// Tuple assignment straight into the fields; only ever compared with nil.

type worker struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func (w *worker) Start(base context.Context) error {
	if w.cancel != nil {
		return errors.New("already started")
	}
	w.ctx, w.cancel = context.WithCancel(base) // want `the cancel func of context.WithCancel is stored in field worker.cancel, which is never called in this package: the context and its entry`
	go w.loop()
	return nil
}

func (w *worker) loop() {
	<-w.ctx.Done()
}

// A package variable.

var stopAll context.CancelFunc

func startAll(parent context.Context) context.Context {
	ctx, cancel := context.WithCancel(parent)
	stopAll = cancel // want `the cancel func of context.WithCancel is stored in package variable stopAll, which is never called`
	return ctx
}

// A map of cancel funcs: entries are deleted, never called.

type registry struct {
	mu      sync.Mutex
	cancels map[string]context.CancelFunc
}

func (r *registry) Track(parent context.Context, id string) context.Context {
	ctx, cancel := context.WithTimeout(parent, time.Minute)
	r.mu.Lock()
	r.cancels[id] = cancel // want `the cancel func of context.WithTimeout is stored in field registry.cancels, but no element of field registry.cancels is ever called in this package: the context, its timer and`
	r.mu.Unlock()
	return ctx
}

func (r *registry) Done(id string) {
	r.mu.Lock()
	delete(r.cancels, id)
	r.mu.Unlock()
}

func (r *registry) Len() int { return len(r.cancels) }

// A slice of cancel funcs, grown by append and reset, never called.

type pool struct {
	cancels []context.CancelFunc
}

func (p *pool) spawn(parent context.Context) context.Context {
	ctx, cancel := context.WithCancelCause(parent)
	p.cancels = append(p.cancels, func() { cancel(nil) })
	ctx2, cancel2 := context.WithDeadline(ctx, time.Now().Add(time.Second))
	p.cancels = append(p.cancels, cancel2) // want `the cancel func of context.WithDeadline is stored in field pool.cancels, but no element`
	return ctx2
}

func (p *pool) reset() {
	if len(p.cancels) > 100 {
		p.cancels = p.cancels[:0]
	}
	clear(p.cancels)
}

// A context value under an unexported key that nobody looks up.

type cancelKey struct{}

func withStop(ctx context.Context) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	return context.WithValue(ctx, cancelKey{}, cancel) // want `the cancel func of context.WithCancel is stored as a context value under cancelKey that nothing in the package looks up`
}

// HTTP long-poll subscriptions, with a Cause variant and a field of
// plain func type.

type subscription struct {
	topic string
	ch    chan string
	stop  func(error)
}

type Broker struct {
	base context.Context
	mu   sync.Mutex
	subs []*subscription
}

func (b *Broker) Subscribe(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithCancelCause(b.base)
	sub := &subscription{topic: r.URL.Query().Get("topic"), ch: make(chan string, 1)}
	sub.stop = cancel // want `the cancel func of context.WithCancelCause is stored in field subscription.stop, which is never called`
	b.mu.Lock()
	b.subs = append(b.subs, sub)
	b.mu.Unlock()
	select {
	case msg := <-sub.ch:
		w.Write([]byte(msg))
	case <-ctx.Done():
	case <-r.Context().Done():
	}
}

// database/sql: Close closes the rows but forgets the query's timeout.

type query struct {
	rows   *sql.Rows
	cancel context.CancelFunc
}

func runQuery(db *sql.DB, q string) (*query, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		cancel()
		return nil, err
	}
	return &query{rows, cancel}, nil // want `the cancel func of context.WithTimeout is stored in field query.cancel, which is never called`
}

func (q *query) Close() error { return q.rows.Close() }

// Generics: a cache entry with a deadline context.

type entry[V any] struct {
	val    V
	cancel context.CancelFunc
}

type cache[K comparable, V any] struct {
	m map[K]*entry[V]
}

func (c *cache[K, V]) put(parent context.Context, k K, v V) {
	var cancel context.CancelFunc
	ctx := parent
	if dl, ok := parent.Deadline(); ok {
		ctx, cancel = context.WithDeadlineCause(parent, dl, errors.New("expired"))
	}
	_ = ctx
	c.m[k] = &entry[V]{val: v, cancel: cancel} // want `the cancel func of context.WithDeadlineCause is stored in field entry.cancel, which is never called`
}

func (c *cache[K, V]) drop(k K) { delete(c.m, k) }

// Middleware keeping the in-flight requests in a package map.

var (
	inflightMu sync.Mutex
	inflight   = map[*http.Request]context.CancelFunc{}
)

func Track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
		r = r.WithContext(ctx)
		inflightMu.Lock()
		inflight[r] = cancel // want `stored in package variable inflight, but no element of package variable inflight is ever called`
		inflightMu.Unlock()
		next.ServeHTTP(w, r)
		inflightMu.Lock()
		delete(inflight, r)
		inflightMu.Unlock()
	})
}

// Goroutines from an errgroup storing their contexts' cancels.

type fanout struct {
	mu      sync.Mutex
	stops   map[int]context.CancelFunc
	results []int
}

func (f *fanout) run(ctx context.Context, n int) error {
	g, ctx := errgroup.WithContext(ctx)
	for i := range n {
		g.Go(func() error {
			cctx, cancel := context.WithTimeout(ctx, time.Second)
			f.mu.Lock()
			f.stops[i] = cancel // want `stored in field fanout.stops, but no element`
			f.mu.Unlock()
			<-cctx.Done()
			return nil
		})
	}
	return g.Wait()
}
