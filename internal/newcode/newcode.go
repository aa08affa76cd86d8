// Package newcode tells which lines of a git work tree changed since a
// revision, so that check can report only the findings on them.
//
// A line is new when git diff REV shows it added or changed in the work
// tree (committed since REV, staged or not), or when its file is
// untracked and not ignored. A finding elsewhere is left out even when
// a change caused it (a lock taken in changed code, reported where the
// first one is held): as with golangci-lint's --new-from-rev, the
// finding's own line decides.
package newcode

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Lines are the new lines of a work tree, by absolute file name.
type Lines struct {
	ranges map[string][][2]int // file -> [first, last] line ranges
	whole  map[string]bool     // untracked files: every line is new
}

// Since returns the lines changed in the work tree holding dir since
// rev.
func Since(ctx context.Context, dir, rev string) (*Lines, error) {
	top, err := git(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("-new-from-rev %s: %s is not in a git work tree: %v", rev, dir, err)
	}
	root := strings.TrimSpace(string(top))
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	if _, err := git(ctx, root, "rev-parse", "--verify", "--quiet", rev+"^{commit}"); err != nil {
		return nil, fmt.Errorf("-new-from-rev %s: no such revision in %s", rev, root)
	}
	diff, err := git(ctx, root, "diff", "--no-color", "--no-ext-diff", "--unified=0", "--no-renames", rev, "--")
	if err != nil {
		return nil, fmt.Errorf("-new-from-rev %s: git diff: %v", rev, err)
	}
	l := &Lines{ranges: make(map[string][][2]int), whole: make(map[string]bool)}
	l.parseDiff(root, diff)
	untracked, err := git(ctx, root, "ls-files", "--others", "--exclude-standard", "-z")
	if err != nil {
		return nil, fmt.Errorf("-new-from-rev %s: git ls-files: %v", rev, err)
	}
	for name := range strings.SplitSeq(string(untracked), "\x00") {
		if name != "" {
			l.whole[filepath.Join(root, filepath.FromSlash(name))] = true
		}
	}
	return l, nil
}

// parseDiff reads the new side of each hunk: "+++ b/path" names the
// file, "@@ -a,b +c,d @@" its lines c to c+d-1 (d = 0: only removed).
func (l *Lines) parseDiff(root string, diff []byte) {
	var file string
	sc := bufio.NewScanner(bytes.NewReader(diff))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "+++ "):
			name := strings.TrimPrefix(line, "+++ ")
			if name == "/dev/null" {
				file = ""
				continue
			}
			name = strings.TrimPrefix(name, "b/")
			file = filepath.Join(root, filepath.FromSlash(unquote(name)))
		case strings.HasPrefix(line, "@@ ") && file != "":
			fields := strings.Fields(line)
			if len(fields) < 3 || !strings.HasPrefix(fields[2], "+") {
				continue
			}
			start, count := parseRange(fields[2][1:])
			if count > 0 {
				l.ranges[file] = append(l.ranges[file], [2]int{start, start + count - 1})
			}
		}
	}
}

// unquote undoes git's quoting of unusual file names ("a\tb.go").
func unquote(name string) string {
	if strings.HasPrefix(name, `"`) {
		if s, err := strconv.Unquote(name); err == nil {
			return strings.TrimPrefix(s, "b/")
		}
	}
	return name
}

// parseRange reads "c,d" or "c" (d = 1).
func parseRange(s string) (start, count int) {
	a, b, ok := strings.Cut(s, ",")
	start, _ = strconv.Atoi(a)
	count = 1
	if ok {
		count, _ = strconv.Atoi(b)
	}
	return start, count
}

// Has reports whether line of file (absolute) is new.
func (l *Lines) Has(file string, line int) bool {
	if real, err := filepath.EvalSymlinks(file); err == nil {
		file = real // git names files by the work tree's real path
	}
	if l.whole[file] {
		return true
	}
	for _, r := range l.ranges[file] {
		if r[0] <= line && line <= r[1] {
			return true
		}
	}
	return false
}

func git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			first, _, _ := strings.Cut(msg, "\n")
			return nil, fmt.Errorf("%s", first)
		}
		return nil, err
	}
	return out, nil
}
