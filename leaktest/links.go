package leaktest

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/silentfail/silentfail/goroutines"
)

// DefaultLinkTimeout bounds the static check that links a leak to its
// finding; it runs only when a test leaked.
const DefaultLinkTimeout = 2 * time.Minute

// StaticFindings turns on or off (default on) the static check that
// links each leaked group to the silentfail finding on its stack. It
// runs the silentfail command found on PATH, on the packages of the
// leaked goroutines' frames, only when a test leaked.
func StaticFindings(on bool) Option { return func(c *config) { c.staticFindings = on } }

// A finding is one static finding of silentfail check.
type finding struct {
	file           string
	line           int
	check, message string
}

var noCommand sync.Once

// links returns, for each group, the static findings in the function
// declarations of its culprit frame and of its creator: the go
// statement and the line it blocks on are where a leak's cause is
// written (as diagnose links them).
func (c *config) links(grps []*group) [][]finding {
	if !c.staticFindings {
		return nil
	}
	frames := make([][]goroutines.Frame, len(grps))
	var dirs []string
	for i, grp := range grps {
		if f := userFrame(grp.g); f != nil {
			frames[i] = append(frames[i], *f)
		}
		if grp.createdBy != nil {
			frames[i] = append(frames[i], *grp.createdBy)
		}
		for _, f := range frames[i] {
			if d := filepath.Dir(f.File); ownCode(f.File) && !slices.Contains(dirs, d) {
				dirs = append(dirs, d)
			}
		}
	}
	if len(dirs) == 0 {
		return nil
	}
	bin, err := exec.LookPath("silentfail")
	if err != nil {
		noCommand.Do(func() {
			fmt.Fprintln(os.Stderr, "leaktest: no silentfail command on PATH (go install ./cmd/silentfail in its source tree): leaks are not linked to the static finding that explains them")
		})
		return nil
	}
	fds, err := c.check(bin, dirs)
	if err != nil {
		fmt.Fprintf(os.Stderr, "leaktest: linking leaks to static findings: %v\n", err)
		return nil
	}
	out := make([][]finding, len(grps))
	spans := map[string][][2]int{} // file → function declarations' line spans
	for i := range grps {
		for _, fd := range fds {
			for _, f := range frames[i] {
				if fd.file != f.File {
					continue
				}
				if _, ok := spans[f.File]; !ok {
					spans[f.File] = funcSpans(f.File)
				}
				if sameFunc(spans[f.File], f.Line, fd.line) {
					out[i] = append(out[i], fd)
					break
				}
			}
		}
	}
	return out
}

// ownCode reports whether a frame's file is the user's source: on disk,
// outside GOROOT and the module cache.
func ownCode(file string) bool {
	for _, root := range []string{build.Default.GOROOT, filepath.Join(build.Default.GOPATH, "pkg", "mod")} {
		if root != "" && strings.HasPrefix(file, root+string(filepath.Separator)) {
			return false
		}
	}
	_, err := os.Stat(file)
	return err == nil
}

// check runs silentfail check, every check and form (the leak confirms
// them), on the directories, module by module, and returns its findings.
func (c *config) check(bin string, dirs []string) ([]finding, error) {
	byModule := map[string][]string{}
	var roots []string
	for _, d := range dirs {
		root := moduleRoot(d)
		if root == "" {
			continue
		}
		if byModule[root] == nil {
			roots = append(roots, root)
		}
		byModule[root] = append(byModule[root], d)
	}
	var out []finding
	for _, root := range roots {
		ctx, cancel := context.WithTimeout(context.Background(), c.linkTimeout)
		cmd := exec.CommandContext(ctx, bin, append([]string{"check", "-json", "-enable", "all"}, byModule[root]...)...)
		cmd.Dir = root
		stdout, err := cmd.Output()
		cancel()
		if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() == 2) {
			msg := strings.TrimSpace(string(stderrOf(err)))
			return nil, fmt.Errorf("silentfail check in %s: %v %s", root, err, firstLine(msg))
		}
		fds, err := parseVetJSON(stdout)
		if err != nil {
			return nil, fmt.Errorf("silentfail check in %s: %v", root, err)
		}
		out = append(out, fds...)
	}
	return out, nil
}

func stderrOf(err error) []byte {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.Stderr
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// parseVetJSON reads the go vet -json form: package → check → findings.
func parseVetJSON(b []byte) ([]finding, error) {
	var byPkg map[string]map[string][]struct {
		Posn    string `json:"posn"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(b, &byPkg); err != nil {
		return nil, fmt.Errorf("reading its -json output: %v", err)
	}
	var out []finding
	seen := map[finding]bool{}
	for _, checks := range byPkg {
		for check, fds := range checks {
			for _, fd := range fds {
				file, line, ok := splitPosn(fd.Posn)
				f := finding{file: file, line: line, check: check, message: fd.Message}
				if ok && !seen[f] { // a package and its test variant report one finding twice
					seen[f] = true
					out = append(out, f)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b finding) int {
		if a.file != b.file {
			return strings.Compare(a.file, b.file)
		}
		return a.line - b.line
	})
	return out, nil
}

// splitPosn splits "file:line:col".
func splitPosn(posn string) (string, int, bool) {
	rest, _, ok := cutLast(posn, ":")
	if !ok {
		return "", 0, false
	}
	file, line, ok := cutLast(rest, ":")
	n, err := strconv.Atoi(line)
	return file, n, ok && err == nil
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// moduleRoot returns the directory of the go.mod at or above dir.
func moduleRoot(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// funcSpans returns the line spans of the file's function declarations.
func funcSpans(file string) [][2]int {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	var spans [][2]int
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok {
			spans = append(spans, [2]int{fset.Position(fn.Pos()).Line, fset.Position(fn.End()).Line})
		}
	}
	return spans
}

// sameFunc reports whether two lines lie in one function declaration.
func sameFunc(spans [][2]int, a, b int) bool {
	for _, s := range spans {
		if s[0] <= a && a <= s[1] {
			return s[0] <= b && b <= s[1]
		}
	}
	return false
}
