package a

import (
	"sync"
	"testing"
)

// rule "test bodies": a relock inside a test's own body hangs only
// that test.
func TestReadTwice(t *testing.T) {
	r := &Registry{names: map[string]bool{}}
	r.RLock()
	defer r.RUnlock()
	_ = r.Has("x")
}

// rule "a Locker may be anything": a shared or reentrant lock behind
// the interface.
func lockTwice(l sync.Locker) {
	l.Lock()
	l.Lock()
	l.Unlock()
	l.Unlock()
}
