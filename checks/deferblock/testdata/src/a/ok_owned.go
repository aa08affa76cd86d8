package a

import (
	"context"
	"net/http"
	"sync"
)

// Shapes met in real code (cmd/go) where the wait is for work the
// function started through a value it made.

// A preloader made by the function fills its semaphore to wait for the
// workers it started (cmd/go/internal/load).
type preload struct {
	cancel chan struct{}
	sema   chan struct{}
}

func newPreload() *preload {
	return &preload{cancel: make(chan struct{}), sema: make(chan struct{}, 4)}
}

func (p *preload) start(items []string) {
	for range items {
		p.sema <- struct{}{}
		go func() { <-p.sema }()
	}
}

func (p *preload) flush() {
	close(p.cancel)
	for i := 0; i < cap(p.sema); i++ {
		p.sema <- struct{}{}
	}
}

func LoadAll(ctx context.Context, items []string) {
	pre := newPreload()
	defer pre.flush()
	pre.start(items)
}

// A work queue made by the function: wait for it to go idle
// (cmd/go/internal/modload).
type queue struct{ idle chan struct{} }

func newQueue(n int) *queue            { return &queue{idle: make(chan struct{})} }
func (q *queue) Add(f func())          {}
func (q *queue) Idle() <-chan struct{} { return q.idle }

func Match(ctx context.Context, dirs []string) {
	q := newQueue(4)
	for _, d := range dirs {
		q.Add(func() { _ = d })
	}
	defer func() { <-q.Idle() }()
}

// A struct value declared in the function.
func Batch(w http.ResponseWriter, r *http.Request) {
	var q queue
	q.idle = make(chan struct{})
	go close(q.idle)
	defer func() { <-q.idle }()
}

// A channel the function got from the work it started.
func (s *Server) start(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	go close(done)
	return done
}

func (s *Server) StartOK(ctx context.Context) {
	done := s.start(ctx)
	defer func() { <-done }()
}

// A Cond waited on in a loop over its condition, after arranging for the
// signal (net/http's connReader.abortPendingRead).
type connReader struct {
	mu     sync.Mutex
	cond   *sync.Cond
	inRead bool
}

func (cr *connReader) abortPendingRead() {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	for cr.inRead {
		cr.cond.Wait()
	}
}

func (cr *connReader) serve(ctx context.Context) {
	defer func() {
		cr.abortPendingRead()
	}()
}

// A long-running worker loops until its context is done; its deferred
// cleanup runs at shutdown (prometheus discovery/zookeeper: drain the
// event channels of the tree caches it stops).
type treeCache struct{ events chan string }

func (t *treeCache) Stop() { close(t.events) }

type discovery struct {
	caches  []*treeCache
	updates []chan string
}

func (d *discovery) Run(ctx context.Context, out chan<- []string) {
	defer func() {
		for _, tc := range d.caches {
			tc.Stop()
		}
		for _, u := range d.updates {
			for range u {
			}
		}
		out <- nil
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case out <- []string{"x"}:
		}
	}
}

// Teardown methods are expected to wait for what they stop.
func (s *Server) Shutdown(ctx context.Context) error {
	defer s.wg.Wait()
	defer func() { <-s.audit }()
	return nil
}

// A helper that waits for the goroutines it starts itself.
func (s *Server) flushAll(items []string) {
	var wg sync.WaitGroup
	done := make(chan struct{})
	for range items {
		wg.Add(1)
		go func() { defer wg.Done() }()
	}
	go func() { wg.Wait(); close(done) }()
	<-done
	wg.Wait()
}

func (s *Server) Flush(w http.ResponseWriter, r *http.Request) {
	defer s.flushAll(nil)
}

// A semaphore field made buffered: the caller took the token, the
// deferred release gives it back.
type gate struct{ slots chan struct{} }

func newGate(n int) *gate { return &gate{slots: make(chan struct{}, n)} }

func (g *gate) serve(ctx context.Context) {
	defer func() { <-g.slots }()
}

func (g *gate) Enter(ctx context.Context) {
	g.slots <- struct{}{}
	go g.serve(ctx)
}

// A context the function derived and cancels before waiting.
func Derived(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer func() {
		cancel()
		<-ctx.Done()
	}()
}

// A log queue made into a local first, with room from the
// configuration, drained by its own goroutine.
type logQueue struct{ entries chan string }

func newLogQueue(size int) *logQueue {
	entries := make(chan string, size)
	q := &logQueue{entries: entries}
	go func() {
		for range q.entries {
		}
	}()
	return q
}

func (q *logQueue) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() { q.entries <- r.URL.Path }()
}
