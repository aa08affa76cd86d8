package watch

import (
	"context"
	"runtime/pprof"
)

func lookupExists(name string) bool { return pprof.Lookup(name) != nil }

func pprofLabel(ctx context.Context, key string) (string, bool) { return pprof.Label(ctx, key) }
