package a

import (
	"context"
	"database/sql"
	"errors"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Correct forms: none of these is reported.

func trace(err *error)        {}
func done(start time.Time)    {}
func restore(prev int)        {}
func setLevel(level int)      {}
func putBuf(b []byte)         {}
func logStatus(code int)      {}
func observeErr(err error)    {}
func withTimestamp(time.Time) {}

func Closure(ctx context.Context) (err error) {
	start := time.Now()
	defer func() { report(err) }()
	defer func() { log.Printf("took %v", time.Since(start)) }()
	return lookup(ctx, "closure")
}

func Pointer(ctx context.Context) (err error) {
	defer trace(&err)
	return lookup(ctx, "pointer")
}

func StartTime(ctx context.Context) error {
	defer done(time.Now())
	defer withTimestamp(time.Now().Add(time.Second))
	return lookup(ctx, "start")
}

func Cleanups(ctx context.Context, db *sql.DB, ch chan int, mu *sync.Mutex, wg *sync.WaitGroup) error {
	defer wg.Done()
	defer close(ch)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	mu.Lock()
	defer mu.Unlock()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return tx.Commit()
}

func CancelCause(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	return lookup(ctx, "cause")
}

// Assigned only before the defer.
func Before(level int) {
	prev := level
	prev = prev * 2
	defer restore(prev)
	setLevel(level + 1)
}

// A named result never assigned after the defer: bare returns and
// `return err` of the result itself.
func NeverAfter(ctx context.Context) (err error) {
	if err = lookup(ctx, "a"); err != nil {
		return
	}
	defer observeErr(err)
	work()
	return err
}

// Only nil is assigned after the defer: no error is missed.
func OnlyNil(ctx context.Context) (err error) {
	defer observeErr(err)
	work()
	err = nil
	return nil
}

// A computed value captured on purpose by a cleanup.
func TempDir() error {
	dir, err := os.MkdirTemp("", "x")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dir = filepath.Join(dir, "sub")
	return os.Mkdir(dir, 0o755)
}

func Setenv(t interface{ TempDir() string }) {
	home := os.Getenv("HOME")
	defer os.Setenv("HOME", home)
	home = t.TempDir()
	os.Setenv("HOME", home)
}

// A parameter: its value at the defer is whatever the caller passed.
func Param(level int) {
	defer restore(level)
	level = 3
	setLevel(level)
}

// Passing the value to a function literal captures it deliberately.
func LitArg(ctx context.Context) (err error) {
	defer func(e error) { observeErr(e) }(err)
	return lookup(ctx, "litarg")
}

// A slice or pointer: the deferred call gets the resource it cleans up.
func Buffer() {
	buf := make([]byte, 0, 64)
	defer putBuf(buf)
	buf = append(buf, "hello"...)
	_ = buf
}

// In a loop, the value assigned earlier in the iteration is the one
// each deferred call is meant to take.
func PerIteration(ctx context.Context, ids []string) {
	var err error
	status := 0
	for _, id := range ids {
		err = lookup(ctx, id)
		status = len(id)
		defer observeErr(err)
		defer logStatus(status)
	}
}

// The defer is on a path that returns before the later assignment.
func Branch(fast bool) {
	status := 0
	if fast {
		defer logStatus(status)
		work()
		return
	}
	status = 2
	logStatus(status)
}

// The duration is taken at the end: nothing runs after the defer.
func AtEnd(ctx context.Context) error {
	start := time.Now()
	err := lookup(ctx, "end")
	defer log.Printf("took %v", time.Since(start))
	return err
}

// Receivers reassigned later are not reported.
func Receiver(ctx context.Context) error {
	ctx, span := startSpan(ctx, "a")
	defer span.End()
	ctx, span = startSpan(ctx, "b")
	defer span.End()
	return lookup(ctx, "b")
}

// Returns inside a function literal return from the literal, not from
// the function with the named result.
func Goroutine(ctx context.Context) (err error) {
	defer observeErr(err)
	go func() error {
		return errors.New("not the result")
	}()
	return nil
}

// A variable of an enclosing function, read by a defer in a literal.
func Outer(ctx context.Context) {
	status := 0
	f := func() {
		defer logStatus(status)
		work()
	}
	status = 1
	f()
}

// A timer that observes itself.
type Timer struct{ start time.Time }

func (t *Timer) ObserveDuration() {}

func Timed(h http.Handler, w http.ResponseWriter, r *http.Request) {
	t := &Timer{start: time.Now()}
	defer t.ObserveDuration()
	h.ServeHTTP(w, r)
}

// A local error assigned only before the defer.
func LocalBefore(ctx context.Context) {
	err := lookup(ctx, "x")
	defer observeErr(err)
	work()
}

// Factories given a pointer, a name, or called from a literal.
func observeRequest(kind string, err *error) func() { return func() {} }
func timer(name string) func()                      { return func() {} }

func Factories(ctx context.Context) (err error) {
	defer observeRequest("kind", &err)()
	defer timer("factories")()
	defer func(e error) func() { return func() { observeErr(e) } }(err)()
	return lookup(ctx, "factories")
}

// The duration is taken at the end, but the status is still stale:
// reported for the status only (see a.go); here nothing is stale.
func AtEndStatus(w http.ResponseWriter, h *Histogram) {
	start := time.Now()
	status := http.StatusOK
	w.WriteHeader(status)
	defer h.ObserveStatus(status, time.Since(start).Seconds())
}
