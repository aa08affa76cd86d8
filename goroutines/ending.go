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
	return e
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
