package a

import (
	"context"
	"net/http"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Silent look-alikes.

// The goroutine is tracked by the server's WaitGroup.
func (s *Server) TrackedOK(w http.ResponseWriter, r *http.Request) {
	defer func() {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.flush()
		}()
	}()
}

// Done inside the helper the goroutine runs.
func (s *Server) flushTracked() {
	defer s.wg.Done()
	s.flush()
}

func (s *Server) HelperTrackedOK(ctx context.Context) {
	defer func() {
		s.wg.Add(1)
		go s.flushTracked()
	}()
}

// Add before the go statement, with the Done passed along.
func (s *Server) AddOK(ctx context.Context, wg *sync.WaitGroup) {
	defer func() {
		wg.Add(1)
		go run(wg)
	}()
}

func run(wg *sync.WaitGroup) {}

// The deferred closure waits for what it started.
func (s *Server) WaitOK(ctx context.Context) {
	defer func() {
		var wg sync.WaitGroup
		for i := 0; i < 3; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
			}()
		}
		wg.Wait()
	}()
}

// The goroutine reports on a channel the closure receives from.
func (s *Server) ChanOK(ctx context.Context) error {
	var err error
	defer func() {
		errc := make(chan error, 1)
		go func() { errc <- s.flush() }()
		err = <-errc
	}()
	return err
}

// The goroutine reports on a channel the server's loop receives from.
type loop struct{ errs chan error }

func (l *loop) Run() {
	for err := range l.errs {
		_ = err
	}
}

func (l *loop) Handle(w http.ResponseWriter, r *http.Request) {
	defer func() {
		go func() { l.errs <- nil }()
	}()
}

// WaitGroup.Go and errgroup's Go are owned by their group.
func (s *Server) GroupOK(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	defer func() {
		g.Go(func() error { return s.flush() })
		s.wg.Go(func() { s.flush() })
	}()
	return g.Wait()
}

// A goroutine started in the function body, not in the defer.
func (s *Server) BodyOK(ctx context.Context) {
	defer s.mu.Unlock()
	s.mu.Lock()
	go s.flush()
}

// A function value stored by the deferred closure is not run by it.
func (s *Server) StoreOK(ctx context.Context, hooks *[]func()) {
	defer func() {
		*hooks = append(*hooks, func() { go s.flush() })
	}()
}

// A deferred helper that calls a helper that starts a goroutine: two
// levels is past what the check follows.
func (s *Server) releaseTwice() { s.release() }

func (s *Server) DeepOK(ctx context.Context) {
	defer s.releaseTwice()
}
