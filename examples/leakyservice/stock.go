package main

import (
	"context"
	"errors"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"time"
)

// Stock levels: GET /stock/{sku} asks the warehouse inventory system how
// many units are on hand. The inventory client is a blocking API with no
// context, so the handler runs the call in a goroutine and stops waiting
// when the request's budget is spent.

// inventoryClient talks to the warehouse system. Its round trip is
// latency plus up to jitter more when the warehouse is busy.
type inventoryClient struct {
	latency time.Duration
	jitter  time.Duration
}

// OnHand returns the number of units of sku in stock.
func (c *inventoryClient) OnHand(sku string) (int, error) {
	time.Sleep(c.latency + rand.N(c.jitter))
	if sku == "" {
		return 0, errors.New("inventory: empty SKU")
	}
	h := fnv.New32a()
	h.Write([]byte(sku))
	return int(h.Sum32() % 500), nil
}

type stockLevel struct {
	SKU    string `json:"sku"`
	OnHand int    `json:"on_hand"`
}

type stockResult struct {
	units int
	err   error
}

type stockService struct {
	inv    *inventoryClient
	budget time.Duration // per request
}

func newStockService() *stockService {
	return &stockService{
		inv:    &inventoryClient{latency: 30 * time.Millisecond, jitter: 120 * time.Millisecond},
		budget: 80 * time.Millisecond,
	}
}

func (s *stockService) register(mux *http.ServeMux) {
	mux.HandleFunc("GET /stock/{sku}", s.get)
}

func (s *stockService) get(w http.ResponseWriter, r *http.Request) {
	sku := r.PathValue("sku")
	ctx, cancel := context.WithTimeout(r.Context(), s.budget)
	defer cancel()

	results := make(chan stockResult)
	go func() {
		n, err := s.inv.OnHand(sku)
		// BUG(chanleak): when the budget runs out first, nobody receives: this goroutine blocks here forever, one per timed-out request.
		results <- stockResult{units: n, err: err}
	}()
	select {
	case res := <-results:
		if res.err != nil {
			http.Error(w, res.err.Error(), http.StatusBadGateway)
			return
		}
		writeJSON(w, http.StatusOK, stockLevel{SKU: sku, OnHand: res.units})
	case <-ctx.Done():
		http.Error(w, "inventory did not answer in time", http.StatusGatewayTimeout)
	}
}
