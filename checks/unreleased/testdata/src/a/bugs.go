package a

import (
	"errors"
	"sync"
)

var ErrNotFound = errors.New("not found")

type Store struct {
	mu sync.Mutex
	m  map[string]int
}

func (s *Store) Evict(k string) error {
	s.mu.Lock()
	_, ok := s.m[k]
	if !ok {
		return ErrNotFound // want `Evict returns here with s.mu still locked \(taken at line 16; the path through line 22 releases it\)`
	}
	delete(s.m, k)
	s.mu.Unlock()
	return nil
}

// A break out of the loop skips the unlock below it.
func (s *Store) Drain(closed bool) {
	for {
		s.mu.Lock()
		if closed {
			break // want `after this break, Drain returns with s.mu still locked`
		}
		s.mu.Unlock()
	}
}

// A continue goes back to the Lock still holding it.
func (s *Store) Retry(n int, try func() error) {
	for i := 0; i < n; i++ {
		s.mu.Lock()
		if err := try(); err != nil {
			continue // want `this continue goes back to s.mu.Lock\(\) at line 40 with s.mu still locked`
		}
		s.mu.Unlock()
	}
}

type Index struct {
	sync.RWMutex
	names map[string]bool
}

// A read lock leaked on an early return blocks every writer.
func (x *Index) Lookup(n string) (bool, error) {
	x.RLock()
	if x.names == nil {
		return false, ErrNotFound // want `Lookup returns here with x.RWMutex still locked .*RUnlock`
	}
	ok := x.names[n]
	x.RUnlock()
	return ok, nil
}

// In a closure handed to a timer.
func (s *Store) Later(schedule func(func()), abort *bool) {
	schedule(func() {
		s.mu.Lock()
		if *abort {
			return // want `returns here with s.mu still locked`
		}
		s.m = nil
		s.mu.Unlock()
	})
}

// A switch case that returns early.
func (s *Store) Kind(k string) int {
	s.mu.Lock()
	switch k {
	case "":
		return 0 // want `Kind returns here with s.mu still locked`
	case "x":
		s.mu.Unlock()
		return 1
	}
	s.mu.Unlock()
	return 2
}

// An if around both the Lock and the Unlock decides nothing between
// them: the inner path that skips the Unlock is still a leak.
func (s *Store) Scan(enabled, empty bool) {
	if enabled {
		s.mu.Lock()
		if empty {
			return // want `Scan returns here with s.mu still locked`
		}
		s.mu.Unlock()
	}
}
