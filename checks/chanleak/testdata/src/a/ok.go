package a

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// Buffered for the one sender.
func (s *Server) LookupBuffered(ctx context.Context, id string) (Item, error) {
	ch := make(chan Item, 1)
	go func() { ch <- s.inv.Get(id) }()
	select {
	case it := <-ch:
		return it, nil
	case <-ctx.Done():
		return Item{}, ctx.Err()
	}
}

// The goroutine's send has a way out.
func LookupSelect(ctx context.Context, inv *Inventory, id string) (Item, error) {
	ch := make(chan Item)
	go func() {
		select {
		case ch <- inv.Get(id):
		case <-ctx.Done():
		}
	}()
	select {
	case it := <-ch:
		return it, nil
	case <-ctx.Done():
		return Item{}, ctx.Err()
	}
}

// The owner always receives.
func (s *Server) always(w http.ResponseWriter, r *http.Request) {
	done := make(chan Item)
	go s.fill(done, r.URL.Path)
	err := s.inv.Check(r.URL.Path)
	it := <-done
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Write([]byte(it.ID))
}

// The producer closes with defer close(ch).
func Sum(nums []int) int {
	ch := make(chan int)
	go func() {
		defer close(ch)
		for _, n := range nums {
			ch <- n
		}
	}()
	total := 0
	for n := range ch {
		total += n
	}
	return total
}

// The generator pattern: the channel is returned to the caller.
func Generate(ctx context.Context, n int) <-chan int {
	out := make(chan int)
	go func() {
		for i := range n {
			out <- i
		}
	}()
	return out
}

// Done-channel signalling via close.
func WaitStarted(start func()) {
	started := make(chan struct{})
	go func() {
		close(started)
		start()
	}()
	<-started
}

// WaitGroup and close in a goroutine; every result is drained.
func CollectAll(inv *Inventory, ids []string) []error {
	errc := make(chan error)
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- inv.Check(id)
		}()
	}
	go func() {
		wg.Wait()
		close(errc)
	}()
	var errs []error
	for err := range errc {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// time.AfterFunc: no go statement, nobody blocks the owner.
func Deadline(d time.Duration) <-chan struct{} {
	fired := make(chan struct{})
	time.AfterFunc(d, func() { close(fired) })
	return fired
}

// Buffer large enough for every sender: len(ids).
func CheckAllBuffered(inv *Inventory, ids []string) error {
	errc := make(chan error, len(ids))
	for _, id := range ids {
		go func() { errc <- inv.Check(id) }()
	}
	for range ids {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

// Constant buffer for a constant number of senders.
func PingBuffered(inv *Inventory) error {
	errc := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() { errc <- inv.Check("x") }()
	}
	for i := 0; i < 4; i++ {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

// Keeps the first error but receives from every sender.
func FirstErr(inv *Inventory, ids []string) error {
	errc := make(chan error)
	for _, id := range ids {
		go func() { errc <- inv.Check(id) }()
	}
	var first error
	for range ids {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// errgroup: the goroutines are the group's; the channel is buffered by Wait.
func Group(ctx context.Context, inv *Inventory, ids []string) error {
	g, ctx := errgroup.WithContext(ctx)
	res := make(chan Item)
	for _, id := range ids {
		g.Go(func() error {
			select {
			case res <- inv.Get(id):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}
	go func() {
		g.Wait()
		close(res)
	}()
	for it := range res {
		if it.ID == "" {
			return errors.New("empty")
		}
	}
	return nil
}

// The channel is stored in a field: someone else may receive.
type Pipeline struct{ out chan Item }

func (p *Pipeline) Start(inv *Inventory, id string) {
	ch := make(chan Item)
	p.out = ch
	go func() { ch <- inv.Get(id) }()
}

// Passed to another package's function.
func Notify(id string) {
	sig := make(chan struct{})
	go func() { sig <- struct{}{} }()
	waitOn(sig)
}

var waitOn = func(c chan struct{}) { <-c }

// A worker ranging over jobs that the owner closes.
func ProcessClosed(items []string) {
	jobs := make(chan string)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for j := range jobs {
			_ = query(j)
		}
	}()
	for _, it := range items {
		jobs <- it
	}
	close(jobs)
	<-done
}

// The owner never returns: the worker lives as long as it does.
func Serve(items func() string) {
	jobs := make(chan string)
	go func() {
		for j := range jobs {
			_ = query(j)
		}
	}()
	for {
		jobs <- items()
	}
}

// A deferred closure drains the result.
func Drained(ctx context.Context, inv *Inventory) error {
	ch := make(chan error)
	go func() { ch <- inv.Check("x") }()
	defer func() { <-ch }()
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Generic, pointer receiver, buffered.
type Cache[K comparable, V any] struct{ load func(K) V }

func (c *Cache[K, V]) Get(ctx context.Context, k K) (V, error) {
	ch := make(chan V, 1)
	go func() { ch <- c.load(k) }()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// The sender loops until the owner stops: a producer, and the receive
// loop drains on every path.
func Ticks(n int) int {
	ch := make(chan int)
	go func() {
		defer close(ch)
		for i := 0; i < n; i++ {
			ch <- i
		}
	}()
	s := 0
	for v := range ch {
		s += v
	}
	return s
}

// Fatal paths do not return.
func MustLoad(inv *Inventory) Item {
	ch := make(chan Item)
	go func() { ch <- inv.Get("x") }()
	if err := inv.Check("x"); err != nil {
		panic(err)
	}
	return <-ch
}

// Counting receive loop with for {}.
func Count(inv *Inventory, ids []string) int {
	ch := make(chan Item)
	for _, id := range ids {
		go func() { ch <- inv.Get(id) }()
	}
	n := 0
	for {
		<-ch
		n++
		if n == len(ids) {
			return n
		}
	}
}

// As many receives as senders.
func Pair(inv *Inventory) {
	c := make(chan bool)
	for g := 0; g < 2; g++ {
		go func() {
			inv.Check("x")
			c <- true
		}()
	}
	<-c
	<-c
}

// A new channel per iteration, one sender each, buffered.
func Retry(inv *Inventory, lnc chan string) string {
	for try := 0; try < 5; try++ {
		errc := make(chan error, 1)
		go func() { errc <- inv.Check("x") }()
		select {
		case err := <-errc:
			_ = err
			continue
		case s := <-lnc:
			return s
		}
	}
	return ""
}

// Two goroutines share a buffer of one; the owner may receive either.
func TwoSenders(ctx context.Context, inv *Inventory) error {
	var (
		signal = make(chan struct{}, 1)
		errc   = make(chan error)
	)
	go func() {
		inv.Check("a")
		signal <- struct{}{}
	}()
	select {
	case <-signal:
	case err := <-errc:
		return err
	}
	go func() {
		inv.Check("b")
		signal <- struct{}{}
	}()
	select {
	case <-signal:
	case <-ctx.Done():
	}
	return nil
}

// The goroutine reports through errc or done, never both.
func RunOnce(ctx context.Context, inv *Inventory) error {
	errc := make(chan error)
	done := make(chan struct{})
	go func() {
		if err := inv.Check("x"); err != nil {
			errc <- err
			return
		}
		close(done)
	}()
	select {
	case err := <-errc:
		return err
	case <-done:
		return nil
	}
}

// Started and received under the same condition.
func Maybe(inv *Inventory, async bool) error {
	errc := make(chan error)
	if async {
		go func() { errc <- inv.Check("x") }()
	}
	if err := inv.Check("y"); err != nil && !async {
		return err
	}
	if async {
		return <-errc
	}
	return nil
}

// Made on one path only.
func MaybeMade(inv *Inventory, async bool) error {
	var errc chan error
	if async {
		errc = make(chan error)
		go func() { errc <- inv.Check("x") }()
	}
	inv.Check("y")
	if errc != nil {
		return <-errc
	}
	return nil
}
