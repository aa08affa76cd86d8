package a

import (
	"sync"
	"time"
)

type Node struct {
	mu   sync.Mutex
	next *Node
}

// rule "variable reassigned": hand-over-hand locking moves to another
// node before it locks again.
func Walk(n *Node) {
	n.mu.Lock()
	for n.next != nil {
		next := n.next
		next.mu.Lock()
		n.mu.Unlock()
		n = next
	}
	n.mu.Unlock()
}

// rule "variable reassigned": a range variable is a new node each turn.
func LockAll(nodes []*Node) {
	for _, n := range nodes {
		n.mu.Lock()
	}
	for _, n := range nodes {
		n.mu.Unlock()
	}
}

// rule "held on every path": locked on one branch only.
func (c *Cache) Maybe(lock bool) {
	if lock {
		c.mu.Lock()
	}
	c.mu.Lock()
	c.mu.Unlock()
}

// rule "held on every path": released on one branch, then taken again.
func (c *Cache) Retry(ok bool) {
	c.mu.Lock()
	if !ok {
		c.mu.Unlock()
		time.Sleep(time.Millisecond)
		c.mu.Lock()
	}
	c.mu.Unlock()
}

// rule "callee locks on every path": get locks only on a miss.
func (c *Cache) get(k string, locked bool) int {
	if locked {
		return c.m[k]
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

func (c *Cache) Sum(ks []string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := 0
	for _, k := range ks {
		t += c.get(k, true)
	}
	return t
}

// rule "released by a callee": unlockAndWait releases the caller's lock
// and takes it back.
func (c *Cache) unlockAndWait() {
	c.mu.Unlock()
	time.Sleep(time.Millisecond)
	c.mu.Lock()
}

func (c *Cache) Poll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.m) == 0 {
		c.unlockAndWait()
	}
}

// rule "released by a callee": a helper that only unlocks.
func (c *Cache) release() { c.mu.Unlock() }

func (c *Cache) Twice() {
	c.mu.Lock()
	c.release()
	c.mu.Lock()
	c.release()
}

// rule "another goroutine unlocks": a mutex as a one-slot semaphore,
// released by the goroutine it hands the work to.
func Handoff(work func()) {
	var mu sync.Mutex
	mu.Lock()
	go func() {
		defer mu.Unlock()
		work()
	}()
	mu.Lock() // waits for the goroutine
	mu.Unlock()
}

// rule "mutex handed to a call": a function of another package may
// unlock it.
func Wait(mu *sync.Mutex, cond *sync.Cond) {
	mu.Lock()
	unlockVia(mu)
	mu.Lock()
	mu.Unlock()
}

var unlockVia = func(l sync.Locker) { l.Unlock() }

// rule "TryLock is not a wait": TryLock returns false instead of
// blocking.
func (c *Cache) Try() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mu.TryLock()
}

// Different mutexes of the same type are not the same mutex.
func Pair(a, b *Cache) {
	a.mu.Lock()
	defer a.mu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = len(b.m) == len(a.m)
}

// Locks taken in turn by a loop are released each turn.
func (c *Cache) Each(ks []string) {
	for range ks {
		c.mu.Lock()
		c.m = nil
		c.mu.Unlock()
	}
}

// A goroutine that locks does not block this one.
func (c *Cache) Async() {
	c.mu.Lock()
	defer c.mu.Unlock()
	go c.Len()
	go func() { _ = c.Len() }()
}

// A deferred call that locks runs after the deferred Unlock registered
// before it... and after this function's own Unlock here.
func (c *Cache) Later() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
	defer c.Len()
}

// sync.Cond.Wait gives the lock back before it returns.
func (c *Cache) Cond(cond *sync.Cond) {
	cond.L.Lock()
	for len(c.m) == 0 {
		cond.Wait()
	}
	cond.L.Unlock()
}

// Recursion is not followed into.
func (c *Cache) Rec(n int) {
	if n == 0 {
		return
	}
	c.mu.Lock()
	c.mu.Unlock()
	c.Rec(n - 1)
}

// rule "another goroutine unlocks": the server calls the Unlock it was
// handed once it has started; the second Lock waits for that.
type srv struct{ started func() }

func StartAndWait(s *srv, run func()) {
	var wait sync.Mutex
	wait.Lock()
	s.started = wait.Unlock
	go run()
	wait.Lock()
	wait.Unlock()
}

// unlockOnce makes an unlock that may be called more than once.
func unlockOnce(l sync.Locker) func() {
	var once sync.Once
	return func() { once.Do(l.Unlock) }
}

type Server struct {
	lock    sync.RWMutex
	started bool
}

func (s *Server) serve() {
	s.lock.RLock()
	defer s.lock.RUnlock()
	_ = s.started
}

// rule "mutex handed to a call": unlockOnce returns the function that
// releases s.lock; it is called before serve takes the read lock.
func (s *Server) ListenAndServe() {
	s.lock.Lock()
	unlock := unlockOnce(&s.lock)
	defer unlock()
	s.started = true
	unlock()
	s.serve()
}

// rule "mutex handed to a call": the function is made before the Lock
// and releases it where it is called.
func (s *Server) ActivateAndServe() {
	unlock := unlockOnce(&s.lock)
	s.lock.Lock()
	defer unlock()
	s.started = true
	unlock()
	s.serve()
}
