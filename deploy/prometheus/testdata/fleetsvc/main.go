// Command fleetsvc is a small service for the end-to-end test of the
// fleet loop (deploy/prometheus/e2e.sh): it exports client_golang's Go
// metrics (go_goroutines...) on /metrics, serves /debug/pprof/, and
// answers GET /price by asking a slow backend with a deadline. With
// -leak, it asks the way that leaks a goroutine per timed-out request.
//
//	fleetsvc -leak          prints "listening on http://127.0.0.1:PORT"
//	fleetsvc -free-ports 4  prints four free loopback ports, one a line
//	fleetsvc -load http://A/price,http://B/price -for 2m
//	                        asks each URL 20 times a second, for 2 minutes
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func main() {
	leaky := flag.Bool("leak", false, "use the lookup that leaks a goroutine per timed-out request")
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	freePorts := flag.Int("free-ports", 0, "print this many free loopback ports and exit")
	load := flag.String("load", "", "comma-separated URLs to ask 20 times a second each, instead of serving")
	loadFor := flag.Duration("for", time.Minute, "how long -load runs")
	flag.Parse()
	if *load != "" {
		drive(strings.Split(*load, ","), *loadFor)
		return
	}
	if *freePorts > 0 {
		var ls []net.Listener
		for range *freePorts {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				log.Fatal(err)
			}
			ls = append(ls, l)
			fmt.Println(l.Addr().(*net.TCPAddr).Port)
		}
		for _, l := range ls {
			l.Close()
		}
		return
	}
	lookup := price
	if *leaky {
		lookup = priceLeaky
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.Handler())
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /price", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Millisecond)
		defer cancel()
		p, err := lookup(ctx)
		if err != nil {
			http.Error(w, err.Error(), http.StatusGatewayTimeout)
			return
		}
		fmt.Fprintln(w, p)
	})
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://%s\n", l.Addr())
	log.Fatal(http.Serve(l, mux))
}

// drive asks every URL 20 times a second until d has passed.
func drive(urls []string, d time.Duration) {
	client := &http.Client{Timeout: 2 * time.Second}
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		for _, u := range urls {
			if resp, err := client.Get(u); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// backend answers after 20ms: later than the request's deadline.
func backend() int {
	time.Sleep(20 * time.Millisecond)
	return 42
}

// priceLeaky gives up at the deadline; its goroutine then blocks
// forever on the unbuffered send.
func priceLeaky(ctx context.Context) (int, error) {
	res := make(chan int)
	go func() { res <- backend() }()
	select {
	case p := <-res:
		return p, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// price is the same with room for the answer: the goroutine always ends.
func price(ctx context.Context) (int, error) {
	res := make(chan int, 1)
	go func() { res <- backend() }()
	select {
	case p := <-res:
		return p, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
