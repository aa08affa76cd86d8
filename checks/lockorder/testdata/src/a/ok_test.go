package a

import "testing"

// rule "test bodies": a test may take locks in any order it likes.
func TestOrder(t *testing.T) {
	p := &pair{}
	p.second.Lock()
	p.first.Lock()
	p.first.Unlock()
	p.second.Unlock()
}
