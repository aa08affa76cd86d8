package a

import (
	"fmt"
	"log"
	"net/http"
)

// The classic recovery middleware: recover directly in the deferred
// function literal.
func RecoverOK(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if err := recover(); err != nil {
				log.Printf("panic serving %s: %v", r.URL.Path, err)
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// The helper is deferred directly.
func RecoverDeferred(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer recoverPanic(w)
		next.ServeHTTP(w, r)
	})
}

// A function value deferred directly.
func viaValue(job func()) {
	h := func() {
		if r := recover(); r != nil {
			log.Print(r)
		}
	}
	defer h()
	job()
}

// The deferred closure defers the helper itself: it is then called
// directly by a deferred function... but only while the closure runs,
// which is during the panic, so recover works.
func nestedDefer(job func()) {
	defer func() {
		defer logRecover()
	}()
	job()
}

// The deferred closure calls a helper that does not recover.
func logOnly(job func()) {
	defer func() { logDone("job") }()
	job()
}

func logDone(s string) { log.Print(s, " done") }

// Recovery helper whose result the closure uses: recover is in the
// literal, the helper only formats.
func formatted(job func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = describe(r)
		}
	}()
	job()
	return nil
}

func describe(r any) error { return fmt.Errorf("panic: %v", r) }

// A recovering helper called outside any defer: recover returns nil
// there but nothing expects it to recover (the cleanup still runs).
func resetState() {
	_ = recover()
	state = 0
}

var state int

func reset() { resetState() }

// A deferred package function that calls recover itself.
func usesLogRecover(job func()) {
	defer logRecover()
	job()
}

// An exported helper, called by other packages: not judged here.
func Guard() {
	if r := recover(); r != nil {
		log.Print(r)
	}
}
