package quiet

import "testing"

// rule "test code is opt-in": a helper of a _test.go file that does
// not take a *testing.T; quiet without relock.tests.
func snapshotLen(s *Store) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.Get("x")
}

func TestSnapshot(t *testing.T) {
	if snapshotLen(&Store{}) != 0 {
		t.Fatal("not empty")
	}
}
