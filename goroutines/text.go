package goroutines

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
)

// parseText reads a debug=1 profile:
//
//	goroutine profile: total 6
//	3 @ 0x48c26a 0x418c9c 0x418897 0x6807be 0x493161
//	# labels: {"route":"/stock"}
//	#	0x6807bd	main.lookup+0x1d	/src/app/main.go:16
//
// One Goroutine per record, with Count set; no state, no creator.
func parseText(r *bufio.Reader) (*Snapshot, error) {
	lr := &lineReader{r: r}
	in := make(interner)
	first, err := lr.next()
	if err != nil {
		return nil, fmt.Errorf("goroutines: debug=1 profile: %w", err)
	}
	name, totalText, _ := bytes.Cut(first, []byte(" profile: total "))
	total, err := strconv.Atoi(string(totalText))
	if err != nil {
		return nil, fmt.Errorf("goroutines: debug=1 profile line 1: bad total %q", clip(totalText))
	}
	if n := string(name); n != ProfileGoroutine && n != ProfileGoroutineLeak || total < 0 {
		return nil, fmt.Errorf("goroutines: debug=1 profile line 1: want \"goroutine profile: total N\", got %q", clip(first))
	}
	// A goroutineleak profile may well have no records: nothing leaked.
	s := &Snapshot{Format: FormatText, Profile: string(name)}
	leak := s.Profile == ProfileGoroutineLeak
	var g *Goroutine
	for {
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("goroutines: debug=1 profile: %w", err)
		}
		switch {
		case len(line) == 0:
			g = nil
		case bytes.HasPrefix(line, []byte("# labels: ")):
			if g == nil {
				return nil, fmt.Errorf("goroutines: debug=1 profile line %d: labels outside a record", lr.line)
			}
			labels, err := parseLabels(line[len("# labels: "):])
			if err != nil {
				return nil, fmt.Errorf("goroutines: debug=1 profile line %d: %v", lr.line, err)
			}
			g.Labels = labels
		case bytes.HasPrefix(line, []byte("#\t")):
			if g == nil {
				return nil, fmt.Errorf("goroutines: debug=1 profile line %d: a frame outside a record", lr.line)
			}
			// #	0x6807bd	main.lookup+0x1d	/src/app/main.go:16
			fields := bytes.FieldsFunc(line[2:], func(r rune) bool { return r == '\t' })
			if len(fields) != 3 {
				return nil, fmt.Errorf("goroutines: debug=1 profile line %d: want address, function and file:line, got %q", lr.line, clip(line))
			}
			fn := fields[1]
			if i := bytes.LastIndex(fn, []byte("+0x")); i > 0 {
				fn = fn[:i]
			}
			file, n, err := parseFileLine(fields[2])
			if err != nil {
				return nil, fmt.Errorf("goroutines: debug=1 profile line %d: %w", lr.line, err)
			}
			g.Stack = append(g.Stack, Frame{Function: in.get(fn), File: in.get(file), Line: n})
		case line[0] >= '0' && line[0] <= '9':
			countText, _, ok := bytes.Cut(line, []byte(" @ "))
			n, err := strconv.Atoi(string(countText))
			if !ok || err != nil || n <= 0 {
				return nil, fmt.Errorf("goroutines: debug=1 profile line %d: want \"N @ addresses\", got %q", lr.line, clip(line))
			}
			g = &Goroutine{Count: n, Leaked: leak}
			s.Goroutines = append(s.Goroutines, g)
		default:
			return nil, fmt.Errorf("goroutines: debug=1 profile line %d: unexpected %q", lr.line, clip(line))
		}
	}
	if len(s.Goroutines) == 0 && s.Profile == ProfileGoroutine {
		// Impossible in a real one: the goroutine writing it is in it.
		return nil, fmt.Errorf("goroutines: debug=1 profile: no records")
	}
	if got := s.Total(); got != total {
		return nil, fmt.Errorf("goroutines: debug=1 profile: truncated: the records count %d goroutines, the header says %d", got, total)
	}
	return s, nil
}
