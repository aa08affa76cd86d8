// Package members stores lists of goroutines, each an id and the
// minutes it had waited, in a few bytes apiece: the members of a folded
// record of a dump (goroutines.Members) and of a group in a snapshot
// (package diagnose). A dump of ten million goroutines then takes tens
// of megabytes, not hundreds.
//
// An entry is the difference between its id and the id before it
// (zigzag, as a varint: dumps list ids nearly in order, so one or two
// bytes) followed by the wait minutes (a uvarint: one byte up to two
// hours). Entries go into chunks of at most maxChunk bytes: a list grows
// without copying what it holds, so that it never needs twice its size
// at once. Every int64 id and every int wait round-trips exactly.
//
// The functions that change or read lists in order are package-level
// (Add, Sorted, NewReader) rather than methods: goroutines.Members is an
// alias of List, and its public methods are only Len and All.
package members

import (
	"cmp"
	"encoding/binary"
	"iter"
	"slices"
)

// maxChunk bounds a chunk: a list grows by doubling up to it, then by
// whole new chunks.
const maxChunk = 32 << 10

// maxEntry is the longest entry: two 64-bit varints.
const maxEntry = 2 * binary.MaxVarintLen64

// A List is a list of goroutines, in the order they were added. The
// zero value is an empty list.
type List struct {
	n                int
	last             int64 // the id added last: the next is stored as its difference from it
	maxID            int64
	unsorted         bool // some id is not above the one before it
	minWait, maxWait int
	chunks           [][]byte
}

// Len returns the number of goroutines in the list.
func (l *List) Len() int {
	if l == nil {
		return 0
	}
	return l.n
}

// All yields each goroutine's id and wait minutes, in the order they
// were added.
func (l *List) All() iter.Seq2[int64, int] {
	return func(yield func(int64, int) bool) {
		r := NewReader(l)
		for {
			id, wait, ok := r.Next()
			if !ok || !yield(id, wait) {
				return
			}
		}
	}
}

// Add appends a goroutine to l.
func Add(l *List, id int64, wait int) {
	if l.n == 0 {
		l.minWait, l.maxWait, l.maxID = wait, wait, id
	} else {
		l.minWait, l.maxWait, l.maxID = min(l.minWait, wait), max(l.maxWait, wait), max(l.maxID, id)
		if id <= l.last {
			l.unsorted = true
		}
	}
	var buf [maxEntry]byte
	k := binary.PutUvarint(buf[:], zigzag(id-l.last)) // wraps around: decoding wraps back
	k += binary.PutUvarint(buf[k:], uint64(wait))
	l.write(buf[:k])
	l.last = id
	l.n++
}

// write appends one entry, whole, to the last chunk, or to a new one
// when the last is full.
func (l *List) write(b []byte) {
	if len(l.chunks) == 0 {
		l.chunks = append(l.chunks, make([]byte, 0, 2*maxEntry))
	}
	c := &l.chunks[len(l.chunks)-1]
	if need := len(*c) + len(b); need > cap(*c) {
		if grown := max(2*cap(*c), need); grown <= maxChunk {
			*c = append(make([]byte, 0, grown), *c...)
		} else {
			l.chunks = append(l.chunks, make([]byte, 0, maxChunk))
			c = &l.chunks[len(l.chunks)-1]
		}
	}
	*c = append(*c, b...)
}

// Waits returns the shortest and longest wait in l; ok is false when l
// is empty.
func Waits(l *List) (lo, hi int, ok bool) {
	if l.Len() == 0 {
		return 0, 0, false
	}
	return l.minWait, l.maxWait, true
}

// Max returns the highest id in l; ok is false when l is empty.
func Max(l *List) (id int64, ok bool) {
	if l.Len() == 0 {
		return 0, false
	}
	return l.maxID, true
}

// Bytes returns how many bytes l's entries take.
func Bytes(l *List) int {
	n := 0
	if l != nil {
		for _, c := range l.chunks {
			n += len(c)
		}
	}
	return n
}

func zigzag(d int64) uint64   { return uint64(d<<1) ^ uint64(d>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// An Iter yields goroutines one at a time: a Reader in the order they
// were added, a Merger in the order of their ids.
type Iter interface {
	// Next returns the next goroutine's id and wait minutes; ok is
	// false at the end.
	Next() (id int64, wait int, ok bool)
}

// A Reader reads a list's goroutines in order.
type Reader struct {
	l          *List
	chunk, off int
	id         int64
	left       int // entries still to read
}

// NewReader returns a reader of l from its start; a nil l reads as
// empty.
func NewReader(l *List) *Reader { return &Reader{l: l, left: l.Len()} }

// Next returns the next goroutine's id and wait minutes; ok is false at
// the end.
func (r *Reader) Next() (id int64, wait int, ok bool) {
	if r.left == 0 {
		return 0, 0, false
	}
	for r.off == len(r.l.chunks[r.chunk]) {
		r.chunk, r.off = r.chunk+1, 0
	}
	c := r.l.chunks[r.chunk][r.off:]
	d, k := binary.Uvarint(c)
	w, k2 := binary.Uvarint(c[k:])
	r.off += k + k2
	r.id += unzigzag(d)
	r.left--
	return r.id, int(w), true
}

// runLen is how many entries of an unsorted list are sorted at once:
// 1.5 MB of scratch space.
const runLen = 1 << 16

// minNaturalRun is the mean length of the ascending stretches of an
// unsorted list above which they are merged where they lie (a dump in
// which a few goroutines are out of order) rather than copied and
// sorted: each stretch costs a reader.
const minNaturalRun = 64

// Merge returns the goroutines of lists, taken in order, by ascending
// id. With dedupe each id comes once, with the wait of the last entry
// that lists it, as a map filled in that order would keep; without,
// every entry comes and equal ids keep their order. Lists whose ids
// ascend are read where they lie, and so are the ascending stretches of
// a list that has few; the others are copied and sorted runLen entries
// at a time. The lists must not change while it is read.
func Merge(lists []*List, dedupe bool) *Merger {
	var runs []*Reader
	var buf []entry
	for _, l := range lists {
		switch {
		case l.Len() == 0:
		case !l.unsorted:
			runs = append(runs, NewReader(l))
		default:
			if stretches := ascending(l); stretches != nil {
				runs = append(runs, stretches...)
				continue
			}
			r := NewReader(l)
			for {
				buf = buf[:0]
				for len(buf) < runLen {
					id, wait, ok := r.Next()
					if !ok {
						break
					}
					buf = append(buf, entry{id, wait})
				}
				if len(buf) == 0 {
					break
				}
				slices.SortStableFunc(buf, func(a, b entry) int { return cmp.Compare(a.id, b.id) })
				run := &List{}
				for i, e := range buf {
					if dedupe && i+1 < len(buf) && buf[i+1].id == e.id {
						continue // a later entry lists it again
					}
					Add(run, e.id, e.wait)
				}
				runs = append(runs, NewReader(run))
			}
		}
	}
	m := &Merger{dedupe: dedupe}
	for i, r := range runs {
		if id, wait, ok := r.Next(); ok {
			m.h = append(m.h, &head{r, id, wait, i})
		}
	}
	for i := len(m.h)/2 - 1; i >= 0; i-- {
		m.down(i)
	}
	return m
}

// ascending returns readers of the stretches of l in which ids ascend,
// or nil as soon as there are more than l.n/minNaturalRun of them.
func ascending(l *List) []*Reader {
	var out []*Reader
	r := NewReader(l)
	start := *r
	n := 0
	prev := int64(0)
	for {
		at := *r
		id, _, ok := r.Next()
		if !ok || n > 0 && id <= prev {
			s := start
			s.left = n
			out = append(out, &s)
			if !ok || len(out)*minNaturalRun > l.n {
				break
			}
			start, n = at, 0
		}
		prev = id
		n++
	}
	if len(out)*minNaturalRun > l.n {
		return nil
	}
	return out
}

type entry struct {
	id   int64
	wait int
}

// A Merger yields the goroutines of sorted runs by ascending id.
type Merger struct {
	h      []*head
	dedupe bool
}

type head struct {
	r    *Reader
	id   int64
	wait int
	run  int // between equal ids, the earlier run's comes first
}

func (m *Merger) less(a, b *head) bool { return a.id < b.id || a.id == b.id && a.run < b.run }

func (m *Merger) down(i int) {
	h := m.h
	for {
		c := 2*i + 1
		if c >= len(h) {
			return
		}
		if c+1 < len(h) && m.less(h[c+1], h[c]) {
			c++
		}
		if !m.less(h[c], h[i]) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

// pop advances the run at the top of the heap.
func (m *Merger) pop() {
	top := m.h[0]
	if id, wait, ok := top.r.Next(); ok {
		top.id, top.wait = id, wait
	} else {
		m.h[0] = m.h[len(m.h)-1]
		m.h = m.h[:len(m.h)-1]
	}
	m.down(0)
}

// Next returns the next goroutine's id and wait minutes; ok is false at
// the end.
func (m *Merger) Next() (id int64, wait int, ok bool) {
	if len(m.h) == 0 {
		return 0, 0, false
	}
	id, wait = m.h[0].id, m.h[0].wait
	m.pop()
	for m.dedupe && len(m.h) > 0 && m.h[0].id == id {
		wait = m.h[0].wait // a later entry lists it again
		m.pop()
	}
	return id, wait, true
}

// Sorted returns Merge(lists, dedupe) as one list. A single list whose
// ids already ascend is returned as it is.
func Sorted(lists []*List, dedupe bool) *List {
	var live []*List
	for _, l := range lists {
		if l.Len() > 0 {
			live = append(live, l)
		}
	}
	if len(live) == 1 && !live[0].unsorted {
		return live[0]
	}
	m := Merge(live, dedupe)
	out := &List{}
	for {
		id, wait, ok := m.Next()
		if !ok {
			return out
		}
		Add(out, id, wait)
	}
}
