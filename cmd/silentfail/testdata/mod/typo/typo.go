// Package typo holds ignore directives that cannot work, for the
// command's end-to-end tests.
package typo

import "sync"

var mu sync.Mutex

func Set(m map[string]int, k string) {
	mu.Lock()
	//silentfail:ignore deferlok the typo leaves the finding below reported
	defer mu.Lock()
	m[k]++
}

func Get(m map[string]int, k string) int {
	//silentfail:ignore
	return m[k]
}
