package a

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"net/http"
	"os"
	"sync"

	"example.com/go121/errgroup"
)

type Job struct{ ID int }

func run(j Job) error { return nil }

// Goroutine per item, the last statement of the body (vet's loopclosure
// sees this one too).
func RunAll(jobs []Job) {
	var wg sync.WaitGroup
	for _, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(job) // want `goroutine captures loop variable job, which all iterations share in this go1.21 file: it sees the value of a later iteration, usually the last \(add job := job at the top of the loop body\)`
		}()
	}
	wg.Wait()
}

// The go statement is not the last one: vet does not look at it.
func RunAndCount(jobs []Job) int {
	var wg sync.WaitGroup
	n := 0
	for i, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(job); err != nil { // want `goroutine captures loop variable job`
				log.Printf("job %d: %v", i, err) // want `goroutine captures loop variable i`
			}
		}()
		n++
		log.Printf("started %d", job.ID)
	}
	wg.Wait()
	return n
}

// Nested in an if, followed by more statements.
func RunSome(jobs []Job, skip func(Job) bool) {
	for _, job := range jobs {
		if !skip(job) {
			go func() {
				_ = run(job) // want `goroutine captures loop variable job`
			}()
			log.Println("queued")
		}
		log.Println("next")
	}
}

// A deferred closure in a loop: all of them run at return, with the
// last file.
func CloseAll(names []string) error {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer func() {
			if err := f.Close(); err != nil {
				log.Printf("close %s: %v", name, err) // want `deferred function captures loop variable name, which all iterations share in this go1.21 file: every deferred call runs when CloseAll returns and sees the last value \(add name := name at the top of the loop body\)`
			}
		}()
	}
	return nil
}

func fetch(ctx context.Context, url string) error { return nil }

// errgroup: g.Go and g.TryGo.
func FetchAll(ctx context.Context, urls []string) error {
	var g errgroup.Group
	for _, url := range urls {
		g.Go(func() error {
			return fetch(ctx, url) // want `g.Go function captures loop variable url, which all iterations share in this go1.21 file: it sees the value of a later iteration, usually the last`
		})
		log.Println("fetching", url)
	}
	return g.Wait()
}

func TryFetchAll(ctx context.Context, urls []string) error {
	g := new(errgroup.Group)
	for i := range urls {
		if !g.TryGo(func() error { return fetch(ctx, urls[i]) }) { // want `g.TryGo function captures loop variable i`
			break
		}
	}
	return g.Wait()
}

// The three-clause loop.
func Workers(n int, work func(int)) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work(i) // want `goroutine captures loop variable i, which all iterations share in this go1.21 file`
		}()
	}
	wg.Wait()
}

type node struct {
	val  int
	next *node
}

func Walk(head *node, visit func(int)) {
	for p := head; p != nil; p = p.next {
		go func() {
			visit(p.val) // want `goroutine captures loop variable p`
		}()
	}
}

// Key and value: one copy statement for both.
func Report(m map[string]int) {
	for k, v := range m {
		go func() {
			fmt.Println(k, v) // want `goroutine captures loop variable k` `goroutine captures loop variable v`
		}()
	}
}

// Nested loops: each loop gets its own copy.
func Grid(rows, cols []string, cell func(r, c string)) {
	var wg sync.WaitGroup
	for _, r := range rows {
		for _, c := range cols {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cell(r, c) // want `goroutine captures loop variable r` `goroutine captures loop variable c`
			}()
		}
	}
	wg.Wait()
}

// A goroutine started from a function literal run in place.
func Indirect(jobs []Job) {
	for _, job := range jobs {
		func() {
			go func() {
				run(job) // want `goroutine captures loop variable job`
			}()
		}()
	}
}

// An HTTP handler fanning out over the query.
func Lookup(w http.ResponseWriter, r *http.Request) {
	ids := r.URL.Query()["id"]
	results := make([]string, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = lookup(r.Context(), id) // want `goroutine captures loop variable i` `goroutine captures loop variable id`
		}()
	}
	wg.Wait()
	fmt.Fprintln(w, results)
}

func lookup(ctx context.Context, id string) string { return id }

// Middleware that audits each header in the background.
func Audit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for name, values := range r.Header {
			go func() {
				log.Println(name, len(values)) // want `goroutine captures loop variable name` `goroutine captures loop variable values`
			}()
		}
		next.ServeHTTP(w, r)
	})
}

// Generics.
func ParallelMap[T, R any](xs []T, f func(T) R) []R {
	out := make([]R, len(xs))
	var wg sync.WaitGroup
	for i, x := range xs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = f(x) // want `goroutine captures loop variable i` `goroutine captures loop variable x`
		}()
	}
	wg.Wait()
	return out
}

// A pointer-receiver method over a channel.
type Server struct {
	mu   sync.Mutex
	seen int
}

func (s *Server) handle(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen++
}

func (s *Server) Serve(msgs <-chan string) {
	for msg := range msgs {
		go func() {
			s.handle(msg) // want `goroutine captures loop variable msg`
		}()
	}
}

// Transactions rolled back by deferred closures in a loop.
func Migrate(db *sql.DB, steps []string) error {
	for _, step := range steps {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		defer func() {
			if err := tx.Rollback(); err != nil && err != sql.ErrTxDone {
				log.Printf("rollback %s: %v", step, err) // want `deferred function captures loop variable step`
			}
		}()
		if _, err := tx.Exec(step); err != nil {
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// sync.WaitGroup.Go (newer standard library, older language version).
func GoAll(jobs []Job) {
	var wg sync.WaitGroup
	for _, job := range jobs {
		wg.Go(func() {
			run(job) // want `wg.Go function captures loop variable job`
		})
	}
	wg.Wait()
}

// A labeled loop, a switch and a continue do not hide the goroutine.
func Dispatch(jobs []Job) {
outer:
	for _, job := range jobs {
		switch {
		case job.ID < 0:
			continue outer
		case job.ID == 0:
			break
		default:
			go func() {
				run(job) // want `goroutine captures loop variable job`
			}()
		}
	}
}

// The goroutine is waited for, but only after the loop.
func WaitAfter(jobs []Job) {
	var wg sync.WaitGroup
	for _, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(job) // want `goroutine captures loop variable job`
		}()
	}
	wg.Wait()
}

// Handing the channel the goroutine reads from to another call is not
// a wait for the goroutine.
func Pipeline(stages []func(int) int, feed func(chan<- int)) {
	for _, stage := range stages {
		in := make(chan int)
		go func() {
			for x := range in {
				log.Println(stage(x)) // want `goroutine captures loop variable stage`
			}
		}()
		feed(in)
	}
}

// Two g.Go calls in one iteration: the second does not wait for the
// first.
func FetchPairs(ctx context.Context, pairs [][2]string) error {
	var g errgroup.Group
	for _, p := range pairs {
		g.Go(func() error { return fetch(ctx, p[0]) }) // want `g.Go function captures loop variable p`
		g.Go(func() error { return fetch(ctx, p[1]) }) // want `g.Go function captures loop variable p`
	}
	return g.Wait()
}

// A channel wrapper with Send and Receive methods.
type results struct{ ch chan string }

func (r *results) Send(s string)   { r.ch <- s }
func (r *results) Receive() string { return <-r.ch }

// Another Send is not a wait.
func Produce(names []string, res *results) {
	for _, name := range names {
		go func() { res.Send(name) }() // want `goroutine captures loop variable name`
		res.Send("queued")
	}
}
