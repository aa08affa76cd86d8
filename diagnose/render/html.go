package render

import (
	"fmt"
	"html/template"
	"io"
	"path/filepath"
	"strings"

	"github.com/silentfail/silentfail/diagnose"
)

// HTML writes the report as one self-contained page: inline style and
// SVG, no script, nothing fetched from the network. Each group is a
// collapsible block (open for leaks and suspects) with a sparkline of
// its count across the snapshots and its full stack.
func HTML(w io.Writer, rep *diagnose.Report) error {
	type frame struct {
		Func, Loc string
		User      bool
	}
	type group struct {
		*diagnose.Group
		Open      bool
		Sparkline template.HTML
		Counts    string
		Where     string
		Frames    []frame
		Created   string
	}
	var groups []group
	for _, g := range rep.Groups {
		hg := group{Group: g, Open: g.Verdict != diagnose.OK, Sparkline: sparkline(g.Counts), Counts: strings.Trim(fmt.Sprint(g.Counts), "[]"), Where: where(g)}
		short := ShortStack(g.Stack)
		for _, f := range g.Stack {
			user := false
			for _, s := range short {
				user = user || (s == f && !strings.HasPrefix(f.Function, "runtime."))
			}
			hg.Frames = append(hg.Frames, frame{f.Function, fmt.Sprintf("%s:%d", f.File, f.Line), user})
		}
		if g.CreatedBy != nil {
			hg.Created = fmt.Sprintf("%s at %s:%d", g.CreatedBy.Function, filepath.Base(g.CreatedBy.File), g.CreatedBy.Line)
		}
		groups = append(groups, hg)
	}
	return page.Execute(w, map[string]any{
		"Summary": describeSnapshots(rep),
		"Leaks":   rep.Leaks(),
		"Notes":   rep.Notes,
		"Groups":  groups,
	})
}

// sparkline draws counts as an inline SVG polyline.
func sparkline(counts []int) template.HTML {
	const w, h = 120, 28
	top := 1
	for _, c := range counts {
		top = max(top, c)
	}
	var pts []string
	for i, c := range counts {
		x := 0.0
		if len(counts) > 1 {
			x = float64(i) * w / float64(len(counts)-1)
		}
		y := h - 2 - float64(c)*(h-4)/float64(top)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
	}
	if len(pts) == 1 {
		pts = append(pts, fmt.Sprintf("%d,%s", w, strings.Split(pts[0], ",")[1]))
	}
	return template.HTML(fmt.Sprintf(`<svg class="spark" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="count per snapshot: %s"><polyline fill="none" stroke="currentColor" stroke-width="2" points="%s"/></svg>`,
		w, h, w, h, template.HTMLEscapeString(strings.Trim(fmt.Sprint(counts), "[]")), strings.Join(pts, " ")))
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>silentfail diagnose: {{.Leaks}} leak(s)</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1d232a}
h1{font-size:1.4rem;margin:0 0 .3rem}
.summary{color:#555;margin-bottom:1rem}
.note{background:#f6f3e6;border-left:4px solid #c9a400;padding:.4rem .7rem;margin:.4rem 0}
details{border:1px solid #d8dde3;border-radius:6px;margin:.6rem 0;padding:.2rem .8rem}
summary{cursor:pointer;display:flex;gap:.8rem;align-items:center;padding:.3rem 0}
.verdict{font-weight:700;text-transform:uppercase;font-size:.8rem;padding:.1rem .45rem;border-radius:4px;color:#fff;min-width:4.2rem;text-align:center}
.leak .verdict{background:#c62828}.stuck .verdict{background:#8e24aa}.suspect .verdict{background:#e08a00}.ok .verdict{background:#5b8c5a}
.leak .spark{color:#c62828}.stuck .spark{color:#8e24aa}.suspect .spark{color:#e08a00}.ok .spark{color:#5b8c5a}
.count{font-variant-numeric:tabular-nums;font-weight:600;min-width:4rem;text-align:right}
.where{font-family:ui-monospace,monospace}
dl{display:grid;grid-template-columns:8rem 1fr;gap:.2rem .8rem;margin:.5rem 0}
dt{color:#666}dd{margin:0}
ol.stack{font-family:ui-monospace,monospace;font-size:12.5px;margin:.3rem 0 .6rem;padding-left:1.5rem}
ol.stack li{color:#888}ol.stack li.user{color:#1d232a;font-weight:600}
.finding{font-family:ui-monospace,monospace;background:#fdecea;padding:.1rem .3rem;border-radius:3px}
</style></head><body>
<h1>silentfail diagnose</h1>
<div class="summary">{{.Summary}} — {{len .Groups}} groups, {{.Leaks}} leak(s)</div>
{{range .Notes}}<div class="note">{{.}}</div>{{end}}
{{range .Groups}}<details class="group {{.Verdict}}"{{if .Open}} open{{end}}>
<summary><span class="verdict">{{.Verdict}}</span><span class="count">{{.Size}}</span>{{.Sparkline}}<span class="state">{{.State}}</span><span class="where">{{.Where}}</span></summary>
<dl>
<dt>why</dt><dd>{{.Reason}}</dd>
<dt>counts</dt><dd>{{.Counts}}</dd>
{{if .WaitMax}}<dt>waiting</dt><dd>{{.WaitMin}}–{{.WaitMax}} minutes</dd>{{end}}
{{if .Culprit}}<dt>culprit</dt><dd class="where">{{.Culprit.Function}}<br>{{.Culprit.File}}:{{.Culprit.Line}}</dd>{{end}}
{{if .Created}}<dt>started by</dt><dd class="where">{{.Created}}</dd>{{end}}
{{range .Findings}}<dt>finding</dt><dd><span class="finding">{{.File}}:{{.Line}}:{{.Col}}</span> {{.Message}} ({{.Check}})</dd>{{end}}
</dl>
<details class="stack"><summary>stack ({{len .Frames}} frames)</summary>
<ol class="stack">{{range .Frames}}<li{{if .User}} class="user"{{end}}>{{.Func}}<br>&nbsp;&nbsp;{{.Loc}}</li>{{end}}</ol>
</details>
</details>
{{end}}
</body></html>
`))
