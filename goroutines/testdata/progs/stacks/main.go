// Command stacks blocks goroutines in the ways the leaky program does
// not (a sender whose caller gave up after a timeout, a WaitGroup never
// done, a receive on a nil channel, a goroutine sleeping) and then:
//
//	stacks          prints runtime.Stack(buf, true) to standard output
//	stacks panic    logs a line and panics in a goroutine other than main,
//	                then again in a deferred cleanup
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
)

// fetch gives up after a timeout; the sender it started blocks forever.
func fetch(timeout time.Duration) error {
	result := make(chan int)
	go func() { result <- compute() }()
	select {
	case <-result:
		return nil
	case <-time.After(timeout):
		return errors.New("fetch: timeout")
	}
}

func compute() int {
	time.Sleep(20 * time.Millisecond)
	return 42
}

func waitAll(wg *sync.WaitGroup) { wg.Wait() }

func nilReceive() {
	var ch chan int
	<-ch
}

// deep blocks under more frames than a traceback prints (100), so the
// dump says "...additional frames elided...".
func deep(n int, block chan int) int {
	if n == 0 {
		return <-block
	}
	return deep(n-1, block) + 1
}

func main() {
	for i := 0; i < 2; i++ {
		_ = fetch(time.Millisecond)
	}
	var wg sync.WaitGroup
	wg.Add(1) // never done
	go waitAll(&wg)
	go nilReceive()
	go deep(150, make(chan int))
	time.Sleep(100 * time.Millisecond) // the senders finish computing and block
	if len(os.Args) > 1 && os.Args[1] == "panic" {
		fmt.Fprintln(os.Stderr, "2026/11/23 03:00:00 handling request 7")
		done := make(chan struct{})
		go func() {
			defer close(done)
			// A deferred cleanup that panics too: the traceback shows
			// both panics and a panic(...) frame.
			defer func() { panic(fmt.Sprint("cleanup: ", recover())) }()
			var m map[string]int
			m["x"] = 1
		}()
		<-done
		return
	}
	buf := make([]byte, 1<<20)
	os.Stdout.Write(buf[:runtime.Stack(buf, true)])
}
