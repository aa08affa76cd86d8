package main

import (
	"log"
	"net/http"
	"time"
)

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// logRequests logs each request with its status and latency.
func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		// Correct: the closure reads sw.status and the latency at return.
		defer func() {
			log.Printf("%s %s %d %v", r.Method, r.URL.Path, sw.status, time.Since(start))
		}()
		next.ServeHTTP(sw, r)
	})
}

// recoverPanic answers 500 when a handler panicked.
func recoverPanic(w http.ResponseWriter, r *http.Request) {
	if err := recover(); err != nil {
		log.Printf("panic serving %s: %v", r.URL.Path, err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// recoverer is meant to turn handler panics into 500s.
func recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// BUG(deferrecover): recoverPanic is called by the closure, not deferred: its recover() returns nil
		defer func() { recoverPanic(w, r) }()
		next.ServeHTTP(w, r)
	})
}
