package clean

import "sync"

var mu sync.Mutex

func F() {
	mu.Lock()
	defer mu.Unlock()
}
