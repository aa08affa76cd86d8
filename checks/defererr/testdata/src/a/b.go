package a

import (
	"bufio"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
)

// The recover branch returns, but the rest of the closure is its
// normal path: the Close result replaces any earlier error.
func FlushAfterRecover(path string, data []byte) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
			return
		}
		err = f.Close() // want `deferred closure assigns err = f.Close\(\) unconditionally: when FlushAfterRecover is already returning an error`
	}()
	_, err = f.Write(data)
	return err
}

// The assignment in the if statement's init runs first, always.
func InitAssign(path string) (err error) {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() {
		if err = f.Close(); err != nil { // want `deferred closure assigns err = f.Close\(\) unconditionally`
			fmt.Fprintln(os.Stderr, "close:", err)
		}
	}()
	_, err = io.ReadAll(f)
	return err
}

// Every Close in the loop replaces the error.
func CloseAll(paths []string) (err error) {
	var files []*os.File
	defer func() {
		for _, f := range files {
			err = f.Close() // want `deferred closure assigns err = f.Close\(\) unconditionally: when CloseAll is already returning an error`
		}
	}()
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		files = append(files, f)
	}
	return nil
}

// An early return when nothing was opened is a presence check.
func EarlyNil(path string) (err error) {
	var f *os.File
	defer func() {
		if f == nil {
			return
		}
		err = f.Close() // want `deferred closure assigns err = f.Close\(\) unconditionally`
	}()
	f, err = os.Create(path)
	if err != nil {
		return err
	}
	_, err = f.WriteString("x")
	return err
}

type api struct{ db *sql.DB }

// HTTP handler method with a named error result.
func (a *api) serve(w http.ResponseWriter, r *http.Request) (err error) {
	defer func() { err = r.Body.Close() }() // want `deferred closure assigns err = r.Body.Close\(\) unconditionally: when serve is already returning an error, it is replaced by Close's result \(usually nil\) and the caller sees success \(assign only if err == nil, or use errors.Join\(err, r.Body.Close\(\)\)\)`
	if err := r.ParseForm(); err != nil {
		return err
	}
	_, err = a.db.ExecContext(r.Context(), "INSERT INTO hits VALUES (?)", r.Form.Get("id"))
	return err
}

// database/sql rows: a Scan failure is replaced by Close's nil.
func (a *api) names() (names []string, err error) {
	rows, err := a.db.Query("SELECT name FROM users")
	if err != nil {
		return nil, err
	}
	defer func() { err = rows.Close() }() // want `deferred closure assigns err = rows.Close\(\) unconditionally: when names is already returning an error`
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// A bufio writer over a file.
func WriteLines(path string, lines []string) (n int, err error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	defer func() { err = w.Flush() }() // want `err = w.Flush\(\) unconditionally: when WriteLines is already returning an error`
	for _, l := range lines {
		m, err := w.WriteString(l)
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// The local is the Close result itself.
func LocalCopy(path string) (err error) {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() {
		cerr := f.Close()
		err = cerr // want `deferred closure assigns err = cerr unconditionally: when LocalCopy is already returning an error, it is replaced by cerr \(possibly nil\)`
	}()
	_, err = io.ReadAll(f)
	return err
}

type box[T any] struct {
	f *os.File
	v T
}

// A method of a generic type.
func (b *box[T]) Store(enc func(io.Writer, T) error) (err error) {
	defer func() { err = b.f.Sync() }() // want `err = b.f.Sync\(\) unconditionally: when Store is already returning`
	return enc(b.f, b.v)
}

var errBusy = errors.New("busy")

// Returning an error from the closure body after another one.
func Reset() (err error) {
	defer func() {
		err = nil // want `deferred closure sets err = nil unconditionally`
	}()
	return errBusy
}

// A bare return hands back whatever err holds.
func Bare(path string) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer func() { err = f.Close() }() // want `deferred closure assigns err = f.Close\(\) unconditionally: when Bare is already returning`
	_, err = f.WriteString("x")
	return
}

// A closure deferred later runs first: its panic error is replaced.
func Later(f *os.File, process func(*os.File)) (err error) {
	defer func() { err = f.Close() }() // want `deferred closure assigns err = f.Close\(\) unconditionally: when Later is already returning`
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	process(f)
	return nil
}

func recoverTo(errp *error) {
	if r := recover(); r != nil {
		*errp = fmt.Errorf("panic: %v", r)
	}
}

// The promql shape, deferred after the Close.
func LaterHelper(f *os.File, process func(*os.File)) (err error) {
	defer func() { err = f.Close() }() // want `deferred closure assigns err = f.Close\(\) unconditionally: when LaterHelper is already returning`
	defer recoverTo(&err)
	process(f)
	return nil
}
