// Look-alikes that must stay silent.
package a

import (
	"database/sql"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
)

// The idiom: check, then defer.
func FetchOK(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// *os.File's methods return ErrInvalid on nil: harmless.
func ReadEarlyDeferFile(p string) ([]byte, error) {
	f, err := os.Open(p)
	defer f.Close()
	if err != nil {
		return nil, err
	}
	return io.ReadAll(f)
}

// So is the Close of *net.TCPListener.
func ListenEarly(addr *net.TCPAddr) error {
	l, err := net.ListenTCP("tcp", addr)
	defer l.Close()
	if err != nil {
		return err
	}
	return nil
}

// The error is read first, with errors.Is.
func FetchIs(url string) error {
	resp, err := http.Get(url)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	defer resp.Body.Close()
	if err != nil {
		return err
	}
	return nil
}

// Any read of err before the defer counts as a check.
func FetchLogged(url string, errs chan<- error) {
	resp, err := http.Get(url)
	errs <- err
	defer resp.Body.Close()
}

// The value is checked instead of the error.
func FetchNilCheck(url string) {
	resp, err := http.Get(url)
	if resp == nil {
		return
	}
	defer resp.Body.Close()
	_ = err
}

// The deferred closure looks at err itself.
func CountGuarded(db *sql.DB) (n int, err error) {
	rows, err := db.Query("SELECT 1")
	defer func() {
		if err == nil {
			rows.Close()
		}
	}()
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		n++
	}
	return n, nil
}

// The deferred closure checks the value.
func CountNilSafe(db *sql.DB) (int, error) {
	rows, err := db.Query("SELECT 1")
	defer func() {
		if rows != nil {
			rows.Close()
		}
	}()
	if err != nil {
		return 0, err
	}
	return 0, nil
}

// A type of this package whose Close starts with a nil check.
type Session struct{ id int }

func OpenSession() (*Session, error) { return nil, io.EOF }

func (s *Session) Close() error {
	if s == nil {
		return nil
	}
	s.id = 0
	return nil
}

func UseSession() error {
	s, err := OpenSession()
	defer s.Close()
	if err != nil {
		return err
	}
	return nil
}

// A Close that never touches its receiver.
type nopCloser struct{ n int }

func openNop() (*nopCloser, error) { return nil, io.EOF }

func (*nopCloser) Close() error { return nil }

func UseNop() error {
	c, err := openNop()
	defer c.Close()
	if err != nil {
		return err
	}
	return nil
}

// A Close that delegates to a nil-safe method.
type lazy struct{ s *Session }

func openLazy() (*lazy, error) { return nil, io.EOF }

func (l *lazy) Close() error {
	if l != nil && l.s != nil {
		return l.s.Close()
	}
	return nil
}

func UseLazy() error {
	l, err := openLazy()
	defer l.Close()
	if err != nil {
		return err
	}
	return nil
}

// A function of this package that returns a usable value with its error.
func openPartial() (*Pool, error) {
	p := &Pool{}
	return p, io.ErrUnexpectedEOF
}

func UsePartial() error {
	p, err := openPartial()
	defer p.Close()
	if err != nil {
		return err
	}
	return nil
}

// A function of this package that forwards os.Open: on failure the
// interface holds a nil *os.File, whose Close is harmless.
func openReader(p string) (io.ReadCloser, error) {
	return os.Open(p)
}

func UseReader(p string) error {
	rc, err := openReader(p)
	defer rc.Close()
	if err != nil {
		return err
	}
	return nil
}

// A setup that returns a no-op cleanup with its error.
func setupSafe() (func(), error) {
	return func() {}, io.EOF
}

func RunSafe() error {
	cleanup, err := setupSafe()
	defer cleanup()
	if err != nil {
		return err
	}
	return nil
}

// A func from a function value: unknown.
func RunUnknown(start func() (func(), error)) error {
	stop, err := start()
	defer stop()
	if err != nil {
		return err
	}
	return nil
}

// A type parameter: depends on the instantiation.
func UseGeneric[T io.Closer](open func() (T, error)) error {
	c, err := open()
	defer c.Close()
	if err != nil {
		return err
	}
	return nil
}

// A struct value cannot be nil.
type token struct{ n int }

func (t token) Release() {}

func acquire() (token, error) { return token{}, nil }

func UseToken() error {
	t, err := acquire()
	defer t.Release()
	if err != nil {
		return err
	}
	return nil
}

// The error is discarded with _: there is no check to come before.
func FetchBlank(url string) {
	resp, _ := http.Get(url)
	if resp != nil {
		defer resp.Body.Close()
	}
}

// The defer belongs to a nested block, after its own check.
func Nested(db *sql.DB, q bool) error {
	if q {
		rows, err := db.Query("SELECT 1")
		if err != nil {
			return err
		}
		defer rows.Close()
	}
	return nil
}

// An assignment in an if's init is not followed by statements.
func InInit(db *sql.DB) error {
	if rows, err := db.Query("SELECT 1"); err == nil {
		defer rows.Close()
	}
	return nil
}

// Unreachable after a return.
func AfterReturn(db *sql.DB) error {
	rows, err := db.Query("SELECT 1")
	if err != nil {
		return err
	}
	defer rows.Close()
	return nil
}
