package checkrun_test

import (
	"testing"

	"github.com/silentfail/silentfail/checks/suite"
	"github.com/silentfail/silentfail/internal/checkrun"
)

func TestFindingsKnowTheirFunction(t *testing.T) {
	res, err := checkrun.Run(checkrun.Config{
		Dir:       "../../cmd/silentfail/testdata/mod",
		Patterns:  []string{"./cache"},
		Analyzers: suite.All(),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]struct {
		name       string
		start, end int
	}{
		14: {"example.com/mod/cache.(*Cache).Get", 12, 16},
		27: {"example.com/mod/cache.(*Cache).Delete", 25, 29},
	}
	seen := 0
	for _, f := range res.Findings {
		w, ok := want[f.Pos.Line]
		if !ok || f.Check != "deferlock" {
			continue
		}
		seen++
		if f.Func.Name != w.name || f.Func.Start.Line != w.start || f.Func.End.Line != w.end {
			t.Errorf("line %d: Func = %s lines %d-%d, want %s lines %d-%d",
				f.Pos.Line, f.Func.Name, f.Func.Start.Line, f.Func.End.Line, w.name, w.start, w.end)
		}
	}
	if seen < len(want) {
		t.Errorf("found %d of the %d expected findings: %+v", seen, len(want), res.Findings)
	}
}
