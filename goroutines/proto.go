package goroutines

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/pprof/profile"
)

// parseProfile reads a goroutine or goroutineleak profile in pprof
// format: one Goroutine per sample, its value the count.
func parseProfile(r *bufio.Reader) (*Snapshot, error) {
	data, err := readProto(r)
	if err != nil {
		return nil, fmt.Errorf("goroutines: reading a pprof profile: %w", err)
	}
	// ParseUncompressed, not Parse: Parse falls back to pprof's legacy
	// text formats, which are no goroutine data and which some garbage
	// inputs keep busy for a long time.
	p, err := profile.ParseUncompressed(data)
	if err != nil {
		return nil, errors.New("goroutines: binary data that is neither a goroutine dump nor a pprof profile")
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
				if ln.Line < 0 {
					return nil, fmt.Errorf("goroutines: pprof profile: location %d: negative line number %d in %s", loc.ID, ln.Line, clip([]byte(ln.Function.Name)))
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

// maxProto bounds a decompressed profile: a gzip bomb is an error, not
// an exhausted machine. A goroutine profile of a million goroutines
// aggregates to a few megabytes.
const maxProto = 256 << 20

// readProto reads the protocol buffer, gunzipping it when it is
// compressed.
func readProto(r *bufio.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxProto+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxProto {
		return nil, fmt.Errorf("larger than %d MiB uncompressed", maxProto>>20)
	}
	return data, nil
}
