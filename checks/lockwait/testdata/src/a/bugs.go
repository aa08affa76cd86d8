package a

import "sync"

type watcher struct {
	mu      sync.Mutex
	stopc   chan struct{}
	donec   chan struct{}
	updates chan int
	last    int
}

func newWatcher() *watcher {
	return &watcher{stopc: make(chan struct{}), donec: make(chan struct{}), updates: make(chan int)}
}

func (w *watcher) run() {
	defer close(w.donec)
	for u := range w.updates {
		w.mu.Lock()
		w.last = u
		w.mu.Unlock()
	}
}

// stop holds w.mu while it waits for run, which takes w.mu before it
// can close donec.
func (w *watcher) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	close(w.updates)
	<-w.donec // want `<-w.donec waits while holding w.mu \(locked at line 29\), but every send and close of w.donec elsewhere comes after taking w.mu \(as at bugs.go:18\)`
}

type batcher struct {
	lock    sync.Mutex
	pending map[string]int
	out     chan string
}

// push sends while holding b.lock; the only receiver takes b.lock
// between two receives.
func (b *batcher) push(k string) {
	b.lock.Lock()
	defer b.lock.Unlock()
	b.pending[k]++
	b.out <- k // want `this send on b.out waits for a receiver while holding b.lock`
}

func newBatcher() *batcher {
	b := &batcher{pending: map[string]int{}}
	b.out = make(chan string)
	return b
}

func (b *batcher) loop() {
	for k := range b.out {
		b.lock.Lock()
		delete(b.pending, k)
		b.lock.Unlock()
	}
}

type pool struct {
	mu    sync.Mutex
	wg    sync.WaitGroup
	count int
}

// Stop waits for workers that each need p.mu before they finish.
func (p *pool) Stop() {
	p.mu.Lock()
	p.wg.Wait() // want `p.wg.Wait\(\) waits while holding p.mu`
	p.mu.Unlock()
}

func (p *pool) work() {
	defer p.wg.Done()
	p.mu.Lock()
	p.count++
	p.mu.Unlock()
}

// A local channel shared with the function's goroutine.
func (p *pool) Local() {
	done := make(chan struct{})
	p.mu.Lock()
	defer p.mu.Unlock()
	go func() {
		p.mu.Lock()
		p.count = 0
		p.mu.Unlock()
		close(done)
	}()
	<-done // want `<-done waits while holding p.mu`
}
