package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/silentfail/silentfail/checks/suite"
	"github.com/silentfail/silentfail/internal/sarif"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// On the examples: the log validates, every result names its rule by
// ID and index, every marked bug is a result, and each fix replaces
// exactly what -json's edits replace.
func TestCheckSARIFOnTheExamples(t *testing.T) {
	root := filepath.Join("..", "..")
	r := silentfail(t, root, "check", "-sarif", "-enable", "all", "./examples/...")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (findings), as with -json\n%s", r.code, r.stderr)
	}
	if err := sarif.Validate([]byte(r.stdout)); err != nil {
		t.Fatal(err)
	}
	var log sarif.Log
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	rules := run.Tool.Driver.Rules
	if len(rules) != len(suite.All()) {
		t.Errorf("%d rules, want one per check (%d)", len(rules), len(suite.All()))
	}
	for _, rl := range rules {
		if rl.ShortDescription == nil || rl.FullDescription == nil || rl.Help == nil || !strings.HasSuffix(rl.HelpURI, "/checks/"+rl.ID) {
			t.Errorf("rule %s lacks its metadata: %+v", rl.ID, rl)
		}
	}
	spans := markedBugs(t, filepath.Join(root, "examples", "leakyservice"))
	if len(run.Results) != len(spans) {
		t.Errorf("%d results, want one per marked bug (%d)", len(run.Results), len(spans))
	}

	jr := silentfail(t, root, "check", "-json", "-enable", "all", "./examples/...")
	var tree vetJSON
	if err := json.Unmarshal([]byte(jr.stdout), &tree); err != nil {
		t.Fatal(err)
	}
	// check + "file:line" -> the edits of its fixes, as "file@start-end=new".
	jsonEdits := map[string][]string{}
	posn := regexp.MustCompile(`(examples/leakyservice/\w+\.go):(\d+):\d+$`)
	for _, checks := range tree {
		for check, diags := range checks {
			for _, d := range diags {
				m := posn.FindStringSubmatch(filepath.ToSlash(d.Posn))
				if m == nil {
					t.Fatalf("-json position %q", d.Posn)
				}
				key := check + " " + m[1] + ":" + m[2]
				for _, fx := range d.SuggestedFixes {
					for _, e := range fx.Edits {
						rel, _ := filepath.Rel(mustAbs(t, root), e.Filename)
						jsonEdits[key] = append(jsonEdits[key], fmt.Sprintf("%s@%d-%d=%q", filepath.ToSlash(rel), e.Start, e.End, e.New))
					}
				}
			}
		}
	}
	fixes := 0
	for _, res := range run.Results {
		if rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s: ruleIndex %d is rule %s", res.RuleID, res.RuleIndex, rules[res.RuleIndex].ID)
		}
		loc := res.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URIBaseID != sarif.SrcRoot || !strings.HasPrefix(loc.ArtifactLocation.URI, "examples/leakyservice/") {
			t.Errorf("result %s at %+v, want a path relative to %s", res.RuleID, loc.ArtifactLocation, sarif.SrcRoot)
		}
		var got []string
		for _, fx := range res.Fixes {
			fixes++
			for _, c := range fx.ArtifactChanges {
				for _, rp := range c.Replacements {
					text := ""
					if rp.InsertedContent != nil {
						text = rp.InsertedContent.Text
					}
					off, n := *rp.DeletedRegion.ByteOffset, *rp.DeletedRegion.ByteLength
					got = append(got, fmt.Sprintf("%s@%d-%d=%q", c.ArtifactLocation.URI, off, off+n, text))
				}
			}
		}
		key := fmt.Sprintf("%s %s:%d", res.RuleID, loc.ArtifactLocation.URI, loc.Region.StartLine)
		if strings.Join(got, " ") != strings.Join(jsonEdits[key], " ") {
			t.Errorf("%s: SARIF fixes %v, -json edits %v", key, got, jsonEdits[key])
		}
	}
	if fixes == 0 {
		t.Error("no result carries a fix: the examples have fixable bugs")
	}
}

func mustAbs(t *testing.T, p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// The log of a small fixture, with the version and the machine's
// directory normalized, is kept as a golden file: a format change shows
// in review.
func TestCheckSARIFGolden(t *testing.T) {
	r := silentfail(t, mod, "check", "-sarif", "-enable", "deferlock", "./cache")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	got := r.stdout
	got = regexp.MustCompile(`"version": "[^"]*",\n(\s*"rules")`).ReplaceAllString(got, `"version": "VERSION",`+"\n$1")
	got = strings.ReplaceAll(got, sarifDirURI(t, mustAbs(t, mod)), "file:///ROOT/")
	golden := filepath.Join("testdata", "sarif.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("check -sarif differs from %s (go test -run SARIFGolden -update to accept):\n%s", golden, got)
	}
}

func sarifDirURI(t *testing.T, dir string) string {
	l := sarif.New(nil, nil, sarif.Options{Root: dir})
	return l.Runs[0].OriginalURIBaseIDs[sarif.SrcRoot].URI
}

func TestCheckSARIFRefusesOtherOutputs(t *testing.T) {
	for _, other := range []string{"-json", "-fix", "-diff"} {
		r := silentfail(t, mod, "check", "-sarif", other, "./cache")
		if r.code != 2 || !strings.Contains(r.stderr, "-sarif cannot be used with") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || r.stdout != "" {
			t.Errorf("-sarif %s: exit %d, stderr %q, stdout %q; want exit 2 and one line", other, r.code, r.stderr, r.stdout)
		}
	}
}
