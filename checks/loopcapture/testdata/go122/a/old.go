//go:build go1.21

// This file asks for go1.21 in a go 1.22 module: go/types and the
// compiler give it the language of go1.21, with shared loop variables.

package a

import "sync"

func OldRunAll(jobs []Job) {
	var wg sync.WaitGroup
	for _, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(job) // want `goroutine captures loop variable job, which all iterations share in this go1.21 file`
		}()
	}
	wg.Wait()
}

func OldOK(jobs []Job) {
	for _, job := range jobs {
		go func(job Job) { run(job) }(job)
	}
}
