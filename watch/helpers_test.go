package watch

import (
	"context"
	"os"
	"path/filepath"
	"runtime/pprof"
	"testing"
)

func lookupExists(name string) bool { return pprof.Lookup(name) != nil }

func pprofLabel(ctx context.Context, key string) (string, bool) { return pprof.Label(ctx, key) }

func TestMain(m *testing.M) {
	code := m.Run()
	if leakyBin != "" {
		os.RemoveAll(filepath.Dir(leakyBin))
	}
	os.Exit(code)
}
