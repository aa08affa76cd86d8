package a

import (
	"os"
	"sync"
	"testing"
)

// Tests defer cleanups in loops on purpose: not reported.
func TestOKCleanups(t *testing.T) {
	for _, name := range []string{"a", "b"} {
		f, err := os.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		defer os.Remove(name)
		defer f.Close()
	}
}

// A lock in a loop hangs a test too.
func TestLock(t *testing.T) {
	var mu sync.Mutex
	for _, name := range []string{"a", "b"} {
		mu.Lock()
		defer mu.Unlock() // want `the second iteration blocks forever on mu.Lock\(\)`
		t.Log(name)
	}
}
