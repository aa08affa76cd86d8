// Package poolput defines an Analyzer that reports misuse of
// sync.Pool's Put: values that are not pointers, objects used after
// they were put back, and objects put back twice.
//
// # Analyzer poolput
//
// poolput: a use of a sync.Pool object after Put, or a second Put of it (opt-in: a Put of a non-pointer)
//
// Put hands the object to every goroutine of the process. Three
// mistakes go unnoticed in tests and hurt in production:
//
// A value that is not pointer-shaped (a slice, a struct, a string, an
// array) is converted to an interface on the way in: the conversion
// copies it to the heap on every Put, which is the allocation the pool
// was meant to save, and for a struct every Get returns a copy.
// staticcheck's SA6002 reports the slice case; poolput reports every
// type whose conversion allocates (anything but pointers, maps,
// channels, funcs, unsafe.Pointer, interfaces, and zero-size or
// single-pointer structs and arrays), including through a typed
// wrapper `Pool[T]` instantiated with such a type. This form is opt-in,
// poolput.value (rule "value Put is opt-in"; -enable
// default,poolput.value, go vet -poolput.value): the allocation is real
// but small next to the buffers pools usually hold, and on real services
// its findings were deliberate. Its findings carry the category "value"
// in -json output; the two forms below run by default.
//
// An object used after it was put back, on some path of the
// control-flow graph, races with the next Get: another request may
// already hold it and write into it, so this one sends that request's
// bytes, or corrupts them. The same goes for a Put of the same object
// twice on one path (including an explicit Put after `defer
// pool.Put(b)`, and a Put in a loop of an object taken before the
// loop): two later Gets return the same object to two goroutines.
//
// The check stays silent on pointer types and the `*[]byte` pattern
// (`*bp = b; pool.Put(bp)`), on a variable given a new value (a new
// Get, nil, its declaration run again at the top of a loop body)
// between the Put and the use, on a deferred Put (uses before
// the return are fine), on Puts at the end of each branch that run once
// per path, on len(b) or a nil check after the Put, and on a value
// type (a struct copy) used after it was put: the pool holds its own
// copy. Same-package helpers that put their argument (putBuf(b)) count
// as Puts. Rule "a promoted Put": a helper method promoted from an
// embedded field (r.returnToPool(), where returnToPool belongs to r's
// embedded *Resultset) puts back that field's value, not r; what r
// holds afterwards, and clearing the field (r.Resultset = nil), is not
// the pooled object. Rule "a field set only at construction": reading,
// after the Put, an unexported field that only the composite literal
// building the object sets (w.pool, the owner a pooled worker was made
// for; no assignment, increment or address of the field or of a whole
// value of its struct anywhere in the package) reads what every user of
// the object sees, not someone else's data. ants' workers read their
// pool's panic handler after putting themselves back that way.
// Rule "flag cleared with the Put": a bool set to false after
// the Put on the same path (`putShared(sv); ok = false`) rules out the
// branch `if ok { … sv … }` for that path. Rule "exclusive
// conditions": a Put under `if t.kind == video` followed by another
// under `if t.kind == audio` (either condition may have more terms
// joined by &&) puts back once on every path, since no path enters
// both; the operand is a variable or a chain of fields of one, compared
// with constants, and it must not change in between: an assignment to
// it or to what holds it, its address taken, or, for a field, a
// package-level variable or a variable a function literal assigns, any
// call, ends what the path knows. pion's ion-sfu put a track's buffer
// back to the video or the audio pool that way. Rule "one iteration's
// guard": a Put in a loop under an if, or a case of a switch, on a
// value of the iteration (the range key or value, the loop's counter, a
// variable the body declares) is reached again around the loop only
// when that condition holds on
// two iterations, as in a search for the bucket whose size matches; the
// check cannot tell, and stays silent. An unguarded Put in a loop, or
// one under a condition the loop does not change, is reported.
//
// Uses after a Put and second Puts are not looked for in _test.go
// files: a test that reads an object after putting it back checks what
// the Put did, on a goroutine of its own.
//
// It cannot see aliases: `b := (*bp)[:0]` used after `pool.Put(bp)` is
// a race it does not report, and neither is an object put back by a
// function of another package.
//
// Bad:
//
//	func (h *handler) serve(w http.ResponseWriter, r *http.Request) {
//		buf := h.bufs.Get().(*bytes.Buffer)
//		buf.Reset()
//		render(buf, r)
//		h.bufs.Put(buf)
//		w.Write(buf.Bytes()) // another request may be writing into buf
//	}
//
// Good:
//
//	func (h *handler) serve(w http.ResponseWriter, r *http.Request) {
//		buf := h.bufs.Get().(*bytes.Buffer)
//		defer h.bufs.Put(buf)
//		buf.Reset()
//		render(buf, r)
//		w.Write(buf.Bytes())
//	}
//
// No fix is offered: moving a Put or pooling a pointer changes who owns
// the object, a decision for the author.
package poolput
