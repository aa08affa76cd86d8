package a

import (
	"sync"
	"time"
)

type server struct {
	mu    sync.Mutex
	conns map[int]bool
	quit  chan struct{}
	done  chan struct{}
	reqs  chan int
	state sync.RWMutex
	seen  chan int
}

// rule "one side needs no lock": serve closes done without taking s.mu.
func (s *server) serve() {
	<-s.quit
	close(s.done)
}

func (s *server) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.quit)
	<-s.done
}

// rule "one side needs no lock": one of the senders needs no lock.
func (s *server) handle(n int) {
	s.mu.Lock()
	s.conns[n] = true
	s.mu.Unlock()
	s.reqs <- n
}

func (s *server) handleFast(n int) { s.reqs <- n }

func (s *server) next() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return <-s.reqs
}

// rule "select has other ways": a timeout ends the wait.
func (s *server) Wait() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.done:
		return true
	case <-time.After(time.Second):
		return false
	}
}

// rule "readers share": both sides only read-lock.
func (s *server) report() {
	s.state.RLock()
	defer s.state.RUnlock()
	s.seen <- len(s.conns)
}

func (s *server) observe() {
	for range s.seen {
		s.state.RLock()
		s.state.RUnlock()
	}
}

// rule "channel handed out": the channel is given to a function that
// may serve it without the lock.
type handed struct {
	mu    sync.Mutex
	ready chan bool
}

func (h *handed) start(serve func(chan bool)) { go serve(h.ready) }

func (h *handed) await() {
	h.mu.Lock()
	defer h.mu.Unlock()
	<-h.ready
}

func (h *handed) mark() {
	h.mu.Lock()
	h.ready <- true
	h.mu.Unlock()
}

// rule "same goroutine": the only sender is the waiting function.
type single struct {
	mu sync.Mutex
	ch chan int
}

func (x *single) both() {
	x.mu.Lock()
	defer x.mu.Unlock()
	go func() {}()
	x.ch <- 1
	<-x.ch
}

// The lock is released before the wait.
func (p *pool) StopUnlocked() {
	p.mu.Lock()
	p.count = -1
	p.mu.Unlock()
	p.wg.Wait()
}

// A different mutex guards the other side.
type twoLocks struct {
	a, b sync.Mutex
	ch   chan int
}

func (t *twoLocks) get() int {
	t.a.Lock()
	defer t.a.Unlock()
	return <-t.ch
}

func (t *twoLocks) put(n int) {
	t.b.Lock()
	defer t.b.Unlock()
	t.ch <- n
}

// rule "select has other ways": a send with a default drops the wakeup
// instead of waiting.
func (s *server) wake() {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case s.reqs <- 0:
	default:
	}
}

// rule "taken before the waiter started": the receiving side took the
// lock before the goroutine existed, and does not take it again.
func (p *pool) Probe() {
	p.mu.Lock()
	p.count++
	p.mu.Unlock()
	done := make(chan bool)
	go func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		done <- true
	}()
	<-done
}

// Unlocked around the send inside a loop that holds the lock at its
// head.
func (b *batcher) flush() {
	b.lock.Lock()
	defer b.lock.Unlock()
	for k := range b.pending {
		b.lock.Unlock()
		b.out <- k
		b.lock.Lock()
	}
}

// rule "buffer may have room": a one-slot done signal sent once.
type loader struct {
	mu   sync.Mutex
	done chan struct{}
}

func newLoader() *loader { return &loader{done: make(chan struct{}, 1)} }

func (l *loader) finish() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.done <- struct{}{}
}

func (l *loader) wait() {
	l.mu.Lock()
	l.mu.Unlock()
	<-l.done
}

// rule "buffer may have room": the channel comes from elsewhere, its
// size unknown.
type fed struct {
	mu sync.Mutex
	in chan int
}

func newFed(in chan int) *fed { return &fed{in: in} }

func (f *fed) push(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.in <- n
}

func (f *fed) drain() {
	for range f.in {
		f.mu.Lock()
		f.mu.Unlock()
	}
}

// rule "added under the lock": every goroutine Wait counts was added
// while holding the lock, so it is past its Lock already.
type group struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

func (g *group) Go(f func()) {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return
	}
	g.wg.Add(1)
	g.mu.Unlock()
	go func() {
		defer g.wg.Done()
		f()
	}()
}

func (g *group) Close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
	g.wg.Wait()
}
