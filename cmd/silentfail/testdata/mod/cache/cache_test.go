package cache

import (
	"sync"
	"testing"
)

func TestGet(t *testing.T) {
	var mu sync.Mutex
	mu.Lock()
	defer mu.Lock()
	c := &Cache{m: map[string]string{"a": "b"}}
	if c.m["a"] != "b" {
		t.Fatal("lookup")
	}
}
