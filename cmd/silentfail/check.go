package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/silentfail/silentfail/checks/suite"
	"github.com/silentfail/silentfail/internal/baseline"
	"github.com/silentfail/silentfail/internal/checkrun"
	"github.com/silentfail/silentfail/internal/config"
	"github.com/silentfail/silentfail/internal/newcode"
	"github.com/silentfail/silentfail/internal/sarif"
	"github.com/silentfail/silentfail/internal/udiff"
)

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		jsonOut  = fs.Bool("json", false, "print findings as go vet -json does")
		sarifOut = fs.Bool("sarif", false, "print findings as a SARIF 2.1.0 log, for code scanning")
		fix      = fs.Bool("fix", false, "apply the suggested fixes to the files")
		diff     = fs.Bool("diff", false, "print the suggested fixes as a unified diff; change nothing")
		enable   = fs.String("enable", "", "comma-separated checks and forms to run (default: the default set; \"all\": every check and form; \"default,NAME\": the default set and NAME)")
		disable  = fs.String("disable", "", "comma-separated checks not to run")
		tests    = fs.Bool("tests", true, "also check test files")
		base     = fs.String("baseline", "", "report only findings that are not in this baseline `file`; when it does not exist, write it with the current findings and report none")
		fromRev  = fs.String("new-from-rev", "", "report only findings on lines changed since this git `revision` (committed, staged or not, and untracked files)")
		useCache = fs.Bool("cache", true, "replay the findings of unchanged packages from the result cache ($SILENTFAIL_CACHE, default silentfail/check in the user cache directory)")
		cfgPath  = fs.String("config", "", "read settings from this `file` (default: silentfail.yaml or .silentfail.yaml in the current directory or the nearest above it; \"none\": no file)")
	)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: silentfail check [flags] [packages]\n\nPackages default to ./... . Exit status: 0 clean, 1 findings, 2 could not run, 4 or 5 partial run (some packages skipped) without or with findings.\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nChecks: %s\n", strings.Join(checkNames(suite.All()), ", "))
	}
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	if *sarifOut && (*jsonOut || *fix || *diff) {
		fmt.Fprintln(stderr, "silentfail: -sarif cannot be used with -json, -fix or -diff: it prints the findings, fixes included, as one SARIF log")
		return exitError
	}
	if *fix && *diff {
		fmt.Fprintln(stderr, "silentfail: -fix and -diff cannot be used together: -diff shows the fixes, -fix applies them")
		return exitError
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		fmt.Fprintln(stderr, "silentfail:", err)
		return exitError
	}
	if cfg != nil {
		if !given["enable"] && len(cfg.Enable) > 0 {
			*enable = strings.Join(cfg.Enable, ",")
		}
		if !given["disable"] && len(cfg.Disable) > 0 {
			*disable = strings.Join(cfg.Disable, ",")
		}
		if !given["tests"] && cfg.Tests != nil {
			*tests = *cfg.Tests
		}
		if !given["baseline"] && cfg.Baseline != "" {
			*base = cfg.Baseline
		}
	}
	analyzers, err := selectChecks(*enable, *disable)
	if err != nil {
		fmt.Fprintln(stderr, "silentfail:", err)
		return exitError
	}
	var changed *newcode.Lines
	if *fromRev != "" {
		wd, err := os.Getwd()
		if err == nil {
			changed, err = newcode.Since(context.Background(), wd, *fromRev)
		}
		if err != nil {
			fmt.Fprintln(stderr, "silentfail:", err)
			return exitError
		}
	}
	var known *baseline.File
	if *base != "" {
		known, err = baseline.Read(*base)
		if err != nil && !errors.Is(err, iofs.ErrNotExist) {
			fmt.Fprintln(stderr, "silentfail:", err)
			return exitError
		}
	}

	var cache *checkrun.Cache
	if *useCache {
		if dir, err := checkrun.DefaultCacheDir(); err == nil {
			cache, _ = checkrun.OpenCache(dir, 0) // without one, the run recomputes everything
		}
	}
	res, runErr := checkrun.Run(checkrun.Config{
		Patterns:    fs.Args(),
		Analyzers:   analyzers,
		Tests:       *tests,
		KnownChecks: checkNames(suite.All()),
		TightGC:     true,
		Cache:       cache,
	})
	if res == nil {
		fmt.Fprintln(stderr, "silentfail:", runErr)
		return exitError
	}
	status := exitClean
	for _, b := range res.Broken {
		fmt.Fprintf(stderr, "silentfail: package %s does not type-check, not analyzed: %s\n", b.Package, strings.Join(b.Errors, "; "))
	}
	switch {
	case runErr != nil:
		fmt.Fprintln(stderr, "silentfail:", runErr)
		status = exitError
	case len(res.Broken) > 0 && res.Analyzed == 0:
		fmt.Fprintf(stderr, "silentfail: none of the %d packages type-checks: nothing was analyzed\n", len(res.Broken))
		status = exitError
	case len(res.Broken) > 0:
		fmt.Fprintf(stderr, "silentfail: partial run: %d packages skipped (listed above), %d analyzed; exit status %d or %d\n",
			len(res.Broken), res.Analyzed, exitPartial+exitClean, exitPartial+exitFindings)
		status = exitPartial
	}

	findings := res.Findings
	if cfg != nil {
		findings = slices.DeleteFunc(findings, func(f checkrun.Finding) bool { return cfg.Excluded(f.Pos.Filename) })
	}
	if changed != nil {
		findings = slices.DeleteFunc(findings, func(f checkrun.Finding) bool { return !changed.Has(f.Pos.Filename, f.Pos.Line) })
	}
	switch {
	case *base != "" && known == nil && status != exitError:
		if err := baseline.New(*base, findings).Write(*base); err != nil {
			fmt.Fprintln(stderr, "silentfail:", err)
			return exitError
		}
		fmt.Fprintf(stderr, "silentfail: wrote the baseline %s with %d findings: later runs with -baseline report only new ones\n", *base, len(findings))
		findings = nil
	case known != nil:
		var held int
		findings, held = known.New(*base, findings)
		if held > 0 {
			fmt.Fprintf(stderr, "silentfail: %d findings held in the baseline %s are not shown\n", held, *base)
		}
	}
	if *fix || *diff {
		plan, err := checkrun.PlanFixes(findings)
		if err != nil {
			fmt.Fprintln(stderr, "silentfail:", err)
			return exitError
		}
		if *diff {
			for _, c := range plan.Changes {
				name := relPath(c.Filename)
				fmt.Fprint(stdout, udiff.Unified("a/"+filepath.ToSlash(name), "b/"+filepath.ToSlash(name), c.Old, c.New))
			}
		} else {
			if err := plan.Write(); err != nil {
				fmt.Fprintln(stderr, "silentfail:", err)
				return exitError
			}
			fmt.Fprintf(stderr, "silentfail: applied %d fixes in %d files\n", len(plan.Fixed), len(plan.Changes))
			for _, f := range plan.Skipped {
				fmt.Fprintf(stderr, "silentfail: %s: fix not applied (it conflicts with another fix or leaves invalid Go): %s\n", position(f.Pos), f.Message)
			}
			findings = unfixed(findings, plan.Fixed)
		}
	}
	switch {
	case *sarifOut:
		if err := sarifLog(analyzers, findings, res.Broken).Write(stdout); err != nil {
			fmt.Fprintln(stderr, "silentfail: writing the SARIF log:", err)
			return exitError
		}
	case *jsonOut:
		printJSON(stdout, findings, res.Broken, analyzers)
	case !*diff:
		for _, f := range findings {
			fmt.Fprintf(stdout, "%s: %s (%s)\n", position(f.Pos), f.Message, f.Check)
		}
	}
	if len(findings) > 0 && status != exitError {
		status += exitFindings
	}
	return status
}

// loadConfig reads the config file named by -config, or the one found
// from the current directory up; nil when there is none.
func loadConfig(flagValue string) (*config.Config, error) {
	path := flagValue
	switch path {
	case "none":
		return nil, nil
	case "":
		var err error
		if path, err = config.Find("."); err != nil || path == "" {
			return nil, err
		}
	}
	cfg, err := config.Read(path)
	if err != nil {
		if errors.Is(err, iofs.ErrNotExist) {
			return nil, fmt.Errorf("-config %s: no such file", path)
		}
		return nil, err
	}
	if err := cfg.CheckNames(func(name string) bool {
		_, err := suite.Select([]string{name}, nil)
		return err == nil
	}); err != nil {
		return nil, err
	}
	return cfg, nil
}

// sarifLog describes the checks that ran as rules, and the findings.
func sarifLog(ran []*analysis.Analyzer, findings []checkrun.Finding, skipped []checkrun.BrokenPackage) *sarif.Log {
	checks := make([]sarif.Check, len(ran))
	for i, a := range ran {
		checks[i] = sarif.Check{Name: a.Name, Doc: a.Doc, URL: a.URL}
	}
	return sarif.New(checks, findings, sarif.Options{
		Version:        version(),
		InformationURI: "https://pkg.go.dev/github.com/silentfail/silentfail",
		Skipped:        skipped,
	})
}

// selectChecks applies -enable and -disable to the suite, as the
// golangci-lint plugin applies its enable and disable lists.
func selectChecks(enable, disable string) ([]*analysis.Analyzer, error) {
	return suite.Select(checkList(enable), checkList(disable))
}

// checkList splits a comma-separated flag value into check names.
func checkList(flagValue string) []string {
	var names []string
	for name := range strings.SplitSeq(flagValue, ",") {
		if name = strings.TrimSpace(name); name != "" {
			names = append(names, name)
		}
	}
	return names
}

func checkNames(as []*analysis.Analyzer) []string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = a.Name
	}
	return names
}

func unfixed(all, fixed []checkrun.Finding) []checkrun.Finding {
	done := make(map[string]bool)
	key := func(f checkrun.Finding) string { return fmt.Sprint(f.Check, f.Pos, f.Message) }
	for _, f := range fixed {
		done[key(f)] = true
	}
	var out []checkrun.Finding
	for _, f := range all {
		if !done[key(f)] {
			out = append(out, f)
		}
	}
	return out
}

// relPath shortens filename relative to the current directory when it
// lies below it.
func relPath(filename string) string {
	wd, err := os.Getwd()
	if err != nil {
		return filename
	}
	rel, err := filepath.Rel(wd, filename)
	if err != nil || strings.HasPrefix(rel, "..") {
		return filename
	}
	return rel
}

func position(p interface {
	String() string
}) string {
	return relPositionString(p.String())
}

func relPositionString(s string) string {
	// token.Position.String is "file:line:col"; only the file part is
	// made relative.
	file := s
	rest := ""
	if i := strings.LastIndex(s, ":"); i > 0 {
		if j := strings.LastIndex(s[:i], ":"); j > 0 {
			file, rest = s[:j], s[j:]
		}
	}
	return relPath(file) + rest
}

// The go vet -json shape: package ID -> analyzer -> diagnostics.
type jsonDiagnostic struct {
	Category       string            `json:"category,omitempty"`
	Posn           string            `json:"posn"`
	End            string            `json:"end,omitempty"`
	Message        string            `json:"message"`
	SuggestedFixes []jsonFix         `json:"suggested_fixes,omitempty"`
	Related        []jsonRelatedInfo `json:"related,omitempty"`
}

// jsonError is what go vet -json prints for an analysis that failed.
type jsonError struct {
	Err string `json:"error"`
}

type jsonFix struct {
	Message string     `json:"message"`
	Edits   []jsonEdit `json:"edits"`
}

type jsonEdit struct {
	Filename string `json:"filename"`
	Start    int    `json:"start"`
	End      int    `json:"end"`
	New      string `json:"new"`
}

type jsonRelatedInfo struct {
	Posn    string `json:"posn"`
	End     string `json:"end,omitempty"`
	Message string `json:"message"`
}

// printJSON prints the findings in go vet -json's shape. A package that
// was skipped gets, under each check that ran, the object go vet prints
// for an analysis that failed: {"error": "..."}.
func printJSON(w io.Writer, findings []checkrun.Finding, skipped []checkrun.BrokenPackage, ran []*analysis.Analyzer) {
	tree := make(map[string]map[string]any)
	for _, b := range skipped {
		tree[b.Package] = make(map[string]any)
		for _, a := range ran {
			tree[b.Package][a.Name] = jsonError{Err: "package does not type-check, not analyzed: " + strings.Join(b.Errors, "; ")}
		}
	}
	for _, f := range findings {
		d := jsonDiagnostic{Category: f.Category, Posn: f.Pos.String(), Message: f.Message}
		if f.End.IsValid() {
			d.End = f.End.String()
		}
		for _, fx := range f.Fixes {
			jf := jsonFix{Message: fx.Message, Edits: []jsonEdit{}}
			for _, e := range fx.Edits {
				jf.Edits = append(jf.Edits, jsonEdit(e))
			}
			d.SuggestedFixes = append(d.SuggestedFixes, jf)
		}
		for _, r := range f.Related {
			ri := jsonRelatedInfo{Posn: r.Pos.String(), Message: r.Message}
			if r.End.IsValid() {
				ri.End = r.End.String()
			}
			d.Related = append(d.Related, ri)
		}
		if tree[f.Package] == nil {
			tree[f.Package] = make(map[string]any)
		}
		list, _ := tree[f.Package][f.Check].([]jsonDiagnostic)
		tree[f.Package][f.Check] = append(list, d)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "\t")
	enc.Encode(tree)
}
