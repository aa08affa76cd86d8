package a

import (
	"errors"
	"log"
	"sync"
)

// Unlocked on every path.
func (s *Store) Get(k string) (int, bool) {
	s.mu.Lock()
	v, ok := s.m[k]
	if !ok {
		s.mu.Unlock()
		return 0, false
	}
	s.mu.Unlock()
	return v, true
}

// rule "released by a deferred call": the deferred unlock covers the
// early return.
func (s *Store) Put(k string, v int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k == "" {
		return errors.New("empty key")
	}
	s.m[k] = v
	return nil
}

// rule "released by a deferred call": through a closure kept in a
// variable.
func (s *Store) Put2(k string, v int) error {
	s.mu.Lock()
	unlock := func() { s.mu.Unlock() }
	defer unlock()
	if k == "" {
		return errors.New("empty key")
	}
	s.m[k] = v
	return nil
}

// rule "held on every path out": a helper that locks for its caller.
func (s *Store) enter() {
	s.mu.Lock()
	if s.m == nil {
		s.m = map[string]int{}
	}
}

// rule "returns it held for the caller": locked on success, released
// on failure; named for it.
func (s *Store) lockIfOpen() error {
	s.mu.Lock()
	if s.m == nil {
		s.mu.Unlock()
		return errors.New("closed")
	}
	return nil
}

// rule "returns it held for the caller": a caller releases what begin
// returns holding.
func (s *Store) begin() error {
	s.mu.Lock()
	if s.m == nil {
		s.mu.Unlock()
		return errors.New("closed")
	}
	return nil
}

func (s *Store) Use() error {
	if err := s.begin(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.m["x"]++
	return nil
}

// rule "released elsewhere": a goroutine releases the lock for us.
func (s *Store) Handoff(done chan struct{}) {
	s.mu.Lock()
	if done == nil {
		go func() {
			s.m = nil
			s.mu.Unlock()
		}()
		return
	}
	s.mu.Unlock()
}

// rule "released elsewhere": the mutex is handed to a function of
// another package (here a function value) that unlocks it.
func (s *Store) Hand(release func(sync.Locker)) {
	s.mu.Lock()
	if s.m == nil {
		release(&s.mu)
		return
	}
	s.mu.Unlock()
}

// rule "no normal return": the process ends on this path.
func (s *Store) Must(k string) int {
	s.mu.Lock()
	v, ok := s.m[k]
	if !ok {
		log.Fatalf("missing %s", k)
	}
	s.mu.Unlock()
	return v
}

// rule "no normal return": a panic does not return to a caller.
func (s *Store) MustP(k string) int {
	s.mu.Lock()
	v, ok := s.m[k]
	if !ok {
		panic("missing " + k)
	}
	s.mu.Unlock()
	return v
}

// A loop that unlocks before continue.
func (s *Store) Each(ks []string) {
	for _, k := range ks {
		s.mu.Lock()
		if k == "" {
			s.mu.Unlock()
			continue
		}
		s.m[k]++
		s.mu.Unlock()
	}
}

// Unlock and relock inside the region, released at the end.
func (s *Store) Wait(cond func() bool) {
	s.mu.Lock()
	for !cond() {
		s.mu.Unlock()
		s.mu.Lock()
	}
	s.mu.Unlock()
}

// Through the package's own unlock helper.
func (s *Store) release() { s.mu.Unlock() }

func (s *Store) Helper(k string) bool {
	s.mu.Lock()
	if k == "" {
		s.release()
		return false
	}
	s.mu.Unlock()
	return true
}

// rule "released by a deferred call": the deferred Unlock of the first
// Lock also releases the mutex taken back after a pause.
func (s *Store) Pause(wait func()) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mu.Unlock()
	wait()
	s.mu.Lock()
	if s.m == nil {
		return errors.New("closed")
	}
	return nil
}

// rule "lock and unlock under the same condition": both guarded by the
// same test of old.
func Swap(old, cur *Store) {
	if old != nil {
		old.mu.Lock()
	}
	cur.m = nil
	if old != nil {
		old.mu.Unlock()
	}
}

// rule "restores the caller's lock": called with s.mu held; it lets go
// for a while and takes it back for the caller, which unlocks.
func (s *Store) waitLocked(ready func() bool) bool {
	for !ready() {
		s.mu.Unlock()
		s.mu.Lock()
		if s.m == nil {
			return false
		}
	}
	return true
}

// rule "released elsewhere": each turn locks another store; the
// continue does not come back to the same mutex.
func Each(stores []*Store) {
	for _, st := range stores {
		st.mu.Lock()
		if st.m == nil {
			continue
		}
		st.mu.Unlock()
	}
}

// A select without default waits for a case: every case unlocks.
func (s *Store) Either(a, b chan int) {
	s.mu.Lock()
	select {
	case <-a:
		s.mu.Unlock()
	case <-b:
		s.mu.Unlock()
	}
}

// rule "returns it held for the caller": the locked value itself goes
// to the caller.
func (s *Store) checkout(k string) (*Store, error) {
	other := &Store{}
	other.mu.Lock()
	if k == "" {
		other.mu.Unlock()
		return nil, errors.New("empty")
	}
	return other, nil
}

// rule "no normal return": a testing.TB-shaped interface's Fatal.
type tb interface {
	Helper()
	Errorf(string, ...any)
	Fatalf(string, ...any)
}

func (s *Store) suspend(t tb, n int) {
	s.mu.Lock()
	if n < 0 {
		t.Fatalf("negative %d", n)
	}
	s.mu.Unlock()
}

// rule "released elsewhere": a closure that calls another closure that
// unlocks releases too.
func (s *Store) Apply(k string) error {
	s.mu.Lock()
	rollback := func() { s.mu.Unlock() }
	fail := func(err error) error {
		rollback()
		return err
	}
	if k == "" {
		return fail(errors.New("empty"))
	}
	s.mu.Unlock()
	return nil
}
