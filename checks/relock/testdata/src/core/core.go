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

// Reported in every form: Has read-locks the mutex Rename holds for
// writing, and waits for itself.
func (r *Registry) Rename(from, to string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Has(from) { // want `r.Has\(\) read-locks r.mu \(core.go:11\), which Rename already holds since line 38`
		delete(r.names, from)
		r.names[to] = true
	}
}

// Reported in every form: Add locks the mutex AddIfAbsent holds for
// reading.
func (r *Registry) AddIfAbsent(n string) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if !r.names[n] {
		r.Add(n) // want `r.Add\(\) locks r.mu \(core.go:17\), which AddIfAbsent already holds since line 49`
	}
}
