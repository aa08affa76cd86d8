package gendump_test

import (
	"bytes"
	"testing"

	"github.com/silentfail/silentfail/goroutines"
	"github.com/silentfail/silentfail/goroutines/internal/gendump"
)

// The generated dump must read like a real one: exactly n goroutines,
// the leaked ones created by main in goroutine 1, wait times as the
// runtime prints them.
func TestWriteParses(t *testing.T) {
	for _, n := range []int{1, 3, 1000} {
		var buf bytes.Buffer
		if err := gendump.Write(&buf, n); err != nil {
			t.Fatal(err)
		}
		s, err := goroutines.Parse(&buf)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if s.Total() != n || len(s.Goroutines) != n {
			t.Fatalf("n=%d: parsed %d goroutines (%d entries)", n, s.Total(), len(s.Goroutines))
		}
		if n < 1000 {
			continue
		}
		ids := map[int64]bool{}
		lookups, withMinutes, locked := 0, 0, 0
		for _, g := range s.Goroutines {
			if ids[g.ID] {
				t.Fatalf("goroutine %d twice", g.ID)
			}
			ids[g.ID] = true
			if g.WaitMinutes > 90 {
				t.Errorf("goroutine %d: %d minutes", g.ID, g.WaitMinutes)
			}
			if g.WaitMinutes > 0 {
				withMinutes++
			}
			if g.Locked {
				locked++
			}
			if len(g.Stack) > 0 && g.Stack[0].Function == "main.lookup" {
				lookups++
				if g.State != "chan send" || g.CreatedBy == nil || g.CreatedBy.Function != "main.main" || g.CreatorID != 1 {
					t.Fatalf("lookup goroutine %d: %+v created by %+v", g.ID, g, g.CreatedBy)
				}
			}
		}
		// The capture has 3 lookups among its 7 leaked goroutines.
		if lookups < 400 || lookups > 440 {
			t.Errorf("%d main.lookup goroutines of %d", lookups, n)
		}
		if withMinutes < n/2 || withMinutes == n {
			t.Errorf("%d of %d goroutines with wait minutes", withMinutes, n)
		}
		if locked < 100 {
			t.Errorf("%d goroutines locked to their thread", locked)
		}
	}
	if gendump.Write(&bytes.Buffer{}, 0) == nil {
		t.Error("n=0: no error")
	}
}

// A shuffled dump lists the same goroutines, with the same ids, in
// another order: each group's ids far from ascending.
func TestWriteShuffled(t *testing.T) {
	for _, n := range []int{1, 5, 3000, 70_000} {
		var plain, shuffled bytes.Buffer
		if err := gendump.Write(&plain, n); err != nil {
			t.Fatal(err)
		}
		if err := gendump.WriteShuffled(&shuffled, n); err != nil {
			t.Fatal(err)
		}
		a, err := goroutines.Parse(&plain)
		if err != nil {
			t.Fatal(err)
		}
		b, err := goroutines.Parse(&shuffled)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Goroutines) != n || len(b.Goroutines) != n {
			t.Fatalf("n=%d: %d and %d goroutines", n, len(a.Goroutines), len(b.Goroutines))
		}
		ids := make(map[int64]string)
		for _, g := range a.Goroutines {
			ids[g.ID] = g.State
		}
		descents := 0
		for i, g := range b.Goroutines {
			if _, ok := ids[g.ID]; !ok {
				t.Fatalf("n=%d: goroutine %d is not in the plain dump", n, g.ID)
			}
			delete(ids, g.ID)
			if i > 0 && g.ID < b.Goroutines[i-1].ID {
				descents++
			}
		}
		if len(ids) != 0 {
			t.Fatalf("n=%d: %d goroutines of the plain dump missing", n, len(ids))
		}
		if n >= 3000 && descents < n/4 {
			t.Errorf("n=%d: only %d ids below the one before", n, descents)
		}
	}
}
