// Package deferrecover defines an Analyzer that reports recover calls
// that can never stop a panic.
//
// # Analyzer deferrecover
//
// deferrecover: a recover that cannot stop the panic it is meant to catch (opt-in: a bare defer recover())
//
// recover stops a panic only when it is called directly by a function
// that the panic is running as a deferred call. Several shapes compile,
// look right in review, and do nothing: recover returns nil, the panic
// goes on and the process crashes (an HTTP server drops the connection
// with no response, and the recovery code never logs a line):
//
//	defer recover() // recover is the deferred call itself: returns nil
//
//	defer func() {
//		recoverPanic(w) // recoverPanic calls recover(), but it is called
//	}()                 // by the deferred closure, not deferred itself
//
//	defer func() {
//		defer recoverPanic(w) // runs when the closure returns, after
//	}()                       // the panic has moved on
//
// The check reports:
//
//   - `defer recover()`, in the opt-in form deferrecover.bare (-enable
//     default,deferrecover.bare; go vet -deferrecover.bare). Rule "a
//     bare defer recover() is opt-in": on real code it is written as a
//     charm around calls that are not expected to panic, where it
//     changes nothing; none of its 5 findings on the real-code ledger
//     (session 12) was a real bug, each guarding code that cannot
//     panic, while both recovery wrappers reported below were real.
//     Its findings carry the category "bare" in -json output;
//   - a call, in a deferred function literal or in a function of the
//     package that is deferred, of a function of the package that calls
//     recover() directly (or of a function literal that does);
//   - such a function deferred as the last statement of a deferred
//     function: it runs when that function returns, not as part of the
//     panic;
//   - recover() in an unexported function of the package that is only
//     ever called, never deferred, and never used as a value, in the
//     opt-in form deferrecover.called (-enable default,deferrecover.called;
//     go vet -deferrecover.called). Rule "a recover nothing defers is
//     opt-in": with no deferred call on the way nothing says a panic is
//     expected there; both such findings on the real-code ledger
//     (sessions 13 and 14: a vendored 9p server, a CLI's command
//     wrapper) guarded calls that do not panic, while the five recovery
//     wrappers called from a deferred function were real bugs. Its
//     findings carry the category "called" in -json output.
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
// recover directly; recover called directly in the deferred function
// literal (then a helper's extra recover is harmless); a function value
// deferred through a variable; a recovering function deferred in the
// middle of a deferred function, where it protects the statements that
// follow; exported helpers, functions used as values, and methods that
// an interface of the package may dispatch to, whose deferred callers
// cannot be seen (an exported helper misused inside its own package is
// still reported at the wrong call site). Code only tests run is left
// alone (rule "test code": _test.go files and test-support packages):
// a panic that goes on there fails the test loudly, which is not the
// silent failure this check is about.
//
// The suggested fix turns `defer func() { helper(args) }()` and
// `defer func() { defer helper(args) }()` into `defer helper(args)`
// when the closure holds only that call and nothing else (no comment),
// and deferring the call evaluates the same values: each argument, and
// the receiver of a method, is a constant or a variable of the function
// that nothing changes after the defer statement (deferring evaluates
// them at once instead of at the return). No fix is offered for
// `defer recover()`: what to do with the panic value is a decision.
package deferrecover
