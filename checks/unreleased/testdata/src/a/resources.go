package a

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
)

var errShort = errors.New("short")

// An error after the open returns without closing.
func readHeader(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 16)
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, err // want `readHeader returns here with f \(file from os.Open at line 21\) still open \(the path through line 29 releases it\): one file descriptor leaks per call`
	}
	f.Close()
	return buf, nil
}

// A write error after Create leaks the file; the happy path returns
// Close's error.
func writeAll(path string, b []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err = f.Write(b); err != nil {
		return err // want `writeAll returns here with f \(file from os.Create`
	}
	return f.Close()
}

// The defer comes after an early return.
func firstLine(path string, skip bool) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	if skip {
		return "", nil // want `firstLine returns here with f`
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	s.Scan()
	return s.Text(), nil
}

// A scan error inside the loop leaves the rows open.
func names(db *sql.DB) ([]string, error) {
	rows, err := db.Query("SELECT name FROM users")
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err // want `names returns here with rows \(rows from db.Query at line 63\) still open .*the rows keep their database connection busy`
		}
		out = append(out, n)
	}
	rows.Close()
	return out, rows.Err()
}

// A transaction neither committed nor rolled back on one error.
func transfer(ctx context.Context, db *sql.DB, from, to int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if _, err := tx.Exec("UPDATE a SET n = n - 1 WHERE id = ?", from); err != nil {
		tx.Rollback()
		return err
	}
	if _, err := tx.Exec("UPDATE a SET n = n + 1 WHERE id = ?", to); err != nil {
		return err // want `transfer returns here with tx \(transaction from db.BeginTx at line 81\) still open .*\(tx.Rollback\(\) before this return`
	}
	return tx.Commit()
}

// A bad status returns before the deferred Close is registered.
func fetch(c *http.Client, url string, v any) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status) // want `fetch returns here with resp \(response from c.Get at line 97\) still open .*resp.Body.Close\(\) before this return`
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// A continue goes back to Dial with the connection still open.
func probeAll(addrs []string, hello []byte) {
	for _, a := range addrs {
		c, err := net.Dial("tcp", a) // want `a path goes back to net.Dial at line 111 with c \(connection from net.Dial at line 111\) still open`
		if err != nil {
			continue
		}
		if _, err := c.Write(hello); err != nil {
			continue
		}
		c.Close()
	}
}

// Look-alikes that must stay quiet.

// rule "held on every path out": nothing here ever closes f; the
// caller gets it.
func openLog(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil // rule "handed on": returned
}

// rule "the acquire failed": its error path returns and holds nothing.
func sizeOf(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// Closed on every path.
func copyTo(dst io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// rule "handed on": the file goes to a function of the package that
// may close it.
func parseFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	if err := parse(f); err != nil {
		return err
	}
	return f.Close()
}

func parse(r io.ReadCloser) error { return r.Close() }

// rule "handed on": a deferred closure that closes it.
func txDeferred(db *sql.DB) (err error) {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if _, err = tx.Exec("DELETE FROM a"); err != nil {
		return err
	}
	return tx.Commit()
}

// rule "handed on": a goroutine owns the connection.
func serveOne(l net.Listener, quit bool) error {
	c, err := l.Accept()
	if err != nil {
		return err
	}
	conn, err := net.Dial("tcp", "backend:80")
	if err != nil {
		c.Close()
		return err
	}
	if quit {
		conn.Close()
		return nil
	}
	go func() {
		io.Copy(conn, c)
		conn.Close()
	}()
	return nil
}

// Rows exhausted by Next are closed; the early return inside the loop
// comes before any explicit close, so nothing says the author closes
// them: rule "held on every path out".
func countRows(db *sql.DB) (int, error) {
	rows, err := db.Query("SELECT 1")
	if err != nil {
		return 0, err
	}
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

// An error tested some other way: whether the open failed is not known
// on either branch, so nothing is followed.
func openOptional(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// The nil branch holds nothing.
func maybeClose(path string, keep bool) {
	f, _ := os.Open(path)
	if f == nil {
		return
	}
	f.Close()
}

// rule "handed on": stored in a field.
type holder struct{ f *os.File }

func (h *holder) open(path string, reuse bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	if reuse {
		f.Close()
		return nil
	}
	h.f = f
	return nil
}

// rule "body read to the end": the error of ReadAll comes after the
// transport has taken the connection back.
func get(c *http.Client, url string) ([]byte, error) {
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return b, nil
}

// A status check before the read leaks the unread body.
func getOK(c *http.Client, url string) ([]byte, error) {
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New(resp.Status) // want `getOK returns here with resp \(response from c.Get`
	}
	return io.ReadAll(resp.Body)
}

// rule "handed on": the request owns the body it is given.
func upload(c *http.Client, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	req, err := http.NewRequest("PUT", "http://x/", f)
	if err != nil {
		f.Close()
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// rule "runs once": init's leak lasts one process.
func init() {
	f, err := os.Open("config")
	if err != nil {
		return
	}
	if len(os.Args) > 1 {
		return
	}
	f.Close()
}

// rule "released by a deferred call": registered before the acquire,
// it closes whatever f holds at the return.
func rotate(paths []string) error {
	var f *os.File
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	for _, p := range paths {
		var err error
		f, err = os.Create(p)
		if err != nil {
			return err
		}
		if _, err := f.WriteString("x"); err != nil {
			return err
		}
		f.Close()
		f = nil
	}
	return nil
}

// rule "ownership kept in a flag": the function closes only what it
// opened.
func syncFile(cached *os.File, name string) error {
	f, didOpen := cached, false
	if f == nil {
		var err error
		f, err = os.OpenFile(name, os.O_RDWR, 0)
		if err != nil {
			return err
		}
		didOpen = true
	}
	if err := f.Sync(); err != nil {
		if didOpen {
			f.Close()
		}
		return err
	}
	if didOpen {
		return f.Close()
	}
	return nil
}

// rule "acquired in a retry loop": after the loop, only turns that held
// nothing reach the failure return.
func getWithRetry(c *http.Client, url string) ([]byte, error) {
	var resp *http.Response
	var err error
	ok := false
	for i := 0; i < 3; i++ {
		resp, err = c.Get(url)
		if err != nil {
			continue
		}
		if resp.StatusCode >= 500 {
			resp.Body.Close()
			continue
		}
		ok = true
		break
	}
	if !ok {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// rule "closed with their transaction": the caller's Rollback closes
// the rows.
func migrate(tx *sql.Tx) error {
	rows, err := tx.Query("SELECT id FROM a")
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return err
		}
	}
	return rows.Close()
}

// A response always has a body: the nil test is not a branch.
func head(c *http.Client, url string) (int, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	if resp.Body != nil {
		defer resp.Body.Close()
	}
	return resp.StatusCode, nil
}

// rule "handed on": a value given as any may be stored.
func cache(m *sync.Map, path string, keep bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	if keep {
		m.Store(path, f)
		return nil
	}
	return f.Close()
}

// rule "the same condition twice": the inner loop ends with the file
// open only when canceled() says so; then the outer loop ends too, so
// the returns inside it never see the file open: only the return after
// the loop does.
func copyAll(canceled func() bool, next func() (string, bool), read func([]byte) (int, error)) error {
	buf := make([]byte, 512)
	for !canceled() {
		name, ok := next()
		if !ok {
			return nil
		}
		f, err := os.Create(name)
		if err != nil {
			return err
		}
		for !canceled() {
			n, err := read(buf)
			if err != nil {
				f.Close()
				if err != io.EOF {
					return err
				}
				break
			}
			f.Write(buf[:n])
		}
	}
	if canceled() {
		return errShort // want `copyAll returns here with f \(file from os.Create`
	}
	return nil
}
