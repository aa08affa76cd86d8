package watch

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// stats are the counters behind the Prometheus collector.
type stats struct {
	mu            sync.Mutex
	last          Sample
	haveSample    bool
	samples       uint64
	sampleErrors  uint64
	firings       map[string]uint64
	captures      uint64
	drops         uint64
	captureErrors uint64
	slowRequests  uint64
	lastCapture   time.Time
}

func newStats(rules []Rule) *stats {
	s := &stats{firings: make(map[string]uint64)}
	for _, r := range rules {
		s.firings[r.Name] = 0 // so that every rule's series exists from the start
	}
	return s
}

func (s *stats) observe(smp Sample, firings []Firing) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last, s.haveSample = smp, true
	s.samples++
	for _, f := range firings {
		s.firings[f.Rule]++
	}
}

func (s *stats) sampleError() { s.mu.Lock(); s.sampleErrors++; s.mu.Unlock() }

func (s *stats) dropped() { s.mu.Lock(); s.drops++; s.mu.Unlock() }

func (s *stats) captureError() { s.mu.Lock(); s.captureErrors++; s.mu.Unlock() }

// slowRequest counts a slow-request firing, for n late requests.
func (s *stats) slowRequest(n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.slowRequests += uint64(n)
	s.firings[RuleSlowRequest]++
}

func (s *stats) captured(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.captures++
	s.lastCapture = t
}

// A Summary counts what a watcher or poller did since it started.
type Summary struct {
	Polls, PollErrors       uint64 // samples taken, and those that failed
	Firings                 uint64 // rule firings, slow requests included
	Captures, CaptureErrors uint64 // captures written, and those that failed
}

func (s *stats) summary() Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	sum := Summary{Polls: s.samples + s.sampleErrors, PollErrors: s.sampleErrors, Captures: s.captures, CaptureErrors: s.captureErrors}
	for _, n := range s.firings {
		sum.Firings += n
	}
	return sum
}

// Summary returns what the poller did so far.
func (p *Poller) Summary() Summary { return p.stats.summary() }

// Summary returns what the watcher did so far.
func (w *Watcher) Summary() Summary { return w.stats.summary() }

// Collector returns a Prometheus collector of the watcher's samples,
// rule firings, captures and slow requests. Register it once.
func (w *Watcher) Collector() prometheus.Collector { return &collector{s: w.stats} }

// Collector returns a Prometheus collector of the poller's samples,
// rule firings and captures.
func (p *Poller) Collector() prometheus.Collector { return &collector{s: p.stats} }

const ns = "silentfail_watch_"

var (
	descSample = map[Metric]*prometheus.Desc{
		Goroutines:    prometheus.NewDesc(ns+"goroutines", "Goroutines at the last sample.", nil, nil),
		HeapBytes:     prometheus.NewDesc(ns+"heap_live_bytes", "Heap bytes marked live by the last GC, at the last sample.", nil, nil),
		GCCPUFraction: prometheus.NewDesc(ns+"gc_cpu_fraction", "Share of CPU time spent in GC between the last two samples.", nil, nil),
		OpenFDs:       prometheus.NewDesc(ns+"open_fds", "Open file descriptors at the last sample.", nil, nil),
		InFlight:      prometheus.NewDesc(ns+"inflight_requests", "Requests inside the watch middleware at the last sample.", nil, nil),
	}
	descSamples       = prometheus.NewDesc(ns+"samples_total", "Samples taken.", nil, nil)
	descSampleErrors  = prometheus.NewDesc(ns+"sample_errors_total", "Samples that failed.", nil, nil)
	descFirings       = prometheus.NewDesc(ns+"rule_firings_total", "Rule firings, by rule (a firing in cooldown is not counted).", []string{"rule"}, nil)
	descCaptures      = prometheus.NewDesc(ns+"captures_total", "Captures written.", nil, nil)
	descDropped       = prometheus.NewDesc(ns+"captures_dropped_total", "Captures dropped because earlier ones were still being written.", nil, nil)
	descCaptureErrors = prometheus.NewDesc(ns+"capture_errors_total", "Captures that failed.", nil, nil)
	descSlow          = prometheus.NewDesc(ns+"slow_requests_total", "Requests that ran past the request deadline.", nil, nil)
	descLastCapture   = prometheus.NewDesc(ns+"last_capture_timestamp_seconds", "Time of the last capture, in seconds since the epoch (0: none yet).", nil, nil)
)

type collector struct{ s *stats }

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range Metrics {
		ch <- descSample[m]
	}
	for _, d := range []*prometheus.Desc{descSamples, descSampleErrors, descFirings, descCaptures, descDropped, descCaptureErrors, descSlow, descLastCapture} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.haveSample {
		for _, m := range Metrics {
			if v, ok := s.last.Value(m); ok {
				ch <- prometheus.MustNewConstMetric(descSample[m], prometheus.GaugeValue, v)
			}
		}
	}
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	counter(descSamples, s.samples)
	counter(descSampleErrors, s.sampleErrors)
	for rule, n := range s.firings {
		counter(descFirings, n, rule)
	}
	counter(descCaptures, s.captures)
	counter(descDropped, s.drops)
	counter(descCaptureErrors, s.captureErrors)
	counter(descSlow, s.slowRequests)
	last := 0.0
	if !s.lastCapture.IsZero() {
		last = float64(s.lastCapture.UnixNano()) / 1e9
	}
	ch <- prometheus.MustNewConstMetric(descLastCapture, prometheus.GaugeValue, last)
}
