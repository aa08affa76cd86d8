// Package lockorder defines an Analyzer that reports two mutexes taken
// in opposite orders by two functions of a package.
//
// # Analyzer lockorder
//
// lockorder: two mutexes taken in one order here and in the other order elsewhere
//
// When one goroutine holds A and waits for B while another holds B and
// waits for A, both wait forever, and so does everything that needs
// either lock afterwards. Each function alone looks right; the deadlock
// is in the pair, often through a helper that takes the second lock:
//
//	func (c *Cache) Release(l *Lease) {
//		l.mu.Lock() // lease, then cache (through c.remove)
//		defer l.mu.Unlock()
//		c.remove(l.name)
//	}
//
//	func (c *Cache) Acquire(name string) *Lease {
//		c.mu.Lock() // cache, then lease
//		defer c.mu.Unlock()
//		l := c.byName[name]
//		l.mu.Lock()
//		...
//
// The check follows each function's control flow and records, for each
// lock it takes (itself, or through the package's own functions and
// closures on some path of theirs), the locks it holds there on every
// path. Locks are told apart by where they live: the struct type and
// field that hold a mutex (Lease.mu, Cache.mu), or the package-level
// variable. It reports a pair taken in both orders, at the second order
// it meets, naming the function that takes them the other way. The fix
// is one order everywhere, or releasing the first lock before taking
// the second.
//
// # What it leaves alone, and why
//
//   - rule "one type, one order": two mutexes of the same struct type
//     and field (two nodes of a list, a parent and a child) are usually
//     ordered by something the check cannot see (an ID, the tree); only
//     pairs of different fields or types are compared.
//   - rule "locals have no order": a mutex held in a local variable is
//     not comparable across functions.
//   - rule "readers share": two read locks do not block each other, so
//     an order made of read locks only on one side is not a deadlock.
//   - rule "test bodies": orders taken in a test's own body.
package lockorder
