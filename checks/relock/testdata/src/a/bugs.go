package a

import "sync"

type Cache struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// Refresh holds c.mu and calls Len, which locks it again.
func (c *Cache) Refresh() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Len() == 0 { // want `c.Len\(\) locks c.mu \(bugs.go:11\), which Refresh already holds since line 18`
		c.m = map[string]int{}
	}
}

// Close unlocks and locks again by mistake, with the deferred Unlock
// still pending: the explicit pair is fine, the second Lock is not.
func (c *Cache) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
	c.mu.Unlock()
	c.mu.Lock()
	c.mu.Lock() // want `c.mu.Lock\(\) waits forever: Close already holds c.mu since line 32`
}

// Through two levels of the package's own methods.
func (c *Cache) size() int { return c.Len() }

func (c *Cache) Grow() {
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = c.size() // want `c.size\(\) locks c.mu \(bugs.go:11\)`
}

type Registry struct {
	sync.RWMutex
	names map[string]bool
}

func (r *Registry) Has(n string) bool {
	r.RLock()
	defer r.RUnlock()
	return r.names[n]
}

// HasAll read-locks twice: a writer queued in between deadlocks both.
func (r *Registry) HasAll(ns []string) bool {
	r.RLock()
	defer r.RUnlock()
	for _, n := range ns {
		if !r.Has(n) { // want `r.Has\(\), which read-locks r.RWMutex \(bugs.go:51\), takes a second read lock while HasAll holds one`
			return false
		}
	}
	return true
}

// Add write-locks the embedded mutex and calls Has, which read-locks it.
func (r *Registry) Add(n string) {
	r.Lock()
	defer r.Unlock()
	if r.Has(n) { // want `r.Has\(\) read-locks r.RWMutex \(bugs.go:51\), which Add already holds`
		return
	}
	r.names[n] = true
}

var global sync.Mutex

func step() {
	global.Lock()
	defer global.Unlock()
}

// A package-level mutex, through a closure assigned once.
func Run() {
	global.Lock()
	defer global.Unlock()
	again := func() { step() }
	again() // want `again\(\) locks global`
}

// The same mutex reached through a parameter.
func lockBoth(c *Cache, d *Cache) {
	c.mu.Lock()
	defer c.mu.Unlock()
	take(c) // want `take\(\) locks c.mu`
	take(d)
}

func take(x *Cache) {
	x.mu.Lock()
	x.mu.Unlock()
}

// A helper that returns with the lock held, then a direct Lock.
func (c *Cache) lock() { c.mu.Lock() }

func (c *Cache) Reset() {
	c.lock()
	c.mu.Lock() // want `c.mu.Lock\(\) waits forever: Reset already holds c.mu since line 110`
	c.mu.Unlock()
}

// An unlock kept in a local closure releases only where it is called.
func (c *Cache) Renew() {
	c.mu.Lock()
	unlock := func() { c.mu.Unlock() }
	defer func() { unlock() }()
	_ = c.Len() // want `c.Len\(\) locks c.mu`
}

func startTimer(name string) func() { return func() {} }

// Reported: the function startTimer makes is not given the mutex, so
// calling it releases nothing.
func (c *Cache) Timed() {
	c.mu.Lock()
	defer c.mu.Unlock()
	stop := startTimer("timed")
	stop()
	_ = c.Len() // want `c.Len\(\) locks c.mu`
}
