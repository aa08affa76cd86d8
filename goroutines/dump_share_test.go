package goroutines

import (
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
