package suite_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/silentfail/silentfail/checks/suite"
)

// TestSummaries: every check has a first help screen whose fields fit
// on one line each, and no summary names something that is not a check.
func TestSummaries(t *testing.T) {
	for _, a := range suite.All() {
		s, ok := suite.Summaries[a.Name]
		if !ok {
			t.Errorf("%s: no Summary", a.Name)
			continue
		}
		for _, f := range []struct {
			field, text string
			max         int
		}{
			{"What", s.What, 100},
			{"Hurts", s.Hurts, 100},
			{"Fix", s.Fix, 100},
			{"Bad", s.Bad, 80},
			{"Good", s.Good, 80},
		} {
			if strings.TrimSpace(f.text) == "" {
				t.Errorf("%s: %s is empty", a.Name, f.field)
			}
			if n := utf8.RuneCountInString(f.text); n > f.max {
				t.Errorf("%s: %s has %d characters, want at most %d: %q", a.Name, f.field, n, f.max, f.text)
			}
			if strings.ContainsAny(f.text, "\n\t") {
				t.Errorf("%s: %s contains a newline or a tab: %q", a.Name, f.field, f.text)
			}
		}
		if s.Bad == s.Good {
			t.Errorf("%s: Bad and Good are the same line", a.Name)
		}
	}
	for name := range suite.Summaries {
		if suite.Lookup(name) == nil {
			t.Errorf("Summaries has %q, which is not a check", name)
		}
	}
}
