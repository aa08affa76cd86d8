// Package deferargs defines an Analyzer that reports arguments of
// deferred calls that are evaluated when the defer statement runs
// although the call needs their value at return.
//
// # Analyzer deferargs
//
// deferargs: a deferred call whose arguments are read at the defer statement instead of at return
//
// The arguments of a deferred call, and its function value and
// receiver, are evaluated when the defer statement runs; only the call
// itself waits for the return. A deferred call that logs, traces or
// counts the outcome of the function therefore sees the world as it was
// at the top of the function:
//
//	func (s *Server) Handle(ctx context.Context, req *Request) (err error) {
//		start := time.Now()
//		defer log.Printf("handled in %v", time.Since(start)) // always about 0s
//		defer s.report(err)                                 // always nil
//		...
//		return fmt.Errorf("lookup: %w", err)
//	}
//
// The latency histogram fills with zeros, the error rate stays flat at
// 0% during an outage, and the status logged for every request is the
// placeholder it was initialized with. Nothing fails: the dashboards
// are just wrong.
//
// The check reports two shapes:
//
//   - an argument containing time.Since(t), time.Until(t) or
//     time.Now().Sub(t), when something that takes time (a call, a
//     channel operation) can still run after the defer statement;
//   - an argument reading a variable of the function that can be
//     assigned after the defer statement (an assignment, x++, x += y,
//     &x, a closure that assigns it, or a return statement that sets a
//     named result), when the variable is an error, or a number, string
//     or bool whose value at the defer is a constant placeholder
//     (status := 0, var ok bool, a named result), or a pointer, slice,
//     map, channel, func or interface that is nil there.
//
// Rule "nil is a placeholder too": a pointer or slice declared without
// a value (var resp *Response, var ids []string, a named result) and
// set after the defer hands the deferred call nil, never what it was
// declared to carry, as a zero status does; one that may hold a value
// at the defer (c := dial(); defer release(c)) holds the resource the
// call releases, and stays silent whatever is assigned later. A nil
// written after the defer changes an error or pointer only when it
// may be non-nil at the defer (err := f(); defer publish(err == nil);
// if err != nil { err = nil }).
//
// It stays silent when the call is wrapped in a closure, when the
// argument is a pointer (defer trace(&err)), when the variable is only
// assigned before the defer, when an assignment after the defer in a
// loop belongs to an earlier statement of the loop body (each
// iteration's call deliberately takes its own value), when the
// arguments capture a timestamp (defer done(time.Now())), and when
// the variable holds a computed value such as a path or an id, which
// cleanups capture on purpose (defer os.RemoveAll(dir)). Receivers and
// function values are not reported. Rule "address for an optional
// field": &x of a string, number or bool put into a struct field
// (Collection: &className, p.Class = &className) is not a write, since
// API models hold optional values that way and only read them; an
// error's address in a field (Err: &err) and &x given to a call still
// count, as the callee may set it. Rule "argument the callee never
// reads": when every body the deferred call can run does some work and
// never reads the parameter, only returns it (a deferred call's results
// are discarded), or assigns it on every path before reading it (the
// parameter reused as the callee's own scratch variable: if _, err =
// update(); err != nil), the argument's value does not matter, early or
// late (defer buf.Release(err) where Release frees the buffer and
// returns err unread). The bodies it can see are a function or method
// of the package being analyzed, or of another package whose source
// file is on disk (the module cache, a package of the same module; read
// without types, so any other mention of the parameter's name counts as
// a read); the function literals such a function returns on every
// return statement, for a func value taken once from it and never
// reassigned (done := progress.OneOff(ctx, id); defer done(err)); and,
// for an interface value taken once from a function of the package that
// returns one concrete type on every return statement, that type's
// method. Any other interface method or func value, an empty stand-in,
// and a body in a file built only for some platforms or tags may read
// it and stay reported. On kitex, held out in session 10, five such
// Release(err) calls were the check's only false findings; a later one
// went through a constructor returning an interface, and buildkit's
// through the func progress.OneOff returns.
// Rule "wrapping keeps nil-ness": an argument that only asks whether an
// error is nil (defer publish(event(err == nil))) has its final answer
// at the defer when every later write wraps the error where it is
// already non-nil (if err != nil { err = fmt.Errorf("...: %w", err) },
// errors.Join, an errors package's Wrap or WithMessage), also under
// further ifs inside that branch; a write that may turn the error into
// nil (a filter such as ignoreNotFound(err)), that runs whatever the
// error, or that sits in a function literal (it may run anywhere)
// still counts.
// Rule "test code is opt-in": a deferred call in code that only tests
// run (a _test.go file, a package of test support such as testutil or
// e2e, a file that holds a *testing.T) cleans up or logs for one test;
// an early value there misleads that test, not a service. The opt-in
// form deferargs.tests reports it. None of the 16 such findings on the
// real-code ledger was a real bug, and none of its 40 real ones was in
// test code.
//
// Bad:
//
//	func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
//		start := time.Now()
//		status := http.StatusOK
//		defer h.metrics.Observe(status, time.Since(start))
//		if err := h.serve(w, r); err != nil {
//			status = http.StatusInternalServerError
//		}
//	}
//
// Good:
//
//	func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
//		start := time.Now()
//		status := http.StatusOK
//		defer func() { h.metrics.Observe(status, time.Since(start)) }()
//		if err := h.serve(w, r); err != nil {
//			status = http.StatusInternalServerError
//		}
//	}
//
// The suggested fix wraps the deferred call in a function literal. It
// is offered only when that changes nothing but the moment the reported
// arguments are read: not in a loop, and not when the function value,
// the receiver or another argument (time.Now(), a variable assigned
// later) would evaluate differently at return.
package deferargs
