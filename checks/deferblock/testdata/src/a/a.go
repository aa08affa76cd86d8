package a

import (
	"context"
	"database/sql"
	"log"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

type event struct{ path string }

type Server struct {
	mu     sync.Mutex
	wg     sync.WaitGroup
	group  *errgroup.Group
	cond   *sync.Cond
	events chan event
	db     *sql.DB
	audit  chan string
	mux    *http.ServeMux
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer time.Sleep(100 * time.Millisecond) // want `^deferred time.Sleep\(100ms\) holds the response of ServeHTTP for 100ms after the handler is done \(remove it or move it out of the request path\)$`
	s.mux.ServeHTTP(w, r)
}

type Result struct{ ID int }

func HandleJob(ctx context.Context, id int, results chan<- Result) error {
	r := Result{ID: id}
	defer func() {
		results <- r // want `^deferred send on results blocks HandleJob's return until someone receives: if nobody does, the goroutine leaks \(use select with ctx.Done\(\)\)$`
	}()
	return nil
}

// Logging middleware: the handler literal sleeps and publishes in its defer.
func Logging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		defer func() {
			log.Printf("%s %v", req.URL.Path, time.Since(start))
			time.Sleep(50 * time.Millisecond) // want `deferred time.Sleep\(50ms\) holds the handler's response for 50ms after the handler is done`
		}()
		next.ServeHTTP(w, req)
	})
}

func (s *Server) Metrics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { s.events <- event{path: r.URL.Path} }() // want `deferred send on s.events blocks the handler's response until someone receives: if nobody does, the handler goroutine leaks \(use select with r.Context\(\).Done\(\)\)`
		next.ServeHTTP(w, r)
	})
}

func (s *Server) Index(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.wg.Wait() // want `deferred s.wg.Wait\(\) blocks the response of Index until every goroutine counted in s.wg is done, not only those Index started: their latency becomes its latency \(wait only for goroutines it starts, or bound the wait with r.Context\(\).Done\(\)\)`
	w.Write([]byte("ok"))
}

func (s *Server) Collect(ctx context.Context) error {
	defer s.group.Wait() // want `deferred s.group.Wait\(\) blocks Collect's return until every goroutine counted in s.group is done, not only those Collect started, and drops their error`
	return nil
}

func (s *Server) Await(ctx context.Context) {
	s.mu.Lock()
	defer s.cond.Wait() // want `deferred s.cond.Wait\(\) blocks Await's return until another goroutine signals s.cond: if none does, the goroutine hangs`
}

func Process(ctx context.Context, done <-chan struct{}) {
	defer func() { <-done }() // want `deferred receive from done blocks Process's return until someone sends on or closes done: if nobody does, the goroutine leaks \(use select with ctx.Done\(\)\)`
}

func Linger(ctx context.Context) {
	defer func() { <-ctx.Done() }() // want `deferred receive from ctx.Done\(\) blocks Linger's return until the context is canceled`
}

func Pause(w http.ResponseWriter, r *http.Request) {
	defer func() { <-time.After(time.Second) }() // want `deferred receive from time.After\(1s\) holds the response of Pause for 1s after the handler is done`
}

func Tick(ctx context.Context, t *time.Timer) {
	defer func() { <-t.C }() // want `deferred receive from t.C waits for the timer and holds Tick's return until it fires`
}

// One level into a same-package helper.

func (s *Server) finish() {
	time.Sleep(s.delay())
}

func (s *Server) delay() time.Duration { return time.Second }

func (s *Server) Users(w http.ResponseWriter, r *http.Request) {
	defer s.finish() // want `deferred time.Sleep\(s.delay\(\)\) \(in s.finish\) holds the response of Users for s.delay\(\) after the handler is done`
}

// Two levels: closure -> record -> publish.

func (s *Server) publish(e event) { s.events <- e }

func (s *Server) record(path string) { s.publish(event{path: path}) }

func (s *Server) Orders(w http.ResponseWriter, r *http.Request) {
	defer func() {
		log.Println("done")
		s.record(r.URL.Path) // want `deferred send on s.events \(in s.publish, called from s.record\) blocks the response of Orders until someone receives`
	}()
}

// A helper's parameter is the caller's channel.
func notify(ch chan<- int, v int) { ch <- v }

func Notify(ctx context.Context, ch chan<- int) {
	defer notify(ch, 1) // want `deferred send on ch \(in notify\) blocks Notify's return until someone receives`
}

// gRPC-like method: ctx first, a deferred drain of a stream channel.
type Stream struct{ recv chan []byte }

func (st *Stream) Recv(ctx context.Context, req *Result) error {
	defer func() {
		for range st.recv { // want `deferred range over st.recv blocks Recv's return until st.recv is closed`
		}
	}()
	return nil
}

// database/sql: an audit trail published after the query.
func (s *Server) Get(ctx context.Context, id string) (string, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT name FROM t WHERE id = ?", id)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	defer func() { s.audit <- id }() // want `deferred send on s.audit blocks Get's return until someone receives`
	var name string
	for rows.Next() {
		if err := rows.Scan(&name); err != nil {
			return "", err
		}
	}
	return name, rows.Err()
}

// A loop over a channel of jobs, each acknowledged in a defer.
func Consume(ctx context.Context, jobs <-chan Result, acks chan<- int) {
	for job := range jobs {
		func() {
			defer func() { acks <- job.ID }() // want `deferred send on acks blocks Consume's return until someone receives`
		}()
	}
}

// Generics.
func Publish[T any](ctx context.Context, out chan<- T, v T) {
	defer func() { out <- v }() // want `deferred send on out blocks Publish's return until someone receives`
}

type Queue[T any] struct{ items chan T }

func (q *Queue[T]) Handle(w http.ResponseWriter, r *http.Request) {
	var zero T
	defer func() { q.items <- zero }() // want `deferred send on q.items blocks the response of Handle until someone receives`
}

// A select that has no way out is as blocking as a bare send.
func Forward(ctx context.Context, a, b chan int) {
	defer func() {
		select {
		case a <- 1: // want `deferred send on a blocks Forward's return`
		case b <- 1:
		}
	}()
}

// A receive from a request only: an http.RoundTripper-like method.
type transport struct{ slots chan struct{} }

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	defer func() { <-t.slots }() // want `deferred receive from t.slots blocks RoundTrip's return until someone sends on or closes t.slots: if nobody does, the goroutine leaks \(use select with req.Context\(\).Done\(\)\)`
	return nil, nil
}

// Outside the request path, only what blocks whatever the program does.

func retry(op func() error) error {
	defer time.Sleep(time.Second) // want `deferred time.Sleep\(1s\) holds retry's return for 1s after its work is done \(remove it, or sleep where a pause is needed\)`
	return op()
}

func orphan() {
	ch := make(chan int)
	defer func() { ch <- 1 }() // want `deferred send on ch blocks orphan's return forever: nothing receives from ch, so the goroutine leaks \(remove the send\)`
}

func never() {
	var done chan struct{}
	defer func() { <-done }() // want `deferred receive from done blocks never's return forever: nothing sends on or closes done`
}

// Selecting on ctx.Done() once (not a run loop) still makes a function
// that someone waits on.
func Emit(ctx context.Context, out chan<- int, v int) error {
	defer func() { out <- 0 }() // want `deferred send on out blocks Emit's return until someone receives`
	select {
	case out <- v:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Channels made into a local first: unbuffered, or a local that is
// also given another channel, so that its room is unknown.
type relay struct{ out, back chan string }

func newRelay(other chan string) *relay {
	out := make(chan string)
	back := make(chan string, 8)
	if other != nil {
		back = other
	}
	return &relay{out: out, back: back}
}

func (rl *relay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() { rl.out <- r.URL.Path }()  // want `deferred send on rl.out blocks the response of ServeHTTP until someone receives`
	defer func() { rl.back <- r.URL.Path }() // want `deferred send on rl.back blocks the response of ServeHTTP until someone receives`
}

// Pauses in loops that are not retries: a poll until something else is
// done, and a loop whose only break leaves a switch.
func (s *Server) Drain(w http.ResponseWriter, r *http.Request) {
	defer func() {
		for !s.tryRelease() {
			time.Sleep(10 * time.Millisecond) // want `deferred time.Sleep\(10ms\) holds the response of Drain for 10ms after the handler is done`
		}
	}()
}

func (s *Server) Settle(ctx context.Context) {
	defer func() {
		for i := 0; i < 3; i++ {
			switch {
			case s.tryRelease():
				break
			}
			time.Sleep(time.Second) // want `deferred time.Sleep\(1s\) holds Settle's return for 1s after its work is done`
		}
	}()
}
