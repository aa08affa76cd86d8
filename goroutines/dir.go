package goroutines

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// errNotGoroutines marks a valid profile of something else (a heap
// profile in a capture directory): skipped, not an error.
var errNotGoroutines = errors.New("not a goroutine profile")

// The files of a capture directory written by silentfail watch.
const (
	captureDump = "goroutine.txt"
	captureProf = "goroutine.pb.gz"
	captureLeak = "goroutineleak.pb.gz"
	captureMeta = "capture.json"
)

// ReadDir reads every capture in dir, oldest first: goroutine dumps and
// profiles directly in it, and the capture directories silentfail watch
// writes (one per capture: the debug=2 dump, or else the goroutine
// profile, plus the goroutineleak profile when there is one, as a
// second snapshot with the same Time). Heap profiles and metadata are
// skipped; a file that is not a capture at all is an error naming it.
// Snapshots are ordered by capture time (capture.json, else the
// profile's time, else the file's modification time).
func ReadDir(dir string, opts ...Option) ([]*Snapshot, error) {
	snaps, skipped, err := readDir(dir, false, opts)
	if err == nil && len(skipped) > 0 {
		err = skipped[0]
	}
	if err != nil {
		return nil, err
	}
	return snaps, nil
}

// ReadDirSkipping is ReadDir that salvages what it can: a file or
// capture that cannot be read is skipped, and its error returned in
// skipped, one line naming it. The error is for a directory that holds
// nothing usable.
func ReadDirSkipping(dir string, opts ...Option) (snaps []*Snapshot, skipped []error, err error) {
	return readDir(dir, true, opts)
}

func readDir(dir string, lenient bool, opts []Option) ([]*Snapshot, []error, error) {
	if isCapture(dir) {
		snaps, err := readCapture(dir, opts)
		return snaps, nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", dir, errors.Unwrap(err))
	}
	var out []*Snapshot
	var skipped []error
	for _, e := range entries {
		name, path := e.Name(), filepath.Join(dir, e.Name())
		switch {
		case strings.HasPrefix(name, "."):
			continue // hidden, or a capture being written
		case e.IsDir():
			if !isCapture(path) {
				continue
			}
			snaps, err := readCapture(path, opts)
			if err != nil {
				if !lenient {
					return nil, nil, err
				}
				skipped = append(skipped, err)
				continue
			}
			out = append(out, snaps...)
		case strings.HasSuffix(name, ".json"):
			continue
		default:
			s, err := ParseFile(path, opts...)
			if errors.Is(err, errNotGoroutines) {
				continue
			}
			if err != nil {
				if !lenient {
					return nil, nil, err
				}
				skipped = append(skipped, err)
				continue
			}
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		if len(skipped) > 0 {
			return nil, skipped, fmt.Errorf("%s: no readable goroutine dump or profile in it (%d files skipped; the first: %v)", dir, len(skipped), skipped[0])
		}
		return nil, nil, fmt.Errorf("%s: no goroutine dump or profile in it", dir)
	}
	slices.SortStableFunc(out, func(a, b *Snapshot) int { return a.Time.Compare(b.Time) })
	return out, skipped, nil
}

func isCapture(dir string) bool {
	for _, f := range []string{captureMeta, captureDump, captureProf} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}

// readCapture reads one capture directory.
func readCapture(dir string, opts []Option) ([]*Snapshot, error) {
	var at time.Time
	var info *CaptureInfo
	if b, err := os.ReadFile(filepath.Join(dir, captureMeta)); err == nil {
		var meta struct {
			Time    time.Time `json:"time"`
			Rule    string    `json:"rule"`
			Reason  string    `json:"reason"`
			Request *struct {
				ID        string        `json:"id"`
				Requests  int           `json:"requests"`
				Method    string        `json:"method"`
				Path      string        `json:"path"`
				Route     string        `json:"route"`
				RequestID string        `json:"request_id"`
				Elapsed   time.Duration `json:"elapsed_ns"`
			} `json:"request"`
		}
		if err := json.Unmarshal(b, &meta); err != nil {
			return nil, fmt.Errorf("%s: %v", filepath.Join(dir, captureMeta), err)
		}
		at = meta.Time
		info = &CaptureInfo{Rule: meta.Rule, Reason: meta.Reason}
		if r := meta.Request; r != nil {
			info.Request = &RequestInfo{ID: r.ID, Requests: r.Requests, Method: r.Method, Path: r.Path, Route: r.Route, RequestID: r.RequestID, Elapsed: r.Elapsed}
		}
	}
	var out []*Snapshot
	main := filepath.Join(dir, captureDump)
	if _, err := os.Stat(main); err != nil {
		main = filepath.Join(dir, captureProf)
	}
	for _, path := range []string{main, filepath.Join(dir, captureLeak)} {
		if _, err := os.Stat(path); err != nil {
			continue
		}
		s, err := ParseFile(path, opts...)
		if err != nil {
			return nil, err
		}
		if !at.IsZero() {
			s.Time = at
		}
		s.Capture = info
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: a capture without a goroutine dump or profile", dir)
	}
	return out, nil
}
