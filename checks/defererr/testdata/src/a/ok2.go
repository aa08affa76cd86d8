package a

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
)

// The otlptranslator shape: the closure may replace an error by
// another one, never by success.
func Normalize(name string) (out string, err error) {
	defer func() {
		if out == name {
			return
		}
		for _, c := range out {
			if c != '_' {
				return
			}
		}
		err = fmt.Errorf("metric %q normalized to %q", name, out)
		out = ""
	}()
	if name == "" {
		return "", errors.New("empty")
	}
	return name, nil
}

var errClosed = errors.New("closed")

// A sentinel: the function fails either way.
func MarkClosed(path string) (err error) {
	defer func() {
		if path == "" {
			return
		}
		err = errClosed
	}()
	return os.Remove(path)
}

type opError struct{ op string }

func (e *opError) Error() string { return e.op }

func Op(path string) (err error) {
	defer func() { err = &opError{op: "op " + path} }()
	return os.Remove(path)
}

// The new value is computed from the old one in a local.
func Wrapped(path string) (err error) {
	defer func() {
		wrapped := fmt.Errorf("remove %s: %w", path, err)
		err = wrapped
	}()
	return os.Remove(path)
}

// Commit only when nothing failed, roll back otherwise.
func CommitElse(ctx context.Context, db *sql.DB) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err == nil {
			err = tx.Commit()
		} else {
			tx.Rollback()
		}
	}()
	_, err = tx.ExecContext(ctx, "DELETE FROM sessions")
	return err
}

type appender interface {
	Commit() error
	Rollback() error
}

// The prometheus remote-write shape: Commit after an early return on
// err, then look at the Commit result.
func Append(app appender, n int, count func(int)) (err error) {
	defer func() {
		if err != nil {
			_ = app.Rollback()
			return
		}
		err = app.Commit()
		if err != nil {
			count(n)
		}
	}()
	if n < 0 {
		return errors.New("negative")
	}
	return nil
}

// The badger shape: the test reads err, the init does not assign it.
func Compact(decr func() error) (err error) {
	defer func() {
		if decErr := decr(); err == nil {
			err = decErr
		}
	}()
	return errors.New("compaction failed")
}

type pgTx interface{ Rollback(context.Context) error }

var errTxClosed = errors.New("tx closed")

// The pgx shape: only a real failure is stored.
func BeginFunc(ctx context.Context, tx pgTx, fn func(pgTx) error) (err error) {
	defer func() {
		rollbackErr := tx.Rollback(ctx)
		if rollbackErr != nil && !errors.Is(rollbackErr, errTxClosed) {
			err = rollbackErr
		}
	}()
	return fn(tx)
}

// The urfave/cli shape: both branches look at err.
func RunAfter(after func() error, run func() error) (err error) {
	defer func() {
		if afterErr := after(); afterErr != nil {
			if err != nil {
				err = errors.Join(err, afterErr)
			} else {
				err = afterErr
			}
		}
	}()
	return run()
}

// The reflectwalk shape: a closure with arguments, guarded.
func Walk(enter, exit func(bool) error, pointer bool) (err error) {
	if err = enter(pointer); err != nil {
		return
	}
	defer func(pointer bool) {
		if err != nil {
			return
		}
		err = exit(pointer)
	}(pointer)
	return nil
}

// The database/sql shape: set only when the callback panicked.
func WithLock(f func() error, release func(error)) (err error) {
	fPanic := true
	defer func() {
		if fPanic {
			err = errors.New("bad connection")
		}
		release(err)
	}()
	err = f()
	fPanic = false
	return err
}

// The grpc shape: a select decides.
func Dial(ctx context.Context, dial func() (io.Closer, error)) (conn io.Closer, err error) {
	defer func() {
		select {
		case <-ctx.Done():
			conn, err = nil, ctx.Err()
		default:
		}
	}()
	return dial()
}

// A loop that keeps the first error.
func CloseAllOK(files []*os.File) (err error) {
	defer func() {
		for _, f := range files {
			if cerr := f.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}
	}()
	for _, f := range files {
		if _, err := f.Stat(); err != nil {
			return err
		}
	}
	return nil
}

// A loop whose condition reads err.
func Retry(try func() error) (err error) {
	defer func() {
		for i := 0; err != nil && i < 3; i++ {
			err = try()
		}
	}()
	return try()
}

// The aws-sdk shape: every return after the defer returns nil, so the
// closure only ever replaces nil (the errors assigned in between are
// dropped by `return ..., nil` before the defer runs).
func HashFrom(r io.ReadSeeker, size func(io.Seeker) (int64, error)) (sum []byte, err error) {
	start, err := r.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, err
	}
	defer func() {
		// seek back to the start of the payload
		_, err = r.Seek(start, io.SeekStart)
	}()
	n, err := size(r)
	if err != nil {
		io.Copy(io.Discard, r)
	} else {
		io.CopyN(io.Discard, r, n)
	}
	return []byte{1}, nil
}

// A bare return, but nothing after the defer assigns err.
func BareClean(path string) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer func() { err = f.Close() }()
	fmt.Fprintln(f, "x")
	return
}

// Deliberate, and said so.
func IgnoredClose(f *os.File) (err error) {
	defer func() {
		err = f.Close() //silentfail:ignore defererr the close error is the only one callers care about
	}()
	_, err = f.WriteString("x")
	return err
}
