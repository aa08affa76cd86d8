package diagnose

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/silentfail/silentfail/goroutines"
	"github.com/silentfail/silentfail/internal/members"
)

// A group's members are kept compactly and compared by walking sorted
// lists; what identity and restarts conclude must be what maps of ids
// conclude (the way it was done before), whatever the order of the ids,
// their repeats, their size, and whether the goroutines come folded,
// one by one or both.

type entry struct {
	id   int64
	wait int
}

// records cuts a snapshot's entries of one group into the records a
// dump read folded or not would give.
func records(rng *rand.Rand, entries []entry) []*goroutines.Goroutine {
	var out []*goroutines.Goroutine
	for i := 0; i < len(entries); {
		n := 1 + rng.IntN(len(entries)-i)
		if rng.IntN(3) == 0 {
			for _, e := range entries[i : i+n] {
				out = append(out, &goroutines.Goroutine{ID: e.id, Count: 1, WaitMinutes: e.wait})
			}
		} else {
			m := new(goroutines.Members)
			for _, e := range entries[i : i+n] {
				members.Add(m, e.id, e.wait)
			}
			out = append(out, &goroutines.Goroutine{ID: entries[i].id, Count: n, Members: m})
		}
		i += n
	}
	return out
}

// referenceIdentity is identity as maps computed it: each id with the
// wait of its last entry.
func referenceIdentity(snaps [][]entry) identity {
	var id identity
	sets := make([]map[int64]int, len(snaps))
	for t, es := range snaps {
		if len(es) > 0 {
			sets[t] = make(map[int64]int)
			for _, e := range es {
				sets[t][e.id] = e.wait
			}
		}
	}
	start := 0
	for start < len(sets) && sets[start] == nil {
		start++
	}
	sets = sets[start:]
	if len(sets) < 2 {
		return id
	}
	first, last := sets[0], sets[len(sets)-1]
	id.snapshots, id.known, id.first, id.stayed, id.eachStep = len(sets), true, len(first), true, true
	for gid, w := range first {
		for _, s := range sets[1:] {
			if _, ok := s[gid]; !ok {
				id.stayed = false
			}
		}
		if lw, ok := last[gid]; ok && lw > w {
			id.waitGrew = true
		}
	}
	common := func(a, b map[int64]int) int {
		n := 0
		for k := range a {
			if _, ok := b[k]; ok {
				n++
			}
		}
		return n
	}
	id.arrived = len(last) - common(last, first)
	for t := 1; t < len(sets); t++ {
		if len(sets[t])-common(sets[t], sets[t-1]) == 0 {
			id.eachStep = false
		}
	}
	prev := sets[len(sets)-2]
	id.same = len(prev) == len(last) && common(last, prev) == len(last)
	return id
}

func randomEntries(rng *rand.Rand, shape int, prev []entry) []entry {
	n := rng.IntN(40)
	if shape == 4 {
		// Tens of thousands in no order: lists sorted a chunk at a time.
		n = 20_000 + rng.IntN(20_000)
	}
	var out []entry
	for i := range n {
		var id int64
		switch shape {
		case 0: // ascending, as dumps list them
			id = int64(100 + 3*i)
		case 1: // few ids: repeats, and members that stay
			id = rng.Int64N(12)
		case 2: // anywhere in int64
			id = []int64{math.MinInt64, math.MaxInt64, 0, -1, rng.Int64(), -rng.Int64()}[rng.IntN(6)]
		case 4:
			if len(prev) > 0 && rng.IntN(4) > 0 {
				id = prev[rng.IntN(len(prev))].id
			} else {
				id = rng.Int64N(50_000)
			}
		default: // the previous snapshot's, some replaced
			if len(prev) > 0 && rng.IntN(4) > 0 {
				id = prev[rng.IntN(len(prev))].id
			} else {
				id = rng.Int64N(1 << 20)
			}
		}
		wait := rng.IntN(5)
		if rng.IntN(10) == 0 {
			wait = []int{math.MaxInt32, math.MaxInt32 + 1, math.MaxInt}[rng.IntN(3)]
		}
		out = append(out, entry{id, wait})
	}
	return out
}

func TestIdentityMatchesMaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	stayed, grew, long := 0, 0, 0
	for iter := range 3000 {
		shape := rng.IntN(4)
		if iter%150 == 0 {
			shape = 4
		}
		snaps := make([][]entry, 1+rng.IntN(4))
		g := &Group{Counts: make([]int, len(snaps)), waits: make([]*memberSet, len(snaps))}
		var prev []entry
		for t := range snaps {
			if rng.IntN(5) > 0 {
				snaps[t] = randomEntries(rng, shape, prev)
				prev = snaps[t]
			}
			for _, r := range records(rng, snaps[t]) {
				if r.Members != nil && members.Bytes(r.Members) > 32<<10 {
					long++ // several chunks, sorted as they filled
				}
				if g.waits[t] == nil {
					g.waits[t] = &memberSet{}
				}
				g.waits[t].add(r)
				g.Counts[t] += r.Count
			}
		}
		got, want := g.identity(), referenceIdentity(snaps)
		if got != want {
			t.Fatalf("case %d %v:\ngot  %+v\nwant %+v", iter, snaps, got, want)
		}
		if got.stayed && got.known {
			stayed++
		}
		if got.waitGrew {
			grew++
		}
	}
	if stayed < 50 || grew < 50 || long < 5 {
		t.Errorf("of 3000 cases, %d stayed, %d waited longer, %d lists were long: the cases test too little", stayed, grew, long)
	}
}

// referenceRestarts is restarts as maps computed it.
func referenceRestarts(snaps [][]entry) []int {
	const startup, margin = 100, 16 * 64
	lives := []int{0}
	for t := 1; t < len(snaps); t++ {
		ids := make(map[int64]bool)
		var maxA int64
		for _, e := range snaps[t-1] {
			ids[e.id] = true
			maxA = max(maxA, e.id)
		}
		unexplained := 0
		for _, e := range snaps[t] {
			if e.id > startup && e.id < maxA-margin && !ids[e.id] {
				unexplained++
			}
		}
		if unexplained >= 3 {
			lives = append(lives, t)
		}
	}
	return lives
}

func TestRestartsMatchMaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	split := 0
	for iter := range 1000 {
		var plain [][]entry
		var snaps []*goroutines.Snapshot
		var timeline []int
		for t := range 1 + rng.IntN(4) {
			var es []entry
			if rng.IntN(2) == 0 {
				// A process counting from a base: ids ascend, some left.
				base := []int64{1, 3000, 50000}[rng.IntN(3)]
				count := rng.IntN(3000)
				if iter%50 == 0 {
					count = 40_000 // lists sorted a chunk at a time when shuffled
				}
				for i := range count {
					if rng.IntN(3) > 0 {
						es = append(es, entry{base + int64(i), 0})
					}
				}
				switch rng.IntN(3) {
				case 0: // listed in any order
					rng.Shuffle(len(es), func(i, j int) { es[i], es[j] = es[j], es[i] })
				case 1: // a few out of order
					for range 1 + rng.IntN(5) {
						i, j := rng.IntN(len(es)+1), rng.IntN(len(es)+1)
						if i < len(es) && j < len(es) {
							es[i], es[j] = es[j], es[i]
						}
					}
				}
			} else {
				es = randomEntries(rng, rng.IntN(4), nil)
			}
			if len(es) == 0 {
				es = append(es, entry{1, 0}) // a dump lists a goroutine at least
			}
			plain = append(plain, es)
			snaps = append(snaps, &goroutines.Snapshot{Format: goroutines.FormatDump, Goroutines: records(rng, es)})
			timeline = append(timeline, t)
		}
		got, want := restarts(snaps, timeline), referenceRestarts(plain)
		if len(want) > 1 {
			split++
		}
		if len(got) != len(want) {
			t.Fatalf("case %d: restarts %v, want %v", iter, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("case %d: restarts %v, want %v", iter, got, want)
			}
		}
	}
	if split < 50 {
		t.Errorf("only %d cases of 1000 restart: the cases test too little", split)
	}
}
