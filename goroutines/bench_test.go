package goroutines_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/silentfail/silentfail/diagnose"
	"github.com/silentfail/silentfail/goroutines"
	"github.com/silentfail/silentfail/goroutines/internal/gendump"
	"github.com/silentfail/silentfail/internal/members"
)

// benchDump returns a debug=2 dump of n goroutines grown from a real
// capture (internal/gendump).
func benchDump(b *testing.B, n int) []byte {
	var dump bytes.Buffer
	if err := gendump.Write(&dump, n); err != nil {
		b.Fatal(err)
	}
	return dump.Bytes()
}

// BenchmarkParseDump parses a debug=2 dump of 100,000 goroutines grown
// from a real capture (internal/gendump): the size of a service that
// leaks for hours. Reports bytes/s and allocations; go run
// ./goroutines/internal/gendump/cmd/gendump -n 1000000 writes a
// million-goroutine dump for end-to-end timing, and bench/diagnose.sh
// times silentfail diagnose at 100,000, 1M and 10M goroutines.
func BenchmarkParseDump(b *testing.B) {
	const n = 100_000
	dump := benchDump(b, n)
	b.SetBytes(int64(len(dump)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s, err := goroutines.Parse(bytes.NewReader(dump))
		if err != nil {
			b.Fatal(err)
		}
		if s.Total() != n {
			b.Fatalf("parsed %d goroutines, want %d", s.Total(), n)
		}
	}
}

// BenchmarkDiagnoseFolded reads the same dump folded, as silentfail
// diagnose does, and judges it: what a goroutine costs end to end, with
// the leaked goroutines' ids ascending and in a random order (as a
// runtime that reuses goroutine structures lists them). Its allocations
// per goroutine should stay near the members' few bytes
// (member-B/goroutine), whatever n.
func BenchmarkDiagnoseFolded(b *testing.B) {
	const n = 100_000
	for _, order := range []struct {
		name  string
		write func(io.Writer, int) error
	}{{"ascending", gendump.Write}, {"shuffled", gendump.WriteShuffled}} {
		b.Run(order.name, func(b *testing.B) {
			var buf bytes.Buffer
			if err := order.write(&buf, n); err != nil {
				b.Fatal(err)
			}
			dump := buf.Bytes()
			b.SetBytes(int64(len(dump)))
			b.ReportAllocs()
			b.ResetTimer()
			var memberBytes int
			for b.Loop() {
				s, err := goroutines.Parse(bytes.NewReader(dump), goroutines.Fold())
				if err != nil {
					b.Fatal(err)
				}
				rep, err := diagnose.Analyze([]*goroutines.Snapshot{s})
				if err != nil {
					b.Fatal(err)
				}
				if s.Total() != n || rep.Leaks() == 0 {
					b.Fatalf("%d goroutines, %d leaks", s.Total(), rep.Leaks())
				}
				memberBytes = 0
				for _, g := range s.Goroutines {
					memberBytes += members.Bytes(g.Members)
				}
			}
			b.ReportMetric(float64(memberBytes)/n, "member-B/goroutine")
		})
	}
}
