package a

import "sync"

type Lease struct {
	mu   sync.Mutex
	name string
}

type Cache struct {
	mu     sync.Mutex
	byName map[string]*Lease
}

func (c *Cache) remove(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.byName, name)
}

// Release takes the lease, then the cache through remove.
func (c *Cache) Release(l *Lease) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c.remove(l.name)
}

// Acquire takes the cache, then a lease.
func (c *Cache) Acquire(name string) *Lease {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.byName[name]
	l.mu.Lock() // want `Acquire takes Lease.mu while holding Cache.mu, but Release takes them the other way round \(a.go:25\)`
	defer l.mu.Unlock()
	return l
}

var (
	registryMu sync.Mutex
	statsMu    sync.RWMutex
)

func record() {
	registryMu.Lock()
	defer registryMu.Unlock()
	statsMu.Lock()
	statsMu.Unlock()
}

func snapshot() {
	statsMu.Lock()
	defer statsMu.Unlock()
	registryMu.Lock() // want `snapshot takes a.registryMu while holding a.statsMu, but record takes them the other way round`
	registryMu.Unlock()
}
