package sarif

import (
	"bytes"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/silentfail/silentfail/internal/checkrun"
)

var deferloop = Check{
	Name: "deferloop",
	Doc:  "deferloop: a defer in a loop body\n\nA deferred call runs when the function\nreturns.\n\nBad:\n\n\tfor { defer f.Close() }",
	URL:  "https://pkg.go.dev/github.com/silentfail/silentfail/checks/deferloop",
}

// write creates name below dir with content and returns its path.
func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func pos(file string, line, col int) token.Position {
	return token.Position{Filename: file, Line: line, Column: col}
}

func build(t *testing.T, root string, checks []Check, fs ...checkrun.Finding) (*Log, []byte) {
	t.Helper()
	l := New(checks, fs, Options{Root: root, Version: "v1.2.3"})
	var buf bytes.Buffer
	if err := l.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if err := Validate(buf.Bytes()); err != nil {
		t.Fatalf("the log does not validate: %v\n%s", err, buf.String())
	}
	return l, buf.Bytes()
}

func TestColumnsAreUTF16CodeUnits(t *testing.T) {
	root := t.TempDir()
	// "é" is 2 bytes and 1 UTF-16 unit; "😀" is 4 bytes and 2 units.
	src := "package p\n\nvar s = \"é😀\"; var x = 1\n"
	f := write(t, root, "p.go", src)
	line := strings.Split(src, "\n")[2]
	byteCol := strings.Index(line, "var x") + 1
	l, _ := build(t, root, []Check{deferloop}, checkrun.Finding{Check: "deferloop", Message: "m",
		Pos: pos(f, 3, byteCol), End: pos(f, 3, byteCol+5)})
	r := l.Runs[0].Results[0].Locations[0].PhysicalLocation.Region
	if want := byteCol - 3; r.StartColumn != want || r.EndColumn != want+5 {
		t.Errorf("columns %d-%d, want %d-%d (byte column %d minus 6 bytes plus 3 units)", r.StartColumn, r.EndColumn, want, want+5, byteCol)
	}
	if r.StartLine != 3 || r.EndLine != 3 {
		t.Errorf("lines %d-%d", r.StartLine, r.EndLine)
	}
	if l.Runs[0].ColumnKind != "utf16CodeUnits" {
		t.Errorf("columnKind %q", l.Runs[0].ColumnKind)
	}
}

func TestURIs(t *testing.T) {
	root := filepath.Join(t.TempDir(), "my repo")
	inside := write(t, root, "sub dir/a#b.go", "package p\n")
	outside := write(t, filepath.Dir(root), "other/x.go", "package p\n")
	l, _ := build(t, root, []Check{deferloop},
		checkrun.Finding{Check: "deferloop", Message: "in", Pos: pos(inside, 1, 1)},
		checkrun.Finding{Check: "deferloop", Message: "out", Pos: pos(outside, 1, 1)})
	in := l.Runs[0].Results[0].Locations[0].PhysicalLocation.ArtifactLocation
	if in.URI != "sub%20dir/a%23b.go" || in.URIBaseID != SrcRoot {
		t.Errorf("file below the root: %+v, want sub%%20dir/a%%23b.go relative to %s", in, SrcRoot)
	}
	out := l.Runs[0].Results[1].Locations[0].PhysicalLocation.ArtifactLocation
	if !strings.HasPrefix(out.URI, "file:///") || !strings.HasSuffix(out.URI, "/other/x.go") || out.URIBaseID != "" {
		t.Errorf("file outside the root: %+v, want an absolute file URI", out)
	}
	base := l.Runs[0].OriginalURIBaseIDs[SrcRoot].URI
	if !strings.HasPrefix(base, "file:///") || !strings.HasSuffix(base, "/my%20repo/") {
		t.Errorf("%s = %q, want the root's file URI with a trailing slash", SrcRoot, base)
	}
}

func TestRulesAndResults(t *testing.T) {
	root := t.TempDir()
	f := write(t, root, "p.go", "package p\n")
	other := Check{Name: "chanleak", Doc: "chanleak: a goroutine blocked forever", URL: "u"}
	l, _ := build(t, root, []Check{deferloop, other},
		checkrun.Finding{Check: "chanleak", Message: "leak", Pos: pos(f, 1, 1),
			Related: []checkrun.Related{{Pos: pos(f, 1, 9), Message: "started here"}}},
		checkrun.Finding{Check: "ignore", Message: "bad directive", Pos: pos(f, 1, 1)})
	rules := l.Runs[0].Tool.Driver.Rules
	if len(rules) != 3 || rules[0].ID != "deferloop" || rules[1].ID != "chanleak" || rules[2].ID != "ignore" {
		t.Fatalf("rules %+v, want the two checks then ignore", rules)
	}
	r0 := rules[0]
	if r0.ShortDescription.Text != "a defer in a loop body" || !strings.HasPrefix(r0.FullDescription.Text, "A deferred call runs when the function\nreturns.") ||
		r0.HelpURI != deferloop.URL || !strings.Contains(r0.Help.Markdown, "\tfor { defer f.Close() }") {
		t.Errorf("rule from the doc: %+v %+v %+v", r0.ShortDescription, r0.FullDescription, r0.Help)
	}
	for _, res := range l.Runs[0].Results {
		if rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %q has ruleIndex %d, which is rule %q", res.RuleID, res.RuleIndex, rules[res.RuleIndex].ID)
		}
	}
	rel := l.Runs[0].Results[0].RelatedLocations
	if len(rel) != 1 || rel[0].Message.Text != "started here" || *rel[0].ID != 1 || rel[0].PhysicalLocation.Region.StartColumn != 9 {
		t.Errorf("related locations %+v", rel)
	}
	if l.Runs[0].Tool.Driver.Version != "v1.2.3" {
		t.Errorf("driver version %q", l.Runs[0].Tool.Driver.Version)
	}
}

func TestFixesAreByteReplacements(t *testing.T) {
	root := t.TempDir()
	src := "package p\n\nfunc f() { mu.Lock(); defer mu.Unlock() }\n"
	f := write(t, root, "p.go", src)
	start := strings.Index(src, "Unlock")
	ins := strings.Index(src, "defer")
	fix := checkrun.Fix{Message: "use RUnlock", Edits: []checkrun.Edit{
		{Filename: f, Start: start, End: start + len("Unlock"), New: "RUnlock"},
		{Filename: f, Start: ins, End: ins + len("defer "), New: ""},
	}}
	l, _ := build(t, root, []Check{deferloop}, checkrun.Finding{Check: "deferloop", Message: "m", Pos: pos(f, 3, 1), Fixes: []checkrun.Fix{fix}})
	fx := l.Runs[0].Results[0].Fixes[0]
	if fx.Description.Text != "use RUnlock" || len(fx.ArtifactChanges) != 1 {
		t.Fatalf("fix %+v", fx)
	}
	c := fx.ArtifactChanges[0]
	if c.ArtifactLocation.URI != "p.go" {
		t.Errorf("change of %+v", c.ArtifactLocation)
	}
	// Applying the replacements from the end gives what the edits give.
	got := src
	for i := len(c.Replacements) - 1; i >= 0; i-- {
		r := c.Replacements[i]
		text := ""
		if r.InsertedContent != nil {
			text = r.InsertedContent.Text
		}
		got = got[:*r.DeletedRegion.ByteOffset] + text + got[*r.DeletedRegion.ByteOffset+*r.DeletedRegion.ByteLength:]
	}
	if want := "package p\n\nfunc f() { mu.Lock(); mu.RUnlock() }\n"; got != want {
		t.Errorf("replacements give\n%q\nwant\n%q", got, want)
	}
	if c.Replacements[0].InsertedContent != nil {
		t.Errorf("a deletion carries inserted content %+v", c.Replacements[0].InsertedContent)
	}
}

func TestFingerprintsSurviveMovedLines(t *testing.T) {
	root := t.TempDir()
	f := write(t, root, "p.go", "package p\n")
	finding := func(line int) checkrun.Finding {
		return checkrun.Finding{Check: "chanleak", Message: "the goroutine started at line " + strconv.Itoa(line-3) + " leaks",
			Pos: pos(f, line, 2), Func: checkrun.FuncSpan{Name: "p.serve"}}
	}
	before, _ := build(t, root, nil, finding(10), finding(20))
	after, _ := build(t, root, nil, finding(14), finding(24))
	fp := func(l *Log, i int) string { return l.Runs[0].Results[i].PartialFingerprints[fingerprintKey] }
	if fp(before, 0) != fp(after, 0) || fp(before, 1) != fp(after, 1) {
		t.Errorf("fingerprints changed when lines moved: %s %s -> %s %s", fp(before, 0), fp(before, 1), fp(after, 0), fp(after, 1))
	}
	if fp(before, 0) == fp(before, 1) {
		t.Errorf("two findings with the same text share fingerprint %s", fp(before, 0))
	}
	other := finding(10)
	other.Func.Name = "p.other"
	moved, _ := build(t, root, nil, other)
	if fp(moved, 0) == fp(before, 0) {
		t.Error("a finding in another function has the same fingerprint")
	}
}

func TestValidateRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"not JSON":         `{`,
		"no runs":          `{"version":"2.1.0"}`,
		"wrong version":    `{"version":"2.0.0","runs":[]}`,
		"no driver name":   `{"version":"2.1.0","runs":[{"tool":{"driver":{}}}]}`,
		"result no text":   `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{}}]}]}`,
		"bad level":        `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"level":"fatal"}]}]}`,
		"line 0":           `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a"},"region":{"startLine":0}}}]}]}]}`,
		"rule index":       `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[{"id":"a"}]}},"results":[{"message":{"text":"m"},"ruleIndex":1}]}]}`,
		"rule without id":  `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[{"name":"a"}]}}}]}`,
		"empty fix":        `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"fixes":[{"artifactChanges":[]}]}]}]}`,
		"no deletedRegion": `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"fixes":[{"artifactChanges":[{"artifactLocation":{"uri":"a"},"replacements":[{}]}]}]}]}]}`,
	} {
		if err := Validate([]byte(doc)); err == nil {
			t.Errorf("%s: accepted %s", name, doc)
		}
	}
}
