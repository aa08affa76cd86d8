// Command leaky leaks goroutines the ways services do, for the
// parser's captures: senders whose receiver left, a worker on a channel
// nobody closes, a goroutine on a mutex held forever, a labelled
// goroutine, one locked to its thread. It serves net/http/pprof on a
// free loopback port and prints the address. With "panic" it panics;
// with "wait" it also holds one goroutine blocked past a minute.
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

func lookup(ch chan<- int) { ch <- 1 }

func worker(jobs <-chan int) {
	for range jobs {
	}
}

var mu sync.Mutex

func main() {
	for i := 0; i < 3; i++ {
		ch := make(chan int)
		go lookup(ch)
	}
	jobs := make(chan int)
	go worker(jobs)
	mu.Lock()
	go func() { mu.Lock() }()
	pprof.Do(context.Background(), pprof.Labels("route", "/stock"), func(ctx context.Context) {
		go func() { ch := make(chan int); <-ch }()
	})
	go func() { runtime.LockOSThread(); select {} }()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	fmt.Println(ln.Addr())
	go func() { time.Sleep(500 * time.Millisecond); runtime.GC(); runtime.GC() }()
	if len(os.Args) > 1 && os.Args[1] == "panic" {
		time.Sleep(100 * time.Millisecond)
		fmt.Fprintln(os.Stderr, "about to panic")
		panic("boom")
	}
	http.Serve(ln, nil)
}
