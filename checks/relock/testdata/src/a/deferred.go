package a

import "sync"

type registry struct {
	mu       sync.Mutex
	watchers []func()
	items    map[string]int
}

// notify locks the registry to copy its watchers.
func (r *registry) notify() {
	r.mu.Lock()
	ws := r.watchers
	r.mu.Unlock()
	for _, w := range ws {
		w()
	}
}

// Put's deferred notify runs before the deferred Unlock written above
// it: it waits for the lock Put still holds.
func (r *registry) Put(k string, v int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer r.notify() // want `deferred r.notify\(\) locks r.mu \(deferred.go:13\) when Put returns, and r.mu is still held then \(since line 24\)`
	r.items[k] = v
}

// A deferred closure that locks is a deferred call like any other.
func (r *registry) Delete(k string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer func() { // want `the deferred function literal locks r.mu`
		r.mu.Lock()
		r.watchers = nil
		r.mu.Unlock()
	}()
	delete(r.items, k)
}

// The deferred Unlock written after notify runs before it; a notify
// deferred before the Lock runs after the deferred Unlock; an explicit
// Unlock before every return leaves nothing held.
func (r *registry) Set(k string, v int) {
	r.mu.Lock()
	defer r.notify()
	defer r.mu.Unlock()
	r.items[k] = v
}

func (r *registry) Add(k string) {
	defer r.notify()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items[k]++
}

func (r *registry) Reset() {
	r.mu.Lock()
	defer r.notify()
	r.items = map[string]int{}
	r.mu.Unlock()
}

// In a loop, the lock taken and released by each iteration is not held
// on every path out (the loop may not run), and a lock held on one path
// only is not held on every path; a lock held around the loop is.
func (r *registry) PutAll(kv map[string]int) {
	for k, v := range kv {
		r.mu.Lock()
		defer r.mu.Unlock()
		defer r.notify()
		r.items[k] = v
	}
}

func (r *registry) Maybe(k string, lock bool) {
	if lock {
		r.mu.Lock()
		defer r.mu.Unlock()
	}
	defer r.notify()
	r.items[k] = 0
}

func (r *registry) PutEach(keys []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range keys {
		r.items[k] = 1
		defer r.notify() // want `deferred r.notify\(\) locks r.mu`
	}
}
