// Package singleflight is a stand-in for golang.org/x/sync/singleflight
// with the same API shape, for the fixtures.
package singleflight

import "sync"

type Result struct {
	Val    any
	Err    error
	Shared bool
}

type Group struct {
	mu sync.Mutex
}

func (g *Group) Do(key string, fn func() (any, error)) (v any, err error, shared bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	v, err = fn()
	return v, err, false
}

func (g *Group) DoChan(key string, fn func() (any, error)) <-chan Result {
	ch := make(chan Result, 1)
	v, err := fn()
	ch <- Result{Val: v, Err: err}
	return ch
}
