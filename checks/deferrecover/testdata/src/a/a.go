package a

import (
	"log"
	"net/http"
)

func recoverPanic(w http.ResponseWriter) {
	if r := recover(); r != nil {
		log.Printf("panic: %v", r)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// Recovery middleware whose helper is called, not deferred.
func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { recoverPanic(w) }() // want `recoverPanic\(\) is called from a deferred closure instead of being deferred itself: its recover\(\) returns nil and the panic keeps crashing the process`
		next.ServeHTTP(w, r)
	})
}

func swallow() {
	defer recover() // want `defer recover\(\) does not stop a panic`
	panic("boom")
}

type worker struct{ name string }

func (wk *worker) guard() {
	if r := recover(); r != nil {
		log.Printf("%s: %v", wk.name, r)
	}
}

func (wk *worker) run(jobs <-chan func()) {
	for job := range jobs {
		func() {
			defer func() {
				wk.guard() // want `guard\(\) is called from a deferred closure`
			}()
			job()
		}()
	}
}

// The closure does more than call the helper: reported, no fix.
func logged(job func()) {
	defer func() {
		log.Print("job done")
		logRecover() // want `logRecover\(\) is called from a deferred closure`
	}()
	job()
}

func logRecover() {
	if r := recover(); r != nil {
		log.Print(r)
	}
}

// The helper's argument changes after the defer: reported, no fix
// (deferring directly would evaluate status too early).
func status(job func()) {
	status := "start"
	defer func() { report(status) }() // want `report\(\) is called from a deferred closure`
	status = "running"
	job()
}

func report(s string) {
	if r := recover(); r != nil {
		log.Print(s, r)
	}
}

// A deferred function of the package that calls the helper.
func cleanup() {
	logRecover() // want `logRecover\(\) is called from cleanup, which is deferred, instead of being deferred itself`
}

func usesCleanup(job func()) {
	defer cleanup()
	job()
}

func generic[T any](v T, f func(T)) {
	defer func() { logRecover() }() // want `logRecover\(\) is called from a deferred closure`
	f(v)
}
