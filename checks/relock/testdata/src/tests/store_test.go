package tests

import "testing"

// rule "test code is opt-in": a helper of a _test.go file that does
// not take a *testing.T; reported by relock.tests.
func snapshotLen(s *Store) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.Get("x") // want `s.Get\(\), which read-locks s.mu \(store.go:12\), takes a second read lock while snapshotLen holds one`
}

func TestSnapshot(t *testing.T) {
	if snapshotLen(&Store{}) != 0 {
		t.Fatal("not empty")
	}
}
