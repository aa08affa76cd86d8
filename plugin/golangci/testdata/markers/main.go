// Command markers compares golangci-lint's JSON output with the
// "// BUG(check): ..." markers of a directory of Go files: every marked
// statement must hold a finding of the silentfail linter for that check,
// and there must be no other finding. build.sh runs it; it lives in
// testdata so that ./... does not build it.
//
//	golangci-lint run --output.json.path=stdout ... | markers -dir DIR [-skip check,...]
//
// Markers of the checks in -skip are expected not to be reported (the
// configuration disabled them). Each problem is printed on its own line;
// the exit status is 1 when there is one.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

var marker = regexp.MustCompile(`^// BUG\((\w+)(?:\.\w+)?\):`) // BUG(check) or BUG(check.form)

// span is the statement below a marker, where its finding must be.
type span struct {
	check      string
	file       string // absolute
	start, end int
	found      bool
}

// issue is the part of golangci-lint's JSON issue this command reads.
type issue struct {
	FromLinter string
	Text       string
	Pos        struct {
		Filename string
		Line     int
	}
}

func main() {
	dir := flag.String("dir", "", "directory of the Go files holding BUG markers")
	skip := flag.String("skip", "", "comma-separated checks whose markers must not be reported")
	flag.Parse()
	if *dir == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: markers -dir DIR [-skip check,...] < golangci-lint.json")
		os.Exit(2)
	}
	spans, err := markedStatements(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "markers:", err)
		os.Exit(2)
	}
	var out struct{ Issues []issue }
	if err := json.NewDecoder(os.Stdin).Decode(&out); err != nil {
		fmt.Fprintln(os.Stderr, "markers: reading golangci-lint's JSON output:", err)
		os.Exit(2)
	}
	skipped := strings.Split(*skip, ",")
	problems := 0
	problem := func(format string, args ...any) {
		fmt.Printf(format+"\n", args...)
		problems++
	}
	for _, is := range out.Issues {
		where := fmt.Sprintf("%s:%d", rel(is.Pos.Filename), is.Pos.Line)
		check, _, _ := strings.Cut(is.Text, ": ")
		if is.FromLinter != "silentfail" {
			problem("%s: finding of linter %s, want only silentfail: %s", where, is.FromLinter, is.Text)
			continue
		}
		file, err := filepath.Abs(is.Pos.Filename)
		if err != nil {
			problem("%s: %v", where, err)
			continue
		}
		i := slices.IndexFunc(spans, func(s span) bool {
			return s.check == check && s.file == file && s.start <= is.Pos.Line && is.Pos.Line <= s.end
		})
		switch {
		case i < 0:
			problem("%s: not a marked bug: %s", where, is.Text)
		case slices.Contains(skipped, check):
			problem("%s: %s is disabled but reported: %s", where, check, is.Text)
		default:
			spans[i].found = true
		}
	}
	for _, s := range spans {
		if !s.found && !slices.Contains(skipped, s.check) {
			problem("%s:%d: BUG(%s) not reported by golangci-lint", rel(s.file), s.start, s.check)
		}
	}
	if problems > 0 {
		os.Exit(1)
	}
	fmt.Printf("markers: %d findings, all on marked bugs of %s, none missing\n", len(out.Issues), *dir)
}

// rel shortens a path below the current directory.
func rel(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if r, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

// markedStatements returns the statement below every marker in dir's
// Go files.
func markedStatements(dir string) ([]span, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	var spans []span
	for _, name := range names {
		abs, err := filepath.Abs(name)
		if err != nil {
			return nil, err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, abs, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				m := marker.FindStringSubmatch(c.Text)
				if m == nil {
					continue
				}
				line := fset.Position(c.End()).Line
				var stmt ast.Stmt
				ast.Inspect(f, func(n ast.Node) bool {
					if s, ok := n.(ast.Stmt); ok && stmt == nil && fset.Position(s.Pos()).Line == line+1 {
						stmt = s
					}
					return stmt == nil
				})
				if stmt == nil {
					return nil, fmt.Errorf("%s:%d: BUG marker not followed by a statement", abs, line)
				}
				spans = append(spans, span{check: m[1], file: abs, start: line + 1, end: fset.Position(stmt.End()).Line})
			}
		}
	}
	if len(spans) == 0 {
		return nil, fmt.Errorf("%s: no BUG(check) markers", dir)
	}
	return spans, nil
}
