// Package poolreset defines an Analyzer that reports objects taken from
// a sync.Pool and used before they are reset, from a pool that also
// takes objects back without a reset.
//
// # Analyzer poolreset
//
// poolreset: a pooled object used before it is reset, from a pool that gets objects back unreset
//
// A sync.Pool hands out whatever an earlier user put back. If nobody
// resets the object, neither the one who puts it back nor the one who
// gets it, the next request starts with the previous request's state:
// a pooled bytes.Buffer appended to without Reset sends the previous
// response's bytes in front of this one's, a pooled auth struct still
// carries the previous user's token when this request sets only the
// user, append on a pooled slice keeps the earlier elements. Nothing
// fails: the service answers 200 with another user's data.
//
// A pool is clean when either side resets, so the check looks at both
// sides of each pool (a package variable or a struct field, or a typed
// wrapper `Pool[T]` instance) across the package. It reports a use of
// an object taken with Get (or with a same-package helper such as
// getBuf() that returns what Get gave) that no reset precedes on some
// path of the control-flow graph, when some Put of the same pool (or a
// helper such as putBuf(b)) puts back an object that may have been used
// since its last reset. A reset is a Reset-like method (Reset, Reset(w)
// as on gzip.Writer, reset..., init, Clear, Truncate(0)), `*p = v`, a
// truncation `b = b[:0]` or `(*bp)[:0]`, clear(m), or, for a struct,
// zeroing or resetting one of its fields (the check trusts a hand-written
// cleanup to be complete). A use is, depending on the object's type:
// any use of a buffer (a type with Write and Reset) or of a type with a
// Reset method, or of a map; for a struct without a Reset method,
// reading a field that this request has not set on the path (writes
// alone leak nothing); an append onto a slice or *[]T.
//
// It stays silent on the idiomatic forms: Reset right after Get, Reset
// right before every Put (in a deferred closure too: `defer func() {
// b.Reset(); pool.Put(b) }()`), a put helper that resets, a get helper
// that prepares the object, the `*[]byte` pattern (`b := (*bp)[:0]`
// ... `*bp = b; pool.Put(bp)`), an object fully overwritten before use
// (`*p = T{...}`, or every field of a struct assigned before any is
// read; rule "whole value replaced": for a pooled slice, `*c = T(b)` or
// `*c = T{...}` that does not mention the old value; rule "delete loop
// empties the map": `for k := range m { delete(m, k) }`, inline or
// first in a helper, is clear(m) written before Go 1.21), a field saved across a full reset (`bw := p.bw; *p = T{};
// p.bw = bw`), a method of the package that resets its receiver first
// (`c.Compress(src)` starting with `c.reset()`) or a function that
// resets its parameter first (`render(b, v)` starting with `b.Reset()`,
// possibly after saving fields to put back), an object replaced by
// what a function returns (`s, err = readTable(in, s)`), and scratch buffers: slices and arrays that are only
// read into (io.ReadFull, copy, io.CopyBuffer) are never reported, since
// the code only reads the part it wrote (the check cannot prove it and
// does not try). Also left alone: a map used as a cache that the
// garbage collector may reclaim (only keys looked up, m[k] = v stored,
// its length asked: what an earlier user stored is the value for the
// same key), methods documented to use nothing a previous call left
// (zstd's EncodeAll and DecodeAll), a buffer's memory taken whole as
// scratch space (b.Bytes()[:b.Cap()]), and a helper object that the
// pool's New builds into a struct field that nothing else assigns and
// whose type has no Reset method (a generated parser, reused as
// designed). Objects of types with no Reset method and no fields
// used directly (a *rand.Rand, an opaque handle) are left alone.
//
// Gets in _test.go files are not reported, and their Puts do not make
// a pool dirty: tests and benchmarks serve no other user.
//
// It cannot see objects that live in struct fields between calls (a Get
// stored in a field is not followed), pools exported to other packages,
// a Write of a never-filled scratch buffer, or a field-by-field cleanup
// that forgets a field.
//
// Bad:
//
//	var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}
//
//	func render(w http.ResponseWriter, v any) {
//		buf := bufPool.Get().(*bytes.Buffer)
//		json.NewEncoder(buf).Encode(v) // previous response's bytes still in buf
//		w.Write(buf.Bytes())
//		bufPool.Put(buf)
//	}
//
// Good:
//
//	func render(w http.ResponseWriter, v any) {
//		buf := bufPool.Get().(*bytes.Buffer)
//		buf.Reset()
//		json.NewEncoder(buf).Encode(v)
//		w.Write(buf.Bytes())
//		bufPool.Put(buf)
//	}
//
// The suggested fix inserts `buf.Reset()` right after the Get, for
// buffer-like types (a Write method and a Reset() method without
// arguments): it drops only what an earlier user left.
package poolreset
