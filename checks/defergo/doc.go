// Package defergo defines an Analyzer that reports goroutines started by
// deferred calls that nothing waits for.
//
// # Analyzer defergo
//
// defergo: a deferred call starts a goroutine that nothing waits for
//
// A goroutine started from a deferred call is the last thing the
// function does, and nothing owns it: it outlives the request that
// started it, its error has nowhere to go, shutdown does not wait for it,
// and under load one more piles up per call. Tests rarely notice, since
// the goroutine usually finishes before the test binary exits.
//
// The check looks for go statements in a deferred function literal, in
// the same-package function a defer statement calls, and one level into
// the same-package functions the deferred literal calls. A goroutine is
// left alone when something tracks it: it calls Done on a WaitGroup (its
// owner can Wait), a WaitGroup's Add comes before the go statement, it
// sends its result on (or closes) a channel that the package receives
// from, or it watches a stop signal (a receive from a context's Done(),
// or a select case on a chan struct{} such as done or quit), so that
// its owner can end it. WaitGroup.Go and errgroup's Go are not go statements and are not
// reported.
//
// Every untracked goroutine is reported on the request path: HTTP
// handlers and functions that receive a context.Context or a
// *http.Request (a function literal called on the spot counts as the
// function that calls it), unless the function loops until its context
// is done: such a worker's deferred calls run at shutdown. Elsewhere, fire-and-forget can be a design
// choice (stopping an old listener in the background so that the
// request it serves can finish), and the goroutine is reported only when
// it drops an error: it runs a function with an error result, or a
// literal that calls one as a statement. Tests, main and init are not
// checked.
//
// Bad:
//
//	func (s *Server) Handle(w http.ResponseWriter, r *http.Request) {
//		defer func() { go s.flush() }()
//		s.serve(w, r)
//	}
//
// Good:
//
//	func (s *Server) Handle(w http.ResponseWriter, r *http.Request) {
//		defer func() {
//			s.wg.Add(1)
//			go func() {
//				defer s.wg.Done()
//				if err := s.flush(); err != nil {
//					s.log.Error("flush", "err", err)
//				}
//			}()
//		}()
//		s.serve(w, r)
//	}
//
// with s.wg.Wait() in the server's Shutdown; or simply call s.flush()
// in the deferred function.
package defergo
