package core

import "sync"

type Registry struct {
	mu    sync.RWMutex
	names map[string]bool
}

func (r *Registry) Has(n string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.names[n]
}

func (r *Registry) Add(n string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.names[n] = true
}

// rule "a second read lock needs a writer": reported by relock.read
// only.
func (r *Registry) HasAll(ns []string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, n := range ns {
		if !r.Has(n) {
			return false
		}
	}
	return true
}

// rule "a relock through a call is opt-in": Has read-locks the mutex
// Rename holds for writing, reported by relock.calls only.
func (r *Registry) Rename(from, to string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Has(from) {
		delete(r.names, from)
		r.names[to] = true
	}
}

// rule "a relock through a call is opt-in": Add locks the mutex
// AddIfAbsent holds for reading, reported by relock.calls only.
func (r *Registry) AddIfAbsent(n string) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if !r.names[n] {
		r.Add(n)
	}
}

// Reported in every form: the branch that finds the name missing
// locks again without releasing the read lock first.
func (r *Registry) Ensure(n string) {
	r.mu.RLock()
	if r.names[n] {
		r.mu.RUnlock()
		return
	}
	r.mu.Lock() // want `r.mu.Lock\(\) waits forever: Ensure already holds r.mu since line 59`
	r.names[n] = true
	r.mu.Unlock()
	r.mu.RUnlock()
}

// Reported in every form: a second Lock on a path that forgot to unlock.
func (r *Registry) Drop(n string, all bool) {
	r.mu.Lock()
	if all {
		r.names = map[string]bool{}
	}
	r.mu.Lock() // want `r.mu.Lock\(\) waits forever: Drop already holds r.mu since line 72`
	delete(r.names, n)
	r.mu.Unlock()
}
