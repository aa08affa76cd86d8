package checkrun

import "testing"

func TestGCPercentFor(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 100},                         // nothing measured yet: the default
		{gcHeadroom / 4, 100},            // small heaps collect as rarely as usual
		{gcHeadroom, 100},                // headroom = live: the default again
		{2 * gcHeadroom, 50},             // a fixed amount above live
		{100 * gcHeadroom, gcMinPercent}, // never below a quarter of live
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("gcPercentFor(%d) = %d, want %d", c.live, got, c.want)
		}
	}
}
