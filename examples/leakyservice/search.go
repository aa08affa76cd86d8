package main

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Order search: GET /orders/search?sku=...&min_qty=...&limit=... scans
// the stored orders, newest first, for matches. On a large store the
// scan reads thousands of files, so it checks its context between
// orders and gives up when the context is done.

type orderQuery struct {
	SKU    string // prefix, case-insensitive
	MinQty int
	Limit  int
}

func (q orderQuery) match(o Order) bool {
	return strings.HasPrefix(strings.ToLower(o.SKU), strings.ToLower(q.SKU)) && o.Qty >= q.MinQty
}

// Search returns up to q.Limit matching orders, newest first. It stops
// with ctx's error when ctx is done, returning what it found so far.
func (s *Store) Search(ctx context.Context, q orderQuery) ([]Order, error) {
	ids, err := s.IDs()
	if err != nil {
		return nil, err
	}
	var out []Order
	for i := len(ids) - 1; i >= 0 && len(out) < q.Limit; i-- {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		o, err := s.Load(ids[i])
		if err != nil {
			continue // being written, or removed since IDs
		}
		if q.match(o) {
			out = append(out, o)
		}
	}
	return out, nil
}

// searchTimeout bounds one search, so that a slow disk cannot hold a
// handler forever.
const searchTimeout = 20 * time.Second

func (a *API) searchOrders(w http.ResponseWriter, r *http.Request) {
	q := orderQuery{SKU: r.FormValue("sku"), Limit: 50}
	if v := r.FormValue("min_qty"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			http.Error(w, "min_qty: "+err.Error(), http.StatusBadRequest)
			return
		}
		q.MinQty = n
	}
	if v := r.FormValue("limit"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 && n < q.Limit {
			q.Limit = n
		}
	}
	// BUG(ctxreplace.background): the scan ignores the client: when it disconnects or gives up, the search goes on reading every order file for up to 20s, and retried searches pile up
	ctx, cancel := context.WithTimeout(context.Background(), searchTimeout)
	defer cancel()
	start := time.Now()
	orders, err := a.store.Search(ctx, q)
	a.metrics.observe("search", time.Since(start))
	if err != nil {
		http.Error(w, "search: "+err.Error(), http.StatusGatewayTimeout)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"orders": orders, "count": len(orders)})
}
