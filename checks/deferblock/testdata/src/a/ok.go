package a

import (
	"context"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// The correct look-alikes: none of these is reported.

func CloseOK(w http.ResponseWriter, r *http.Request) {
	ch := make(chan int)
	defer close(ch)
	go func() {
		for range ch {
		}
	}()
}

func (s *Server) UnlockOK(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = ctx
}

func (s *Server) SelectCtxOK(w http.ResponseWriter, r *http.Request) {
	defer func() {
		select {
		case s.events <- event{path: r.URL.Path}:
		case <-r.Context().Done():
		}
	}()
}

func (s *Server) SelectDefaultOK(ctx context.Context) {
	defer func() {
		select {
		case s.events <- event{}:
		default:
		}
	}()
}

func (s *Server) SelectTimeoutOK(ctx context.Context) {
	defer func() {
		select {
		case s.audit <- "x":
		case <-time.After(time.Second):
		}
	}()
}

// The function waits for the goroutines it started itself.
func FanOutOK(ctx context.Context, items []int) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = it
		}()
	}
}

func (s *Server) SpawnOK(w http.ResponseWriter, r *http.Request) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
	}()
	defer s.wg.Wait()
}

func WaitGroupGoOK(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Wait()
	wg.Go(func() {})
}

func ErrgroupOK(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	defer g.Wait()
	g.Go(func() error { return ctx.Err() })
	return nil
}

func (s *Server) FieldGroupOK(ctx context.Context) {
	defer s.group.Wait()
	s.group.Go(func() error { return nil })
}

// A done channel the function's own goroutine closes.
func DoneOK(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		defer close(done)
	}()
	defer func() { <-done }()
}

// An error channel the function's own goroutine sends on.
func ErrcOK(w http.ResponseWriter, r *http.Request) {
	errc := make(chan error)
	go worker(errc)
	defer func() { <-errc }()
}

func worker(errc chan<- error) { errc <- nil }

// A field channel closed by the loop the method starts.
type loop struct{ done chan struct{} }

func (l *loop) run() { close(l.done) }

func (l *loop) Start(ctx context.Context) {
	go l.run()
	defer func() { <-l.done }()
}

// A buffered channel made in the function has room for the send.
func BufferedOK(w http.ResponseWriter, r *http.Request) {
	results := make(chan int, 1)
	defer func() { results <- 1 }()
}

func BufferedLenOK(ctx context.Context, items []int) {
	errs := make(chan error, len(items))
	defer func() { errs <- nil }()
}

// A semaphore: the token taken before is given back.
type limiter struct{ sem chan struct{} }

func (l *limiter) Handle(w http.ResponseWriter, r *http.Request) {
	l.sem <- struct{}{}
	defer func() { <-l.sem }()
}

func (l *limiter) acquire()  { l.sem <- struct{}{} }
func (l *limiter) release()  { <-l.sem }
func (l *limiter) releaseV() { l.release() }

func (l *limiter) HelperOK(ctx context.Context) {
	l.acquire()
	defer l.release()
}

func (l *limiter) DeepHelperOK(ctx context.Context) {
	l.acquire()
	defer l.releaseV()
}

func (l *limiter) SelectAcquireOK(ctx context.Context) error {
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-l.sem }()
	return nil
}

// A token pool: the token received is sent back.
type pool struct{ tokens chan int }

func (p *pool) Do(ctx context.Context) {
	tok := <-p.tokens
	defer func() { p.tokens <- tok }()
}

func Acquire(ctx context.Context, sem chan struct{}) {
	sem <- struct{}{}
	defer release(sem)
}

func release(sem chan struct{}) { <-sem }

// A goroutine started in the deferred closure does not hold the return
// (defergo's business), nor does a function value stored for later.
func (s *Server) AsyncOK(w http.ResponseWriter, r *http.Request) {
	defer func() {
		go func() { s.events <- event{} }()
		s.onDone(func() { time.Sleep(time.Second) })
	}()
}

func (s *Server) onDone(f func()) {}

// A defer inside a goroutine's literal delays that goroutine only.
func (s *Server) BackgroundOK(w http.ResponseWriter, r *http.Request) {
	go func() {
		defer func() { s.events <- event{} }()
	}()
}

// Outside the request path, channel operations and helpers that sleep
// are the program's design: a worker signals its owner when it stops.
type workerT struct {
	done chan struct{}
	out  chan int
}

func (w *workerT) run() {
	defer func() { w.done <- struct{}{} }()
	defer func() { w.out <- 0 }()
}

func backoff() { time.Sleep(time.Second) }

func retryHelper(op func() error) error {
	defer backoff()
	return op()
}

// A local channel outside the request path that someone receives from.
func handoff(f func(chan int)) {
	ch := make(chan int)
	f(ch)
	defer func() { ch <- 1 }()
}

// Three levels deep is past what the check follows.
func (s *Server) l1() { s.l2() }
func (s *Server) l2() { s.l3() }
func (s *Server) l3() { time.Sleep(time.Second) }

func (s *Server) DeepOK(w http.ResponseWriter, r *http.Request) {
	defer s.l1()
}

// A cleanup on failure that retries, pausing between attempts: the
// pause is part of the work, and ends when an attempt succeeds.
func (s *Server) Upload(ctx context.Context, abort func(context.Context) error) (err error) {
	defer func() {
		if err != nil {
			for attempt := 1; attempt <= 3; attempt++ {
				if abort(ctx) == nil {
					return
				}
				time.Sleep(time.Second)
			}
		}
	}()
	return nil
}

func (s *Server) Release(w http.ResponseWriter, r *http.Request) {
	defer func() {
		for i := 0; i < 3; i++ {
			if s.tryRelease() {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
}

func (s *Server) tryRelease() bool { return true }
