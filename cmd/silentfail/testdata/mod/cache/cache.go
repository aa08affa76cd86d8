// Package cache holds a deliberate deferlock bug and directives around
// others, for the command's end-to-end tests.
package cache

import "sync"

type Cache struct {
	mu sync.RWMutex
	m  map[string]string
}

func (c *Cache) Get(k string) string {
	c.mu.RLock()
	defer c.mu.Unlock()
	return c.m[k]
}

func (c *Cache) Put(k, v string) {
	c.mu.Lock()
	//silentfail:ignore deferlock the test suite checks that a reasoned directive suppresses
	defer c.mu.Lock()
	c.m[k] = v
}

func (c *Cache) Delete(k string) {
	c.mu.Lock()
	defer c.mu.RUnlock() //silentfail:ignore deferlock
	delete(c.m, k)
}
