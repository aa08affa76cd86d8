package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// The ledger's columns, in order. The header line names them.
var ledgerColumns = []string{"repo", "commit", "position", "check", "verdict", "reason"}

// verdicts a reviewer may give. debatable (right but harmless or
// intended) counts against precision, as a false alarm does: a user who
// reads it still spent the time.
var verdicts = map[string]bool{"true": true, "false": true, "debatable": true}

// entry is one triaged finding.
type entry struct {
	Repo, Commit, Position, Check, Verdict, Reason string
	Line                                           int // in the ledger file, for errors
}

func (e entry) key() findingKey {
	return findingKey{Repo: e.Repo, Commit: e.Commit, Position: e.Position, Check: e.Check}
}

// findingKey identifies a finding across runs: the same check at the same
// line of the same snapshot. Columns and messages are left out so that a
// reworded message keeps its verdict.
type findingKey struct {
	Repo, Commit, Position, Check string
}

// readLedger parses a ledger. Every problem names the file and line: a
// ledger is edited by hand.
func readLedger(name string) ([]entry, error) {
	f, err := os.Open(name)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	defer f.Close()
	return parseLedger(name, f)
}

func parseLedger(name string, r io.Reader) ([]entry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	var out []entry
	seen := make(map[findingKey]int)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if n == 1 {
			if line != strings.Join(ledgerColumns, "\t") {
				return nil, fmt.Errorf("%s:1: header must be %q", name, strings.Join(ledgerColumns, "\\t"))
			}
			continue
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != len(ledgerColumns) {
			return nil, fmt.Errorf("%s:%d: %d tab-separated columns, want %d (%s)", name, n, len(cols), len(ledgerColumns), strings.Join(ledgerColumns, ", "))
		}
		e := entry{Repo: cols[0], Commit: cols[1], Position: cols[2], Check: cols[3], Verdict: cols[4], Reason: cols[5], Line: n}
		switch {
		case strings.Count(e.Repo, "/") != 1:
			return nil, fmt.Errorf("%s:%d: repo %q is not owner/name", name, n, e.Repo)
		case len(e.Commit) != 40:
			return nil, fmt.Errorf("%s:%d: commit %q is not a full commit hash", name, n, e.Commit)
		case !validPosition(e.Position):
			return nil, fmt.Errorf("%s:%d: position %q is not path/in/repo.go:line", name, n, e.Position)
		case !verdicts[e.Verdict]:
			return nil, fmt.Errorf("%s:%d: verdict %q is not true, false or debatable", name, n, e.Verdict)
		case strings.TrimSpace(e.Reason) == "":
			return nil, fmt.Errorf("%s:%d: no reason given for the verdict", name, n)
		}
		if prev, dup := seen[e.key()]; dup {
			return nil, fmt.Errorf("%s:%d: same finding as line %d", name, n, prev)
		}
		seen[e.key()] = n
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: empty: the first line must be the header", name)
	}
	return out, nil
}

// validPosition accepts "path/to/file.go:123" with a relative slash path.
func validPosition(p string) bool {
	i := strings.LastIndex(p, ":")
	if i <= 0 || !strings.HasSuffix(p[:i], ".go") || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") {
		return false
	}
	num := p[i+1:]
	if num == "" {
		return false
	}
	for _, c := range num {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
