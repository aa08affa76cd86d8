package a

import "sync"

type chunk []byte

var chunks = sync.Pool{New: func() any { return new(chunk) }}

// Rule "whole value replaced": *c = chunk(b) makes the pooled object a
// new slice header over b; nothing of the earlier request is reachable.
func okWrap(b []byte) *chunk {
	c := chunks.Get().(*chunk)
	*c = chunk(b)
	return c
}

func releaseChunk(c *chunk) {
	chunks.Put(c)
}

type pair []int

var pairs = sync.Pool{New: func() any { return new(pair) }}

func okPair(x, y int) int {
	p := pairs.Get().(*pair)
	*p = pair{x, y}
	s := (*p)[0] + (*p)[1]
	pairs.Put(p)
	return s
}

// Reported: the conversion keeps the old contents (it mentions *p).
func pairAppend(x int) int {
	p := pairs.Get().(*pair)
	*p = pair(append(*p, x)) // want `p from pairs.Get\(\) is appended to before it is reset`
	s := len(*p)
	pairs.Put(p)
	return s
}
