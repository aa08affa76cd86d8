// Package testutil is test support: only tests run it.
package testutil

import "context"

// Runner drives a load test. Rule "test code": its context dies with
// the test binary.
type Runner struct {
	cancel context.CancelFunc
}

func New(parent context.Context) (*Runner, context.Context) {
	ctx, cancel := context.WithCancel(parent)
	return &Runner{cancel: cancel}, ctx
}
