// Command silentfail finds the failures that degrade a Go service
// silently: deferred calls that run too late, too early or wrongly,
// goroutines that never exit, lost cancellation.
//
// Usage:
//
//	silentfail check [flags] [packages]   run the checks (default ./...)
//	silentfail diagnose [flags] SOURCE... find leaked goroutines in dumps and profiles
//	silentfail watch [flags] URL          capture profiles when a service degrades
//	silentfail respond [flags]            capture and diagnose the instance of each Alertmanager alert
//	silentfail help [check]               list the checks, or explain one
//	silentfail version                    print the version
//
// The binary also speaks go vet's tool protocol:
//
//	go vet -vettool=$(which silentfail) ./...
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/silentfail/silentfail/checks/suite"
)

// Exit codes, the same for every subcommand.
const (
	exitClean    = 0 // nothing found
	exitFindings = 1 // findings reported
	exitError    = 2 // could not run

	// exitPartial is added to exitClean or exitFindings when check
	// analyzed some packages and skipped others that do not type-check:
	// 4 means no findings in what was checked, 5 findings. A CI script
	// reads findings as status&1 and an incomplete run as status&4.
	exitPartial = 4
)

func main() {
	args := os.Args[1:]
	if isVetTool(args) {
		unitchecker.Main(vetAnalyzers(args)...) // does not return
	}
	os.Exit(run(args, os.Stdout, os.Stderr))
}

// isVetTool recognizes the invocations go vet makes of a -vettool: a
// version query, a flags query, or flags followed by a .cfg file.
func isVetTool(args []string) bool {
	if len(args) == 0 {
		return false
	}
	first, last := args[0], args[len(args)-1]
	return strings.HasPrefix(first, "-V=") || first == "-flags" ||
		(strings.HasPrefix(first, "-") || len(args) == 1) && strings.HasSuffix(last, ".cfg")
}

// vetAnalyzers chooses what go vet runs. Its queries (-V=full, -flags)
// get every analyzer, so that go vet accepts each check's flag. A run
// gets the default set unless a check is named true (-chanleak), as
// unitchecker runs only the named checks then; -ctxreplace.background
// turns a form on within the default set, -deferloop=false drops one.
func vetAnalyzers(args []string) []*analysis.Analyzer {
	if !strings.HasSuffix(args[len(args)-1], ".cfg") {
		return suite.All()
	}
	for _, a := range args[:len(args)-1] {
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if suite.Lookup(name) != nil && (!hasValue || value == "true" || value == "1") {
			return suite.All()
		}
	}
	return suite.Default()
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitError
	}
	switch args[0] {
	case "check":
		return runCheck(args[1:], stdout, stderr)
	case "diagnose":
		return runDiagnose(args[1:], stdout, stderr)
	case "demo":
		return runDemo(args[1:], stdout, stderr)
	case "watch":
		return runWatch(args[1:], stdout, stderr)
	case "respond":
		return runRespond(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		return runHelp(args[1:], stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "silentfail", version())
		return exitClean
	default:
		fmt.Fprintf(stderr, "silentfail: unknown command %q (want check, diagnose, watch, demo, help or version)\n", args[0])
		return exitError
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `silentfail finds the failures that degrade a Go service silently.

Usage:
  silentfail check [flags] [packages]   run the checks (default ./...)
  silentfail diagnose [flags] SOURCE... find leaked and stuck goroutines in dumps, profiles, a live service
  silentfail watch [flags] URL          capture profiles when a running service degrades
  silentfail respond [flags]            capture and diagnose the instance of each Alertmanager alert
  silentfail demo                       the whole loop on examples/leakyservice, in under a minute
  silentfail help [check]               list the checks, or explain one
  silentfail version                    print the version

Also: go vet -vettool=$(which silentfail) ./...
Run 'silentfail check -h' for the check flags.
`)
}

func runHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stdout)
		fmt.Fprintln(stdout, "\nChecks run by default (each narrowed to forms whose report follows from the code alone; their precision on real code is in the README):")
		for _, a := range suite.Default() {
			title, _, _ := strings.Cut(a.Doc, "\n")
			fmt.Fprintf(stdout, "  %s\n", title)
		}
		fmt.Fprintln(stdout, "\nOpt-in forms (-enable default,NAME; naming a form of an opt-in check runs that check with the form on):")
		for _, f := range suite.OptInForms() {
			fmt.Fprintf(stdout, "  %s: %s\n", f.Name(), f.Reason)
		}
		fmt.Fprintln(stdout, "\nOpt-in checks (-enable default,NAME, or -enable all), not yet precise enough on real code to run by default:")
		for _, a := range suite.All() {
			if !suite.IsDefault(a.Name) {
				title, _, _ := strings.Cut(a.Doc, "\n")
				fmt.Fprintf(stdout, "  %s\n      why opt-in: %s\n", title, suite.OptInReason(a.Name))
			}
		}
		fmt.Fprintln(stdout, "\nRun 'silentfail help <check>' for one check's documentation.")
		return exitClean
	}
	status := exitClean
	for _, name := range args {
		a := suite.Lookup(name)
		if a == nil {
			fmt.Fprintf(stderr, "silentfail: unknown check %q (see 'silentfail help')\n", name)
			status = exitError
			continue
		}
		title, rest, _ := strings.Cut(a.Doc, "\n")
		writeFirstScreen(stdout, title, name)
		fmt.Fprintf(stdout, "\n%s\n%s\n\n%s\n", strings.Repeat("-", 72), strings.TrimSpace(rest), a.URL)
		if r := suite.OptInReason(name); r != "" {
			fmt.Fprintf(stdout, "\nOpt-in: not run unless named (-enable default,%s): %s.\n", name, r)
		}
		for _, f := range suite.OptInForms() {
			if f.Check == name {
				fmt.Fprintf(stdout, "\nOpt-in form %s (-enable default,%s): %s.\n", f.Name(), f.Name(), f.Reason)
			}
		}
	}
	return status
}

// writeFirstScreen prints what a user reads when a finding appears, in
// at most 12 lines: the check, what it finds, why it hurts, the fix, one
// bad line and its good form, and whether it runs by default.
func writeFirstScreen(w io.Writer, title, name string) {
	fmt.Fprintln(w, title)
	if sm, ok := suite.Summaries[name]; ok {
		fmt.Fprintf(w, "\n  what:   %s\n  hurts:  %s\n  fix:    %s\n\n  bad:    %s\n  good:   %s\n", sm.What, sm.Hurts, sm.Fix, sm.Bad, sm.Good)
	}
	if suite.IsDefault(name) {
		fmt.Fprintf(w, "\nRuns by default. The whole documentation follows.\n")
	} else {
		fmt.Fprintf(w, "\nOpt-in: -enable default,%s. The whole documentation follows.\n", name)
	}
}

// parseFlags parses a command's flags. When it returns false the command
// ends with status: exitClean after -h (the usage was printed),
// exitError after a bad flag (the flag package said which).
func parseFlags(fs *flag.FlagSet, args []string) (status int, ok bool) {
	switch err := fs.Parse(args); {
	case err == flag.ErrHelp:
		return exitClean, false
	case err != nil:
		return exitError, false
	}
	return exitClean, true
}

// version reports the module version the binary was built from, the
// commit when the build recorded it (a go build or go install in a
// clone does), and the Go toolchain that built it.
func version() string {
	v := "(devel)"
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Version != "" {
		v = bi.Main.Version
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" && !strings.Contains(v, rev[:min(12, len(rev))]) {
		v += " commit " + rev
		if modified == "true" {
			v += " (with uncommitted changes)"
		}
	}
	return v + " " + bi.GoVersion
}
