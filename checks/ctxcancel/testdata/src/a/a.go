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
		cancel: cancel, // want `field session.cancel holds the cancel func of a context.WithTimeout but nothing in package a calls it: the context, its timer and its entry in the parent's children stay alive until the parent is canceled, one more per call under a long-lived parent \(call it in a Close/Stop method or when the work ends, or defer it\)`
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
	w.ctx, w.cancel = context.WithCancel(base) // want `field worker.cancel holds the cancel func of a context.WithCancel but nothing in package a calls it: the context and its entry in the parent's children`
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
	stopAll = cancel // want `package variable stopAll holds the cancel func of a context.WithCancel but nothing in package a calls it`
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
	r.cancels[id] = cancel // want `field registry.cancels holds cancel funcs of context.WithTimeout but nothing in package a calls its elements: the context, its timer and its entry .* \(call each one when its entry is removed, and all of them in Close/Stop\)`
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
	p.cancels = append(p.cancels, cancel2) // want `field pool.cancels holds cancel funcs of context.WithDeadline but nothing in package a calls its elements`
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
	return context.WithValue(ctx, cancelKey{}, cancel) // want `the cancel func of a context.WithCancel is stored as a context value under cancelKey, which nothing in package a looks up: the context and its entry`
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
	sub.stop = cancel // want `field subscription.stop holds the cancel func of a context.WithCancelCause but nothing in package a calls it`
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
	return &query{rows, cancel}, nil // want `field query.cancel holds the cancel func of a context.WithTimeout`
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
	c.m[k] = &entry[V]{val: v, cancel: cancel} // want `field entry.cancel holds the cancel func of a context.WithDeadlineCause`
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
		inflight[r] = cancel // want `package variable inflight holds cancel funcs of context.WithTimeout but nothing in package a calls its elements`
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
			f.stops[i] = cancel // want `field fanout.stops holds cancel funcs of context.WithTimeout`
			f.mu.Unlock()
			<-cctx.Done()
			return nil
		})
	}
	return g.Wait()
}

// A local struct value returned with its cancel field never called.

type state struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func newState(parent context.Context) state {
	var st state
	st.ctx, st.cancel = context.WithTimeout(parent, time.Minute) // want `field state.cancel holds the cancel func of a context.WithTimeout`
	return st
}

func (s state) Err() error { return s.ctx.Err() }

// A cancel func the function calls on its error paths only, before the
// store: on success it is kept, and never called.

type upstreamConn struct {
	body   *http.Response
	cancel context.CancelFunc
}

func openUpstream(client *http.Client, url string) (*upstreamConn, error) {
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	c := &upstreamConn{body: resp}
	c.cancel = cancel // want `field upstreamConn.cancel holds the cancel func of a context.WithCancel on context.Background\(\) but nothing in package a calls it: whatever waits on its Done channel .* is never told to stop`
	return c, nil
}

func (c *upstreamConn) Close() error { return c.body.Body.Close() }
