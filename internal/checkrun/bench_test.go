package checkrun

import (
	"testing"

	"github.com/silentfail/silentfail/checks/suite"
)

// BenchmarkCheckStd runs every check over a fixed set of standard
// library packages, loading included, as `silentfail check` does. Run
// with -benchmem; bench/check.sh compares the command with go vet and
// staticcheck on the same packages.
func BenchmarkCheckStd(b *testing.B) {
	cfg := Config{
		Patterns:  []string{"net/http", "encoding/json", "database/sql", "context", "sync"},
		Analyzers: suite.All(),
		Tests:     true,
	}
	for b.Loop() {
		res, err := Run(cfg)
		if err != nil {
			b.Fatal(err)
		}
		if res.Analyzed == 0 {
			b.Fatal("nothing analyzed")
		}
	}
}

// BenchmarkCheckStdRerun is BenchmarkCheckStd on a result cache the
// first run filled: what a re-run on an unchanged tree costs (the go
// list of the packages, the keys, the replay).
func BenchmarkCheckStdRerun(b *testing.B) {
	cache, err := OpenCache(b.TempDir(), 0)
	if err != nil {
		b.Fatal(err)
	}
	cfg := Config{
		Patterns:  []string{"net/http", "encoding/json", "database/sql", "context", "sync"},
		Analyzers: suite.All(),
		Tests:     true,
		Cache:     cache,
	}
	if _, err := Run(cfg); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := Run(cfg)
		if err != nil {
			b.Fatal(err)
		}
		if res.Cached != res.Analyzed {
			b.Fatalf("%d of %d packages replayed", res.Cached, res.Analyzed)
		}
	}
}
