package watch

import (
	"slices"
	"testing"
	"time"
)

func ids(fs []flight) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.id)
	}
	slices.Sort(out)
	return out
}

func TestInflightOverdueReportsEachRequestOnce(t *testing.T) {
	var in inflight
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var fs []*flight
	// 40 requests over 40 seconds, spread over every shard, several per shard.
	for i := range 40 {
		f := &flight{id: string(rune('A' + i)), started: base.Add(time.Duration(i) * time.Second)}
		in.add(f, uint64(i))
		fs = append(fs, f)
	}
	// Requests leave from the head, the middle and the tail of their shard's list.
	for _, i := range []int{0, 16, 32, 5, 39} {
		in.remove(fs[i])
	}
	got := ids(in.overdue(base.Add(10 * time.Second)))
	want := []string{}
	for i := 1; i <= 10; i++ {
		if i != 5 {
			want = append(want, string(rune('A'+i)))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("overdue at 10s: %v, want %v", got, want)
	}
	if again := in.overdue(base.Add(10 * time.Second)); len(again) != 0 {
		t.Errorf("reported twice: %v", ids(again))
	}
	// Later, the ones that became overdue since, minus those gone.
	got = ids(in.overdue(base.Add(20 * time.Second)))
	want = want[:0]
	for i := 11; i <= 20; i++ {
		if i != 16 {
			want = append(want, string(rune('A'+i)))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("overdue at 20s: %v, want %v", got, want)
	}
	// Everything removed: nothing left to report, lists empty.
	for i, f := range fs {
		if !slices.Contains([]int{0, 16, 32, 5, 39}, i) {
			in.remove(f)
		}
	}
	for i := range in.shards {
		if in.shards[i].head != nil {
			t.Errorf("shard %d not empty after every request left", i)
		}
	}
	if late := in.overdue(base.Add(time.Hour)); len(late) != 0 {
		t.Errorf("removed requests reported: %v", ids(late))
	}
}
