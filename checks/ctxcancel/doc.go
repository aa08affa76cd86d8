// Package ctxcancel defines an Analyzer that reports context cancel
// funcs stored in a field, a package variable, a map or slice, or a
// context value, and never called anywhere in the package.
//
// # Analyzer ctxcancel
//
// ctxcancel: a context cancel func that is stored but never called
//
// context.WithCancel, WithTimeout, WithDeadline and their Cause variants
// register the new context in its parent's children and, for a timeout
// or a deadline, start a timer. Calling the cancel func is what removes
// the entry and stops the timer. When the cancel func is kept in a
// struct field (a session, a subscription, an upstream stream) and
// nothing ever calls it, the context, its timer until it fires, and
// everything its values reference stay reachable from the parent until
// the parent itself is canceled. With a long-lived parent, such as a
// server's base context, every request or session adds one entry that
// is never removed: memory grows, and nothing fails or logs.
//
// go vet's lostcancel check reports a cancel func held in a local
// variable that is not used on every path, but it counts any use as
// enough: storing the func in a field silences it. ctxcancel covers
// that gap and only that gap. It reports a cancel func fresh from one
// of the six context constructors that is stored
//
//   - in a struct field, or a package variable,
//   - in an element of a map, slice or array held by one of them
//     (m[id] = cancel, s.cancels = append(s.cancels, cancel)),
//   - in a struct literal's field (&session{cancel: cancel}),
//   - as a context value (context.WithValue(ctx, key, cancel)) under an
//     unexported key that nothing else in the package refers to,
//
// when, in the whole package, nothing calls what was stored there and
// the func was not handed on elsewhere. A field counts as called when
// any method or function literal of the package calls it (a Close or
// Stop method, a deferred closure, a goroutine), also through a copy
// (c := s.cancel; c()) or a range over the container; in fact any read
// other than those listed below counts.
//
// Bad:
//
//	type session struct {
//		id     string
//		ctx    context.Context
//		cancel context.CancelFunc
//	}
//
//	func (h *Hub) open(id string) *session {
//		ctx, cancel := context.WithTimeout(h.base, time.Hour)
//		s := &session{id: id, ctx: ctx, cancel: cancel}
//		h.sessions[id] = s
//		return s
//	}
//
//	func (h *Hub) close(id string) {
//		delete(h.sessions, id) // the context stays in h.base's children
//	}
//
// Good:
//
//	func (h *Hub) close(id string) {
//		if s, ok := h.sessions[id]; ok {
//			s.cancel()
//			delete(h.sessions, id)
//		}
//	}
//
// The check is conservative: the stored func may be called as soon as
// it is passed to any function (time.AfterFunc(d, s.cancel),
// context.AfterFunc, sync.OnceFunc, t.Cleanup, a helper), returned,
// sent on a channel, stored in an interface, its address taken, or
// stored in an exported field or an exported package variable, which
// other packages can call. It is not reported then. Reads that cannot
// call it do not count: comparisons with nil, overwriting it, and for a
// container len, cap, delete, clear, appending to itself and a range
// over its keys only. The cancel func must come straight from the
// context constructor (directly or through a local variable): a
// parameter or a copy of another variable is left alone, as is a local
// whose func is also called, deferred or passed on where that can run
// after the store (the stored copy is then only a second handle); a
// call on an error path that returns before the store does not count.
// A local cancel variable not used on every path is lostcancel's
// report, not this one: ctxcancel reports only stores.
//
// What it cannot see: a cancel func wrapped in a closure before it is
// stored (s.stop = func() { cancel() }), a call that never runs (a Close
// method nothing calls, a method that returns before the call), a
// stored func overwritten before the old one is called, and funcs kept
// in local containers. Code only tests run is not reported (rule "test
// code": _test.go files and test-support packages, whose contexts die
// with the test binary), but calls in it count.
//
// A context made on context.Background() or TODO() is in no parent's
// list of children: an uncalled cancel leaks only through whatever waits
// on its Done channel. Those are the opt-in form ctxcancel.root (rule
// "root contexts are opt-in"; -enable default,ctxcancel.root, go vet
// -ctxcancel.root), whose message says what is lost there: the stop
// signal, and the timer until the deadline. Its findings carry the
// category "root" in -json output.
//
// The opt-in form ctxcancel.discarded (-enable default,ctxcancel.discarded)
// reports a cancel func thrown away with a blank assignment:
//
//	ctx, cancel := context.WithCancel(s.base)
//	_ = cancel // silences vet; the context is never canceled
//
// go vet's lostcancel counts `_ = cancel` as a use. The form reports it
// when the local holds only what one constructor returned and nothing
// else refers to it: a call, a defer, a return or any other use means
// the blank assignment is only a leftover. Contexts made on
// Background() or TODO() stay under rule "root contexts are opt-in",
// and test code under rule "test code". Its findings carry the category
// "discarded". It is opt-in: on 102 services of the real-code ledger it
// fired once, and not on a real bug.
package ctxcancel
