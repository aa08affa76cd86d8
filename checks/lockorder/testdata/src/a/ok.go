package a

import "sync"

type node struct {
	mu   sync.Mutex
	next *node
}

// rule "one type, one order": two nodes of a list.
func link(a, b *node) {
	a.mu.Lock()
	defer a.mu.Unlock()
	b.mu.Lock()
	a.next = b
	b.mu.Unlock()
}

// The same order everywhere.
type pair struct {
	first, second sync.Mutex
	n             int
}

func (p *pair) one() {
	p.first.Lock()
	defer p.first.Unlock()
	p.second.Lock()
	p.n++
	p.second.Unlock()
}

func (p *pair) two() {
	p.first.Lock()
	p.second.Lock()
	p.n--
	p.second.Unlock()
	p.first.Unlock()
}

// Released before the second is taken.
func (p *pair) three() {
	p.second.Lock()
	p.n = 0
	p.second.Unlock()
	p.first.Lock()
	p.first.Unlock()
}

// rule "readers share": read locks on both sides do not block.
type views struct {
	a, b sync.RWMutex
}

func (v *views) ab() {
	v.a.RLock()
	defer v.a.RUnlock()
	v.b.RLock()
	v.b.RUnlock()
}

func (v *views) ba() {
	v.b.RLock()
	defer v.b.RUnlock()
	v.a.RLock()
	v.a.RUnlock()
}

// rule "locals have no order": mutexes in local variables.
func locals() {
	var x, y sync.Mutex
	x.Lock()
	y.Lock()
	y.Unlock()
	x.Unlock()
	y.Lock()
	x.Lock()
	x.Unlock()
	y.Unlock()
}
