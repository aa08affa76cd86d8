package main

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// sessions keeps the logged-in users' sessions and expires old ones.
type sessions struct {
	mu   sync.Mutex
	seen map[string]time.Time
	stop chan struct{}
	done chan struct{} // closed when the janitor has stopped
}

func newSessions() *sessions {
	return &sessions{seen: map[string]time.Time{}, stop: make(chan struct{}), done: make(chan struct{})}
}

var errNoSession = errors.New("no such session")

// Len is the number of live sessions.
func (s *sessions) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

// Touch extends a session, and makes room when there are too many.
func (s *sessions) Touch(id string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen[id] = now
	// BUG(relock.calls): Len locks s.mu again while Touch holds it: the first Touch hangs, and every request after it
	if s.Len() > 10000 {
		s.evictOldestLocked()
	}
}

// Rename moves a session to the id a re-login gave it.
func (s *sessions) Rename(from, to string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.seen[from]
	if !ok {
		return false
	}
	delete(s.seen, from)
	// BUG(relock): a Lock left from an earlier version that unlocked above: s.mu is still held, so Rename waits for itself, and every request after it
	s.mu.Lock()
	s.seen[to] = t
	return true
}

// evictOldestLocked drops the session seen longest ago; s.mu is held.
func (s *sessions) evictOldestLocked() {
	var oldest string
	for id, t := range s.seen {
		if oldest == "" || t.Before(s.seen[oldest]) {
			oldest = id
		}
	}
	delete(s.seen, oldest)
}

// End closes a session.
func (s *sessions) End(id string) error {
	s.mu.Lock()
	if _, ok := s.seen[id]; !ok {
		// BUG(unreleased): ending an unknown session returns with s.mu still locked: every later request hangs on it
		return errNoSession
	}
	delete(s.seen, id)
	s.mu.Unlock()
	return nil
}

// janitor expires the sessions older than maxAge until Close.
func (s *sessions) janitor(maxAge time.Duration) {
	defer close(s.done)
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case now := <-tick.C:
			s.mu.Lock()
			for id, t := range s.seen {
				if now.Sub(t) > maxAge {
					delete(s.seen, id)
				}
			}
			s.mu.Unlock()
		}
	}
}

// Close stops the janitor.
func (s *sessions) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.stop)
	// BUG(lockwait): Close waits for the janitor holding s.mu; a janitor woken by its ticker waits for s.mu before it can stop: both hang
	<-s.done
}

// Export writes the session count to w in the background; the channel
// gives the write's error.
func (s *sessions) Export(w io.Writer) <-chan error {
	errc := make(chan error)
	if w == nil {
		// BUG(lonechan): nobody can receive yet (the caller gets errc only after this send): the request hangs here
		errc <- errors.New("export: no writer")
		return errc
	}
	go func() {
		_, err := fmt.Fprintln(w, s.Len())
		errc <- err
	}()
	return errc
}

// warm loads the sessions kept by each shard at start.
func (s *sessions) warm(shards []func() int) int {
	var wg sync.WaitGroup
	loaded := make([]int, len(shards))
	wg.Add(len(shards))
	for i, load := range shards {
		go func() {
			defer wg.Done()
			loaded[i] = load()
		}()
		// BUG(waitgroup): Wait inside the loop waits for every shard the Add above counted, but only this one has started: with two shards start-up hangs here
		wg.Wait()
	}
	total := 0
	for _, n := range loaded {
		total += n
	}
	return total
}
