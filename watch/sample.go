package watch

import (
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// A Metric names one value of a Sample.
type Metric string

// The metrics a Sample carries. Rules refer to them by these names, and
// capture.json and the Prometheus collector use the same names.
const (
	Goroutines    Metric = "goroutines"        // live goroutines
	HeapBytes     Metric = "heap_live_bytes"   // heap marked live by the last GC
	GCCPUFraction Metric = "gc_cpu_fraction"   // share of CPU time spent in GC since the previous sample
	OpenFDs       Metric = "open_fds"          // open file descriptors (where the OS tells)
	InFlight      Metric = "inflight_requests" // requests inside the Middleware
)

// Metrics lists every Metric in a stable order.
var Metrics = []Metric{Goroutines, HeapBytes, GCCPUFraction, OpenFDs, InFlight}

// A Sample is one cheap reading of the process. A negative value means
// unknown: the OS does not tell, or (out of process) the service does
// not expose it.
type Sample struct {
	Time          time.Time
	Goroutines    float64
	HeapBytes     float64
	GCCPUFraction float64
	OpenFDs       float64
	InFlight      float64
}

// NewSample returns a sample at t whose values are all unknown (-1).
func NewSample(t time.Time) Sample {
	return Sample{Time: t, Goroutines: -1, HeapBytes: -1, GCCPUFraction: -1, OpenFDs: -1, InFlight: -1}
}

// Value returns the sample's value of m, and false when it is unknown.
func (s Sample) Value(m Metric) (float64, bool) {
	var v float64
	switch m {
	case Goroutines:
		v = s.Goroutines
	case HeapBytes:
		v = s.HeapBytes
	case GCCPUFraction:
		v = s.GCCPUFraction
	case OpenFDs:
		v = s.OpenFDs
	case InFlight:
		v = s.InFlight
	default:
		return 0, false
	}
	return v, v >= 0
}

// values returns the known values of the sample, for capture.json.
func (s Sample) values() map[Metric]float64 {
	out := make(map[Metric]float64, len(Metrics))
	for _, m := range Metrics {
		if v, ok := s.Value(m); ok {
			out[m] = v
		}
	}
	return out
}

// A SampleFunc takes one sample. The watcher calls it once per interval
// from a single goroutine; WithSampler replaces the default.
type SampleFunc func(ctx context.Context) (Sample, error)

// runtimeSampler reads runtime/metrics: a few counters the runtime keeps
// anyway, no stop-the-world and no goroutine walk, so it can run every
// few seconds in production.
type runtimeSampler struct {
	mu       sync.Mutex
	metrics  []metrics.Sample
	prevGC   float64 // cumulative GC CPU seconds at the previous sample
	prevAll  float64 // cumulative total CPU seconds at the previous sample
	fdDir    string  // "" when the OS does not list open descriptors
	inFlight func() int64
}

const (
	mGoroutines = "/sched/goroutines:goroutines"
	mHeapLive   = "/gc/heap/live:bytes"
	mGCCPU      = "/cpu/classes/gc/total:cpu-seconds"
	mAllCPU     = "/cpu/classes/total:cpu-seconds"
)

func newRuntimeSampler(inFlight func() int64) *runtimeSampler {
	s := &runtimeSampler{inFlight: inFlight}
	for _, name := range []string{mGoroutines, mHeapLive, mGCCPU, mAllCPU} {
		s.metrics = append(s.metrics, metrics.Sample{Name: name})
	}
	s.fdDir = fdDir()
	return s
}

// fdDir returns the directory that lists the process's open file
// descriptors, or "" when there is none.
func fdDir() string {
	var dir string
	switch runtime.GOOS {
	case "linux", "android":
		dir = "/proc/self/fd"
	case "darwin", "ios", "freebsd", "netbsd", "dragonfly":
		dir = "/dev/fd"
	default:
		return ""
	}
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}

// countFDs counts the entries of dir without stat'ing them. The count
// includes the descriptor used to read the directory, which is
// subtracted.
func countFDs(dir string) float64 {
	f, err := os.Open(dir)
	if err != nil {
		return -1
	}
	defer f.Close()
	n := 0
	for {
		names, err := f.Readdirnames(1024)
		n += len(names)
		if err != nil || len(names) == 0 {
			break
		}
	}
	return float64(n - 1)
}

func (s *runtimeSampler) sample(now time.Time) Sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	metrics.Read(s.metrics)
	out := NewSample(now)
	var gc, all float64
	for _, m := range s.metrics {
		switch {
		case m.Value.Kind() == metrics.KindBad:
			continue
		case m.Name == mGoroutines:
			out.Goroutines = float64(m.Value.Uint64())
		case m.Name == mHeapLive:
			out.HeapBytes = float64(m.Value.Uint64())
		case m.Name == mGCCPU:
			gc = m.Value.Float64()
		case m.Name == mAllCPU:
			all = m.Value.Float64()
		}
	}
	// The CPU classes are cumulative since start: the fraction over the
	// last interval says whether GC is eating the process now.
	if d := all - s.prevAll; d > 0 {
		out.GCCPUFraction = (gc - s.prevGC) / d
	} else if all > 0 {
		out.GCCPUFraction = gc / all
	}
	s.prevGC, s.prevAll = gc, all
	if s.fdDir != "" {
		out.OpenFDs = countFDs(s.fdDir)
	}
	if s.inFlight != nil {
		out.InFlight = float64(s.inFlight())
	}
	return out
}
