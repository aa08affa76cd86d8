package a

import (
	"log"
	"net/http"
	"sync"
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

// A handler that never calls WriteHeader leaves the previous request's
// status in the recorder: the log shows another request's status.
func logging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := recorders.Get().(*recorder)
		rec.ResponseWriter = w
		next.ServeHTTP(rec, r)
		log.Printf("%s %d", r.URL.Path, rec.status) // want `rec.status is read before this request sets it: rec from recorders.Get\(\) is not reset`
		recorders.Put(rec)
	})
}

var okRecorders = sync.Pool{New: func() any { return new(recorder) }}

// Every field set before use.
func okLogging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := okRecorders.Get().(*recorder)
		rec.ResponseWriter, rec.status = w, http.StatusOK
		next.ServeHTTP(rec, r)
		log.Printf("%s %d", r.URL.Path, rec.status)
		okRecorders.Put(rec)
	})
}
