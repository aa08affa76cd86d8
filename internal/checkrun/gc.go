package checkrun

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// The loader's heap is mostly the types of the build graph: it only
// grows, and with the collector's default headroom (GOGC=100, the heap
// may reach twice what is live) half of the peak memory is garbage
// waiting for a collection. While the loader runs, the headroom is
// instead a fixed amount above what is live, but never below a quarter
// of it: small runs collect as rarely as usual, and a service's large
// build graph costs a few more collections instead of hundreds of
// megabytes. A GOGC set by the user is left alone.
//
// 24 MB: on caddy's graph (live heap up to ~90 MB) it costs about a
// second over 48 MB and saves ~30 MB of peak; the garbage between two
// collections is mostly the function bodies of parsed dependencies.
const (
	gcHeadroom   = 24 << 20 // bytes above the live heap
	gcMinPercent = 25
)

// tightGC applies that policy until the returned function is called.
func tightGC() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	prev := debug.SetGCPercent(100)
	var stopped atomic.Bool
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	// A finalizer runs once per collection that frees its object: it
	// re-arms itself with a new object and tunes the next cycle.
	var arm func()
	arm = func() {
		runtime.SetFinalizer(new([32]byte), func(*[32]byte) {
			if stopped.Load() {
				return
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				debug.SetGCPercent(gcPercentFor(sample[0].Value.Uint64()))
			}
			arm()
		})
	}
	arm()
	return func() {
		stopped.Store(true)
		debug.SetGCPercent(prev)
	}
}

// gcPercentFor returns the GOGC that lets the heap grow by gcHeadroom
// above live bytes, between gcMinPercent and 100.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return 100
	}
	p := int(gcHeadroom * 100 / live)
	return min(max(p, gcMinPercent), 100)
}
