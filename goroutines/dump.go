package goroutines

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/silentfail/silentfail/internal/members"
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
func parseDump(r *bufio.Reader, fold bool) (*Snapshot, error) {
	lr := &lineReader{r: r}
	in := make(interner)
	labels := make(labelCache)
	stacks := newStackInterner()
	s := &Snapshot{Format: FormatDump, Profile: ProfileGoroutine}
	folds := make(map[foldKey]*Goroutine)
	var lastID int64
	// A goroutine is read into scratch space: next (spare, a goroutine
	// folded into an earlier record, or a new one), frames and creator; the
	// stack and creator are kept only when no earlier goroutine has the
	// same. A dump of a million goroutines then allocates for its
	// distinct stacks and records, not for each goroutine.
	var (
		next, spare *Goroutine
		frames      []Frame
		creator     Frame
		labelKey    string // g's labels, as folding compares them
	)
	// done is called once a goroutine's stack is complete: its stack is
	// shared with the goroutines before it that have the same one, and,
	// folding, it joins their record when it agrees with it on the rest.
	done := func(g *Goroutine) {
		frames = stacks.share(g, frames)
		if !fold {
			return
		}
		k := keyOf(g, labelKey)
		rec := folds[k]
		if rec == nil {
			g.Members = new(Members)
			members.Add(g.Members, g.ID, g.WaitMinutes)
			folds[k] = g
			return
		}
		rec.Count++
		members.Add(rec.Members, g.ID, g.WaitMinutes)
		if rec.CreatorID != g.CreatorID {
			rec.CreatorID = 0
		}
		s.Goroutines = s.Goroutines[:len(s.Goroutines)-1] // g, the last one read
		spare = g                                         // nothing refers to it any more
	}
	var (
		header, trailer strings.Builder
		g               *Goroutine
		pendingFunc     string // a function line waiting for its file line
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
		switch {
		case next != nil:
		case spare != nil:
			next, spare = spare, nil
		default:
			next = new(Goroutine)
		}
		ok, nextKey, err := parseHeader(line, next, in, labels)
		if err != nil {
			return nil, fmt.Errorf("goroutines: dump line %d: %w", lr.line, err)
		}
		if ok {
			if pendingFunc != "" || pendingCreator {
				return nil, fmt.Errorf("goroutines: dump line %d: goroutine header where the file of %q was expected", lr.line, pendingFunc)
			}
			if g != nil {
				done(g)
			}
			g, next, labelKey = next, nil, nextKey
			g.Count = 1
			g.Stack = frames[:0]
			lastID = g.ID
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
		case pendingFunc != "" || pendingCreator:
			if len(line) == 0 || line[0] != '\t' {
				return nil, fmt.Errorf("goroutines: dump line %d: want the file and line of the frame above, got %q", lr.line, clip(line))
			}
			file, n, err := parseFileLine(line[1:])
			if err != nil {
				return nil, fmt.Errorf("goroutines: dump line %d: %w", lr.line, err)
			}
			if pendingCreator {
				creator = Frame{Function: pendingFunc, File: in.get(file), Line: n}
				g.CreatedBy = &creator // share keeps a copy when it is new
				g.CreatorID = creatorID
			} else {
				g.Stack = append(g.Stack, Frame{Function: pendingFunc, File: in.get(file), Line: n})
			}
			pendingFunc, pendingCreator = "", false
		case len(line) == 0:
			done(g)
			g = nil // the blank line that ends a goroutine
		case bytes.HasPrefix(line, []byte("created by ")):
			fn, id := parseCreatedBy(line[len("created by "):])
			if len(fn) == 0 {
				return nil, fmt.Errorf("goroutines: dump line %d: \"created by\" names no function", lr.line)
			}
			pendingFunc, pendingCreator, creatorID = in.get(fn), true, id
		case isElided(line):
			g.Elided = true
		case line[0] != '\t' && !bytes.HasPrefix(line, []byte("goroutine ")) && looksLikeCall(line):
			pendingFunc = in.get(funcName(line))
		default:
			// Registers, "exit status 2", a log line right after the
			// frames: the text after the goroutines.
			done(g)
			g = nil
			trailer.Write(line)
			trailer.WriteByte('\n')
		}
	}
	if g != nil {
		done(g)
	}
	if len(s.Goroutines) == 0 {
		if pendingFunc != "" || pendingCreator {
			return nil, fmt.Errorf("goroutines: dump truncated at line %d: the frame %q has no file line", lr.line, clip([]byte(pendingFunc)))
		}
		return nil, fmt.Errorf("goroutines: not a goroutine dump or profile: no \"goroutine N [state]:\" line in %d lines", lr.line)
	}
	switch {
	case pendingFunc != "" || pendingCreator:
		// Salvage: keep every goroutine, the last one without the frame
		// whose file line was cut off.
		s.Truncated = fmt.Sprintf("the input ends inside goroutine %d's stack (line %d): its frame %q has no file line", lastID, lr.line, clip([]byte(pendingFunc)))
	case cutHeader(trailer.String()):
		s.Truncated = fmt.Sprintf("the input ends inside a goroutine header (line %d), after goroutine %d", lr.line, lastID)
	}
	s.Header, s.Trailer = header.String(), trailer.String()
	if leaked > 0 {
		s.Profile = ProfileGoroutineLeak
	}
	return s, nil
}

// foldKey is what the goroutines of a folded record agree on; their
// stacks and creators are compared by identity, shared by
// stackInterner when they are equal.
type foldKey struct {
	stack                  *Frame
	depth                  int
	createdBy              *Frame
	state                  string
	labels                 string
	locked, leaked, elided bool
}

func keyOf(g *Goroutine, labels string) foldKey {
	k := foldKey{depth: len(g.Stack), createdBy: g.CreatedBy, state: g.State, labels: labels, locked: g.Locked, leaked: g.Leaked, elided: g.Elided}
	if len(g.Stack) > 0 {
		k.stack = &g.Stack[0]
	}
	return k
}

// labelCache reads each distinct label text of a dump once: the
// goroutines of a request, or of a pool, carry the same labels, and
// parsing them again for each goroutine would cost more than the rest
// of its header. The goroutines that carry the same text share one map.
type labelCache map[string]labelSet

type labelSet struct {
	labels map[string]string
	key    string // the labels as folding compares them: fmt.Sprint, sorted by key; "" when there are none
}

func (c labelCache) get(text []byte) (labelSet, error) {
	if set, ok := c[string(text)]; ok {
		return set, nil
	}
	labels, err := parseLabels(text)
	if err != nil {
		return labelSet{}, err
	}
	set := labelSet{labels: labels}
	if len(labels) > 0 {
		set.key = fmt.Sprint(labels)
	}
	c[string(text)] = set
	return set, nil
}

// stackInterner lets goroutines with the same stack (and creator)
// share one copy of them: a dump of a leak repeats one stack for every
// goroutine, and a million copies of it would be most of the memory a
// dump takes. key is scratch space for the key of the next lookup.
type stackInterner struct {
	m   map[string]sharedStack
	key []byte
}

type sharedStack struct {
	stack     []Frame
	createdBy *Frame
}

func newStackInterner() *stackInterner {
	return &stackInterner{m: make(map[string]sharedStack)}
}

// share replaces g's stack and creator, read into scratch space, by
// those of an earlier goroutine with the same ones, or by copies of
// them kept for the next. It returns the scratch space of g's stack,
// free again.
func (st *stackInterner) share(g *Goroutine, scratch []Frame) []Frame {
	b := st.key[:0]
	for _, f := range g.Stack {
		b = append(b, f.Function...)
		b = append(b, 0)
		b = append(b, f.File...)
		b = append(b, 0)
		b = strconv.AppendInt(b, int64(f.Line), 10)
		b = append(b, 0)
	}
	if c := g.CreatedBy; c != nil {
		b = append(b, 1)
		b = append(b, c.Function...)
		b = append(b, 0)
		b = append(b, c.File...)
		b = append(b, 0)
		b = strconv.AppendInt(b, int64(c.Line), 10)
	}
	st.key = b
	if cap(g.Stack) > 0 {
		scratch = g.Stack[:0] // it may have grown
	}
	if first, ok := st.m[string(b)]; ok {
		g.Stack, g.CreatedBy = first.stack, first.createdBy
		return scratch
	}
	if len(g.Stack) == 0 {
		g.Stack = nil
	} else {
		g.Stack = slices.Clip(slices.Clone(g.Stack))
	}
	if g.CreatedBy != nil {
		c := *g.CreatedBy
		g.CreatedBy = &c
	}
	st.m[string(b)] = sharedStack{g.Stack, g.CreatedBy}
	return scratch
}

// cutHeader reports whether the text after the goroutines ends in the
// start of a goroutine header that the input cut ("goroutine 12 [chan").
func cutHeader(trailer string) bool {
	trailer = strings.TrimRight(trailer, "\n")
	last := trailer[strings.LastIndexByte(trailer, '\n')+1:]
	return strings.HasPrefix(last, "goroutine ") && !strings.HasSuffix(last, ":")
}

// parseHeader parses a goroutine's first line:
//
//	goroutine 18 [chan send, 2 minutes]:
//	goroutine 1 gp=0xc000002380 m=0 mp=0x95ce40 [running]:      GOTRACEBACK=crash/system, fatal errors
//	goroutine 20 [chan send (leaked)]:                           goroutineleak debug=2
//	goroutine 9 [select, 3 minutes, locked to thread] {route: /stock}:   Go 1.27 labels
//
// It fills g, which it clears first, only when the line is a header:
// ok is false when the line is not a header at all; err is set when it
// is one but its labels cannot be read. Strings come from in, labels
// from labels; labelKey is what folding compares of them.
func parseHeader(line []byte, g *Goroutine, in interner, labels labelCache) (ok bool, labelKey string, err error) {
	rest, ok := bytes.CutPrefix(line, []byte("goroutine "))
	if !ok || !bytes.HasSuffix(rest, []byte(":")) {
		return false, "", nil
	}
	sp := bytes.IndexByte(rest, ' ')
	if sp <= 0 {
		return false, "", nil
	}
	id, err := strconv.ParseInt(string(rest[:sp]), 10, 64)
	if err != nil || id < 0 {
		return false, "", nil
	}
	rest = rest[sp+1 : len(rest)-1]
	open := bytes.IndexByte(rest, '[')
	if open < 0 {
		return false, "", nil
	}
	closing := bytes.IndexByte(rest[open:], ']')
	if closing < 0 {
		return false, "", nil
	}
	closing += open
	for f := range bytes.FieldsSeq(rest[:open]) { // gp=, m=, mp=
		if !bytes.ContainsRune(f, '=') {
			return false, "", nil
		}
	}
	*g = Goroutine{ID: id}
	parts := rest[open+1 : closing]
	for i := 0; ; i++ {
		part, more, found := bytes.Cut(parts, []byte(", "))
		if i == 0 {
			// The status, then markers the runtime appends to it.
			for {
				if st, ok := bytes.CutSuffix(part, []byte(" (leaked)")); ok {
					part, g.Leaked = st, true
				} else if st, ok := bytes.CutSuffix(part, []byte(" (scan)")); ok {
					part = st // caught mid-GC: the status is the same
				} else {
					break
				}
			}
			g.State = in.get(part)
		} else {
			switch {
			case bytes.Equal(part, []byte("locked to thread")):
				g.Locked = true
			case bytes.HasSuffix(part, []byte(" minutes")) || bytes.HasSuffix(part, []byte(" minute")):
				if n, err := strconv.Atoi(string(part[:bytes.IndexByte(part, ' ')])); err == nil && n >= 0 {
					g.WaitMinutes = n
				}
			}
			// Anything else ("synctest bubble 3") says nothing a diagnosis uses.
		}
		if !found {
			break
		}
		parts = more
	}
	if extra := bytes.TrimSpace(rest[closing+1:]); len(extra) > 0 {
		set, err := labels.get(extra)
		if err != nil {
			return true, "", err
		}
		g.Labels, labelKey = set.labels, set.key
	}
	return true, labelKey, nil
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

// isElided recognizes the runtime's marks for frames it left out:
// "...additional frames elided..." after the innermost 100 frames (up
// to Go 1.20), and "...51 frames elided..." between the innermost and
// the outermost 50 (Go 1.21 on).
func isElided(line []byte) bool {
	return bytes.HasPrefix(line, []byte("...")) && bytes.HasSuffix(line, []byte(" elided..."))
}
