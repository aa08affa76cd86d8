package a

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
)

func SaveGuarded(path string, data []byte) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	_, err = f.Write(data)
	return err
}

func SaveIfNil(path string, data []byte) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if err == nil {
			err = f.Close()
		}
	}()
	_, err = f.Write(data)
	return err
}

func SaveJoin(path string, data []byte) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	_, err = f.Write(data)
	return err
}

func SaveWrap(path string) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("save %s: %w", path, err)
		}
	}()
	return os.WriteFile(path, nil, 0o644)
}

func SaveWrapAlways(path string) (err error) {
	defer func() { err = fmt.Errorf("save %s: %w", path, err) }()
	return os.WriteFile(path, nil, 0o644)
}

// The transaction idiom: Commit only when nothing failed.
func TransferOK(ctx context.Context, db *sql.DB, id int64) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
			return
		}
		err = tx.Commit()
	}()
	_, err = tx.ExecContext(ctx, "DELETE FROM jobs WHERE id = ?", id)
	return err
}

// Panic turned into an error: only in the recover branch.
func Safe(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	f()
	return nil
}

// Only a failure is stored: the function still reports failure.
func SaveFailureOnly(path string) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); cerr != nil {
			err = cerr
		}
	}()
	return nil
}

// Switch on the error.
func Classify(path string) (err error) {
	defer func() {
		switch {
		case errors.Is(err, os.ErrNotExist):
			err = nil
		}
	}()
	_, err = os.Stat(path)
	return err
}

// The closure assigns a local, not the result.
func Local(path string) (err error) {
	defer func() {
		err := os.Remove(path)
		_ = err
	}()
	return nil
}

// An unnamed error result cannot be overwritten by a defer.
func Unnamed(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { err = f.Close() }()
	return err
}

// The closure belongs to a goroutine, not a defer.
func Background(path string) (err error) {
	go func() { err = os.Remove(path) }()
	return nil
}

// Passing the error to a helper that decides.
func Reported(path string) (err error) {
	defer func() { err = annotate(err, path) }()
	return os.Remove(path)
}

func annotate(err error, path string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", path, err)
}

// The assignment runs only when the context fired: a decision of the
// author, not an overwrite.
func Handshake(ctx context.Context, stop func() bool) (ret error) {
	defer func() {
		if !stop() {
			ret = ctx.Err()
		}
	}()
	return nil
}

// Recover in a switch's init.
func parse(s string) (_ int, err error) {
	defer func() {
		switch r := recover(); r {
		case nil:
		case "large":
			err = fmt.Errorf("too large: %s", s)
		default:
			panic(r)
		}
	}()
	return len(s), nil
}

type errorList []error

func (l errorList) Err() error { return errors.Join(l...) }

// The deferred assignment is how the function reports errors: nothing
// after the defer returns another one.
func ParseAll(src []string) (n int, err error) {
	var errs errorList
	defer func() {
		err = errs.Err()
	}()
	for _, s := range src {
		if s == "" {
			errs = append(errs, errors.New("empty"))
			continue
		}
		n++
	}
	return
}
