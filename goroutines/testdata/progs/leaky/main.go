// Command leaky leaks goroutines the ways services do, for the parser's
// real captures (see ../../capture.sh):
//
//   - backend: a send nobody receives, because lookup gave up on a timeout;
//   - worker: a range over a channel nobody closes;
//   - waitForLock: a mutex held forever;
//   - awaitAll: a WaitGroup whose Done never comes;
//   - stockWatcher: a receive from a nil channel, under a pprof label;
//   - pinned: a goroutine locked to its thread, in a select with no cases.
//
// It serves net/http/pprof on a free loopback port and prints the address
// once every goroutine is parked. Arguments change the ending:
//
//	leaky          serve until killed (SIGQUIT prints the traceback)
//	leaky panic    print a line, then panic
//
// (progs/stacks covers runtime.Stack output and panics in goroutines.)
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

func backend(ch chan<- int) {
	time.Sleep(20 * time.Millisecond) // slower than lookup's patience
	ch <- 42
}

func lookup(timeout time.Duration) (int, bool) {
	ch := make(chan int)
	go backend(ch)
	select {
	case v := <-ch:
		return v, true
	case <-time.After(timeout):
		return 0, false
	}
}

func worker(jobs <-chan int) {
	for j := range jobs {
		_ = j
	}
}

var mu sync.Mutex

func waitForLock() {
	mu.Lock()
	defer mu.Unlock()
}

func awaitAll(wg *sync.WaitGroup) { wg.Wait() }

func stockWatcher() {
	var updates chan int // never made
	<-updates
}

func pinned() {
	runtime.LockOSThread()
	select {}
}

func main() {
	for i := 0; i < 3; i++ {
		lookup(time.Millisecond)
	}
	go worker(make(chan int))
	mu.Lock()
	go waitForLock()
	var wg sync.WaitGroup
	wg.Add(1)
	go awaitAll(&wg)
	pprof.Do(context.Background(), pprof.Labels("route", "/stock"), func(context.Context) {
		go stockWatcher()
	})
	go pinned()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	time.Sleep(100 * time.Millisecond) // every backend is past its sleep, blocked on its send
	// The runtime starts a goroutine's wait clock when a GC sees it
	// blocked, at the time the previous GC ended: it takes two GCs.
	// Without them the "N minutes" would wait for the forced GCs, two
	// minutes apart.
	runtime.GC()
	runtime.GC()
	if len(os.Args) > 1 && os.Args[1] == "panic" {
		fmt.Fprintln(os.Stderr, "leaky: about to panic")
		panic("boom")
	}
	fmt.Println(ln.Addr())
	http.Serve(ln, nil)
}
