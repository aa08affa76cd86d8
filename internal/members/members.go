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
	unsorted         bool  // some id is not above the one before it
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
		l.minWait, l.maxWait = wait, wait
	} else {
		l.minWait, l.maxWait = min(l.minWait, wait), max(l.maxWait, wait)
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

// Last returns the id added last: in a sorted list, the highest. ok
// is false when l is empty.
func Last(l *List) (id int64, ok bool) {
	if l.Len() == 0 {
		return 0, false
	}
	return l.last, true
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

// A Reader reads a list's goroutines in order.
type Reader struct {
	l          *List
	chunk, off int
	id         int64
}

// NewReader returns a reader of l from its start; a nil l reads as
// empty.
func NewReader(l *List) *Reader { return &Reader{l: l} }

// Next returns the next goroutine's id and wait minutes; ok is false at
// the end.
func (r *Reader) Next() (id int64, wait int, ok bool) {
	if r.l == nil {
		return 0, 0, false
	}
	for r.chunk < len(r.l.chunks) && r.off == len(r.l.chunks[r.chunk]) {
		r.chunk, r.off = r.chunk+1, 0
	}
	if r.chunk == len(r.l.chunks) {
		return 0, 0, false
	}
	c := r.l.chunks[r.chunk][r.off:]
	d, k := binary.Uvarint(c)
	w, k2 := binary.Uvarint(c[k:])
	r.off += k + k2
	r.id += unzigzag(d)
	return r.id, int(w), true
}

// runLen is how many entries of an unsorted list are sorted at once:
// 1.5 MB of scratch space.
const runLen = 1 << 16

// Sorted returns the goroutines of lists, taken in order, as one list
// sorted by id. With dedupe each id appears once, with the wait of the
// last entry that lists it, as a map filled in that order would keep;
// without, every entry is kept and equal ids keep their order. A single
// list whose ids already ascend is returned as it is; the others are
// not changed. Unsorted lists are sorted runLen entries at a time and
// the runs merged, so that the scratch space stays bounded whatever the
// lists' length.
func Sorted(lists []*List, dedupe bool) *List {
	var live []*List
	for _, l := range lists {
		if l.Len() > 0 {
			live = append(live, l)
		}
	}
	switch {
	case len(live) == 0:
		return &List{}
	case len(live) == 1 && !live[0].unsorted:
		return live[0]
	}
	// Runs, in the order the lists give their entries: a list whose ids
	// ascend is one, an unsorted list is cut into sorted runs.
	var runs []*List
	var buf []entry
	for _, l := range live {
		if !l.unsorted {
			runs = append(runs, l)
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
			runs = append(runs, run)
		}
	}
	buf = nil
	return merge(runs, dedupe)
}

type entry struct {
	id   int64
	wait int
}

// merge merges sorted runs into one list. Between equal ids the earlier
// run's entry comes first; with dedupe the later run's is kept.
func merge(runs []*List, dedupe bool) *List {
	if len(runs) == 1 {
		return runs[0] // its ids ascend, or it was sorted (and deduplicated) above
	}
	type head struct {
		r    *Reader
		id   int64
		wait int
		run  int
	}
	less := func(a, b *head) bool { return a.id < b.id || a.id == b.id && a.run < b.run }
	h := make([]*head, 0, len(runs))
	down := func(i int) {
		for {
			c := 2*i + 1
			if c >= len(h) {
				return
			}
			if c+1 < len(h) && less(h[c+1], h[c]) {
				c++
			}
			if !less(h[c], h[i]) {
				return
			}
			h[i], h[c] = h[c], h[i]
			i = c
		}
	}
	for i, l := range runs {
		r := NewReader(l)
		if id, wait, ok := r.Next(); ok {
			h = append(h, &head{r, id, wait, i})
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	out := &List{}
	var pending entry
	have := false
	for len(h) > 0 {
		top := h[0]
		switch {
		case dedupe && have && top.id == pending.id:
			pending.wait = top.wait
		default:
			if have {
				Add(out, pending.id, pending.wait)
			}
			pending, have = entry{top.id, top.wait}, true
		}
		if id, wait, ok := top.r.Next(); ok {
			top.id, top.wait = id, wait
		} else {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		down(0)
	}
	if have {
		Add(out, pending.id, pending.wait)
	}
	return out
}
