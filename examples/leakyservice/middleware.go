package main

import (
	"fmt"
	"log"
	"maps"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"time"
)

// metrics counts events and sums their latency; served at /metrics.
type metrics struct {
	mu   sync.Mutex
	seen map[string]stat
}

type stat struct {
	n     int
	total time.Duration
}

func newMetrics() *metrics { return &metrics{seen: make(map[string]stat)} }

func (m *metrics) observe(key string, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.seen[key]
	m.seen[key] = stat{st.n + 1, st.total + d}
}

func (m *metrics) count(what, result string) { m.observe(what+" "+result, 0) }

// since records the time elapsed since start; deferred as
// `defer m.since("name", time.Now())`, it measures the whole call.
func (m *metrics) since(key string, start time.Time) { m.observe(key, time.Since(start)) }

func (m *metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range slices.Sorted(maps.Keys(m.seen)) {
		st := m.seen[k]
		fmt.Fprintf(w, "%s\t%d\t%v\n", k, st.n, st.total/time.Duration(st.n))
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument counts every request by route and status, and logs the
// failed and the slow ones.
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		// The closure reads the status, the route and the latency at return.
		defer func() {
			d := time.Since(start)
			route := r.Pattern // set by the mux once it has routed the request
			if route == "" {
				route = r.Method + " (unmatched)"
			}
			m.observe(route+" "+strconv.Itoa(sw.status), d)
			if sw.status >= 500 || d > time.Second {
				log.Printf("%s %s: %d in %v", r.Method, r.URL.Path, sw.status, d)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// recoverPanic answers 500 when a handler panicked.
func recoverPanic(w http.ResponseWriter, r *http.Request) {
	if v := recover(); v != nil {
		log.Printf("panic serving %s %s: %v\n%s", r.Method, r.URL.Path, v, debug.Stack())
		http.Error(w, "internal server error", http.StatusInternalServerError)
	}
}

// recoverer is meant to turn handler panics into 500s.
func recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// BUG(deferrecover): recoverPanic is called by the closure, not deferred: its recover() returns nil and the panic goes on
		defer func() { recoverPanic(w, r) }()
		next.ServeHTTP(w, r)
	})
}
