package watch_test

import (
	"context"
	"log"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/silentfail/silentfail/watch"
)

// A service watches itself: captures go to /var/tmp/captures, the
// capture page is served under /debug/silentfail/, every request is
// labelled and captured if it runs past 30 seconds.
func Example() {
	ctx := context.Background()
	w, err := watch.Start(ctx, watch.WithDir("/var/tmp/captures"))
	if err != nil {
		log.Fatal(err)
	}
	defer w.Stop()
	prometheus.MustRegister(w.Collector())

	mux := http.NewServeMux()
	mux.Handle("/debug/silentfail/", http.StripPrefix("/debug/silentfail", w.Handler()))
	srv := &http.Server{Addr: "127.0.0.1:8080", Handler: w.Middleware(mux)}
	log.Fatal(srv.ListenAndServe())
}

// Watching a service from outside, through its net/http/pprof
// endpoints, until the first capture.
func ExampleNewPoller() {
	p, err := watch.NewPoller("http://127.0.0.1:6060", watch.WithDir("captures"), watch.WithOnce(),
		watch.WithInterval(5*time.Second), watch.WithGoroutineLimit(5000))
	if err != nil {
		log.Fatal(err)
	}
	if err := p.Run(context.Background()); err != nil {
		log.Fatal(err)
	}
}
