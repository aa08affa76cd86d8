// Package optin holds bugs that only opt-in checks and forms report.
package optin

import (
	"context"
	"os"
	"time"
)

func lookup() int { return 1 }

// Reported by chanleak (opt-in): on timeout the sender blocks forever.
func First(ctx context.Context) int {
	res := make(chan int)
	go func() { res <- lookup() }()
	select {
	case v := <-res:
		return v
	case <-time.After(time.Second):
		return 0
	}
}

func query(ctx context.Context) error { return ctx.Err() }

// Reported by ctxreplace.background (an opt-in form).
func Refresh(ctx context.Context) error {
	return query(context.Background())
}

// Reported by deferloop.pileup (an opt-in form of a default check).
func Sizes(names []string) int {
	n := 0
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return n
		}
		defer f.Close()
		n++
	}
	return n
}
