// Look-alikes that must stay silent.
package b

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"errors"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
)

// Read-only files.
func Load(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

func LoadFlags(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// The error of Close joins the named result in a deferred closure.
func SaveJoined(path string, data []byte) (err error) {
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

func SaveErrorsJoin(path string, data []byte) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	_, err = f.Write(data)
	return err
}

// An explicit checked Close on the success path; the defer is a safety net.
func SaveExplicit(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Close()
}

// A checked Sync: the data is on disk before Close.
func SaveSynced(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return nil
}

// The explicit gzip Close is checked.
func CompressChecked(w io.Writer, data []byte) error {
	zw := gzip.NewWriter(w)
	defer zw.Close()
	if _, err := zw.Write(data); err != nil {
		return err
	}
	return zw.Close()
}

// No error to report: an HTTP handler, a helper that logs.
func Dump(w http.ResponseWriter, r *http.Request) {
	f, err := os.Create("/tmp/dump")
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	defer f.Close()
	io.Copy(f, r.Body)
}

func SaveOrLog(path string, data []byte) {
	f, err := os.Create(path)
	if err != nil {
		log.Print(err)
		return
	}
	defer f.Close()
	f.Write(data)
}

// The file is handed to the caller on success: the defer closes it on
// failure only.
func CreateFor(path string) (f *os.File, err error) {
	f, err = os.Create(path)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	if _, err = f.WriteString("header\n"); err != nil {
		return nil, err
	}
	return f, nil
}

type Writer struct {
	f *os.File
}

// The file is stored; whoever owns Writer closes it.
func NewWriter(path string, fail bool) (*Writer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w := &Writer{f: f}
	defer func() {
		if fail {
			f.Close()
		}
	}()
	return w, nil
}

// Nothing is written: a lock file.
func Lock(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// Writers into memory, a hash, or an HTTP response cannot fail, or
// their errors are ignored by convention.
func GzipBytes(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	defer zw.Close()
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func HashCompressed(data []byte) ([]byte, error) {
	h := sha256.New()
	zw := gzip.NewWriter(h)
	defer zw.Close()
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

func ServeGzip(w http.ResponseWriter, r *http.Request, body []byte) error {
	w.Header().Set("Content-Encoding", "gzip")
	zw := gzip.NewWriter(w)
	defer zw.Close()
	_, err := zw.Write(body)
	return err
}

// A scratch file, removed before returning.
func Scratch(data []byte, run func(string) error) error {
	f, err := os.CreateTemp("", "scratch-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return run(f.Name())
}

func ScratchDir(data []byte, run func(string) error) error {
	dir, err := os.MkdirTemp("", "work")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "input")
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return run(p)
}

// Explicitly discarded, or logged.
func SaveDiscard(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	_, err = f.Write(data)
	return err
}

func SaveLogged(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if err := f.Close(); err != nil {
			log.Printf("close %s: %v", path, err)
		}
	}()
	_, err = f.Write(data)
	return err
}

// Handed to a goroutine.
func Background(path string, r io.Reader, done chan<- error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	go func() {
		_, err := io.Copy(f, r)
		done <- err
	}()
	defer f.Close()
	return nil
}

// Opened by the caller.
func WriteTo(f *os.File, data []byte) error {
	defer f.Close()
	_, err := f.Write(data)
	return err
}

// An explicit unchecked Close elsewhere is errcheck's business.
func SaveTwice(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	f.Write(data)
	f.Close()
	return os.Chmod(path, 0o600)
}

// Not recognized: a file from an unknown function.
func SaveVia(open func(string) (*os.File, error), path string, data []byte) error {
	f, err := open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.Write(data)
	return err
}
