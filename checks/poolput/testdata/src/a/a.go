package a

import (
	"bytes"
	"io"
	"net/http"
	"sync"
)

var slices = sync.Pool{New: func() any { return make([]byte, 0, 4096) }}

// A []byte by value: each Put allocates.
func frame(w io.Writer, payload []byte) {
	buf := slices.Get().([]byte)[:0]
	buf = append(buf, byte(len(payload)))
	buf = append(buf, payload...)
	w.Write(buf)
	slices.Put(buf) // want `slices.Put\(buf\) stores a \[\]byte by value: converting it to an interface copies its header to the heap on every Put, .*\(pool a \*\[\]byte: `
}

type point struct{ x, y, z float64 }

var points sync.Pool

func storePoint(p point) {
	points.Put(p) // want `points.Put\(p\) stores a point by value: converting it to an interface copies the whole struct to the heap on every Put, .*\(pool \*point instead\)`
}

func storeName(s string) {
	points.Put(s) // want `stores a string by value: converting it to an interface allocates on every Put`
}

// A helper that puts a slice: reported at its Put.
func putScratch(b []int) {
	points.Put(b[:0]) // want `points.Put\(b\[:0\]\) stores a \[\]int by value`
}

// A typed wrapper instantiated with a slice type.
type Pool[T any] struct{ p sync.Pool }

func (p *Pool[T]) Get() T  { return p.p.Get().(T) }
func (p *Pool[T]) Put(x T) { p.p.Put(x) }

var rows Pool[[]string]

func collect(it func() (string, bool)) int {
	r := rows.Get()[:0]
	for s, ok := it(); ok; s, ok = it() {
		r = append(r, s)
	}
	n := len(r)
	rows.Put(r) // want `rows.Put\(r\) stores a \[\]string by value`
	return n
}

var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Use after Put: the response is written from a buffer that another
// request may already be filling.
func serve(w http.ResponseWriter, r *http.Request) {
	buf := bufs.Get().(*bytes.Buffer)
	buf.Reset()
	buf.WriteString(r.URL.Path)
	bufs.Put(buf)
	w.Write(buf.Bytes()) // want `buf is used after bufs.Put\(buf\) \(line 64\) put it back: another goroutine may already have it from Get and be writing into it`
}

// Use after Put on one path only.
func maybe(w io.Writer, s string, short bool) {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	b.WriteString(s)
	if short {
		bufs.Put(b)
	}
	w.Write(b.Bytes()) // want `b is used after bufs.Put\(b\) \(line 74\) put it back`
	if !short {
		bufs.Put(b)
	}
}

// Put twice on one path.
func twice(w io.Writer, s string) error {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	if _, err := b.WriteString(s); err != nil {
		bufs.Put(b)
	}
	_, err := w.Write(b.Bytes()) // want `b is used after bufs.Put\(b\)`
	bufs.Put(b)
	return err
}

func twiceErr(w io.Writer, s string) error {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	b.WriteString(s)
	_, err := w.Write(b.Bytes())
	if err != nil {
		bufs.Put(b)
	}
	bufs.Put(b) // want `b is put back a second time on this path \(first by bufs.Put\(b\) at line 100\): two later Gets return the same object`
	return err
}

// An explicit Put after a deferred one.
func deferredTwice(w io.Writer, s string) error {
	b := bufs.Get().(*bytes.Buffer)
	defer bufs.Put(b)
	b.Reset()
	b.WriteString(s)
	if _, err := w.Write(b.Bytes()); err != nil {
		bufs.Put(b) // want `b is put back here and again by the deferred Put \(line 109\) when the function returns`
		return err
	}
	return nil
}

// Put in a loop of an object taken before the loop.
func each(w io.Writer, items []string) {
	b := bufs.Get().(*bytes.Buffer)
	for _, it := range items {
		b.Reset() // want `b is used after bufs.Put\(b\) \(line 126\) put it back`
		b.WriteString(it)
		w.Write(b.Bytes())
		bufs.Put(b)
	}
}

// Helpers count as Puts.
func putBuf(b *bytes.Buffer) {
	b.Reset()
	bufs.Put(b)
}

func viaHelper(w io.Writer, s string) int {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	b.WriteString(s)
	w.Write(b.Bytes())
	putBuf(b)
	return b.Len() // want `b is used after putBuf\(b\)`
}

// A goroutine started after the Put.
func async(s string, wg *sync.WaitGroup) {
	b := bufs.Get().(*bytes.Buffer)
	b.Reset()
	bufs.Put(b)
	wg.Go(func() { b.WriteString(s) }) // want `b is used after bufs.Put\(b\)`
}

// Comparing what the object holds, after its Put, reads it.
func compareContentAfterPut(keep *bytes.Buffer, other *bytes.Buffer) bool {
	bufs.Put(keep)
	return keep.Len() != other.Len() // want `keep is used after bufs.Put\(keep\)`
}

var sized [3]sync.Pool

var sizes = []int{512, 1024, 2048}

// rule "one iteration's guard": the Put runs on the iteration whose
// size matches; a second needs two matching sizes.
func putSized(s []byte) {
	c := cap(s)
	for i, size := range sizes {
		if c == size {
			sized[i].Put(&s)
		}
		if c < size {
			return
		}
	}
}

// A guard the loop does not change lets the same Put run again.
func putAll(s *bytes.Buffer, force bool, n int) {
	for range n {
		if force {
			bufs.Put(s) // want `s is put back a second time on this path \(first by bufs.Put\(s\) at line \d+\)`
		}
	}
}

// rule "one iteration's guard": a case of a switch on the iteration's
// value guards the Put as an if does.
func putSizedSwitch(s []byte) {
	c := cap(s)
	for i, size := range sizes {
		switch c {
		case size:
			sized[i].Put(&s)
		}
	}
}
