// Package aftertests is a test that returns and leaves a goroutine
// behind, with a TestMain that writes every goroutine after the tests
// (to $DUMP_TO), for the captures (capture_tests.sh).
package aftertests

import (
	"os"
	"runtime/pprof"
	"testing"
	"time"
)

// fetch gives up waiting, and its worker has nobody to send to.
func fetch(timeout time.Duration) bool {
	res := make(chan int)
	go func() {
		time.Sleep(10 * time.Millisecond)
		res <- 1
	}()
	select {
	case <-res:
		return true
	case <-time.After(timeout):
		return false
	}
}

func TestFetchTimesOut(t *testing.T) {
	if fetch(time.Millisecond) {
		t.Error("fetch did not time out")
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	time.Sleep(50 * time.Millisecond) // the worker reaches its send
	if path := os.Getenv("DUMP_TO"); path != "" {
		if f, err := os.Create(path); err == nil {
			pprof.Lookup("goroutine").WriteTo(f, 2)
			f.Close()
		}
	}
	os.Exit(code)
}
