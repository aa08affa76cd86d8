package a

import "sync"

var sets = sync.Pool{New: func() any { return make(map[string]struct{}) }}

// Rule "delete loop empties the map": the pre-Go 1.21 form of clear(m),
// inline or in a helper that does it first.
func okDistinct(words []string) int {
	m := sets.Get().(map[string]struct{})
	for k := range m {
		delete(m, k)
	}
	for _, w := range words {
		m[w] = struct{}{}
	}
	n := len(m)
	sets.Put(m)
	return n
}

func emptySet(m map[string]struct{}) {
	for k := range m {
		delete(m, k)
	}
}

func okDistinctHelper(words []string) int {
	m := sets.Get().(map[string]struct{})
	emptySet(m)
	for _, w := range words {
		m[w] = struct{}{}
	}
	n := len(m)
	sets.Put(m)
	return n
}

// Reported: deleting only some keys leaves the others.
func distinctSome(words []string) int {
	m := sets.Get().(map[string]struct{})
	for k := range m { // want `m from sets.Get\(\) is used before it is reset`
		if k == "" {
			delete(m, k)
		}
	}
	for _, w := range words {
		m[w] = struct{}{}
	}
	n := len(m)
	sets.Put(m)
	return n
}
