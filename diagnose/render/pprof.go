package render

import (
	"fmt"
	"io"

	"github.com/google/pprof/profile"

	"github.com/silentfail/silentfail/diagnose"
)

// Pprof writes the goroutines judged leak or suspect as a goroutine
// profile in pprof format (gzipped protocol buffer): one sample per
// group, valued at its count in the last snapshot (or the number the
// goroutineleak profile listed), labelled with its verdict, so that
// `go tool pprof -top FILE` or the web UI shows where they wait.
func Pprof(w io.Writer, rep *diagnose.Report) error {
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "goroutine", Unit: "count"}},
		PeriodType: &profile.ValueType{Type: "goroutine", Unit: "count"},
		Period:     1,
		Comments:   []string{"silentfail diagnose: goroutines judged leak or suspect"},
	}
	funcs := make(map[[2]string]*profile.Function)
	locs := make(map[string]*profile.Location)
	for _, g := range rep.Groups {
		if g.Verdict == diagnose.OK {
			continue
		}
		s := &profile.Sample{
			Value: []int64{int64(g.Size())},
			Label: map[string][]string{"verdict": {string(g.Verdict)}, "state": {g.State}},
		}
		for _, f := range g.Stack {
			key := fmt.Sprintf("%s\x00%s\x00%d", f.Function, f.File, f.Line)
			loc := locs[key]
			if loc == nil {
				fn := funcs[[2]string{f.Function, f.File}]
				if fn == nil {
					fn = &profile.Function{ID: uint64(len(p.Function) + 1), Name: f.Function, SystemName: f.Function, Filename: f.File}
					funcs[[2]string{f.Function, f.File}] = fn
					p.Function = append(p.Function, fn)
				}
				loc = &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: fn, Line: int64(f.Line)}}}
				locs[key] = loc
				p.Location = append(p.Location, loc)
			}
			s.Location = append(s.Location, loc)
		}
		p.Sample = append(p.Sample, s)
	}
	if err := p.CheckValid(); err != nil {
		return fmt.Errorf("render: pprof profile: %w", err)
	}
	return p.Write(w)
}
