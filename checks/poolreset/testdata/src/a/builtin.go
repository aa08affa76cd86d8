package a

import (
	"bytes"
	"sync"
)

// A generated parser built into the pooled struct by New and reused as
// it is: Parse starts from a clean state every time.
type exprParser struct{ stack []int }

func (p *exprParser) Parse(input string) int {
	p.stack = p.stack[:0]
	return len(input)
}

type parseState struct{ p *exprParser }

var parsers = sync.Pool{New: func() any { return &parseState{p: &exprParser{}} }}

func parseExpr(input string) int {
	s := parsers.Get().(*parseState)
	defer parsers.Put(s)
	return s.p.Parse(input)
}

// A buffer built in the same way keeps what the last user wrote.
type renderState struct{ out *bytes.Buffer }

var renders = sync.Pool{New: func() any { return &renderState{out: new(bytes.Buffer)} }}

func renderName(name string) string {
	s := renders.Get().(*renderState)
	defer renders.Put(s)
	s.out.WriteString(name) // want `s.out is read before this request sets it`
	return s.out.String()
}

// A pooled buffer's memory taken whole as scratch space and filled
// before it is read.
var hashBufs = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 32)) }}

func fillHash(dst []byte, src string) { copy(dst, src) }

func hashID(id string) byte {
	b := hashBufs.Get().(*bytes.Buffer)
	defer hashBufs.Put(b)
	buf := b.Bytes()[:b.Cap()]
	fillHash(buf, id)
	return buf[0]
}

// The same buffer's bytes read as they are.
func lastID() byte {
	b := hashBufs.Get().(*bytes.Buffer)
	defer hashBufs.Put(b)
	return b.Bytes()[0] // want `b from hashBufs.Get\(\) is written to or read before it is reset`
}
