package goroutines_test

import (
	"strings"
	"testing"

	"github.com/silentfail/silentfail/goroutines"
)

// The captures of testdata/progs/stacks (testdata/capture_stacks.sh):
// runtime.Stack(buf, true) output with a goroutine too deep to print
// whole, and a panic in a goroutine whose deferred cleanup panics again,
// between a log line and `go run`'s exit status.

func TestRuntimeStackOutput(t *testing.T) {
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			s := parse(t, v+".stack.txt")
			if s.Format != goroutines.FormatDump || s.Header != "" || s.Trailer != "" {
				t.Fatalf("format %s, header %q, trailer %q", s.Format, s.Header, s.Trailer)
			}
			if len(s.Goroutines) != 6 {
				t.Fatalf("%d goroutines, want 6 (main, 2 senders, WaitGroup, nil channel, deep)", len(s.Goroutines))
			}
			if g := s.Goroutines[0]; g.State != "running" || g.Stack[0].Function != "main.main" || g.CreatedBy != nil {
				t.Errorf("first goroutine: %+v", g)
			}
			senders := byFunc(s, "main.fetch.func1")
			if len(senders) != 2 {
				t.Fatalf("%d senders", len(senders))
			}
			for _, g := range senders {
				if g.State != "chan send" || g.CreatedBy == nil || g.CreatedBy.Function != "main.fetch" || g.CreatorID != 1 || !strings.HasSuffix(g.Stack[0].File, "progs/stacks/main.go") || g.Stack[0].Line != 22 {
					t.Errorf("sender %d: %+v, created by %+v", g.ID, g, g.CreatedBy)
				}
			}
			// The runtime names the WaitGroup wait from Go 1.25 on.
			wantWG := "sync.WaitGroup.Wait"
			if v == "go1.21" || v == "go1.22" {
				wantWG = "semacquire"
			}
			if gs := byFunc(s, "main.waitAll"); len(gs) != 1 || gs[0].State != wantWG {
				t.Errorf("WaitGroup waiter: %+v", gs)
			}
			if gs := byFunc(s, "main.nilReceive"); len(gs) != 1 || gs[0].State != "chan receive (nil chan)" {
				t.Errorf("nil channel receiver: %+v", gs)
			}
			deep := byFunc(s, "main.deep")
			if len(deep) != 1 {
				t.Fatalf("%d deep goroutines", len(deep))
			}
			g := deep[0]
			// 151 calls of main.deep: the runtime prints the innermost 50
			// and the outermost 50 around "...51 frames elided...".
			if !g.Elided || g.State != "chan receive" || len(g.Stack) != 100 || g.CreatedBy == nil || g.CreatedBy.Function != "main.main" || g.CreatorID != 1 {
				t.Errorf("deep goroutine: elided %v, state %q, %d frames, created by %+v in %d", g.Elided, g.State, len(g.Stack), g.CreatedBy, g.CreatorID)
			}
			for _, f := range g.Stack {
				if f.Function != "main.deep" {
					t.Errorf("deep goroutine: frame %+v", f)
				}
			}
		})
	}
}

func TestGoroutinePanic(t *testing.T) {
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			s := parse(t, v+".gopanic.txt")
			wantHeader := "2026/11/23 03:00:00 handling request 7\n" +
				"panic: assignment to entry in nil map [recovered]\n" +
				"\tpanic: cleanup: assignment to entry in nil map\n"
			if !strings.HasPrefix(s.Header, wantHeader) {
				t.Errorf("header %q, want it to start with %q", s.Header, wantHeader)
			}
			if s.Trailer != "exit status 2\n" {
				t.Errorf("trailer %q", s.Trailer)
			}
			if len(s.Goroutines) != 1 {
				t.Fatalf("%d goroutines", len(s.Goroutines))
			}
			g := s.Goroutines[0]
			var names []string
			for _, f := range g.Stack {
				names = append(names, f.Function)
			}
			if got := strings.Join(names, " "); got != "main.main.func1.1 panic main.main.func1" {
				t.Errorf("stack %s", got)
			}
			if g.State != "running" || g.CreatedBy == nil || g.CreatedBy.Function != "main.main" || g.CreatorID != 1 || g.ID == 1 {
				t.Errorf("goroutine %d [%s] created by %+v in %d", g.ID, g.State, g.CreatedBy, g.CreatorID)
			}
		})
	}
}
