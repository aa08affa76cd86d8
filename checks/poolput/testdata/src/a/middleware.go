package a

import (
	"bytes"
	"io"
	"log"
	"net/http"
	"sync"

	"golang.org/x/sync/errgroup"
)

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

var recorders = sync.Pool{New: func() any { return new(recorder) }}

// The status is read after the recorder went back to the pool.
func logging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := recorders.Get().(*recorder)
		rec.ResponseWriter, rec.status = w, http.StatusOK
		next.ServeHTTP(rec, r)
		recorders.Put(rec)
		log.Printf("%s %d", r.URL.Path, rec.status) // want `rec is used after recorders.Put\(rec\) \(line 31\) put it back`
	})
}

// The status is copied out first.
func okLogging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := recorders.Get().(*recorder)
		rec.ResponseWriter, rec.status = w, http.StatusOK
		next.ServeHTTP(rec, r)
		status := rec.status
		rec.ResponseWriter = nil
		recorders.Put(rec)
		log.Printf("%s %d", r.URL.Path, status)
	})
}

// Each goroutine of the group owns its buffer.
func okGroup(w io.Writer, parts []string) error {
	var g errgroup.Group
	var mu sync.Mutex
	for _, p := range parts {
		g.Go(func() error {
			b := okBufs.Get().(*bytes.Buffer)
			defer okBufs.Put(b)
			b.Reset()
			b.WriteString(p)
			mu.Lock()
			defer mu.Unlock()
			_, err := w.Write(b.Bytes())
			return err
		})
	}
	return g.Wait()
}

// The buffer is put back by the goroutine and used by the caller.
func group(w io.Writer, parts []string) error {
	var g errgroup.Group
	b := okBufs.Get().(*bytes.Buffer)
	b.Reset()
	g.Go(func() error {
		for _, p := range parts {
			b.WriteString(p)
		}
		okBufs.Put(b)
		_, err := w.Write(b.Bytes()) // want `b is used after okBufs.Put\(b\)`
		return err
	})
	return g.Wait()
}
