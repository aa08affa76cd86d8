// Package lonechan defines an Analyzer that reports a send or receive on
// an unbuffered channel that no other goroutine can reach yet.
//
// # Analyzer lonechan
//
// lonechan: a send or receive on an unbuffered channel nothing else holds yet
//
// An unbuffered channel completes a send only when another goroutine
// receives. A channel made in the function and not yet handed to anyone
// — no goroutine started with it, no call given it, not stored, not
// returned — has nobody on the other side:
//
//	func (c *Container) Wait() <-chan error {
//		errC := make(chan error)
//		if err := c.check(); err != nil {
//			errC <- err // blocks forever: the caller gets errC only after this
//			return errC
//		}
//		go c.wait(errC)
//		return errC
//	}
//
// The goroutine hangs on the send with no error and no panic; when the
// function serves requests, one goroutine leaks per failed request. The
// same holds for a receive or a range over such a channel: no one can
// send on it or close it.
//
// The check follows every path from the make of an unbuffered channel
// held in a local variable and reports a send, receive or range on it
// that no path reaches after the channel may have left the function's
// goroutine (rule "alone on every path": a loop the graph may skip, an
// early branch, cannot make a channel handed over on one path look
// alone on another). The suggested fix, offered for a send, gives the channel a
// buffer of one, which lets the send complete and keeps the value for
// whoever receives it later.
//
// A channel kept in a struct field has nobody on the other side either
// when nothing in the package sends on it or closes it:
//
//	func (s *Stopper) ShouldQuiesce() <-chan struct{} { return s.quiescer }
//	...
//	<-store.Stopper().ShouldQuiesce() // quiescer is made, never closed
//
// The check reports a receive or range, outside a select, on a channel
// field of the package's structs (directly, or through a method that
// returns it as a receive-only channel) when no send or close of that
// field exists in the package and the field is never given to anyone
// who could send or close it.
//
// The same holds for a channel made in the function that is only ever
// received from (rule "nobody can serve it"): in the function, its
// function literals, and the package's functions it is given to, which
// themselves only receive from it. A goroutine handed a done channel
// that it never closes leaves the receive waiting forever, buffered or
// not.
//
// # What it leaves alone, and why
//
//   - rule "handed over first": any use of the channel other than a
//     send, a receive, len, cap or a comparison with nil — a go
//     statement or function literal that mentions it, a call it is
//     passed to, an assignment, a return, a composite literal — may give
//     it to another goroutine, and ends the path.
//   - rule "closed first": after close, a receive completes at once (and
//     a send panics, which is not this check's business); the path ends.
//   - rule "buffered or unknown size": a channel made with a buffer, or
//     with a size that is not the constant zero, is left alone.
//   - rule "select has other ways": an operation inside a select is not
//     followed: another case or a default can run instead.
//   - rule "receive-only accessor": a method that returns the field (or
//     nil) as a <-chan hands out nothing anyone can send on or close;
//     receives from its result count as receives from the field.
//   - rule "handed out" also holds for fields: an exported field, or
//     one assigned anything but make(...) or nil, passed to a call as a
//     channel it may send on, stored elsewhere, or returned as a
//     two-way channel, may be served where the check cannot see.
//   - rule "blocking on purpose": a channel made only to be received
//     from once, in a statement of its own that drops the value (wait :=
//     make(chan int); <-wait), is the block-forever idiom, written like
//     select {}; it is left alone.
//   - rule "set out of sight": a channel field the package never makes
//     is set where the check cannot see (a hook that only tests fill in,
//     a file of another build); receives from it are left alone.
//   - rule "address taken": a channel variable whose address is taken
//     can be reached through the pointer, and is left alone.
package lonechan
