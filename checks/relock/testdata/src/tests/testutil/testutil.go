// Package testutil is test support: only tests import it.
package testutil

import "sync"

type Fake struct {
	mu    sync.Mutex
	calls int
}

func (f *Fake) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// rule "test code is opt-in": reported by relock.tests.
func (f *Fake) Record() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = f.Calls() + 1 // want `f.Calls\(\) locks f.mu \(testutil.go:12\), which Record already holds`
}
