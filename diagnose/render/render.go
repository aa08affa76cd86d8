// Package render presents a diagnose.Report: as text for a terminal,
// JSON for programs, one self-contained HTML page, or a pprof profile of
// the goroutines judged leak or suspect.
package render

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/silentfail/silentfail/diagnose"
	"github.com/silentfail/silentfail/goroutines"
)

// maxOK bounds how many ok groups the text report lists.
const maxOK = 10

// Text writes the report for a terminal: a summary, the notes, one
// block per leak or suspect group (worst first), then the ok groups in
// one line each.
func Text(w io.Writer, rep *diagnose.Report) error {
	p := &printer{w: w}
	counts := map[diagnose.Verdict]int{}
	for _, g := range rep.Groups {
		counts[g.Verdict]++
	}
	stuck := ""
	if n := counts[diagnose.Stuck]; n > 0 {
		stuck = fmt.Sprintf(", %d stuck", n)
	}
	p.printf("%s, %d groups of goroutines: %d leak%s, %d suspect, %d ok\n",
		describeSnapshots(rep), len(rep.Groups), counts[diagnose.Leak], stuck, counts[diagnose.Suspect], counts[diagnose.OK])
	for _, n := range rep.Notes {
		p.printf("note: %s\n", n)
	}
	ok := 0
	for _, g := range rep.Groups {
		if g.Verdict == diagnose.OK {
			if ok == 0 {
				p.printf("\nok:\n")
			}
			if ok < maxOK {
				p.printf("  %6d  %-22s %s\n", g.Size(), trim(g.State, 22), where(g))
			}
			ok++
			continue
		}
		p.block(g)
	}
	if ok > maxOK {
		p.printf("  ... and %d more ok groups (-json lists them all)\n", ok-maxOK)
	}
	return p.err
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) block(g *diagnose.Group) {
	p.printf("\n%s  %d goroutines in %s%s\n", strings.ToUpper(string(g.Verdict)), g.Size(), orUnknown(g.State), growthText(g.Counts))
	p.printf("  why:      %s\n", g.Reason)
	if r := g.Request; r != nil {
		p.printf("  request:  %s\n", requestLine(r))
	}
	if g.Culprit != nil {
		p.printf("  where:    %s\n            %s:%d\n", g.Culprit.Function, g.Culprit.File, g.Culprit.Line)
	}
	if g.CreatedBy != nil {
		p.printf("  started:  by %s at %s:%d\n", g.CreatedBy.Function, filepath.Base(g.CreatedBy.File), g.CreatedBy.Line)
	}
	if g.WaitMax > 0 {
		switch {
		case g.WaitMin == g.WaitMax:
			p.printf("  waiting:  %d minutes\n", g.WaitMax)
		case g.WaitMin == 0:
			p.printf("  waiting:  up to %d minutes\n", g.WaitMax)
		default:
			p.printf("  waiting:  %d to %d minutes\n", g.WaitMin, g.WaitMax)
		}
	}
	for _, f := range g.Findings {
		p.printf("  finding:  %s:%d:%d: %s (%s)\n", f.File, f.Line, f.Col, f.Message, f.Check)
	}
	p.printf("  stack:\n")
	for _, f := range ShortStack(g.Stack) {
		p.printf("            %s  %s:%d\n", shortFunc(f.Function), filepath.Base(f.File), f.Line)
	}
}

// ShortStack keeps the frames worth reading: where the goroutine waits
// (the innermost frame that is not the scheduler's own) and every frame
// outside the runtime and the standard library.
func ShortStack(stack []goroutines.Frame) []goroutines.Frame {
	var out []goroutines.Frame
	waitShown := false
	for _, f := range stack {
		if strings.HasPrefix(f.Function, "runtime.gopark") || f.Function == "runtime.goparkunlock" {
			continue
		}
		pkg := f.Package()
		first, _, _ := strings.Cut(pkg, "/")
		library := (!strings.Contains(first, ".") && pkg != "main") || strings.HasPrefix(pkg, "golang.org/x/")
		if !library || !waitShown {
			out = append(out, f)
		}
		waitShown = true
	}
	return out
}

func describeSnapshots(rep *diagnose.Report) string {
	n := len(rep.Timeline)
	if n == 0 {
		return "no snapshot"
	}
	first, last := rep.Snapshots[rep.Timeline[0]], rep.Snapshots[rep.Timeline[n-1]]
	s := fmt.Sprintf("%d snapshot", n)
	if n > 1 {
		s += "s"
	}
	if !first.Time.IsZero() && !last.Time.IsZero() {
		if n > 1 {
			s += fmt.Sprintf(" over %s", last.Time.Sub(first.Time).Round(time.Second))
		} else {
			s += " at " + first.Time.UTC().Format("2006-01-02 15:04:05Z")
		}
	}
	if len(rep.Snapshots) > n {
		s += fmt.Sprintf(" (+%d goroutineleak)", len(rep.Snapshots)-n)
	}
	return s
}

func growthText(counts []int) string {
	if len(counts) < 2 {
		return ""
	}
	parts := make([]string, len(counts))
	for i, c := range counts {
		parts[i] = fmt.Sprint(c)
	}
	return ", counts " + strings.Join(parts, " → ")
}

func where(g *diagnose.Group) string {
	if g.Culprit != nil {
		return fmt.Sprintf("%s (%s:%d)", shortFunc(g.Culprit.Function), filepath.Base(g.Culprit.File), g.Culprit.Line)
	}
	if len(g.Stack) > 0 {
		f := g.Stack[len(g.Stack)-1]
		return fmt.Sprintf("%s (%s:%d)", shortFunc(f.Function), filepath.Base(f.File), f.Line)
	}
	return "(no stack)"
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown state"
	}
	return s
}

func trim(s string, n int) string {
	if len(s) > n {
		return s[:n-1] + "…"
	}
	return s
}

func shortFunc(fn string) string {
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		return fn[i+1:]
	}
	return fn
}

// JSON document shapes.
type (
	jsonReport struct {
		Snapshots []diagnose.SnapshotInfo `json:"snapshots"`
		Notes     []string                `json:"notes"`
		Leaks     int                     `json:"leaks"`
		Groups    []jsonGroup             `json:"groups"`
	}
	jsonGroup struct {
		Verdict     diagnose.Verdict   `json:"verdict"`
		Reason      string             `json:"reason"`
		Count       []int              `json:"count"`
		State       string             `json:"state"`
		WaitMinutes jsonWait           `json:"wait_minutes"`
		Leaked      int                `json:"leaked"`
		Culprit     *jsonFrame         `json:"culprit"`
		CreatedBy   *jsonFrame         `json:"created_by"`
		Stack       []jsonFrame        `json:"stack"`
		Labels      map[string]string  `json:"labels,omitempty"`
		Findings    []diagnose.Finding `json:"findings"`
		Request     *jsonRequest       `json:"request,omitempty"`
	}
	jsonRequest struct {
		ID            string `json:"id"`
		Requests      int    `json:"requests"`
		Method        string `json:"method,omitempty"`
		Path          string `json:"path,omitempty"`
		Route         string `json:"route,omitempty"`
		RequestID     string `json:"request_id,omitempty"`
		ElapsedMS     int64  `json:"elapsed_ms"`
		CaptureReason string `json:"capture_reason,omitempty"`
	}
	jsonWait struct {
		Min int `json:"min"`
		Max int `json:"max"`
	}
	jsonFrame struct {
		Function string `json:"function"`
		File     string `json:"file"`
		Line     int    `json:"line"`
	}
)

// requestLine is one line about a late request: what the capture knows.
func requestLine(r *goroutines.RequestInfo) string {
	var parts []string
	if r.Method != "" || r.Path != "" {
		parts = append(parts, strings.TrimSpace(r.Method+" "+r.Path))
	}
	if r.Route != "" {
		parts = append(parts, "route "+r.Route)
	}
	if r.RequestID != "" {
		parts = append(parts, "X-Request-Id "+r.RequestID)
	}
	parts = append(parts, fmt.Sprintf("label %s=%s", goroutines.RequestLabel, r.ID), "running "+r.Elapsed.Round(time.Millisecond).String())
	if r.Requests > 1 {
		parts = append(parts, fmt.Sprintf("%d requests", r.Requests))
	}
	return strings.Join(parts, ", ")
}

func frameJSON(f *goroutines.Frame) *jsonFrame {
	if f == nil {
		return nil
	}
	return &jsonFrame{f.Function, f.File, f.Line}
}

// JSON writes the report as one JSON object with "groups", worst first.
func JSON(w io.Writer, rep *diagnose.Report) error {
	out := jsonReport{Snapshots: rep.Snapshots, Notes: rep.Notes, Leaks: rep.Leaks(), Groups: []jsonGroup{}}
	if out.Notes == nil {
		out.Notes = []string{}
	}
	for _, g := range rep.Groups {
		jg := jsonGroup{
			Verdict: g.Verdict, Reason: g.Reason, Count: g.Counts, State: g.State,
			WaitMinutes: jsonWait{g.WaitMin, g.WaitMax}, Leaked: g.Leaked,
			Culprit: frameJSON(g.Culprit), CreatedBy: frameJSON(g.CreatedBy),
			Stack: []jsonFrame{}, Labels: g.Labels, Findings: g.Findings,
		}
		if r := g.Request; r != nil {
			jg.Request = &jsonRequest{ID: r.ID, Requests: r.Requests, Method: r.Method, Path: r.Path, Route: r.Route,
				RequestID: r.RequestID, ElapsedMS: r.Elapsed.Milliseconds(), CaptureReason: g.CaptureReason}
		}
		if jg.Findings == nil {
			jg.Findings = []diagnose.Finding{}
		}
		for i := range g.Stack {
			jg.Stack = append(jg.Stack, *frameJSON(&g.Stack[i]))
		}
		out.Groups = append(out.Groups, jg)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
