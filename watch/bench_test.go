package watch

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkSample is the cost of one in-process sample: a
// runtime/metrics read plus counting the open file descriptors.
func BenchmarkSample(b *testing.B) {
	s := newRuntimeSampler(func() int64 { return 0 })
	b.ReportAllocs()
	for b.Loop() {
		s.sample(time.Time{})
	}
}

// BenchmarkSampleNoFDs is the runtime/metrics read alone.
func BenchmarkSampleNoFDs(b *testing.B) {
	s := newRuntimeSampler(func() int64 { return 0 })
	s.fdDir = ""
	b.ReportAllocs()
	for b.Loop() {
		s.sample(time.Time{})
	}
}

// BenchmarkEngineObserve is the cost of applying the default rules to
// one sample.
func BenchmarkEngineObserve(b *testing.B) {
	e := NewEngine(DefaultRules(), DefaultCooldown)
	s := Sample{Goroutines: 300, HeapBytes: 1 << 28, GCCPUFraction: 0.05, OpenFDs: 40, InFlight: 3}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.Time = t0.Add(time.Duration(i) * time.Second)
		s.Goroutines = float64(300 + i%7)
		e.Observe(s)
		i++
	}
}

type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

// BenchmarkMiddleware compares a trivial handler with and without the
// middleware: the difference is the middleware's cost per request
// (labels, in-flight count and registry).
func BenchmarkMiddleware(b *testing.B) {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	w, err := Start(context.Background(), WithDir(b.TempDir()), WithInterval(time.Hour), WithRules())
	if err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"bare", handler}, {"watched", w.Middleware(handler)}} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/items/42", nil)
			rw := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				bc.h.ServeHTTP(rw, req)
			}
		})
		b.Run(bc.name+"-parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req := httptest.NewRequest("GET", "/items/42", nil)
				rw := &discardWriter{h: http.Header{}}
				for pb.Next() {
					bc.h.ServeHTTP(rw, req)
				}
			})
		})
	}
}

// BenchmarkProcessCapture is the cost of one rule capture's profiles
// (debug=2 dump, goroutine and heap profiles) in a process with 10000
// parked goroutines, written to io.Discard, and of the debug=1 profile
// a Poller's sample costs the service.
func BenchmarkProcessCapture(b *testing.B) {
	release := make(chan struct{})
	defer close(release)
	for range 10000 {
		go leakedInTest(release)
	}
	// What a Poller asks of the service at every poll: debug=1.
	files := append(processFiles(true), captureFile{"poll-debug1", lookupWriter("goroutine", 1)})
	for _, f := range files {
		b.Run(f.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := f.write(context.Background(), io.Discard); err != nil && err != errSkip {
					b.Fatal(err)
				}
			}
		})
	}
}
