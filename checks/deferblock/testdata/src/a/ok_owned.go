package a

import (
	"context"
	"net/http"
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
