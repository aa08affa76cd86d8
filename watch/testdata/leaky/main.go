// Command leaky is a small HTTP service for watch's poller tests and
// diagnose's: each request to /leak starts a goroutine that waits
// forever on a channel nobody sends on; /scale?n=N grows a pool of
// workers idle on a jobs channel to N (it never shrinks). It serves
// net/http/pprof on 127.0.0.1 at a free port and prints "listening on
// http://ADDR" once it accepts connections.
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"strconv"
	"sync"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("/leak", func(w http.ResponseWriter, r *http.Request) {
		results := make(chan int)
		go lookup(results) // nobody ever receives: the goroutine leaks
		fmt.Fprintln(w, "ok")
	})
	var mu sync.Mutex
	workers := 0
	jobs := make(chan int)
	http.HandleFunc("/scale", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		mu.Lock()
		for ; workers < min(n, 10000); workers++ {
			go poolWorker(jobs)
		}
		mu.Unlock()
		fmt.Fprintln(w, "ok")
	})
	fmt.Fprintf(os.Stdout, "listening on http://%s\n", ln.Addr())
	log.Fatal(http.Serve(ln, nil))
}

// lookup sends its result on a channel whose reader has gone.
func lookup(results chan<- int) {
	results <- 42
}

// poolWorker waits for jobs that come rarely: idle, not leaked.
func poolWorker(jobs <-chan int) {
	for range jobs {
	}
}
