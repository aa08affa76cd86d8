package tests

import "sync"

// Store is production code; its own relock is reported in every form.
type Store struct {
	mu sync.RWMutex
	m  map[string]int
}

func (s *Store) Get(k string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m[k]
}

func (s *Store) Sum(keys ...string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, k := range keys {
		n += s.Get(k) // want `s.Get\(\), which read-locks s.mu \(store.go:12\), takes a second read lock`
	}
	return n
}
