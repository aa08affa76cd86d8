package goroutines

import (
	"bufio"
	"bytes"
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// One fuzz target per parser, each fed every capture whatever its
// format, so that each parser also meets the others' inputs; FuzzParse
// (parse_test.go) covers the detection in front of them.

func addCaptures(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "captures", "*"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
}

// checkResult fails on what no parser may return: a multi-line error, a
// snapshot without goroutines, a count below one, a negative line or
// wait, a frame of a text format without a function (a pprof profile
// may lack symbols).
func checkResult(t *testing.T, s *Snapshot, err error) {
	t.Helper()
	if err != nil {
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("error on several lines: %q", err)
		}
		return
	}
	// Only a leak profile may be empty: nothing leaked.
	if s.Profile != ProfileGoroutineLeak && s.Format != FormatProfile && len(s.Goroutines) == 0 {
		t.Errorf("%s parsed without goroutines", s.Format)
	}
	for _, g := range s.Goroutines {
		if g.Count < 1 {
			t.Errorf("count %d", g.Count)
		}
		if s.Format == FormatDump && g.CreatedBy != nil && g.CreatedBy.Function == "" {
			t.Error("creator without a function")
		}
		if g.WaitMinutes < 0 {
			t.Errorf("waiting %d minutes", g.WaitMinutes)
		}
		for _, f := range g.Stack {
			if f.Line < 0 {
				t.Errorf("frame %s at line %d", f.Function, f.Line)
			}
			if f.Function == "" && s.Format != FormatProfile {
				t.Errorf("%s frame without a function", s.Format)
			}
		}
	}
}

func FuzzParseDump(f *testing.F) {
	addCaptures(f)
	f.Add([]byte("goroutine 9 gp=0xc000002380 m=nil [semacquire, 1 minute, locked to thread] {a: b, \"c d\": \"\\x00\"}:\nmain.f(...)\n\t/a.go:1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseDump(bufio.NewReader(bytes.NewReader(b)), false)
		checkResult(t, s, err)
		// Folding keeps every goroutine: the same total, and the same ids.
		folded, ferr := parseDump(bufio.NewReader(bytes.NewReader(b)), true)
		checkResult(t, folded, ferr)
		if (err == nil) != (ferr == nil) {
			t.Fatalf("folding changes the error: %v, %v", err, ferr)
		}
		if err == nil {
			if s.Total() != folded.Total() {
				t.Fatalf("folded total %d, unfolded %d", folded.Total(), s.Total())
			}
			// Folding keeps each goroutine's id and wait.
			type member struct {
				id   int64
				wait int
			}
			var ids, fids []member
			for _, g := range s.Goroutines {
				ids = append(ids, member{g.ID, g.WaitMinutes})
			}
			for _, g := range folded.Goroutines {
				n := 0
				for id, wait := range g.Members.All() {
					fids = append(fids, member{id, wait})
					n++
				}
				if n != g.Count || g.Members.Len() != g.Count {
					t.Fatalf("record of %d goroutines lists %d (Len %d)", g.Count, n, g.Members.Len())
				}
			}
			order := func(a, b member) int { return cmp.Or(cmp.Compare(a.id, b.id), cmp.Compare(a.wait, b.wait)) }
			slices.SortFunc(ids, order)
			slices.SortFunc(fids, order)
			if !slices.Equal(ids, fids) || s.Truncated != folded.Truncated {
				t.Fatalf("folding changes the ids or the truncation note")
			}
		}
	})
}

func FuzzParseText(f *testing.F) {
	addCaptures(f)
	f.Add([]byte("goroutine profile: total 1\n1 @ 0x1\n# labels: {\"a\":\"b\\U00045678\"}\n#\t0x1\tmain.main+0x1\t/a.go:1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseText(bufio.NewReader(bytes.NewReader(b)))
		checkResult(t, s, err)
	})
}

func FuzzParseProfile(f *testing.F) {
	addCaptures(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseProfile(bufio.NewReader(bytes.NewReader(b)))
		checkResult(t, s, err)
	})
}

func FuzzParseLabels(f *testing.F) {
	for _, s := range []string{`{route: /stock}`, `{"route":"/stock", "x":"\x1b"}`, `{fizzle: bit, "foobar:": baz}`, `{: }`, `{"a\\": "\U00045678boop"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		labels, err := parseLabels(b)
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("error on several lines: %q", err)
		}
		if err == nil && labels == nil {
			t.Error("nil labels without an error")
		}
	})
}

func TestParseLabels(t *testing.T) {
	// The forms Go 1.27's runtime tests expect in headers, and debug=1's.
	cases := map[string]map[string]string{
		`{foobar: baz}`:                                {"foobar": "baz"},
		`{/fizzle: bit, foo_bar: baz.}`:                {"/fizzle": "bit", "foo_bar": "baz."},
		`{fizzle: bit, "foobar:": baz}`:                {"fizzle": "bit", "foobar:": "baz"},
		`{fizzle: "b\x1bit", "foo\"ba\x00r": "baz\n"}`: {"fizzle": "b\x1bit", "foo\"ba\x00r": "baz\n"},
		`{"fizz\tle": "\U00045678boop"}`:               {"fizz\tle": "\U00045678boop"},
		`{"route":"/stock", "tenant":"a, b"}`:          {"route": "/stock", "tenant": "a, b"},
		`{}`:                                           {},
	}
	for in, want := range cases {
		got, err := parseLabels([]byte(in))
		if err != nil || len(got) != len(want) {
			t.Errorf("%s: %v, %v", in, got, err)
			continue
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %q = %q, want %q", in, k, got[k], v)
			}
		}
	}
	for _, bad := range []string{`route: /stock`, `{"route: x}`, `{route}`, `{a: b,c: d}`, `{"\q": x}`} {
		if got, err := parseLabels([]byte(bad)); err == nil {
			t.Errorf("%s: no error, %v", bad, got)
		}
	}
}
