package goroutines_test

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"testing"

	"github.com/silentfail/silentfail/goroutines"
)

// The captures are real: testdata/capture.sh regenerates them from
// testdata/progs/leaky with Go 1.21, 1.22, the local toolchain and 1.27.
var versions = []string{"go1.21", "go1.22", "go1.26", "go1.27"}

func parse(t *testing.T, name string) *goroutines.Snapshot {
	t.Helper()
	s, err := goroutines.ParseFile(filepath.Join("testdata", "captures", name))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// byFunc returns the goroutines with fn on their stack.
func byFunc(s *goroutines.Snapshot, fn string) []*goroutines.Goroutine {
	var out []*goroutines.Goroutine
	for _, g := range s.Goroutines {
		for _, f := range g.Stack {
			if f.Function == fn {
				out = append(out, g)
				break
			}
		}
	}
	return out
}

// leak is what progs/leaky leaves blocked: per function, how many
// goroutines, in which state, where (main.go line), started by whom.
type leak struct {
	fn      string
	count   int
	state   string // from Go 1.26; older runtimes below
	older   string // Go 1.21 and 1.22, when it differs
	line    int
	creator string
	leaked  bool // proven by goroutineleak (Go 1.27)
}

var leaks = []leak{
	{fn: "main.backend", count: 3, state: "chan send", line: 35, creator: "main.lookup", leaked: true},
	{fn: "main.worker", count: 1, state: "chan receive", line: 50, creator: "main.main", leaked: true},
	// The mutex is a global: reachable, so not proven leaked.
	{fn: "main.waitForLock", count: 1, state: "sync.Mutex.Lock", line: 58, creator: "main.main"},
	{fn: "main.awaitAll", count: 1, state: "sync.WaitGroup.Wait", older: "semacquire", line: 62, creator: "main.main", leaked: true},
	{fn: "main.stockWatcher", count: 1, state: "chan receive (nil chan)", line: 66, creator: "main.main.func1", leaked: true},
	{fn: "main.pinned", count: 1, state: "select (no cases)", line: 71, creator: "main.main", leaked: true},
}

// checkLeaks checks the goroutines of a dump (one per goroutine, with
// states) against leaks.
func checkLeaks(t *testing.T, name string, s *goroutines.Snapshot, version string, wantLeaked bool) {
	t.Helper()
	for _, l := range leaks {
		gs := byFunc(s, l.fn)
		if len(gs) != l.count {
			t.Errorf("%s: %d goroutines in %s, want %d", name, len(gs), l.fn, l.count)
			continue
		}
		for _, g := range gs {
			want := l.state
			if l.older != "" && (version == "go1.21" || version == "go1.22") {
				want = l.older
			}
			if g.State != want || g.Count != 1 || g.ID <= 0 {
				t.Errorf("%s: %s: state %q count %d id %d, want %q", name, l.fn, g.State, g.Count, g.ID, want)
			}
			if g.Leaked != (wantLeaked && l.leaked) {
				t.Errorf("%s: %s: leaked %v", name, l.fn, g.Leaked)
			}
			if g.Locked != (l.fn == "main.pinned") {
				t.Errorf("%s: %s: locked %v", name, l.fn, g.Locked)
			}
			if g.CreatedBy == nil || g.CreatedBy.Function != l.creator || g.CreatorID <= 0 || !strings.HasSuffix(g.CreatedBy.File, "progs/leaky/main.go") {
				t.Errorf("%s: %s: created by %+v in goroutine %d, want %s", name, l.fn, g.CreatedBy, g.CreatorID, l.creator)
			}
			var frame *goroutines.Frame
			for i := range g.Stack {
				if g.Stack[i].Function == l.fn {
					frame = &g.Stack[i]
				}
			}
			if !strings.HasSuffix(frame.File, "progs/leaky/main.go") || frame.Line != l.line {
				t.Errorf("%s: %s at %s:%d, want main.go:%d", name, l.fn, frame.File, frame.Line, l.line)
			}
		}
	}
}

func TestDebug2Dumps(t *testing.T) {
	for _, v := range versions {
		name := v + ".debug2.txt"
		s := parse(t, name)
		if s.Format != goroutines.FormatDump || s.Profile != goroutines.ProfileGoroutine || s.Header != "" || s.Trailer != "" {
			t.Errorf("%s: format %s, profile %s, header %q, trailer %q", name, s.Format, s.Profile, s.Header, s.Trailer)
		}
		checkLeaks(t, name, s, v, false)
		// The dump is written by the handler's own goroutine; the
		// server's accept loop sits in IO wait in main.main.
		if g := s.Goroutines[0]; g.State != "running" || g.Stack[0].Function != "runtime/pprof.writeGoroutineStacks" {
			t.Errorf("%s: first goroutine %q in %s", name, g.State, g.Stack[0].Function)
		}
		if m := byFunc(s, "main.main"); len(m) != 1 || m[0].ID != 1 || m[0].State != "IO wait" || m[0].CreatedBy != nil {
			t.Errorf("%s: main goroutine %+v", name, m)
		}
		for _, g := range s.Goroutines {
			if g.WaitMinutes != 0 {
				t.Errorf("%s: goroutine %d waited %d minutes in a capture taken within seconds", name, g.ID, g.WaitMinutes)
			}
		}
	}
}

// Go 1.27 prints pprof labels in goroutine headers, for modules that say
// go 1.27 (GODEBUG tracebacklabels); older runtimes never do.
func TestHeaderLabels(t *testing.T) {
	for _, v := range versions {
		for _, name := range []string{v + ".debug2.txt", v + ".sigquit.txt"} {
			s := parse(t, name)
			for _, g := range s.Goroutines {
				want := v == "go1.27" && len(byFunc(&goroutines.Snapshot{Goroutines: []*goroutines.Goroutine{g}}, "main.stockWatcher")) == 1
				if got := g.Labels["route"] == "/stock"; got != want || (!want && g.Labels != nil) {
					t.Errorf("%s: goroutine %d labels %v", name, g.ID, g.Labels)
				}
			}
		}
	}
}

func TestWaitMinutes(t *testing.T) {
	s := parse(t, "go1.27.minutes.debug2.txt")
	checkLeaks(t, "minutes", s, "go1.27", false)
	for _, l := range leaks {
		for _, g := range byFunc(s, l.fn) {
			if g.WaitMinutes != 1 {
				t.Errorf("goroutine %d in %s: wait %d minutes, the capture waited 65s", g.ID, l.fn, g.WaitMinutes)
			}
		}
	}
	// Running and runnable goroutines have no wait time.
	if g := s.Goroutines[0]; g.State != "running" || g.WaitMinutes != 0 {
		t.Errorf("running goroutine: %q %d minutes", g.State, g.WaitMinutes)
	}
}

func TestGoroutineLeakProfiles(t *testing.T) {
	// The debug=2 form is the whole dump, the proven ones marked.
	s := parse(t, "go1.27.leak.debug2.txt")
	if s.Profile != goroutines.ProfileGoroutineLeak || s.Format != goroutines.FormatDump {
		t.Errorf("leak dump: profile %q format %s", s.Profile, s.Format)
	}
	checkLeaks(t, "leak dump", s, "go1.27", true)
	for _, name := range []string{"go1.27.leak.debug1.txt", "go1.27.goroutineleak.pb.gz"} {
		s := parse(t, name)
		if s.Profile != goroutines.ProfileGoroutineLeak {
			t.Errorf("%s: profile %q", name, s.Profile)
		}
		// Only the proven goroutines: 3 senders, the worker, the
		// WaitGroup waiter, the nil-channel receiver, the pinned select.
		if s.Total() != 7 {
			t.Errorf("%s: %d goroutines, want 7", name, s.Total())
		}
		for _, g := range s.Goroutines {
			if !g.Leaked {
				t.Errorf("%s: a goroutine of a goroutineleak profile not marked leaked", name)
			}
		}
		for _, l := range leaks {
			n := 0
			for _, g := range byFunc(s, l.fn) {
				n += g.Count
			}
			if want := map[bool]int{true: l.count}[l.leaked]; n != want {
				t.Errorf("%s: %d leaked in %s, want %d", name, n, l.fn, want)
			}
		}
		if w := byFunc(s, "main.stockWatcher"); len(w) != 1 || w[0].Labels["route"] != "/stock" {
			t.Errorf("%s: labelled goroutine %+v", name, w)
		}
	}
}

func TestAggregatedProfiles(t *testing.T) {
	for _, v := range versions {
		for _, name := range []string{v + ".debug1.txt", v + ".goroutine.pb.gz"} {
			s := parse(t, name)
			for _, l := range leaks {
				gs := byFunc(s, l.fn)
				if len(gs) != 1 || gs[0].Count != l.count || gs[0].ID != 0 || gs[0].State != "" || gs[0].Leaked {
					t.Errorf("%s: %s: %+v, want one record of %d", name, l.fn, gs, l.count)
					continue
				}
				if f := gs[0].Stack[len(gs[0].Stack)-1]; f.Function != l.fn || f.Line != l.line {
					// The outermost frame is the goroutine's function
					// (goexit is not symbolized).
					t.Errorf("%s: outermost frame %+v, want %s at line %d", name, f, l.fn, l.line)
				}
				if wantLabel := l.fn == "main.stockWatcher"; (gs[0].Labels["route"] == "/stock") != wantLabel {
					t.Errorf("%s: %s labels %v", name, l.fn, gs[0].Labels)
				}
			}
			if s.Total() < 9 {
				t.Errorf("%s: total %d", name, s.Total())
			}
		}
		if s := parse(t, v+".goroutine.pb.gz"); s.Time.IsZero() || s.Format != goroutines.FormatProfile || s.Profile != goroutines.ProfileGoroutine {
			t.Errorf("%s: pprof time %v, format %s, profile %s", v, s.Time, s.Format, s.Profile)
		}
		if s := parse(t, v+".debug1.txt"); s.Format != goroutines.FormatText || s.Profile != goroutines.ProfileGoroutine {
			t.Errorf("%s: debug=1 format %s, profile %s", v, s.Format, s.Profile)
		}
	}
}

func TestTracebacks(t *testing.T) {
	for _, v := range versions {
		p := parse(t, v+".panic.txt")
		if p.Header != "leaky: about to panic\npanic: boom\n\n" || p.Trailer != "exit status 2\n" || len(p.Goroutines) != 1 || p.Goroutines[0].State != "running" || p.Goroutines[0].ID != 1 {
			t.Errorf("%s panic: header %q, trailer %q, %d goroutines", v, p.Header, p.Trailer, len(p.Goroutines))
		}
		q := parse(t, v+".sigquit.txt")
		if !strings.HasPrefix(q.Header, "SIGQUIT: quit\nPC=") || !strings.Contains(q.Trailer, "rip ") || !strings.Contains(q.Trailer, "rflags ") {
			t.Errorf("%s sigquit: header %q, trailer %.40q", v, q.Header, q.Trailer)
		}
		checkLeaks(t, v+" sigquit", q, v, false)
		c := parse(t, v+".crash.txt")
		if !strings.HasPrefix(c.Header, "leaky: about to panic\npanic: boom\n") {
			t.Errorf("%s crash: header %q", v, c.Header)
		}
		checkLeaks(t, v+" crash", c, v, false)
		// GOTRACEBACK=crash lists the runtime's goroutines too, and from
		// Go 1.22 its headers say gp= m=.
		if len(c.Goroutines) <= len(parse(t, v+".debug2.txt").Goroutines) {
			t.Errorf("%s crash: only %d goroutines", v, len(c.Goroutines))
		}
		if len(byFunc(c, "runtime.bgsweep")) != 1 {
			t.Errorf("%s crash: no GC sweeper among %d goroutines", v, len(c.Goroutines))
		}
	}
}

func TestOlderAndRareForms(t *testing.T) {
	dump := `goroutine 7 [chan receive (nil chan), 3 minutes]:
main.wait(...)
	/src/app/main.go:12
main.run({0x4b2c8e, 0x5})
	/src/app/main.go:30 +0x25
...additional frames elided...
created by main.start
	/src/app/main.go:40 +0x45

goroutine 9 gp=0xc000002380 m=nil [semacquire, 1 minute, locked to thread]:
sync.runtime_Semacquire(0xc0000a0000?)
	/usr/local/go/src/runtime/sema.go:62 +0x25 fp=0xc00004e7a0 sp=0xc00004e780 pc=0x46a5a5
main.Map[...](0xc000010000)
	/src/app/generic.go:8 +0x1d fp=0xc00004e7c8 sp=0xc00004e7a0 pc=0x47d81d
`
	s, err := goroutines.Parse(strings.NewReader(dump))
	if err != nil {
		t.Fatal(err)
	}
	g := s.Goroutines[0]
	if g.State != "chan receive (nil chan)" || g.WaitMinutes != 3 || !g.Elided || g.CreatedBy.Function != "main.start" || g.CreatorID != 0 || g.Stack[0].Function != "main.wait" {
		t.Errorf("first: %+v", g)
	}
	g = s.Goroutines[1]
	if g.State != "semacquire" || g.WaitMinutes != 1 || !g.Locked || g.Stack[1].Function != "main.Map[...]" || g.Stack[1].Line != 8 {
		t.Errorf("second: %+v", g)
	}
}

func TestBadInputs(t *testing.T) {
	d1, _ := os.ReadFile(filepath.Join("testdata", "captures", "go1.27.debug1.txt"))
	pb, _ := os.ReadFile(filepath.Join("testdata", "captures", "go1.27.goroutine.pb.gz"))
	cases := map[string]struct {
		in   []byte
		want string
	}{
		"empty":           {nil, "empty input"},
		"html":            {[]byte("<html><body>login</body></html>\n"), "not a goroutine dump or profile"},
		"truncated text":  {d1[:len(d1)/2], ""},
		"truncated pprof": {pb[:len(pb)/2], "pprof profile"},
		"binary garbage":  {[]byte{0x0a, 0xff, 0x00, 0x13, 0x37}, "pprof profile"},
	}
	for name, tc := range cases {
		s, err := goroutines.Parse(bytes.NewReader(tc.in))
		if err == nil {
			t.Errorf("%s: no error (%d goroutines)", name, len(s.Goroutines))
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %q, want one line containing %q", name, err, tc.want)
		}
	}
	if _, err := goroutines.ParseFile("testdata/nonexistent"); err == nil || !strings.Contains(err.Error(), "testdata/nonexistent") {
		t.Errorf("missing file: %v", err)
	}
}

// A dump cut inside a stack or a header keeps what it holds, with a
// note saying where it was cut.
func TestTruncatedDumpIsSalvaged(t *testing.T) {
	real, err := os.ReadFile(filepath.Join("testdata", "captures", "go1.27.debug2.txt"))
	if err != nil {
		t.Fatal(err)
	}
	whole, err := goroutines.Parse(bytes.NewReader(real))
	if err != nil {
		t.Fatal(err)
	}
	inStack := real[:bytes.LastIndex(real, []byte("\n\t"))]
	s, err := goroutines.Parse(bytes.NewReader(inStack))
	if err != nil {
		t.Fatalf("cut inside a stack: %v", err)
	}
	if len(s.Goroutines) != len(whole.Goroutines) || !strings.Contains(s.Truncated, "ends inside goroutine") {
		t.Errorf("cut inside a stack: %d goroutines (want %d), note %q", len(s.Goroutines), len(whole.Goroutines), s.Truncated)
	}
	i := bytes.LastIndex(real, []byte("\ngoroutine "))
	inHeader := real[:i+len("\ngoroutine 9 [chan")]
	s, err = goroutines.Parse(bytes.NewReader(inHeader))
	if err != nil {
		t.Fatalf("cut inside a header: %v", err)
	}
	if len(s.Goroutines) != len(whole.Goroutines)-1 || !strings.Contains(s.Truncated, "inside a goroutine header") {
		t.Errorf("cut inside a header: %d goroutines (want %d), note %q", len(s.Goroutines), len(whole.Goroutines)-1, s.Truncated)
	}
	if whole.Truncated != "" {
		t.Errorf("the whole dump: note %q", whole.Truncated)
	}
}

func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	copyFile := func(src, dst string) {
		b, err := os.ReadFile(filepath.Join("testdata", "captures", src))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Dir(filepath.Join(dir, dst)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, dst), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Two captures as silentfail watch writes them, out of name order.
	copyFile("go1.27.debug2.txt", "b/goroutine.txt")
	copyFile("go1.27.goroutine.pb.gz", "b/goroutine.pb.gz")
	copyFile("go1.27.goroutineleak.pb.gz", "b/goroutineleak.pb.gz")
	os.WriteFile(filepath.Join(dir, "b", "capture.json"), []byte(`{"time":"2026-11-23T02:00:00Z","rule":"goroutines-growth"}`), 0o644)
	copyFile("go1.26.debug2.txt", "a/goroutine.txt")
	os.WriteFile(filepath.Join(dir, "a", "capture.json"), []byte(`{"time":"2026-11-23T02:00:10Z"}`), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.json"), []byte(`{}`), 0o644)
	// A real heap profile, loose and inside a capture: not goroutine
	// data, skipped without a word.
	var heap bytes.Buffer
	if err := pprof.Lookup("heap").WriteTo(&heap, 0); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "heap.pb.gz"), heap.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "b", "heap.pb.gz"), heap.Bytes(), 0o644)
	os.MkdirAll(filepath.Join(dir, ".silentfail-tmp-x"), 0o755)
	snaps, err := goroutines.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 3 {
		t.Fatalf("%d snapshots, want 3 (b's dump and leak profile, a's dump)", len(snaps))
	}
	if !strings.HasSuffix(snaps[0].Source, filepath.Join("b", "goroutine.txt")) || snaps[1].Profile != goroutines.ProfileGoroutineLeak ||
		!snaps[1].Time.Equal(snaps[0].Time) || !strings.HasSuffix(snaps[2].Source, filepath.Join("a", "goroutine.txt")) {
		for _, s := range snaps {
			t.Logf("%s %s %s", s.Source, s.Profile, s.Time)
		}
		t.Error("wrong order or choice of files")
	}
	os.WriteFile(filepath.Join(dir, "junk.txt"), []byte("hello\n"), 0o644)
	if _, err := goroutines.ReadDir(dir); err == nil || !strings.Contains(err.Error(), "junk.txt") {
		t.Errorf("a file that is no capture: %v", err)
	}
	if _, err := goroutines.ReadDir(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no goroutine dump or profile") {
		t.Errorf("empty directory: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "captures", "*"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil && len(b) < 1<<16 {
			f.Add(b)
		}
	}
	f.Add([]byte("goroutine 1 [running]:\nmain.main()\n"))
	f.Add([]byte("goroutine profile: total 1\n1 @ 0x1\n#\t0x1\tmain.main+0x1\t/a.go:1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := goroutines.Parse(bytes.NewReader(b))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error on several lines: %q", err)
			}
			return
		}
		if len(s.Goroutines) == 0 && s.Format == goroutines.FormatDump {
			t.Error("a dump without goroutines parsed")
		}
		for _, g := range s.Goroutines {
			if g.Count < 1 {
				t.Errorf("count %d", g.Count)
			}
		}
	})
}

// TestEnding reads the real captures of a hung `go test` and of the
// runtime's deadlock crash (capture_tests.sh).
func TestEnding(t *testing.T) {
	for _, v := range []string{"go1.26", "go1.27"} {
		s := parse(t, v+".testtimeout.txt")
		e := s.Ending()
		if e.TestTimeout != "2s" || len(e.Tests) != 1 || e.Tests[0] != "TestHang" || e.Deadlock {
			t.Errorf("%s.testtimeout.txt: Ending() = %+v, want a 2s timeout in TestHang", v, e)
		}
		s = parse(t, v+".deadlock.txt")
		if e := s.Ending(); !e.Deadlock || e.TestTimeout != "" {
			t.Errorf("%s.deadlock.txt: Ending() = %+v, want a deadlock", v, e)
		}
		s = parse(t, v+".panic.txt")
		if e := s.Ending(); e.Deadlock || e.TestTimeout != "" || e.AfterTests {
			t.Errorf("%s.panic.txt: Ending() = %+v, want nothing", v, e)
		}
		s = parse(t, v+".aftertests.txt")
		if e := s.Ending(); !e.AfterTests || e.Deadlock || e.TestTimeout != "" {
			t.Errorf("%s.aftertests.txt: Ending() = %+v, want after the tests", v, e)
		}
		s = parse(t, v+".testtimeout.txt")
		if e := s.Ending(); e.AfterTests {
			t.Errorf("%s.testtimeout.txt: Ending() = %+v: the tests were still running", v, e)
		}
	}
}
