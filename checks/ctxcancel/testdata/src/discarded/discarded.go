package discarded

import (
	"context"
	"time"
)

type Server struct{ base context.Context }

func watch(ctx context.Context) {
	go func() {
		<-ctx.Done()
	}()
}

// The cancel func is silenced, not called: the watcher never stops.
func (s *Server) Subscribe() {
	ctx, cancel := context.WithCancel(s.base)
	_ = cancel // want `the cancel func of context.WithCancel at line 18 is thrown away \(vet's lostcancel counts .*_ = cancel.* as a use\)`
	watch(ctx)
}

func (s *Server) Poll() {
	ctx, stop := context.WithTimeout(s.base, time.Hour)
	watch(ctx)
	_ = stop // want `the cancel func of context.WithTimeout at line 24 is thrown away`
}

// Look-alikes that must stay quiet.

// Called as well: the blank assignment is only a leftover.
func (s *Server) Once() {
	ctx, cancel := context.WithCancel(s.base)
	_ = cancel
	defer cancel()
	watch(ctx)
}

// Handed on: the caller cancels.
func (s *Server) Start() context.CancelFunc {
	ctx, cancel := context.WithCancel(s.base)
	_ = cancel
	watch(ctx)
	return cancel
}

// rule "root contexts are opt-in": made on Background, no parent holds
// it (reported with -ctxcancel.root).
func Detached() {
	ctx, cancel := context.WithCancel(context.Background())
	_ = cancel
	watch(ctx)
}

// A parameter is someone else's func.
func ignore(cancel context.CancelFunc) {
	_ = cancel
}
