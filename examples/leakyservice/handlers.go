package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http"
	"net/url"
	"path/filepath"
	"sync"
	"time"
)

// API holds the handlers' dependencies and the background workers.
type API struct {
	store     *Store
	cache     *priceCache
	metrics   *metrics
	hooks     *notifier
	client    *http.Client
	upstreams []string
	audit     *auditShipper
	reports   *reportWorker
	bg        sync.WaitGroup
}

func newAPI(cfg config) (*API, error) {
	store, err := openStore(cfg.dataDir)
	if err != nil {
		return nil, err
	}
	m := newMetrics()
	reports, err := newReportWorker(store, m, filepath.Join(cfg.dataDir, "reports"), 20)
	if err != nil {
		return nil, err
	}
	audit, err := openAuditShipper(filepath.Join(cfg.dataDir, "audit.log"), cfg.auditLatency)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: 10 * time.Second}
	return &API{
		store:     store,
		cache:     newPriceCache(),
		metrics:   m,
		hooks:     &notifier{client: client, hooks: cfg.webhooks},
		client:    client,
		upstreams: cfg.upstreams,
		audit:     audit,
		reports:   reports,
	}, nil
}

// start runs the audit shipper and the report workers until ctx is done.
func (a *API) start(ctx context.Context) {
	a.bg.Go(func() { a.audit.run(ctx) })
	a.reports.start(ctx, 2)
}

// wait waits for the background work started by start.
func (a *API) wait() {
	a.bg.Wait()
	a.reports.wait()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("write response: %v", err)
	}
}

func (a *API) createOrder(w http.ResponseWriter, r *http.Request) {
	var o Order
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&o); err != nil {
		http.Error(w, "bad order: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := o.validate(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	o.Created = time.Now().UTC()
	id, err := a.store.Save(o)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	// BUG(deferblock): the handler cannot return until the audit shipper takes the event: under load requests pile up in chan send
	defer func() { a.audit.events <- newAuditEvent("create", id, r) }()
	if err := a.hooks.deliverAll(r.Context(), "order.created", id); err != nil {
		log.Printf("order %s: webhooks: %v", id, err)
	}
	w.Header().Set("Location", "/orders/"+id)
	writeJSON(w, http.StatusCreated, map[string]string{"id": id})
}

func (a *API) getOrder(w http.ResponseWriter, r *http.Request) {
	o, err := a.store.Load(r.PathValue("id"))
	if errors.Is(err, fs.ErrNotExist) {
		http.Error(w, "no such order", http.StatusNotFound)
		return
	} else if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	// Reads are audited on a best-effort basis: the event is dropped
	// rather than holding the response while the shipper is busy.
	defer func() {
		select {
		case a.audit.events <- newAuditEvent("read", o.ID, r):
		default:
			a.metrics.count("audit", "dropped")
		}
	}()
	writeJSON(w, http.StatusOK, o)
}

// importOrders stores a batch of orders (a JSON array), then refreshes
// the index.
func (a *API) importOrders(w http.ResponseWriter, r *http.Request) {
	defer a.metrics.since("import", time.Now())
	var batch []Order
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<20)).Decode(&batch); err != nil {
		http.Error(w, "bad batch: "+err.Error(), http.StatusBadRequest)
		return
	}
	ids := make([]string, 0, len(batch))
	for i, o := range batch {
		if err := o.validate(); err != nil {
			http.Error(w, fmt.Sprintf("order %d: %v", i, err), http.StatusBadRequest)
			return
		}
		id, err := a.store.Save(o)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		ids = append(ids, id)
	}
	// BUG(defergo): nothing waits for the index rebuild: it outlives the request, and under load rebuilds pile up on the index lock
	defer func() { go a.refreshIndex() }()
	writeJSON(w, http.StatusOK, map[string]any{"imported": len(ids), "ids": ids})
}

func (a *API) refreshIndex() {
	if err := a.store.RefreshIndex(); err != nil {
		log.Printf("refresh index: %v", err)
	}
}

// notify forwards an order to the fulfilment service (the first upstream).
func (a *API) notify(w http.ResponseWriter, r *http.Request) {
	o, err := a.store.Load(r.PathValue("id"))
	if err != nil {
		http.Error(w, "no such order", http.StatusNotFound)
		return
	}
	if len(a.upstreams) == 0 {
		http.Error(w, "no upstream configured", http.StatusServiceUnavailable)
		return
	}
	body, err := json.Marshal(o)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	resp, err := a.client.Post(a.upstreams[0]+"/orders", "application/json", bytes.NewReader(body))
	a.metrics.count("upstream", "notify")
	// BUG(deferclose): when the upstream is down resp is nil: evaluating resp.Body panics and the client gets no answer at all
	defer resp.Body.Close()
	if err != nil {
		http.Error(w, "upstream: "+err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// quote answers a price from the cache, asking the upstreams on a miss.
func (a *API) quote(w http.ResponseWriter, r *http.Request) {
	sku := r.PathValue("sku")
	p, ok := a.cache.Get(sku)
	if !ok {
		var err error
		if p, err = a.fetchPrice(r.Context(), sku); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		a.cache.Put(sku, p)
	}
	writeJSON(w, http.StatusOK, map[string]any{"sku": sku, "price": p, "cached": ok})
}

// fetchPrice asks each upstream in turn until one answers. The body is
// closed after the error check, and every path after the defer returns:
// it runs once per call, not once per upstream.
func (a *API) fetchPrice(ctx context.Context, sku string) (float64, error) {
	lastErr := errors.New("no upstream configured")
	for _, base := range a.upstreams {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/price/"+url.PathEscape(sku), nil)
		if err != nil {
			return 0, err
		}
		resp, err := a.client.Do(req)
		if err != nil {
			lastErr = err
			continue
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("price of %s: upstream says %s", sku, resp.Status)
		}
		var p float64
		_, err = fmt.Fscan(resp.Body, &p)
		return p, err
	}
	return 0, lastErr
}

// requestReport queues a totals report for the report workers.
func (a *API) requestReport(w http.ResponseWriter, r *http.Request) {
	job := reportJob{ID: time.Now().UTC().Format("20060102T150405.000000000")}
	select {
	case a.reports.jobs <- job:
		writeJSON(w, http.StatusAccepted, map[string]string{"report": job.ID, "path": a.reports.path(job.ID)})
	default:
		http.Error(w, "report queue full, try later", http.StatusServiceUnavailable)
	}
}

func (a *API) cacheStats(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]int{"prices": a.cache.Len()})
}
