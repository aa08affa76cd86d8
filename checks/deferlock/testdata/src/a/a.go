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
	defer c.mu.RLock() // want `deferred c.mu.RLock\(\) locks c.mu again when the function returns`
	return len(c.m)
}

type Counter struct {
	sync.Mutex
	n int
}

func (c *Counter) Inc() {
	c.Lock()
	defer c.Lock() // want `deferred c.Lock\(\) locks c again`
	c.n++
}

var (
	hitsMu sync.Mutex
	hits   = map[string]int{}
)

func Handler(w http.ResponseWriter, r *http.Request) {
	hitsMu.Lock()
	defer hitsMu.Lock() // want `deferred hitsMu.Lock\(\) locks hitsMu again when the function returns instead of releasing it: that call and every later Lock block forever \(defer hitsMu.Unlock\(\)\)`
	hits[r.URL.Path]++
}

func WithLocker(l sync.Locker, f func()) {
	l.Lock()
	defer l.Lock() // want `deferred l.Lock\(\) locks l again`
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
