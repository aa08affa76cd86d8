package classes

import "sync"

type inner struct{ sync.Mutex }

type Store struct {
	mu struct{ sync.RWMutex }
	in inner
	rw sync.RWMutex
}

var global sync.Mutex

func (s *Store) lockRW() { s.rw.Lock() } // want `takes Store.rw$`

func (s *Store) Paths() {
	s.mu.RLock() // want `takes Store.mu.RWMutex$`
	s.in.Lock()  // want `takes inner.Mutex holding Store.mu.RWMutex$`
	s.in.Unlock()
	s.mu.RUnlock()
	global.Lock() // want `takes classes.global$`
	global.Unlock()
	var local sync.Mutex
	local.Lock() // want `takes none$`
	local.Unlock()
}

// Held on one branch only is not held after the join.
func (s *Store) Branch(ok bool) {
	if ok {
		global.Lock() // want `takes classes.global$`
	}
	s.rw.Lock() // want `takes Store.rw$`
	s.rw.Unlock()
}

// A callee that returns holding a lock leaves it held for the caller;
// one that takes a lock counts as taking it.
func (s *Store) Helper() {
	s.lockRW()    // want `takes Store.rw$`
	global.Lock() // want `takes classes.global holding Store.rw$`
	global.Unlock()
	s.rw.Unlock()
}
