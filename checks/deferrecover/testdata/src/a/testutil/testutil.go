// Package testutil is test support: only tests run it.
package testutil

import "sync"

// Parallel runs jobs at once. Rule "test code": its defer recover()
// stops nothing, but the panic then fails the test loudly.
func Parallel(jobs ...func()) {
	var wg sync.WaitGroup
	for _, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer recover()
			job()
		}()
	}
	wg.Wait()
}
