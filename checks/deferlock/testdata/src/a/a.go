package a

import (
	"net/http"
	"sync"
)

type Cache struct {
	mu sync.RWMutex
	m  map[string]int
}

func (c *Cache) Get(k string) int {
	c.mu.RLock()
	defer c.mu.Unlock() // want `c.mu is taken with RLock but released with deferred Unlock: the process dies`
	return c.m[k]
}

func (c *Cache) Put(k string, v int) {
	c.mu.Lock()
	defer c.mu.RUnlock() // want `c.mu is taken with Lock but released with deferred RUnlock`
	c.m[k] = v
}

func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RLock() // want `deferred c.mu.RLock\(\) takes a second read lock when Len returns and nothing releases either: every later c.mu.Lock\(\) blocks forever`
	return len(c.m)
}

type Counter struct {
	sync.Mutex
	n int
}

func (c *Counter) Inc() {
	c.Lock()
	defer c.Lock() // want `deferred c.Lock\(\) runs when Inc returns, with c still locked: the goroutine hangs in its own defer`
	c.n++
}

var (
	hitsMu sync.Mutex
	hits   = map[string]int{}
)

func Handler(w http.ResponseWriter, r *http.Request) {
	hitsMu.Lock()
	defer hitsMu.Lock() // want `deferred hitsMu.Lock\(\) runs when Handler returns, with hitsMu still locked: the goroutine hangs in its own defer and every later caller blocks behind it \(defer hitsMu.Unlock\(\)\)`
	hits[r.URL.Path]++
}

func WithLocker(l sync.Locker, f func()) {
	l.Lock()
	defer l.Lock() // want `deferred l.Lock\(\) runs when WithLocker returns`
	f()
}

type Set[T comparable] struct {
	mu sync.RWMutex
	m  map[T]struct{}
}

func (s *Set[T]) Has(v T) bool {
	s.mu.RLock()
	defer s.mu.Unlock() // want `s.mu is taken with RLock but released with deferred Unlock`
	_, ok := s.m[v]
	return ok
}
