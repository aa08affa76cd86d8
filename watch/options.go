package watch

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// Defaults, in one place. They suit a service handling requests at
// tens to thousands per second: a leak of one goroutine per request
// crosses the growth thresholds within a minute or two.
const (
	DefaultInterval        = 10 * time.Second // in process: a runtime/metrics read is microseconds
	DefaultRemoteInterval  = 15 * time.Second // out of process: one debug=1 goroutine profile per poll
	DefaultCooldown        = 5 * time.Minute  // per rule
	DefaultCaptureGap      = time.Minute      // between two captures, whatever the rule
	DefaultMaxCaptures     = 20
	DefaultMaxBytes        = 256 << 20
	DefaultRequestDeadline = 30 * time.Second // the common proxy timeout: past it, the client got a 504
	DefaultGoroutineLimit  = 10000
	// DefaultDumpLimit is the most goroutines a capture takes a debug=2
	// dump of. The dump stops the world while it prints every goroutine
	// (about 8µs each: 80ms for 10000); above the limit a capture keeps
	// the goroutine profile, which does not hold the world stopped.
	DefaultDumpLimit = 20000

	// The goroutines-growth rule, in time whatever the interval: over
	// the last DefaultGrowthSpan (from DefaultGrowthMinSpan of history
	// on), a steady rise of at least DefaultGrowthMin goroutines, 25% of
	// the level before it, at DefaultGrowthRate a minute or more. A
	// leak of one goroutine every two seconds crosses it; a service's
	// ups and downs and a pool that grows once and stays do not.
	DefaultGrowthSpan    = 10 * time.Minute
	DefaultGrowthMinSpan = 45 * time.Second
	DefaultGrowthMin     = 50
	DefaultGrowthRate    = 30 // goroutines a minute
)

// DefaultRules returns the rules a watcher uses unless WithRules
// replaces them. The open-files ceiling is 80% of the process's soft
// limit when the OS tells it.
func DefaultRules() []Rule {
	rules := []Rule{
		{Name: "goroutines-ceiling", Metric: Goroutines, Kind: Ceiling, Limit: DefaultGoroutineLimit},
		{Name: "goroutines-growth", Metric: Goroutines, Kind: Growth, Span: DefaultGrowthSpan, MinSpan: DefaultGrowthMinSpan,
			MinIncrease: DefaultGrowthMin, MinRatio: 0.25, MinRate: DefaultGrowthRate},
		{Name: "goroutines-baseline", Metric: Goroutines, Kind: Baseline, Warmup: 6, Learn: 6, Factor: 3, MinIncrease: 500},
		{Name: "heap-growth", Metric: HeapBytes, Kind: Growth, Span: DefaultGrowthSpan, MinSpan: 2 * time.Minute, MinIncrease: 64 << 20, MinRatio: 0.5},
		{Name: "heap-baseline", Metric: HeapBytes, Kind: Baseline, Warmup: 6, Learn: 6, Factor: 4, MinIncrease: 256 << 20},
		// GC taking 40% of the CPU over a whole interval: the service is
		// collecting more than it works (under a memory limit the
		// runtime caps GC at 50%).
		{Name: "gc-cpu-ceiling", Metric: GCCPUFraction, Kind: Ceiling, Limit: 0.4},
		{Name: "fds-growth", Metric: OpenFDs, Kind: Growth, Span: DefaultGrowthSpan, MinSpan: DefaultGrowthMinSpan, MinIncrease: 50, MinRatio: 0.25, MinRate: 10},
	}
	if lim := fdLimit(); lim > 0 {
		rules = append(rules, Rule{Name: "fds-ceiling", Metric: OpenFDs, Kind: Ceiling, Limit: float64(int(0.8 * lim))})
	}
	return rules
}

// An Option configures a Watcher (Start) or a Poller (NewPoller).
type Option func(*config)

type config struct {
	dir             string
	interval        time.Duration
	rules           []Rule
	goroutineLimit  float64 // >0: overrides the goroutines-ceiling rule
	growth          *Rule   // non-nil: Span, MinIncrease and MinRate of the goroutines-growth rule
	cooldown        time.Duration
	captureGap      time.Duration
	maxCaptures     int
	maxBytes        int64
	logger          *slog.Logger
	sampler         SampleFunc
	now             func() time.Time
	report          ReportFunc
	requestDeadline time.Duration
	contextLabels   bool
	once            bool
	dumpLimit       int
}

// allowDump says whether a capture of sample s includes the debug=2
// dump, and notes in m when it does not.
func (c *config) allowDump(s Sample, m *Meta) bool {
	if c.dumpLimit <= 0 || s.Goroutines <= float64(c.dumpLimit) {
		return true
	}
	m.Skipped = append(m.Skipped, fmt.Sprintf("%s: %s goroutines, above the dump limit %d (a debug=2 dump stops the world while it prints them)",
		FileDump, num(s.Goroutines), c.dumpLimit))
	return false
}

func newConfig(remote bool, opts []Option) config {
	c := config{
		dir:             filepath.Join(os.TempDir(), "silentfail-watch"),
		interval:        DefaultInterval,
		rules:           DefaultRules(),
		cooldown:        DefaultCooldown,
		captureGap:      DefaultCaptureGap,
		maxCaptures:     DefaultMaxCaptures,
		maxBytes:        DefaultMaxBytes,
		logger:          slog.Default(),
		now:             time.Now,
		report:          defaultReport,
		requestDeadline: DefaultRequestDeadline,
		dumpLimit:       DefaultDumpLimit,
	}
	if remote {
		c.interval = DefaultRemoteInterval
	}
	for _, o := range opts {
		o(&c)
	}
	if c.growth != nil {
		for i, r := range c.rules {
			if r.Metric == Goroutines && r.Kind == Growth {
				g := c.growth
				c.rules[i].Window, c.rules[i].Span, c.rules[i].MinIncrease, c.rules[i].MinRate = 0, g.Span, g.MinIncrease, g.MinRate
				c.rules[i].MinSpan = min(c.rules[i].MinSpan, g.Span)
			}
		}
	}
	if c.goroutineLimit > 0 {
		found := false
		for i, r := range c.rules {
			if r.Metric == Goroutines && r.Kind == Ceiling {
				c.rules[i].Limit, found = c.goroutineLimit, true
			}
		}
		if !found {
			c.rules = append(c.rules, Rule{Name: "goroutines-ceiling", Metric: Goroutines, Kind: Ceiling, Limit: c.goroutineLimit})
		}
	}
	return c
}

// WithDir sets the directory captures are written into (default
// $TMPDIR/silentfail-watch). It is created if needed.
func WithDir(dir string) Option { return func(c *config) { c.dir = dir } }

// WithInterval sets the time between two samples (default 10s in
// process, 15s for a Poller).
func WithInterval(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.interval = d
		}
	}
}

// WithRules replaces the rules (default DefaultRules()).
func WithRules(rules ...Rule) Option {
	return func(c *config) { c.rules = append([]Rule(nil), rules...) }
}

// WithGoroutineLimit sets the goroutines ceiling (default 10000),
// whatever the other rules.
func WithGoroutineLimit(n int) Option { return func(c *config) { c.goroutineLimit = float64(n) } }

// WithGoroutineGrowth sets the goroutines-growth rule's span (default
// DefaultGrowthSpan), the least rise over it (DefaultGrowthMin) and the
// least rate, in goroutines a minute (DefaultGrowthRate).
func WithGoroutineGrowth(span time.Duration, minIncrease, perMinute float64) Option {
	return func(c *config) { c.growth = &Rule{Span: span, MinIncrease: minIncrease, MinRate: perMinute} }
}

// WithCooldown sets the cooldown of rules that do not set their own
// (default 5 minutes).
func WithCooldown(d time.Duration) Option { return func(c *config) { c.cooldown = d } }

// WithCaptureGap sets the least time between two captures, whatever
// rules fire (default 1 minute): a leak that trips the ceiling, the
// growth and the baseline rules one after the other gives one capture.
// Firings are still counted. Slow-request captures have no gap: each
// stuck request is captured once.
func WithCaptureGap(d time.Duration) Option { return func(c *config) { c.captureGap = d } }

// WithMaxCaptures keeps at most n captures in the directory, removing
// the oldest first (default 20).
func WithMaxCaptures(n int) Option { return func(c *config) { c.maxCaptures = n } }

// WithMaxBytes keeps the captures' total size under n bytes, removing
// the oldest first; the newest capture is always kept (default 256 MiB).
func WithMaxBytes(n int64) Option { return func(c *config) { c.maxBytes = n } }

// WithLogger sets the logger; the watcher logs one line per capture and
// one per failure (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithSampler replaces how samples are taken (default: runtime/metrics
// in process, the goroutine count of debug=1 for a Poller). Tests use it
// to feed made-up values.
func WithSampler(f SampleFunc) Option { return func(c *config) { c.sampler = f } }

// WithClock sets the clock that stamps samples and names captures
// (default time.Now).
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// A ReportFunc writes a report of one capture directory as HTML; the
// Handler shows it for the latest capture.
type ReportFunc func(w io.Writer, captureDir string) error

// WithReport sets how the Handler reports a capture (default
// DiagnoseReport; ListFiles lists the files only).
func WithReport(f ReportFunc) Option {
	return func(c *config) {
		if f != nil {
			c.report = f
		}
	}
}

// WithRequestDeadline sets how long a request may run in the Middleware
// before its goroutines are captured (default 30s; 0 disables the
// deadline, the labels and the in-flight count stay).
func WithRequestDeadline(d time.Duration) Option {
	return func(c *config) { c.requestDeadline = d }
}

// WithContextLabels makes the Middleware give each request its own
// LabelRequest value and slow-request capture (with its method, path,
// route and X-Request-Id in RequestInfo), add LabelMethod, LabelPath,
// LabelRoute and LabelID, and put the labels in the request's context as
// pprof.Do does, so that a handler's own pprof.Do keeps them and CPU
// profiles can be split by route. It costs about six small allocations
// per request; by default the middleware allocates nothing (see
// Middleware).
func WithContextLabels() Option { return func(c *config) { c.contextLabels = true } }

// WithDumpLimit sets the most goroutines a capture takes a debug=2 dump
// of (default 20000; 0: always). Above it, goroutine.txt is left out and
// capture.json says so under "skipped".
func WithDumpLimit(n int) Option { return func(c *config) { c.dumpLimit = n } }

// WithOnce makes a Poller return after its first capture.
func WithOnce() Option { return func(c *config) { c.once = true } }
