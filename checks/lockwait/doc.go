// Package lockwait defines an Analyzer that reports a goroutine waiting,
// with a mutex held, for another goroutine that must take that mutex
// before it can answer.
//
// # Analyzer lockwait
//
// lockwait: waiting on a channel or WaitGroup while holding the lock the other side needs
//
// Holding a mutex while waiting is safe only when whoever ends the wait
// never needs that mutex. When every goroutine that could send, close or
// call Done first takes the lock the waiter holds, the two wait for each
// other forever as soon as the other side has not got past its Lock:
//
//	func (w *watcher) stop() {
//		w.mu.Lock()
//		defer w.mu.Unlock()
//		close(w.stopc)
//		<-w.donec // run must take w.mu before it closes donec
//	}
//
//	func (w *watcher) run() {
//		defer close(w.donec)
//		for range w.updates {
//			w.mu.Lock()
//			...
//
// Nothing fails: the stopping goroutine and the worker hang, and every
// later caller queues behind the mutex.
//
// The check looks at a receive, a range, a send or a WaitGroup.Wait that
// is not in a select, reached with a mutex held on every path, on an
// unbuffered channel made in the package or a WaitGroup. It finds
// every operation in the package that could end that wait — the sends
// and closes for a receive, the receives for a send, the Done calls for
// a Wait — on the same channel or WaitGroup: the same unexported field
// of the same struct as the mutex, or a local variable shared with the
// function's goroutines. It reports when there is at least one, none is
// in the waiting function itself, and each comes after a Lock of the
// same mutex on some path of its own function. The fix is to release
// the mutex before waiting (copy what the wait needs first), or to let
// the other side answer without the lock.
//
// # What it leaves alone, and why
//
//   - rule "one side needs no lock": if any operation that could end the
//     wait is reached without taking the mutex, the wait can end.
//   - rule "channel handed out": a channel or WaitGroup that is passed to
//     a call, copied, returned, stored elsewhere, or an exported field,
//     may be served by code the check cannot see.
//   - rule "buffer may have room": a channel made with a buffer, or one
//     whose make the check does not see in the package (it comes from
//     elsewhere), may take a send without a receiver.
//   - rule "added under the lock": when a WaitGroup's Add runs with the
//     mutex held, every goroutine the Wait counts was past its Lock when
//     it was added.
//   - rule "select has other ways": a wait inside a select can end
//     through another case or a default.
//   - rule "readers share": a read lock held while the other side takes
//     a read lock of the same RWMutex does not block it.
//   - rule "taken before the waiter started": when the waiter is a
//     goroutine whose go statement comes after the other side's Lock,
//     the other side may be past its Lock already.
//   - rule "same goroutine": operations in the waiting function itself
//     cannot end its own wait; when they are the only ones, the check
//     stays quiet rather than guess.
package lockwait
