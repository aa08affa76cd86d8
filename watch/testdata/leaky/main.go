// Command leaky is a small HTTP service for watch's poller tests: each
// request to /leak starts a goroutine that waits forever on a channel
// nobody sends on. It serves net/http/pprof on 127.0.0.1 at a free port
// and prints "listening on http://ADDR" once it accepts connections.
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
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
	fmt.Fprintf(os.Stdout, "listening on http://%s\n", ln.Addr())
	log.Fatal(http.Serve(ln, nil))
}

// lookup sends its result on a channel whose reader has gone.
func lookup(results chan<- int) {
	results <- 42
}
