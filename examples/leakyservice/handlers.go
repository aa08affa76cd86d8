package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// API holds the handlers' dependencies.
type API struct {
	store    *Store
	upstream string
	webhooks []string
	client   *http.Client
	audit    chan auditEvent
	cache    *priceCache

	exportMu sync.Mutex
	countMu  sync.Mutex
	counts   map[string]int
}

// count records the outcome of a request, for /admin/stats.
func (a *API) count(action, outcome string) {
	a.countMu.Lock()
	defer a.countMu.Unlock()
	if a.counts == nil {
		a.counts = make(map[string]int)
	}
	a.counts[action+" "+outcome]++
}

type auditEvent struct {
	Action, ID string
	At         time.Time
}

// auditLoop writes audit events. It is slow on purpose, like a remote
// audit log: handlers that send to it without a way out wait for it.
func (a *API) auditLoop() {
	for ev := range a.audit {
		time.Sleep(50 * time.Millisecond)
		log.Printf("audit: %s %s", ev.Action, ev.ID)
	}
}

func (a *API) createOrder(w http.ResponseWriter, r *http.Request) {
	outcome := "rejected"
	// BUG(deferargs): outcome is read now ("rejected"), so every order is counted as rejected
	defer a.count("create", outcome)
	var o Order
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&o); err != nil {
		http.Error(w, "bad order: "+err.Error(), http.StatusBadRequest)
		return
	}
	id, err := a.store.Save(o)
	if err != nil {
		outcome = "failed"
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	outcome = "created"
	if len(a.webhooks) > 0 {
		broadcast(a.client, a.webhooks, "created "+id)
	}
	// BUG(deferblock): the handler cannot return until auditLoop takes the event: requests queue behind a slow audit log
	defer func() { a.audit <- auditEvent{Action: "create", ID: id, At: time.Now()} }()
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintln(w, id)
}

func (a *API) getOrder(w http.ResponseWriter, r *http.Request) {
	o, err := a.store.Load(r.PathValue("id"))
	if err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	// Correct: the event is dropped rather than blocking the response.
	defer func() {
		select {
		case a.audit <- auditEvent{Action: "read", ID: o.ID, At: time.Now()}:
		case <-r.Context().Done():
		default:
		}
	}()
	json.NewEncoder(w).Encode(o)
}

func (a *API) export(w http.ResponseWriter, r *http.Request) {
	a.exportMu.Lock()
	defer a.exportMu.Unlock()
	totals, err := a.store.Totals()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	path := filepath.Join(filepath.Dir(a.store.dir), "totals.csv.gz")
	if err := WriteReport(path, totals); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	// BUG(defergo): nobody waits for the index goroutine: it outlives the request and its error is only logged
	defer func() {
		go func() {
			ids, _ := a.store.IDs()
			if err := WriteIndex(filepath.Join(filepath.Dir(a.store.dir), "index.txt"), ids); err != nil {
				log.Printf("index: %v", err)
			}
		}()
	}()
	fmt.Fprintf(w, "exported %d SKUs\n", len(totals))
}

// notify tells the upstream pricing service about an order.
func (a *API) notify(w http.ResponseWriter, r *http.Request) {
	if a.upstream == "" {
		http.Error(w, "no upstream configured", http.StatusServiceUnavailable)
		return
	}
	resp, err := http.Post(a.upstream+"/orders", "text/plain", strings.NewReader(r.URL.Query().Get("id")))
	a.count("notify", "sent")
	// BUG(deferclose): when Post fails resp is nil and the deferred resp.Body.Close() panics
	defer resp.Body.Close()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
	if len(a.webhooks) > 0 {
		broadcastOK(a.client, a.webhooks, "notified "+r.URL.Query().Get("id"))
	}
}

// price answers from the cache, asking upstream on a miss. Correct:
// the body is closed after the error check.
func (a *API) price(w http.ResponseWriter, r *http.Request) {
	sku := r.PathValue("sku")
	if p, ok := a.cache.get(sku); ok {
		fmt.Fprintln(w, p)
		return
	}
	if a.upstream == "" {
		http.Error(w, "unknown sku", http.StatusNotFound)
		return
	}
	resp, err := http.Get(a.upstream + "/price/" + sku)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	var p float64
	if _, err := fmt.Fscan(resp.Body, &p); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	a.cache.put(sku, p)
	fmt.Fprintln(w, p)
}

// stats reports the cache size. Do not call it in a demo: the lock bug
// below kills the process the first time it runs.
func (a *API) stats(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "cached prices: %d\n", a.cache.len())
	a.countMu.Lock()
	defer a.countMu.Unlock()
	for k, n := range a.counts {
		fmt.Fprintf(w, "%s: %d\n", k, n)
	}
}

type priceCache struct {
	mu     sync.RWMutex
	prices map[string]float64
}

func newPriceCache() *priceCache { return &priceCache{prices: make(map[string]float64)} }

func (c *priceCache) get(sku string) (float64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	p, ok := c.prices[sku]
	return p, ok
}

func (c *priceCache) put(sku string, p float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.prices[sku] = p
}

func (c *priceCache) len() int {
	c.mu.RLock()
	// BUG(deferlock): RLock released with Unlock: "fatal error: sync: Unlock of unlocked RWMutex" kills the process
	defer c.mu.Unlock()
	return len(c.prices)
}
