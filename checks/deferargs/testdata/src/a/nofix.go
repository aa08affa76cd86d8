package a

import (
	"context"
	"log"
	"time"
)

// Reported, but wrapping the call in a closure would change more than
// the moment the reported argument is read: no fix is offered.

// time.Now() is another argument: in a closure it would be the return time.
func Stamped(ctx context.Context) (err error) {
	defer log.Println(time.Now(), err) // want `deferred log.Println\(time.Now\(\), err\) receives err as it is now \(nil\)`
	return lookup(ctx, "stamped")
}

// The function value is reassigned later: the closure would call the new one.
func Logf(ctx context.Context, verbose bool) {
	start := time.Now()
	logf := log.Printf
	defer logf("took %v", time.Since(start)) // want `time.Since\(start\) is evaluated when the defer statement runs, so the deferred logf reports about 0s`
	if !verbose {
		logf = func(string, ...any) {}
	}
	lookup(ctx, "logf")
}

// The receiver is reassigned later: not reported for itself, but the
// closure would use the new span.
func Respan(ctx context.Context) (err error) {
	ctx, span := startSpan(ctx, "a")
	defer span.RecordError(err) // want `deferred span.RecordError\(err\) receives err as it is now \(nil\)`
	ctx, span = startSpan(ctx, "b")
	span.End()
	return lookup(ctx, "b")
}

// In a loop: each iteration's closure would see the last values.
func Files(names []string, count func(string) int) {
	for _, name := range names {
		n := 0
		defer log.Printf("%s: %d lines", name, n) // want `deferred log.Printf\(\"%s: %d lines\", name, n\) receives n as it is now \(0\)`
		n = count(name)
	}
}

// A function literal that takes the duration as a parameter.
func LitParam(ctx context.Context) {
	start := time.Now()
	defer func(d time.Duration) { // want `time.Since\(start\) is evaluated when the defer statement runs, so the deferred function literal receives about 0s, not the time until LitParam returns \(compute it inside the function literal instead\)`
		log.Println(d)
	}(time.Since(start))
	lookup(ctx, "lit")
}

// The receiver comes from a call, which the closure would make at return.
func logger() *log.Logger { return log.Default() }

func FromCall(ctx context.Context) {
	start := time.Now()
	defer logger().Printf("took %v", time.Since(start)) // want `the deferred logger\(\).Printf reports about 0s`
	lookup(ctx, "call")
}

// Another argument is a variable that changes later (but is not itself
// reported: its value at the defer is computed, not a placeholder).
func Named(ctx context.Context, name string) (err error) {
	defer log.Printf("%s: %v", name, err) // want `deferred log.Printf\("%s: %v", name, err\) receives err as it is now \(nil\)`
	name = "renamed"
	return lookup(ctx, name)
}

// A factory called by the defer statement: its arguments are read now too.
func track(name string, err error) func() { return func() {} }

func Factory(ctx context.Context) (err error) {
	defer track("factory", err)() // want `deferred track\("factory", err\)\(\) receives err as it is now \(nil\), not its value when Factory returns: the returned error is never seen`
	return lookup(ctx, "factory")
}

// The deferred function recovers: in a closure, its recover would
// return nil and the panic would go on.
func recoverAndReport(status int) {
	if r := recover(); r != nil {
		log.Println("panic with status", status, r)
	}
}

func Recovering(ctx context.Context) {
	status := 0
	defer recoverAndReport(status) // want `deferred recoverAndReport\(status\) receives status as it is now \(0\)`
	if lookup(ctx, "r") != nil {
		status = 500
	}
}
