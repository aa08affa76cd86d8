package a

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// Called in a Close method.

type conn struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func dial(parent context.Context) *conn {
	ctx, cancel := context.WithCancel(parent)
	return &conn{ctx: ctx, cancel: cancel}
}

func (c *conn) Close() error {
	c.cancel()
	return nil
}

// Called in a deferred closure.

type job struct {
	cancel context.CancelFunc
}

func (j *job) run(parent context.Context) {
	var ctx context.Context
	ctx, j.cancel = context.WithTimeout(parent, time.Second)
	defer func() {
		if j.cancel != nil {
			j.cancel()
		}
	}()
	<-ctx.Done()
}

// Called in a goroutine.

type watcher struct {
	stop context.CancelFunc
	done chan struct{}
}

func (w *watcher) watch(parent context.Context) context.Context {
	ctx, cancel := context.WithCancel(parent)
	w.stop = cancel
	go func() {
		<-w.done
		w.stop()
	}()
	return ctx
}

// go and defer of the method value.

type ticker struct {
	cancel context.CancelFunc
}

func (t *ticker) start(parent context.Context) {
	_, t.cancel = context.WithCancel(parent)
	go t.cancel()
}

type lease struct {
	cancel context.CancelFunc
}

func (l *lease) hold(parent context.Context) {
	_, l.cancel = context.WithTimeout(parent, time.Second)
	defer l.cancel()
}

// Copied, then called.

type stream struct {
	mu     sync.Mutex
	cancel context.CancelFunc
}

func (s *stream) open(parent context.Context) context.Context {
	ctx, cancel := context.WithCancel(parent)
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	return ctx
}

func (s *stream) shutdown() {
	s.mu.Lock()
	c := s.cancel
	s.cancel = nil
	s.mu.Unlock()
	if c != nil {
		c()
	}
}

// Handed to another function, which may call it.

type timed struct {
	cancel context.CancelFunc
	timer  *time.Timer
}

func (t *timed) arm(parent context.Context, d time.Duration) context.Context {
	ctx, cancel := context.WithCancel(parent)
	t.cancel = cancel
	t.timer = time.AfterFunc(d, t.cancel)
	return ctx
}

type linked struct{ cancel context.CancelFunc }

func (l *linked) follow(parent, other context.Context) context.Context {
	ctx, cancel := context.WithCancel(parent)
	l.cancel = cancel
	context.AfterFunc(other, l.cancel)
	return ctx
}

type onShutdown struct{ stop context.CancelFunc }

func (o *onShutdown) register(srv *http.Server) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	o.stop = cancel
	srv.RegisterOnShutdown(o.stop)
	return ctx
}

// Stored, and returned to the caller too.

type tracker struct {
	cancel context.CancelFunc
}

func (t *tracker) begin(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	t.cancel = cancel
	return ctx, cancel
}

// Exported fields and package variables: other packages may call them.

type Handle struct {
	Ctx    context.Context
	Cancel context.CancelFunc
}

func NewHandle(parent context.Context) *Handle {
	ctx, cancel := context.WithCancel(parent)
	return &Handle{Ctx: ctx, Cancel: cancel}
}

var Shutdown context.CancelFunc

func initShutdown() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	Shutdown = cancel
	return ctx
}

// lostcancel's own case: a local never called on some path. vet reports
// it; nothing is stored, so this check does not.

func lost(parent context.Context, fast bool) context.Context {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	if fast {
		cancel()
	}
	return ctx
}

// Stored in a struct called through io.Closer by the package.

type upstream struct {
	body   io.ReadCloser
	cancel context.CancelFunc
}

func (u *upstream) Close() error {
	u.cancel()
	return u.body.Close()
}

func fetch(client *http.Client, url string) (io.Closer, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
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
	return &upstream{body: resp.Body, cancel: cancel}, nil
}

func drain(cs []io.Closer) {
	for _, c := range cs {
		c.Close()
	}
}

// Containers whose elements are called.

type group struct {
	mu      sync.Mutex
	cancels map[string]context.CancelFunc
	list    []context.CancelFunc
}

func (g *group) add(parent context.Context, id string) context.Context {
	ctx, cancel := context.WithCancel(parent)
	g.mu.Lock()
	g.cancels[id] = cancel
	g.mu.Unlock()
	return ctx
}

func (g *group) remove(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c, ok := g.cancels[id]; ok {
		c()
		delete(g.cancels, id)
	}
}

func (g *group) push(parent context.Context) context.Context {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	g.list = append(g.list, cancel)
	return ctx
}

func (g *group) Stop() {
	for _, c := range g.list {
		c()
	}
	g.list = nil
}

type byIndex struct{ cancels []context.CancelFunc }

func (b *byIndex) add(parent context.Context) context.Context {
	ctx, cancel := context.WithCancel(parent)
	b.cancels = append(b.cancels, cancel)
	return ctx
}

func (b *byIndex) cancel(i int) { b.cancels[i]() }

// A context value that is looked up and called.

type stopKey struct{}

func withStopper(ctx context.Context) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	return context.WithValue(ctx, stopKey{}, cancel)
}

func stopFrom(ctx context.Context) {
	if stop, ok := ctx.Value(stopKey{}).(context.CancelFunc); ok {
		stop()
	}
}

// Stored, and also called through the local.

type probe struct {
	cancel context.CancelFunc
}

func (p *probe) check(parent context.Context) error {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	defer cancel()
	p.cancel = cancel
	<-ctx.Done()
	return ctx.Err()
}

// A parameter: the caller owns the func and may call it.

type child struct {
	cancel context.CancelFunc
}

func newChild(cancel context.CancelFunc) *child { return &child{cancel: cancel} }

func spawnChild(parent context.Context) *child {
	_, cancel := context.WithCancel(parent)
	defer cancel()
	return newChild(cancel)
}

// An interface-typed field: whatever holds it may assert and call it.

type hook struct {
	onDone any
}

func (h *hook) set(parent context.Context) context.Context {
	ctx, cancel := context.WithCancel(parent)
	h.onDone = cancel
	return ctx
}

// Generic type whose method calls the field.

type slot[T any] struct {
	val    T
	cancel context.CancelFunc
}

func fill[T any](parent context.Context, v T) *slot[T] {
	_, cancel := context.WithCancel(parent)
	return &slot[T]{val: v, cancel: cancel}
}

func (s *slot[T]) release() { s.cancel() }

// errgroup goroutines that cancel through the field.

type batch struct {
	cancel context.CancelCauseFunc
}

func (b *batch) run(parent context.Context) error {
	ctx, cancel := context.WithCancelCause(parent)
	b.cancel = cancel
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer b.cancel(errors.New("batch done"))
		<-ctx.Done()
		return nil
	})
	return g.Wait()
}

// Promoted through embedding.

type base struct {
	cancel context.CancelFunc
}

type derived struct {
	base
	name string
}

func newDerived(parent context.Context) *derived {
	_, cancel := context.WithCancel(parent)
	d := &derived{name: "x"}
	d.cancel = cancel
	return d
}

func (d *derived) Stop() { d.base.cancel() }

// Wrapped before being stored: sync.OnceFunc takes it, a closure calls it.

type once struct {
	stop  func()
	close func()
}

func (o *once) init(parent context.Context) context.Context {
	ctx, cancel := context.WithCancel(parent)
	o.stop = sync.OnceFunc(cancel)
	ctx2, cancel2 := context.WithCancel(ctx)
	o.close = func() { cancel2() }
	return ctx2
}

// Sent on a channel to whoever cleans up.

type reaper struct {
	pending context.CancelFunc
	ch      chan context.CancelFunc
}

func (r *reaper) queue(parent context.Context) context.Context {
	ctx, cancel := context.WithCancel(parent)
	r.pending = cancel
	r.ch <- cancel
	return ctx
}

// Overwritten after the previous one is called.

type refresher struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func (r *refresher) refresh(parent context.Context) {
	if r.cancel != nil {
		r.cancel()
	}
	r.ctx, r.cancel = context.WithTimeout(parent, time.Minute)
}

// A copy of another field, not a fresh cancel func.

type mirror struct {
	src  *conn
	stop context.CancelFunc
}

func (m *mirror) attach(c *conn) { m.stop = c.cancel }

// database/sql: a transaction whose Commit and Rollback cancel.

type txn struct {
	tx     *sql.Tx
	cancel context.CancelFunc
}

func begin(db *sql.DB) (*txn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	return &txn{tx: tx, cancel: cancel}, nil
}

func (t *txn) Commit() error {
	defer t.cancel()
	return t.tx.Commit()
}

// A local map handed to a field whose elements are called: the local
// container itself is not reported.

type fleet struct{ stops map[int]context.CancelFunc }

func (f *fleet) launch(parent context.Context, n int) {
	stops := make(map[int]context.CancelFunc, n)
	for i := range n {
		_, cancel := context.WithCancel(parent)
		stops[i] = cancel
	}
	f.stops = stops
}

func (f *fleet) halt() {
	for _, stop := range f.stops {
		stop()
	}
}

// A range over the container value: the range variable is called.

type multi struct {
	cancels map[string][]context.CancelFunc
}

func (m *multi) add(parent context.Context, k string) {
	_, cancel := context.WithCancel(parent)
	m.cancels[k] = append(m.cancels[k], cancel)
}

func (m *multi) cancelAll(k string) {
	for _, c := range m.cancels[k] {
		c()
	}
}

// Handed to a middleware helper that defers it.

func withTimeoutHandler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		st := &reqState{cancel: cancel}
		defer st.done()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type reqState struct{ cancel context.CancelFunc }

func (s *reqState) done() { s.cancel() }

// A named result: the bare return hands it to the caller.

type named struct{ cancel context.CancelFunc }

func (n *named) start(parent context.Context) (ctx context.Context, cancel context.CancelFunc) {
	ctx, cancel = context.WithTimeout(parent, time.Second)
	n.cancel = cancel
	return
}

// Kept in a sync.Map: Store takes it, Range may call it.

var pending sync.Map

func trackPending(parent context.Context, id string) context.Context {
	ctx, cancel := context.WithCancel(parent)
	pending.Store(id, cancel)
	return ctx
}

// A context value under an exported key: other packages can look it up.

type CancelKey struct{}

func WithCancelValue(ctx context.Context) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	return context.WithValue(ctx, CancelKey{}, cancel)
}

// A context value whose key a helper uses to look it up.

const abortKey ctxKey = 1

type ctxKey int

func withAbort(ctx context.Context) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	return context.WithValue(ctx, abortKey, cancel)
}

func lookup(ctx context.Context, k ctxKey) any { return ctx.Value(k) }

func abort(ctx context.Context) {
	if f, ok := lookup(ctx, abortKey).(context.CancelFunc); ok {
		f()
	}
}

// Stored in a package variable that a shutdown hook calls.

var stopWorkers context.CancelFunc

func startWorkers() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	stopWorkers = cancel
	return ctx
}

func onSignal() {
	if stopWorkers != nil {
		stopWorkers()
	}
}

// Called after the store on the failure path and handed on on success.

type dialer struct {
	cancel context.CancelFunc
}

func (d *dialer) dial(parent context.Context, addr string) (context.Context, error) {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	d.cancel = cancel
	if addr == "" {
		cancel()
		return nil, errors.New("no address")
	}
	return ctx, nil
}
