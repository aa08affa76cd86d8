package a

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
)

func Save(path string, data []byte) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { err = f.Close() }() // want `deferred closure assigns err = f.Close\(\) unconditionally: when Save is already returning an error, it is replaced by Close's result \(usually nil\) and the caller sees success`
	if _, err := f.Write(data); err != nil {
		return err
	}
	return nil
}

func Transfer(ctx context.Context, db *sql.DB, from, to int64) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		err = tx.Commit() // want `deferred closure assigns err = tx.Commit\(\) unconditionally`
	}()
	if _, err = tx.ExecContext(ctx, "UPDATE accounts SET n = n - 1 WHERE id = ?", from); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "UPDATE accounts SET n = n + 1 WHERE id = ?", to)
	return err
}

func Quiet() (err error) {
	defer func() {
		err = nil // want `deferred closure sets err = nil unconditionally: every error Quiet returns is replaced by nil`
	}()
	return fmt.Errorf("failed")
}

type store struct{ path string }

// The recover branch is guarded, but the Close after it is not.
func (s *store) Flush(lines []string) (retErr error) {
	f, err := os.Create(s.path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	defer func() {
		if r := recover(); r != nil {
			retErr = fmt.Errorf("panic: %v", r)
		}
		retErr = f.Close() // want `deferred closure assigns retErr = f.Close\(\) unconditionally: when Flush is already returning`
	}()
	for _, l := range lines {
		if _, err := w.WriteString(l); err != nil {
			return err
		}
	}
	return w.Flush()
}

func Handle(w http.ResponseWriter, r *http.Request) {
	_ = func() (err error) {
		defer func() { err = r.Body.Close() }() // want `when the function literal is already returning an error`
		return r.ParseForm()
	}()
}

func Generic[T any](path string, enc func(*os.File, T) error, v T) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { err = f.Sync() }() // want `err = f.Sync\(\) unconditionally`
	return enc(f, v)
}

// A presence check does not make the overwrite conditional.
func SavePresent(path string) (err error) {
	var f *os.File
	defer func() {
		if f != nil {
			err = f.Close() // want `deferred closure assigns err = f.Close\(\) unconditionally`
		}
	}()
	f, err = os.Create(path)
	return err
}
