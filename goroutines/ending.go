package goroutines

import "strings"

// An Ending says how the process that printed a traceback stopped,
// when its header tells: a `go test` binary that hit its -timeout, or
// the runtime's deadlock detector.
type Ending struct {
	// TestTimeout is the test binary's timeout ("2s", "10m0s") when the
	// dump is the panic of `go test -timeout`; empty otherwise.
	TestTimeout string
	// Tests are the tests that were running when it fired, as the panic
	// lists them ("TestHang"), without their durations.
	Tests []string
	// Deadlock is set when the runtime found every goroutine asleep
	// ("fatal error: all goroutines are asleep - deadlock!"): each
	// blocked goroutine is blocked for good.
	Deadlock bool
	// AfterTests is set when a test binary's TestMain wrote the dump
	// after m.Run returned: every other goroutine of the user's code
	// was left behind by the tests.
	AfterTests bool
}

// Ending reads how the process stopped from the snapshot's header.
func (s *Snapshot) Ending() Ending {
	var e Ending
	lines := strings.Split(s.Header, "\n")
	for i, line := range lines {
		line = strings.TrimSpace(line)
		switch {
		case strings.Contains(line, "fatal error: all goroutines are asleep - deadlock!"):
			e.Deadlock = true
		case strings.HasPrefix(line, "panic: test timed out after "):
			e.TestTimeout = strings.TrimSpace(strings.TrimPrefix(line, "panic: test timed out after "))
			e.Tests = runningTests(lines[i+1:])
		}
	}
	e.AfterTests = s.writtenAfterTests()
	return e
}

// writtenAfterTests reports whether the running goroutine that wrote
// the snapshot is in a TestMain and no longer inside testing.(*M).Run.
func (s *Snapshot) writtenAfterTests() bool {
	for _, g := range s.Goroutines {
		if g.State != "running" {
			continue
		}
		inMain, inRun := false, false
		for _, f := range g.Stack {
			inMain = inMain || strings.HasSuffix(f.Function, ".TestMain")
			inRun = inRun || f.Function == "testing.(*M).Run"
		}
		if inMain && !inRun {
			return true
		}
	}
	return false
}

// runningTests reads the list after "running tests:", one test per
// indented line: "TestHang (2s)".
func runningTests(lines []string) []string {
	var tests []string
	started := false
	for _, line := range lines {
		t := strings.TrimSpace(line)
		switch {
		case t == "running tests:":
			started = true
		case !started:
			return nil
		case t == "":
			return tests
		default:
			name, _, _ := strings.Cut(t, " ")
			tests = append(tests, name)
		}
	}
	return tests
}
