package a

import (
	"context"
	"log"
	"os"
	"sort"
	"sync"

	"example.com/go122/errgroup"
)

// Everything in this file must stay silent.

// The value is passed as an argument.
func OKArgument(jobs []Job) {
	var wg sync.WaitGroup
	for _, job := range jobs {
		wg.Add(1)
		go func(job Job) {
			defer wg.Done()
			run(job)
		}(job)
	}
	wg.Wait()
}

// The variable is re-declared for the iteration.
func OKRedeclared(jobs []Job) {
	var wg sync.WaitGroup
	for _, job := range jobs {
		job := job
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(job)
		}()
	}
	wg.Wait()
}

// The literal reads a copy made in the iteration.
func OKCopy(ctx context.Context, urls []string) error {
	var g errgroup.Group
	for i, u := range urls {
		url, n := u, i
		g.Go(func() error {
			log.Println(n)
			return fetch(ctx, url)
		})
	}
	return g.Wait()
}

// Literals called in place, and callbacks run before the call returns.
func OKInPlace(groups [][]int) {
	for _, g := range groups {
		func() {
			log.Println(g)
		}()
		sort.Slice(g, func(i, j int) bool { return g[i] < g[j] })
	}
}

// A defer in a literal run in place runs at the end of the iteration.
func OKPerIterationCleanup(names []string) error {
	for _, name := range names {
		err := func() error {
			f, err := os.Open(name)
			if err != nil {
				return err
			}
			defer func() {
				log.Println("closing", name)
				f.Close()
			}()
			return nil
		}()
		if err != nil {
			return err
		}
	}
	return nil
}

// The variable is declared outside the loop.
func OKOutside(jobs []Job) {
	var job Job
	for _, job = range jobs {
		go func() {
			run(job)
		}()
	}
	var last int
	for i := range jobs {
		last = i
	}
	go func() { log.Println(last) }()
}

// The goroutine is joined within the same iteration.
func OKJoined(batches [][]Job) {
	for _, batch := range batches {
		var wg sync.WaitGroup
		for _, job := range batch {
			job := job
			wg.Add(1)
			go func() {
				defer wg.Done()
				run(job)
				log.Println(len(batch))
			}()
		}
		wg.Wait()
	}
}

func OKReceive(jobs []Job) error {
	for _, job := range jobs {
		errc := make(chan error, 1)
		go func() { errc <- run(job) }()
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

func OKGroupWait(ctx context.Context, pages [][]string) error {
	for _, page := range pages {
		var g errgroup.Group
		for i := range page {
			i := i
			g.Go(func() error { return fetch(ctx, page[i]) })
		}
		if err := g.Wait(); err != nil {
			return err
		}
	}
	return nil
}

// The iteration that starts the literal leaves the loop: the variable
// never changes again.
func OKFirstMatch(names []string, want string) (*os.File, error) {
	for _, name := range names {
		if name == want {
			f, err := os.Open(name)
			if err != nil {
				return nil, err
			}
			defer func() { log.Println("opened", name) }()
			return f, nil
		}
	}
	return nil, os.ErrNotExist
}

func OKBreak(jobs []Job) {
	for _, job := range jobs {
		if job.ID == 42 {
			go func() { run(job) }()
			break
		}
	}
}

func OKLabeledBreak(jobs [][]Job) {
loop:
	for _, batch := range jobs {
		for _, job := range batch {
			if job.ID == 42 {
				go func() { log.Println(len(batch)) }()
				break loop
			}
		}
	}
}

func OKPanic(jobs []Job) {
	for _, job := range jobs {
		if job.ID < 0 {
			defer func() { log.Println("bad job", job.ID) }()
			panic("negative id")
		}
	}
}

// A three-clause variable that never changes after its init.
func OKConstant(xs []int, use func(int)) {
	for i, n := 0, len(xs); i < n; i++ {
		go func() { use(n) }()
	}
}

// No function literal: the arguments are evaluated at the go and defer
// statements.
func OKNoLiteral(jobs []Job, files []*os.File) {
	for _, job := range jobs {
		go run(job)
	}
	for _, f := range files {
		defer f.Close()
	}
}

// The literal's parameter shadows the loop variable.
func OKParamShadow(ch chan int) {
	for v := range ch {
		go func(v int) { log.Println(v) }(v + 1)
	}
}

// A variable declared in a select case is new in each iteration.
func OKSelect(ctx context.Context, in <-chan Job) {
	for {
		select {
		case job := <-in:
			go func() { run(job) }()
		case <-ctx.Done():
			return
		}
	}
}

// Closure stored for later: not a goroutine, defer or subtest; not this
// check's business.
func OKStored(names []string) []func() {
	var fs []func()
	for _, name := range names {
		name := name
		fs = append(fs, func() { log.Println(name) })
	}
	return fs
}

// A helper that is handed the WaitGroup waits for the goroutines.
func OKWaitHelper(batches [][]Job) {
	for _, batch := range batches {
		var wg sync.WaitGroup
		for i := range batch {
			i := i
			wg.Add(1)
			go func() {
				defer wg.Done()
				run(batch[i])
			}()
		}
		waitAll(&wg)
	}
}

func waitAll(wg *sync.WaitGroup) { wg.Wait() }
