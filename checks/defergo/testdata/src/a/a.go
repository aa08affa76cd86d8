package a

import (
	"context"
	"database/sql"
	"log"
	"net/http"
	"sync"
)

type Server struct {
	mu  sync.Mutex
	wg  sync.WaitGroup
	db  *sql.DB
	buf []string
}

func (s *Server) flush() error { return nil }

func (s *Server) Handle(w http.ResponseWriter, r *http.Request) {
	defer func() {
		go s.flush() // want `^deferred closure starts a goroutine running s.flush that nothing waits for: it outlives Handle and its errors are lost \(run it synchronously, or track it with a WaitGroup owned by the server\)$`
	}()
}

// Middleware: the handler literal reports metrics asynchronously.
func Metrics(next http.Handler, send func(string) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			go func() { // want `deferred closure starts a goroutine running send that nothing waits for: it outlives the function literal`
				send(r.URL.Path)
			}()
		}()
		next.ServeHTTP(w, r)
	})
}

// A same-package helper that starts the goroutine.
func (s *Server) release() {
	go s.flush()
}

func (s *Server) Orders(ctx context.Context) {
	defer s.release() // want `deferred s.release\(\) starts a goroutine running s.flush that nothing waits for: it outlives Orders`
}

// The deferred closure calls the helper.
func (s *Server) Users(ctx context.Context) {
	defer func() {
		log.Println("done")
		s.release() // want `deferred closure starts a goroutine \(in s.release\) running s.flush that nothing waits for`
	}()
}

// database/sql: the audit row is written by a goroutine nobody owns.
func (s *Server) Get(ctx context.Context, id string) error {
	rows, err := s.db.QueryContext(ctx, "SELECT 1")
	if err != nil {
		return err
	}
	defer rows.Close()
	defer func() {
		go s.db.Exec("INSERT INTO audit VALUES (?)", id) // want `running s.db.Exec that nothing waits for: it outlives Get`
	}()
	return rows.Err()
}

// Mutex in a method: the copy is sent in the background.
func (s *Server) Append(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() {
		if len(s.buf) > 100 {
			buf := s.buf
			s.buf = nil
			go upload(buf) // want `deferred closure starts a goroutine running upload that nothing waits for: it outlives Append and its errors are lost \(run it synchronously, or track it with a WaitGroup owned by its Server\)`
		}
	}()
	s.buf = append(s.buf, line)
}

func upload(lines []string) error { return nil }

// A loop over a channel: each job's cleanup is fired off.
func Consume(jobs <-chan string) {
	for j := range jobs {
		func() {
			defer func() {
				go cleanup(j) // want `running cleanup that nothing waits for: it outlives Consume and its errors are lost \(run it synchronously, or track it with a WaitGroup that its caller waits on\)`
			}()
		}()
	}
}

func cleanup(string) error { return nil }

// Generics.
type Cache[K comparable, V any] struct{ m map[K]V }

func (c *Cache[K, V]) evict(k K) { delete(c.m, k) }

func (c *Cache[K, V]) Get(ctx context.Context, k K) V {
	defer func() { go c.evict(k) }() // want `running c.evict that nothing waits for: it outlives Get`
	return c.m[k]
}

// A panic reported in the background.
func Recover(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			go func() { // want `running a function literal that nothing waits for`
				log.Println(v)
				http.Get("http://alerts/")
			}()
		}
	}()
}

// The goroutine handles its error, but still outlives the request.
func (s *Server) Logged(w http.ResponseWriter, r *http.Request) {
	defer func() {
		go func() { // want `deferred closure starts a goroutine running a function literal that nothing waits for: it outlives Logged and under load one more piles up per call \(run it synchronously, or track it with a WaitGroup owned by the server\)`
			if err := s.flush(); err != nil {
				log.Println(err)
			}
		}()
	}()
}
