// Package leaktest finds the goroutines a test leaves behind and names
// the test that started them.
//
// Every goroutine a test starts, directly or through any chain of
// goroutines, inherits a pprof label that names the test: Main puts it
// on the goroutine of every test it runs, Check on the goroutine of the
// test that calls it. Check registers a Cleanup that fails that test,
// and only that test, when goroutines carrying its label are still
// there after it: parallel tests do not blame each other. Main, in
// TestMain, runs the tests and then reports every goroutine left
// behind, by test, even when tests failed.
//
// Goroutines still running get a bounded time to finish (MaxWait, with
// back-off); goroutines the runtime's goroutineleak profile proves
// blocked forever (Go 1.27, or Go 1.26 with
// GOEXPERIMENT=goroutineleakprofile) are reported at once. The
// goroutines of the runtime, the testing package and well-known
// libraries are ignored (diagnose.DefaultIgnore, shared with silentfail
// diagnose). Each leaked group says where it blocks, on what, who
// started it, and, when the silentfail command is on PATH, the static
// finding on its stack that explains it.
package leaktest

import (
	"bytes"
	"context"
	"fmt"
	"go/build"
	"os"
	"path/filepath"
	"reflect"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/silentfail/silentfail/diagnose"
	"github.com/silentfail/silentfail/goroutines"
)

// Label is the pprof label Check puts on a test's goroutine; its value
// names the test.
const Label = "silentfail.test"

// DefaultMaxWait is how long goroutines still running get to finish.
const DefaultMaxWait = 2 * time.Second

// TestingT is what Check needs of a test: testing.TB satisfies it.
type TestingT interface {
	Helper()
	Name() string
	Cleanup(func())
	Errorf(format string, args ...any)
}

// An Option configures Check and Main.
type Option func(*config)

type config struct {
	maxWait        time.Duration
	ignoreTop      []string
	ignoreAny      []string
	ignoreStart    bool
	staticFindings bool
	linkTimeout    time.Duration
	before         map[string]bool // stacks running when IgnoreCurrent was given
}

func newConfig(opts []Option) *config {
	c := &config{maxWait: DefaultMaxWait, ignoreAny: slices.Clone(diagnose.DefaultIgnore), staticFindings: true, linkTimeout: DefaultLinkTimeout}
	for _, o := range opts {
		o(c)
	}
	if c.ignoreStart {
		c.before = make(map[string]bool)
		if s, err := snapshot("goroutine"); err == nil {
			for _, g := range s.Goroutines {
				c.before[stackKey(g)] = true
			}
		}
	}
	return c
}

// MaxWait sets how long goroutines still running get to finish before
// they count as leaked (default DefaultMaxWait).
func MaxWait(d time.Duration) Option { return func(c *config) { c.maxWait = d } }

// IgnoreTopFunction ignores goroutines whose innermost function outside
// the runtime is fn ("pkg.(*T).loop").
func IgnoreTopFunction(fn string) Option {
	return func(c *config) { c.ignoreTop = append(c.ignoreTop, fn) }
}

// IgnoreAnyFunction ignores goroutines with a function starting with
// prefix anywhere on their stack or as their creator.
func IgnoreAnyFunction(prefix string) Option {
	return func(c *config) { c.ignoreAny = append(c.ignoreAny, prefix) }
}

// IgnoreCurrent ignores goroutines whose stacks are running when the
// option is applied (a pool a package starts in init, for example).
func IgnoreCurrent() Option { return func(c *config) { c.ignoreStart = true } }

var checks atomic.Int64 // tells apart two Checks of tests with one name (-count)

// reported holds the labels of the tests Check failed: Main does not
// report their goroutines a second time.
var reported sync.Map

// noProfile says once per test binary that leaks are not proven.
var noProfile sync.Once

func sayNoProfile() {
	if pprof.Lookup("goroutineleak") != nil {
		return
	}
	noProfile.Do(func() {
		fmt.Fprintln(os.Stderr, "leaktest: this runtime has no goroutineleak profile (Go 1.27, or Go 1.26 with GOEXPERIMENT=goroutineleakprofile, proves leaks at once): goroutines still there after the wait count as leaked")
	})
}

// Check labels the calling test's goroutine and, after the test, fails
// it when goroutines it started, directly or not, are still there.
// Call it at the top of the test, on the test's own goroutine.
func Check(t TestingT, opts ...Option) {
	t.Helper()
	c := newConfig(opts)
	id := t.Name() + "#" + strconv.FormatInt(checks.Add(1), 10)
	pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels(Label, id)))
	t.Cleanup(func() {
		left := c.waitFor(func(g *goroutines.Goroutine) bool { return g.Labels[Label] == id })
		if len(left) > 0 {
			reported.Store(id, true)
			sayNoProfile()
			grps := groups(left)
			t.Errorf("%s", report(t.Name(), grps, c.links(grps)))
		}
	})
}

// Main runs the tests, then reports the goroutines they left behind, by
// test, on standard error, and exits: with the tests' status, or 1 when
// they passed and goroutines leaked. It checks even when tests failed.
func Main(m *testing.M, opts ...Option) {
	c := newConfig(append([]Option{IgnoreCurrent()}, opts...))
	if !labelTests(m) {
		fmt.Fprintln(os.Stderr, "leaktest: cannot label the tests of this Go version's testing.M: goroutines are named by the test function that created them, or by leaktest.Check's label")
	}
	code := m.Run()
	left := c.waitFor(func(g *goroutines.Goroutine) bool {
		_, done := reported.Load(g.Labels[Label])
		return !done
	})
	if len(left) > 0 {
		sayNoProfile()
		byTest := map[string][]*goroutines.Goroutine{}
		var names []string
		for _, g := range left {
			name := testOf(g)
			if byTest[name] == nil {
				names = append(names, name)
			}
			byTest[name] = append(byTest[name], g)
		}
		slices.Sort(names)
		for _, name := range names {
			grps := groups(byTest[name])
			fmt.Fprintln(os.Stderr, report(name, grps, c.links(grps)))
		}
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// labelTests makes every test m runs carry the Label on its goroutine,
// so that the goroutines it starts, directly or through any chain, name
// it: a helper's goroutine, one of a parallel test, one found after the
// test ended. testing.M keeps its tests unexported; they are reached
// through reflection, and when this Go version lays M out otherwise
// labelTests changes nothing and returns false.
func labelTests(m *testing.M) bool {
	f := reflect.ValueOf(m).Elem().FieldByName("tests")
	if !f.IsValid() || f.Type() != reflect.TypeFor[[]testing.InternalTest]() {
		return false
	}
	tests := *(*[]testing.InternalTest)(unsafe.Pointer(f.UnsafeAddr()))
	for i := range tests {
		run := tests[i].F
		tests[i].F = func(t *testing.T) {
			id := t.Name() + "#" + strconv.FormatInt(checks.Add(1), 10)
			pprof.Do(context.Background(), pprof.Labels(Label, id), func(context.Context) { run(t) })
		}
	}
	return true
}

// testOf names the test a goroutine belongs to: its label, else the
// test whose function literal it runs (pkg.TestX.func1).
func testOf(g *goroutines.Goroutine) string {
	if id := g.Labels[Label]; id != "" {
		name, _, _ := strings.Cut(id, "#")
		return name
	}
	for i := len(g.Stack) - 1; i >= 0; i-- {
		fn := g.Stack[i].Function
		if strings.HasPrefix(fn, "runtime.") {
			continue
		}
		fn = fn[strings.LastIndexByte(fn, '/')+1:]
		if _, name, ok := strings.Cut(fn, "."); ok {
			name, _, _ = strings.Cut(name, ".")
			if strings.HasPrefix(name, "Test") {
				return name
			}
		}
		break
	}
	return "a test that did not call leaktest.Check (goroutines started in " + outermost(g) + ")"
}

// outermost returns the goroutine's outermost function outside the
// runtime: what the go statement started.
func outermost(g *goroutines.Goroutine) string {
	for i := len(g.Stack) - 1; i >= 0; i-- {
		if fn := g.Stack[i].Function; !strings.HasPrefix(fn, "runtime.") {
			return fn
		}
	}
	return "the runtime"
}

// waitFor returns the goroutines that match and are not ignored, once
// they stop changing or MaxWait has passed. Those the goroutineleak
// profile proves leaked need no wait: when every one left is proven,
// waitFor returns at once; else it waits for the others, which may
// still finish or block for good later, and returns both.
func (c *config) waitFor(match func(*goroutines.Goroutine) bool) []*goroutines.Goroutine {
	deadline := time.Now().Add(c.maxWait)
	delay := time.Millisecond
	for {
		s, err := snapshot("goroutine")
		if err != nil {
			return nil
		}
		var left []*goroutines.Goroutine
		for _, g := range s.Goroutines {
			if match(g) && !c.ignored(g) {
				left = append(left, g)
			}
		}
		if len(left) == 0 {
			return nil
		}
		proven := c.proven(match)
		isProven := make(map[string]bool, len(proven))
		for _, g := range proven {
			isProven[labelledKey(g)] = true
		}
		unproven := slices.DeleteFunc(left, func(g *goroutines.Goroutine) bool { return isProven[labelledKey(g)] })
		if len(unproven) == 0 {
			return proven
		}
		if time.Now().After(deadline) {
			return append(proven, unproven...)
		}
		time.Sleep(delay)
		delay = min(2*delay, 100*time.Millisecond)
	}
}

// labelledKey tells goroutine groups apart as the debug=1 form does: by
// stack and labels.
func labelledKey(g *goroutines.Goroutine) string {
	return stackKey(g) + fmt.Sprint(g.Labels)
}

// proven returns the matching goroutines the runtime's goroutineleak
// profile lists, when the runtime has the profile.
func (c *config) proven(match func(*goroutines.Goroutine) bool) []*goroutines.Goroutine {
	if pprof.Lookup("goroutineleak") == nil {
		return nil
	}
	s, err := snapshot("goroutineleak")
	if err != nil {
		return nil
	}
	var out []*goroutines.Goroutine
	for _, g := range s.Goroutines {
		if match(g) && !c.ignored(g) {
			g.Leaked = true
			out = append(out, g)
		}
	}
	return out
}

func (c *config) ignored(g *goroutines.Goroutine) bool {
	if c.before[stackKey(g)] {
		return true
	}
	frames := g.Stack
	for _, f := range frames {
		if strings.HasPrefix(f.Function, "runtime/pprof.") || strings.HasPrefix(f.Function, "github.com/silentfail/silentfail/leaktest.") {
			return true // the goroutine taking this snapshot
		}
	}
	for _, f := range frames {
		if strings.HasPrefix(f.Function, "runtime.") {
			continue
		}
		if slices.Contains(c.ignoreTop, f.Function) {
			return true
		}
		break
	}
	if g.CreatedBy != nil {
		frames = append(slices.Clip(frames), *g.CreatedBy)
	}
	for _, f := range frames {
		for _, p := range c.ignoreAny {
			if strings.HasPrefix(f.Function, p) {
				return true
			}
		}
	}
	return false
}

// snapshot reads this process's goroutines from the named profile, in
// the debug=1 form, which carries pprof labels on every Go version.
func snapshot(profile string) (*goroutines.Snapshot, error) {
	p := pprof.Lookup(profile)
	if p == nil {
		return nil, fmt.Errorf("leaktest: no %s profile", profile)
	}
	var buf bytes.Buffer
	if err := p.WriteTo(&buf, 1); err != nil {
		return nil, fmt.Errorf("leaktest: %s profile: %w", profile, err)
	}
	return goroutines.Parse(&buf)
}

// userFrame returns the innermost frame outside the standard library
// (what lives under GOROOT), else the innermost outside the runtime: a
// goroutine waiting on a mutex blocks in sync.(*Mutex).Lock, and the
// line to read is the caller's.
func userFrame(g *goroutines.Goroutine) *goroutines.Frame {
	std := filepath.ToSlash(filepath.Join(build.Default.GOROOT, "src")) + "/"
	for i := range g.Stack {
		if f := &g.Stack[i]; build.Default.GOROOT != "" && !strings.HasPrefix(filepath.ToSlash(f.File), std) {
			return f
		}
	}
	for i := range g.Stack {
		if f := &g.Stack[i]; !strings.HasPrefix(f.Function, "runtime.") {
			return f
		}
	}
	return nil
}

func stackKey(g *goroutines.Goroutine) string {
	var b strings.Builder
	for _, f := range g.Stack {
		b.WriteString(f.Function)
		b.WriteByte('\n')
	}
	return b.String()
}

// A group is the goroutines of one test blocked on one stack.
type group struct {
	count, proven int
	g             *goroutines.Goroutine // the first one seen: its stack and labels
	createdBy     *goroutines.Frame     // the go statement, from the debug=2 form
	state         string                // what it waits for ("chan send"), from the debug=2 form
}

// groups folds goroutines with one stack into one group (the debug=1
// form already does, but apart when their labels differ: two runs of a
// test under -count), in the order first seen, and adds what only the
// debug=2 form says: who created each and what it waits for.
func groups(left []*goroutines.Goroutine) []*group {
	var out []*group
	byStack := map[string]*group{}
	for _, g := range left {
		k := stackKey(g)
		grp := byStack[k]
		if grp == nil {
			grp = &group{g: g}
			byStack[k] = grp
			out = append(out, grp)
		}
		grp.count += g.Count
		if g.Leaked {
			grp.proven += g.Count
		}
	}
	if s, err := snapshotDebug2(); err == nil {
		for _, g := range s.Goroutines {
			if grp := byStack[stackKey(g)]; grp != nil && grp.createdBy == nil {
				grp.createdBy, grp.state = g.CreatedBy, g.State
			}
		}
	}
	return out
}

// snapshotDebug2 reads this process's goroutines in the debug=2 form,
// which has creators and wait reasons but, before Go 1.27, no labels.
func snapshotDebug2() (*goroutines.Snapshot, error) {
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 2); err != nil {
		return nil, err
	}
	return goroutines.Parse(&buf)
}

// report says what test leaked, grouped by stack: where each group
// blocks, what it waits for, who started it, whether the runtime proved
// it leaked, and the static findings that explain it (links, by group).
func report(test string, grps []*group, links [][]finding) string {
	n, proven := 0, 0
	for _, grp := range grps {
		n += grp.count
		proven += grp.proven
	}
	var b strings.Builder
	fmt.Fprintf(&b, "leaktest: %s leaked %d goroutine%s", test, n, plural(n))
	if proven > 0 {
		fmt.Fprintf(&b, " (the runtime's goroutineleak profile proves %d blocked forever)", proven)
	}
	b.WriteString(":")
	for i, grp := range grps {
		where := "an unknown place"
		if f := userFrame(grp.g); f != nil {
			where = at(*f)
		}
		fmt.Fprintf(&b, "\n  %d blocked in %s", grp.count, where)
		if grp.state != "" {
			fmt.Fprintf(&b, " [%s]", grp.state)
		}
		if c := grp.createdBy; c != nil {
			fmt.Fprintf(&b, ", started by %s", at(*c))
		} else {
			fmt.Fprintf(&b, ", running %s", shortFunc(outermost(grp.g)))
		}
		if i < len(links) {
			for _, fd := range links[i] {
				fmt.Fprintf(&b, "\n    static finding: %s:%d: %s: %s", relative(fd.file), fd.line, fd.check, fd.message)
			}
		}
	}
	return b.String()
}

// at names a frame as a reader finds it: "pkg.f (dir/file.go:12)", the
// file relative to the working directory when it lies inside it, as go
// test prints a test's own lines.
func at(f goroutines.Frame) string {
	return fmt.Sprintf("%s (%s:%d)", shortFunc(f.Function), relative(f.File), f.Line)
}

func relative(file string) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, file); err == nil && filepath.IsLocal(rel) {
			return rel
		}
	}
	return file
}

// shortFunc drops the import path's directories: "pkg.(*T).M".
func shortFunc(fn string) string {
	return fn[strings.LastIndexByte(fn, '/')+1:]
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
