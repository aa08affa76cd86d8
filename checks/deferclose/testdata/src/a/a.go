// Cleanups deferred before the error check of the call that produced
// the value: on failure the value is nil and the defer panics.
package a

import (
	"archive/zip"
	"compress/gzip"
	"context"
	"crypto/tls"
	"database/sql"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
)

func Fetch(url string) ([]byte, error) {
	resp, err := http.Get(url)
	defer resp.Body.Close() // want `resp\.Body\.Close\(\) is deferred before the error of http\.Get is checked: when http\.Get fails resp is nil and the defer panics with a nil pointer dereference \(defer it after the error check\)`
	if err != nil {
		return nil, err
	}
	return io.ReadAll(resp.Body)
}

type Client struct {
	hc  *http.Client
	log *log.Logger
}

// A method on a pointer receiver; the defer is two statements before the
// check, so there is no fix.
func (c *Client) Get(ctx context.Context, url string, v any) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := c.hc.Do(req)
	c.log.Printf("GET %s", url)
	defer resp.Body.Close() // want `resp\.Body\.Close\(\) is deferred before the error of c\.hc\.Do is checked`
	c.log.Printf("done")
	if err != nil {
		return err
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func Names(db *sql.DB) ([]string, error) {
	rows, err := db.Query("SELECT name FROM users")
	defer rows.Close() // want `rows\.Close\(\) is deferred before the error of db\.Query is checked: when db\.Query fails rows is nil`
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

func Transfer(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	defer tx.Rollback() // want `tx\.Rollback\(\) is deferred before the error of db\.BeginTx is checked`
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE accounts SET n = n - 1"); err != nil {
		return err
	}
	return tx.Commit()
}

// A nil interface.
func Ping(addr string) error {
	conn, err := net.Dial("tcp", addr)
	defer conn.Close() // want `conn\.Close\(\) is deferred before the error of net\.Dial is checked`
	if err != nil {
		return err
	}
	_, err = conn.Write([]byte("ping"))
	return err
}

func Gunzip(r io.Reader) ([]byte, error) {
	zr, err := gzip.NewReader(r)
	defer zr.Close() // want `zr\.Close\(\) is deferred before the error of gzip\.NewReader is checked`
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// A deferred function literal that closes unconditionally.
func Count(db *sql.DB) (int, error) {
	rows, err := db.Query("SELECT 1")
	defer func() { // want `rows\.Close\(\) is deferred before the error of db\.Query is checked`
		rows.Close()
	}()
	if err != nil {
		return 0, err
	}
	n := 0
	for rows.Next() {
		n++
	}
	return n, nil
}

// var declaration, and assignment to an existing err.
func Entries(path string) (n int, err error) {
	var zr, zerr = zip.OpenReader(path)
	defer zr.Close() // want `zr\.Close\(\) is deferred before the error of zip\.OpenReader is checked`
	if zerr != nil {
		return 0, zerr
	}
	var conn *tls.Conn
	conn, err = tls.Dial("tcp", "example.com:443", nil)
	defer conn.Close() // want `conn\.Close\(\) is deferred before the error of tls\.Dial is checked`
	if err != nil {
		return 0, err
	}
	return len(zr.File), nil
}

// In a case clause, in an HTTP handler.
func Proxy(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		resp, err := http.DefaultClient.Do(r.Clone(r.Context()))
		defer resp.Body.Close() // want `resp\.Body\.Close\(\) is deferred before the error of http\.DefaultClient\.Do is checked`
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		io.Copy(w, resp.Body)
	}
}

// A type of this package whose Close dereferences its receiver.
type Pool struct {
	conns []net.Conn
}

func OpenPool(n int) (*Pool, error) {
	if n <= 0 {
		return nil, net.ErrClosed
	}
	return &Pool{}, nil
}

func (p *Pool) Close() error {
	for _, c := range p.conns {
		c.Close()
	}
	return nil
}

func UsePool() error {
	p, err := OpenPool(3)
	defer p.Close() // want `p\.Close\(\) is deferred before the error of OpenPool is checked`
	if err != nil {
		return err
	}
	return nil
}

// A value method called through a nil pointer.
type Handle struct{ fd int }

func (h Handle) Release() {}

func OpenHandle() (*Handle, error) { return nil, io.EOF }

func UseHandle() error {
	h, err := OpenHandle()
	defer h.Release() // want `h\.Release\(\) is deferred before the error of OpenHandle is checked`
	if err != nil {
		return err
	}
	return nil
}

// A nil func.
func setup() (func(), error) {
	if false {
		return func() {}, nil
	}
	return nil, io.ErrUnexpectedEOF
}

func RunWithSetup() error {
	cleanup, err := setup()
	defer cleanup() // want `cleanup\(\) is deferred before the error of setup is checked: when setup fails cleanup is nil`
	if err != nil {
		return err
	}
	return nil
}

// Generics: a generic function, and a generic type whose Close
// dereferences its receiver.
func GetJSON[T any](c *http.Client, url string) (T, error) {
	var v T
	resp, err := c.Get(url)
	defer resp.Body.Close() // want `resp\.Body\.Close\(\) is deferred before the error of c\.Get is checked`
	if err != nil {
		return v, err
	}
	err = json.NewDecoder(resp.Body).Decode(&v)
	return v, err
}

type Cache[K comparable, V any] struct {
	m map[K]V
}

func NewCache[K comparable, V any](size int) (*Cache[K, V], error) {
	if size < 0 {
		return nil, io.ErrShortBuffer
	}
	return &Cache[K, V]{m: make(map[K]V, size)}, nil
}

func (c *Cache[K, V]) Close() error {
	clear(c.m)
	return nil
}

func UseCache() error {
	c, err := NewCache[string, int](10)
	defer c.Close() // want `c\.Close\(\) is deferred before the error of NewCache\[string, int\] is checked`
	if err != nil {
		return err
	}
	return nil
}

// A promoted method through an embedded field.
type wrappedConn struct {
	net.Conn
}

func dialWrapped() (*wrappedConn, error) { return nil, io.EOF }

func UseWrapped() error {
	wc, err := dialWrapped()
	defer wc.Close() // want `wc\.Close\(\) is deferred before the error of dialWrapped is checked`
	if err != nil {
		return err
	}
	return nil
}

// The check panics too when it comes after an unrelated early return.
func TwoSteps(ctx context.Context, db *sql.DB, stop bool) error {
	tx, err := db.BeginTx(ctx, nil)
	if stop {
		return nil
	}
	defer tx.Rollback() // want `tx\.Rollback\(\) is deferred before the error of db\.BeginTx is checked`
	if err != nil {
		return err
	}
	return tx.Commit()
}
