// Package deferloop defines an Analyzer that reports defer statements in
// loop bodies whose deferred calls pile up until the function returns.
//
// # Analyzer deferloop
//
// deferloop: a defer in a loop body that runs only when the function returns, once per iteration
//
// A deferred call runs when the function returns, not when the loop
// iteration ends. A defer in a loop body therefore keeps every
// iteration's resource alive until the whole loop is done: one open file,
// one *sql.Rows holding a pooled connection, one unread response body
// holding a keep-alive connection per iteration. With a short test input
// nothing shows; in production the loop runs over ten thousand items and
// the process hits its file-descriptor limit, or every pooled database
// connection is held by one request while the others wait. The worst
// case is a lock:
//
//	for _, k := range keys {
//		mu.Lock()
//		defer mu.Unlock()
//		...
//	}
//
// The second iteration blocks forever on mu.Lock(), and every other
// goroutine that needs mu blocks behind it.
//
// The check reports a defer that is directly in a loop body (not in a
// function literal called there) when the control-flow graph shows that
// another iteration can follow it: some path from the defer reaches the
// loop's next iteration without a return, a panic, a call that never
// returns (os.Exit, log.Fatal...) or a break out of the loop. A defer
// in an inner loop that breaks out of the inner loop but not the outer
// one is reported against the outer loop. It stays silent when every
// path after the defer returns or leaves the loop (a retry loop that
// defers on success and returns), when the loop provably runs once
// (`for range 1`), when the defer is guarded by a condition that its
// branch makes false (`if f == nil { f = open(); defer f.Close() }`,
// `if i == 0`), when the deferred call releases nothing the loop
// acquired (closing each element of an existing slice, locking every
// shard or a chain of parents, directly or through a method that
// returns the unlock: `unlock := g.LockAll(); defer unlock()`), and when the released value is kept
// past the iteration (appended to a slice, stored outside the loop,
// wrapped by a constructor whose result is stored, handed to a
// goroutine): then holding it until the function returns is the point.
// A deferred call of a returned function (defer openNode(n)()) is left
// alone when the check can see that function and what it returns
// releases nothing (it prints a closing bracket): the pile of deferred
// calls is then how the output nests. A defer that is only a safety
// net also stays silent: every path to the next iteration releases
// explicitly (f.Close(), tx.Commit(), cancel()), so nothing but no-op
// calls piles up. So does a cleanup on failure: a deferred function
// literal that does its work only when an error declared outside the
// loop (the function's named error result) is not nil, in a function
// that hands what the loop opened to its caller when it succeeds. So
// does a loop that gathers values from a channel (servers that
// goroutines started) and does nothing with them but defer their
// release: keeping them until the function returns is the point. A
// deferred call that releases nothing the check knows of (its name is
// not one of Close, Unlock, Stop, End, Release, Remove, Cleanup, Put,
// Cancel, Done... and a deferred literal calls none of them: applying a
// setting, logging) also stays silent, and so does sync.WaitGroup's
// Done, which tells a waiter that the function is over. A
// lock released both explicitly and by the defer is reported: the
// deferred unlocks crash the process when the function returns. Test
// files are checked for locks only: tests defer
// their cleanups in loops on purpose.
//
// The default form reports locks only: a deferred Unlock or RUnlock in a
// loop deadlocks or crashes, whatever the loop's length. Every other
// pile-up (files, bodies, rows, contexts, other releases) is the opt-in
// form deferloop.pileup (rule "pile-ups are opt-in"; -enable
// default,deferloop.pileup, go vet -deferloop.pileup): on real services
// most such loops were short, bounded, or handed the values on, and only
// 16 of its 219 findings on the real-code ledger were real bugs. Its findings carry the category
// "pileup" in -json output.
//
// Five rules cover families of correct code found on real services:
//
//   - rule "rows read to the end": defer rows.Close() on a *sql.Rows when every
//     path to the next iteration runs `for rows.Next() { … }` to its end
//     (no break, labeled continue or goto out of it): database/sql closes
//     the rows, and frees their connection, when Next returns false.
//   - rule "deadline on a root context": defer cancel() of context.WithTimeout or
//     WithDeadline on context.Background() or TODO(): no parent holds the
//     context, and its timer cancels it at the deadline, so at most a
//     timeout's worth of contexts is alive at once. A context with a
//     cancelable parent, or without a deadline, is still reported.
//   - rule "AfterFunc stays armed": defer stop() of a context.AfterFunc
//     registered in the loop: the callbacks must stay armed while the
//     function goes on (they wake the wait after the loop), and wrapping
//     the body in a function, the usual fix, would disarm them.
//   - rule "one element's branch": a defer under `if kind == "cpu"` in a
//     range over a list of constants in which "cpu" appears once (a
//     slice or array literal, in the range statement or in a local
//     variable set once and only ranged over or measured) runs on one
//     iteration only (kubevirt's profiler locks for its "cpu" dump). A
//     constant listed twice, a list that append or an index assignment
//     may change, or one that comes from elsewhere is still reported.
//   - rule "releases an existing element": a deferred function literal's own
//     parameters are not acquired by the iteration; what it releases is
//     judged by the arguments it is given (defer func(c net.Conn) {
//     c.Close() }(c) over an existing slice of connections is deliberate).
//
// Bad:
//
//	func ProcessAll(names []string) error {
//		for _, name := range names {
//			f, err := os.Open(name)
//			if err != nil {
//				return err
//			}
//			defer f.Close()
//			process(f)
//		}
//		return nil
//	}
//
// Good:
//
//	func ProcessAll(names []string) error {
//		for _, name := range names {
//			if err := processFile(name); err != nil {
//				return err
//			}
//		}
//		return nil
//	}
//
//	func processFile(name string) error {
//		f, err := os.Open(name)
//		if err != nil {
//			return err
//		}
//		defer f.Close()
//		process(f)
//		return nil
//	}
//
// When the loop body has no return, break, continue or goto that would
// leave it, no recover, and no deferred call touching the function's
// named results, the suggested fix wraps the body in func() { ... }(),
// so that its defers run at the end of each iteration.
package deferloop
