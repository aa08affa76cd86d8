package diagnose

import "github.com/silentfail/silentfail/goroutines"

// Defaults of the verdict rules, in one place.
const (
	// DefaultMinSamples is how many goroutine snapshots growth must be
	// seen in to be a leak rather than a suspect.
	DefaultMinSamples = 3
	// DefaultMinGrowth is the least net growth of a group that counts.
	DefaultMinGrowth = 5
	// DefaultLongWait, in minutes: no request of a service lasts that
	// long; a goroutine blocked that long waits for nothing.
	DefaultLongWait = 10
	// DefaultCrowd is how many goroutines blocked together in one place
	// are far above a service's concurrency when nothing else is known.
	DefaultCrowd = 100
)

// DefaultIgnore lists the function prefixes of goroutines a healthy
// service always has: the runtime's own, servers' accept and
// connection loops, connection pools' background loops, signal
// handling. A group with a frame (or creator) matching one is ok unless
// it grows.
var DefaultIgnore = []string{
	"runtime.gcBgMarkWorker", "runtime.bgsweep", "runtime.bgscavenge", "runtime.forcegchelper",
	"runtime.runfinq", "runtime.runCleanups", "runtime.unique_runtime_registerUniqueMapCleanup",
	"os/signal.signal_recv", "os/signal.loop",
	"net/http.(*Server).Serve", "net/http.(*Server).ListenAndServe",
	"net/http.(*persistConn).readLoop", "net/http.(*persistConn).writeLoop",
	"net/http.(*http2ClientConn).readLoop", "net/http.(*http2serverConn).serve",
	"database/sql.(*DB).connectionOpener", "database/sql.(*DB).connectionResetter", "database/sql.(*DB).connectionCleaner",
	"internal/singleflight", "testing.(*T).Run", "testing.tRunner", "testing.(*M).startAlarm",
	"google.golang.org/grpc/internal/transport.(*controlBuffer).get",
	"google.golang.org/grpc/internal/transport.(*http2Client).reader",
	"google.golang.org/grpc/internal/transport.(*http2Client).keepalive",
	"google.golang.org/grpc/internal/transport.(*http2Server).keepalive",
	"google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run",
	"go.opencensus.io/stats/view.(*worker).start",
	"github.com/golang/glog.(*fileSink).flushDaemon", "k8s.io/klog/v2.(*flushDaemon).run",
}

// An Option configures Analyze.
type Option func(*config)

type config struct {
	byFunction bool
	ignore     []string
	findings   []Finding
	module     string
	minSamples int
	minGrowth  int
	longWait   int
	crowd      int

	// Read from the snapshots by Analyze.
	goroot string            // where the standard library's frames live
	ending goroutines.Ending // how the last snapshot's process stopped
}

func newConfig(opts []Option) *config {
	c := &config{
		ignore:     DefaultIgnore,
		minSamples: DefaultMinSamples,
		minGrowth:  DefaultMinGrowth,
		longWait:   DefaultLongWait,
		crowd:      DefaultCrowd,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// GroupByFunction groups goroutines by the functions of their frames,
// not their lines: goroutines blocked at two lines of one function make
// one group.
func GroupByFunction() Option { return func(c *config) { c.byFunction = true } }

// Ignore adds function prefixes to DefaultIgnore.
func Ignore(prefixes ...string) Option {
	return func(c *config) { c.ignore = append(append([]string(nil), c.ignore...), prefixes...) }
}

// WithFindings gives the static findings to link groups to.
func WithFindings(fs []Finding) Option { return func(c *config) { c.findings = fs } }

// Module names the import path of the user's module: its innermost
// frame is the culprit (default: the innermost frame outside the
// standard library and golang.org/x).
func Module(path string) Option { return func(c *config) { c.module = path } }

// Concurrency sets the service's expected concurrency (its worker pool
// or in-flight request limit): more goroutines than four times this,
// blocked in one place, are a crowd (default: DefaultCrowd).
func Concurrency(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.crowd = 4 * n
		}
	}
}

// MinSamples sets how many snapshots growth must be seen in to be a leak.
func MinSamples(n int) Option {
	return func(c *config) {
		if n >= 2 {
			c.minSamples = n
		}
	}
}
