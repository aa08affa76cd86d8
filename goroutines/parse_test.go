package goroutines_test

import (
	"bytes"
	"os"
	"path/filepath"
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

// byFunc returns the goroutines whose innermost frame in main is fn.
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

func TestDebug2Dumps(t *testing.T) {
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			s := parse(t, v+".debug2.txt")
			if s.Format != goroutines.FormatDump || s.Profile != goroutines.ProfileGoroutine || s.Header != "" {
				t.Errorf("format %s, profile %s, header %q", s.Format, s.Profile, s.Header)
			}
			senders := byFunc(s, "main.lookup")
			if len(senders) != 3 {
				t.Fatalf("%d goroutines in main.lookup, want the 3 leaked senders", len(senders))
			}
			g := senders[0]
			if g.State != "chan send" || g.Count != 1 || g.ID == 0 || g.CreatedBy == nil || g.CreatedBy.Function != "main.main" || g.CreatorID != 1 {
				t.Errorf("sender: %+v created by %+v", g, g.CreatedBy)
			}
			if f := g.Stack[len(g.Stack)-1]; f.Function != "main.lookup" || !strings.HasSuffix(f.File, "progs/leaky/main.go") || f.Line != 22 {
				t.Errorf("sender's frame %+v, want main.lookup at main.go:22", f)
			}
			if w := byFunc(s, "main.worker"); len(w) != 1 || w[0].State != "chan receive" {
				t.Errorf("worker: %v", w)
			}
			if m := byFunc(s, "main.main.func1"); len(m) != 1 || m[0].State != "sync.Mutex.Lock" {
				t.Errorf("mutex waiter: %v", m)
			}
			locked := byFunc(s, "main.main.func3")
			if len(locked) != 1 || !locked[0].Locked || locked[0].State != "select (no cases)" {
				t.Errorf("locked goroutine: %+v", locked)
			}
		})
	}
}

func TestWaitMinutes(t *testing.T) {
	s := parse(t, "go1.27.minutes.debug2.txt")
	for _, g := range byFunc(s, "main.lookup") {
		if g.WaitMinutes < 1 {
			t.Errorf("goroutine %d: wait %d minutes, the capture waited past one", g.ID, g.WaitMinutes)
		}
	}
}

func TestGoroutineLeakProfiles(t *testing.T) {
	for _, name := range []string{"go1.27.leak.debug2.txt", "go1.27.leak.debug1.txt", "go1.27.goroutineleak.pb.gz"} {
		s := parse(t, name)
		if s.Profile != goroutines.ProfileGoroutineLeak {
			t.Errorf("%s: profile %q", name, s.Profile)
		}
		leaked := 0
		for _, g := range s.Goroutines {
			if g.Leaked {
				leaked += g.Count
			}
		}
		// Three senders, the worker, the labelled receiver, the locked
		// select: the mutex waiter is not proven (the mutex is global).
		if leaked != 6 {
			t.Errorf("%s: %d leaked goroutines, want 6", name, leaked)
		}
		for _, g := range byFunc(s, "main.main.func1") {
			if g.Leaked {
				t.Errorf("%s: the waiter on a global mutex is marked leaked", name)
			}
		}
	}
}

func TestAggregatedProfiles(t *testing.T) {
	for _, v := range versions {
		for _, name := range []string{v + ".debug1.txt", v + ".goroutine.pb.gz"} {
			s := parse(t, name)
			senders := byFunc(s, "main.lookup")
			if len(senders) != 1 || senders[0].Count != 3 || senders[0].ID != 0 {
				t.Errorf("%s: senders %+v, want one record of 3", name, senders)
			}
			labelled := byFunc(s, "main.main.func2.1")
			if len(labelled) != 1 || labelled[0].Labels["route"] != "/stock" {
				t.Errorf("%s: labelled goroutine %+v", name, labelled)
			}
			if s.Total() < 9 {
				t.Errorf("%s: total %d", name, s.Total())
			}
		}
		if s := parse(t, v+".goroutine.pb.gz"); s.Time.IsZero() || s.Format != goroutines.FormatProfile {
			t.Errorf("%s: pprof time %v, format %s", v, s.Time, s.Format)
		}
	}
}

func TestTracebacks(t *testing.T) {
	for _, v := range versions {
		p := parse(t, v+".panic.txt")
		if !strings.Contains(p.Header, "about to panic\npanic: boom") || len(p.Goroutines) != 1 || p.Goroutines[0].State != "running" {
			t.Errorf("%s panic: header %q, %d goroutines", v, p.Header, len(p.Goroutines))
		}
		q := parse(t, v+".sigquit.txt")
		if !strings.HasPrefix(q.Header, "SIGQUIT: quit") || !strings.Contains(q.Trailer, "rip ") || len(byFunc(q, "main.lookup")) != 3 {
			t.Errorf("%s sigquit: header %q, trailer %.40q", v, q.Header, q.Trailer)
		}
		c := parse(t, v+".crash.txt")
		if !strings.Contains(c.Header, "panic: boom") || len(byFunc(c, "main.lookup")) != 3 {
			t.Errorf("%s crash: header %q, %d senders", v, c.Header, len(byFunc(c, "main.lookup")))
		}
		// GOTRACEBACK=crash lists the runtime's goroutines too.
		if len(c.Goroutines) <= len(parse(t, v+".debug2.txt").Goroutines) {
			t.Errorf("%s crash: only %d goroutines", v, len(c.Goroutines))
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
	real, err := os.ReadFile(filepath.Join("testdata", "captures", "go1.27.debug2.txt"))
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := os.ReadFile(filepath.Join("testdata", "captures", "go1.27.debug1.txt"))
	pb, _ := os.ReadFile(filepath.Join("testdata", "captures", "go1.27.goroutine.pb.gz"))
	cases := map[string]struct {
		in   []byte
		want string
	}{
		"empty":           {nil, "empty input"},
		"html":            {[]byte("<html><body>login</body></html>\n"), "not a goroutine dump or profile"},
		"truncated dump":  {real[:bytes.LastIndex(real, []byte("\n\t"))], "truncated"},
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
