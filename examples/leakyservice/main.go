// Command leakyservice is a small order-export service written the way
// real services are, with one instance of every bug silentfail finds.
// Each bug is marked with a BUG(check) comment; the code around it holds
// the correct look-alikes a precise tool must leave alone.
//
//	go run ./examples/leakyservice -addr 127.0.0.1:8080 -data /tmp/orders
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	data := flag.String("data", os.TempDir(), "directory for orders and exports")
	upstream := flag.String("upstream", "", "URL of the pricing service (optional)")
	webhooks := flag.String("webhooks", "", "comma-separated URLs told about new orders (optional)")
	flag.Parse()

	store, err := openStore(*data)
	if err != nil {
		log.Fatalf("leakyservice: %v", err)
	}
	srv := &http.Server{
		Addr:              *addr,
		Handler:           newServer(store, *upstream, splitList(*webhooks)),
		ReadHeaderTimeout: 5 * time.Second,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()

	log.Printf("leakyservice listening on %s (data in %s)", *addr, *data)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("leakyservice: %v", err)
	}
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// newServer wires the handlers and middleware.
func newServer(store *Store, upstream string, webhooks []string) http.Handler {
	api := &API{
		store:    store,
		upstream: upstream,
		webhooks: webhooks,
		client:   &http.Client{Timeout: 10 * time.Second},
		audit:    make(chan auditEvent),
		cache:    newPriceCache(),
	}
	go api.auditLoop()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("POST /orders", api.createOrder)
	mux.HandleFunc("GET /orders/{id}", api.getOrder)
	mux.HandleFunc("POST /export", api.export)
	mux.HandleFunc("POST /notify", api.notify)
	mux.HandleFunc("GET /price/{sku}", api.price)
	mux.HandleFunc("GET /admin/stats", api.stats)

	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)

	return recoverer(logRequests(mux))
}
