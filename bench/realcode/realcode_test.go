package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const header = "repo\tcommit\tposition\tcheck\tverdict\treason\n"

const commitA = "0123456789012345678901234567890123456789"

func TestParseLedgerRejectsWhatAReviewerMistypes(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{"bad header", "repo commit\n", "header must be"},
		{"columns", header + "a/b\t" + commitA + "\tx.go:1\tdeferloop\ttrue\n", "5 tab-separated columns"},
		{"repo", header + "ab\t" + commitA + "\tx.go:1\tdeferloop\ttrue\tr\n", "not owner/name"},
		{"commit", header + "a/b\tabc\tx.go:1\tdeferloop\ttrue\tr\n", "not a full commit"},
		{"position", header + "a/b\t" + commitA + "\t/abs/x.go:1\tdeferloop\ttrue\tr\n", "not path/in/repo.go:line"},
		{"no line", header + "a/b\t" + commitA + "\tx.go\tdeferloop\ttrue\tr\n", "not path/in/repo.go:line"},
		{"verdict", header + "a/b\t" + commitA + "\tx.go:1\tdeferloop\tmaybe\tr\n", "not true, false or debatable"},
		{"reason", header + "a/b\t" + commitA + "\tx.go:1\tdeferloop\ttrue\t \n", "no reason"},
		{"duplicate", header + "a/b\t" + commitA + "\tx.go:1\tdeferloop\ttrue\tr\n" + "a/b\t" + commitA + "\tx.go:1\tdeferloop\tfalse\tr\n", "same finding as line 2"},
		{"empty", "", "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseLedger("ledger.tsv", strings.NewReader(tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "ledger.tsv") {
				t.Errorf("error %v, want one naming ledger.tsv and saying %q", err, tc.want)
			}
		})
	}
}

func TestTheLedgerParses(t *testing.T) {
	es, err := readLedger("ledger.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if len(es) == 0 {
		t.Fatal("the ledger is empty")
	}
	svcs, err := readServices("services.tsv")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if _, ok := svcs[e.Repo+"@"+e.Commit]; !ok {
			t.Errorf("ledger.tsv:%d: %s at %.12s is not in services.tsv: say which role it played", e.Line, e.Repo, e.Commit)
		}
	}
}

func TestCompare(t *testing.T) {
	ledger, err := parseLedger("l", strings.NewReader(header+
		"a/b\t"+commitA+"\tx.go:1\tdeferloop\ttrue\treal\n"+
		"a/b\t"+commitA+"\tx.go:2\tdeferloop\tfalse\twrong\n"+
		"a/b\t"+commitA+"\tx.go:3\tctxreplace\tdebatable\tintended\n"+
		"a/b\t"+commitA+"\tx.go:4\tdeferloop\ttrue\tsilenced by mistake\n"+
		"a/b\t"+commitA+"\tx.go:5\tdeferloop\tfalse\tfixed\n"+
		"c/d\t"+commitA+"\tx.go:9\tdeferloop\ttrue\tnot run\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := func(pos, check string) finding {
		return finding{findingKey{"a/b", commitA, pos, check}, check, "msg"}
	}
	runs := []moduleRun{{Repo: "a/b", Commit: commitA, Findings: []finding{
		f("x.go:1", "deferloop"), f("x.go:2", "deferloop"), f("x.go:3", "ctxreplace"), f("x.go:7", "deferloop"),
	}}}
	svcs := map[string]service{"a/b@" + commitA: {Repo: "a/b", Commit: commitA, Role: roleHeldOut}}
	rep := compare(runs, ledger, svcs, []string{"deferloop"})
	rep.RecallChecked = true

	if got := rep.ByCheck["deferloop"]; *got != (tally{Findings: 3, True: 1, False: 1, Untriaged: 1}) {
		t.Errorf("deferloop tally %+v", *got)
	}
	if got := rep.ByCheck["ctxreplace"]; *got != (tally{Findings: 1, Debatable: 1}) {
		t.Errorf("ctxreplace tally %+v", *got)
	}
	if got := rep.DefaultAll[roleHeldOut]; got == nil || got.precision() != "50%" {
		t.Errorf("held-out default precision %+v, want 50%% (opt-in ctxreplace left out)", got)
	}
	if len(rep.Untriaged) != 1 || rep.Untriaged[0].Position != "x.go:7" {
		t.Errorf("untriaged %+v, want x.go:7", rep.Untriaged)
	}
	if len(rep.StillFalse) != 2 {
		t.Errorf("still false %+v, want x.go:2 and x.go:3", rep.StillFalse)
	}
	if len(rep.Lost) != 1 || rep.Lost[0].Position != "x.go:4" {
		t.Errorf("lost %+v, want x.go:4 only (c/d did not run)", rep.Lost)
	}
	if len(rep.Silenced) != 1 {
		t.Errorf("silenced %+v, want one", rep.Silenced)
	}
	var out bytes.Buffer
	rep.print(&out)
	for _, want := range []string{"RECALL LOST", "x.go:4", "not in the ledger yet (1)", "that no longer fire (1)", "default set, heldout services: 3 findings, 1 true, 1 false"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	// A run of the default set only cannot tell a lost finding from one
	// of an opt-in form that was not asked for.
	rep.RecallChecked = false
	out.Reset()
	rep.print(&out)
	if strings.Contains(out.String(), "RECALL LOST") || !strings.Contains(out.String(), "recall not checked") {
		t.Errorf("default-only report claims recall:\n%s", out.String())
	}
}

func TestParseVetJSON(t *testing.T) {
	root := t.TempDir()
	js := `{"m/p": {"deferloop": [{"posn": "` + filepath.Join(root, "p", "x.go") + `:12:3", "message": "m1"}],
	              "ctxreplace": [{"posn": "` + filepath.Join(root, "p", "x.go") + `:14:3", "category": "background", "message": "m2"}],
	              "deferclose": {"error": "package does not type-check"}}}`
	fs, err := parseVetJSON([]byte(js), root, "a/b", commitA)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || fs[0].Position != "p/x.go:12" || fs[0].Check != "deferloop" || fs[0].Form != "deferloop" {
		t.Fatalf("findings %+v, want deferloop at p/x.go:12 and ctxreplace at p/x.go:14", fs)
	}
	if fs[1].Check != "ctxreplace" || fs[1].Form != "ctxreplace.background" {
		t.Errorf("finding %+v: want check ctxreplace, form ctxreplace.background", fs[1])
	}
	if _, err := parseVetJSON([]byte(`{"m/p": {"deferloop": [{"posn": "/elsewhere/x.go:1:1"}]}}`), root, "a/b", commitA); err == nil {
		t.Error("a position outside the checkout was accepted")
	}
}

func TestOriginFile(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "sub")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, ".silentfail-origin"), []byte("o/n "+commitA+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, repo, commit, err := origin(sub)
	if err != nil || repo != "o/n" || commit != commitA {
		t.Errorf("origin = %q %q %q %v", r, repo, commit, err)
	}
	if got := repoFromURL("git@github.com:o/n.git"); got != "o/n" {
		t.Errorf("repoFromURL ssh = %q", got)
	}
	if got := repoFromURL("https://github.com/o/n"); got != "o/n" {
		t.Errorf("repoFromURL https = %q", got)
	}
}

// TestCheckoutRoot: a service counts as measured only when the module
// at the root of its checkout was checked; a module below it (an
// example, a tool, a fixture) that ran does not make it measured.
func TestCheckoutRoot(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "fixtures", "app")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, ".silentfail-origin"), []byte("o/n "+commitA+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if svc, ok := checkoutRoot(root); !ok || svc != "o/n "+commitA[:12] {
		t.Errorf("checkoutRoot(root) = %q, %v; want o/n at the commit", svc, ok)
	}
	if svc, ok := checkoutRoot(sub); ok {
		t.Errorf("checkoutRoot(fixture module) = %q, true; want false", svc)
	}
	if _, ok := checkoutRoot(t.TempDir()); ok {
		t.Error("checkoutRoot outside any checkout = true")
	}
	rep := compare(nil, nil, nil, nil)
	rep.RootsNotLoaded = []string{"o/n " + commitA[:12]}
	var out bytes.Buffer
	rep.print(&out)
	if !strings.Contains(out.String(), "root module not checked (1)") || !strings.Contains(out.String(), "o/n "+commitA[:12]) {
		t.Errorf("report does not name the unmeasured service:\n%s", out.String())
	}
}

// TestAgainstTheBar: a check leaves the default set only when its
// whole 95% interval lies under 90%; a handful of findings says little.
func TestAgainstTheBar(t *testing.T) {
	for _, tc := range []struct {
		t    tally
		want string
	}{
		{tally{}, "-"},
		{tally{True: 0, Debatable: 9}, "below"},
		{tally{True: 8, Debatable: 8}, "below"},
		{tally{True: 7, Debatable: 5}, "below"},
		{tally{True: 5, Debatable: 2}, "unsure"},
		{tally{True: 74, False: 1, Debatable: 9}, "unsure"},
		{tally{True: 1}, "unsure"},
		{tally{True: 200, Debatable: 2}, "meets"},
		{tally{True: 3, Untriaged: 40}, "unsure"}, // untriaged findings are not counted
	} {
		if got := tc.t.against(); got != tc.want {
			lo, hi, _ := tc.t.interval()
			t.Errorf("%+v: %s (interval %.3f-%.3f), want %s", tc.t, got, lo, hi, tc.want)
		}
	}
}
