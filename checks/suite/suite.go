// Package suite lists the silentfail analyzers in the order the
// catalogue presents them.
package suite

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/silentfail/silentfail/checks/chanleak"
	"github.com/silentfail/silentfail/checks/ctxcancel"
	"github.com/silentfail/silentfail/checks/ctxreplace"
	"github.com/silentfail/silentfail/checks/deferargs"
	"github.com/silentfail/silentfail/checks/deferblock"
	"github.com/silentfail/silentfail/checks/deferclose"
	"github.com/silentfail/silentfail/checks/defererr"
	"github.com/silentfail/silentfail/checks/defergo"
	"github.com/silentfail/silentfail/checks/deferlock"
	"github.com/silentfail/silentfail/checks/deferloop"
	"github.com/silentfail/silentfail/checks/deferrecover"
	"github.com/silentfail/silentfail/checks/lockorder"
	"github.com/silentfail/silentfail/checks/lockwait"
	"github.com/silentfail/silentfail/checks/lonechan"
	"github.com/silentfail/silentfail/checks/loopcapture"
	"github.com/silentfail/silentfail/checks/poolput"
	"github.com/silentfail/silentfail/checks/poolreset"
	"github.com/silentfail/silentfail/checks/relock"
	"github.com/silentfail/silentfail/checks/unreleased"
	"github.com/silentfail/silentfail/checks/waitgroup"
)

// All returns every silentfail analyzer, in catalogue order. The slice
// is new on each call; the analyzers are shared.
func All() []*analysis.Analyzer {
	return []*analysis.Analyzer{
		deferloop.Analyzer,
		deferargs.Analyzer,
		deferclose.Analyzer,
		defererr.Analyzer,
		deferblock.Analyzer,
		defergo.Analyzer,
		deferrecover.Analyzer,
		deferlock.Analyzer,
		relock.Analyzer,
		unreleased.Analyzer,
		lockwait.Analyzer,
		lockorder.Analyzer,
		waitgroup.Analyzer,
		loopcapture.Analyzer,
		ctxcancel.Analyzer,
		ctxreplace.Analyzer,
		chanleak.Analyzer,
		lonechan.Analyzer,
		poolreset.Analyzer,
		poolput.Analyzer,
	}
}

// optIn names the checks that are not in the default set, each with the
// reason a user reads in `silentfail help`. The bar for the default set
// is vet's: what a check says happens, happens; it is frequent enough to
// matter; and at least 90% of its findings on the real-code ledger
// (bench/realcode) are real bugs, a finding that is right but harmless
// where it sits counting against. A check leaves the default set when
// the ledger shows it below the bar with 95% confidence (the Wilson
// interval bench/realcode prints lies under 90%), or when it has no
// real bug to show. What stays reports only what follows from the code
// alone (a lock held across iterations, an argument read at the defer),
// and its measured precision is in the README. The others run when
// named.
var optIn = map[string]string{
	"ctxreplace":  "59 of its 562 findings on the real-code ledger (session 10, TODO and Background chains) were real bugs; most fresh contexts detach on purpose (constructors of long-lived clients, cleanups that must finish, values copied by hand, work handed to goroutines)",
	"chanleak":    "25 of its 161 findings on the real-code ledger (session 10) were real bugs, most others in tests and one-shot commands that leak once; run it when a leak is suspected, and diagnose links a runtime-proven leak to it",
	"deferblock":  "none of its 33 findings on the real-code ledger (session 10) was a real bug (teardown pauses in test frameworks, polls between attempts, handshakes that always answer)",
	"defererr":    "6 of its 16 findings on the real-code ledger (session 10) were real bugs (the others: errors logged before being cleared, accumulators, recover branches written as early returns)",
	"defergo":     "none of its 16 findings on the real-code ledger (session 10) was a real bug (best-effort cleanups with their own deadline, drains that end on their own)",
	"unreleased":  "67 of its 182 findings on the real-code ledger (session 10; locks, files, rows, transactions, responses) were real bugs; most others paired an acquire and a release by a condition or a flag the check does not follow, sat in one-shot commands, tools and test mocks, or closed a response body the transport had already released",
	"lonechan":    "none of its 63 findings on the real-code ledger was a real bug at first contact (workers started in loops the graph may skip, fields of generic types, test hooks); it finds 3 GoKer kernels and runs quiet on the ledger since its rules",
	"lockorder":   "4 of its 25 findings on the real-code ledger (session 10) were real deadlocks; locks told apart by type cannot see that a callee releases first, takes the second lock only on a branch the caller rules out, or locks an object nobody else can reach yet",
	"waitgroup":   "new, and not yet measured on the real-code ledger",
	"lockwait":    "6 of its 9 findings on the real-code ledger (session 10) were real deadlocks; the other side's lock may come before what lets the waiter wait, which it cannot tell",
	"loopcapture": "2 findings on the real-code ledger's 140 services, both harmless (a shared loop variable read only for an error log's field); since Go 1.22 each iteration has its own variable, so it reports only files built with an older language version: run it on code that still does",
	"ctxcancel":   "its default form (a cancel func kept in a field or variable that nothing calls) had no real bug among its findings on the real-code ledger (a constructor that runs once per process, test harnesses whose parent is canceled); go vet's lostcancel covers the local case",
	"deferclose":  "8 of the 17 cleanups deferred before their error check that it reported outside tests on the real-code ledger (sessions 8 to 14) were real nil dereferences; 9 followed calls that cannot fail in practice (sql.Open of a registered driver, a parse of a program built into the binary, size limits the caller already enforces, an identical query that just succeeded), which only the callee's contract tells; with 95% confidence fewer than 90% of its findings are real bugs, so it leaves the default set (session 14)",
	"poolput":     "none of the 9 uses after Put and second Puts it reported at first contact on the real-code ledger (sessions 10 to 14, 600 services) was a real bug: each path was ruled out by something the check learned only then (a flag cleared with the Put, conditions that exclude each other, a helper promoted from an embedded field, a declaration run again each turn, a field set only at construction); a check with no real bug on that much code does not meet vet's bar of being frequent enough to matter",
	"poolreset":   "1 of its 42 findings on the real-code ledger (session 10) was a real bug (the others: resets in methods and helpers of other packages, buffers filled whole before use, maps emptied by a delete loop)",
}

// A Form is the part of a check that is not in the default set: the check
// runs by default, and this form of it only when named. Naming it turns
// on the analyzer's flag of the same name (go vet: -ctxreplace.background).
type Form struct {
	Check  string // the analyzer's name
	Flag   string // the analyzer's boolean flag that turns the form on
	Reason string
}

// Name is what users type: check.flag.
func (f Form) Name() string { return f.Check + "." + f.Flag }

var optInForms = []Form{
	{"deferloop", "pileup", "resources piling up until return (files, bodies, rows, contexts): 16 of its 219 findings on the real-code ledger (session 10) were real bugs, most loops being short, bounded or handing the values on; the default form reports locks, which deadlock or crash"},
	{"deferclose", "dropped", "the dropped error of a deferred Close of a written file or writer: 92 of its 269 findings on the real-code ledger (session 10) were real bugs, the rest in tools, tests, scratch and best-effort files; the check itself (-enable deferclose) reports cleanups deferred before the error check"},
	{"deferclose", "tests", "cleanups deferred before the error check in test code: the test's error check fails it and t.Fatal runs the deferred calls, so the panic only changes how a failing test ends; none of 8 on the services held out in session 8 was a real bug"},
	{"ctxcancel", "root", "cancel funcs of contexts made on context.Background() or TODO(): no parent holds such a context, so an uncalled cancel leaks only through what waits on its Done channel; 1 of its 3 findings on the real-code ledger (session 10) was a real bug"},
	{"ctxcancel", "discarded", "a cancel func thrown away with `_ = cancel` (go vet counts that as a use): rare on real code (1 finding on 102 services, not a real bug: its only caller passes Background()); when the parent is a request's context the leak ends with the request"},
	{"poolput", "value", "a Put of a non-pointer value: none of its 58 findings on the real-code ledger (session 10) was a real bug (slice headers next to large buffers, some documented); the check itself reports uses after Put and second Puts"},
	{"relock", "read", "a read lock taken again under a read lock: it deadlocks only when a writer on another goroutine queues in between; 30 of its 41 findings on the real-code ledger (session 11) were real, the others in code whose writers run on the reader's own goroutine (a UI or event loop), before the value is shared, under an outer lock or at the end of the object's life; the default form reports a Lock written again under the lock in one function, which needs no other goroutine"},
	{"relock", "calls", "a lock taken again through a call (a helper of the package that locks, a deferred call, a print whose String method locks): the deadlock is as certain, but 5 of its 10 findings outside read locks on the real-code ledger (sessions 8 to 14) sat in methods nothing calls or on a branch no constructor allows, which a check of one package cannot see; the default form reports a Lock written again in the function that holds the lock (2 of 2 real)"},
	{"relock", "tests", "relocks in code that only tests run (_test.go files, test-support packages): a hung test is stopped by go test's -timeout, which prints every goroutine; all 5 on the real-code ledger (session 10) were harmless, none of its 27 real relocks was in test code"},
	{"deferargs", "tests", "arguments read early in code that only tests run: a wrong value in a test's deferred cleanup or log fails or misleads that test, not a service; none of the 16 on the real-code ledger was a real bug (15 cleanups of test fixtures, a block-test harness)"},
	{"deferrecover", "bare", "a bare defer recover(): recover is the deferred call itself and stops nothing, but on real code it is written as a charm around calls that do not panic; none of its 5 findings on the real-code ledger (session 12) was a real bug, while both recovery wrappers the default form reports were"},
	{"deferrecover", "called", "a recover() in an unexported function that is only ever called, never deferred: it returns nil, but with no deferred call on the way nothing says a panic is expected there; both such findings on the real-code ledger (sessions 13 and 14) guarded calls that do not panic, while the five recovery wrappers called from a deferred function that the default form reports were real bugs"},
	{"ctxreplace", "background", "chains rooted at context.Background() (ctxreplace itself is opt-in): on real services most are deliberate detaching (a constructor of a long-lived client, a cleanup that must finish, values copied by hand)"},
}

// OptInForms returns the forms of checks that run only when named.
func OptInForms() []Form { return slices.Clone(optInForms) }

// IsForm reports whether name (check.flag) is an opt-in form.
func IsForm(name string) bool {
	_, ok := lookupForm(name)
	return ok
}

func lookupForm(name string) (Form, bool) {
	for _, f := range optInForms {
		if f.Name() == name {
			return f, true
		}
	}
	return Form{}, false
}

// IsDefault reports whether the named check runs when no -enable list is
// given.
func IsDefault(name string) bool {
	_, opt := optIn[name]
	return !opt && Lookup(name) != nil
}

// OptInReason says why a check is not in the default set ("" when it is).
func OptInReason(name string) string {
	return optIn[name]
}

// Default returns the analyzers that run when no check is named, in
// catalogue order.
func Default() []*analysis.Analyzer {
	var out []*analysis.Analyzer
	for _, a := range All() {
		if IsDefault(a.Name) {
			out = append(out, a)
		}
	}
	return out
}

// DefaultNames returns the names of the default analyzers.
func DefaultNames() []string {
	var names []string
	for _, a := range Default() {
		names = append(names, a.Name)
	}
	return names
}

// Lookup returns the analyzer with the given name, or nil.
func Lookup(name string) *analysis.Analyzer {
	for _, a := range All() {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// Names returns the names of every analyzer, in catalogue order.
func Names() []string {
	all := All()
	names := make([]string, len(all))
	for i, a := range all {
		names[i] = a.Name
	}
	return names
}

// Select returns the analyzers a user's selection leaves, in catalogue
// order: those named in enable (the default set when enable is empty)
// minus those named in disable. In enable, "default" stands for the
// default set and "all" for every check and form, so
// "default,chanleak" adds one opt-in check to the defaults; a form's
// name (ctxreplace.background) runs its check with that form on. A name
// that is not a check is an error naming it and listing the known
// checks, and so is a selection that leaves no check: both are mistakes
// in a configuration, and running nothing would look like a clean
// result. The command line (-enable, -disable) and the golangci-lint
// plugin (enable:, disable:) share it so that the same lists select the
// same checks everywhere.
//
// Select sets the forms' analyzer flags: the analyzers are shared, so
// the last selection made in a process is the one they run with.
func Select(enable, disable []string) ([]*analysis.Analyzer, error) {
	on, err := nameSet("enable", enable)
	if err != nil {
		return nil, err
	}
	off, err := nameSet("disable", disable)
	if err != nil {
		return nil, err
	}
	if len(on) == 0 {
		on["default"] = true
	}
	forms := make(map[string]bool) // checks with a form named
	for _, f := range optInForms {
		value := on["all"] || on[f.Name()]
		if value {
			forms[f.Check] = true
		}
		if err := Lookup(f.Check).Flags.Set(f.Flag, strconv.FormatBool(value)); err != nil {
			return nil, fmt.Errorf("setting %s: %v", f.Name(), err)
		}
	}
	var out []*analysis.Analyzer
	for _, a := range All() {
		chosen := on[a.Name] || on["all"] || forms[a.Name] || (on["default"] && IsDefault(a.Name))
		if chosen && !off[a.Name] {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		if len(enable) == 0 {
			return nil, fmt.Errorf("disable lists every default check: no check left to run")
		}
		return nil, fmt.Errorf("every check in enable is also in disable: no check left to run")
	}
	return out, nil
}

func nameSet(list string, names []string) (map[string]bool, error) {
	set := make(map[string]bool, len(names))
	for _, name := range names {
		if _, isForm := lookupForm(name); list == "enable" && (name == "all" || name == "default" || isForm) {
			set[name] = true
			continue
		}
		if Lookup(name) == nil {
			known := strings.Join(Names(), ", ")
			if list == "enable" {
				for _, f := range optInForms {
					known += ", " + f.Name()
				}
				known += ", and default or all"
			}
			return nil, fmt.Errorf("%s: unknown check %q (known: %s)", list, name, known)
		}
		set[name] = true
	}
	return set, nil
}
