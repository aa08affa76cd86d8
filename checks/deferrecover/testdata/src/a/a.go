package a

import (
	"errors"
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
		defer func() { recoverPanic(w) }() // want `recoverPanic\(\) is called from a deferred closure, not deferred itself: its recover\(\) returns nil and the panic keeps crashing the process \(defer recoverPanic\(w\) directly\)`
		next.ServeHTTP(w, r)
	})
}

// The closure takes the writer as an argument: reported, no fix.
func RecoverArg(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func(w http.ResponseWriter) { recoverPanic(w) }(w) // want `recoverPanic\(\) is called from a deferred closure, not deferred itself`
		next.ServeHTTP(w, r)
	})
}

func swallow() {
	defer recover() // want `defer recover\(\) does not stop a panic: recover is itself the deferred call`
	panic("boom")
}

type worker struct{ name string }

func (wk *worker) guard() {
	if r := recover(); r != nil {
		log.Printf("%s: %v", wk.name, r)
	}
}

// wk belongs to the method, not to the literal holding the defer:
// reported, no fix.
func (wk *worker) run(jobs <-chan func()) {
	for job := range jobs {
		func() {
			defer func() { wk.guard() }() // want `guard\(\) is called from a deferred closure`
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
	logRecover() // want `logRecover\(\) is called from cleanup \(deferred\), not deferred itself`
}

func usesCleanup(job func()) {
	defer cleanup()
	job()
}

func generic[T any](v T, f func(T)) {
	defer func() { logRecover() }() // want `logRecover\(\) is called from a deferred closure`
	f(v)
}

func guardT[T any]() {
	if r := recover(); r != nil {
		var zero T
		log.Print(zero, r)
	}
}

func genericHelper(job func()) {
	defer func() { guardT[int]() }() // want `guardT\(\) is called from a deferred closure`
	job()
}

// Deferred inside the deferred closure: runs when the closure
// returns, after the panic has moved on.
func nested(job func()) {
	defer func() { defer logRecover() }() // want `logRecover\(\) is deferred as the last statement of a deferred closure: it runs when that function returns, not while the panic unwinds`
	job()
}

func nestedAfterWork(job func()) {
	defer func() {
		log.Print("done")
		defer logRecover() // want `logRecover\(\) is deferred as the last statement of a deferred closure`
	}()
	job()
}

func nestedLiteral(job func()) {
	defer func() {
		defer func() { // want `the function literal is deferred as the last statement of a deferred closure`
			if r := recover(); r != nil {
				log.Print(r)
			}
		}()
	}()
	job()
}

// A function literal called, not deferred, by the deferred closure.
func calledLiteral(job func()) {
	defer func() {
		func() { // want `the function literal called here runs inside a deferred closure but is not deferred itself`
			if r := recover(); r != nil {
				log.Print(r)
			}
		}()
	}()
	job()
}

type session struct {
	id    string
	state int
}

func (s *session) guard() {
	if r := recover(); r != nil {
		log.Print(s.id, r)
	}
}

func (s session) valueGuard() {
	if r := recover(); r != nil {
		log.Print(s.id, r)
	}
}

// Pointer method on a local struct: defer s.guard() takes &s, the
// same variable the closure would use.
func serve(job func(*session)) {
	var s session
	defer func() { s.guard() }() // want `guard\(\) is called from a deferred closure`
	s.id = "x"
	job(&s)
}

// Value method through a pointer: deferring it copies *p at once, the
// later change of p.id would be lost. Reported, no fix.
func serveValue(job func()) {
	p := &session{}
	defer func() { p.valueGuard() }() // want `valueGuard\(\) is called from a deferred closure`
	p.id = "y"
	job()
}

// The promql shape, called from a closure: reported, no fix (&err).
func recoverInto(errp *error) {
	if r := recover(); r != nil {
		*errp = errors.New("internal error")
	}
}

func Eval(job func()) (err error) {
	defer func() { recoverInto(&err) }() // want `recoverInto\(\) is called from a deferred closure`
	job()
	return nil
}

// A comment inside the closure: reported, no fix (it would be lost).
func commented(job func()) {
	defer func() {
		// turn panics into log lines
		logRecover() // want `logRecover\(\) is called from a deferred closure`
	}()
	job()
}

// A worker goroutine whose recovery helper is called, not deferred.
func handleCrash() {
	if r := recover(); r != nil { // want `recover\(\) in handleCrash always returns nil: handleCrash is never deferred, only called \(by startWorker\), so it stops no panic`
		log.Print("worker crashed: ", r)
	}
}

func startWorker(jobs <-chan func()) {
	go func() {
		for job := range jobs {
			job()
			handleCrash()
		}
	}()
}

// A helper that only swallows panics, called plainly.
func resetState() {
	_ = recover() // want `recover\(\) in resetState always returns nil`
	state = 0
}

var state int

func reset() { resetState() }
