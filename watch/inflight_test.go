package watch

import (
	"net/http/httptest"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync/atomic"
	"testing"
)

func lateIDs(ls []lateRequest) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.info.Path)
	}
	slices.Sort(out)
	return out
}

func TestInflightOverdueReportsEachRequestOnce(t *testing.T) {
	var in inflight
	var fs []*flight
	// 40 requests started in 40 epochs.
	for i := range 40 {
		f := in.get()
		f.start(httptest.NewRequest("GET", "/"+string(rune('A'+i)), nil), uint64(i), "")
		fs = append(fs, f)
	}
	if n := in.count(); n != 40 {
		t.Errorf("count %d, want 40", n)
	}
	gone := []int{0, 16, 32, 5, 39}
	for _, i := range gone {
		in.put(fs[i])
	}
	if n := in.count(); n != 35 {
		t.Errorf("count %d after 5 left, want 35", n)
	}
	late := in.overdue(10)
	want := []string{}
	for i := 1; i <= 10; i++ {
		if i != 5 {
			want = append(want, "/"+string(rune('A'+i)))
		}
	}
	if got := lateIDs(late); !slices.Equal(got, want) {
		t.Errorf("overdue at 10s: %v, want %v", got, want)
	}
	if again := in.overdue(10); len(again) != 0 {
		t.Errorf("reported twice: %v", lateIDs(again))
	}
	// A late request is serving until it leaves, and its entry serving
	// another request does not make it serving again.
	l := late[0]
	if !l.serving() {
		t.Errorf("%s: not serving while in flight", l.info.Path)
	}
	in.put(l.entry)
	if l.serving() {
		t.Errorf("%s: serving after it left", l.info.Path)
	}
	l.entry.start(httptest.NewRequest("GET", "/next", nil), 0, "")
	if l.serving() {
		t.Errorf("%s: serving when its entry serves the next request", l.info.Path)
	}
	in.put(l.entry)

	got := lateIDs(in.overdue(20))
	want = want[:0]
	for i := 11; i <= 20; i++ {
		if i != 16 {
			want = append(want, "/"+string(rune('A'+i)))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("overdue at 20s: %v, want %v", got, want)
	}
	for i, f := range fs {
		if !slices.Contains(gone, i) && f != l.entry {
			in.put(f)
		}
	}
	if n := in.count(); n != 0 {
		t.Errorf("count %d after every request left", n)
	}
	if late := in.overdue(1000); len(late) != 0 {
		t.Errorf("requests that left reported: %v", lateIDs(late))
	}
}

// The registry must not keep alive the entries the pool lets go: a
// service's registry would otherwise grow after every burst of requests.
func TestInflightForgetsEntriesThePoolDrops(t *testing.T) {
	var in inflight
	fs := make([]*flight, 50)
	for i := range fs {
		fs[i] = in.get()
	}
	for _, f := range fs {
		in.put(f)
	}
	clear(fs)
	if n := len(in.entries()); n == 0 {
		t.Fatal("no entries before any collection")
	}
	// sync.Pool drops its entries over two collections; the weak
	// pointers clear when the entries are freed.
	for range 6 {
		runtime.GC()
	}
	if n := len(in.entries()); n != 0 {
		t.Errorf("%d entries still registered after the pool let them go", n)
	}
	if len(in.all) != 0 {
		t.Errorf("%d weak pointers kept", len(in.all))
	}
}

func TestCohortsCountAndReportTheirRequestsOnce(t *testing.T) {
	var in inflight
	in.begin()
	c0 := in.current.Load()
	a, b := c0.enter(), c0.enter()
	if e := in.nextEpoch(); e != 1 {
		t.Fatalf("epoch %d, want 1", e)
	}
	c1 := in.current.Load()
	if c1 == c0 || c1.label == c0.label {
		t.Fatalf("epoch 1 reuses epoch 0's cohort or label %q", c0.label)
	}
	for _, c := range []*cohort{c0, c1} {
		if v, _ := pprof.Label(c.labels, LabelRequest); v != c.label {
			t.Errorf("cohort's label set holds %s=%q, want %q", LabelRequest, v, c.label)
		}
	}
	x := c1.enter()
	if n := in.count(); n != 3 {
		t.Errorf("count %d, want 3", n)
	}
	if late := in.lateCohorts(0); len(late) != 1 || late[0] != c0 {
		t.Errorf("late at epoch 0: %v, want epoch 0's cohort", late)
	}
	if late := in.lateCohorts(0); len(late) != 0 {
		t.Errorf("epoch 0 reported twice")
	}
	a.Add(-1)
	b.Add(-1)
	// Epoch 0 is empty now but stays until epoch 2 (a request may
	// have loaded it and not yet counted itself), then goes.
	in.nextEpoch()
	if !slices.Contains(in.cohorts, c1) || slices.Contains(in.cohorts, c0) || len(in.cohorts) != 2 {
		t.Errorf("after epoch 2: %d cohorts, want epochs 1 and 2", len(in.cohorts))
	}
	if late := in.lateCohorts(1); len(late) != 1 || late[0] != c1 {
		t.Errorf("late at epoch 1: %v, want epoch 1's cohort", late)
	}
	x.Add(-1)
	if n := in.count(); n != 0 {
		t.Errorf("count %d after every request left", n)
	}
	in.nextEpoch()
	in.nextEpoch()
	if len(in.cohorts) != 2 {
		t.Errorf("%d cohorts kept, want the current and the previous one", len(in.cohorts))
	}
	if late := in.lateCohorts(1000); len(late) != 0 {
		t.Errorf("cohorts without requests reported: %v", late)
	}
}

// Concurrent requests must count themselves in different counters, or
// every request would write the cache line the others just wrote.
func TestCohortSpreadsGoroutinesOverItsCounters(t *testing.T) {
	c := newCohort(0, 1)
	const goroutines = 64
	counters := make(chan *atomic.Int64)
	release := make(chan struct{})
	for range goroutines {
		go func() {
			counters <- c.enter()
			<-release
		}()
	}
	used := map[*atomic.Int64]bool{}
	for range goroutines {
		used[<-counters] = true
	}
	close(release)
	if c.running() != goroutines {
		t.Errorf("running %d, want %d", c.running(), goroutines)
	}
	if min := min(len(c.counts), goroutines) / 4; len(used) < min {
		t.Errorf("%d goroutines used %d of %d counters, want at least %d", goroutines, len(used), len(c.counts), min)
	}
}
