// Package watch notices, while it happens, the anomalies that degrade a
// Go service silently — goroutines or heap growing, file descriptors
// piling up, a request stuck past its deadline — and captures the
// profiles at that moment, so that package diagnose (and `silentfail
// diagnose DIR`) has evidence to explain them.
//
// In process:
//
//	w, err := watch.Start(ctx, watch.WithDir("/var/tmp/captures"))
//	if err != nil { ... }
//	defer w.Stop()
//	prometheus.MustRegister(w.Collector())
//	mux.Handle("/debug/silentfail/", http.StripPrefix("/debug/silentfail", w.Handler()))
//	srv := &http.Server{Handler: w.Middleware(mux)}
//
// Every interval (default 10s) the watcher takes a cheap Sample from
// runtime/metrics (no goroutine walk, no stop-the-world): goroutines,
// live heap, the share of CPU spent in GC since the previous sample,
// open file descriptors where the OS lists them (/proc/self/fd,
// /dev/fd), and the requests inside Middleware. Rules (DefaultRules)
// decide: a Ceiling on the latest value, sustained Growth over a span
// of time (DefaultGrowthSpan, whatever the interval; a spike or a
// one-time step does not fire), growth relative to a Baseline learned
// after a warm-up. Each rule has a
// cooldown (default 5 minutes); captures are at least WithCaptureGap
// apart (default 1 minute).
//
// A capture is written by one capture goroutine behind a bounded queue:
// when the queue is full the capture is dropped and counted, the service
// never waits for it. The debug=2 dump does stop the world while it
// prints every goroutine (measured: 77ms for 10000 goroutines; the
// goroutine profile in pprof format takes 20ms and does not hold the
// world stopped), so captures leave it out above WithDumpLimit
// goroutines (default 20000). The watcher logs one line per capture.
//
// Middleware counts the requests in flight and labels each request's
// goroutine with a pprof label (LabelRequest) and, when a request runs
// past the request deadline (default 30s, the usual proxy timeout),
// captures the goroutines carrying that request's label, so the
// capture shows where it is stuck — often a deferred call. It costs a
// request no allocation and no lock, only two atomic adds on a counter
// that concurrent requests rarely share and one call that sets its
// goroutine label (a busy server's cost for such a wrapper is garbage
// and cache misses, not instructions): the requests that start within
// one deadline check share a label value and are captured together,
// and the label stays on the connection's goroutine until its next
// request replaces it (captures leave out net/http's goroutines
// between two requests). WithContextLabels gives each request its own
// label and capture and adds method, path, route and X-Request-Id
// labels in the request's context, for a few allocations.
//
// Handler serves a page listing the captures with links to their files,
// and package diagnose's report of the latest one (DiagnoseReport;
// WithReport replaces it). Collector exports the samples, the firings
// by rule, the captures and the time of the last one to Prometheus.
//
// Out of process, a Poller does the same to a running service through
// its net/http/pprof endpoints, with no change to the service: it counts
// goroutines from /debug/pprof/goroutine?debug=1 ("total N") every
// interval (default 15s) and, when a rule fires, fetches the full set of
// profiles.
//
// # Capture layout
//
// Both write into one directory, one subdirectory per capture, named by
// the UTC time (milliseconds), a sequence number and the rule that
// fired, so that names sort by time:
//
//	20261123T021500.123Z-0001-goroutines-ceiling/
//	    goroutine.txt        goroutine dump, debug=2 (every goroutine, state, wait minutes);
//	                         left out above WithDumpLimit goroutines (default 20000)
//	    goroutine.pb.gz      goroutine profile, pprof format
//	    heap.pb.gz           heap profile, pprof format
//	    goroutineleak.pb.gz  goroutineleak profile, when the runtime has it (Go 1.27+)
//	    capture.json         Meta: time, rule, reason, values, source, files, skipped
//
// A slow-request capture (rule "slow-request", from Middleware) holds
// only the goroutines carrying the late requests' LabelRequest pprof
// label — theirs and those they started, not net/http's server
// goroutines outside the middleware (by default the label is
// shared by the requests that started in the same deadline check
// interval, so the capture holds every late one of them, and the
// goroutines the interval's finished requests left running):
// goroutine.txt is then the debug=1 text profile (the debug=2 dump
// carries no labels before Go 1.27), with its "# labels:" lines, and
// goroutine.pb.gz keeps the matching samples; capture.json has a
// "request" object (RequestInfo). When no goroutine carries the label
// (the handler replaced its labels with pprof.Do) the capture keeps
// every goroutine and its reason says so.
//
// A capture is written under a temporary name (prefix
// ".silentfail-tmp-") and renamed when complete, capture.json last: a
// reader never sees a partial capture, and a capture interrupted by
// Stop or a cancelled context leaves no files. After each capture the
// oldest captures are removed until at most WithMaxCaptures (default
// 20) remain and they total at most WithMaxBytes (default 256 MiB); the
// newest is always kept. Only directories with a capture's name and a
// capture.json are ever removed: other files in the directory are left
// alone.
package watch
