package goroutines

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// parseDump reads a debug=2 dump, a traceback or runtime.Stack output:
//
//	goroutine 18 [chan send, 2 minutes]:
//	main.lookup(0xc000012345)
//		/src/app/main.go:30 +0x25
//	created by main.main in goroutine 1
//		/src/app/main.go:20 +0x45
//
// Text before the first goroutine is the Header (a panic message, a
// signal), text after the last one the Trailer (registers, exit status).
func parseDump(r *bufio.Reader) (*Snapshot, error) {
	lr := &lineReader{r: r}
	in := make(interner)
	s := &Snapshot{Format: FormatDump, Profile: ProfileGoroutine}
	var (
		header, trailer strings.Builder
		g               *Goroutine
		pendingFunc     []byte // a function line waiting for its file line
		pendingCreator  bool
		creatorID       int64
		leaked          int
	)
	for {
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("goroutines: dump: %w", err)
		}
		if h, ok := parseHeader(line); ok {
			if pendingFunc != nil {
				return nil, fmt.Errorf("goroutines: dump line %d: goroutine header where the file of %q was expected", lr.line, pendingFunc)
			}
			g = h
			g.Count = 1
			s.Goroutines = append(s.Goroutines, g)
			if g.Leaked {
				leaked++
			}
			trailer.Reset()
			continue
		}
		if g == nil {
			// Between or after goroutines: the text after them, unless
			// another goroutine follows. Before the first: the header.
			if len(s.Goroutines) == 0 {
				header.Write(line)
				header.WriteByte('\n')
			} else if len(line) > 0 || trailer.Len() > 0 {
				trailer.Write(line)
				trailer.WriteByte('\n')
			}
			continue
		}
		switch {
		case pendingFunc != nil || pendingCreator:
			if len(line) == 0 || line[0] != '\t' {
				return nil, fmt.Errorf("goroutines: dump line %d: want the file and line of the frame above, got %q", lr.line, clip(line))
			}
			file, n, err := parseFileLine(line[1:])
			if err != nil {
				return nil, fmt.Errorf("goroutines: dump line %d: %w", lr.line, err)
			}
			if pendingCreator {
				g.CreatedBy = &Frame{Function: in.get(pendingFunc), File: in.get(file), Line: n}
				g.CreatorID = creatorID
			} else {
				g.Stack = append(g.Stack, Frame{Function: in.get(pendingFunc), File: in.get(file), Line: n})
			}
			pendingFunc, pendingCreator = nil, false
		case len(line) == 0:
			g = nil // the blank line that ends a goroutine
		case bytes.HasPrefix(line, []byte("created by ")):
			fn, id := parseCreatedBy(line[len("created by "):])
			pendingFunc, pendingCreator, creatorID = append([]byte(nil), fn...), true, id
		case bytes.Equal(line, []byte("...additional frames elided...")):
			g.Elided = true
		case line[0] != '\t' && !bytes.HasPrefix(line, []byte("goroutine ")) && looksLikeCall(line):
			pendingFunc = append([]byte(nil), funcName(line)...)
		default:
			// Registers, "exit status 2", a log line right after the
			// frames: the text after the goroutines.
			g = nil
			trailer.Write(line)
			trailer.WriteByte('\n')
		}
	}
	if pendingFunc != nil {
		return nil, fmt.Errorf("goroutines: dump truncated at line %d: the frame %q has no file line", lr.line, clip(pendingFunc))
	}
	if len(s.Goroutines) == 0 {
		return nil, fmt.Errorf("goroutines: not a goroutine dump or profile: no \"goroutine N [state]:\" line in %d lines", lr.line)
	}
	s.Header, s.Trailer = header.String(), trailer.String()
	if leaked > 0 {
		s.Profile = ProfileGoroutineLeak
	}
	return s, nil
}

// parseHeader parses "goroutine 18 [chan send, 2 minutes]:" and the
// crash form "goroutine 1 gp=0xc000002380 m=0 mp=0x... [running]:".
func parseHeader(line []byte) (*Goroutine, bool) {
	rest, ok := bytes.CutPrefix(line, []byte("goroutine "))
	if !ok || !bytes.HasSuffix(rest, []byte(":")) {
		return nil, false
	}
	sp := bytes.IndexByte(rest, ' ')
	if sp < 0 {
		return nil, false
	}
	id, err := strconv.ParseInt(string(rest[:sp]), 10, 64)
	if err != nil || id < 0 {
		return nil, false
	}
	rest = rest[sp+1 : len(rest)-1]
	open := bytes.IndexByte(rest, '[')
	close := bytes.LastIndexByte(rest, ']')
	if open < 0 || close < open {
		return nil, false
	}
	for _, f := range bytes.Fields(rest[:open]) { // gp=, m=, mp=
		if !bytes.ContainsRune(f, '=') {
			return nil, false
		}
	}
	g := &Goroutine{ID: id}
	for i, part := range strings.Split(string(rest[open+1:close]), ", ") {
		if i == 0 {
			if st, ok := strings.CutSuffix(part, " (leaked)"); ok {
				part, g.Leaked = st, true
			}
			g.State = part
			continue
		}
		switch {
		case part == "locked to thread":
			g.Locked = true
		case strings.HasSuffix(part, " minutes") || strings.HasSuffix(part, " minute"):
			n, err := strconv.Atoi(strings.Fields(part)[0])
			if err == nil {
				g.WaitMinutes = n
			}
		case strings.HasSuffix(part, "(leaked)"):
			g.Leaked = true
		}
	}
	// Labels, where a runtime prints them after the state.
	if extra := bytes.TrimSpace(rest[close+1:]); len(extra) > 0 {
		var labels map[string]string
		if json.Unmarshal(extra, &labels) == nil {
			g.Labels = labels
		}
	}
	return g, true
}

// parseCreatedBy splits "main.work in goroutine 6" (Go 1.21+).
func parseCreatedBy(b []byte) ([]byte, int64) {
	fn, idText, ok := bytes.Cut(b, []byte(" in goroutine "))
	if !ok {
		return b, 0
	}
	id, _ := strconv.ParseInt(string(idText), 10, 64)
	return fn, id
}

// looksLikeCall reports whether line is a frame's function line: a name
// followed by its argument list.
func looksLikeCall(line []byte) bool {
	return bytes.HasSuffix(line, []byte(")")) && bytes.IndexByte(line, '(') > 0 && !bytes.ContainsAny(line[:bytes.IndexByte(line, '(')], " \t")
}

// funcName drops the argument list: "main.(*T).m(0xc0000, {0x1, 0x2})"
// is "main.(*T).m". Arguments hold no parentheses.
func funcName(line []byte) []byte {
	return line[:bytes.LastIndexByte(line, '(')]
}

// parseFileLine parses "/src/app/main.go:30 +0x25 fp=... sp=... pc=...".
func parseFileLine(b []byte) ([]byte, int, error) {
	if i := bytes.Index(b, []byte(" +0x")); i >= 0 {
		b = b[:i]
	} else if i := bytes.Index(b, []byte(" fp=")); i >= 0 {
		b = b[:i]
	}
	colon := bytes.LastIndexByte(b, ':')
	if colon < 0 {
		return nil, 0, fmt.Errorf("want file:line, got %q", clip(b))
	}
	n, err := strconv.Atoi(string(b[colon+1:]))
	if err != nil || n < 0 {
		return nil, 0, fmt.Errorf("want file:line, got %q", clip(b))
	}
	return b[:colon], n, nil
}

func clip(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}
