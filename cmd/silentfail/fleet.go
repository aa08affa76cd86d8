package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/silentfail/silentfail/diagnose"
)

// fleetConfig says which instances to ask Prometheus about and how to
// capture the worst of them.
type fleetConfig struct {
	prometheus string
	selector   string
	window     time.Duration
	top        int
	target     *template.Template
	how        sampling
	opts       []diagnose.Option
}

// instanceGrowth is one instance's goroutines over the window.
type instanceGrowth struct {
	labels      map[string]string
	first, last float64
}

// growingInstances asks Prometheus (query_range) for go_goroutines of
// the selected instances over the window, and returns those whose
// goroutines grew, most growth first, and how many matched.
func growingInstances(ctx context.Context, cfg fleetConfig) ([]instanceGrowth, int, error) {
	end := time.Now()
	start := end.Add(-cfg.window)
	step := max(cfg.window/60, 15*time.Second)
	q := url.Values{
		"query": {"go_goroutines{" + cfg.selector + "}"},
		"start": {strconv.FormatInt(start.Unix(), 10)},
		"end":   {strconv.FormatInt(end.Unix(), 10)},
		"step":  {strconv.FormatFloat(step.Seconds(), 'f', -1, 64)},
	}
	u := strings.TrimSuffix(cfg.prometheus, "/") + "/api/v1/query_range?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("-prometheus %s: %v", cfg.prometheus, err)
	}
	resp, err := (&http.Client{Timeout: cfg.how.timeout}).Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("-prometheus %s: %v", cfg.prometheus, err)
	}
	defer resp.Body.Close()
	var body struct {
		Status    string `json:"status"`
		Error     string `json:"error"`
		ErrorType string `json:"errorType"`
		Data      struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Values [][2]any          `json:"values"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&body); err != nil {
		return nil, 0, fmt.Errorf("-prometheus %s: not a Prometheus API answer (HTTP %s)", cfg.prometheus, resp.Status)
	}
	if body.Status != "success" {
		return nil, 0, fmt.Errorf("-prometheus %s: query %s: %s: %s", cfg.prometheus, q.Get("query"), body.ErrorType, body.Error)
	}
	var out []instanceGrowth
	for _, r := range body.Data.Result {
		if len(r.Values) < 2 {
			continue
		}
		first, err1 := sampleValue(r.Values[0])
		last, err2 := sampleValue(r.Values[len(r.Values)-1])
		if err1 != nil || err2 != nil || last <= first {
			continue
		}
		out = append(out, instanceGrowth{labels: r.Metric, first: first, last: last})
	}
	slices.SortStableFunc(out, func(a, b instanceGrowth) int {
		return cmp.Compare(b.last-b.first, a.last-a.first)
	})
	return out, len(body.Data.Result), nil
}

func sampleValue(v [2]any) (float64, error) {
	s, ok := v[1].(string)
	if !ok {
		return 0, fmt.Errorf("not a sample value: %v", v[1])
	}
	return strconv.ParseFloat(s, 64)
}

// fleetFinding is one group found in several instances: where it
// blocks, its worst verdict, and in which instances.
type fleetFinding struct {
	verdict   diagnose.Verdict
	where     string
	state     string
	reason    string // of the first instance
	findings  []diagnose.Finding
	instances []string
	goroutine int // in the last snapshots, all instances together
}

// runFleet captures the most growing instances and prints the groups
// they share, folded across instances. It returns the exit status.
func runFleet(ctx context.Context, cfg fleetConfig, stdout, stderr io.Writer) int {
	grown, matched, err := growingInstances(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "silentfail:", err)
		return exitError
	}
	if matched == 0 {
		fmt.Fprintf(stderr, "silentfail: -prometheus %s: no go_goroutines series matches {%s}\n", cfg.prometheus, cfg.selector)
		return exitError
	}
	fmt.Fprintf(stdout, "%d instances match {%s}; %d grew over the last %s", matched, cfg.selector, len(grown), cfg.window)
	if len(grown) > cfg.top {
		grown = grown[:cfg.top]
	}
	fmt.Fprintf(stdout, "; capturing the %d that grew most\n", len(grown))
	byWhere := map[string]*fleetFinding{}
	var order []*fleetFinding
	captured := 0
	for _, g := range grown {
		var u bytes.Buffer
		if err := cfg.target.Execute(&u, g.labels); err != nil {
			fmt.Fprintf(stderr, "silentfail: -target for %v: %v\n", g.labels, err)
			continue
		}
		name := g.labels["instance"]
		if name == "" {
			name = u.String()
		}
		snaps, _, err := fetch(ctx, u.String(), cfg.how, io.Discard)
		if err != nil {
			fmt.Fprintf(stdout, "  %s: %.0f → %.0f goroutines; not captured: %v\n", name, g.first, g.last, err)
			continue
		}
		rep, err := diagnose.Analyze(snaps, cfg.opts...)
		if err != nil {
			fmt.Fprintf(stdout, "  %s: not diagnosed: %v\n", name, err)
			continue
		}
		captured++
		suspects := 0
		for _, grp := range rep.Groups {
			if grp.Verdict == diagnose.Suspect {
				suspects++
			}
		}
		fmt.Fprintf(stdout, "  %s: %.0f → %.0f goroutines; %d leak, %d suspect\n", name, g.first, g.last, rep.Leaks(), suspects)
		for _, grp := range rep.Groups {
			if grp.Verdict != diagnose.Leak && grp.Verdict != diagnose.Suspect && grp.Verdict != diagnose.Stuck {
				continue
			}
			where := "(no frame outside the runtime)"
			if c := grp.Culprit; c != nil {
				where = fmt.Sprintf("%s (%s:%d)", c.Function, filepath.Base(c.File), c.Line)
			}
			f := byWhere[where]
			if f == nil {
				f = &fleetFinding{verdict: grp.Verdict, where: where, state: grp.State, reason: grp.Reason, findings: grp.Findings}
				byWhere[where] = f
				order = append(order, f)
			}
			if grp.Verdict == diagnose.Leak {
				f.verdict = diagnose.Leak
			}
			if !slices.Contains(f.instances, name) {
				f.instances = append(f.instances, name)
			}
			f.goroutine += grp.Last()
		}
	}
	slices.SortStableFunc(order, func(a, b *fleetFinding) int {
		if (a.verdict == diagnose.Leak) != (b.verdict == diagnose.Leak) {
			if a.verdict == diagnose.Leak {
				return -1
			}
			return 1
		}
		return len(b.instances) - len(a.instances)
	})
	fmt.Fprintln(stdout)
	if len(order) == 0 {
		fmt.Fprintf(stdout, "no leak or suspect group in the %d instances captured\n", captured)
		return exitClean
	}
	status := exitClean
	for _, f := range order {
		fmt.Fprintf(stdout, "%-7s %s in %s, in %d of %d instances captured (%d goroutines): %s\n",
			strings.ToUpper(string(f.verdict)), f.where, f.state, len(f.instances), captured, f.goroutine, strings.Join(f.instances, ", "))
		fmt.Fprintf(stdout, "        %s\n", f.reason)
		for _, fd := range f.findings {
			fmt.Fprintf(stdout, "        finding: %s:%d: %s (%s)\n", fd.File, fd.Line, fd.Message, fd.Check)
		}
		if f.verdict == diagnose.Leak || f.verdict == diagnose.Stuck {
			status = exitFindings
		}
	}
	return status
}
