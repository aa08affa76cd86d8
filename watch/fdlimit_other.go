//go:build !unix

package watch

func fdLimit() float64 { return 0 }
