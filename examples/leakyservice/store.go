package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Order is what clients post to /orders.
type Order struct {
	ID      string    `json:"id"`
	SKU     string    `json:"sku"`
	Qty     int       `json:"qty"`
	Price   float64   `json:"price"`
	Created time.Time `json:"created"`
}

func (o Order) validate() error {
	if o.SKU == "" || o.Qty <= 0 {
		return errors.New("an order needs a sku and a positive qty")
	}
	return nil
}

// Store keeps one JSON file per order in a directory.
type Store struct {
	dir     string
	seq     atomic.Int64
	indexMu sync.Mutex // one index rebuild at a time
}

func openStore(dir string) (*Store, error) {
	s := &Store{dir: filepath.Join(dir, "orders")}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	ids, err := s.IDs()
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if len(ids) > 0 {
		last, _ := strconv.ParseInt(ids[len(ids)-1], 10, 64)
		s.seq.Store(last)
	}
	return s, nil
}

func (s *Store) path(id string) string { return filepath.Join(s.dir, filepath.Base(id)+".json") }

// Save writes a new order and returns its ID.
func (s *Store) Save(o Order) (id string, err error) {
	o.ID = fmt.Sprintf("%08d", s.seq.Add(1))
	f, err := os.Create(s.path(o.ID))
	if err != nil {
		return "", err
	}
	// BUG(defererr): a failed Encode is replaced by Close's nil: the client gets a 201 with no ID and a truncated order file
	defer func() { err = f.Close() }()
	if err := json.NewEncoder(f).Encode(o); err != nil {
		return "", fmt.Errorf("save order: %w", err)
	}
	return o.ID, nil
}

// Load reads one order; the file is read-only, closing it cannot lose data.
func (s *Store) Load(id string) (Order, error) {
	var o Order
	f, err := os.Open(s.path(id))
	if err != nil {
		return o, err
	}
	defer f.Close()
	err = json.NewDecoder(f).Decode(&o)
	return o, err
}

// IDs lists the stored orders, oldest first.
func (s *Store) IDs() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// LoadAll reads the given orders; each file is closed at the end of its
// own iteration.
func (s *Store) LoadAll(ids []string) ([]Order, error) {
	orders := make([]Order, 0, len(ids))
	for _, id := range ids {
		err := func() error {
			f, err := os.Open(s.path(id))
			if err != nil {
				return err
			}
			defer f.Close()
			var o Order
			if err := json.NewDecoder(f).Decode(&o); err != nil {
				return fmt.Errorf("order %s: %w", id, err)
			}
			orders = append(orders, o)
			return nil
		}()
		if err != nil {
			return nil, err
		}
	}
	return orders, nil
}

// Totals sums the quantities per SKU over every stored order.
func (s *Store) Totals() (map[string]int, error) {
	ids, err := s.IDs()
	if err != nil {
		return nil, err
	}
	totals := make(map[string]int)
	for _, id := range ids {
		f, err := os.Open(s.path(id))
		if err != nil {
			return nil, err
		}
		// BUG(deferloop.pileup): every order file stays open until Totals returns: "too many open files" on a big store
		defer f.Close()
		var o Order
		if err := json.NewDecoder(f).Decode(&o); err != nil {
			return nil, fmt.Errorf("order %s: %w", id, err)
		}
		totals[o.SKU] += o.Qty
	}
	return totals, nil
}

// RefreshIndex rewrites index.txt, the list of orders the nightly
// export reads.
func (s *Store) RefreshIndex() error {
	s.indexMu.Lock()
	defer s.indexMu.Unlock()
	ids, err := s.IDs()
	if err != nil {
		return err
	}
	orders, err := s.LoadAll(ids)
	if err != nil {
		return err
	}
	return WriteIndex(filepath.Join(filepath.Dir(s.dir), "index.txt"), orders)
}

// WriteIndex writes one line per order. The error of Close is kept
// unless an earlier one is being returned.
func WriteIndex(path string, orders []Order) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	w := bufio.NewWriter(f)
	for _, o := range orders {
		fmt.Fprintf(w, "%s\t%s\t%d\n", o.ID, o.SKU, o.Qty)
	}
	return w.Flush()
}

// WriteReport writes the totals as gzipped CSV.
func WriteReport(path string, totals map[string]int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	// BUG(deferclose.dropped): the error of Close is dropped on a file written to: a report lost on a full disk is reported as written
	defer f.Close()
	zw := gzip.NewWriter(f)
	w := bufio.NewWriter(zw)
	fmt.Fprintln(w, "sku,qty")
	for _, sku := range slices.Sorted(maps.Keys(totals)) {
		fmt.Fprintf(w, "%s,%d\n", sku, totals[sku])
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return zw.Close()
}
