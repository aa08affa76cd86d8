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

// The inner defer protects the work that follows it in the deferred
// closure: a panic there is recovered.
func nestedProtects(job, flush func()) {
	defer func() {
		defer logRecover()
		flush()
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

// The deferred closure recovers itself; the helper's extra recover
// returns nil, harmlessly.
func recoveredTwice(job func()) {
	defer func() {
		if r := recover(); r != nil {
			log.Print(r)
		}
		logRecover()
	}()
	job()
}

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

// A worker goroutine that defers its recovery.
func startWorkerOK(jobs <-chan func()) {
	go func() {
		for job := range jobs {
			func() {
				defer logRecover()
				job()
			}()
		}
	}()
}

// A helper deferred in one place and called plainly in another: the
// plain call is not a misuse of recover by itself.
func drain() {
	if r := recover(); r != nil {
		log.Print(r)
	}
}

func usesDrain(job func()) {
	defer drain()
	job()
}

func alsoDrain() { drain() }

// A helper used as a value: who defers it is unknown.
func onPanic() {
	if r := recover(); r != nil {
		log.Print(r)
	}
}

var hooks = map[string]func(){"panic": onPanic}

func runHook(job func()) {
	defer hooks["panic"]()
	job()
}

func callHook() { onPanic() }

// A method an interface of the package may dispatch to: deferred
// through the interface.
type guarder interface{ protect() }

type svc struct{}

func (*svc) protect() {
	if r := recover(); r != nil {
		log.Print(r)
	}
}

func runGuarded(g guarder, job func()) {
	defer g.protect()
	job()
}

func protectAll(s *svc) { s.protect() }

// A generic helper deferred directly.
func genericOK(job func()) {
	defer guardT[string]()
	job()
}

// The recover is in a function literal deferred by a goroutine body.
func goroutine(job func()) {
	go func() {
		defer func() {
			if r := recover(); r != nil {
				log.Print(r)
			}
		}()
		job()
	}()
}

// A helper started as a goroutine from a deferred closure is not a
// call made by the closure.
func asyncLog(job func()) {
	defer func() { go logDone("async") }()
	job()
}

// A function literal called by the deferred closure that defers its
// own recovery: it protects the flush, and is correct.
func protectedFlush(job, flush func()) {
	defer func() {
		func() {
			defer func() {
				if r := recover(); r != nil {
					log.Print("flush: ", r)
				}
			}()
			flush()
		}()
	}()
	job()
}

// Deliberate, and said so.
func ignored() {
	//silentfail:ignore deferrecover the panic must reach the test harness
	defer recover()
}
