//go:build race

package watch

// raceEnabled: the race detector makes sync.Pool drop entries at random.
const raceEnabled = true
