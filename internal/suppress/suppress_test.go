package suppress

import "testing"

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		text, checks, reason string
		ok                   bool
	}{
		{"//silentfail:ignore deferloop runs once", "deferloop", "runs once", true},
		{"//silentfail:ignore deferloop,deferargs  two  words", "deferloop,deferargs", "two words", true},
		{"//silentfail:ignore deferloop", "deferloop", "", true},
		{"//silentfail:ignore", "", "", true},
		{"//silentfail:ignored deferloop x", "", "", false},
		{"// silentfail:ignore deferloop x", "", "", false},
		{"//nolint:deferloop", "", "", false},
		{"//silentfail:ignore deferloop // trailing comment", "deferloop", "", true},
	} {
		checks, reason, ok := Parse(tc.text)
		if checks != tc.checks || reason != tc.reason || ok != tc.ok {
			t.Errorf("Parse(%q) = %q, %q, %v; want %q, %q, %v", tc.text, checks, reason, ok, tc.checks, tc.reason, tc.ok)
		}
	}
}
