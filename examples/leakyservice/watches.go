package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Price watches: a client asks the service to follow the price of a SKU
// (POST /watches {"sku": "A-1"}); a poller asks the pricing upstream
// for it in the background, and GET /watches/{id}?after=N long-polls
// until the price differs from version N. DELETE /watches/{id} ends the
// watch.

// watchState is what GET /watches/{id} returns.
type watchState struct {
	SKU     string  `json:"sku"`
	Price   float64 `json:"price"`
	Error   string  `json:"error,omitempty"`
	Version int     `json:"version"`
	Age     int     `json:"age_minutes"`
}

type priceWatch struct {
	id  string
	sku string

	// ctx is the watch's lifetime: the poller and the long polls stop
	// when it is done.
	ctx    context.Context
	cancel context.CancelFunc
	// stopAge ends the goroutine that counts the watch's age.
	stopAge context.CancelFunc

	mu      sync.Mutex
	state   watchState
	changed chan struct{} // closed, and replaced, on every change
}

type priceWatches struct {
	fetch func(ctx context.Context, sku string) (float64, error)
	every time.Duration

	// base is the parent of every watch's context; close cancels it.
	base context.Context
	stop context.CancelFunc

	mu      sync.Mutex
	seq     int
	watches map[string]*priceWatch
}

func newPriceWatches(fetch func(context.Context, string) (float64, error)) *priceWatches {
	base, stop := context.WithCancel(context.Background())
	return &priceWatches{
		fetch:   fetch,
		every:   5 * time.Second,
		base:    base,
		stop:    stop,
		watches: make(map[string]*priceWatch),
	}
}

func (p *priceWatches) register(mux *http.ServeMux) {
	mux.HandleFunc("POST /watches", p.create)
	mux.HandleFunc("GET /watches/{id}", p.next)
	mux.HandleFunc("DELETE /watches/{id}", p.remove)
	mux.HandleFunc("POST /watches/{id}/refresh", p.refresh)
}

// close ends every watch at once: their contexts are children of base.
func (p *priceWatches) close() {
	p.stop()
	p.mu.Lock()
	clear(p.watches)
	p.mu.Unlock()
}

func (p *priceWatches) create(w http.ResponseWriter, r *http.Request) {
	var req struct {
		SKU string `json:"sku"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&req); err != nil || req.SKU == "" {
		http.Error(w, "a watch needs a sku", http.StatusBadRequest)
		return
	}
	pw := &priceWatch{sku: req.SKU, state: watchState{SKU: req.SKU}, changed: make(chan struct{})}
	// BUG(ctxcancel): DELETE /watches/{id} only drops the watch from the map and nothing calls pw.cancel: its poller keeps asking the upstream every 5s and its context stays in p.base's children, one more for every watch ever created
	pw.ctx, pw.cancel = context.WithCancel(p.base)
	p.mu.Lock()
	p.seq++
	pw.id = strconv.Itoa(p.seq)
	p.watches[pw.id] = pw
	p.mu.Unlock()

	age, stopAge := context.WithCancel(context.Background())
	// BUG(ctxcancel.root): nothing calls pw.stopAge either: the age counter's context hangs from no parent, so even closing p.base does not stop it, and one ticking goroutine stays for every watch ever created
	pw.stopAge = stopAge
	go pw.countAge(age)

	go pw.poll(p.fetch, p.every)
	w.Header().Set("Location", "/watches/"+pw.id)
	writeJSON(w, http.StatusCreated, map[string]string{"id": pw.id})
}

// countAge adds a minute to the watch's age every minute until ctx ends.
func (pw *priceWatch) countAge(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pw.mu.Lock()
			pw.state.Age++
			pw.mu.Unlock()
		}
	}
}

// poll asks the upstream for the price until the watch ends.
func (pw *priceWatch) poll(fetch func(context.Context, string) (float64, error), every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		price, err := fetch(pw.ctx, pw.sku)
		pw.set(price, err)
		select {
		case <-pw.ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (pw *priceWatch) set(price float64, err error) {
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	pw.mu.Lock()
	defer pw.mu.Unlock()
	if pw.state.Version > 0 && pw.state.Price == price && pw.state.Error == msg {
		return
	}
	pw.state.Price, pw.state.Error = price, msg
	pw.state.Version++
	close(pw.changed)
	pw.changed = make(chan struct{})
}

// snapshot returns the watch's state and a channel closed at the next
// change.
func (pw *priceWatch) snapshot() (watchState, <-chan struct{}) {
	pw.mu.Lock()
	defer pw.mu.Unlock()
	return pw.state, pw.changed
}

func (p *priceWatches) lookup(id string) *priceWatch {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.watches[id]
}

// next answers with the watch's state once its version is past ?after,
// or 204 after 25 seconds without a change.
func (p *priceWatches) next(w http.ResponseWriter, r *http.Request) {
	pw := p.lookup(r.PathValue("id"))
	if pw == nil {
		http.Error(w, "no such watch", http.StatusNotFound)
		return
	}
	after, _ := strconv.Atoi(r.URL.Query().Get("after"))
	timeout := time.NewTimer(25 * time.Second)
	defer timeout.Stop()
	for {
		st, changed := pw.snapshot()
		if st.Version > after {
			writeJSON(w, http.StatusOK, st)
			return
		}
		select {
		case <-changed:
		case <-timeout.C:
			w.WriteHeader(http.StatusNoContent)
			return
		case <-pw.ctx.Done():
			http.Error(w, "the watch has ended", http.StatusGone)
			return
		case <-r.Context().Done():
			return
		}
	}
}

// refresh asks the upstream now instead of waiting for the next poll.
func (p *priceWatches) refresh(w http.ResponseWriter, r *http.Request) {
	pw := p.lookup(r.PathValue("id"))
	if pw == nil {
		http.Error(w, "no such watch", http.StatusNotFound)
		return
	}
	ctx, cancel := context.WithCancel(pw.ctx)
	// BUG(ctxcancel.discarded): the cancel func is thrown away to quiet go vet: every refresh leaves one more context in the watch's children, until the watch ends
	_ = cancel
	price, err := p.fetch(ctx, pw.sku)
	pw.set(price, err)
	st, _ := pw.snapshot()
	writeJSON(w, http.StatusOK, st)
}

func (p *priceWatches) remove(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	p.mu.Lock()
	_, ok := p.watches[id]
	delete(p.watches, id)
	p.mu.Unlock()
	if !ok {
		http.Error(w, "no such watch", http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
