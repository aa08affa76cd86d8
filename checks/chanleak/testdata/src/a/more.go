package a

import "context"

func load() []string { return nil }

// The slice is declared after the channel: no fix.
func LateSlice(inv *Inventory) error {
	errc := make(chan error)
	ids := load()
	for _, id := range ids {
		go func() { errc <- inv.Check(id) }() // want `when LateSlice returns at line 16 before receiving from every goroutine, the len\(ids\) goroutines started at line 12 .*give errc a buffer for every sender`
	}
	for range ids {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

// The receiving loop gives up when ctx is done.
func Gather(ctx context.Context, inv *Inventory, ids []string) ([]Item, error) {
	res := make(chan Item)
	for _, id := range ids {
		go func() { res <- inv.Get(id) }() // want `when ctx is done first, the len\(ids\) goroutines started at line 26`
	}
	var out []Item
	for range ids {
		select {
		case it := <-res:
			out = append(out, it)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return out, nil
}

type Indexer struct{ inv *Inventory }

func (x *Indexer) work(jobs <-chan string) {
	for id := range jobs {
		x.inv.Check(id)
	}
}

// A named worker ranging over a channel nothing closes.
func (x *Indexer) Reindex(ids []string) {
	jobs := make(chan string)
	go x.work(jobs) // want `the goroutine started at line 51 ranges over jobs, which nothing closes: it never exits, one goroutine leaks per call of Reindex`
	for _, id := range ids {
		jobs <- id
	}
}

// The same worker, the channel closed after the last job.
func (x *Indexer) ReindexClosed(ids []string) {
	jobs := make(chan string)
	go x.work(jobs)
	for _, id := range ids {
		jobs <- id
	}
	close(jobs)
}

// A helper that drains: the owner always receives.
func drain(c <-chan error) error { return <-c }

func ViaHelper(inv *Inventory) error {
	errc := make(chan error)
	go func() { errc <- inv.Check("x") }()
	inv.Check("y")
	return drain(errc)
}

// A helper that keeps the channel: escapes.
type keeper struct{ c chan error }

func keep(k *keeper, c chan error) { k.c = c }

func ViaKeeper(inv *Inventory, k *keeper, ctx context.Context) error {
	errc := make(chan error)
	keep(k, errc)
	go func() { errc <- inv.Check("x") }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
