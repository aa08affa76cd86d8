// Package ctxreplace defines an Analyzer that reports context chains
// rooted at context.Background() or context.TODO() that are passed on
// where the request's or the caller's context is at hand.
//
// # Analyzer ctxreplace
//
// ctxreplace: a fresh context.Background() or TODO() passed on where the request's or caller's context is at hand
//
// An HTTP server cancels a request's context when the client goes away
// or the server shuts down, and a caller's context carries its deadline.
// Code that starts a new chain at context.Background() or
// context.TODO() in the middle of a handler or of a function that
// receives a context cuts that link: when the client disconnects or the
// deadline passes, the database query, the upstream call, the retry loop
// goes on as if nothing happened. Nothing fails and nothing is logged;
// under load the handlers that should have stopped pile up, holding
// connections from the pool, and the service slows down for everyone.
//
// The check looks at HTTP handlers (a ResponseWriter and a *http.Request
// among the parameters: functions, ServeHTTP methods, function literals
// such as the http.HandlerFunc a middleware returns), at functions that
// receive a *http.Request, and at functions and function literals that
// receive a context.Context. It reports a context.Background() or
// context.TODO() call there whose chain is passed on: directly, or
// through context.WithValue/WithCancel/WithTimeout/WithDeadline and any
// other call that takes a context first and returns one
// (signal.NotifyContext, errgroup.WithContext, a tracer's Start), also
// through local variables (ctx := context.Background(); ctx, cancel :=
// context.WithTimeout(ctx, d)), into r.WithContext, r.Clone,
// http.NewRequestWithContext or any other call whose parameter is a
// context.Context. Function literals that run while the function does
// (called on the spot, passed to a call such as a retry helper or
// errgroup's Go, kept in a local variable) count as part of it. The
// message names the context that is lost (r.Context(), ctx) and the call
// that gets the fresh chain. The suggested fix roots the chain at the
// context that is at hand: context.Background() becomes ctx, or
// r.Context() in a handler, offered only when that name denotes the
// parameter at that point (not shadowed).
//
// The default form and the opt-in form: by default only chains rooted
// at context.TODO() are reported. TODO() says "the right context is not
// known yet"; where the caller's context is at hand, it is a leftover.
// Chains rooted at context.Background() (rule "background is opt-in")
// are the opt-in form ctxreplace.background (-enable
// default,ctxreplace.background; go vet -ctxreplace.background): on real
// services most of them detach on purpose, in ways a static check
// cannot always tell from the request path (a long-lived client built
// by a constructor, a cleanup that must finish, values copied by hand,
// a callback registered to run later). Their findings carry the
// category "background" in -json output.
//
// It stays silent on:
//
//   - context.WithoutCancel(ctx) (Go 1.21), the way to keep the values
//     and drop the cancellation on purpose;
//   - the shutdown and cleanup pattern: a fresh context after a receive
//     from a context's Done() earlier in the function or in a `case
//     <-ctx.Done():`, in a branch taken when ctx.Err() is set or an error
//     is context.Canceled/DeadlineExceeded, passed to a call that stops
//     something (Shutdown, Close, Stop, GracefulStop, Wait, Drain...), or
//     in a function named so; and a compensating action after a failure:
//     a call that undoes what the function did (Delete, Remove, Rollback,
//     Abort, Cleanup...) in a branch about an error, which must run to
//     its end even when the failure was the caller's cancellation;
//   - main and init, and the closures in them other than HTTP handlers;
//     test files;
//   - goroutines started with go, deferred calls, and function literals
//     that may run after the function returns (stored, returned, given to
//     time.AfterFunc or context.AfterFunc, or to a singleflight-style
//     Group's Do, whose shared call must not die with one caller): a
//     detached job is expected to outlive the request, and a goroutine
//     that outlives it is another check's business;
//   - functions without a context or a request: there is nothing to
//     root at, and a Background() there is where chains begin;
//   - a context parameter named _ or left unnamed: its author declared
//     it unused, so a fresh chain there is a decision, and no fix could
//     refer to it;
//   - a function that waits on its own context's Done channel anywhere
//     (a select that returns on ctx.Done() while a deferred cancel stops
//     the fresh chain, a goroutine that cancels it when
//     r.Context().Done() fires): it bridges the cancellation by hand;
//   - calls where the context does not govern work the caller waits for:
//     loggers (log/slog, Printf, Errorf, Info, Debug..., and functions
//     of no result with a log further in their name, auditLogIf) and
//     lookups of context values (FromContext, GetLogger); functions
//     whose name says asynchronous or background (refreshAsync) or
//     starts work that outlives the call (Start, Spawn, Launch, Submit,
//     Enqueue, Schedule: a job that must not die with the request that
//     asked for it); a same-package function that ignores that
//     parameter (named _, never used, or used only in go statements);
//     calls with a time.Duration parameter named timeout or deadline,
//     where the fresh context keeps the caller's deadline from
//     overriding the explicit one;
//   - a fresh context used only locally (compared, its Done channel read)
//     or only stored in a field.
//
// Bad:
//
//	func (s *Server) search(w http.ResponseWriter, r *http.Request) {
//		ctx, cancel := context.WithTimeout(context.TODO(), 5*time.Second)
//		defer cancel()
//		rows, err := s.db.QueryContext(ctx, searchSQL, r.FormValue("q"))
//		...
//	}
//
// Good:
//
//	func (s *Server) search(w http.ResponseWriter, r *http.Request) {
//		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
//		defer cancel()
//		rows, err := s.db.QueryContext(ctx, searchSQL, r.FormValue("q"))
//		...
//	}
//
// Work that must finish even if the client goes away (an audit record,
// a payment capture) keeps the request's values and drops only its
// cancellation with context.WithoutCancel(r.Context()).
//
// A fix that removes the file's last use of package context also
// removes its import. In files whose Go version is below 1.21 the
// message does not suggest context.WithoutCancel.
//
// What it cannot see: a fresh context kept in a field or a package
// variable, or returned by a helper; a variable that is sometimes
// rooted at the caller's context and sometimes not; a request built with
// http.NewRequest (no context at all); a chain made in one function and
// passed on in another (a function literal with its own context
// parameter, another function); functions that receive only a
// *http.Request (a RoundTripper, a helper called by a handler), which
// are left alone because a fresh chain there often builds something
// that outlives the request (a token source, a cached client). It cannot
// tell a constructor of a long-lived object that is given a fresh
// context on purpose from a call that should get the caller's: that is
// reported (write context.WithoutCancel(ctx), or an ignore directive
// with the reason).
package ctxreplace
