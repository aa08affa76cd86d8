// Package goroutines reads goroutine dumps and profiles into one model.
//
// It understands the forms a Go service leaves behind: debug=2 dumps
// (/debug/pprof/goroutine?debug=2), tracebacks printed on a panic or a
// SIGQUIT (with the text around them), runtime.Stack output, debug=1
// text profiles, and goroutine and goroutineleak profiles in pprof
// format. The format is recognized from the content, never from the
// file name.
//
// Formats that list each goroutine give one Goroutine per goroutine,
// with its state and wait time; the aggregated formats (debug=1 and
// pprof) give one Goroutine per distinct stack, with Count set and no
// state. Judging what leaks is the business of package diagnose.
package goroutines

import (
	"strings"
	"time"

	"github.com/silentfail/silentfail/internal/members"
)

// Format is the kind of input a Snapshot was read from.
type Format string

const (
	// FormatDump lists every goroutine with its state: a debug=2 dump,
	// a panic or SIGQUIT traceback, runtime.Stack output.
	FormatDump Format = "dump"
	// FormatText is the debug=1 text profile: one record per stack.
	FormatText Format = "debug1"
	// FormatProfile is a pprof protocol buffer (gzipped or not).
	FormatProfile Format = "pprof"
)

// Profile names what a snapshot counts.
const (
	ProfileGoroutine     = "goroutine"
	ProfileGoroutineLeak = "goroutineleak" // goroutines the GC proved blocked forever (on by default from Go 1.27)
)

// A Snapshot is one capture: every goroutine of a process at one time.
type Snapshot struct {
	Source  string    // the file or URL it was read from
	Time    time.Time // when it was captured; zero when unknown
	Format  Format
	Profile string // ProfileGoroutine or ProfileGoroutineLeak
	// Header and Trailer are the text before the first goroutine and
	// after the last one in a traceback: the panic message, the signal,
	// the registers of a crash.
	Header, Trailer string
	Goroutines      []*Goroutine
	// Truncated says where the input was cut when it ended inside a
	// goroutine's stack or header; what came before is kept.
	Truncated string
	// Capture is what the capture directory of silentfail watch says
	// about why the snapshot was taken; nil for other inputs.
	Capture *CaptureInfo
}

// The pprof labels silentfail watch's middleware puts on each
// request's goroutines: RequestLabel tells requests apart, PathLabel
// and RouteLabel say what was asked (with context labels).
const (
	RequestLabel = "silentfail.request"
	PathLabel    = "http.path"
	RouteLabel   = "http.route"
)

// CaptureInfo is why silentfail watch took a capture (its capture.json).
type CaptureInfo struct {
	Rule   string // the rule that fired: "goroutines-growth", "slow-request"...
	Reason string
	// Request is set for a capture of requests past their deadline:
	// the capture then holds only their goroutines.
	Request *RequestInfo
}

// RequestInfo describes the late requests of a slow-request capture.
type RequestInfo struct {
	ID       string // the RequestLabel value
	Requests int    // how many late requests share it
	// Method, Path, Route and RequestID (the X-Request-Id header) are
	// known when the service's middleware labels contexts.
	Method, Path, Route, RequestID string
	Elapsed                        time.Duration // how long they had been running, at least
}

// Total returns the number of goroutines the snapshot accounts for.
func (s *Snapshot) Total() int {
	n := 0
	for _, g := range s.Goroutines {
		n += g.Count
	}
	return n
}

// A Goroutine is one goroutine of a dump, or, in an aggregated profile,
// Count goroutines with the same stack.
type Goroutine struct {
	ID    int64 // 0 in aggregated profiles
	Count int   // 1 in dumps
	// State is the wait reason or status in the dump header: "chan
	// send", "select", "IO wait", "semacquire", "running", "runnable",
	// "sleep", "sync.Mutex.Lock"... Empty in aggregated profiles.
	State string
	// WaitMinutes is how long the goroutine has been blocked, as the
	// runtime prints it ("[chan send, 15 minutes]"); 0 when not printed
	// (blocked for less than a minute) or unknown.
	WaitMinutes int
	Locked      bool              // "locked to thread"
	Leaked      bool              // "(leaked)" in the header, or from a goroutineleak profile
	Labels      map[string]string // pprof labels, when the format carries them; read-only: the goroutines of a dump with the same labels share one map
	Stack       []Frame           // innermost call first
	// Elided is set when the runtime left frames out ("...additional
	// frames elided...").
	Elided    bool
	CreatedBy *Frame // the go statement that started it; nil for main and runtime-created goroutines
	CreatorID int64  // "created by ... in goroutine N" (Go 1.21+); 0 when not printed
	// Members are the goroutines a folded record stands for (Fold):
	// their ids and wait minutes (see Members); nil otherwise. ID and
	// WaitMinutes are then the first member's, and CreatorID 0.
	Members *Members
}

// Members lists the goroutines of a folded record: Len says how many,
// All yields each one's id and wait minutes (as WaitMinutes), in dump
// order, but for ids far out of order in a long record, which it
// yields sorted a few thousand at a time. They are stored compactly, a
// few bytes a goroutine (ids as varint differences from the one
// before, waits as varints, in chunks of bounded size), so that a dump
// of millions of goroutines takes tens of megabytes.
type Members = members.List

// A Frame is one call in a stack.
type Frame struct {
	Function string // fully qualified: "net/http.(*conn).serve", "main.main.func1"
	File     string // absolute path as recorded in the binary
	Line     int
}

// Package returns the import path of the frame's function:
// "net/http" for "net/http.(*conn).serve", "main" for "main.main.func1".
func (f Frame) Package() string {
	name := f.Function
	slash := strings.LastIndexByte(name, '/')
	dot := strings.IndexByte(name[slash+1:], '.')
	if dot < 0 {
		return name
	}
	return name[:slash+1+dot]
}
