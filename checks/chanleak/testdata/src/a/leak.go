package a

import (
	"context"
	"errors"
	"net/http"
	"time"
)

type Item struct{ ID string }

type Inventory struct{}

func (inv *Inventory) Get(id string) Item { return Item{ID: id} }

func (inv *Inventory) Check(id string) error { return nil }

type Server struct{ inv *Inventory }

// The classic timeout select.
func (s *Server) Lookup(ctx context.Context, id string) (Item, error) {
	ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	ch := make(chan Item)
	go func() {
		ch <- s.inv.Get(id) // want `when ctx is done first, the goroutine started at line 25 blocks forever sending on ch: one goroutine leaks per call of Lookup \(make ch buffered: make\(chan Item, 1\)\)`
	}()
	select {
	case it := <-ch:
		return it, nil
	case <-ctx.Done():
		return Item{}, ctx.Err()
	}
}

func Fetch(id string) (Item, error) {
	inv := &Inventory{}
	res := make(chan Item)
	go func() { res <- inv.Get(id) }() // want `when the timeout fires first, the goroutine started at line 39 blocks forever sending on res`
	select {
	case it := <-res:
		return it, nil
	case <-time.After(time.Second):
		return Item{}, errors.New("timeout")
	}
}

// An early error return between the go statement and the receive.
func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	done := make(chan Item)
	go s.fill(done, id) // want `when handle returns at line 55 before receiving, the goroutine started at line 52 blocks forever sending on done`
	if err := s.inv.Check(id); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	it := <-done
	w.Write([]byte(it.ID))
}

func (s *Server) fill(out chan<- Item, id string) {
	out <- s.inv.Get(id)
}

// First error wins over N senders.
func CheckAll(inv *Inventory, ids []string) error {
	errc := make(chan error)
	for _, id := range ids {
		go func() {
			errc <- inv.Check(id) // want `when CheckAll returns at line 75 before receiving from every goroutine, the len\(ids\) goroutines started at line 69 \(one per iteration of the loop at line 68\) block forever sending on errc: they leak per call of CheckAll \(make errc buffered: make\(chan error, len\(ids\)\)\)`
		}()
	}
	for range ids {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

// First answer wins.
func Fastest(replicas [3]string) string {
	answers := make(chan string)
	for _, r := range replicas {
		go func() { answers <- query(r) }() // want `Fastest receives only once from answers, the other goroutines started at line 85 \(one per iteration of the loop at line 84\) block forever sending on answers`
	}
	return <-answers
}

func query(s string) string { return s }

// A worker ranging over a jobs channel that is never closed.
func Process(items []string) {
	jobs := make(chan string)
	go func() {
		for j := range jobs { // want `the goroutine started at line 95 ranges over jobs, which nothing closes: it never exits, one goroutine leaks per call of Process \(close\(jobs\) after the last send\)`
			_ = query(j)
		}
	}()
	for _, it := range items {
		jobs <- it
	}
}

// Generics.
func First[T any](ctx context.Context, get func() T) (T, error) {
	out := make(chan T)
	go func() { out <- get() }() // want `when ctx is done first, the goroutine started at line 108 blocks forever sending on out`
	select {
	case v := <-out:
		return v, nil
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// A counted loop with a constant: the fix uses the count.
func Ping(inv *Inventory) error {
	errc := make(chan error)
	for i := 0; i < 4; i++ {
		go func() { errc <- inv.Check("x") }() // want `the 4 goroutines started at line 122`
	}
	for i := 0; i < 4; i++ {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

// The ranged slice is reassigned after the make: no fix.
func Reassigned(inv *Inventory, ids []string) error {
	errc := make(chan error)
	ids = append(ids, "extra")
	for _, id := range ids {
		go func() { errc <- inv.Check(id) }() // want `give errc a buffer for every sender`
	}
	for range ids {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

// Another goroutine's signal wins the select: the caddy-like shape.
func Start(inv *Inventory, ready chan struct{}) error {
	exit := make(chan error)
	success := make(chan struct{})
	go func() {
		inv.Check("ping")
		close(success)
	}()
	go func() {
		err := inv.Check("wait")
		exit <- err // want `when <-success wins the select at line 160, the goroutine started at line 155 blocks forever sending on exit`
	}()
	select {
	case <-success:
	case err := <-exit:
		return err
	}
	return nil
}

// Never received at all.
func Forgotten(inv *Inventory) {
	done := make(chan error)
	go func() {
		done <- inv.Check("x") // want `when Forgotten ends without receiving, the goroutine started at line 170 blocks forever sending on done`
	}()
	inv.Check("y")
}
