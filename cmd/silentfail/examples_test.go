package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/silentfail/silentfail/checks/suite"
)

var bugMarker = regexp.MustCompile(`^// BUG\((\w+)(?:\.(\w+))?\):`)

type span struct {
	check      string
	form       string // an opt-in form of the check (ctxreplace.background), or ""
	file       string
	start, end int // lines of the statement the marker stands above
}

// markedBugs returns, for every "// BUG(check): ..." comment in the
// examples, the statement below it: the finding must fall inside it.
func markedBugs(t *testing.T, dir string) []span {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var spans []span
	for _, name := range files {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				m := bugMarker.FindStringSubmatch(c.Text)
				if m == nil {
					continue
				}
				line := fset.Position(c.End()).Line
				var stmt ast.Node
				ast.Inspect(f, func(n ast.Node) bool {
					if s, ok := n.(ast.Stmt); ok && stmt == nil && fset.Position(s.Pos()).Line == line+1 {
						stmt = s
					}
					return stmt == nil
				})
				if stmt == nil {
					t.Fatalf("%s:%d: BUG marker not followed by a statement", name, line)
				}
				spans = append(spans, span{m[1], m[2], filepath.Base(name), line + 1, fset.Position(stmt.End()).Line})
			}
		}
	}
	return spans
}

// The README's first command: every marked bug in the example service
// of a default check is reported by its check, inside the marked
// statement, and nothing else is reported (the correct look-alikes
// around them stay silent). With -enable all, the marked bugs of
// opt-in checks and forms are reported too, and still nothing else.
func TestExamplesFindEveryMarkedBugAndNothingElse(t *testing.T) {
	root := filepath.Join("..", "..")
	spans := markedBugs(t, filepath.Join(root, "examples", "leakyservice"))
	checks := map[string]bool{}
	for _, s := range spans {
		checks[s.check] = true
		if s.form != "" {
			checks[s.check+"."+s.form] = true
		}
	}
	// Every check and form of the suite shows itself in the examples.
	for _, a := range suite.All() {
		if name := a.Name; !checks[name] {
			t.Errorf("the examples have no BUG(%s) marker", name)
		}
	}
	for _, f := range suite.OptInForms() {
		if !checks[f.Name()] {
			t.Errorf("the examples have no BUG(%s) marker", f.Name())
		}
	}
	t.Run("default", func(t *testing.T) {
		want := slices.DeleteFunc(slices.Clone(spans), func(s span) bool { return s.form != "" || !suite.IsDefault(s.check) })
		exampleRun(t, root, want, "check", "./examples/...")
	})
	t.Run("all", func(t *testing.T) {
		exampleRun(t, root, spans, "check", "-enable", "all", "./examples/...")
	})
}

func exampleRun(t *testing.T, root string, spans []span, args ...string) {
	r := silentfail(t, root, args...)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	found := make([]bool, len(spans))
	line := regexp.MustCompile(`^examples/leakyservice/(\w+\.go):(\d+):\d+: .* \((\w+)\)$`)
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		m := line.FindStringSubmatch(filepath.ToSlash(l))
		if m == nil {
			t.Errorf("unexpected output line: %s", l)
			continue
		}
		n, _ := strconv.Atoi(m[2])
		i := slices.IndexFunc(spans, func(s span) bool {
			return s.check == m[3] && s.file == m[1] && s.start <= n && n <= s.end
		})
		if i < 0 {
			t.Errorf("false alarm on the examples: %s", l)
			continue
		}
		found[i] = true
	}
	for i, s := range spans {
		if !found[i] {
			t.Errorf("%s:%d: BUG(%s) not reported", s.file, s.start, s.check)
		}
	}
	if t.Failed() {
		fmt.Println(r.stdout)
	}
}
