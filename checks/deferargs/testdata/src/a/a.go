package a

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"time"
)

// Latency logged with the duration frozen at the defer statement.

func Handle(ctx context.Context, id string) error {
	start := time.Now()
	defer log.Printf("handled %s in %v", id, time.Since(start)) // want `time.Since\(start\) is evaluated when the defer statement runs, so the deferred log.Printf reports about 0s \(wrap in a closure: defer func\(\) \{ log.Printf\(...\) \}\(\)\)`
	return lookup(ctx, id)
}

type Histogram struct{}

func (*Histogram) Observe(v float64)                 {}
func (*Histogram) ObserveStatus(code int, v float64) {}

type Middleware struct {
	next    http.Handler
	latency *Histogram
}

// Middleware: the start is taken before some work, so the duration is
// not 0, but it stops at the defer statement.
func (m *Middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	defer m.latency.Observe(time.Since(start).Seconds()) // want `time.Since\(start\) is evaluated when the defer statement runs, so the deferred m.latency.Observe reports only the time before the defer statement, not until ServeHTTP returns`
	m.next.ServeHTTP(w, r)
}

func Elapsed(start time.Time) {
	defer fmt.Println(time.Now().Sub(start)) // want `time.Now\(\).Sub\(start\) is evaluated when the defer statement runs`
	work()
}

// A named error result read by the deferred call: always nil.

func report(err error) {}

func Fetch(ctx context.Context, id string) (err error) {
	defer report(err) // want `deferred report\(err\) receives err as it is now \(nil\), not its value when Fetch returns: the returned error is never seen \(wrap the call in a closure: defer func\(\) \{ report\(err\) \}\(\)\)`
	if id == "" {
		return errors.New("empty id")
	}
	return lookup(ctx, id)
}

// Tracing: RecordError(err) with a local error assigned later.

type Span struct{}

func (*Span) RecordError(err error) {}
func (*Span) End()                  {}

func startSpan(ctx context.Context, name string) (context.Context, *Span) { return ctx, &Span{} }

func Traced(ctx context.Context, id string) error {
	ctx, span := startSpan(ctx, "Traced")
	defer span.End()
	var err error
	defer span.RecordError(err) // want `deferred span.RecordError\(err\) receives err as it is now \(nil\), not its value when Traced returns: errors assigned to err later are never seen`
	err = lookup(ctx, id)
	return err
}

// Metrics: the status code is a placeholder at the defer.

func Status(w http.ResponseWriter, r *http.Request, h *Histogram) {
	status := http.StatusOK
	defer h.ObserveStatus(status, 1) // want `deferred h.ObserveStatus\(status, 1\) receives status as it is now \(http.StatusOK\), not its value when Status returns: later assignments to status are never seen`
	if r.Method != http.MethodGet {
		status = http.StatusMethodNotAllowed
		w.WriteHeader(status)
		return
	}
	w.Write([]byte("ok"))
}

// A named count result set by the return statement.

func ReadAll(r io.Reader, buf []byte) (n int, err error) {
	defer log.Printf("read %d bytes", n) // want `deferred log.Printf\("read %d bytes", n\) receives n as it is now \(0\), not its value when ReadAll returns: the returned n is never seen`
	m, err := io.ReadFull(r, buf)
	return m, err
}

// Several stale arguments: all are named and the fix covers them.

func Both(ctx context.Context, id string) (err error) {
	status := 0
	defer log.Printf("status=%d err=%v", status, err) // want `deferred log.Printf\(\.\.\.\) receives status and err as they are now, not their values when Both returns`
	if err = lookup(ctx, id); err != nil {
		status = 500
	}
	return err
}

// A bool flag set at the end of the happy path.

func record(name string, ok bool) {}

func Job(ctx context.Context) error {
	ok := false
	defer record("job", ok) // want `deferred record\("job", ok\) receives ok as it is now \(false\)`
	if err := lookup(ctx, "job"); err != nil {
		return err
	}
	ok = true
	return nil
}

// Assigned through a closure that runs after the defer.

func Retry(ctx context.Context, do func(func())) error {
	var err error
	defer report(err) // want `deferred report\(err\) receives err as it is now \(nil\)`
	do(func() { err = lookup(ctx, "x") })
	return err
}

// Assigned through its address.

func Parse(s string) {
	n := 0
	defer log.Println("parsed", n) // want `deferred log.Println\("parsed", n\) receives n as it is now \(0\)`
	fmt.Sscan(s, &n)
}

// database/sql: err is set before the defer, so its value there is not
// known, but Commit's error is still never seen.

type Store struct{ db *sql.DB }

func (s *Store) audit(op string, err error) {}

func (s *Store) Save(ctx context.Context, v string) (err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	defer s.audit("save", err) // want `deferred s.audit\("save", err\) receives err as it is now, not its value when Save returns: the returned error is never seen`
	if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES (?)", v); err != nil {
		return err
	}
	return tx.Commit()
}

// Generics.

func observe[T any](err error) {}

func Do[T any](ctx context.Context, f func(context.Context) (T, error)) (res T, err error) {
	defer observe[T](err) // want `deferred observe\[T\]\(err\) receives err as it is now \(nil\), not its value when Do returns`
	return f(ctx)
}

// A deferred call in a function literal: the literal's own result.

func Lit(ctx context.Context) func() error {
	return func() (err error) {
		defer report(err) // want `not its value when the function literal returns: the returned error is never seen`
		return lookup(ctx, "lit")
	}
}

func lookup(ctx context.Context, id string) error { return nil }
func work()                                       {}

// Both shapes in one call: the fix reads both at return.
func Mixed(w http.ResponseWriter, r *http.Request, h *Histogram) {
	start := time.Now()
	status := http.StatusOK
	defer h.ObserveStatus(status, time.Since(start).Seconds()) // want `time.Since\(start\) is evaluated when the defer statement runs, so the deferred h.ObserveStatus reports about 0s`
	if err := r.ParseForm(); err != nil {
		status = http.StatusBadRequest
	}
	w.WriteHeader(status)
}
