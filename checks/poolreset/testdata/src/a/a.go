package a

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// A response buffer written before Reset, put back as it is.
func render(w http.ResponseWriter, v any) {
	buf := bufPool.Get().(*bytes.Buffer)
	json.NewEncoder(buf).Encode(v) // want `buf from bufPool.Get\(\) is written to or read before it is reset, and bufPool also takes objects back unreset \(Put at line 20\): bytes an earlier request wrote are still in it .* \(call buf.Reset\(\) right after Get\)`
	w.Write(buf.Bytes())
	bufPool.Put(buf)
}

// Reset only on one branch.
func greet(w io.Writer, name string, fresh bool) {
	b := bufPool.Get().(*bytes.Buffer)
	if fresh {
		b.Reset()
	}
	b.WriteString("hello ") // want `b from bufPool.Get\(\) is written to or read before it is reset`
	b.WriteString(name)
	w.Write(b.Bytes())
	bufPool.Put(b)
}

// Deferred Put of a used buffer, and a use before any reset.
func (s *server) list(w http.ResponseWriter, r *http.Request) {
	b := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(b)
	for _, it := range s.items {
		b.WriteString(it) // want `b from bufPool.Get\(\) is written to or read before it is reset`
		b.WriteByte('\n')
	}
	w.Write(b.Bytes())
}

type server struct {
	items []string
	enc   sync.Pool
}

// session carries one request's identity.
type session struct {
	user  string
	token string
	roles []string
}

var sessions = sync.Pool{New: func() any { return new(session) }}

// The previous request's token survives when this one has none.
func authenticate(r *http.Request) bool {
	s := sessions.Get().(*session)
	s.user = r.Header.Get("X-User")
	if tok := r.Header.Get("X-Token"); tok != "" {
		s.token = tok
	}
	ok := s.token != "" // want `s.token is read before this request sets it: s from sessions.Get\(\) is not reset, and sessions also takes objects back unreset \(Put at line 68\): the value an earlier request left is used, .* \(clear it right after Get: \*s = session\{\}\)`
	sessions.Put(s)
	return ok
}

var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// append onto the previous contents of a *[]byte.
func writeLine(w io.Writer, line string) {
	bp := linePool.Get().(*[]byte)
	*bp = append(*bp, line...) // want `bp from linePool.Get\(\) is appended to before it is reset, .*\(truncate it first: \(\*bp\)\[:0\]\)`
	*bp = append(*bp, '\n')
	w.Write(*bp)
	linePool.Put(bp)
}

// Helpers that neither reset.
func getBuf() *bytes.Buffer  { return bufPool.Get().(*bytes.Buffer) }
func putBuf(b *bytes.Buffer) { bufPool.Put(b) }

func label(k, v string) string {
	b := getBuf()
	b.WriteString(k) // want `b from getBuf\(\) is written to or read before it is reset`
	b.WriteByte('=')
	b.WriteString(v)
	s := b.String()
	putBuf(b)
	return s
}

// A typed wrapper.
type Pool[T any] struct{ p sync.Pool }

func (p *Pool[T]) Get() T  { return p.p.Get().(T) }
func (p *Pool[T]) Put(x T) { p.p.Put(x) }

var builders = Pool[*strings.Builder]{p: sync.Pool{New: func() any { return new(strings.Builder) }}}

func join(parts []string) string {
	sb := builders.Get()
	for _, p := range parts {
		sb.WriteString(p) // want `sb from builders.Get\(\) is written to or read before it is reset`
	}
	s := sb.String()
	builders.Put(sb)
	return s
}

var zipPool sync.Pool

// A gzip.Writer written without Reset(w): it still writes to the
// previous response.
func compress(w io.Writer, data []byte) error {
	zw, ok := zipPool.Get().(*gzip.Writer)
	if !ok {
		zw = gzip.NewWriter(w)
	}
	defer zipPool.Put(zw)
	if _, err := zw.Write(data); err != nil { // want `zw from zipPool.Get\(\) is used before it is reset, .*\(call zw.Reset\(...\) right after Get\)`
		return err
	}
	return zw.Close()
}

var counts = sync.Pool{New: func() any { return map[string]int{} }}

func tally(words []string) int {
	m := counts.Get().(map[string]int)
	for _, w := range words {
		m[w]++ // want `m from counts.Get\(\) is used before it is reset, .*\(clear\(m\) right after Get\)`
	}
	n := len(m)
	counts.Put(m)
	return n
}

// One function of the package resets, another does not: the pool is
// dirty because of the Put below.
func (s *server) encode(w io.Writer, v any) error {
	b := s.enc.Get().(*bytes.Buffer)
	b.Reset()
	if err := json.NewEncoder(b).Encode(v); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	s.enc.Put(b)
	return err
}

func (s *server) encodeFast(w io.Writer, v string) error {
	b := s.enc.Get().(*bytes.Buffer)
	b.WriteString(v) // want `b from s.enc.Get\(\) is written to or read before it is reset`
	_, err := w.Write(b.Bytes())
	s.enc.Put(b)
	return err
}

// A map from the pool filled by keys, then listed whole: the keys an
// earlier user left come out too.
var seen = sync.Pool{New: func() any { return map[string]bool{} }}

func distinct(words []string) []string {
	m := seen.Get().(map[string]bool)
	defer seen.Put(m)
	for _, w := range words {
		m[w] = true // want `m from seen.Get\(\) is used before it is reset`
	}
	var out []string
	for w := range m {
		out = append(out, w)
	}
	return out
}
