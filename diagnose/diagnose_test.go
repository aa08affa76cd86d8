package diagnose_test

import (
	"strings"
	"testing"
	"time"

	"github.com/silentfail/silentfail/diagnose"
	"github.com/silentfail/silentfail/goroutines"
)

const src = "/home/dev/shop/"

func fr(fn string, file string, line int) goroutines.Frame {
	return goroutines.Frame{Function: fn, File: file, Line: line}
}

// Stacks a real order service shows.
var (
	leakySend = []goroutines.Frame{
		fr("runtime.gopark", "/usr/local/go/src/runtime/proc.go", 435),
		fr("runtime.chansend", "/usr/local/go/src/runtime/chan.go", 283),
		fr("runtime.chansend1", "/usr/local/go/src/runtime/chan.go", 161),
		fr("example.com/shop.(*API).stock.func1", src+"stock.go", 48),
	}
	leakyCreator = fr("example.com/shop.(*API).stock", src+"stock.go", 46)
	worker       = []goroutines.Frame{
		fr("runtime.gopark", "/usr/local/go/src/runtime/proc.go", 435),
		fr("runtime.chanrecv", "/usr/local/go/src/runtime/chan.go", 664),
		fr("runtime.chanrecv2", "/usr/local/go/src/runtime/chan.go", 511),
		fr("example.com/shop.(*reports).work", src+"worker.go", 40),
	}
	workerCreator = fr("example.com/shop.(*reports).start", src+"worker.go", 30)
	accept        = []goroutines.Frame{
		fr("internal/poll.runtime_pollWait", "/usr/local/go/src/runtime/netpoll.go", 351),
		fr("net.(*netFD).accept", "/usr/local/go/src/net/fd_unix.go", 172),
		fr("net/http.(*Server).Serve", "/usr/local/go/src/net/http/server.go", 3424),
		fr("main.run.func1", src+"main.go", 66),
	}
)

// snap builds a debug=2-like snapshot: n goroutines per stack.
func snap(t time.Time, groups ...group) *goroutines.Snapshot {
	s := &goroutines.Snapshot{Time: t, Format: goroutines.FormatDump, Profile: goroutines.ProfileGoroutine}
	id := int64(1)
	for _, g := range groups {
		if g.firstID != 0 {
			id = g.firstID
		}
		for range g.n {
			s.Goroutines = append(s.Goroutines, &goroutines.Goroutine{ID: id, Count: 1, State: g.state, WaitMinutes: g.wait, Stack: g.stack, CreatedBy: g.creator})
			id++
		}
	}
	return s
}

type group struct {
	stack   []goroutines.Frame
	creator *goroutines.Frame
	state   string
	wait    int
	n       int
	// firstID is the id of the group's first goroutine, the others
	// following it; 0 goes on from the previous group's.
	firstID int64
}

var t0 = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

func find(t *testing.T, rep *diagnose.Report, fn string) *diagnose.Group {
	t.Helper()
	for _, g := range rep.Groups {
		if g.Culprit != nil && g.Culprit.Function == fn {
			return g
		}
	}
	t.Fatalf("no group with culprit %s", fn)
	return nil
}

func TestGrowingBlockedGroupIsALeak(t *testing.T) {
	snaps := []*goroutines.Snapshot{
		// Out of order on purpose: the timeline follows the times.
		snap(t0.Add(20*time.Second), group{leakySend, &leakyCreator, "chan send", 0, 120, 0}, group{worker, &workerCreator, "chan receive", 0, 8, 0}, group{accept, nil, "IO wait", 0, 1, 0}),
		snap(t0, group{leakySend, &leakyCreator, "chan send", 0, 10, 0}, group{worker, &workerCreator, "chan receive", 0, 8, 0}, group{accept, nil, "IO wait", 0, 1, 0}),
		snap(t0.Add(10*time.Second), group{leakySend, &leakyCreator, "chan send", 0, 60, 0}, group{worker, &workerCreator, "chan receive", 0, 8, 0}, group{accept, nil, "IO wait", 0, 1, 0}),
	}
	rep, err := diagnose.Analyze(snaps)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Groups) != 3 || rep.Leaks() != 1 {
		t.Fatalf("groups %d, leaks %d; want 3 and 1", len(rep.Groups), rep.Leaks())
	}
	leak := rep.Groups[0]
	if leak.Verdict != diagnose.Leak || leak.Culprit.Function != "example.com/shop.(*API).stock.func1" {
		t.Fatalf("worst group: %s at %v, want the leak in stock.func1", leak.Verdict, leak.Culprit)
	}
	if got := leak.Counts; got[0] != 10 || got[1] != 60 || got[2] != 120 {
		t.Errorf("counts %v, want [10 60 120] in time order", got)
	}
	if !strings.Contains(leak.Reason, "grew from 10 to 120 over 3 snapshots") || !strings.Contains(leak.Reason, "chan send") {
		t.Errorf("reason: %s", leak.Reason)
	}
	if w := find(t, rep, "example.com/shop.(*reports).work"); w.Verdict != diagnose.OK || !strings.Contains(w.Reason, "stable group of 8") {
		t.Errorf("worker pool: %s: %s", w.Verdict, w.Reason)
	}
	if a := find(t, rep, "main.run.func1"); a.Verdict != diagnose.OK || !strings.Contains(a.Reason, "net/http.(*Server).Serve") {
		t.Errorf("accept loop: %s: %s", a.Verdict, a.Reason)
	}
	for _, n := range rep.Notes {
		if strings.Contains(n, "growth cannot be judged") {
			t.Errorf("three snapshots, yet: %s", n)
		}
	}
}

func TestTwoSnapshotsMakeASuspect(t *testing.T) {
	rep, err := diagnose.Analyze([]*goroutines.Snapshot{
		snap(t0, group{leakySend, &leakyCreator, "chan send", 0, 10, 0}),
		snap(t0.Add(time.Minute), group{leakySend, &leakyCreator, "chan send", 0, 40, 0}),
	})
	if err != nil {
		t.Fatal(err)
	}
	g := rep.Groups[0]
	if g.Verdict != diagnose.Suspect || !strings.Contains(g.Reason, "take a third") {
		t.Errorf("%s: %s; want suspect, two snapshots cannot tell", g.Verdict, g.Reason)
	}
}

// Goroutine ids tell who stayed. Two dumps: the first snapshot's
// goroutines all still blocked, waiting longer, and new ones arrived:
// a leak. The same growth with the first ones gone: work that finishes.
// Four dumps of a pool that scaled once and kept its goroutines: ok.
func TestIdentityAcrossSnapshots(t *testing.T) {
	leakyOld := group{leakySend, &leakyCreator, "chan send", 2, 10, 100}
	rep, _ := diagnose.Analyze([]*goroutines.Snapshot{
		snap(t0, group{leakySend, &leakyCreator, "chan send", 0, 10, 100}),
		snap(t0.Add(3*time.Minute), leakyOld, group{leakySend, &leakyCreator, "chan send", 0, 30, 500}),
	})
	if g := rep.Groups[0]; g.Verdict != diagnose.Leak || !strings.Contains(g.Reason, "all 10 of the first are still there (same goroutine ids) while 30 more arrived") {
		t.Errorf("two dumps, the first ones waiting longer: %s: %s", g.Verdict, g.Reason)
	}

	// Two dumps seconds apart, of goroutines that carry a request's
	// label: started per request, so not a pool that scaled once.
	labelled := func(s *goroutines.Snapshot) *goroutines.Snapshot {
		for _, g := range s.Goroutines {
			g.Labels = map[string]string{"http.route": "GET /stock/{sku}"}
		}
		return s
	}
	rep, _ = diagnose.Analyze([]*goroutines.Snapshot{
		labelled(snap(t0, group{leakySend, &leakyCreator, "chan send", 0, 10, 100})),
		labelled(snap(t0.Add(10*time.Second), group{leakySend, &leakyCreator, "chan send", 0, 40, 100})),
	})
	if g := rep.Groups[0]; g.Verdict != diagnose.Leak || !strings.Contains(g.Reason, "started per request") {
		t.Errorf("two dumps of per-request goroutines: %s: %s", g.Verdict, g.Reason)
	}

	rep, _ = diagnose.Analyze([]*goroutines.Snapshot{
		snap(t0, group{leakySend, &leakyCreator, "chan send", 0, 10, 100}),
		snap(t0.Add(10*time.Second), group{leakySend, &leakyCreator, "chan send", 0, 25, 200}),
		snap(t0.Add(20*time.Second), group{leakySend, &leakyCreator, "chan send", 0, 40, 300}),
	})
	if g := rep.Groups[0]; g.Verdict != diagnose.Suspect || !strings.Contains(g.Reason, "members come and go") {
		t.Errorf("ids replaced: %s: %s", g.Verdict, g.Reason)
	}

	pool := func(n int) group { return group{worker, &workerCreator, "chan receive", 0, n, 1000} }
	rep, _ = diagnose.Analyze([]*goroutines.Snapshot{
		snap(t0, pool(10)), snap(t0.Add(10*time.Second), pool(210)),
		snap(t0.Add(20*time.Second), pool(210)), snap(t0.Add(30*time.Second), pool(210)),
	})
	if g := rep.Groups[0]; g.Verdict != diagnose.OK || !strings.Contains(g.Reason, "pool that scaled once") {
		t.Errorf("pool 10 -> 210 -> 210 -> 210: %s: %s", g.Verdict, g.Reason)
	}

	// Started between the first two snapshots: judged from the first
	// one it is in.
	rep, _ = diagnose.Analyze([]*goroutines.Snapshot{
		snap(t0, group{accept, nil, "IO wait", 0, 1, 1}), snap(t0.Add(10*time.Second), pool(210)),
		snap(t0.Add(20*time.Second), pool(210)), snap(t0.Add(30*time.Second), pool(210)),
	})
	if g := find(t, rep, "example.com/shop.(*reports).work"); g.Verdict != diagnose.OK || !strings.Contains(g.Reason, "pool that scaled once") {
		t.Errorf("pool 0 -> 210 -> 210 -> 210: %s: %s", g.Verdict, g.Reason)
	}

	// A group that first appears in the second snapshot is followed
	// from there to the last: its first members gone by the last
	// snapshot did not stay, though they are still in the third.
	acc := group{accept, nil, "IO wait", 0, 1, 1}
	rep, _ = diagnose.Analyze([]*goroutines.Snapshot{
		snap(t0, acc),
		snap(t0.Add(10*time.Second), acc, group{leakySend, &leakyCreator, "chan send", 0, 10, 100}),
		snap(t0.Add(20*time.Second), acc, group{leakySend, &leakyCreator, "chan send", 0, 25, 100}),
		snap(t0.Add(30*time.Second), acc, group{leakySend, &leakyCreator, "chan send", 0, 40, 300}),
	})
	if g := find(t, rep, "example.com/shop.(*API).stock.func1"); strings.Contains(g.Reason, "still there") {
		t.Errorf("members gone by the last snapshot counted as staying: %s: %s", g.Verdict, g.Reason)
	}

	// Profiles carry no ids: two of them stay a suspect.
	prof := func(at time.Time, n int) *goroutines.Snapshot {
		return &goroutines.Snapshot{Time: at, Format: goroutines.FormatProfile, Profile: goroutines.ProfileGoroutine,
			Goroutines: []*goroutines.Goroutine{{Count: n, Stack: leakySend}}}
	}
	rep, _ = diagnose.Analyze([]*goroutines.Snapshot{prof(t0, 10), prof(t0.Add(time.Minute), 40)})
	if g := rep.Groups[0]; g.Verdict != diagnose.Suspect || !strings.Contains(g.Reason, "too few") {
		t.Errorf("two profiles: %s: %s", g.Verdict, g.Reason)
	}
}

func TestShrinkingGroupIsNotALeak(t *testing.T) {
	rep, _ := diagnose.Analyze([]*goroutines.Snapshot{
		snap(t0, group{leakySend, &leakyCreator, "chan send", 0, 10, 0}),
		snap(t0.Add(10*time.Second), group{leakySend, &leakyCreator, "chan send", 0, 4, 0}),
		snap(t0.Add(20*time.Second), group{leakySend, &leakyCreator, "chan send", 0, 30, 0}),
	})
	if g := rep.Groups[0]; g.Verdict == diagnose.Leak {
		t.Errorf("a group that shrank is a burst, not a leak: %s", g.Reason)
	}
}

func TestOneSnapshotIsHonest(t *testing.T) {
	rep, _ := diagnose.Analyze([]*goroutines.Snapshot{
		snap(t0, group{leakySend, &leakyCreator, "chan send", 25, 150, 0}, group{worker, &workerCreator, "chan receive", 25, 8, 0}),
	})
	if len(rep.Notes) == 0 || !strings.Contains(rep.Notes[0], "growth cannot be judged") {
		t.Errorf("notes: %q", rep.Notes)
	}
	if g := rep.Groups[0]; g.Verdict != diagnose.Leak || !strings.Contains(g.Reason, "150 goroutines blocked in chan send") || !strings.Contains(g.Reason, "25 minutes") {
		t.Errorf("long-blocked crowd: %s: %s", g.Verdict, g.Reason)
	}
	// Eight workers idle for 25 minutes are a pool, not a leak.
	if w := find(t, rep, "example.com/shop.(*reports).work"); w.Verdict != diagnose.OK {
		t.Errorf("idle workers: %s: %s", w.Verdict, w.Reason)
	}
	// The same crowd, blocked under a minute: only a suspect.
	rep, _ = diagnose.Analyze([]*goroutines.Snapshot{snap(t0, group{leakySend, &leakyCreator, "chan send", 0, 150, 0})})
	if g := rep.Groups[0]; g.Verdict != diagnose.Suspect {
		t.Errorf("fresh crowd: %s: %s", g.Verdict, g.Reason)
	}
}

func TestGoroutineLeakProfileDecides(t *testing.T) {
	leakProfile := &goroutines.Snapshot{Time: t0, Format: goroutines.FormatProfile, Profile: goroutines.ProfileGoroutineLeak,
		Goroutines: []*goroutines.Goroutine{{Count: 3, Stack: leakySend, CreatedBy: &leakyCreator}}}
	rep, _ := diagnose.Analyze([]*goroutines.Snapshot{
		snap(t0, group{leakySend, &leakyCreator, "chan send", 0, 3, 0}, group{worker, &workerCreator, "chan receive", 0, 8, 0}),
		leakProfile,
	})
	if len(rep.Timeline) != 1 {
		t.Fatalf("timeline %v: the leak profile is not a point of it", rep.Timeline)
	}
	g := rep.Groups[0]
	if g.Verdict != diagnose.Leak || g.Leaked != 3 || !strings.Contains(g.Reason, "goroutineleak") {
		t.Errorf("%s (%d leaked): %s", g.Verdict, g.Leaked, g.Reason)
	}
	for _, n := range rep.Notes {
		if strings.Contains(n, "No goroutineleak") {
			t.Errorf("note despite the profile: %s", n)
		}
	}
}

func TestAggregatedProfilesInferState(t *testing.T) {
	prof := func(at time.Time, n int) *goroutines.Snapshot {
		return &goroutines.Snapshot{Time: at, Format: goroutines.FormatText, Profile: goroutines.ProfileGoroutine,
			Goroutines: []*goroutines.Goroutine{{Count: n, Stack: leakySend}, {Count: 8, Stack: worker}}}
	}
	rep, _ := diagnose.Analyze([]*goroutines.Snapshot{prof(t0, 5), prof(t0.Add(time.Second), 50), prof(t0.Add(2*time.Second), 90)})
	if g := rep.Groups[0]; g.State != "chan send" || g.Verdict != diagnose.Leak {
		t.Errorf("state %q, verdict %s: %s", g.State, g.Verdict, g.Reason)
	}
}

func TestFindingsAreLinked(t *testing.T) {
	findings := []diagnose.Finding{
		{Check: "chanleak", Message: "goroutine blocks forever", File: "stock.go", Line: 47, Func: "example.com/shop.(*API).stock", FuncStart: 40, FuncEnd: 60},
		{Check: "deferloop", Message: "elsewhere", File: "store.go", Line: 47, FuncStart: 40, FuncEnd: 60},
		{Check: "ctxcancel", Message: "other function", File: "stock.go", Line: 80, FuncStart: 70, FuncEnd: 90},
	}
	rep, _ := diagnose.Analyze([]*goroutines.Snapshot{snap(t0, group{leakySend, &leakyCreator, "chan send", 0, 3, 0})}, diagnose.WithFindings(findings))
	got := rep.Groups[0].Findings
	if len(got) != 1 || got[0].Check != "chanleak" {
		t.Errorf("linked %+v, want only the chanleak finding", got)
	}
}

func TestGroupByFunction(t *testing.T) {
	other := append([]goroutines.Frame(nil), leakySend...)
	other[3].Line = 52
	snaps := []*goroutines.Snapshot{snap(t0, group{leakySend, &leakyCreator, "chan send", 0, 2, 0}, group{other, &leakyCreator, "chan send", 0, 3, 0})}
	if rep, _ := diagnose.Analyze(snaps); len(rep.Groups) != 2 {
		t.Errorf("by lines: %d groups, want 2", len(rep.Groups))
	}
	if rep, _ := diagnose.Analyze(snaps, diagnose.GroupByFunction()); len(rep.Groups) != 1 || rep.Groups[0].Last() != 5 {
		t.Errorf("by function: want one group of 5")
	}
}

func TestModuleChoosesTheCulprit(t *testing.T) {
	lib := append([]goroutines.Frame{fr("github.com/lib/pq.(*conn).recv", "/go/pkg/mod/pq/conn.go", 10)}, leakySend[3:]...)
	rep, _ := diagnose.Analyze([]*goroutines.Snapshot{snap(t0, group{lib, nil, "IO wait", 0, 1, 0})}, diagnose.Module("example.com/shop"))
	if c := rep.Groups[0].Culprit; c == nil || c.Function != "example.com/shop.(*API).stock.func1" {
		t.Errorf("culprit %v, want the module's frame", c)
	}
}

func TestNoSnapshot(t *testing.T) {
	if _, err := diagnose.Analyze(nil); err == nil {
		t.Error("no error for no snapshot")
	}
}

// TestHungTestDump reads the real output of a `go test -timeout` that
// hung (goroutines/testdata/capture_tests.sh), in a module whose path
// has no dot: the test's goroutines are the user's, not the testing
// package's; the test's own goroutine and those it waits for are
// leaks, on their lines; the testing framework's are not.
func TestHungTestDump(t *testing.T) {
	for _, v := range []string{"go1.26", "go1.27"} {
		rep := analyzeCapture(t, v+".testtimeout.txt")
		for _, want := range []struct {
			fn   string
			line int
			why  string
		}{
			{"hungtest.(*store).get", 27, "when the test binary timed out after 2s (running TestHang)"},
			{"hungtest.reporter", 34, "when the test binary timed out after 2s"},
			{"hungtest.TestHang", 50, "TestHang hung here"},
		} {
			g := culpritGroup(rep, want.fn)
			if g == nil {
				t.Errorf("%s: no group blocked in %s", v, want.fn)
				continue
			}
			if g.Verdict != diagnose.Leak || g.Culprit.Line != want.line || !strings.Contains(g.Reason, want.why) {
				t.Errorf("%s: %s: %s at line %d (%s), want leak at line %d (%q)", v, want.fn, g.Verdict, g.Culprit.Line, g.Reason, want.line, want.why)
			}
		}
		if n := rep.Leaks(); n != 3 {
			t.Errorf("%s: %d leaks, want 3 (the testing framework's goroutines are not)", v, n)
		}
	}
}

// TestDeadlockDump: every blocked goroutine of the runtime's deadlock
// crash is blocked for good.
func TestDeadlockDump(t *testing.T) {
	for _, v := range []string{"go1.26", "go1.27"} {
		rep := analyzeCapture(t, v+".deadlock.txt")
		for _, fn := range []string{"main.main", "main.produce"} {
			if g := culpritGroup(rep, fn); g == nil || g.Verdict != diagnose.Leak || !strings.Contains(g.Reason, "deadlock") {
				t.Errorf("%s: %s: %+v, want a deadlock leak", v, fn, g)
			}
		}
	}
}

// TestPanicIsNotAHang: an ordinary panic's traceback says nothing about
// goroutines blocked for good.
func TestPanicIsNotAHang(t *testing.T) {
	rep := analyzeCapture(t, "go1.26.panic.txt")
	for _, g := range rep.Groups {
		if strings.Contains(g.Reason, "timed out") || strings.Contains(g.Reason, "deadlock") {
			t.Errorf("%s: %s", g.Verdict, g.Reason)
		}
	}
}

// analyzeCapture judges one real capture of goroutines/testdata.
func analyzeCapture(t *testing.T, name string) *diagnose.Report {
	t.Helper()
	s, err := goroutines.ParseFile("../goroutines/testdata/captures/" + name)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := diagnose.Analyze([]*goroutines.Snapshot{s})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func culpritGroup(rep *diagnose.Report, fn string) *diagnose.Group {
	for _, g := range rep.Groups {
		if g.Culprit != nil && g.Culprit.Function == fn {
			return g
		}
	}
	return nil
}

// A goroutineleak dump (debug=2) lists every goroutine and marks the
// leaked ones "(leaked)": only those are proven; the goroutine that
// wrote the dump and the one waiting on a mutex (held, not leaked) are
// not.
func TestLeakDumpCountsOnlyLeaked(t *testing.T) {
	s, err := goroutines.ParseFile("../goroutines/testdata/captures/go1.27.leak.debug2.txt")
	if err != nil {
		t.Fatal(err)
	}
	d, err := goroutines.ParseFile("../goroutines/testdata/captures/go1.27.debug2.txt")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := diagnose.Analyze([]*goroutines.Snapshot{d, s})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range rep.Groups {
		if g.State == "running" || strings.HasPrefix(g.State, "sync.Mutex.Lock") {
			if g.Leaked != 0 {
				t.Errorf("%s group at %v: leaked %d, want 0 (not marked in the dump)", g.State, g.Culprit, g.Leaked)
			}
		}
	}
	if rep.Leaks() == 0 {
		t.Errorf("no leak from the goroutineleak dump")
	}
}

// A restart between snapshots (goroutine ids start over) splits the
// timeline: a leak that grows again in each life is a leak, not a
// group that shrank; a group judged on its last life alone otherwise.
func TestRestartSplitsTheTimeline(t *testing.T) {
	life := func(at time.Time, n int, first int64) *goroutines.Snapshot {
		return snap(at, group{accept, nil, "IO wait", 0, 1, 1}, group{leakySend, &leakyCreator, "chan send", 0, n, first})
	}
	rep, _ := diagnose.Analyze([]*goroutines.Snapshot{
		life(t0, 1000, 5000), life(t0.Add(time.Minute), 1200, 5000),
		life(t0.Add(2*time.Minute), 200, 300), life(t0.Add(3*time.Minute), 400, 300),
	})
	g := find(t, rep, "example.com/shop.(*API).stock.func1")
	if g.Verdict != diagnose.Leak || !strings.Contains(g.Reason, "grew in each of 2 lives") {
		t.Errorf("%s: %s", g.Verdict, g.Reason)
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "restarted between snapshots 2 and 3") {
		t.Errorf("notes %q", rep.Notes)
	}

	// The same counts in one process (ids never start over): it shrank.
	rep, _ = diagnose.Analyze([]*goroutines.Snapshot{
		life(t0, 1000, 5000), life(t0.Add(time.Minute), 1200, 5000),
		life(t0.Add(2*time.Minute), 200, 6000), life(t0.Add(3*time.Minute), 400, 6000),
	})
	if g := find(t, rep, "example.com/shop.(*API).stock.func1"); g.Verdict == diagnose.Leak {
		t.Errorf("no restart, a group that shrank: %s: %s", g.Verdict, g.Reason)
	}
}

// A dump a TestMain wrote after the tests returned (capture_tests.sh):
// the goroutine the tests left blocked is a leak on its line; the
// TestMain writing the dump is not.
func TestAfterTestsDump(t *testing.T) {
	for _, v := range []string{"go1.26", "go1.27"} {
		rep := analyzeCapture(t, v+".aftertests.txt")
		g := culpritGroup(rep, "hungtest/aftertests.fetch.func1")
		if g == nil || g.Verdict != diagnose.Leak || g.Culprit.Line != 18 || !strings.Contains(g.Reason, "after every test returned") {
			t.Errorf("%s: the goroutine left behind: %+v", v, g)
		}
		if rep.Leaks() != 1 {
			t.Errorf("%s: %d leaks, want 1", v, rep.Leaks())
		}
	}
}

// The goroutines of a slow-request capture are stuck, name the request
// and carry the static finding of the function they wait in.
func TestStuckRequestCarriesItsFinding(t *testing.T) {
	s := snap(t0, group{leakySend, &leakyCreator, "chan send", 0, 1, 0})
	s.Capture = &goroutines.CaptureInfo{Rule: "slow-request", Reason: "1 request past the 30s deadline",
		Request: &goroutines.RequestInfo{ID: "7", Requests: 1, Method: "GET", Path: "/stock/A-1", Elapsed: 42 * time.Second}}
	fd := diagnose.Finding{Check: "deferblock", Message: "deferred send blocks the handler", File: src + "stock.go", Line: 47, FuncStart: 40, FuncEnd: 60}
	rep, err := diagnose.Analyze([]*goroutines.Snapshot{s}, diagnose.WithFindings([]diagnose.Finding{fd}))
	if err != nil {
		t.Fatal(err)
	}
	g := rep.Groups[0]
	if g.Verdict != diagnose.Stuck || !strings.Contains(g.Reason, "GET /stock/A-1 has been running for 42s") || len(g.Findings) != 1 {
		t.Errorf("%s: %s, findings %v", g.Verdict, g.Reason, g.Findings)
	}
	if rep.Stuck() != 1 || rep.Leaks() != 0 {
		t.Errorf("stuck %d, leaks %d", rep.Stuck(), rep.Leaks())
	}
}

// Two real debug=2 dumps a minute apart (capture_twodumps.sh): the 20
// goroutines of the first are all still blocked in the second, waiting
// longer, and 20 more arrived: a leak after two dumps.
func TestTwoRealDumpsMinutesApart(t *testing.T) {
	var snaps []*goroutines.Snapshot
	for i, name := range []string{"go1.26.twodumps-a.txt", "go1.26.twodumps-b.txt"} {
		s, err := goroutines.ParseFile("../goroutines/testdata/captures/" + name)
		if err != nil {
			t.Fatal(err)
		}
		s.Time = t0.Add(time.Duration(i) * 65 * time.Second) // a checkout does not keep the files' times
		snaps = append(snaps, s)
	}
	rep, err := diagnose.Analyze(snaps)
	if err != nil {
		t.Fatal(err)
	}
	g := culpritGroup(rep, "main.lookup")
	if g == nil || g.Verdict != diagnose.Leak || !strings.Contains(g.Reason, "all 20 of the first are still there (same goroutine ids) while 20 more arrived") ||
		!strings.Contains(g.Reason, "wait longer") {
		t.Errorf("%+v", g)
	}
}
