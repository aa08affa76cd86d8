package main

import (
	"math"
	"testing"
)

func TestMeanInterval(t *testing.T) {
	// Ratios 1.00, 1.02, 1.04: mean 1.02, sample sd 0.02, t(2) 4.303,
	// half-width 4.303·0.02/√3.
	mean, half := meanInterval([]float64{1.00, 1.02, 1.04})
	if math.Abs(mean-1.02) > 1e-12 {
		t.Errorf("mean = %v, want 1.02", mean)
	}
	if want := 4.303 * 0.02 / math.Sqrt(3); math.Abs(half-want) > 1e-12 {
		t.Errorf("half-width = %v, want %v", half, want)
	}
	if _, half := meanInterval([]float64{1.01}); !math.IsInf(half, 1) {
		t.Errorf("one round: half-width %v, want +Inf (no interval from one round)", half)
	}
	if _, half := meanInterval([]float64{1.01, 1.01, 1.01, 1.01}); half != 0 {
		t.Errorf("identical rounds: half-width %v, want 0", half)
	}
}

func TestStudentT975(t *testing.T) {
	for _, c := range []struct {
		df   int
		want float64
	}{{1, 12.706}, {9, 2.262}, {30, 2.042}, {45, 2.000}, {100, 1.980}, {1000, 1.960}} {
		if got := studentT975(c.df); got != c.want {
			t.Errorf("studentT975(%d) = %v, want %v", c.df, got, c.want)
		}
	}
}
