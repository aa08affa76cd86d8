package a

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"unsafe"
)

// Pointers, maps, channels, funcs, interfaces: no allocation.
var okPool sync.Pool

func okKinds(b *bytes.Buffer, m map[string]int, c chan int, f func(), v any, p unsafe.Pointer) {
	okPool.Put(b)
	okPool.Put(m)
	okPool.Put(c)
	okPool.Put(f)
	okPool.Put(v)
	okPool.Put(p)
}

// A struct holding one pointer is stored directly in the interface.
type handle struct{ b *bytes.Buffer }

type empty struct{}

func okShapes(h handle, e empty, a [1]*int) {
	okPool.Put(h)
	okPool.Put(e)
	okPool.Put(a)
}

// The *[]byte pattern.
var okBytes = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func okAppend(w io.Writer, s string) {
	bp := okBytes.Get().(*[]byte)
	b := (*bp)[:0]
	b = append(b, s...)
	w.Write(b)
	*bp = b
	okBytes.Put(bp)
}

var okBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Deferred Put: the uses come before the return.
func okDeferred(w http.ResponseWriter, r *http.Request) {
	b := okBufs.Get().(*bytes.Buffer)
	defer okBufs.Put(b)
	b.Reset()
	b.WriteString(r.URL.Path)
	w.Write(b.Bytes())
}

// A Put at the end of each branch, once per path.
func okBranches(w io.Writer, s string) error {
	b := okBufs.Get().(*bytes.Buffer)
	b.Reset()
	if _, err := b.WriteString(s); err != nil {
		okBufs.Put(b)
		return err
	}
	_, err := w.Write(b.Bytes())
	okBufs.Put(b)
	return err
}

// A new object between the Put and the next use.
func okRefill(w io.Writer, parts []string) {
	b := okBufs.Get().(*bytes.Buffer)
	for _, p := range parts {
		b.Reset()
		b.WriteString(p)
		w.Write(b.Bytes())
		okBufs.Put(b)
		b = okBufs.Get().(*bytes.Buffer)
	}
	okBufs.Put(b)
}

// Set to nil after the Put; nil checks are not uses.
type conn struct{ buf *bytes.Buffer }

func (c *conn) close() {
	if c.buf != nil {
		okBufs.Put(c.buf)
		c.buf = nil
	}
	if c.buf == nil {
		return
	}
}

func okNil(w io.Writer) {
	b := okBufs.Get().(*bytes.Buffer)
	b.Reset()
	w.Write(b.Bytes())
	okBufs.Put(b)
	b = nil
	if b == nil {
		return
	}
}

// A Get and a Put per iteration.
func okLoop(w io.Writer, items []string) {
	for _, it := range items {
		b := okBufs.Get().(*bytes.Buffer)
		b.Reset()
		b.WriteString(it)
		w.Write(b.Bytes())
		okBufs.Put(b)
	}
}

// A typed wrapper of pointers.
var okBuilders Pool[*bytes.Buffer]

func okWrapper(s string) string {
	b := okBuilders.Get()
	b.Reset()
	b.WriteString(s)
	out := b.String()
	okBuilders.Put(b)
	return out
}

// A deferred closure that puts whatever b holds at return; the
// explicit Put clears b.
func okDeferredClosure(w io.Writer, s string) error {
	b := okBufs.Get().(*bytes.Buffer)
	defer func() {
		if b != nil {
			okBufs.Put(b)
		}
	}()
	b.Reset()
	b.WriteString(s)
	if _, err := w.Write(b.Bytes()); err != nil {
		okBufs.Put(b)
		b = nil
		return err
	}
	return nil
}

// The goroutine owns the buffer and puts it back itself.
func okGoroutine(w io.Writer, s string, wg *sync.WaitGroup) {
	b := okBufs.Get().(*bytes.Buffer)
	b.Reset()
	wg.Go(func() {
		defer okBufs.Put(b)
		b.WriteString(s)
		w.Write(b.Bytes())
	})
}

// Returned data copied out before the Put.
func okCopyOut(s string) string {
	b := okBufs.Get().(*bytes.Buffer)
	b.Reset()
	b.WriteString(s)
	out := b.String()
	okBufs.Put(b)
	return out
}

// A switch whose cases each put back and return.
func okSwitch(w io.Writer, kind int) {
	b := okBufs.Get().(*bytes.Buffer)
	b.Reset()
	switch kind {
	case 0:
		okBufs.Put(b)
		return
	case 1:
		b.WriteString("one")
	}
	w.Write(b.Bytes())
	okBufs.Put(b)
}

// Range variables get a new value each iteration.
func okRange(items []any) {
	for range 3 {
		for i, v := range items {
			okPool.Put(v)
			items[i] = nil
		}
		for i := range items {
			items[i] = okPool.Get()
		}
	}
}

// A type switch binds a new value in each clause, each iteration.
type datagram struct{ b []byte }

var datagrams = sync.Pool{New: func() any { return new(datagram) }}

func (d *datagram) recycle() { datagrams.Put(d) }

func okTypeSwitch(msgs <-chan any, handle func(*datagram)) {
	for m := range msgs {
		switch m := m.(type) {
		case *datagram:
			handle(m)
			m.recycle()
		case string:
			_ = m
		}
	}
}

// Each iteration puts back another element's buffer.
type pending struct {
	buf   *bytes.Buffer
	probe bool
}

func okEach(done []pending) {
	for _, p := range done {
		if !p.probe {
			okBufs.Put(p.buf)
		}
	}
}

// Comparing a pointer after its Put reads no data: it asks whether two
// names hold the same object.
var okCmpPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func okCompareAfterPut(bufs []*bytes.Buffer, keep *bytes.Buffer) int {
	okCmpPool.Put(keep)
	n := 0
	for _, b := range bufs {
		if b != keep && keep != b {
			n++
		}
	}
	return n
}
