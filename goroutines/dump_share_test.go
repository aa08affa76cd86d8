package goroutines

import (
	"fmt"
	"strings"
	"testing"
)

// Goroutines blocked on one stack share one copy of it (and of their
// creator): a dump of a leak repeats the stack for every goroutine.
func TestDumpSharesIdenticalStacks(t *testing.T) {
	const g = `goroutine %s [chan send, 3 minutes]:
main.lookup.func1()
	/src/app/main.go:30 +0x25
created by main.lookup in goroutine 1
	/src/app/main.go:28 +0x45

`
	dump := strings.ReplaceAll(g, "%s", "7") + strings.ReplaceAll(g, "%s", "8") +
		strings.ReplaceAll(strings.ReplaceAll(g, "%s", "9"), "main.go:30", "main.go:31")
	s, err := Parse(strings.NewReader(dump))
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := s.Goroutines[0], s.Goroutines[1], s.Goroutines[2]
	if &a.Stack[0] != &b.Stack[0] || a.CreatedBy != b.CreatedBy {
		t.Error("two goroutines with one stack and creator hold two copies")
	}
	if &a.Stack[0] == &c.Stack[0] || c.Stack[0].Line != 31 || a.Stack[0].Line != 30 {
		t.Errorf("goroutines with different stacks share one: %+v %+v", a.Stack, c.Stack)
	}
	if a.ID != 7 || b.ID != 8 || a.WaitMinutes != 3 {
		t.Errorf("per-goroutine fields lost: %+v %+v", a, b)
	}
}

// Goroutines are read into scratch space that the next one reuses:
// what a snapshot keeps must not change as later goroutines are read,
// whether a blank line ends each goroutine or the next header does, and
// folded or not.
func TestDumpScratchSpace(t *testing.T) {
	const dump = `goroutine 7 [chan send, 3 minutes]:
main.a()
	/src/app/a.go:1 +0x1
main.b()
	/src/app/b.go:2 +0x1
main.c()
	/src/app/c.go:3 +0x1
created by main.main in goroutine 1
	/src/app/main.go:10 +0x45
goroutine 8 [select]:
main.d()
	/src/app/d.go:4 +0x1
created by main.other in goroutine 1
	/src/app/main.go:20 +0x45
goroutine 9 [chan send, 5 minutes]:
main.a()
	/src/app/a.go:1 +0x1
main.b()
	/src/app/b.go:2 +0x1
main.c()
	/src/app/c.go:3 +0x1
created by main.main in goroutine 2
	/src/app/main.go:10 +0x45
goroutine 10 [running]:
main.e()
	/src/app/e.go:5 +0x1
main.f()
	/src/app/f.go:6 +0x1
goroutine 11 [chan send, 1 minutes]:
main.a()
	/src/app/a.go:1 +0x1
main.b()
	/src/app/b.go:2 +0x1
main.c()
	/src/app/c.go:3 +0x1
created by main.main in goroutine 1
	/src/app/main.go:10 +0x45
`
	describe := func(g *Goroutine) string {
		var b strings.Builder
		fmt.Fprintf(&b, "%s|", g.State)
		for _, f := range g.Stack {
			fmt.Fprintf(&b, "%s %s:%d|", f.Function, f.File, f.Line)
		}
		if g.CreatedBy != nil {
			fmt.Fprintf(&b, "by %s %s:%d", g.CreatedBy.Function, g.CreatedBy.File, g.CreatedBy.Line)
		}
		return b.String()
	}
	abc := "chan send|main.a /src/app/a.go:1|main.b /src/app/b.go:2|main.c /src/app/c.go:3|by main.main /src/app/main.go:10"
	want := []struct {
		id, wait, creator int
		desc              string
	}{
		{7, 3, 1, abc},
		{8, 0, 1, "select|main.d /src/app/d.go:4|by main.other /src/app/main.go:20"},
		{9, 5, 2, abc},
		{10, 0, 0, "running|main.e /src/app/e.go:5|main.f /src/app/f.go:6|"},
		{11, 1, 1, abc},
	}
	for _, sep := range []string{"", "\n"} {
		text := strings.ReplaceAll(dump, "\ngoroutine ", "\n"+sep+"goroutine ")
		s, err := Parse(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Goroutines) != len(want) {
			t.Fatalf("%d goroutines, want %d", len(s.Goroutines), len(want))
		}
		for i, w := range want {
			g := s.Goroutines[i]
			if g.ID != int64(w.id) || g.WaitMinutes != w.wait || g.CreatorID != int64(w.creator) || describe(g) != w.desc || g.Members != nil {
				t.Errorf("separator %q: goroutine %d: %d %d %d %s", sep, i, g.ID, g.WaitMinutes, g.CreatorID, describe(g))
			}
		}
		folded, err := Parse(strings.NewReader(text), Fold())
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, g := range folded.Goroutines {
			line := fmt.Sprintf("%d %d %s", g.Count, g.CreatorID, describe(g))
			for id, wait := range g.Members.All() {
				line += fmt.Sprintf(" %d/%d", id, wait)
			}
			got = append(got, line)
		}
		wantFolded := []string{
			"3 0 " + abc + " 7/3 9/5 11/1",
			"1 1 select|main.d /src/app/d.go:4|by main.other /src/app/main.go:20 8/0",
			"1 0 running|main.e /src/app/e.go:5|main.f /src/app/f.go:6| 10/0",
		}
		if strings.Join(got, "\n") != strings.Join(wantFolded, "\n") {
			t.Errorf("separator %q: folded:\n%s\nwant:\n%s", sep, strings.Join(got, "\n"), strings.Join(wantFolded, "\n"))
		}
	}
}

// Each distinct label text is read once; goroutines whose labels are
// the same set fold together, whatever order the header lists them in,
// and goroutines with other labels do not.
func TestDumpLabelsFold(t *testing.T) {
	const g = "goroutine %d [select] %s:\nmain.serve()\n\t/src/app/main.go:9 +0x1\n\n"
	var b strings.Builder
	for i, labels := range []string{
		`{route: /stock, tenant: a}`, `{route: /stock, tenant: a}`, `{tenant: a, route: /stock}`,
		`{route: /stock, tenant: b}`, `{route: /stock, tenant: a}`, "",
	} {
		fmt.Fprintf(&b, g, 10+i, labels)
	}
	dump := strings.ReplaceAll(b.String(), "[select] :", "[select]:")
	s, err := Parse(strings.NewReader(dump), Fold())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range s.Goroutines {
		var ids []int64
		for id := range g.Members.All() {
			ids = append(ids, id)
		}
		got = append(got, fmt.Sprintf("%v %v", g.Labels, ids))
	}
	want := "map[route:/stock tenant:a] [10 11 12 14]\nmap[route:/stock tenant:b] [13]\nmap[] [15]"
	if strings.Join(got, "\n") != want {
		t.Errorf("folded:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	plain, err := Parse(strings.NewReader(dump))
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range plain.Goroutines {
		tenant := "a"
		switch i {
		case 3:
			tenant = "b"
		case 5:
			tenant = ""
		}
		if g.Labels["tenant"] != tenant {
			t.Errorf("goroutine %d: labels %v", g.ID, g.Labels)
		}
	}
}
