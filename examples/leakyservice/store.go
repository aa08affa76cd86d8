package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Order is what clients post.
type Order struct {
	ID    string  `json:"id"`
	SKU   string  `json:"sku"`
	Qty   int     `json:"qty"`
	Price float64 `json:"price"`
}

// Store keeps one JSON file per order in a directory.
type Store struct {
	dir string
	mu  sync.Mutex
	seq int
}

func openStore(dir string) (*Store, error) {
	dir = filepath.Join(dir, "orders")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return &Store{dir: dir}, nil
}

// Save writes a new order and returns its ID.
func (s *Store) Save(o Order) (id string, err error) {
	s.mu.Lock()
	s.seq++
	o.ID = fmt.Sprintf("%06d", s.seq)
	s.mu.Unlock()

	f, err := os.Create(filepath.Join(s.dir, o.ID+".json"))
	if err != nil {
		return "", err
	}
	// BUG(defererr): a failed Encode is replaced by Close's nil: the caller sees success for a truncated order
	defer func() { err = f.Close() }()
	if err := json.NewEncoder(f).Encode(o); err != nil {
		return "", err
	}
	return o.ID, nil
}

// Load reads one order. Correct: the file is read-only and closed after
// the error check.
func (s *Store) Load(id string) (Order, error) {
	var o Order
	f, err := os.Open(filepath.Join(s.dir, filepath.Base(id)+".json"))
	if err != nil {
		return o, err
	}
	defer f.Close()
	err = json.NewDecoder(f).Decode(&o)
	return o, err
}

// IDs lists the stored orders in order.
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
	sort.Strings(ids)
	return ids, nil
}

// Totals sums quantities per SKU over every stored order.
func (s *Store) Totals() (map[string]int, error) {
	ids, err := s.IDs()
	if err != nil {
		return nil, err
	}
	totals := make(map[string]int)
	for _, id := range ids {
		f, err := os.Open(filepath.Join(s.dir, id+".json"))
		if err != nil {
			return nil, err
		}
		// BUG(deferloop): one open file per order until Totals returns: "too many open files" on a big store
		defer f.Close()
		var o Order
		if err := json.NewDecoder(f).Decode(&o); err != nil {
			return nil, fmt.Errorf("order %s: %w", id, err)
		}
		totals[o.SKU] += o.Qty
	}
	return totals, nil
}

// LoadAll is the correct form of the loop: each file is closed at the
// end of its own iteration.
func (s *Store) LoadAll(ids []string) ([]Order, error) {
	var orders []Order
	for _, id := range ids {
		err := func() error {
			o, err := s.Load(id)
			if err != nil {
				return err
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

// WriteReport writes the totals as gzipped CSV.
func WriteReport(path string, totals map[string]int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	// BUG(deferclose): Close's error is dropped on a file opened for writing: a failed write-back goes unnoticed
	defer f.Close()
	zw := gzip.NewWriter(f)
	w := bufio.NewWriter(zw)
	skus := make([]string, 0, len(totals))
	for sku := range totals {
		skus = append(skus, sku)
	}
	sort.Strings(skus)
	for _, sku := range skus {
		fmt.Fprintf(w, "%s,%d\n", sku, totals[sku])
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// WriteIndex is the correct form: the Close error is joined into the
// result.
func WriteIndex(path string, ids []string) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	w := bufio.NewWriter(f)
	for _, id := range ids {
		fmt.Fprintln(w, id)
	}
	return w.Flush()
}
