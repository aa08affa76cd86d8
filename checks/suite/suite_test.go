package suite_test

import (
	"regexp"
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
