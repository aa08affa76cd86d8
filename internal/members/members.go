// Package members stores lists of goroutines, each an id and the
// minutes it had waited, in a few bytes apiece: the members of a folded
// record of a dump (goroutines.Members) and of a group in a snapshot
// (package diagnose). A dump of ten million goroutines then takes tens
// of megabytes, not hundreds.
//
// An entry is the difference between its id and the id before it in
// its chunk (zigzag, as a varint: dumps list ids nearly in order, so
// one or two bytes) followed by the wait minutes (a uvarint: one byte
// up to two hours). Entries go into chunks of at most maxChunk bytes: a
// list grows without copying what it holds (but its first chunk while
// it doubles up to that size), so that it never needs twice its size at
// once. Every int64 id and every int wait round-trips
// exactly.
//
// A runtime that reuses goroutine structures can list ids in no order
// at all; their differences then take three or four bytes. A full chunk
// whose ids are that far out of order is sorted by id (stably: equal
// ids keep their order) where it lies, in about half the space, and
// filled further until sorting frees little: it is then a sorted run
// that Merge reads where it lies. A list's order is thus the order of
// its goroutines only within stretches of a few thousand.
//
// The functions that change or read lists in order are package-level
// (Add, Merge, NewReader) rather than methods: goroutines.Members is an
// alias of List, and its public methods are only Len and All.
package members

import (
	"cmp"
	"encoding/binary"
	"iter"
	"slices"
	"sync"
)

// maxChunk bounds a chunk: a list grows by doubling up to it, then by
// whole new chunks.
const maxChunk = 32 << 10

// maxEntry is the longest entry: two 64-bit varints.
const maxEntry = 2 * binary.MaxVarintLen64

// A List is a list of goroutines, in the order they were added (but
// for chunks sorted when full, see the package doc). The zero value is
// an empty list.
type List struct {
	n                int
	last             int64 // the id added last
	base             int64 // the id the next one is stored as a difference from
	maxID            int64
	unsorted         bool // some id is not above the one before it
	minWait, maxWait int
	chunks           [][]byte
	// The last chunk: its entries, and how many of their ids are below
	// the one before.
	chunkN, descents int
}

// Len returns the number of goroutines in the list.
func (l *List) Len() int {
	if l == nil {
		return 0
	}
	return l.n
}

// All yields each goroutine's id and wait minutes, in the order they
// were added; a long list whose ids are far out of order yields them
// sorted a few thousand at a time (goroutines with the same id in the
// order they were added).
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
	c := l.room()
	if l.chunkN == 0 {
		l.base = 0 // each chunk's first id is stored as it is
	} else if id < l.base {
		l.descents++
	}
	*c = binary.AppendUvarint(*c, zigzag(id-l.base)) // wraps around: decoding wraps back
	*c = binary.AppendUvarint(*c, uint64(wait))
	l.last, l.base = id, id
	l.n++
	l.chunkN++
}

// room returns the last chunk with room for an entry: grown while it is
// small, or a new one when it is full (the full one sorted if its ids
// are far out of order).
func (l *List) room() *[]byte {
	if len(l.chunks) == 0 {
		l.chunks = append(l.chunks, make([]byte, 0, 2*maxEntry))
	}
	c := &l.chunks[len(l.chunks)-1]
	if len(*c)+maxEntry <= cap(*c) {
		return c
	}
	if cap(*c) < maxChunk {
		*c = append(make([]byte, 0, min(2*cap(*c), maxChunk)), *c...)
		return c
	}
	if l.descents*minNaturalRun > l.chunkN {
		if sorted, last, ok := sortChunk(*c, l.chunkN); ok {
			*c, l.base, l.descents = sorted, last, 0
			if cap(*c)-len(*c) >= maxChunk/8 {
				return c // filled further, and sorted again when full
			}
		}
	}
	l.chunks = append(l.chunks, make([]byte, 0, maxChunk))
	l.chunkN, l.descents = 0, 0
	return &l.chunks[len(l.chunks)-1]
}

// scratch is sortChunk's space, shared: it is as large as one chunk's
// entries.
var scratch = sync.Pool{New: func() any { return new([]entry) }}

// sortChunk sorts the n entries of chunk c by id, stably, where they
// lie, and returns them and the last (highest) id. ok is false, and c
// unchanged, when sorted they would not fit in it.
func sortChunk(c []byte, n int) (sorted []byte, last int64, ok bool) {
	buf := scratch.Get().(*[]entry)
	defer scratch.Put(buf)
	es := (*buf)[:0]
	r := Reader{l: &List{chunks: [][]byte{c}}, left: n}
	for {
		id, wait, ok := r.Next()
		if !ok {
			break
		}
		es = append(es, entry{id, wait})
	}
	*buf = es
	slices.SortStableFunc(es, func(a, b entry) int { return cmp.Compare(a.id, b.id) })
	size, prev := 0, int64(0)
	var tmp [maxEntry]byte
	for _, e := range es {
		size += binary.PutUvarint(tmp[:], zigzag(e.id-prev)) + binary.PutUvarint(tmp[:], uint64(e.wait))
		prev = e.id
	}
	if size > cap(c) {
		return c, 0, false
	}
	c, prev = c[:0], 0
	for _, e := range es {
		c = binary.AppendUvarint(c, zigzag(e.id-prev))
		c = binary.AppendUvarint(c, uint64(e.wait))
		prev = e.id
	}
	return c, prev, true
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
	left       int // entries still to read; negative: all to the end
}

// NewReader returns a reader of l from its start; a nil l reads as
// empty.
func NewReader(l *List) *Reader { return &Reader{l: l, left: l.Len()} }

// Next returns the next goroutine's id and wait minutes; ok is false at
// the end.
func (r *Reader) Next() (id int64, wait int, ok bool) {
	if r.left == 0 || r.l == nil {
		return 0, 0, false
	}
	for r.chunk < len(r.l.chunks) && r.off == len(r.l.chunks[r.chunk]) {
		r.chunk, r.off = r.chunk+1, 0
	}
	if r.chunk == len(r.l.chunks) {
		return 0, 0, false
	}
	if r.off == 0 {
		r.id = 0 // each chunk's first id is stored as it is
	}
	c := r.l.chunks[r.chunk][r.off:]
	d, k := binary.Uvarint(c)
	w, k2 := binary.Uvarint(c[k:])
	r.off += k + k2
	r.id += unzigzag(d)
	r.left--
	return r.id, int(w), true
}

// minNaturalRun is the mean length of the ascending stretches of an
// unsorted list (or chunk) above which they are merged where they lie
// (a dump in which a few goroutines are out of order, a chunk sorted
// when it filled) rather than copied and sorted: each stretch costs a
// reader. Below it, a full chunk is sorted when it fills.
const minNaturalRun = 64

// Merge returns the goroutines of lists, taken in order, by ascending
// id. With dedupe each id comes once, with the wait of the last entry
// that lists it, as a map filled in that order would keep; without,
// every entry comes and equal ids keep their order. Lists whose ids
// ascend are read where they lie, and so are the ascending stretches of
// a list, or of a chunk, that has few; the other chunks (at most one a
// list: a full chunk that far out of order was sorted when it filled)
// are copied and sorted. The lists must not change while it is read.
func Merge(lists []*List, dedupe bool) *Merger {
	var runs []*Reader
	for _, l := range lists {
		switch {
		case l.Len() == 0:
		case !l.unsorted:
			runs = append(runs, NewReader(l))
		default:
			if st := ascending(NewReader(l), l.n); st != nil {
				runs = append(runs, st...)
				continue
			}
			for _, c := range l.chunks {
				runs = append(runs, chunkRuns(c, dedupe)...)
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

// chunkRuns returns the sorted runs of one chunk: its ascending
// stretches where they lie when it has few, else a sorted copy.
func chunkRuns(c []byte, dedupe bool) []*Reader {
	whole := func() *Reader { return &Reader{l: &List{chunks: [][]byte{c}}, left: -1} }
	n := 0
	for r := whole(); ; n++ {
		if _, _, ok := r.Next(); !ok {
			break
		}
	}
	if st := ascending(whole(), n); st != nil {
		return st
	}
	buf := scratch.Get().(*[]entry)
	defer scratch.Put(buf)
	es := (*buf)[:0]
	for r := whole(); ; {
		id, wait, ok := r.Next()
		if !ok {
			break
		}
		es = append(es, entry{id, wait})
	}
	*buf = es
	slices.SortStableFunc(es, func(a, b entry) int { return cmp.Compare(a.id, b.id) })
	run := &List{}
	for i, e := range es {
		if dedupe && i+1 < len(es) && es[i+1].id == e.id {
			continue // a later entry lists it again
		}
		Add(run, e.id, e.wait)
	}
	return []*Reader{NewReader(run)}
}

// ascending returns readers of the stretches in which ids do not
// descend of the n entries r reads (equal ids in a stretch keep their
// order, as Merge wants), or nil when there are more than
// n/minNaturalRun of them.
func ascending(r *Reader, n int) []*Reader {
	var out []*Reader
	start := *r
	k := 0
	prev := int64(0)
	for {
		at := *r
		id, _, ok := r.Next()
		if !ok || k > 0 && id < prev {
			if k > 0 {
				s := start
				s.left = k
				out = append(out, &s)
			}
			if !ok || len(out)*minNaturalRun > n {
				break
			}
			start, k = at, 0
		}
		prev = id
		k++
	}
	if len(out)*minNaturalRun > n {
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
