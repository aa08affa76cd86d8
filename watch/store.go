package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The file names of a capture directory.
const (
	FileDump          = "goroutine.txt"       // debug=2 dump (request captures: debug=1 text of the request's goroutines)
	FileGoroutine     = "goroutine.pb.gz"     // goroutine profile, pprof format
	FileHeap          = "heap.pb.gz"          // heap profile, pprof format
	FileGoroutineLeak = "goroutineleak.pb.gz" // goroutineleak profile, when the runtime has it
	FileMeta          = "capture.json"        // Meta
)

// tmpPrefix marks a capture being written. A directory with this
// prefix is never a capture: readers skip it, and a store removes
// leftovers of a crashed process when it opens.
const tmpPrefix = ".silentfail-tmp-"

// timeLayout is the UTC time at the head of a capture's name; names
// sort in time order.
const timeLayout = "20060102T150405.000Z"

var captureName = regexp.MustCompile(`^(\d{8}T\d{6}\.\d{3}Z)-(\d{4})-([a-z0-9-]+)$`)

// Meta is the content of capture.json.
type Meta struct {
	Time   time.Time          `json:"time"`
	Rule   string             `json:"rule"`   // the first rule that fired, or "slow-request"
	Reason string             `json:"reason"` // one line per rule that fired
	Values map[Metric]float64 `json:"values"` // the sample that fired (known values only)
	Fired  []string           `json:"fired,omitempty"`
	// Source says what was captured: "process 1234 (name)" in process,
	// the /debug/pprof/ URL for a Poller.
	Source  string       `json:"source"`
	Request *RequestInfo `json:"request,omitempty"`
	Files   []string     `json:"files"`
	// Skipped names the profiles left out on purpose, and why.
	Skipped []string `json:"skipped,omitempty"`
}

// RequestInfo describes the requests of a slow-request capture.
type RequestInfo struct {
	ID string `json:"id"` // the value of the LabelRequest pprof label
	// Requests is the number of late requests the capture holds: those
	// that started in the same deadline check interval, by default; 1
	// WithContextLabels.
	Requests int `json:"requests"`
	// Method, Path, Route and RequestID (the X-Request-Id header, to
	// find the request in logs) are known WithContextLabels only.
	Method    string `json:"method,omitempty"`
	Path      string `json:"path,omitempty"`
	Route     string `json:"route,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	// Started is when the deadline check before the requests ran: they
	// started less than a check interval (the deadline / 8) later.
	// Elapsed counts from Started.
	Started time.Time     `json:"started"`
	Elapsed time.Duration `json:"elapsed_ns"`
}

// A Capture is one capture directory.
type Capture struct {
	Name  string    // directory name: "20261123T021500.123Z-0001-goroutines-ceiling"
	Path  string    // full path
	Time  time.Time // from the name
	Seq   int
	Rule  string
	Files []string // sorted
	Bytes int64
}

// ListCaptures returns the captures in dir, oldest first. Entries that
// are not captures (other files, captures being written) are ignored.
func ListCaptures(dir string) ([]Capture, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("watch: listing captures: %w", err)
	}
	var out []Capture
	for _, e := range entries {
		m := captureName.FindStringSubmatch(e.Name())
		if m == nil || !e.IsDir() {
			continue
		}
		t, err := time.Parse(timeLayout, m[1])
		if err != nil {
			continue
		}
		seq, _ := strconv.Atoi(m[2])
		c := Capture{Name: e.Name(), Path: filepath.Join(dir, e.Name()), Time: t, Seq: seq, Rule: m[3]}
		files, err := os.ReadDir(c.Path)
		if err != nil {
			continue
		}
		hasMeta := false
		for _, f := range files {
			info, err := f.Info()
			if err != nil || !info.Mode().IsRegular() {
				continue
			}
			c.Files = append(c.Files, f.Name())
			c.Bytes += info.Size()
			hasMeta = hasMeta || f.Name() == FileMeta
		}
		if hasMeta { // capture.json is written last: without it, not ours
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Capture) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// ReadMeta reads a capture's capture.json.
func ReadMeta(captureDir string) (*Meta, error) {
	b, err := os.ReadFile(filepath.Join(captureDir, FileMeta))
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("watch: %s: %v", filepath.Join(captureDir, FileMeta), err)
	}
	return &m, nil
}

// errSkip from a captureFile's write means "this profile does not
// exist here": the file is left out, the capture goes on.
var errSkip = errors.New("skip")

type captureFile struct {
	name  string
	write func(ctx context.Context, w io.Writer) error
}

// A store writes captures into one directory and rotates them.
type store struct {
	dir         string
	maxCaptures int
	maxBytes    int64

	mu  sync.Mutex
	seq int
}

func openStore(dir string, maxCaptures int, maxBytes int64) (*store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("watch: capture directory: %w", err)
	}
	s := &store{dir: dir, maxCaptures: maxCaptures, maxBytes: maxBytes}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("watch: capture directory: %w", err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			os.RemoveAll(filepath.Join(dir, e.Name())) // a capture a crashed process left half-written
		}
		if m := captureName.FindStringSubmatch(e.Name()); m != nil {
			n, _ := strconv.Atoi(m[2])
			s.seq = max(s.seq, n)
		}
	}
	return s, nil
}

var slugUnsafe = regexp.MustCompile(`[^a-z0-9-]+`)

// write writes one capture: the files in a temporary directory, then
// capture.json, then one rename. Cancelling ctx, or any failure, removes
// the temporary directory: readers never see a partial capture.
func (s *store) write(ctx context.Context, meta Meta, files []captureFile) (c Capture, err error) {
	s.mu.Lock()
	s.seq = s.seq%9999 + 1
	seq := s.seq
	s.mu.Unlock()

	slug := strings.Trim(slugUnsafe.ReplaceAllString(strings.ToLower(meta.Rule), "-"), "-")
	if slug == "" {
		slug = "capture"
	}
	name := fmt.Sprintf("%s-%04d-%s", meta.Time.UTC().Format(timeLayout), seq, slug)
	tmp := filepath.Join(s.dir, tmpPrefix+name)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return c, fmt.Errorf("watch: capture %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	var bytes int64
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return c, fmt.Errorf("watch: capture %s abandoned before %s: %w", name, f.name, err)
		}
		n, err := writeFile(ctx, filepath.Join(tmp, f.name), f.write)
		if errors.Is(err, errSkip) {
			continue
		}
		if err != nil {
			return c, fmt.Errorf("watch: capture %s: %s: %w", name, f.name, err)
		}
		bytes += n
		meta.Files = append(meta.Files, f.name)
	}
	meta.Files = append(meta.Files, FileMeta)
	js, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return c, fmt.Errorf("watch: capture %s: %w", name, err)
	}
	js = append(js, '\n')
	if err := os.WriteFile(filepath.Join(tmp, FileMeta), js, 0o644); err != nil {
		return c, fmt.Errorf("watch: capture %s: %w", name, err)
	}
	if err := ctx.Err(); err != nil {
		return c, fmt.Errorf("watch: capture %s abandoned: %w", name, err)
	}
	final := filepath.Join(s.dir, name)
	if err := os.Rename(tmp, final); err != nil {
		return c, fmt.Errorf("watch: capture %s: %w", name, err)
	}
	files2 := slices.Clone(meta.Files)
	slices.Sort(files2)
	c = Capture{Name: name, Path: final, Time: meta.Time.UTC().Truncate(time.Millisecond), Seq: seq, Rule: slug,
		Files: files2, Bytes: bytes + int64(len(js))}
	return c, nil
}

// writeFile writes one file with write and returns its size.
func writeFile(ctx context.Context, path string, write func(context.Context, io.Writer) error) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	cw := &countingWriter{w: f}
	werr := write(ctx, cw)
	cerr := f.Close()
	if werr != nil {
		os.Remove(path)
		return 0, werr
	}
	return cw.n, cerr
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// rotate removes the oldest captures until at most maxCaptures remain
// and they total at most maxBytes; the newest capture always stays.
// Only directories ListCaptures recognizes are removed.
func (s *store) rotate() (removed []string, err error) {
	caps, err := ListCaptures(s.dir)
	if err != nil {
		return nil, err
	}
	var total int64
	for _, c := range caps {
		total += c.Bytes
	}
	for len(caps) > 1 && ((s.maxCaptures > 0 && len(caps) > s.maxCaptures) || (s.maxBytes > 0 && total > s.maxBytes)) {
		old := caps[0]
		if err := os.RemoveAll(old.Path); err != nil {
			return removed, fmt.Errorf("watch: rotating captures: %w", err)
		}
		removed = append(removed, old.Name)
		total -= old.Bytes
		caps = caps[1:]
	}
	return removed, nil
}
