package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
)

// A service's role in the measure. Precision is reported for held-out
// services apart: a check tuned on a service's findings is expected to
// look good there, so only the services nobody fixed a check for tell
// what a new user will see.
const (
	roleTuning  = "tuning"  // its findings were used to change checks
	roleHeldOut = "heldout" // measured only, after the last change
)

type service struct {
	Repo, Commit, Role, Note string
}

var serviceColumns = []string{"repo", "commit", "role", "note"}

func readServices(name string) (map[string]service, error) {
	f, err := os.Open(name)
	if err != nil {
		if os.IsNotExist(err) {
			return map[string]service{}, nil
		}
		return nil, err
	}
	defer f.Close()
	out := make(map[string]service)
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		if n == 1 {
			if sc.Text() != strings.Join(serviceColumns, "\t") {
				return nil, fmt.Errorf("%s:1: header must be %q", name, strings.Join(serviceColumns, "\\t"))
			}
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != len(serviceColumns) {
			return nil, fmt.Errorf("%s:%d: %d tab-separated columns, want %d", name, n, len(cols), len(serviceColumns))
		}
		s := service{cols[0], cols[1], cols[2], cols[3]}
		if s.Role != roleTuning && s.Role != roleHeldOut {
			return nil, fmt.Errorf("%s:%d: role %q is not %s or %s", name, n, s.Role, roleTuning, roleHeldOut)
		}
		out[s.Repo+"@"+s.Commit] = s
	}
	return out, sc.Err()
}

// tally counts verdicts of the findings that fire now.
type tally struct {
	Findings, True, False, Debatable, Untriaged int
}

func (t *tally) add(verdict string) {
	t.Findings++
	switch verdict {
	case "true":
		t.True++
	case "false":
		t.False++
	case "debatable":
		t.Debatable++
	default:
		t.Untriaged++
	}
}

// precision is true over triaged; debatable counts against.
func (t tally) precision() string {
	triaged := t.True + t.False + t.Debatable
	if triaged == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(t.True)/float64(triaged))
}

// bar is the default set's precision bar: vet's, 90% of findings real.
const bar = 0.90

// interval is the 95% Wilson score interval of the share of triaged
// findings that are true. A check is below the bar only when the whole
// interval is: a dozen findings cannot tell 85% from 95%.
func (t tally) interval() (lo, hi float64, ok bool) {
	n := float64(t.True + t.False + t.Debatable)
	if n == 0 {
		return 0, 0, false
	}
	const z = 1.959964
	p := float64(t.True) / n
	den := 1 + z*z/n
	center := (p + z*z/(2*n)) / den
	half := z * math.Sqrt(p*(1-p)/n+z*z/(4*n*n)) / den
	return max(0, center-half), min(1, center+half), true
}

// against says where the check stands against the bar: "meets" when
// the interval lies above it, "below" when under it, "unsure" between.
func (t tally) against() string {
	lo, hi, ok := t.interval()
	switch {
	case !ok:
		return "-"
	case lo >= bar:
		return "meets"
	case hi < bar:
		return "below"
	}
	return "unsure"
}

func (t tally) intervalString() string {
	lo, hi, ok := t.interval()
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%.0f-%.0f%%", 100*lo, 100*hi)
}

type report struct {
	Runs       []moduleRun
	Services   map[string]service
	Default    map[string]bool
	ByCheck    map[string]*tally
	ByService  map[string]*tally // repo@commit
	DefaultAll map[string]*tally // by role, default checks only
	Untriaged  []finding
	StillFalse []entry // ledger false or debatable, still firing
	Lost       []entry // ledger true, no longer firing
	Silenced   []entry // ledger false or debatable, no longer firing
	// RecallChecked is set when every check and form ran, so that a
	// true finding that does not fire is lost, not merely not asked for.
	RecallChecked bool
	// RootsNotLoaded names the services ("owner/name commit") whose
	// root module could not be checked: not measured, whatever ran
	// under them.
	RootsNotLoaded []string
	verdictOf      func(findingKey) string
}

func compare(runs []moduleRun, ledger []entry, services map[string]service, defaults []string) *report {
	byKey := make(map[findingKey]entry, len(ledger))
	for _, e := range ledger {
		byKey[e.key()] = e
	}
	rep := &report{
		Runs: runs, Services: services,
		Default:    make(map[string]bool),
		ByCheck:    make(map[string]*tally),
		ByService:  make(map[string]*tally),
		DefaultAll: make(map[string]*tally),
	}
	for _, d := range defaults {
		rep.Default[d] = true
	}
	get := func(m map[string]*tally, k string) *tally {
		if m[k] == nil {
			m[k] = new(tally)
		}
		return m[k]
	}
	fired := make(map[findingKey]bool)
	ran := make(map[string]bool) // repo@commit
	for _, r := range runs {
		ran[r.Repo+"@"+r.Commit] = true
		for _, f := range r.Findings {
			if fired[f.findingKey] {
				continue // one module nested in another: reported once
			}
			fired[f.findingKey] = true
			e, known := byKey[f.findingKey]
			v := e.Verdict
			form := f.Form
			if form == "" {
				form = f.Check
			}
			get(rep.ByCheck, form).add(v)
			svc := f.Repo + "@" + f.Commit
			if rep.Default[form] {
				get(rep.ByService, svc).add(v)
				get(rep.DefaultAll, "all").add(v)
				get(rep.DefaultAll, rep.role(svc)).add(v)
			}
			switch {
			case !known:
				rep.Untriaged = append(rep.Untriaged, f)
			case v == "false" || v == "debatable":
				rep.StillFalse = append(rep.StillFalse, e)
			}
		}
	}
	for _, e := range ledger {
		if !ran[e.Repo+"@"+e.Commit] || fired[e.key()] {
			continue
		}
		if e.Verdict == "true" {
			rep.Lost = append(rep.Lost, e)
		} else {
			rep.Silenced = append(rep.Silenced, e)
		}
	}
	return rep
}

func (rep *report) role(svc string) string {
	if s, ok := rep.Services[svc]; ok {
		return s.Role
	}
	return "unlisted"
}

func (rep *report) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "service\tcommit\trole\tdefault findings\ttrue\tfalse\tdebatable\tuntriaged\tprecision\tskipped packages")
	seen := make(map[string]bool)
	for _, r := range rep.Runs {
		svc := r.Repo + "@" + r.Commit
		if seen[svc] {
			continue
		}
		seen[svc] = true
		t := rep.ByService[svc]
		if t == nil {
			t = new(tally)
		}
		skipped := 0
		for _, r2 := range rep.Runs {
			if r2.Repo+"@"+r2.Commit == svc {
				skipped += len(r2.Skipped)
			}
		}
		fmt.Fprintf(tw, "%s\t%.12s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%d\n", r.Repo, r.Commit, rep.role(svc), t.Findings, t.True, t.False, t.Debatable, t.Untriaged, t.precision(), skipped)
	}
	tw.Flush()
	fmt.Fprintln(w)

	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "check\tset\tfindings\ttrue\tfalse\tdebatable\tuntriaged\tprecision\t95% interval\t90% bar")
	checks := make([]string, 0, len(rep.ByCheck))
	for c := range rep.ByCheck {
		checks = append(checks, c)
	}
	sort.Strings(checks)
	for _, c := range checks {
		t := rep.ByCheck[c]
		set := "opt-in"
		if rep.Default[c] {
			set = "default"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n", c, set, t.Findings, t.True, t.False, t.Debatable, t.Untriaged, t.precision(), t.intervalString(), t.against())
	}
	tw.Flush()
	fmt.Fprintln(w)
	for _, role := range []string{"all", roleHeldOut, roleTuning, "unlisted"} {
		t := rep.DefaultAll[role]
		if t == nil {
			continue
		}
		fmt.Fprintf(w, "default set, %s services: %d findings, %d true, %d false, %d debatable, %d untriaged: precision %s\n",
			role, t.Findings, t.True, t.False, t.Debatable, t.Untriaged, t.precision())
	}
	if len(rep.RootsNotLoaded) > 0 {
		fmt.Fprintf(w, "\nroot module not checked (%d): these services were not measured, whatever ran under them; leave them out of services.tsv\n", len(rep.RootsNotLoaded))
		for _, svc := range rep.RootsNotLoaded {
			fmt.Fprintf(w, "  %s\n", svc)
		}
	}
	if len(rep.Untriaged) > 0 {
		fmt.Fprintf(w, "\nnot in the ledger yet (%d): triage each\n", len(rep.Untriaged))
		for _, f := range rep.Untriaged {
			fmt.Fprintf(w, "  %s %.12s %s (%s): %s\n", f.Repo, f.Commit, f.Position, f.Check, f.Message)
		}
	}
	if len(rep.StillFalse) > 0 {
		fmt.Fprintf(w, "\nthe ledger calls these false or debatable and they still fire (%d)\n", len(rep.StillFalse))
		for _, e := range rep.StillFalse {
			fmt.Fprintf(w, "  %s %s (%s) %s: %s\n", e.Repo, e.Position, e.Check, e.Verdict, e.Reason)
		}
	}
	if !rep.RecallChecked {
		fmt.Fprintln(w, "\nrecall not checked: not every check and form ran (run with ENABLE=all to list true findings that no longer fire)")
	} else if len(rep.Lost) > 0 {
		fmt.Fprintf(w, "\nRECALL LOST: the ledger calls these true and they no longer fire (%d)\n", len(rep.Lost))
		for _, e := range rep.Lost {
			fmt.Fprintf(w, "  %s %s (%s): %s\n", e.Repo, e.Position, e.Check, e.Reason)
		}
	} else {
		fmt.Fprintln(w, "\nrecall kept: every finding the ledger calls true on these services still fires")
	}
	if len(rep.Silenced) > 0 && rep.RecallChecked {
		fmt.Fprintf(w, "\nfalse or debatable findings of the ledger that no longer fire (%d)\n", len(rep.Silenced))
		for _, e := range rep.Silenced {
			fmt.Fprintf(w, "  %s %s (%s) %s: %s\n", e.Repo, e.Position, e.Check, e.Verdict, e.Reason)
		}
	}
}
