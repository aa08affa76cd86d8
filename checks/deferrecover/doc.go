// Package deferrecover defines an Analyzer that reports recover calls
// that can never stop a panic.
//
// # Analyzer deferrecover
//
// deferrecover: a recover that cannot stop the panic it is meant to catch
//
// recover stops a panic only when it is called directly by a deferred
// function. Two common shapes compile, look right in review, and do
// nothing: the panic goes on and the process crashes (or, in an HTTP
// server, the connection is dropped with no response and no log line of
// the recovery code):
//
//	defer recover() // recover is the deferred call itself: returns nil
//
//	defer func() {
//		recoverPanic(w) // recoverPanic calls recover(), but it is called
//	}()                 // by the deferred closure, not deferred itself
//
// The check reports `defer recover()`, and calls, inside a deferred
// function literal, of a function of the same package that calls
// recover() directly. It also follows `defer f()` where f is a function
// of the package whose body calls such a helper.
//
// Bad:
//
//	func Recover(next http.Handler) http.Handler {
//		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//			defer func() { recoverPanic(w) }()
//			next.ServeHTTP(w, r)
//		})
//	}
//
// Good:
//
//	func Recover(next http.Handler) http.Handler {
//		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//			defer recoverPanic(w)
//			next.ServeHTTP(w, r)
//		})
//	}
//
// Correct forms are left alone: `defer helper()` where helper calls
// recover directly, recover called directly in the deferred function
// literal, and helpers whose callers are in other packages (an exported
// helper is judged at its call sites, in the packages that call it).
//
// The suggested fix turns `defer func() { helper(args) }()` into
// `defer helper(args)` when the closure holds only that call and the
// arguments cannot change between the defer statement and the return
// (deferring the call evaluates them earlier). No fix is offered for
// `defer recover()`: what to do with the panic value is a decision.
package deferrecover
