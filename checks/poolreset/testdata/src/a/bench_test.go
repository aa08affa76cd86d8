package a

import (
	"bytes"
	"sync"
	"testing"
)

var benchBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// A benchmark reuses buffers as they come.
func BenchmarkWrite(b *testing.B) {
	for b.Loop() {
		buf := benchBufs.Get().(*bytes.Buffer)
		buf.WriteString("x")
		benchBufs.Put(buf)
	}
}

func BenchmarkFrameRaw(b *testing.B) {
	for b.Loop() {
		x := frames.Get().(*bytes.Buffer)
		x.WriteString("y")
		frames.Put(x)
	}
}
