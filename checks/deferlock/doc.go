// Package deferlock defines an Analyzer that reports deferred calls that
// lock instead of unlocking, or unlock the wrong kind of lock.
//
// # Analyzer deferlock
//
// deferlock: a deferred Lock or a mismatched deferred Unlock right after locking
//
// A typo in the deferred half of the lock idiom compiles and passes every
// test that calls the function once:
//
//	mu.Lock()
//	defer mu.Lock() // should be Unlock
//
// At run time the function never returns: the deferred Lock waits for
// the mutex it already holds, forever, and every later caller queues up
// behind it. Pairing Lock with a deferred RUnlock, or RLock with a
// deferred Unlock, is a fatal error ("sync: RUnlock of unlocked
// RWMutex", or "sync: Unlock of unlocked RWMutex") that takes the whole
// process down the first time the path runs.
//
// The check looks at a defer statement that directly follows a Lock or
// RLock of the same mutex (sync.Mutex, sync.RWMutex, sync.Locker, and
// types that embed them) and reports a deferred Lock, RLock, or an
// unlock that does not match the lock just taken.
//
// Bad:
//
//	func (c *Cache) Get(k string) (V, bool) {
//		c.mu.RLock()
//		defer c.mu.Unlock()
//		v, ok := c.m[k]
//		return v, ok
//	}
//
// Good:
//
//	func (c *Cache) Get(k string) (V, bool) {
//		c.mu.RLock()
//		defer c.mu.RUnlock()
//		v, ok := c.m[k]
//		return v, ok
//	}
//
// The suggested fix replaces the deferred method with the one that
// matches the lock. A deferred Lock after an Unlock (release the lock
// for a while and take it back before returning) is correct and is not
// reported.
package deferlock
