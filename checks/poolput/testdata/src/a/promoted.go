package a

import "sync"

var resultsets = sync.Pool{New: func() any { return new(resultset) }}

type resultset struct {
	rows [][]byte
}

func (r *resultset) returnToPool() {
	r.rows = r.rows[:0]
	resultsets.Put(r)
}

type result struct {
	*resultset
	affected int
}

// Rule "a promoted Put": returnToPool is promoted from the embedded
// *resultset, which is what goes back to the pool; clearing the field
// and using the outer result afterwards touch nothing the pool holds.
func (r *result) Close() {
	if r.resultset != nil {
		r.returnToPool()
		r.resultset = nil
	}
	r.affected = 0
}

// Reported: the resultset itself is used after it was put back.
func closeSet(rs *resultset) int {
	rs.returnToPool()
	return len(rs.rows) + cap(rs.rows[0]) // want `rs is used after rs.returnToPool\(\)`
}

type allocator struct{ buffers [17]sync.Pool }

// Put gives a buffer back to the pool of its size.
func (a *allocator) Put(buf []byte) {
	a.buffers[len(buf)%17].Put(buf) // want `stores a \[\]byte by value`
}

var chunks allocator

func next() []byte { return nil }

// Each turn of the loop declares buf again: the buffer put back on one
// turn is not the one written on the next.
func drain(w interface{ Write([]byte) (int, error) }) {
	for {
		var buf []byte
		if b := next(); b != nil {
			buf = b
		}
		if buf != nil {
			w.Write(buf)
			chunks.Put(buf)
		} else {
			return
		}
	}
}
