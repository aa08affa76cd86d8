// Package chanleak defines an Analyzer that reports goroutines left
// blocked forever on a channel that the function owning it stops
// serving.
//
// # Analyzer chanleak
//
// chanleak: a goroutine blocked forever on a channel its owner stops serving
//
// A goroutine blocked on a channel operation that can never complete is
// never collected: its stack and everything it references stay in
// memory for the life of the process. The common shapes are in request
// handlers, so one goroutine leaks per request, and the service slowly
// grows until it is restarted:
//
//   - a goroutine sends its result on an unbuffered channel while the
//     function that made the channel waits in a select beside ctx.Done()
//     or time.After: when the timeout wins, nobody will ever receive, and
//     the sender blocks forever; the same after an early error return
//     between the go statement and the receive;
//   - N goroutines started in a loop send on one channel with a buffer
//     smaller than N, and the receiving loop returns at the first error
//     (or receives only the first answer): the remaining senders block
//     forever;
//   - a goroutine ranges over a channel made in the function that nothing
//     closes: the loop never ends and the goroutine never exits.
//
// The check follows a channel made with make in a function: its uses in
// that function, in function literals, and in functions of the same
// package it is passed to. It reports a goroutine started by a go
// statement of that function whose send is not in a select with a way
// out, when the control-flow graph has a path from the go statement to a
// return that does not receive (shape 1, or shape 2 when the go
// statement is in a loop), or when, for goroutines started in a loop, a
// receive is not repeated or its loop can be left by a return or break
// before its end. It also reports a goroutine ranging over such a
// channel when nothing closes it and the function can return (shape 3).
// The suggested fix gives the channel a buffer: one slot per go
// statement, or the number of loop iterations when it is a constant or
// len(xs) of the ranged slice, valid where the channel is made.
//
// It stays silent when the channel is buffered for every sender (or its
// buffer is a computed expression), when the goroutine's send is inside
// a select with ctx.Done(), a timer, another receive or a default case,
// when every path from the go statement to a return receives (a
// receive in a same-package helper the channel is passed to counts), when
// the select case that returns receives from another channel the same
// goroutine sends on or closes (it reports through one or the other: an
// error channel and a done channel), when a function literal other
// than the owner's own code (a deferred closure, another goroutine, a
// callback) receives from the channel, when the goroutine sends in a
// loop or can send twice in one run (a producer, another shape; sends
// on exclusive paths, an early error send and a final result send,
// count as one), when several goroutines share a
// buffered channel (which one blocks depends on timing), when the go
// statement and a receive sit under if statements with the same
// condition, for a channel declared first and made later on one path
// (var ch chan T; if ... { ch = make(chan T) }), for a channel that is
// closed anywhere (shape 3), in main and init, and when the owner never
// returns. Paths that end in panic, os.Exit, log.Fatal or t.Fatal are
// not returns. A channel that escapes is left alone: returned,
// stored in a variable, a field, a slice or a map, sent on a channel,
// or passed to a function of another package or to a function value:
// someone else may receive or close it.
//
// A finding is placed on the send (or the range) when it is in the go
// statement's function literal, where a goroutine dump shows the leaked
// goroutines blocked; on the go statement when the goroutine runs a
// named function.
//
// It cannot see channels created elsewhere (struct fields, parameters,
// package variables), receives in other functions than the owner and
// the same-package functions it passes the channel to, goroutines
// started through errgroup, time.AfterFunc or other callbacks, nor the
// real number of senders when a loop's count is not known: a buffer of
// constant size under a loop over a slice of unknown length is trusted.
// It does not follow correlated conditions beyond identical if
// conditions: a receive skipped on a path where the goroutine was not
// started can still be reported.
//
// Bad:
//
//	func (s *Server) Lookup(ctx context.Context, id string) (Item, error) {
//		ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
//		defer cancel()
//		ch := make(chan Item)
//		go func() { ch <- s.inventory.Get(id) }()
//		select {
//		case it := <-ch:
//			return it, nil
//		case <-ctx.Done():
//			return Item{}, ctx.Err() // the goroutine blocks forever on ch <- ...
//		}
//	}
//
// Good:
//
//	func (s *Server) Lookup(ctx context.Context, id string) (Item, error) {
//		ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
//		defer cancel()
//		ch := make(chan Item, 1) // the send always completes
//		go func() { ch <- s.inventory.Get(id) }()
//		select {
//		case it := <-ch:
//			return it, nil
//		case <-ctx.Done():
//			return Item{}, ctx.Err()
//		}
//	}
package chanleak
