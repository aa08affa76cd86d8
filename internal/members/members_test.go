package members

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func build(ids []int64, waits []int) *List {
	l := &List{}
	for i, id := range ids {
		Add(l, id, waits[i])
	}
	return l
}

func collect(l *List) (ids []int64, waits []int) {
	for id, w := range l.All() {
		ids = append(ids, id)
		waits = append(waits, w)
	}
	return ids, waits
}

// Every id and wait comes back as it was added, in order: unsorted,
// repeated, at the ends of int64 (deltas that wrap around), waits at
// and above int32's maximum and negative ones.
func TestRoundTrip(t *testing.T) {
	cases := map[string]struct {
		ids   []int64
		waits []int
	}{
		"empty":      {},
		"one":        {[]int64{7}, []int{0}},
		"ascending":  {[]int64{1, 2, 3, 1000, 1001}, []int{0, 1, 89, 90, 127}},
		"unsorted":   {[]int64{50, 3, 49, 2, 1 << 40, 4}, []int{5, 4, 3, 2, 1, 0}},
		"duplicates": {[]int64{5, 5, 3, 5, 3}, []int{1, 2, 3, 4, 5}},
		"huge ids": {
			[]int64{math.MaxInt64, math.MinInt64, 0, math.MaxInt64, -1, math.MinInt64 + 1, math.MaxInt64 - 1},
			[]int{0, 1, 2, 3, 4, 5, 6},
		},
		"waits": {
			[]int64{1, 2, 3, 4, 5, 6},
			[]int{math.MaxInt32, math.MaxInt32 + 1, math.MaxInt64, 0, -1, math.MinInt64},
		},
	}
	for name, c := range cases {
		l := build(c.ids, c.waits)
		ids, waits := collect(l)
		if l.Len() != len(c.ids) || !slices.Equal(ids, c.ids) || !slices.Equal(waits, c.waits) {
			t.Errorf("%s: got %v %v (len %d), want %v %v", name, ids, waits, l.Len(), c.ids, c.waits)
		}
		if lo, hi, ok := Waits(l); ok != (len(c.waits) > 0) || ok && (lo != slices.Min(c.waits) || hi != slices.Max(c.waits)) {
			t.Errorf("%s: Waits = %d, %d, %v", name, lo, hi, ok)
		}
		if hi, ok := Max(l); ok != (len(c.ids) > 0) || ok && hi != slices.Max(c.ids) {
			t.Errorf("%s: Max = %d, %v", name, hi, ok)
		}
	}
}

// A long list spans many chunks, none above maxChunk, and takes about
// two bytes a goroutine when ids ascend by small steps and waits are
// short.
func TestChunks(t *testing.T) {
	const n = 1_000_000
	l := &List{}
	for i := range n {
		Add(l, int64(1000+7*i), i%90)
	}
	if l.Len() != n || len(l.chunks) < 2 {
		t.Fatalf("len %d, %d chunks", l.Len(), len(l.chunks))
	}
	for _, c := range l.chunks {
		if cap(c) > maxChunk {
			t.Fatalf("a chunk of %d bytes", cap(c))
		}
	}
	if b := Bytes(l); b > 2*n+n/1000 { // a chunk's first id takes a few more
		t.Errorf("%d bytes for %d goroutines", b, n)
	}
	i := 0
	for id, w := range l.All() {
		if id != int64(1000+7*i) || w != i%90 {
			t.Fatalf("entry %d: %d, %d", i, id, w)
		}
		i++
	}
	if i != n {
		t.Fatalf("read %d of %d", i, n)
	}
}

// entries returns l's entries sorted by id, then by wait.
func entries(l *List) []entry {
	var out []entry
	for id, w := range l.All() {
		out = append(out, entry{id, w})
	}
	return sortedEntries(out)
}

func sortedEntries(es []entry) []entry {
	es = slices.Clone(es)
	slices.SortFunc(es, func(a, b entry) int { return cmp.Or(cmp.Compare(a.id, b.id), cmp.Compare(a.wait, b.wait)) })
	return es
}

// A long list whose ids come in no order is stored sorted a chunk at a
// time, in less space: the same entries, equal ids in the order they
// were added, and few enough sorted stretches for Merge to read them
// where they lie. One whose ids ascend, or nearly, keeps its order.
func TestCompaction(t *testing.T) {
	const n = 200_000
	rng := rand.New(rand.NewPCG(7, 8))
	perm := rng.Perm(n)
	shuffled, nearly := &List{}, &List{}
	var added []entry
	for i, p := range perm {
		id := int64(1000 + p/2) // each id twice
		Add(shuffled, id, i)    // the wait tells the two apart
		added = append(added, entry{id, i})
		near := int64(i)
		if i%500 == 499 {
			near -= 100
		}
		Add(nearly, near, 0)
	}
	if !slices.Equal(entries(shuffled), sortedEntries(added)) || shuffled.Len() != n {
		t.Fatal("the shuffled list lost or changed entries")
	}
	// Equal ids in the order they were added.
	seen := make(map[int64]int)
	for id, w := range shuffled.All() {
		if prev, ok := seen[id]; ok && prev > w {
			t.Fatalf("id %d: wait %d came after %d", id, w, prev)
		}
		seen[id] = w
	}
	// Without sorting, a difference between two ids of 0-100,000 takes
	// three bytes and a wait of up to 200,000 three more.
	if b := Bytes(shuffled); b > 5*n {
		t.Errorf("shuffled: %.2f bytes a goroutine", float64(b)/n)
	}
	// Its full chunks are sorted: Merge reads them where they lie.
	for i, c := range shuffled.chunks[:len(shuffled.chunks)-1] {
		if runs := chunkRuns(c, true); len(runs) != 1 || &runs[0].l.chunks[0][0] != &c[0] {
			t.Fatalf("chunk %d of %d: %d runs", i, len(shuffled.chunks), len(runs))
		}
	}
	if len(shuffled.chunks) < 10 {
		t.Fatalf("%d chunks", len(shuffled.chunks))
	}
	i := 0
	for id := range nearly.All() {
		want := int64(i)
		if i%500 == 499 {
			want -= 100
		}
		if id != want {
			t.Fatalf("a nearly ascending list changed order at %d: %d", i, id)
		}
		i++
	}
}

// sorted stores what Merge yields.
func sorted(lists []*List, dedupe bool) *List {
	m := Merge(lists, dedupe)
	out := &List{}
	for {
		id, wait, ok := m.Next()
		if !ok {
			return out
		}
		Add(out, id, wait)
	}
}

// reference sorts the entries of lists, taken in order, as Merge
// does: stable by id, and with dedupe the last entry of each id.
func reference(lists [][]entry, dedupe bool) []entry {
	var all []entry
	for _, l := range lists {
		all = append(all, l...)
	}
	slices.SortStableFunc(all, func(a, b entry) int { return cmp.Compare(a.id, b.id) })
	if !dedupe {
		return all
	}
	var out []entry
	for i, e := range all {
		if i+1 < len(all) && all[i+1].id == e.id {
			continue
		}
		out = append(out, e)
	}
	return out
}

func TestSorted(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := []struct {
		name  string
		lists int
		n     int
		gen   func(i int) int64
	}{
		{"ascending", 1, 1000, func(i int) int64 { return int64(10 + 3*i) }},
		{"ascending lists", 5, 300, func(i int) int64 { return int64(i * 2) }},
		{"nearly ascending", 3, 40_017, func(i int) int64 { return int64(i) + rng.Int64N(40) }},
		{"few out of order", 3, 5000, func(i int) int64 {
			if i%300 == 299 {
				return int64(i) - 1000 // a goroutine started long before, listed late
			}
			return int64(i)
		}},
		{"one out of order", 2, 10, func(i int) int64 { return int64(i % 9) }},
		{"random", 4, 40_005, func(int) int64 { return rng.Int64N(65536) }},
		{"few ids", 6, 500, func(int) int64 { return rng.Int64N(9) }},
		{"huge", 3, 200, func(int) int64 { return rng.Int64() - rng.Int64() }},
		{"descending", 1, 20_003, func(i int) int64 { return math.MaxInt64 - int64(i) }},
	}
	for _, sh := range shapes {
		for _, dedupe := range []bool{true, false} {
			var lists []*List
			var plain [][]entry
			seq := 0
			for range sh.lists {
				l := &List{}
				var p []entry
				for i := range sh.n {
					e := entry{sh.gen(i), seq} // the wait tells entries apart
					seq++
					Add(l, e.id, e.wait)
					p = append(p, e)
				}
				lists, plain = append(lists, l), append(plain, p)
			}
			got := sorted(lists, dedupe)
			want := reference(plain, dedupe)
			ids, waits := collect(got)
			// Merge streams what sorted stores.
			m := Merge(lists, dedupe)
			for i := 0; ; i++ {
				id, wait, ok := m.Next()
				if !ok {
					if i != len(want) {
						t.Fatalf("%s dedupe=%v: Merge yields %d entries, want %d", sh.name, dedupe, i, len(want))
					}
					break
				}
				if i >= len(want) || id != want[i].id || wait != want[i].wait {
					t.Fatalf("%s dedupe=%v: Merge entry %d is %d/%d", sh.name, dedupe, i, id, wait)
				}
			}
			if len(ids) != len(want) || got.Len() != len(want) {
				t.Fatalf("%s dedupe=%v: %d entries (Len %d), want %d", sh.name, dedupe, len(ids), got.Len(), len(want))
			}
			for i, e := range want {
				if ids[i] != e.id || waits[i] != e.wait {
					t.Fatalf("%s dedupe=%v: entry %d is %d/%d, want %d/%d", sh.name, dedupe, i, ids[i], waits[i], e.id, e.wait)
				}
			}
			// The inputs are left as they were.
			for i, l := range lists {
				if got := entries(l); !slices.Equal(got, sortedEntries(plain[i])) {
					t.Fatalf("%s: list %d changed", sh.name, i)
				}
			}
		}
	}
}

// A list with few ids out of order is merged from its ascending
// stretches where they lie; one with many is copied into sorted runs.
func TestAscendingStretches(t *testing.T) {
	l := &List{}
	for i := range 10 * minNaturalRun {
		id := int64(i)
		if i%(2*minNaturalRun) == 0 {
			id = -id
		}
		Add(l, id, 0)
	}
	if got := ascending(NewReader(l), l.Len()); len(got) != 5 {
		t.Errorf("%d stretches, want 5", len(got))
	}
	r := &List{}
	for i := range 10 * minNaturalRun {
		Add(r, int64(i%2), 0)
	}
	if got := ascending(NewReader(r), r.Len()); got != nil {
		t.Errorf("%d stretches in a list of %d alternating ids", len(got), r.Len())
	}
}

// Empty and nil lists merge to nothing; a nil list reads as empty.
func TestEmpty(t *testing.T) {
	if _, _, ok := Merge([]*List{{}, nil}, true).Next(); ok {
		t.Error("empty lists merge to an entry")
	}
	if _, _, ok := Merge(nil, false).Next(); ok {
		t.Error("no list merges to an entry")
	}
	var empty *List
	if empty.Len() != 0 || Bytes(empty) != 0 {
		t.Error("a nil list is not empty")
	}
	if _, _, ok := NewReader(nil).Next(); ok {
		t.Error("a nil list reads an entry")
	}
	for range empty.All() {
		t.Error("a nil list yields an entry")
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add(int64(5), int64(-3), 90, uint8(7))
	f.Add(int64(math.MaxInt64), int64(math.MinInt64), math.MaxInt32, uint8(3))
	f.Fuzz(func(t *testing.T, start, step int64, wait int, n uint8) {
		var ids []int64
		var waits []int
		for i := range int64(n) {
			ids = append(ids, start+step*i*i%97) // wraps; unsorted and repeated
			waits = append(waits, wait^int(i))
		}
		gotIDs, gotWaits := collect(build(ids, waits))
		if !slices.Equal(gotIDs, ids) || !slices.Equal(gotWaits, waits) {
			t.Fatalf("got %v %v, want %v %v", gotIDs, gotWaits, ids, waits)
		}
		plain := make([]entry, len(ids))
		for i := range ids {
			plain[i] = entry{ids[i], i}
		}
		want := reference([][]entry{plain}, true)
		gotIDs, _ = collect(sorted([]*List{build(ids, waits)}, true))
		if len(gotIDs) != len(want) {
			t.Fatalf("sorted: %d ids, want %d", len(gotIDs), len(want))
		}
		for i := range want {
			if gotIDs[i] != want[i].id {
				t.Fatalf("sorted: %v", gotIDs)
			}
		}
	})
}
