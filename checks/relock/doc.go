// Package relock defines an Analyzer that reports a mutex locked again
// by the goroutine that already holds it.
//
// # Analyzer relock
//
// relock: a mutex locked again in the function that holds it (opt-in: through a call)
//
// Go's mutexes are not reentrant. A goroutine that calls Lock on a mutex
// it already holds waits for itself forever, and so does every later
// caller of anything that takes the same mutex: the service stops
// answering one endpoint at a time, with no error and no panic. The
// second Lock is rarely written twice in one place; it hides in a call
// to a helper of the same package that takes the lock itself:
//
//	func (c *Cache) Refresh() {
//		c.mu.Lock()
//		defer c.mu.Unlock()
//		if c.Len() == 0 { // Len locks c.mu too: Refresh never returns
//			...
//
// The check follows each function's control flow and reports a Lock,
// or a call of the package's own function, method or closure that takes
// the lock (directly or through its own callees), at a point where the
// same mutex — the same variable and the same fields — is held on every
// path. A fmt or log print call counts as a call of the String or Error
// method it runs on an operand (log.Printf("closed %v", c) under c.mu,
// where String locks c.mu): with a format, only for the operands of %v,
// %s, %q, %x and %X, paired with a constant format; not for a type with
// a Format method, which fmt calls instead, nor for a value receiver. A
// deferred call that takes the lock is reported when the lock is held
// on every path at the defer statement and on every path by which the
// function returns, and no call deferred after it releases the lock:
// deferred calls run last in, first out, so in
//
//	c.mu.Lock()
//	defer c.mu.Unlock()
//	defer c.notify() // notify locks c.mu
//
// notify runs first, while c.mu is still held. A read lock taken again while this goroutine holds a read lock
// is the opt-in form relock.read: sync.RWMutex forbids recursive read
// locking, because a writer that queues between the two makes the
// second RLock wait for the writer and the writer wait for the first
// RLock. That deadlock appears only under write load, long after the
// code shipped, and only when a writer can run on another goroutine.
//
// The fix is to release the lock before the call, or to split the
// helper into a locking wrapper and a variant that expects the lock held
// (by convention named with a Locked suffix), and call the variant.
//
// # What it leaves alone, and why
//
// The check reports only what follows from the code on every path; each
// of these rules covers a family of correct code:
//
//   - rule "held on every path": a mutex held on one branch only (taken
//     under a condition, or released on one branch) is not held at the
//     join; so a conditional Lock followed by an unconditional one is not
//     reported, only a second Lock that every path reaches locked.
//   - rule "callee locks on every path": a callee counts as taking the
//     lock only when it takes it on every path by which it returns; a
//     helper that locks only when asked to (a flag, a cache miss) is not
//     a certain relock.
//   - rule "released by a callee": a call of the package's function that
//     unlocks a mutex it did not lock (an unlockAndNotify helper, a
//     cond-like wait) releases it for the caller; sync.Cond.Wait keeps
//     the lock as it found it.
//   - rule "another goroutine unlocks": a mutex that a goroutine started
//     here, or a function literal handed to a callback, unlocks is
//     forgotten, and so is one whose Unlock is taken as a method value
//     (a started-callback set to mu.Unlock): a mutex may be unlocked by
//     another goroutine, and a mutex used as a one-slot semaphore is
//     locked twice on purpose.
//   - rule "variable reassigned": assigning the variable or a field on
//     the way to the mutex (n = n.next in hand-over-hand locking, a
//     range variable) makes it a different mutex.
//   - rule "mutex handed to a call": a call the check cannot see into
//     (another package, an interface method, a function value) that is
//     given the mutex itself may unlock it, so the mutex is forgotten;
//     so is a mutex given to any call that returns a function (unlock :=
//     unlockOnce(&mu)), since the function it makes may unlock it
//     wherever it is called.
//   - rule "TryLock is not a wait": TryLock and TryRLock return false
//     instead of blocking and are never reported.
//   - rule "a Locker may be anything": a Lock through the sync.Locker
//     interface may reach a reentrant or shared lock; only sync.Mutex
//     and sync.RWMutex (also embedded) are known not to be reentrant.
//   - rule "test bodies": a Test, Benchmark or Fuzz function, or a
//     function or closure that takes a *testing.T, runs for one test: a
//     relock there hangs that test only. The package's own methods and
//     helpers that tests call are still checked.
//   - rule "a second read lock needs a writer": a read lock taken again
//     while this goroutine holds one deadlocks only when a writer on
//     another goroutine queues between the two, and whether one can is
//     beyond what the check sees: on the real-code ledger (session 11)
//     30 of 41 such findings were real, the others in code whose
//     writers run on the reader's own goroutine (a UI or event loop),
//     before the value is shared, under an outer lock, or only at the
//     end of the object's life. The opt-in form relock.read reports
//     them; a Lock, or an RLock under a Lock, and a Lock under an
//     RLock, need no other goroutine and are always reported.
//   - rule "a relock through a call is opt-in": a lock taken again by
//     a call (a helper of the package that locks, a deferred call, a
//     print whose String method locks) is the opt-in form relock.calls.
//     The deadlock is as certain, but where it sits is not: on the
//     real-code ledger (sessions 8 to 14) 5 of its 10 findings outside
//     read locks were in methods nothing calls or on a branch no
//     constructor allows, which a check that reads one package at a
//     time cannot see, while both Locks written twice in one function
//     were real deadlocks. The default form reports those: the second
//     Lock in the function that holds the lock. A second read lock is
//     the form relock.read's, whether taken directly or by a call.
//   - rule "one deadlock, one report": a Lock taken while the lock is
//     held since a relock already reported (Lock; Lock; Lock) is not
//     reported again: the goroutine waits forever at the first relock,
//     and nothing after it runs.
//   - rule "test code is opt-in": a relock in code that only tests run
//     (a _test.go file, a package of test support such as testutil or
//     e2e, a file that holds a *testing.T) hangs a test, and go test's
//     -timeout then fails it and prints every goroutine: loud, not the
//     silent failure of a service. The opt-in form relock.tests
//     reports it. On the real-code ledger (session 10) all 5 relocks
//     in test code were harmless or wrong (assertions after a cluster
//     settled, a reference-counted read locker), none of 27 real ones
//     was in test code.
//
// Calls the check cannot see into are otherwise assumed not to lock:
// the check misses a relock through another package, never reports one
// that is not there.
package relock
