package watch

import (
	"net/http/httptest"
	"runtime"
	"runtime/pprof"
	"slices"
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

func TestGoroutineLabelsChangeWithTheEpoch(t *testing.T) {
	var in inflight
	f, g := new(flight), new(flight)
	l1, id1 := in.goroutineLabels(f, 0)
	l2, id2 := in.goroutineLabels(f, 0)
	if id1 == "" || id1 != id2 || l1 != l2 {
		t.Errorf("within an epoch: %q then %q, want one reused label set", id1, id2)
	}
	if v, _ := pprof.Label(l1, LabelRequest); v != id1 {
		t.Errorf("label set holds %s=%q, want %q", LabelRequest, v, id1)
	}
	if _, idg := in.goroutineLabels(g, 0); idg == id1 {
		t.Errorf("two entries share the label %q", idg)
	}
	l3, id3 := in.goroutineLabels(f, in.nextEpoch())
	if id3 == id1 || l3 == l1 {
		t.Errorf("after rotation the entry still uses %q", id1)
	}
	if v, _ := pprof.Label(l3, LabelRequest); v != id3 {
		t.Errorf("label set holds %s=%q, want %q", LabelRequest, v, id3)
	}
}
