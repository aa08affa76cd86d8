package a

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"math/rand"
	"net/http"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Reset right after Get; the Put does not reset.
var okPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func okRender(w http.ResponseWriter, v any) {
	buf := okPool.Get().(*bytes.Buffer)
	buf.Reset()
	json.NewEncoder(buf).Encode(v)
	w.Write(buf.Bytes())
	okPool.Put(buf)
}

// Reset right before every Put: Gets can use the buffer at once.
var outPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func okWrite(w io.Writer, s string) {
	b := outPool.Get().(*bytes.Buffer)
	b.WriteString(s)
	w.Write(b.Bytes())
	b.Reset()
	outPool.Put(b)
}

func okDeferredReset(w http.ResponseWriter, v any) error {
	b := outPool.Get().(*bytes.Buffer)
	defer func() {
		b.Reset()
		outPool.Put(b)
	}()
	if err := json.NewEncoder(b).Encode(v); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// Put back untouched (nothing was written) on the error path.
func okEarly(w io.Writer, s string) {
	b := outPool.Get().(*bytes.Buffer)
	if s == "" {
		outPool.Put(b)
		return
	}
	b.WriteString(s)
	w.Write(b.Bytes())
	b.Reset()
	outPool.Put(b)
}

// The *[]byte pattern.
var bytesPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func okAppend(w io.Writer, fields []string) {
	bp := bytesPool.Get().(*[]byte)
	b := (*bp)[:0]
	for _, f := range fields {
		b = append(b, f...)
		b = append(b, ',')
	}
	w.Write(b)
	*bp = b
	bytesPool.Put(bp)
}

func okAppendInPlace(w io.Writer, line string) {
	bp := bytesPool.Get().(*[]byte)
	*bp = (*bp)[:0]
	*bp = append(*bp, line...)
	w.Write(*bp)
	bytesPool.Put(bp)
}

// Scratch buffers for io.CopyBuffer and reads: only what was read is
// used.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32*1024); return &b }}

func okCopy(dst io.Writer, src io.Reader) (int64, error) {
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	return io.CopyBuffer(dst, src, *bp)
}

var blocks = sync.Pool{New: func() any { return new([4096]byte) }}

func okReadBlock(r io.Reader, w io.Writer) error {
	blk := blocks.Get().(*[4096]byte)
	defer blocks.Put(blk)
	n, err := io.ReadFull(r, blk[:])
	if err != nil {
		return err
	}
	_, err = w.Write(blk[:n])
	return err
}

// A struct fully overwritten before use.
type request struct {
	method, path string
	size         int
}

var requests = sync.Pool{New: func() any { return new(request) }}

func okParse(r *http.Request) int {
	q := requests.Get().(*request)
	*q = request{method: r.Method, path: r.URL.Path, size: int(r.ContentLength)}
	n := q.size + len(q.path)
	requests.Put(q)
	return n
}

// Helpers that reset.
var helperPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getClean() *bytes.Buffer {
	b := helperPool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putDirty(b *bytes.Buffer) { helperPool.Put(b) }

func okHelpers(s string) string {
	b := getClean()
	b.WriteString(s)
	out := b.String()
	putDirty(b)
	return out
}

var helperPool2 = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getRaw() *bytes.Buffer { return helperPool2.Get().(*bytes.Buffer) }
func putClean(b *bytes.Buffer) {
	b.Reset()
	helperPool2.Put(b)
}

func okHelpers2(s string) string {
	b := getRaw()
	b.WriteString(s)
	out := b.String()
	putClean(b)
	return out
}

// No state worth resetting.
var rngs = sync.Pool{New: func() any { return rand.New(rand.NewSource(1)) }}

func okRand(n int) int {
	r := rngs.Get().(*rand.Rand)
	v := r.Intn(n)
	rngs.Put(r)
	return v
}

// gzip.Writer reset onto the new destination.
var gzPool = sync.Pool{New: func() any { return gzip.NewWriter(io.Discard) }}

func okGzip(w http.ResponseWriter, data []byte) error {
	zw := gzPool.Get().(*gzip.Writer)
	zw.Reset(w)
	defer gzPool.Put(zw)
	if _, err := zw.Write(data); err != nil {
		return err
	}
	return zw.Close()
}

// Nothing in the package puts back: every Get is a New.
var newOnly = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func okNewOnly(s string) []byte {
	b := newOnly.Get().(*bytes.Buffer)
	b.WriteString(s)
	return b.Bytes()
}

// Cleanup by hand, field by field, before the Put.
type printer struct {
	buf   []byte
	arg   any
	wide  bool
	depth int
}

var printers = sync.Pool{New: func() any { return new(printer) }}

func newPrinter() *printer {
	p := printers.Get().(*printer)
	p.wide = false
	return p
}

func (p *printer) free() {
	if cap(p.buf) > 64<<10 {
		return
	}
	p.buf = p.buf[:0]
	p.arg = nil
	printers.Put(p)
}

func okPrinter(v any) string {
	p := newPrinter()
	p.arg = v
	p.buf = append(p.buf, "x"...)
	s := string(p.buf)
	p.free()
	return s
}

func okPrinterDirect(v any) string {
	p := printers.Get().(*printer)
	p.depth++
	s := string(p.buf)
	p.free()
	return s
}

// Two pools: the dirty Put is on another pool.
var poolA = sync.Pool{New: func() any { return new(bytes.Buffer) }}
var poolB = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func okTwoPools(s string) string {
	a := poolA.Get().(*bytes.Buffer)
	a.WriteString(s) // poolA never gets a dirty buffer back
	out := a.String()
	a.Reset()
	poolA.Put(a)
	b := poolB.Get().(*bytes.Buffer)
	b.Reset()
	b.WriteString(out)
	poolB.Put(b)
	return b.String()
}

// Pools whose users all reset after Get; their Puts do not reset.
var afterGet = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Reassigned before use.
func okFresh(s string) string {
	b := afterGet.Get().(*bytes.Buffer)
	b = new(bytes.Buffer)
	b.WriteString(s)
	return b.String()
}

// Reset on every branch.
func okBranches(w io.Writer, compact bool, s string) {
	b := afterGet.Get().(*bytes.Buffer)
	if compact {
		b.Reset()
		b.WriteString(strings.TrimSpace(s))
	} else {
		b.Reset()
		b.WriteString(s)
	}
	w.Write(b.Bytes())
	afterGet.Put(b)
}

// A typed wrapper whose users reset after Get.
var okBuilders = Pool[*strings.Builder]{p: sync.Pool{New: func() any { return new(strings.Builder) }}}

func okJoin(parts []string) string {
	sb := okBuilders.Get()
	sb.Reset()
	for _, p := range parts {
		sb.WriteString(p)
	}
	s := sb.String()
	okBuilders.Put(sb)
	return s
}

// A Get stored in a field: not followed.
type encoder struct{ buf *bytes.Buffer }

var encBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func newEncoder() *encoder { return &encoder{buf: encBufs.Get().(*bytes.Buffer)} }

func (e *encoder) release() {
	encBufs.Put(e.buf)
	e.buf = nil
}

// nil checks and len are not uses.
func okLen() int {
	b, _ := afterGet.Get().(*bytes.Buffer)
	if b == nil {
		return 0
	}
	b.Reset()
	n := b.Len()
	afterGet.Put(b)
	return n
}

// Go statements use the buffer after the reset.
func okGo(wg *sync.WaitGroup, s string) {
	b := afterGet.Get().(*bytes.Buffer)
	b.Reset()
	wg.Go(func() {
		b.WriteString(s)
		b.Reset()
		afterGet.Put(b)
	})
}

// One field kept across the reset, the rest zeroed.
type respState struct {
	bw          *bytes.Buffer
	handlerDone bool
	status      int
}

type respWriter struct{ rws *respState }

var respStates = sync.Pool{New: func() any { return &respState{bw: new(bytes.Buffer)} }}

func newRespWriter(status int) *respWriter {
	rws := respStates.Get().(*respState)
	bwSave := rws.bw
	*rws = respState{}
	rws.status = status
	rws.bw = bwSave
	rws.bw.Reset()
	return &respWriter{rws: rws}
}

func (w *respWriter) done() {
	rws := w.rws
	rws.handlerDone = true
	w.rws = nil
	respStates.Put(rws)
}

// The object is reset in the statement that stores it.
type lazyReader struct {
	body io.Reader
	zr   *gzip.Reader
	err  error
}

var readers sync.Pool

func (l *lazyReader) Read(p []byte) (int, error) {
	if l.zr == nil {
		zr, ok := readers.Get().(*gzip.Reader)
		if ok {
			l.zr, l.err = zr, zr.Reset(l.body)
		} else {
			l.zr, l.err = gzip.NewReader(l.body)
		}
		if l.err != nil {
			return 0, l.err
		}
	}
	return l.zr.Read(p)
}

func (l *lazyReader) Close() {
	if l.zr != nil {
		readers.Put(l.zr)
		l.zr = nil
	}
}

// A method that resets its receiver first.
type table struct{ inUse [64]uint32 }

func (t *table) reset() { t.inUse = [64]uint32{} }

func (t *table) Compress(src []byte) int {
	t.reset()
	for _, b := range src {
		t.inUse[b%64]++
	}
	return len(src)
}

var tables = sync.Pool{New: func() any { return new(table) }}

func okCompress(src []byte) int {
	tb := tables.Get().(*table)
	n := tb.Compress(src)
	tables.Put(tb)
	return n
}

// A function that rebuilds the object and returns it.
type scratch struct {
	symbols []byte
	max     int
}

func readTable(in []byte, s *scratch) (*scratch, error) {
	if s == nil {
		s = new(scratch)
	}
	s.symbols = append(s.symbols[:0], in...)
	return s, nil
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

func okRebuilt(in []byte) (int, error) {
	s := scratches.Get().(*scratch)
	s, err := readTable(in, s)
	if err != nil {
		return 0, err
	}
	s.max = len(in)
	n := s.max + len(s.symbols)
	scratches.Put(s)
	return n, nil
}

// Only a truncated field is used.
type runtimeCtx struct {
	buf  []byte
	opts int
}

var runtimeCtxs = sync.Pool{New: func() any { return new(runtimeCtx) }}

func takeCtx() *runtimeCtx       { return runtimeCtxs.Get().(*runtimeCtx) }
func releaseCtx(ctx *runtimeCtx) { runtimeCtxs.Put(ctx) }

func okCompact(w io.Writer, src []byte) {
	ctx := takeCtx()
	b := ctx.buf[:0]
	b = append(b, src...)
	ctx.buf = b
	w.Write(b)
	releaseCtx(ctx)
}

// Every field set before anything is read.
type entry struct {
	key, val string
	next     *entry
}

var entries = sync.Pool{New: func() any { return new(entry) }}

func (l *entryList) okPush(k, v string) {
	e := entries.Get().(*entry)
	e.key = k
	e.val = v
	e.next = l.head
	l.head = e
}

type entryList struct{ head *entry }

func (l *entryList) pop() string {
	e := l.head
	l.head = e.next
	s := e.key + e.val
	entries.Put(e)
	return s
}

// A helper of the package resets the buffer it is given first.
var pageBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func renderPage(b *bytes.Buffer, title string) {
	b.Reset()
	b.WriteString("<h1>")
	b.WriteString(title)
	b.WriteString("</h1>")
}

func okPage(w io.Writer, title string) {
	b := pageBufs.Get().(*bytes.Buffer)
	renderPage(b, title)
	w.Write(b.Bytes())
	pageBufs.Put(b)
}

// A pool of maps used as a cache that the garbage collector may
// reclaim: what an earlier user stored is the value for the same key.
var memo = sync.Pool{New: func() any { return map[string]int{} }}

func cachedLen(key string) int {
	m := memo.Get().(map[string]int)
	defer memo.Put(m)
	if v, ok := m[key]; ok {
		return v
	}
	v := len(key)
	if len(m) < 100 {
		m[key] = v
	}
	return v
}

// zstd's EncodeAll and DecodeAll use nothing an earlier call left in
// the encoder or decoder.
var encoders, decoders sync.Pool

func compressAll(src []byte) []byte {
	e, _ := encoders.Get().(*zstd.Encoder)
	if e == nil {
		e, _ = zstd.NewWriter(nil)
	}
	defer encoders.Put(e)
	return e.EncodeAll(src, nil)
}

func decompressAll(src []byte) ([]byte, error) {
	d, _ := decoders.Get().(*zstd.Decoder)
	if d == nil {
		d = new(zstd.Decoder)
	}
	defer decoders.Put(d)
	return d.DecodeAll(src, nil)
}

// A pool put back reset by its helper in production, and unreset only
// by a benchmark: the benchmark's Put never reaches a request.
var frames = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putFrame(b *bytes.Buffer) {
	b.Reset()
	frames.Put(b)
}

func writeFrame(w io.Writer, s string) {
	b := frames.Get().(*bytes.Buffer)
	defer putFrame(b)
	b.WriteString(s)
	w.Write(b.Bytes())
}
