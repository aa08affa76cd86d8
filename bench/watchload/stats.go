package main

import (
	"math"
	"slices"
)

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// meanInterval returns the mean of v and the half-width of its 95%
// confidence interval (Student's t, the rounds taken as independent).
// The rounds of one run vary by a point or more, so a cost below 1%
// is only resolved by the interval of many rounds, not by any one.
func meanInterval(v []float64) (mean, half float64) {
	n := len(v)
	for _, x := range v {
		mean += x
	}
	mean /= float64(n)
	if n < 2 {
		return mean, math.Inf(1)
	}
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	sd := math.Sqrt(ss / float64(n-1))
	return mean, studentT975(n-1) * sd / math.Sqrt(float64(n))
}

// studentT975 returns the 97.5th percentile of Student's t distribution
// with df degrees of freedom (df ≥ 1).
func studentT975(df int) float64 {
	table := []float64{ // df 1 to 30
		12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
		2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
		2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
	}
	switch {
	case df <= len(table):
		return table[df-1]
	case df <= 60:
		return 2.000
	case df <= 120:
		return 1.980
	}
	return 1.960
}
