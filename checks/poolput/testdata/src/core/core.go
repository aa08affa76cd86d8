// Package core holds poolput's default form: uses after Put and second
// Puts are reported; a Put of a non-pointer is the opt-in form.
package core

import (
	"bytes"
	"io"
	"sync"
)

var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func send(w io.Writer, s string) {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	b.WriteString(s)
	bufs.Put(b)
	w.Write(b.Bytes()) // want `b is used after bufs.Put\(b\)`
}

var slices = sync.Pool{New: func() any { return make([]byte, 0, 1<<20) }}

// Rule "value Put is opt-in": a slice header boxed per Put is a small
// allocation next to a megabyte buffer; -poolput.value reports it.
func fill(r io.Reader) int {
	buf := slices.Get().([]byte)[:0]
	n, _ := r.Read(buf[:cap(buf)])
	slices.Put(buf)
	return n
}
