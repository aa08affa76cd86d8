package watch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/pprof/profile"
)

// queueSize bounds the captures waiting for the capture goroutine.
// When it is full a new capture is dropped and counted: the service is
// never made to wait for a capture.
const queueSize = 4

// A Watcher samples its own process, applies the rules and captures
// profiles when one fires. Start one per process.
type Watcher struct {
	cfg    config
	store  *store
	engine *Engine // owned by the sampling goroutine
	sample SampleFunc
	stats  *stats
	source string

	reqSeq  atomic.Uint64
	flights inflight // the requests inside the Middleware

	jobs       chan job
	ctx        context.Context
	cancel     context.CancelFunc
	loopDone   chan struct{}
	workerDone chan struct{}
	stopOnce   sync.Once

	lastCapture time.Time            // of a rule capture; sampling goroutine only
	epochStarts [epochRing]time.Time // sampling goroutine only
}

// A job is a capture waiting for the capture goroutine.
type job struct {
	meta  Meta
	files func(*Meta) ([]captureFile, error) // run in the capture goroutine; may add to the Meta
}

// Start starts a watcher of the current process. It samples every
// interval until ctx is done or Stop is called. The error reports a
// capture directory that cannot be created.
func Start(ctx context.Context, opts ...Option) (*Watcher, error) {
	cfg := newConfig(false, opts)
	st, err := openStore(cfg.dir, cfg.maxCaptures, cfg.maxBytes)
	if err != nil {
		return nil, err
	}
	w := &Watcher{
		cfg:        cfg,
		store:      st,
		engine:     NewEngine(cfg.rules, cfg.cooldown),
		stats:      newStats(slices.Concat(cfg.rules, []Rule{{Name: RuleSlowRequest}})),
		source:     fmt.Sprintf("process %d (%s)", os.Getpid(), filepath.Base(os.Args[0])),
		jobs:       make(chan job, queueSize),
		loopDone:   make(chan struct{}),
		workerDone: make(chan struct{}),
	}
	w.sample = cfg.sampler
	if w.sample == nil {
		rs := newRuntimeSampler(w.flights.count)
		w.sample = func(context.Context) (Sample, error) { return rs.sample(cfg.now()), nil }
	}
	w.ctx, w.cancel = context.WithCancel(ctx)
	w.epochStarts[0] = cfg.now()
	w.flights.begin()
	go w.loop()
	go w.worker()
	return w, nil
}

// Stop stops sampling and waits for the capture in progress to finish
// or to be abandoned; an abandoned capture leaves no files. Captures
// still queued are dropped. Stop may be called more than once.
func (w *Watcher) Stop() {
	w.stopOnce.Do(w.cancel)
	<-w.loopDone
	<-w.workerDone
}

// Dir returns the capture directory.
func (w *Watcher) Dir() string { return w.store.dir }

// Rules returns the rules in effect, with their cooldowns.
func (w *Watcher) Rules() []Rule { return w.engine.Rules() }

// InFlight returns the number of requests inside the Middleware.
func (w *Watcher) InFlight() int64 { return w.flights.count() }

func (w *Watcher) loop() {
	defer close(w.loopDone)
	t := time.NewTicker(w.cfg.interval)
	defer t.Stop()
	var overdue <-chan time.Time // nil without a request deadline: never ready
	if d := w.cfg.requestDeadline; d > 0 {
		dt := time.NewTicker(deadlineCheckEvery(d))
		defer dt.Stop()
		overdue = dt.C
	}
	for {
		select {
		case <-w.ctx.Done():
			return
		case <-t.C:
			w.tick()
		case <-overdue:
			w.tickEpoch()
		}
	}
}

// tick takes one sample and queues a capture if a rule fires.
func (w *Watcher) tick() {
	s, err := w.sample(w.ctx)
	if err != nil {
		w.stats.sampleError()
		return
	}
	firings := w.engine.Observe(s)
	w.stats.observe(s, firings)
	if len(firings) == 0 {
		return
	}
	if !w.lastCapture.IsZero() && s.Time.Sub(w.lastCapture) < w.cfg.captureGap {
		return
	}
	w.lastCapture = s.Time
	meta := firingMeta(s, firings, w.source)
	withDump := w.cfg.allowDump(s, &meta)
	w.enqueue(job{meta: meta, files: func(*Meta) ([]captureFile, error) { return processFiles(withDump), nil }})
}

func firingMeta(s Sample, firings []Firing, source string) Meta {
	m := Meta{Time: s.Time, Rule: firings[0].Rule, Values: s.values(), Source: source}
	var reasons []string
	for _, f := range firings {
		m.Fired = append(m.Fired, f.Rule)
		reasons = append(reasons, f.Reason)
	}
	m.Reason = strings.Join(reasons, "\n")
	return m
}

func (w *Watcher) enqueue(j job) {
	select {
	case w.jobs <- j:
	default:
		w.stats.dropped()
		w.cfg.logger.Warn("watch: capture dropped, the previous ones are still being written", "rule", j.meta.Rule)
	}
}

func (w *Watcher) worker() {
	defer close(w.workerDone)
	for {
		select {
		case <-w.ctx.Done():
			return
		case j := <-w.jobs:
			w.capture(j)
		}
	}
}

func (w *Watcher) capture(j job) {
	files, err := j.files(&j.meta)
	if err == errSkip {
		return
	}
	if err != nil {
		w.stats.captureError()
		w.cfg.logger.Error("watch: capture failed", "rule", j.meta.Rule, "err", err)
		return
	}
	c, err := w.store.write(w.ctx, j.meta, files)
	if err != nil {
		if w.ctx.Err() == nil {
			w.stats.captureError()
			w.cfg.logger.Error("watch: capture failed", "rule", j.meta.Rule, "err", err)
		}
		return
	}
	removed, err := w.store.rotate()
	if err != nil {
		w.cfg.logger.Error("watch: rotation failed", "err", err)
	}
	w.stats.captured(j.meta.Time) // after the rotation: a counted capture is a settled directory
	logCapture(w.cfg.logger, c, j.meta, len(removed))
}

func logCapture(l *slog.Logger, c Capture, m Meta, removed int) {
	reason, _, _ := strings.Cut(m.Reason, "\n")
	l.Info("watch: captured", "dir", c.Path, "rule", m.Rule, "reason", reason, "bytes", c.Bytes, "rotated", removed)
}

// processFiles lists the profiles of a rule capture of this process.
func processFiles(withDump bool) []captureFile {
	var files []captureFile
	if withDump {
		files = append(files, captureFile{FileDump, lookupWriter("goroutine", 2)})
	}
	return append(files,
		captureFile{FileGoroutine, lookupWriter("goroutine", 0)},
		captureFile{FileHeap, lookupWriter("heap", 0)},
		captureFile{FileGoroutineLeak, lookupWriter("goroutineleak", 0)},
	)
}

func lookupWriter(name string, debug int) func(context.Context, io.Writer) error {
	return func(_ context.Context, w io.Writer) error {
		p := pprof.Lookup(name)
		if p == nil {
			return errSkip // goroutineleak before Go 1.27 without GOEXPERIMENT
		}
		return p.WriteTo(w, debug)
	}
}

// requestFiles returns a request capture's files: the goroutine profile
// in pprof format and the debug=1 text, both keeping only the
// goroutines labelled with the request's id (its own and those it
// started), less net/http's server goroutines that are not serving it
// (see leftByRequest). errSkip means the request finished before the
// capture (serving reports whether it still runs). When the request
// still runs but none of its goroutines carries its label, its handler
// replaced its goroutine's labels (pprof.Do on r.Context() does): then
// every goroutine is kept, and m's reason says why.
func requestFiles(id string, serving func() bool, m *Meta) ([]captureFile, error) {
	var pb, text bytes.Buffer
	gp := pprof.Lookup("goroutine")
	if err := gp.WriteTo(&pb, 0); err != nil {
		return nil, err
	}
	if err := gp.WriteTo(&text, 1); err != nil {
		return nil, err
	}
	if !serving() {
		return nil, errSkip
	}
	prof, err := profile.Parse(&pb)
	if err != nil {
		return nil, fmt.Errorf("goroutine profile: %v", err)
	}
	keep := prof.Sample[:0:0]
	for _, s := range prof.Sample {
		if hasLabel(s.Label[LabelRequest], id) && !leftByRequest(sampleFunctions(s)) {
			keep = append(keep, s)
		}
	}
	dump := text.Bytes()
	if len(keep) > 0 {
		prof.Sample = keep
		prof = prof.Compact()
		dump = filterText(dump, fmt.Sprintf("%q:%q", LabelRequest, id))
	} else {
		m.Reason += fmt.Sprintf("\nno goroutine carries its label %s=%s (the handler replaced its goroutine's pprof labels, as pprof.Do on r.Context() does): every goroutine is captured",
			LabelRequest, id)
	}
	return []captureFile{
		{FileDump, func(_ context.Context, w io.Writer) error { _, err := w.Write(dump); return err }},
		{FileGoroutine, func(_ context.Context, w io.Writer) error { return prof.Write(w) }},
	}, nil
}

func hasLabel(vals []string, want string) bool {
	for _, v := range vals {
		if v == want {
			return true
		}
	}
	return false
}

// servingFrames are the functions on the stack of a goroutine serving
// a request in the Middleware, by default and WithContextLabels.
var servingFrames = [2]string{
	reflect.TypeFor[countingHandler]().PkgPath() + ".(*countingHandler).ServeHTTP",
	reflect.TypeFor[contextLabelsHandler]().PkgPath() + ".(*contextLabelsHandler).ServeHTTP",
}

// leftByRequest reports whether a goroutine, given the functions on
// its stack, is one of net/http's server goroutines but not inside the
// middleware: a connection's goroutine between two requests (reading
// the next one, writing the last one's end, idle), or one that net/http
// starts for the connection. The default Middleware leaves its label
// on the goroutine after the request, and goroutines started from it
// inherit the label, so these carry the label of a request they no
// longer serve.
func leftByRequest(functions []string) bool {
	server := false
	for _, f := range functions {
		switch {
		case f == servingFrames[0], f == servingFrames[1]:
			return false
		case f == "net/http.(*conn).serve", f == "net/http.(*connReader).backgroundRead",
			strings.HasPrefix(f, "net/http.(*http2serverConn)."),           // Go 1.26 and before
			strings.HasPrefix(f, "net/http/internal/http2.(*serverConn)."), // Go 1.27
			strings.HasPrefix(f, "golang.org/x/net/http2.(*serverConn)."):
			server = true
		}
	}
	return server
}

// sampleFunctions returns the functions on a goroutine profile
// sample's stack, inlined ones included.
func sampleFunctions(s *profile.Sample) []string {
	var fns []string
	for _, loc := range s.Location {
		for _, ln := range loc.Line {
			if ln.Function != nil {
				fns = append(fns, ln.Function.Name)
			}
		}
	}
	return fns
}

// recordFunctions returns the functions on the stack of a debug=1
// goroutine profile record, whose frame lines read
// "#\t0x4a5b6c\tpkg.fn+0x1f\tfile.go:12".
func recordFunctions(rec []byte) []string {
	var fns []string
	for line := range bytes.SplitSeq(rec, []byte("\n")) {
		fields := bytes.Split(line, []byte("\t"))
		if len(fields) < 3 || string(fields[0]) != "#" {
			continue
		}
		fn, _, _ := bytes.Cut(fields[2], []byte("+0x"))
		fns = append(fns, string(fn))
	}
	return fns
}

// filterText keeps the records of a debug=1 goroutine profile whose
// "# labels:" line contains label, less those leftByRequest, and fixes
// the total in the header.
func filterText(text []byte, label string) []byte {
	head, body, _ := bytes.Cut(text, []byte("\n"))
	var kept [][]byte
	total := 0
	for _, rec := range bytes.Split(body, []byte("\n\n")) {
		first, rest, _ := bytes.Cut(rec, []byte("\n"))
		labels, _, _ := bytes.Cut(rest, []byte("\n"))
		if !bytes.HasPrefix(labels, []byte("# labels: ")) || !bytes.Contains(labels, []byte(label)) ||
			leftByRequest(recordFunctions(rec)) {
			continue
		}
		var n int
		fmt.Sscanf(string(first), "%d", &n)
		total += n
		kept = append(kept, bytes.TrimRight(rec, "\n"))
	}
	name, _, _ := bytes.Cut(head, []byte(" profile: total "))
	var out bytes.Buffer
	fmt.Fprintf(&out, "%s profile: total %d\n", name, total)
	for _, rec := range kept {
		out.Write(rec)
		out.WriteString("\n\n")
	}
	return out.Bytes()
}

// sleepCtx waits for d or until ctx is done, whichever comes first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
