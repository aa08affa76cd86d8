package main

import (
	"context"
	"time"
)

// main and init may pause before the process exits.
func init() {
	defer time.Sleep(time.Millisecond)
}

func main() {
	ctx := context.Background()
	defer time.Sleep(time.Second)
	defer func() { <-ctx.Done() }()
}
