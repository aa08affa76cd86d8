// Package checkrun loads Go packages and runs the silentfail analyzers
// over them, producing findings in a form independent of how they are
// printed. Presentation lives in cmd/silentfail.
package checkrun

import (
	"cmp"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"

	"github.com/silentfail/silentfail/internal/suppress"
)

// Config says what to analyze and with which analyzers.
type Config struct {
	Dir       string   // working directory for the build system; "" means the current one
	Patterns  []string // package patterns, as for go list
	Analyzers []*analysis.Analyzer
	Tests     bool     // also analyze test files
	Env       []string // environment for the build system; nil means os.Environ()
	// KnownChecks are the names an ignore directive may use; a directive
	// naming another one is reported. Nil disables that report.
	KnownChecks []string
	// TightGC keeps the heap close to its live size while loading, at
	// some CPU cost (see tightGC). It changes the process's GC percent
	// for the duration of Run: for commands, not for libraries sharing
	// the process with other work.
	TightGC bool
	// Cache, when set, replays the findings of packages whose inputs
	// have not changed since a run stored them, and stores the others.
	Cache *Cache
}

// A Finding is one diagnostic of one analyzer.
type Finding struct {
	Check    string
	Package  string // package ID, as go vet -json prints it
	Pos, End token.Position
	Message  string
	Category string
	Fixes    []Fix
	Related  []Related
	// Func is the top-level function declaration holding the finding:
	// diagnose links a goroutine whose stack passes through it.
	Func FuncSpan
}

// A FuncSpan is a function declaration's name and extent. Name is the
// runtime's form, as in stack traces: "example.com/p.(*T).Serve",
// "example.com/p.handle". Zero when the finding is outside any function.
type FuncSpan struct {
	Name       string
	Start, End token.Position
}

// A Fix is one suggested fix: edits in byte offsets of files.
type Fix struct {
	Message string
	Edits   []Edit
}

// An Edit replaces the bytes [Start, End) of Filename with New.
type Edit struct {
	Filename   string
	Start, End int
	New        string
}

// Related is additional position information attached to a finding.
type Related struct {
	Pos, End token.Position
	Message  string
}

// A BrokenPackage could not be analyzed: it does not load or type-check.
type BrokenPackage struct {
	Package string
	Errors  []string // the first few errors, "file:line:col: msg"
}

// Result is everything a run found.
type Result struct {
	Findings []Finding       // sorted by file, line, column, check
	Broken   []BrokenPackage // sorted by package
	Analyzed int             // number of packages analyzed
	Cached   int             // how many of them were replayed from the cache
}

// maxErrorsPerPackage bounds how many load errors of one package are kept:
// the first ones explain the rest.
const maxErrorsPerPackage = 3

// Run loads the packages and runs the analyzers. It returns an error
// only when nothing could be analyzed (no module, a pattern that
// matches nothing, the go command failing); packages that do not
// type-check are listed in Result.Broken and the others still analyzed.
func Run(cfg Config) (*Result, error) {
	patterns := cfg.Patterns
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	env := cfg.Env
	if env == nil {
		env = os.Environ()
	}
	if name := usesFacts(cfg.Analyzers); name != "" {
		return nil, fmt.Errorf("analyzer %s uses facts, which silentfail's driver does not provide", name)
	}
	lcfg := &packages.Config{
		Mode:  metadataMode,
		Dir:   cfg.Dir,
		Tests: cfg.Tests,
		Env:   env,
	}
	if err := needModule(cfg.Dir, patterns); err != nil {
		return nil, err
	}
	pkgs, err := packages.Load(lcfg, patterns...)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %s", strings.Join(patterns, " "), loadErrorText(err))
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("%s matched no packages", strings.Join(patterns, " "))
	}

	res := &Result{}
	var roots []*packages.Package
	var patternErrs []error
	for _, p := range selectVariants(pkgs) {
		if isPatternError(p) {
			patternErrs = append(patternErrs, fmt.Errorf("%s", p.Errors[0].Msg))
			continue
		}
		if len(p.CompiledGoFiles) == 0 && len(p.Errors) == 0 {
			continue
		}
		roots = append(roots, p)
	}
	if len(roots) == 0 {
		if len(patternErrs) > 0 {
			return nil, errors.Join(patternErrs...)
		}
		return nil, fmt.Errorf("%s matched no packages", strings.Join(patterns, " "))
	}

	type key struct {
		check, msg string
		pos        token.Position
	}
	seen := make(map[key]bool)
	var failures []error
	results, cached := analyzeCached(roots, cfg, env)
	res.Cached = cached
	for _, r := range results {
		if r.broken != nil {
			res.Broken = append(res.Broken, *r.broken)
		}
		if r.analyzed {
			res.Analyzed++
		}
		failures = append(failures, r.failures...)
		for _, f := range r.findings {
			k := key{f.Check, f.Message, f.Pos}
			if seen[k] {
				continue // the same file analyzed as part of the test variant
			}
			seen[k] = true
			res.Findings = append(res.Findings, f)
		}
	}
	sortFindings(res.Findings)
	slices.SortFunc(res.Broken, func(a, b BrokenPackage) int { return cmp.Compare(a.Package, b.Package) })
	return res, errors.Join(append(patternErrs, failures...)...)
}

// analyzeCached is analyzeGraph with cfg.Cache: roots whose key is in
// the cache are replayed, the others analyzed (with what they import),
// and their clean results stored. A cache that fails is left aside: the
// run goes on without it.
func analyzeCached(roots []*packages.Package, cfg Config, env []string) ([]rootResult, int) {
	if cfg.Cache == nil {
		return analyzeGraph(roots, cfg), 0
	}
	k, err := newKeyer(cfg, env)
	if err != nil {
		return analyzeGraph(roots, cfg), 0
	}
	results := make([]rootResult, len(roots))
	keys := make([]string, len(roots))
	var missed []*packages.Package
	var at []int
	cached := 0
	for i, p := range roots {
		key, err := k.key(p)
		if err == nil {
			if r, ok := cfg.Cache.get(key); ok {
				results[i] = r
				cached++
				continue
			}
		}
		keys[i] = key
		missed = append(missed, p)
		at = append(at, i)
	}
	if len(missed) == 0 {
		return results, cached
	}
	wrote := false
	for j, r := range analyzeGraph(missed, cfg) {
		i := at[j]
		results[i] = r
		if keys[i] != "" && r.analyzed && r.broken == nil && len(r.failures) == 0 {
			if cfg.Cache.put(keys[i], r) == nil {
				wrote = true
			}
		}
	}
	if wrote {
		cfg.Cache.trim()
	}
	return results, cached
}

// isPatternError reports whether p stands for a pattern the go command
// could not resolve (a missing directory) rather than a real package.
func isPatternError(p *packages.Package) bool {
	if p.Name != "" || len(p.CompiledGoFiles) != 0 || len(p.Errors) == 0 {
		return false
	}
	msg := p.Errors[0].Msg
	// A directory named on the command line that holds no package: the
	// pattern is wrong, nothing failed to type-check.
	return strings.HasPrefix(msg, "pattern ") || strings.HasPrefix(msg, "no Go files in ") ||
		strings.HasPrefix(msg, "build constraints exclude all Go files in ")
}

// needModule fails early, with advice, when relative patterns are used
// outside any module: the go command's own message for it is obscure.
func needModule(dir string, patterns []string) error {
	relative := false
	for _, p := range patterns {
		if p == "." || p == ".." || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") {
			relative = true
		}
	}
	if !relative || os.Getenv("GO111MODULE") == "off" {
		return nil
	}
	start, err := filepath.Abs(cmp.Or(dir, "."))
	if err != nil {
		return err
	}
	for d := start; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return nil
		}
		if _, err := os.Stat(filepath.Join(d, "go.work")); err == nil {
			return nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return fmt.Errorf("%s: no Go module here (go.mod not found in this directory or any parent): run silentfail inside a module, or name packages of one", start)
		}
		d = parent
	}
}

// selectVariants drops the package variants whose files another variant
// already covers: p when "p [p.test]" exists (it holds all of p's files
// and the in-package tests), and the generated test mains. Analyzing
// each file once halves the work on tested packages.
func selectVariants(pkgs []*packages.Package) []*packages.Package {
	hasTestVariant := make(map[string]bool)
	for _, p := range pkgs {
		if p.ForTest != "" && p.PkgPath == p.ForTest {
			hasTestVariant[p.PkgPath] = true
		}
	}
	var out []*packages.Package
	for _, p := range pkgs {
		switch {
		case p.ForTest == "" && hasTestVariant[p.PkgPath] && len(p.Errors) == 0:
			continue
		case strings.HasSuffix(p.ID, ".test") && p.Name == "main":
			continue
		}
		out = append(out, p)
	}
	return out
}

// guard returns copies of the analyzers whose Run turns a panic into an
// error naming the analyzer and the package, so that one bug in one
// check cannot stop the analysis of a whole code base.
func guard(as []*analysis.Analyzer) []*analysis.Analyzer {
	out := make([]*analysis.Analyzer, len(as))
	for i, a := range as {
		g := *a
		run := a.Run
		g.Run = func(pass *analysis.Pass) (res any, err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("internal error: panic: %v\n%s", r, debug.Stack())
				}
			}()
			return run(pass)
		}
		out[i] = &g
	}
	return out
}

func convert(check, pkg string, fset *token.FileSet, d analysis.Diagnostic) Finding {
	f := Finding{
		Check:    check,
		Package:  pkg,
		Pos:      fset.Position(d.Pos),
		Message:  d.Message,
		Category: d.Category,
	}
	if d.End.IsValid() {
		f.End = fset.Position(d.End)
	}
	for _, sf := range d.SuggestedFixes {
		if fix, ok := convertFix(fset, sf); ok {
			f.Fixes = append(f.Fixes, fix)
		}
	}
	for _, r := range d.Related {
		rel := Related{Pos: fset.Position(r.Pos), Message: r.Message}
		if r.End.IsValid() {
			rel.End = fset.Position(r.End)
		}
		f.Related = append(f.Related, rel)
	}
	return f
}

// convertFix turns a suggested fix into edits of files by name and
// byte offset, and refuses a fix that edits a file with //line
// directives: cgo's output, generated code. Offsets are those of the
// file that was parsed (for cgo, a rewritten copy in the build cache),
// while the directives name another file, whose bytes are elsewhere;
// the edits would land at wrong places in the named file.
func convertFix(fset *token.FileSet, sf analysis.SuggestedFix) (Fix, bool) {
	fix := Fix{Message: sf.Message}
	for _, e := range sf.TextEdits {
		end := e.End
		if !end.IsValid() {
			end = e.Pos
		}
		start, stop := fset.PositionFor(e.Pos, false), fset.PositionFor(end, false)
		if fset.Position(e.Pos).Filename != start.Filename || fset.Position(end).Filename != stop.Filename {
			return Fix{}, false
		}
		fix.Edits = append(fix.Edits, Edit{Filename: start.Filename, Start: start.Offset, End: stop.Offset, New: string(e.NewText)})
	}
	return fix, true
}

func sortFindings(fs []Finding) {
	slices.SortFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.Pos.Filename, b.Pos.Filename),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Column, b.Pos.Column),
			cmp.Compare(a.Check, b.Check),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// loadErrorText shortens the go command's failure to its first
// meaningful line, turning the common "no go.mod" case into advice.
func loadErrorText(err error) string {
	msg := err.Error()
	if strings.Contains(msg, "go.mod file not found") {
		return "no Go module here (go.mod not found in this directory or any parent): run silentfail inside a module, or name packages of one"
	}
	lines := strings.Split(strings.TrimSpace(msg), "\n")
	var kept []string
	for _, l := range lines {
		l = strings.TrimPrefix(strings.TrimSpace(l), "err: exit status 1: stderr: ")
		// Progress lines say what go tried, not what failed.
		if l == "" || strings.HasPrefix(l, "go list") || strings.HasPrefix(l, "go: downloading ") {
			continue
		}
		kept = append(kept, l)
	}
	if len(kept) == 0 {
		return lines[0]
	}
	if len(kept) > 1 && strings.HasPrefix(kept[1], "server response: ") {
		return kept[0] + " (" + kept[1] + ")" // the proxy's reason
	}
	return kept[0]
}

// DirectiveCheck is the check name under which a malformed ignore
// directive is reported.
const DirectiveCheck = "ignore"

// unknownDirectives reports the ignore directives of p that name a
// check that does not exist: a typo there silently suppresses nothing.
// (Each analyzer reports directives naming it that lack a reason.)
func unknownDirectives(p *packages.Package, known []string) []Finding {
	var out []Finding
	for _, f := range p.Syntax {
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				checks, _, ok := suppress.Parse(c.Text)
				if !ok {
					continue
				}
				var unknown []string
				for n := range strings.SplitSeq(checks, ",") {
					if !slices.Contains(known, n) {
						unknown = append(unknown, fmt.Sprintf("%q", n))
					}
				}
				var msg string
				switch {
				case checks == "":
					msg = fmt.Sprintf("%s names no check, so it suppresses nothing (write %s <check> <reason>)", suppress.Prefix, suppress.Prefix)
				case len(unknown) > 0:
					msg = fmt.Sprintf("%s names %s, which is not a silentfail check, so it suppresses nothing for it (checks: %s)", suppress.Prefix, strings.Join(unknown, ", "), strings.Join(known, ", "))
				default:
					continue
				}
				out = append(out, Finding{
					Check:   DirectiveCheck,
					Package: p.ID,
					Pos:     p.Fset.Position(c.Pos()),
					End:     p.Fset.Position(c.End()),
					Message: msg,
				})
			}
		}
	}
	return out
}

// enclosingFunc returns the span of the top-level function declaration
// of p that contains pos.
func enclosingFunc(p *packages.Package, pos token.Pos) FuncSpan {
	return EnclosingFunc(p.PkgPath, p.Fset, p.Syntax, pos)
}

// EnclosingFunc returns the span of the top-level function declaration
// among files (of the package pkgPath) that contains pos: what a
// Finding's Func holds, for hosts that run the analyzers themselves.
func EnclosingFunc(pkgPath string, fset *token.FileSet, files []*ast.File, pos token.Pos) FuncSpan {
	for _, f := range files {
		if pos < f.FileStart || pos >= f.FileEnd {
			continue
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || pos < fd.Pos() || pos >= fd.End() {
				continue
			}
			return FuncSpan{
				Name:  runtimeName(pkgPath, fd),
				Start: fset.Position(fd.Pos()),
				End:   fset.Position(fd.End()),
			}
		}
	}
	return FuncSpan{}
}

// runtimeName names fd the way the runtime prints it in a stack:
// path.F, path.T.M, path.(*T).M; type parameters print as [...].
func runtimeName(pkgPath string, fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return pkgPath + "." + fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	ptr := false
	if st, ok := t.(*ast.StarExpr); ok {
		ptr, t = true, st.X
	}
	generic := false
	switch x := t.(type) {
	case *ast.IndexExpr:
		t, generic = x.X, true
	case *ast.IndexListExpr:
		t, generic = x.X, true
	}
	name := types.ExprString(t)
	if generic {
		name += "[...]"
	}
	if ptr {
		name = "(*" + name + ")"
	}
	return pkgPath + "." + name + "." + fd.Name.Name
}
