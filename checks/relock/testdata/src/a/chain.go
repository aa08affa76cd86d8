package a

import "sync"

type missing struct {
	mu      sync.Mutex
	replica map[string]string
}

// Rule "one deadlock, one report": the second Lock waits forever, so
// the third and fourth, held since it, never run: one report.
func (m *missing) Warn(id, addr string) {
	m.mu.Lock()
	defer m.mu.Unlock()

	m.mu.Lock() // want `m.mu.Lock\(\) waits forever: Warn already holds m.mu since line 13`
	defer m.mu.Unlock()

	m.mu.Lock()
	defer m.mu.Unlock()

	m.mu.Lock()
	defer m.mu.Unlock()
	m.replica[id] = addr
}

// Two relocks of different mutexes are two deadlocks waiting to happen
// on different paths: both are reported.
func (m *missing) Both(other *missing, first bool) {
	if first {
		m.mu.Lock()
		m.mu.Lock() // want `m.mu.Lock\(\) waits forever`
		return
	}
	other.mu.Lock()
	other.mu.Lock() // want `other.mu.Lock\(\) waits forever`
}
