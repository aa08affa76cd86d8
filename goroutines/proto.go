package goroutines

import (
	"bufio"
	"fmt"
	"time"

	"github.com/google/pprof/profile"
)

// parseProfile reads a goroutine or goroutineleak profile in pprof
// format: one Goroutine per sample, its value the count.
func parseProfile(r *bufio.Reader) (*Snapshot, error) {
	p, err := profile.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("goroutines: pprof profile: %w", err)
	}
	name := ""
	if p.PeriodType != nil {
		name = p.PeriodType.Type
	} else if len(p.SampleType) == 1 {
		name = p.SampleType[0].Type
	}
	if name != ProfileGoroutine && name != ProfileGoroutineLeak {
		return nil, fmt.Errorf("goroutines: pprof profile of %q: %w", name, errNotGoroutines)
	}
	s := &Snapshot{Format: FormatProfile, Profile: name}
	if p.TimeNanos > 0 {
		s.Time = time.Unix(0, p.TimeNanos)
	}
	in := make(interner)
	for _, smp := range p.Sample {
		if len(smp.Value) == 0 || smp.Value[0] <= 0 {
			continue
		}
		g := &Goroutine{Count: int(smp.Value[0]), Leaked: name == ProfileGoroutineLeak}
		for _, loc := range smp.Location {
			// Inlined calls come first in a location's lines.
			for _, ln := range loc.Line {
				if ln.Function == nil {
					continue
				}
				g.Stack = append(g.Stack, Frame{Function: in.get([]byte(ln.Function.Name)), File: in.get([]byte(ln.Function.Filename)), Line: int(ln.Line)})
			}
		}
		for k, vs := range smp.Label {
			if len(vs) > 0 {
				if g.Labels == nil {
					g.Labels = make(map[string]string)
				}
				g.Labels[k] = vs[0]
			}
		}
		s.Goroutines = append(s.Goroutines, g)
	}
	return s, nil
}
