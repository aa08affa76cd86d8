//go:build go1.22

// This file asks for go1.22 in a go 1.21 module: it has per-iteration
// loop variables, and nothing in it is reported.

package a

import "sync"

func NewRunAll(jobs []Job) {
	var wg sync.WaitGroup
	for _, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(job)
		}()
	}
	wg.Wait()
}
