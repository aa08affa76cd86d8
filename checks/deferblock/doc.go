// Package deferblock defines an Analyzer that reports deferred calls
// that sleep or block while the function's caller, or an HTTP client,
// waits for the return.
//
// # Analyzer deferblock
//
// deferblock: a deferred call that sleeps or blocks on the request path
//
// A deferred call runs before the function returns, so whatever it waits
// for is added to the function's latency. In an HTTP handler the response
// is not complete until ServeHTTP returns: a deferred time.Sleep is paid
// by every client, and a deferred channel send that nobody receives keeps
// the handler goroutine, its request and everything it references alive
// forever. Nothing fails; the service just slows down and grows.
//
// The check looks at the deferred call, at the body of a deferred
// function literal, and at the same-package functions they call, two
// levels deep. It reports:
//
//   - time.Sleep and a receive from time.After or a timer's channel;
//   - a channel send or receive, or a range over a channel, outside a
//     select that has a way out (a default case, or another case that
//     receives, such as ctx.Done() or a timeout);
//   - a receive from ctx.Done(), which the caller usually cancels only
//     after the return;
//   - sync.WaitGroup.Wait and errgroup.Group.Wait on a group the
//     function did not add goroutines to, and sync.Cond.Wait.
//
// These are reported on the request path: HTTP handlers (a
// ResponseWriter and a *http.Request among the parameters, whether a
// declared function, a ServeHTTP method or a function literal returned
// by a middleware) and functions that receive a context.Context or a
// *http.Request. A function literal called on the spot counts as the
// function that calls it. Two kinds of functions with a context are left
// out, because their deferred calls run at shutdown and their callers
// expect them to wait: workers that loop until their context is done (a
// Run(ctx) method), and teardown methods (Shutdown, Close, Stop, Wait,
// Drain...). In other functions only what blocks whatever the rest of
// the program does is reported: a time.Sleep written in the deferred
// call, and a send on (or receive from) an unbuffered channel made in
// the function that nothing else uses. Tests, main and init are not
// checked.
//
// Bad:
//
//	func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
//		defer time.Sleep(100 * time.Millisecond) // let the metrics flush
//		defer func() { s.events <- event{path: r.URL.Path} }()
//		s.mux.ServeHTTP(w, r)
//	}
//
// Good:
//
//	func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
//		defer func() {
//			select {
//			case s.events <- event{path: r.URL.Path}:
//			case <-r.Context().Done():
//			}
//		}()
//		s.mux.ServeHTTP(w, r)
//	}
//
// Not reported: close(ch); a pause between the attempts of a bounded
// retry loop (one with a condition, that a return or break ends when an
// attempt succeeds); a send on a buffered channel the function made, or
// on a struct field that is always made buffered, directly or through a
// local variable (a semaphore's tokens, a queue with room); a receive
// that gives back a token the function took from the same channel, or
// the reverse; waiting for goroutines the function started itself: a
// local WaitGroup or errgroup, one it called Add or Go on, a channel its
// own goroutine uses, a value it made (a work queue, a preloader) or a
// helper's own WaitGroup; sync.Cond.Wait in a loop over its condition; a
// receive from the Done() of a context the function derived with a
// cancel.
package deferblock
