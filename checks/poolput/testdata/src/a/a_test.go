package a

import (
	"bytes"
	"testing"
)

// A test that checks what putting back did: it reads the object after
// the Put on purpose, on its own goroutine.
func TestPutResets(t *testing.T) {
	b := new(bytes.Buffer)
	b.WriteString("x")
	bufs.Put(b)
	if b.Len() != 1 {
		t.Fatal(b.Len())
	}
}
