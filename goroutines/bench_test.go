package goroutines_test

import (
	"bytes"
	"testing"

	"github.com/silentfail/silentfail/goroutines"
	"github.com/silentfail/silentfail/goroutines/internal/gendump"
)

// BenchmarkParseDump parses a debug=2 dump of 100,000 goroutines grown
// from a real capture (internal/gendump): the size of a service that
// leaks for hours. Reports bytes/s and allocations; go run
// ./goroutines/internal/gendump/cmd/gendump -n 1000000 writes a
// million-goroutine dump for end-to-end timing.
func BenchmarkParseDump(b *testing.B) {
	const n = 100_000
	var dump bytes.Buffer
	if err := gendump.Write(&dump, n); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(dump.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s, err := goroutines.Parse(bytes.NewReader(dump.Bytes()))
		if err != nil {
			b.Fatal(err)
		}
		if s.Total() != n {
			b.Fatalf("parsed %d goroutines, want %d", s.Total(), n)
		}
	}
}
