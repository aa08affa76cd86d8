package a

import (
	"context"
	"database/sql"
	"net/http"
	"time"
)

// A timeout middleware that signals completion with a send.
func Timeout(next http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		done := make(chan struct{})
		go func() {
			next.ServeHTTP(w, r.WithContext(ctx))
			done <- struct{}{} // want `when ctx is done first, the goroutine started at line 16 blocks forever sending on done: one goroutine leaks per request`
		}()
		select {
		case <-done:
		case <-ctx.Done():
			http.Error(w, "timeout", http.StatusGatewayTimeout)
		}
	})
}

// The same middleware signalling with close: nothing blocks.
func TimeoutClose(next http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		done := make(chan struct{})
		go func() {
			next.ServeHTTP(w, r.WithContext(ctx))
			close(done)
		}()
		select {
		case <-done:
		case <-ctx.Done():
			http.Error(w, "timeout", http.StatusGatewayTimeout)
		}
	})
}

type countResult struct {
	n   int
	err error
}

// A query run in a goroutine, abandoned on timeout.
func CountOrders(ctx context.Context, db *sql.DB) (int, error) {
	ch := make(chan countResult)
	go func() {
		var n int
		err := db.QueryRowContext(ctx, "SELECT count(*) FROM orders").Scan(&n)
		ch <- countResult{n, err} // want `when ctx is done first, the goroutine started at line 54 blocks forever sending on ch`
	}()
	select {
	case r := <-ch:
		return r.n, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// The same query, the send guarded by the context.
func CountOrdersSafe(ctx context.Context, db *sql.DB) (int, error) {
	ch := make(chan countResult)
	go func() {
		var n int
		err := db.QueryRowContext(ctx, "SELECT count(*) FROM orders").Scan(&n)
		select {
		case ch <- countResult{n, err}:
		case <-ctx.Done():
		}
	}()
	select {
	case r := <-ch:
		return r.n, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
