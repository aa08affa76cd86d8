package a

import (
	"os"
	"testing"
)

// rule "test bodies": a lock left in a test's handler hangs only that
// test.
func TestHandler(t *testing.T) {
	s := &Store{m: map[string]int{}}
	handle := func(k string) {
		s.mu.Lock()
		if k == "" {
			return
		}
		s.mu.Unlock()
	}
	handle("x")
}

// rule "test code": a file a test helper leaves open lasts one test
// binary.
func readFixture(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 8)
	if _, err := f.Read(b); err != nil {
		return nil, err
	}
	return b, f.Close()
}
