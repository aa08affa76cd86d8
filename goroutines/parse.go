package goroutines

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// maxLine bounds one line of a text input: a frame with a long argument
// list, or a long panic message.
const maxLine = 1 << 20

// Parse reads one capture and recognizes its format from the content:
// a goroutine dump or traceback (FormatDump), a debug=1 text profile
// (FormatText) or a pprof profile, gzipped or not (FormatProfile).
func Parse(r io.Reader, opts ...Option) (*Snapshot, error) {
	return parse(r, true, newConfig(opts).fold)
}

// An Option configures Parse, ParseFile and ReadDir.
type Option func(*config)

type config struct {
	fold bool
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		o(&c)
	}
	return c
}

// Fold folds, while reading, the goroutines of a dump that agree on
// everything but their id, wait time and creator's id (the same stack,
// creator, state, labels and flags) into one record with Count set and
// their ids and waits in Members: memory then grows with the distinct
// groups and two or three bytes a goroutine, not a record a goroutine. The other
// formats are aggregated already.
func Fold() Option { return func(c *config) { c.fold = true } }

func parse(r io.Reader, gunzip, fold bool) (*Snapshot, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(512)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, fmt.Errorf("goroutines: reading: %w", err)
	}
	switch {
	case len(head) == 0:
		return nil, errors.New("goroutines: empty input")
	case gunzip && bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("goroutines: gzip data that does not decompress: %w", err)
		}
		s, err := parse(zr, false, fold)
		if err != nil && errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("goroutines: the gzip data is cut short: %w", err)
		}
		return s, err
	case isBinary(head):
		return parseProfile(br)
	case bytes.HasPrefix(head, []byte("goroutine profile: total ")) || bytes.HasPrefix(head, []byte("goroutineleak profile: total ")):
		return parseText(br)
	}
	return parseDump(br, fold)
}

// ParseFile parses the capture in the file at path. The snapshot's time
// is the profile's own when it has one, else the file's modification
// time.
func ParseFile(path string, opts ...Option) (*Snapshot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, errors.Unwrap(err))
	}
	defer f.Close()
	s, err := Parse(f, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s.Source = path
	if s.Time.IsZero() {
		if fi, err := f.Stat(); err == nil {
			s.Time = fi.ModTime()
		}
	}
	return s, nil
}

// isBinary reports whether b is not text: a protocol buffer.
func isBinary(b []byte) bool {
	if !utf8.Valid(b[:max(0, len(b)-utf8.UTFMax)]) {
		return true
	}
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
			return true
		}
	}
	return false
}

// lineReader reads lines of any length up to maxLine, counting them for
// error messages.
type lineReader struct {
	r    *bufio.Reader
	line int
	buf  []byte
}

// next returns the next line without its end, or io.EOF.
func (l *lineReader) next() ([]byte, error) {
	l.buf = l.buf[:0]
	for {
		frag, err := l.r.ReadSlice('\n')
		l.buf = append(l.buf, frag...)
		if len(l.buf) > maxLine {
			return nil, fmt.Errorf("line %d: longer than %d bytes", l.line+1, maxLine)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && (err != io.EOF || len(l.buf) == 0) {
			return nil, err
		}
		l.line++
		b := l.buf
		for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
			b = b[:len(b)-1]
		}
		return b, nil
	}
}

// interner shares the strings of repeated frames: a dump of a million
// goroutines names the same few hundred functions and files.
type interner map[string]string

func (in interner) get(b []byte) string {
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	in[s] = s
	return s
}
