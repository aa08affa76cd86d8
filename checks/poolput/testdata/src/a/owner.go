package a

import (
	"log"
	"sync"
)

type workerPool struct {
	cache   sync.Pool
	running int
	onPanic func(any)
}

type worker struct {
	pool     *workerPool
	task     chan func()
	lastUsed int64
	Name     string
	spare    [4]int
}

func newWorkerPool() *workerPool {
	p := &workerPool{}
	p.cache.New = func() any { return &worker{pool: p, task: make(chan func(), 1)} }
	return p
}

// Rule "a field set only at construction": w.pool is set by the
// composite literal in the pool's New and never assigned afterwards, so
// whoever gets w next holds the same owner: reading it after the Put
// reads no one else's data.
func (w *worker) okExit() {
	w.pool.cache.Put(w)
	if h := w.pool.onPanic; h != nil {
		h(nil)
	}
	w.pool.running--
}

func (w *worker) touch(now int64) { w.lastUsed = now }

// Reported: lastUsed is assigned by touch, so the next user of w may be
// writing it.
func (w *worker) exitLogged() {
	w.pool.cache.Put(w)
	log.Println(w.lastUsed) // want `w is used after w.pool.cache.Put\(w\)`
}

// Reported: an exported field may be written by another package.
func (w *worker) exitNamed() {
	w.pool.cache.Put(w)
	log.Println(w.Name) // want `w is used after w.pool.cache.Put\(w\)`
}

func fill(a *[4]int) { a[0] = 1 }

// Reported: spare's address is lent to fill, which writes it.
func (w *worker) exitSpare() {
	fill(&w.spare)
	w.pool.cache.Put(w)
	log.Println(w.spare[0]) // want `w is used after w.pool.cache.Put\(w\)`
}

type genericWorker[T any] struct {
	pool  *workerPool
	owner map[string]T
	item  T
}

func (w *genericWorker[T]) rehome(m map[string]T) { w.owner = m }

// Reported: owner is assigned by rehome, in the generic type's own
// code, so the next user of w may be writing it.
func exitGeneric(p *workerPool, w *genericWorker[int]) {
	p.cache.Put(w)
	log.Println(w.owner) // want `w is used after p.cache.Put\(w\)`
}

// Rule "a field set only at construction", on a generic type: pool is
// never assigned after the literal.
func okExitGeneric(p *workerPool, w *genericWorker[int]) {
	p.cache.Put(w)
	log.Println(w.pool.running)
}

func newGenericWorker(p *workerPool) *genericWorker[int] {
	return &genericWorker[int]{pool: p, owner: map[string]int{}}
}
