// Package suppress filters an analyzer's diagnostics through the
// //silentfail:ignore directives and drops those in generated files.
//
// Each analyzer calls Filter at the start of its run, so the same
// filtering applies whatever driver runs it: silentfail check, go vet
// -vettool, golangci-lint or nogo.
package suppress

import (
	"fmt"
	"go/ast"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// Prefix starts an ignore directive:
//
//	//silentfail:ignore deferloop the loop runs at most twice
//
// It suppresses findings of the named checks (comma-separated) on the
// directive's line and on the line below it. The reason is required.
const Prefix = "//silentfail:ignore"

type lineKey struct {
	file string
	line int
}

// Filter returns a copy of pass whose Report drops the diagnostics
// suppressed for pass.Analyzer and those in generated files. Directives
// naming this analyzer without a reason are reported, and suppress
// nothing.
func Filter(pass *analysis.Pass) *analysis.Pass {
	name := pass.Analyzer.Name
	ignored := make(map[lineKey]bool)
	generated := make(map[string]bool)
	for _, f := range pass.Files {
		tf := pass.Fset.File(f.FileStart)
		if tf == nil {
			continue
		}
		if ast.IsGenerated(f) {
			generated[tf.Name()] = true
			continue
		}
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				checks, reason, ok := Parse(c.Text)
				if !ok || !names(checks, name) {
					continue
				}
				if reason == "" {
					pass.Report(analysis.Diagnostic{
						Pos:     c.Pos(),
						End:     c.End(),
						Message: fmt.Sprintf("%s %s has no reason, so it suppresses nothing: say why the finding does not apply (%s %s <reason>)", Prefix, checks, Prefix, checks),
					})
					continue
				}
				line := tf.Line(c.Pos())
				ignored[lineKey{tf.Name(), line}] = true
				ignored[lineKey{tf.Name(), line + 1}] = true
			}
		}
	}
	if len(ignored) == 0 && len(generated) == 0 {
		return pass
	}
	filtered := *pass
	report := pass.Report
	filtered.Report = func(d analysis.Diagnostic) {
		p := pass.Fset.Position(d.Pos)
		if generated[p.Filename] || ignored[lineKey{p.Filename, p.Line}] {
			return
		}
		report(d)
	}
	return &filtered
}

// Parse splits a comment's text into the checks and the reason of an
// ignore directive. ok is false when text is not a directive.
func Parse(text string) (checks, reason string, ok bool) {
	rest, found := strings.CutPrefix(text, Prefix)
	if !found || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
		return "", "", false
	}
	// A further comment on the same line ("// want ...", "//nolint")
	// is not part of the reason.
	rest, _, _ = strings.Cut(rest, "//")
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return "", "", true
	}
	return fields[0], strings.Join(fields[1:], " "), true
}

func names(list, name string) bool {
	for n := range strings.SplitSeq(list, ",") {
		if n == name {
			return true
		}
	}
	return false
}
