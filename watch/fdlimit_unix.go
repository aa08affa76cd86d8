//go:build unix

package watch

import "syscall"

// fdLimit returns the soft limit on open file descriptors, or 0 when
// unknown or unlimited.
func fdLimit() float64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur == 0 || lim.Cur > 1<<40 {
		return 0
	}
	return float64(lim.Cur)
}
