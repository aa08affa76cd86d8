// Command leakyservice is a small order service written the way real
// services are, with one instance of every bug silentfail finds.
// Each bug is marked with a BUG(check) comment; the code around it holds
// the correct look-alikes a precise tool must leave alone.
//
//	go run ./examples/leakyservice -addr 127.0.0.1:8080
//
// Endpoints: GET /healthz, GET /metrics, POST /orders, GET /orders/{id},
// GET /orders/{id}/receipt, GET /orders/search, POST /orders/import,
// POST /orders/{id}/notify, GET /quote/{sku}, GET /stock/{sku},
// POST /watches, GET and DELETE /watches/{id}, POST /reports,
// GET /admin/cache and /debug/pprof/.
//
// Under load, GET /stock/{sku} leaves a goroutine blocked forever per
// timed-out inventory lookup (what silentfail demo shows), POST /orders
// piles up goroutines blocked in a deferred channel send, POST
// /orders/import piles up index rebuilds and deleted watches keep
// polling. GET
// /admin/cache kills the process (a fatal RWMutex error): keep it out of
// load tests. Without -upstream, the upstream endpoints answer 502/503.
package main

import (
	"context"
	"flag"
	"io"
	"log"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

type config struct {
	dataDir      string
	upstreams    []string
	webhooks     []string
	auditLatency time.Duration
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen `address`")
	var cfg config
	flag.StringVar(&cfg.dataDir, "data", filepath.Join(os.TempDir(), "leakyservice"), "`directory` for orders, reports and the audit log")
	upstreams := flag.String("upstream", "", "comma-separated base `URLs` of the pricing and fulfilment service")
	webhooks := flag.String("webhooks", "", "comma-separated `URLs` told about every new order")
	flag.DurationVar(&cfg.auditLatency, "audit-latency", 20*time.Millisecond, "simulated round trip of the audit service")
	flag.Parse()
	cfg.upstreams, cfg.webhooks = splitList(*upstreams), splitList(*webhooks)

	if err := run(*addr, cfg); err != nil {
		log.Fatalf("leakyservice: %v", err)
	}
}

func run(addr string, cfg config) error {
	api, err := newAPI(cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	api.start(ctx)

	srv := &http.Server{Addr: addr, Handler: api.routes(), ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Printf("leakyservice listening on http://%s (data in %s)", addr, cfg.dataDir)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Print("leakyservice: shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	api.wait()
	return err
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// routes wires the handlers and the middleware.
func (a *API) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})
	mux.Handle("GET /metrics", a.metrics)
	mux.HandleFunc("POST /orders", a.createOrder)
	mux.HandleFunc("GET /orders/{id}", a.getOrder)
	mux.HandleFunc("GET /orders/{id}/receipt", a.receipt)
	mux.HandleFunc("GET /orders/search", a.searchOrders)
	mux.HandleFunc("POST /orders/import", a.importOrders)
	mux.HandleFunc("POST /orders/{id}/notify", a.notify)
	mux.HandleFunc("GET /quote/{sku}", a.quote)
	mux.HandleFunc("POST /reports", a.requestReport)
	mux.HandleFunc("GET /admin/cache", a.cacheStats)
	newPriceWatches(a.fetchPrice).register(mux) // POST /watches, GET and DELETE /watches/{id}
	newStockService().register(mux)             // GET /stock/{sku}

	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)

	return recoverer(a.metrics.instrument(mux))
}
