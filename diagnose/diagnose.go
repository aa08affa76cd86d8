package diagnose

import (
	"cmp"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/silentfail/silentfail/goroutines"
	"github.com/silentfail/silentfail/internal/members"
)

// Verdict is the judgement on one group of goroutines.
type Verdict string

const (
	Leak    Verdict = "leak"
	Stuck   Verdict = "stuck" // the goroutines of a request past its deadline (a slow-request capture)
	Suspect Verdict = "suspect"
	OK      Verdict = "ok"
)

func (v Verdict) rank() int {
	switch v {
	case Leak:
		return 0
	case Stuck:
		return 1
	case Suspect:
		return 2
	}
	return 3
}

// A Finding is one static finding of silentfail check, with the
// function declaration it lies in, so that a goroutine's frame can be
// matched to it.
type Finding struct {
	Check   string `json:"check"`
	Message string `json:"message"`
	File    string `json:"file"` // as the checker printed it, usually relative to the module
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	// Func is the enclosing function declaration: its runtime name and
	// the lines it spans in File.
	Func      string `json:"function,omitempty"`
	FuncStart int    `json:"-"`
	FuncEnd   int    `json:"-"`
}

// SnapshotInfo describes one input snapshot in a report.
type SnapshotInfo struct {
	Source  string    `json:"source"`
	Time    time.Time `json:"time,omitzero"`
	Profile string    `json:"profile"`
	Format  string    `json:"format"`
	Total   int       `json:"total"`
}

// A Group is the goroutines sharing one stack.
type Group struct {
	Verdict Verdict `json:"verdict"`
	Reason  string  `json:"reason"`
	// Counts has one entry per goroutine snapshot of the timeline
	// (Report.Timeline), 0 where the group is absent.
	Counts    []int              `json:"count"`
	State     string             `json:"state"`
	WaitMin   int                `json:"-"`
	WaitMax   int                `json:"-"`
	Leaked    int                `json:"leaked"` // goroutines the goroutineleak profile lists
	Culprit   *goroutines.Frame  `json:"-"`
	CreatedBy *goroutines.Frame  `json:"-"`
	Stack     []goroutines.Frame `json:"-"`
	Labels    map[string]string  `json:"labels,omitempty"`
	Findings  []Finding          `json:"findings"`
	key       string

	// Request is the late request whose goroutines the group is, when
	// the group comes from a slow-request capture of silentfail watch.
	Request *goroutines.RequestInfo `json:"-"`
	// CaptureReason is why that capture was taken.
	CaptureReason string `json:"-"`

	// waits holds, per snapshot of the timeline, the goroutine ids of
	// the group and how many minutes each had waited; nil where the
	// format has no ids (profiles).
	waits []*memberSet
}

// Last returns the group's count in the last snapshot.
func (g *Group) Last() int { return g.Counts[len(g.Counts)-1] }

// Size returns the group's count in the last snapshot, or the number
// the goroutineleak profile listed when that is larger.
func (g *Group) Size() int { return max(g.Last(), g.Leaked) }

// Growth returns the last count minus the first.
func (g *Group) Growth() int { return g.Last() - g.Counts[0] }

// A Report is what Analyze concludes.
type Report struct {
	Snapshots []SnapshotInfo `json:"snapshots"`
	// Timeline are the indexes in Snapshots of the goroutine snapshots
	// the groups' Counts refer to, oldest first.
	Timeline []int    `json:"-"`
	Groups   []*Group `json:"groups"` // worst first
	Notes    []string `json:"notes"`
}

// Stuck returns the number of groups judged stuck.
func (r *Report) Stuck() int {
	n := 0
	for _, g := range r.Groups {
		if g.Verdict == Stuck {
			n++
		}
	}
	return n
}

// Leaks returns the number of groups judged leak.
func (r *Report) Leaks() int {
	n := 0
	for _, g := range r.Groups {
		if g.Verdict == Leak {
			n++
		}
	}
	return n
}

// Analyze judges the snapshots, which may come in any order: goroutine
// snapshots form the timeline (ordered by time when every one has a
// time, else in the order given); goroutineleak snapshots mark the groups
// they list.
func Analyze(snaps []*goroutines.Snapshot, opts ...Option) (*Report, error) {
	cfg := newConfig(opts)
	if len(snaps) == 0 {
		return nil, errors.New("diagnose: no snapshot")
	}
	rep := &Report{}
	var timeline, leaks []int
	for i, s := range snaps {
		rep.Snapshots = append(rep.Snapshots, SnapshotInfo{Source: s.Source, Time: s.Time, Profile: s.Profile, Format: string(s.Format), Total: s.Total()})
		if s.Profile == goroutines.ProfileGoroutineLeak && !allLeakOnly(snaps) {
			leaks = append(leaks, i)
		} else {
			timeline = append(timeline, i)
		}
	}
	if allTimed(snaps, timeline) {
		slices.SortStableFunc(timeline, func(a, b int) int { return snaps[a].Time.Compare(snaps[b].Time) })
	}
	rep.Timeline = timeline
	lives := restarts(snaps, timeline)
	for _, t := range lives[1:] {
		rep.Notes = append(rep.Notes, fmt.Sprintf("The process restarted between snapshots %d and %d (its goroutine ids start over): each life is judged on its own, then together.", t, t+1))
	}
	cfg.goroot = gorootOf(snaps)
	if len(timeline) > 0 {
		cfg.ending = snaps[timeline[len(timeline)-1]].Ending()
	}
	switch e := cfg.ending; {
	case e.Deadlock:
		rep.Notes = append(rep.Notes, "The program ended in the runtime's deadlock crash (all goroutines are asleep): every blocked goroutine of the user's code in it is blocked for good.")
	case e.AfterTests:
		rep.Notes = append(rep.Notes, "A test binary's TestMain wrote this dump after the tests returned: the goroutines of the user's code still blocked were left behind by them.")
	case e.TestTimeout != "":
		rep.Notes = append(rep.Notes, fmt.Sprintf("A hung test: the test binary timed out after %s while running %s; the goroutines of the user's code still blocked then are what it hung on.", e.TestTimeout, strings.Join(e.Tests, ", ")))
	}

	groups := make(map[string]*Group)
	var order []*Group
	get := func(key string, g *goroutines.Goroutine) *Group {
		grp := groups[key]
		if grp != nil && grp.CreatedBy == nil && g.CreatedBy != nil {
			grp.CreatedBy = g.CreatedBy
		}
		if grp == nil {
			grp = &Group{key: key, Counts: make([]int, len(timeline)), WaitMin: -1, Stack: g.Stack, CreatedBy: g.CreatedBy, Labels: g.Labels}
			groups[key] = grp
			order = append(order, grp)
		}
		return grp
	}
	states := make(map[*Group]map[string]int)
	for t, i := range timeline {
		leakedIn := make(map[*Group]int) // goroutines marked leaked, in this snapshot
		for _, g := range snaps[i].Goroutines {
			grp := get(cfg.key(g), g)
			grp.Counts[t] += g.Count
			if c := snaps[i].Capture; c != nil && c.Request != nil && grp.Request == nil {
				grp.Request, grp.CaptureReason = c.Request, c.Reason
			}
			if g.ID != 0 || g.Members != nil {
				if grp.waits == nil {
					grp.waits = make([]*memberSet, len(timeline))
				}
				if grp.waits[t] == nil {
					grp.waits[t] = &memberSet{}
				}
				grp.waits[t].add(g)
			}
			if g.Leaked {
				leakedIn[grp] += g.Count
				grp.Leaked = max(grp.Leaked, leakedIn[grp])
			}
			st := g.State
			if st == "" {
				st = inferState(g.Stack)
			}
			if states[grp] == nil {
				states[grp] = make(map[string]int)
			}
			states[grp][st] += g.Count
			lo, hi, ok := g.WaitMinutes, g.WaitMinutes, true
			if g.Members != nil {
				lo, hi, ok = members.Waits(g.Members)
			}
			if ok {
				grp.WaitMax = max(grp.WaitMax, hi)
				if grp.WaitMin < 0 || lo < grp.WaitMin {
					grp.WaitMin = lo
				}
			}
		}
	}
	for _, i := range leaks {
		perGroup := make(map[*Group]int)
		for _, g := range snaps[i].Goroutines {
			if snaps[i].Format == goroutines.FormatDump && !g.Leaked {
				// A goroutineleak dump (debug=2) lists every goroutine
				// and marks the leaked ones; the others, the writer
				// included, are not proven anything.
				continue
			}
			grp := get(cfg.key(g), g)
			perGroup[grp] += g.Count
			if states[grp] == nil {
				states[grp] = map[string]int{inferState(g.Stack): g.Count}
			}
		}
		for grp, n := range perGroup {
			grp.Leaked = max(grp.Leaked, n)
		}
	}
	for _, grp := range order {
		grp.State = mostCommon(states[grp])
		grp.WaitMin = max(grp.WaitMin, 0)
		grp.Culprit = cfg.culprit(grp.Stack)
		cfg.judgeLives(grp, lives)
		grp.Findings = cfg.link(grp)
	}
	slices.SortStableFunc(order, func(a, b *Group) int {
		return cmp.Or(
			cmp.Compare(a.Verdict.rank(), b.Verdict.rank()),
			cmp.Compare(b.Leaked, a.Leaked),
			cmp.Compare(b.Growth(), a.Growth()),
			cmp.Compare(b.Last(), a.Last()),
		)
	})
	rep.Groups = order
	switch {
	case len(timeline) == 1:
		rep.Notes = append(rep.Notes, "One goroutine snapshot: growth cannot be judged. The verdicts rest on goroutineleak, wait times and the number of goroutines blocked together; take more snapshots (-samples, or a directory of captures) to see what grows.")
	case len(timeline) < cfg.minSamples:
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d goroutine snapshots: growth is only suspect below %d.", len(timeline), cfg.minSamples))
	}
	if len(leaks) == 0 {
		rep.Notes = append(rep.Notes, "No goroutineleak profile (Go 1.27+ runtimes serve /debug/pprof/goroutineleak): leaks proven by the garbage collector would be certain.")
	}
	return rep, nil
}

// allLeakOnly reports whether every snapshot is a goroutineleak one:
// then they form the timeline themselves.
func allLeakOnly(snaps []*goroutines.Snapshot) bool {
	for _, s := range snaps {
		if s.Profile != goroutines.ProfileGoroutineLeak {
			return false
		}
	}
	return true
}

func allTimed(snaps []*goroutines.Snapshot, idx []int) bool {
	for _, i := range idx {
		if snaps[i].Time.IsZero() {
			return false
		}
	}
	return true
}

func mostCommon(m map[string]int) string {
	best, n := "", -1
	for k, v := range m {
		if v > n || v == n && k < best {
			best, n = k, v
		}
	}
	return best
}

// key returns the grouping key of g: the functions (and lines) of its
// frames outside the runtime package. Tracebacks hide the runtime's
// frames (gopark, chansend, goexit) that profiles list, and only dumps
// name the creator: neither may split a group across formats.
func (c *config) key(g *goroutines.Goroutine) string {
	var b strings.Builder
	for _, f := range g.Stack {
		if strings.HasPrefix(f.Function, "runtime.") {
			continue
		}
		b.WriteString(f.Function)
		if !c.byFunction {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(f.Line))
		}
		b.WriteByte('\n')
	}
	if b.Len() == 0 && len(g.Stack) > 0 {
		// Only runtime frames: the runtime's own goroutines.
		f := g.Stack[len(g.Stack)-1]
		b.WriteString(f.Function)
	}
	return b.String()
}

// inferState names the wait of a goroutine from its innermost frames,
// for the aggregated formats that carry no state.
func inferState(stack []goroutines.Frame) string {
	for _, f := range stack {
		switch fn := f.Function; {
		case fn == "runtime.chansend" || fn == "runtime.chansend1":
			return "chan send"
		case fn == "runtime.chanrecv" || fn == "runtime.chanrecv1" || fn == "runtime.chanrecv2":
			return "chan receive"
		case fn == "runtime.selectgo" || fn == "runtime.block":
			return "select"
		case strings.HasPrefix(fn, "sync.(*WaitGroup).Wait"):
			return "sync.WaitGroup.Wait"
		case strings.HasPrefix(fn, "sync.(*Cond).Wait"):
			return "sync.Cond.Wait"
		case strings.HasPrefix(fn, "sync.(*RWMutex).RLock"):
			return "sync.RWMutex.RLock"
		case strings.HasPrefix(fn, "sync.(*RWMutex).Lock"):
			return "sync.RWMutex.Lock"
		case strings.HasPrefix(fn, "sync.(*Mutex).Lock"):
			return "sync.Mutex.Lock"
		case fn == "internal/poll.runtime_pollWait":
			return "IO wait"
		case fn == "time.Sleep":
			return "sleep"
		case fn == "syscall.Syscall" || fn == "syscall.Syscall6" || fn == "syscall.RawSyscall6":
			return "syscall"
		}
	}
	return ""
}

// waitKind sorts states: blocked on a peer (channel, select, lock,
// WaitGroup, Cond), idle by design (IO wait, sleep), or active.
type waitKind int

const (
	active waitKind = iota
	idle
	blockedRecv // waiting for work: a receive or a select
	blockedSend // waiting for someone to take or release: send, lock, WaitGroup
)

func kindOf(state string) waitKind {
	s := state
	if i := strings.IndexByte(s, ','); i >= 0 {
		s = s[:i]
	}
	switch {
	case strings.HasPrefix(s, "chan send"), strings.HasPrefix(s, "sync."), strings.HasPrefix(s, "semacquire"),
		s == "sync.Mutex.Lock", strings.HasPrefix(s, "sync.RWMutex"):
		return blockedSend
	case strings.HasPrefix(s, "chan receive"), strings.HasPrefix(s, "select"):
		return blockedRecv
	case s == "IO wait", s == "sleep", s == "syscall", strings.HasPrefix(s, "GC"), s == "finalizer wait", s == "force gc (idle)":
		return idle
	}
	return active
}

// isLibrary reports whether a frame is the runtime's, the standard
// library's, golang.org/x's or the test binary's generated main: not
// where a user's bug is. With the GOROOT the dump's runtime frames give,
// the standard library is what lives under it, so a module path without
// a dot ("kernel", "myservice") is the user's; without it, a path
// without a dot is taken for the standard library.
func (c *config) isLibrary(f goroutines.Frame) bool {
	pkg := f.Package()
	if strings.HasPrefix(pkg, "golang.org/x/") || strings.HasSuffix(f.File, "_testmain.go") {
		return true
	}
	if pkg == "main" || strings.HasPrefix(pkg, "main.") {
		return false
	}
	if c.goroot != "" && f.File != "" {
		return strings.HasPrefix(f.File, c.goroot+"/src/")
	}
	first, _, _ := strings.Cut(pkg, "/")
	return !strings.Contains(first, ".")
}

// gorootOf returns the GOROOT the snapshots' standard library frames
// were built in ("/usr/local/go"), or "". Tracebacks leave out the
// runtime's own frames, so any package that is surely the standard
// library's will do.
func gorootOf(snaps []*goroutines.Snapshot) string {
	for _, s := range snaps {
		for _, g := range s.Goroutines {
			for _, f := range g.Stack {
				pkg := f.Package()
				if !stdAnchors[pkg] {
					continue
				}
				if i := strings.LastIndex(f.File, "/src/"+pkg+"/"); i > 0 {
					return f.File[:i]
				}
			}
		}
	}
	return ""
}

// stdAnchors are standard packages whose frames appear in most dumps.
var stdAnchors = map[string]bool{
	"runtime": true, "sync": true, "testing": true, "time": true, "os": true, "net": true,
	"internal/poll": true, "syscall": true, "io": true, "bufio": true, "net/http": true,
	"context": true, "os/signal": true, "reflect": true, "runtime/pprof": true,
}

// culprit returns the innermost frame in the user's code.
func (c *config) culprit(stack []goroutines.Frame) *goroutines.Frame {
	if c.module != "" {
		for i := range stack {
			if p := stack[i].Package(); p == c.module || strings.HasPrefix(p, c.module+"/") {
				return &stack[i]
			}
		}
	}
	for i := range stack {
		if !c.isLibrary(stack[i]) {
			return &stack[i]
		}
	}
	return nil
}

// ignored returns the ignore pattern that matches a frame of the
// group, or of its creator, when no frame of the user's code runs
// inside the matching one: a test's goroutine (testing.tRunner calling
// TestX) or a handler a server's loop calls is the user's, not the
// framework's.
func (c *config) ignored(g *Group) string {
	inner := len(g.Stack) // index of the innermost user frame
	for i := range g.Stack {
		if !c.isLibrary(g.Stack[i]) {
			inner = i
			break
		}
	}
	for i, f := range g.Stack {
		for _, p := range c.ignore {
			if strings.HasPrefix(f.Function, p) && i < inner {
				return p
			}
		}
	}
	if g.CreatedBy != nil && inner == len(g.Stack) {
		for _, p := range c.ignore {
			if strings.HasPrefix(g.CreatedBy.Function, p) {
				return p
			}
		}
	}
	return ""
}

// judge sets the verdict and its reason.
func (c *config) judge(g *Group, samples int) {
	where := "in " + g.stateText()
	if g.Culprit != nil {
		where += " at " + frameAt(*g.Culprit)
	}
	kind := kindOf(g.State)
	blocked := kind == blockedSend || kind == blockedRecv
	growing := samples >= 2 && g.Growth() >= c.minGrowth && nonDecreasing(g.Counts)
	id := g.identity()
	stuck := blocked
	switch {
	case g.Leaked > 0:
		g.Verdict = Leak
		g.Reason = fmt.Sprintf("the runtime's goroutineleak profile lists %d of them: the garbage collector proved they wait %s on something no running goroutine can reach, forever", g.Leaked, where)
	case g.Request != nil:
		g.Verdict = Stuck
		g.Reason = fmt.Sprintf("%s has been running for %s, past its deadline: %d of its goroutines %s (captured because: %s)",
			requestText(g.Request), g.Request.Elapsed.Round(time.Millisecond), g.Last(), where, g.CaptureReason)
	case c.ending.Deadlock && stuck && g.Culprit != nil:
		g.Verdict = Leak
		g.Reason = fmt.Sprintf("the runtime stopped the program because every goroutine was asleep (deadlock): %d blocked %s, and nothing left running could wake them", g.Last(), where)
	case c.ending.AfterTests && stuck && g.Culprit != nil:
		g.Verdict = Leak
		g.Reason = fmt.Sprintf("%d still blocked %s after every test returned (TestMain wrote the dump after m.Run): left behind by the tests, with nothing left to serve them", g.Last(), where)
	case c.ending.AfterTests && g.Culprit != nil && kind != idle && c.ignored(g) == "" && !writesTheDump(g):
		g.Verdict = Suspect
		g.Reason = fmt.Sprintf("%d still %s after every test returned (TestMain wrote the dump after m.Run): left behind by the tests", g.Last(), g.stateText())
	case c.ending.TestTimeout != "" && stuck && g.Culprit != nil:
		g.Verdict = Leak
		if test := c.hungTest(g); test != "" {
			g.Reason = fmt.Sprintf("%s hung here: its goroutine was still blocked %s when the test binary timed out after %s; what it waits for is in the other groups blocked at the same time", test, where, c.ending.TestTimeout)
		} else {
			g.Reason = fmt.Sprintf("%d still blocked %s when the test binary timed out after %s (running %s): a test that never ends, and goroutines that never would", g.Last(), where, c.ending.TestTimeout, strings.Join(c.ending.Tests, ", "))
		}
	case c.ignored(g) != "" && !growing:
		g.Verdict = OK
		g.Reason = fmt.Sprintf("runtime or library goroutines (%s), expected in a running service", c.ignored(g))
	case blocked && growing && id.known && id.stayed && id.eachStep && (id.snapshots >= c.minSamples || id.waitGrew || perRequest(g)):
		g.Verdict = Leak
		g.Reason = fmt.Sprintf("grew from %d to %d over %d snapshots, blocked %s, and all %d of the first are still there (same goroutine ids) while %d more arrived: goroutines arrive and none leave", g.Counts[0], g.Last(), samples, where, id.first, id.arrived)
		switch {
		case id.snapshots < c.minSamples && id.waitGrew:
			g.Reason += "; the first ones wait longer in the later snapshot"
		case id.snapshots < c.minSamples:
			g.Reason += "; they carry a request's pprof label: started per request, not by start-up code or a pool"
		}
	case blocked && growing && id.known && id.same && id.snapshots >= 3 && g.Counts[len(g.Counts)-2] == g.Last():
		g.Verdict = OK
		g.Reason = fmt.Sprintf("grew from %d to %d, then the same %d goroutines (same ids) waited %s in the last snapshots: a pool that scaled once and stays idle, not a leak", g.Counts[0], g.Last(), g.Last(), where)
	case blocked && growing && id.known && !id.stayed:
		g.Verdict = Suspect
		g.Reason = fmt.Sprintf("grew from %d to %d, blocked %s, but members come and go (goroutine ids of the first snapshot left): a backlog of work that does finish, not goroutines that never do; watch whether it drains", g.Counts[0], g.Last(), where)
	case blocked && growing && id.known && id.stayed && id.snapshots < c.minSamples:
		g.Verdict = Suspect
		g.Reason = fmt.Sprintf("grew from %d to %d, blocked %s; all %d of the first snapshot are still there (same goroutine ids), but two snapshots cannot tell a leak from a pool that scaled once: take a third (%d snapshots tell)", g.Counts[0], g.Last(), where, id.first, c.minSamples)
	case blocked && growing && samples >= c.minSamples:
		g.Verdict = Leak
		g.Reason = fmt.Sprintf("grew from %d to %d over %d snapshots and never shrank, blocked %s: goroutines arrive and none leave", g.Counts[0], g.Last(), samples, where)
	case blocked && g.WaitMax >= c.longWait && g.Last() >= c.crowd:
		g.Verdict = Leak
		g.Reason = fmt.Sprintf("%d goroutines blocked %s for up to %d minutes: far more, and far longer, than any request lasts", g.Last(), where, g.WaitMax)
	case growing && blocked:
		g.Verdict = Suspect
		g.Reason = fmt.Sprintf("grew from %d to %d, blocked %s; %d snapshots are too few to rule out a burst of load (take %d)", g.Counts[0], g.Last(), where, samples, c.minSamples)
	case growing && samples >= c.minSamples:
		g.Verdict = Suspect
		g.Reason = fmt.Sprintf("grew from %d to %d over %d snapshots while %s: more work in flight, or goroutines that never finish", g.Counts[0], g.Last(), samples, g.stateText())
	case kind == blockedSend && g.Last() >= c.crowd:
		g.Verdict = Suspect
		g.Reason = fmt.Sprintf("%d goroutines blocked together %s: a sender or a lock holder nobody serves", g.Last(), where)
	case kind == blockedSend && g.WaitMax >= c.longWait:
		g.Verdict = Suspect
		g.Reason = fmt.Sprintf("blocked %s for up to %d minutes: nothing took the value or released the lock", where, g.WaitMax)
	case blocked && samples >= 2 && g.Growth() == 0:
		g.Verdict = OK
		g.Reason = fmt.Sprintf("a stable group of %d waiting %s: a pool of workers idle until work arrives", g.Last(), where)
	case blocked:
		g.Verdict = OK
		g.Reason = fmt.Sprintf("%d waiting %s, too few or too briefly to be a leak", g.Last(), where)
	case kind == idle:
		g.Verdict = OK
		g.Reason = fmt.Sprintf("%d %s: waiting on the network, a timer or the system, as services do", g.Last(), g.stateText())
	default:
		g.Verdict = OK
		g.Reason = fmt.Sprintf("%d %s, not blocked", g.Last(), g.stateText())
	}
}

// restarts returns the indexes in the timeline where a life of the
// process begins: 0, then each snapshot taken after a restart. A
// restart shows in dumps, which list every goroutine with its id: a
// process hands ids out upwards (in batches of 16 per P), so a
// goroutine alive in the later dump whose id is well below the earlier
// dump's highest (by more than 16 ids for each of up to 64 Ps) was
// alive then too, and is in the earlier dump; three that are not mean a
// new process counting from 1 again. Start-up goroutines (ids up to
// 100) are left out, and a process that never reached a few thousand
// ids cannot tell.
func restarts(snaps []*goroutines.Snapshot, timeline []int) []int {
	const startup, margin = 100, 16 * 64
	lives := []int{0}
	for t := 1; t < len(timeline); t++ {
		a, b := snaps[timeline[t-1]], snaps[timeline[t]]
		if a.Format != goroutines.FormatDump || b.Format != goroutines.FormatDump {
			continue
		}
		before, after := snapshotMembers(a), snapshotMembers(b)
		var maxA int64
		for _, l := range before.parts {
			if id, ok := members.Max(l); ok {
				maxA = max(maxA, id)
			}
		}
		// One walk of both, by ascending id: each goroutine of b
		// counts, an id listed twice twice.
		seen := newCursor(members.Merge(before.parts, false))
		ids := members.Merge(after.parts, false)
		unexplained := 0
		for {
			id, _, ok := ids.Next()
			if !ok {
				break
			}
			if _, ok := seen.seek(id); !ok && id > startup && id < maxA-margin {
				unexplained++
			}
			if unexplained >= 3 {
				lives = append(lives, t)
				break
			}
		}
	}
	return lives
}

// snapshotMembers returns every goroutine of a dump.
func snapshotMembers(s *goroutines.Snapshot) *memberSet {
	set := &memberSet{}
	for _, g := range s.Goroutines {
		set.add(g)
	}
	return set
}

// A memberSet is a group's goroutines in one snapshot: the member
// lists of its folded records, as they are, and a list of its other
// goroutines, in the order the snapshot gives them: a few bytes a
// goroutine, so that a dump of millions of goroutines is judged in
// bounded memory.
type memberSet struct {
	parts []*members.List
	own   bool // the last part is the set's own, for goroutines not folded
}

// add adds the goroutines a record stands for: its members when it is
// folded, else itself.
func (m *memberSet) add(g *goroutines.Goroutine) {
	if g.Members != nil {
		m.parts, m.own = append(m.parts, g.Members), false
		return
	}
	if !m.own {
		m.parts, m.own = append(m.parts, &members.List{}), true
	}
	members.Add(m.parts[len(m.parts)-1], g.ID, g.WaitMinutes)
}

// A cursor walks goroutines by ascending id, for lookups of ascending
// ids.
type cursor struct {
	r    members.Iter
	id   int64
	wait int
	ok   bool // false past the end
}

func newCursor(r members.Iter) *cursor {
	c := &cursor{r: r}
	c.next()
	return c
}

func (c *cursor) next() { c.id, c.wait, c.ok = c.r.Next() }

// seek returns the wait of the member id, if it is one; ids must be
// asked in ascending order.
func (c *cursor) seek(id int64) (int, bool) {
	for c.ok && c.id < id {
		c.next()
	}
	if c.ok && c.id == id {
		return c.wait, true
	}
	return 0, false
}

// judgeLives judges g over the whole timeline when the process never
// restarted; otherwise over its last life, unless it grew in each of
// the lives it was seen growing in: a leak that starts again after
// every restart (an OOM kill, a deploy) is a leak.
func (c *config) judgeLives(g *Group, lives []int) {
	if len(lives) == 1 {
		c.judge(g, len(g.Counts))
		return
	}
	kind := kindOf(g.State)
	blocked := kind == blockedSend || kind == blockedRecv
	grewIn := 0
	for i, start := range lives {
		end := len(g.Counts)
		if i+1 < len(lives) {
			end = lives[i+1]
		}
		life := g.Counts[start:end]
		if len(life) >= 2 && life[len(life)-1]-life[0] >= c.minGrowth && nonDecreasing(life) {
			grewIn++
		}
	}
	if blocked && grewIn >= 2 && g.Leaked == 0 {
		where := "in " + g.stateText()
		if g.Culprit != nil {
			where += " at " + frameAt(*g.Culprit)
		}
		g.Verdict = Leak
		g.Reason = fmt.Sprintf("grew in each of %d lives of the process (counts %v, restarts between), blocked %s: every restart starts the same leak again", grewIn, g.Counts, where)
		return
	}
	// The last life alone, as if the earlier ones were another process.
	last := lives[len(lives)-1]
	view := *g
	view.Counts = g.Counts[last:]
	if g.waits != nil {
		view.waits = g.waits[last:]
	}
	c.judge(&view, len(view.Counts))
	g.Verdict, g.Reason = view.Verdict, view.Reason
}

// identity is what goroutine ids say about a group across the
// snapshots of the timeline (dumps carry ids; profiles do not).
type identity struct {
	known     bool // every snapshot in which the group appears has ids
	snapshots int  // snapshots from the first one the group is in
	first     int  // members in the first of them
	stayed    bool // every member of the first snapshot is in every later one
	arrived   int  // members of the last snapshot absent from the first
	eachStep  bool // new members arrived between every two snapshots
	same      bool // the last two snapshots hold exactly the same members
	waitGrew  bool // a member of the first snapshot waits longer in the last
}

func (g *Group) identity() identity {
	var id identity
	if g.waits == nil {
		return id
	}
	for t, n := range g.Counts {
		if n > 0 && g.waits[t] == nil {
			return id // part of the timeline is a profile
		}
	}
	// From the first snapshot the group appears in: a pool started
	// between two snapshots has no members before.
	start := 0
	for start < len(g.Counts) && g.Counts[start] == 0 {
		start++
	}
	waits := g.waits[start:]
	if len(waits) < 2 {
		return id
	}
	id.snapshots = len(waits)
	// One walk of every snapshot's members at once, by ascending id,
	// each list read where it lies (members.Merge): what each holds, and
	// what it shares with the one before and with the first.
	last := len(waits) - 1
	cur := make([]*cursor, len(waits))
	for t, m := range waits {
		var parts []*members.List
		if m != nil {
			parts = m.parts
		}
		cur[t] = newCursor(members.Merge(parts, true))
	}
	size := make([]int, len(waits))
	withPrev := make([]int, len(waits)) // members also in the snapshot before
	withFirst := 0                      // members of the last also in the first
	in := make([]bool, len(waits))
	id.known, id.stayed, id.eachStep = true, true, true
	for {
		var gid int64
		some := false
		for _, c := range cur {
			if c.ok && (!some || c.id < gid) {
				gid, some = c.id, true
			}
		}
		if !some {
			break
		}
		for t, c := range cur {
			in[t] = c.ok && c.id == gid
			if !in[t] {
				continue
			}
			size[t]++
			if t > 0 && in[t-1] {
				withPrev[t]++
			}
		}
		if in[0] {
			for t := 1; t <= last; t++ {
				if !in[t] {
					id.stayed = false
				}
			}
			if in[last] {
				withFirst++
				if cur[last].wait > cur[0].wait {
					id.waitGrew = true
				}
			}
		}
		for t, c := range cur {
			if in[t] {
				c.next()
			}
		}
	}
	id.first = size[0]
	id.arrived = size[last] - withFirst
	for t := 1; t <= last; t++ {
		if size[t]-withPrev[t] == 0 {
			id.eachStep = false
		}
	}
	id.same = size[last-1] == size[last] && withPrev[last] == size[last]
	return id
}

// writesTheDump reports whether g is the goroutine that wrote the dump
// from a TestMain.
func writesTheDump(g *Group) bool {
	for _, f := range g.Stack {
		if strings.HasSuffix(f.Function, ".TestMain") {
			return true
		}
	}
	return false
}

// perRequest reports whether the group's goroutines carry the pprof
// label of a request (silentfail watch's middleware, or an HTTP route
// or path label): they were started by per-request code, which a pool
// that scaled once is not.
func perRequest(g *Group) bool {
	for k := range g.Labels {
		switch k {
		case goroutines.RequestLabel, goroutines.RouteLabel, goroutines.PathLabel, "route", "path":
			return true
		}
	}
	return false
}

// requestText names a late request as well as the capture knows it.
func requestText(r *goroutines.RequestInfo) string {
	var b strings.Builder
	b.WriteString("the request")
	if r.Method != "" || r.Path != "" {
		fmt.Fprintf(&b, " %s %s", r.Method, r.Path)
	}
	if r.Route != "" && r.Route != r.Path {
		fmt.Fprintf(&b, " (route %s)", r.Route)
	}
	if r.RequestID != "" {
		fmt.Fprintf(&b, " [X-Request-Id %s]", r.RequestID)
	}
	if r.Requests > 1 {
		fmt.Fprintf(&b, " and %d others that started with it", r.Requests-1)
	}
	if r.Method == "" && r.Path == "" {
		fmt.Fprintf(&b, " labelled %s=%s", goroutines.RequestLabel, r.ID)
	}
	return b.String()
}

// hungTest returns the running test whose own goroutine the group is
// (testing.tRunner calling it), or "".
func (c *config) hungTest(g *Group) string {
	for i, f := range g.Stack {
		if f.Function != "testing.tRunner" || i == 0 {
			continue
		}
		called := g.Stack[i-1].Function
		for _, t := range c.ending.Tests {
			name, _, _ := strings.Cut(t, "/") // a subtest runs in a goroutine of its own tRunner
			if strings.HasSuffix(called, "."+name) || strings.Contains(called, "."+name+".func") {
				return t
			}
		}
	}
	return ""
}

func (g *Group) stateText() string {
	if g.State == "" {
		return "an unknown state"
	}
	return g.State
}

func nonDecreasing(v []int) bool {
	for i := 1; i < len(v); i++ {
		if v[i] < v[i-1] {
			return false
		}
	}
	return true
}

func frameAt(f goroutines.Frame) string {
	return fmt.Sprintf("%s (%s:%d)", shortFunc(f.Function), filepath.Base(f.File), f.Line)
}

// shortFunc drops the import path's directories: "pkg.(*T).M".
func shortFunc(fn string) string {
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		return fn[i+1:]
	}
	return fn
}

// link returns the findings that explain g: those in the function of
// its culprit, of its creator, or of a deferred call on its stack.
func (c *config) link(g *Group) []Finding {
	var frames []goroutines.Frame
	if g.Culprit != nil {
		frames = append(frames, *g.Culprit)
	}
	if g.CreatedBy != nil {
		frames = append(frames, *g.CreatedBy)
	}
	for i, f := range g.Stack {
		if isDeferred(g.Stack, i) {
			frames = append(frames, f)
		}
	}
	var out []Finding
	for _, fd := range c.findings {
		for _, f := range frames {
			if fd.FuncStart > 0 && sameFile(f.File, fd.File) && fd.FuncStart <= f.Line && f.Line <= fd.FuncEnd {
				out = append(out, fd)
				break
			}
		}
	}
	return out
}

// isDeferred reports whether frame i of stack is a deferred call: a
// wrapper the compiler made for a defer statement (".deferwrapN"), or a
// closure of the function in the next frame out that runs from a panic
// or at its return.
func isDeferred(stack []goroutines.Frame, i int) bool {
	fn := stack[i].Function
	if strings.Contains(fn, ".deferwrap") {
		return true
	}
	if i+1 < len(stack) {
		next := stack[i+1].Function
		if next == "runtime.gopanic" || next == "runtime.deferreturn" || next == "runtime.deferCallSave" {
			return true
		}
	}
	return false
}

// sameFile reports whether the absolute path of a stack frame and the
// (usually module-relative) path of a finding name the same file.
func sameFile(framePath, findingPath string) bool {
	framePath, findingPath = filepath.ToSlash(framePath), filepath.ToSlash(filepath.Clean(findingPath))
	if framePath == findingPath {
		return true
	}
	findingPath = strings.TrimPrefix(findingPath, "./")
	return strings.HasSuffix(framePath, "/"+findingPath)
}
