// Package core holds deferloop's default form: locks in loops; the
// other pile-ups are the opt-in form.
package core

import (
	"os"
	"sync"
)

type store struct {
	mu sync.Mutex
	m  map[string]int
}

func (s *store) addAll(keys []string) {
	for _, k := range keys {
		s.mu.Lock()
		defer s.mu.Unlock() // want `the second iteration blocks forever on s\.mu\.Lock\(\)`
		s.m[k]++
	}
}

// Rule "pile-ups are opt-in": files kept until return are reported with
// -deferloop.pileup; on real services most such loops are short.
func sizes(names []string) (int64, error) {
	var total int64
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return 0, err
		}
		total += st.Size()
	}
	return total, nil
}
