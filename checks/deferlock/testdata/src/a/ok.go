package a

import "sync"

// The correct pairs.

func (c *Cache) GetOK(k string) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[k]
}

func (c *Cache) PutOK(k string, v int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = v
}

func (c *Counter) IncOK() {
	c.Lock()
	defer c.Unlock()
	c.n++
}

// Release the lock for a slow call and take it back before returning:
// the caller expects it held.
func (c *Cache) refreshLocked(load func() map[string]int) {
	c.mu.Unlock()
	defer c.mu.Lock()
	_ = load()
}

// Two different mutexes: the deferred Lock is not of the one just taken.
type pair struct{ a, b sync.Mutex }

func (p *pair) swap() {
	p.a.Lock()
	defer p.b.Lock()
	p.b.Unlock()
}

// A deferred Lock that is not right after a Lock of the same mutex.
func relock(mu *sync.Mutex, f func()) {
	mu.Unlock()
	f()
	defer mu.Lock()
}

// A user type with methods named Lock/Unlock that are not sync's.
type fileLock struct{ path string }

func (f *fileLock) Lock()  {}
func (f *fileLock) RLock() {}

func userLock(f *fileLock) {
	f.Lock()
	defer f.Lock()
}

// Mutex in a closure run per item: correct pair inside.
func each(mu *sync.Mutex, items []int, f func(int)) {
	for _, it := range items {
		func() {
			mu.Lock()
			defer mu.Unlock()
			f(it)
		}()
	}
}

// RWMutex used through its RLocker.
func readLocker(rw *sync.RWMutex) {
	l := rw.RLocker()
	l.Lock()
	defer l.Unlock()
}
