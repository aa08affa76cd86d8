package suite_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"

	"github.com/silentfail/silentfail/checks/suite"
)

var title = regexp.MustCompile(`^[a-z]+: [a-z][^\n]*[^.]$`)

// Every analyzer follows the conventions users rely on: a stable unique
// name, a lowercase one-line title, a URL, and a valid definition.
func TestAnalyzersAreWellFormed(t *testing.T) {
	all := suite.All()
	if err := analysis.Validate(all); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range all {
		if seen[a.Name] {
			t.Errorf("duplicate analyzer name %q", a.Name)
		}
		seen[a.Name] = true
		first, _, _ := strings.Cut(a.Doc, "\n")
		if !title.MatchString(first) || !strings.HasPrefix(first, a.Name+": ") {
			t.Errorf("%s: first doc line %q must be %q, lowercase, without a final period", a.Name, first, a.Name+": title")
		}
		if !strings.HasPrefix(a.URL, "https://") {
			t.Errorf("%s: URL %q is not set", a.Name, a.URL)
		}
		if suite.Lookup(a.Name) != a {
			t.Errorf("Lookup(%q) does not return the analyzer", a.Name)
		}
	}
	if suite.Lookup("nosuchcheck") != nil {
		t.Error("Lookup of an unknown name returned an analyzer")
	}
}

func names(as []*analysis.Analyzer) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Name)
	}
	return out
}

func TestSelect(t *testing.T) {
	all := suite.Names()
	if len(all) != len(suite.All()) {
		t.Fatalf("Names has %d names for %d analyzers", len(all), len(suite.All()))
	}
	defaults := suite.DefaultNames()
	if len(defaults) == 0 || len(defaults) == len(all) {
		t.Fatalf("default set %q: want some checks in it and some out", defaults)
	}
	without := func(drop ...string) []string {
		var out []string
		for _, n := range defaults {
			if !slices.Contains(drop, n) {
				out = append(out, n)
			}
		}
		return out
	}
	for _, tc := range []struct {
		name            string
		enable, disable []string
		want            []string
	}{
		{"nothing selected runs the default set", nil, nil, defaults},
		{"all runs everything", []string{"all"}, nil, all},
		{"default plus an opt-in check", []string{"default", "chanleak"}, nil, []string{"deferloop", "deferargs", "deferrecover", "deferlock", "relock", "chanleak"}},
		{"a form runs its check", []string{"ctxreplace.background"}, nil, []string{"ctxreplace"}},
		{"enable runs only those, in catalogue order", []string{"poolput", "deferloop"}, nil, []string{"deferloop", "poolput"}},
		{"disable drops from the default set", nil, []string{"deferloop", "deferargs"}, without("deferloop", "deferargs")},
		{"disable drops from enable", []string{"deferloop", "poolput", "chanleak"}, []string{"poolput"}, []string{"deferloop", "chanleak"}},
		{"a name given twice counts once", []string{"defergo", "defergo"}, nil, []string{"defergo"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := suite.Select(tc.enable, tc.disable)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(names(got), tc.want) {
				t.Errorf("Select(%q, %q) = %q, want %q", tc.enable, tc.disable, names(got), tc.want)
			}
			for _, a := range got {
				if suite.Lookup(a.Name) != a {
					t.Errorf("Select returned a copy of %s, not the suite's analyzer", a.Name)
				}
			}
		})
	}
}

// TestSelectSetsForms checks that naming a form turns its flag on and
// that a later selection without it turns it off again.
func TestSelectSetsForms(t *testing.T) {
	flag := func() string { return suite.Lookup("ctxreplace").Flags.Lookup("background").Value.String() }
	for _, tc := range []struct {
		enable []string
		want   string
	}{
		{[]string{"ctxreplace.background"}, "true"},
		{nil, "false"},
		{[]string{"all"}, "true"},
		{[]string{"ctxreplace"}, "false"},
	} {
		if _, err := suite.Select(tc.enable, nil); err != nil {
			t.Fatal(err)
		}
		if got := flag(); got != tc.want {
			t.Errorf("after Select(%q): ctxreplace.background = %s, want %s", tc.enable, got, tc.want)
		}
	}
	for _, f := range suite.OptInForms() {
		a := suite.Lookup(f.Check)
		if a == nil || a.Flags.Lookup(f.Flag) == nil {
			t.Errorf("form %s: want a check with a flag %q", f.Name(), f.Flag)
		}
	}
}

func TestSelectRejectsMistakes(t *testing.T) {
	for _, tc := range []struct {
		name            string
		enable, disable []string
		want            []string // substrings of the error
	}{
		{"unknown in enable", []string{"deferloop", "deferlok"}, nil, []string{`enable: unknown check "deferlok"`, "known: " + strings.Join(suite.Names(), ", ")}},
		{"unknown in disable", nil, []string{"Deferloop"}, []string{`disable: unknown check "Deferloop"`, "deferloop, "}},
		{"empty name", []string{""}, nil, []string{`enable: unknown check ""`}},
		{"disable everything", nil, suite.Names(), []string{"no check left to run"}},
		{"unknown form", []string{"ctxreplace.nosuch"}, nil, []string{`unknown check "ctxreplace.nosuch"`, "ctxreplace.background"}},
		{"disable all enabled", []string{"chanleak"}, []string{"chanleak"}, []string{"every check in enable is also in disable"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := suite.Select(tc.enable, tc.disable)
			if err == nil {
				t.Fatalf("Select(%q, %q) = %q, want an error", tc.enable, tc.disable, names(got))
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// ruleName finds a named rule: rule "name", in any case, across
// comment line breaks.
var ruleName = regexp.MustCompile(`(?i)\brule\s+"([^"]+)"`)

// commentText joins Go source into one line per file with comment
// markers removed, so that a rule's name may wrap.
func commentText(src string) string {
	src = regexp.MustCompile(`\n\s*//\s?`).ReplaceAllString(src, " ")
	return regexp.MustCompile(`\s+`).ReplaceAllString(src, " ")
}

// TestNamedRules: every rule a check's documentation names ("what it
// leaves alone") is implemented where the code says so and kept honest
// by a correct look-alike in the fixtures tagged with the same name.
func TestNamedRules(t *testing.T) {
	for _, a := range suite.All() {
		dir := filepath.Join("..", a.Name)
		doc, err := os.ReadFile(filepath.Join(dir, "doc.go"))
		if err != nil {
			t.Fatal(err)
		}
		var code, fixtures strings.Builder
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || filepath.Base(path) == "doc.go" {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			switch {
			case strings.Contains(filepath.ToSlash(path), "/testdata/"):
				fixtures.WriteString(commentText(string(b)))
			case !strings.HasSuffix(path, "_test.go"):
				code.WriteString(commentText(string(b)))
			}
			return nil
		})
		names := map[string]bool{}
		for _, m := range ruleName.FindAllStringSubmatch(commentText(string(doc)), -1) {
			names[strings.ToLower(m[1])] = true
		}
		inCode := map[string]bool{}
		for _, m := range ruleName.FindAllStringSubmatch(code.String(), -1) {
			inCode[strings.ToLower(m[1])] = true
		}
		inFixtures := map[string]bool{}
		for _, m := range ruleName.FindAllStringSubmatch(fixtures.String(), -1) {
			inFixtures[strings.ToLower(m[1])] = true
		}
		for n := range names {
			if !inCode[n] {
				t.Errorf("%s: rule %q is in doc.go but no code comment names it", a.Name, n)
			}
			if !inFixtures[n] {
				t.Errorf("%s: rule %q has no look-alike tagged with it in testdata", a.Name, n)
			}
		}
		for n := range inCode {
			if !names[n] {
				t.Errorf("%s: rule %q is in the code but not in doc.go", a.Name, n)
			}
		}
	}
}
