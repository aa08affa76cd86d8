// Package leaky holds tests that leak goroutines and tests that do not,
// for leaktest's own tests, which run them with go test -run.
package leaky

import (
	"os"
	"sync"
	"testing"
	"time"

	"github.com/silentfail/silentfail/leaktest"
)

func TestMain(m *testing.M) {
	leaktest.Main(m, leaktest.MaxWait(500*time.Millisecond))
}

// lookup gives up on its worker, which then blocks forever on its send.
func lookup() {
	res := make(chan int)
	go func() {
		time.Sleep(20 * time.Millisecond)
		res <- 42 // the leak: nobody receives after the timeout
	}()
	select {
	case <-res:
	case <-time.After(time.Millisecond):
	}
}

func TestLeakParallel(t *testing.T) {
	t.Parallel()
	lookup()
}

func TestCleanParallel(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done() }()
	wg.Wait()
}

func TestCleanSequential(t *testing.T) {
	done := make(chan struct{})
	go close(done)
	<-done
}

func TestCheckLeaks(t *testing.T) {
	leaktest.Check(t, leaktest.MaxWait(300*time.Millisecond))
	t.Parallel()
	block := make(chan int)
	go func() { <-block }() // never sent on
}

func TestCheckClean(t *testing.T) {
	leaktest.Check(t)
	t.Parallel()
	done := make(chan struct{})
	go func() { close(done) }()
	<-done
}

// Through a chain of goroutines: the label is inherited at every go.
func TestCheckNested(t *testing.T) {
	leaktest.Check(t, leaktest.MaxWait(300*time.Millisecond))
	started := make(chan struct{})
	go func() {
		go helper(started)
	}()
	<-started
}

func helper(started chan<- struct{}) {
	close(started)
	select {} // blocks forever
}

func TestCheckSubtests(t *testing.T) {
	t.Run("leaks", func(t *testing.T) {
		leaktest.Check(t, leaktest.MaxWait(300*time.Millisecond))
		go func() { select {} }()
	})
	t.Run("clean", func(t *testing.T) {
		leaktest.Check(t)
	})
}

// A goroutine that finishes late, within MaxWait, is not a leak.
func TestCheckLateFinisher(t *testing.T) {
	leaktest.Check(t, leaktest.MaxWait(2*time.Second))
	go func() { time.Sleep(200 * time.Millisecond) }()
}

// A failing test is checked too.
func TestCheckFailingTest(t *testing.T) {
	leaktest.Check(t, leaktest.MaxWait(300*time.Millisecond))
	go func() { select {} }()
	if os.Getenv("LEAKTEST_FAIL") != "" {
		t.Error("this test fails on purpose")
	}
}

// A goroutine waiting on a mutex blocks in sync.(*Mutex).Lock: the
// report names the test's line that called it.
func TestCheckMutex(t *testing.T) {
	leaktest.Check(t, leaktest.MaxWait(300*time.Millisecond))
	var mu sync.Mutex
	mu.Lock()
	go func() {
		mu.Lock() // never unlocked by the test
	}()
}

// Without Check, Main still names the test: a subtest's goroutine that
// starts another through a helper carries the test's label.
func TestMainNested(t *testing.T) {
	t.Run("sub", func(t *testing.T) {
		started := make(chan struct{})
		go spawn(started)
		<-started
	})
}

func spawn(started chan<- struct{}) {
	go helper(started)
}

// One goroutine blocks for good at once, another only later: the first
// being proven does not cut the wait for the second.
func TestCheckProvenAndLater(t *testing.T) {
	leaktest.Check(t, leaktest.MaxWait(time.Second))
	go func() { select {} }()
	late := make(chan int)
	go func() {
		time.Sleep(100 * time.Millisecond)
		late <- 1 // nobody receives
	}()
}
