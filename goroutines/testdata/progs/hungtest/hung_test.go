// Package hungtest is a test that hangs, for the captures of a go test
// timeout (capture_tests.sh): its module path has no dot, as a
// kernel's or a service's often has not.
package hungtest

import (
	"sync"
	"testing"
)

// store's evict returns early with its mutex still held.
type store struct {
	mu sync.Mutex
	m  map[string]int
}

func (s *store) evict(k string) {
	s.mu.Lock()
	if _, ok := s.m[k]; !ok {
		return // s.mu stays locked
	}
	delete(s.m, k)
	s.mu.Unlock()
}

func (s *store) get(k string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[k]
}

// reporter sends each result on an unbuffered channel nobody reads.
func reporter(results chan<- int) {
	results <- 1
}

func TestHang(t *testing.T) {
	s := &store{m: map[string]int{}}
	s.evict("missing")
	results := make(chan int)
	go reporter(results)
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.get("a")
		}()
	}
	wg.Wait()
}
