// Command realcode runs silentfail check on checkouts of public services
// and compares what it reports with the real-code ledger: precision per
// check and overall, findings not triaged yet, findings the ledger calls
// false that still fire, and true findings that no longer fire.
//
// It is the engine of run.sh; see that script for how to use it.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/silentfail/silentfail/checks/suite"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("realcode", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		bin       = fs.String("bin", "silentfail", "the silentfail binary to run")
		ledgerF   = fs.String("ledger", "bench/realcode/ledger.tsv", "the ledger of triaged findings")
		servicesF = fs.String("services", "bench/realcode/services.tsv", "the services and the role each played (tuning or heldout)")
		set       = fs.String("enable", "all", "the checks to run, as silentfail check -enable takes them (all: every check and form; default: the default set only)")
		untriaged = fs.String("untriaged", "", "also write the findings not in the ledger to this file, as ledger lines with an empty verdict and the message as reason")
	)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: realcode [flags] DIR...\n\nEach DIR is a module root inside a checkout made by checkout.sh (or a git work tree).\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	ledger, err := readLedger(*ledgerF)
	if err != nil {
		fmt.Fprintln(stderr, "realcode:", err)
		return 2
	}
	services, err := readServices(*servicesF)
	if err != nil {
		fmt.Fprintln(stderr, "realcode:", err)
		return 2
	}
	var runs []moduleRun
	var rootsNotLoaded []string
	failed := 0
	for _, dir := range fs.Args() {
		r, err := checkModule(*bin, *set, dir)
		if err != nil {
			// One module that cannot be checked (a dependency the
			// proxy does not serve) must not lose the others' results.
			fmt.Fprintln(stderr, "realcode: skipped:", err)
			failed++
			if svc, ok := checkoutRoot(dir); ok {
				rootsNotLoaded = append(rootsNotLoaded, svc)
			}
			continue
		}
		runs = append(runs, r)
	}
	rep := compare(runs, ledger, services, suite.DefaultNames())
	rep.RootsNotLoaded = rootsNotLoaded
	// A ledger entry names its check, not the form of it that fired: only
	// a run of every check and form can tell a true finding that is lost.
	rep.RecallChecked = *set == "all"
	rep.print(stdout)
	if *untriaged != "" {
		if err := writeUntriaged(*untriaged, rep.Untriaged); err != nil {
			fmt.Fprintln(stderr, "realcode:", err)
			return 2
		}
	}
	if failed > 0 {
		return 1
	}
	return 0
}

// moduleRun is what check reported on one module of one checkout.
type moduleRun struct {
	Dir          string
	Repo, Commit string
	Findings     []finding
	Skipped      []string // packages that did not type-check
}

type finding struct {
	findingKey
	Form    string // the check, or check.form for an opt-in form of it
	Message string
}

// origin finds the checkout's root above dir and the repository and
// commit it holds: .silentfail-origin (written by checkout.sh), or a git
// work tree with an origin remote on GitHub.
func origin(dir string) (root, repo, commit string, err error) {
	abs, err := realPath(dir)
	if err != nil {
		return "", "", "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, ".silentfail-origin")); err == nil {
			f := strings.Fields(string(b))
			if len(f) != 2 {
				return "", "", "", fmt.Errorf("%s: want \"owner/name commit\"", filepath.Join(d, ".silentfail-origin"))
			}
			return d, f[0], f[1], nil
		}
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			commit, err := gitOutput(d, "rev-parse", "HEAD")
			if err != nil {
				return "", "", "", fmt.Errorf("%s: %v", d, err)
			}
			url, err := gitOutput(d, "remote", "get-url", "origin")
			if err != nil {
				return "", "", "", fmt.Errorf("%s: no origin remote to name the repository: %v", d, err)
			}
			return d, repoFromURL(url), commit, nil
		}
		if filepath.Dir(d) == d {
			return "", "", "", fmt.Errorf("%s: not inside a checkout (no .silentfail-origin or .git above it; make one with checkout.sh)", dir)
		}
	}
}

// checkoutRoot reports whether dir is the root of its checkout, and
// names the service there as "owner/name commit". A service whose root
// module cannot be checked was not measured, even when modules under it
// (examples, tools, fixtures) were, so the report names it apart.
func checkoutRoot(dir string) (string, bool) {
	root, repo, commit, err := origin(dir)
	if err != nil {
		return "", false
	}
	if abs, err := realPath(dir); err != nil || abs != root {
		return "", false
	}
	return fmt.Sprintf("%s %.12s", repo, commit), true
}

// realPath is dir absolute with its symbolic links resolved, as origin
// names a checkout's root.
func realPath(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return "", fmt.Errorf("%s: %v", dir, err)
	}
	return abs, nil
}

func gitOutput(dir string, args ...string) (string, error) {
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
	return strings.TrimSpace(string(out)), err
}

// repoFromURL turns https://github.com/o/n(.git) or git@github.com:o/n.git
// into o/n.
func repoFromURL(url string) string {
	url = strings.TrimSuffix(url, ".git")
	url = strings.ReplaceAll(url, ":", "/")
	parts := strings.Split(url, "/")
	if len(parts) < 2 {
		return url
	}
	return parts[len(parts)-2] + "/" + parts[len(parts)-1]
}

// checkModule runs the enabled checks on dir/... and keys
// the findings by their position in the repository.
func checkModule(bin, enable, dir string) (moduleRun, error) {
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return moduleRun{}, fmt.Errorf("%s: not a module root (no go.mod)", dir)
	}
	root, repo, commit, err := origin(dir)
	if err != nil {
		return moduleRun{}, err
	}
	cmd := exec.Command(bin, "check", "-json", "-enable", enable, "./...")
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return moduleRun{}, fmt.Errorf("%s: running %s: %v", dir, bin, err)
	}
	r := moduleRun{Dir: dir, Repo: repo, Commit: commit}
	r.Skipped = skippedPackages(stderr.String())
	if exit != nil && exit.ExitCode() != 1 && len(r.Skipped) == 0 {
		return moduleRun{}, fmt.Errorf("%s: check could not run: %s", dir, firstLine(stderr.String()))
	}
	r.Findings, err = parseVetJSON(stdout.Bytes(), root, repo, commit)
	if err != nil {
		return moduleRun{}, fmt.Errorf("%s: reading check's -json output: %v", dir, err)
	}
	return r, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// skippedPackages reads the packages check names as not type-checked.
func skippedPackages(stderr string) []string {
	var out []string
	for line := range strings.SplitSeq(stderr, "\n") {
		const pre = "silentfail: package "
		if rest, ok := strings.CutPrefix(line, pre); ok {
			if pkg, _, ok := strings.Cut(rest, " does not type-check"); ok {
				out = append(out, pkg)
			}
		}
	}
	return out
}

// parseVetJSON reads go vet -json's shape (package → check → diagnostics)
// and makes positions relative to the repository root.
func parseVetJSON(data []byte, root, repo, commit string) ([]finding, error) {
	var out []finding
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var tree map[string]map[string]json.RawMessage
		if err := dec.Decode(&tree); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		for _, checks := range tree {
			for check, raw := range checks {
				if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
					continue // {"error": ...}: a package that was skipped
				}
				var diags []struct {
					Category string `json:"category"`
					Posn     string `json:"posn"`
					Message  string `json:"message"`
				}
				if err := json.Unmarshal(raw, &diags); err != nil {
					return nil, err
				}
				for _, d := range diags {
					pos, err := repoPosition(d.Posn, root)
					if err != nil {
						return nil, err
					}
					form := check
					if d.Category != "" && suite.IsForm(check+"."+d.Category) {
						form = check + "." + d.Category
					}
					out = append(out, finding{findingKey{repo, commit, pos, check}, form, d.Message})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return lessKey(out[i].findingKey, out[j].findingKey) })
	return out, nil
}

// repoPosition turns "/abs/file.go:12:3" into "rel/file.go:12".
func repoPosition(posn, root string) (string, error) {
	i := strings.LastIndex(posn, ":")
	if i < 0 {
		return "", fmt.Errorf("position %q has no line", posn)
	}
	j := strings.LastIndex(posn[:i], ":")
	if j < 0 {
		return "", fmt.Errorf("position %q has no line", posn)
	}
	file, line := posn[:j], posn[j+1:i]
	if r, err := filepath.EvalSymlinks(file); err == nil {
		file = r
	}
	rel, err := filepath.Rel(root, file)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("position %q is outside the checkout %s", posn, root)
	}
	return filepath.ToSlash(rel) + ":" + line, nil
}

func lessKey(a, b findingKey) bool {
	if a.Repo != b.Repo {
		return a.Repo < b.Repo
	}
	if a.Position != b.Position {
		return positionLess(a.Position, b.Position)
	}
	return a.Check < b.Check
}

// positionLess orders file:line by file, then line as a number.
func positionLess(a, b string) bool {
	fa, la := splitPos(a)
	fb, lb := splitPos(b)
	if fa != fb {
		return fa < fb
	}
	return la < lb
}

func splitPos(p string) (string, int) {
	i := strings.LastIndex(p, ":")
	n := 0
	fmt.Sscan(p[i+1:], &n)
	return p[:i], n
}

func writeUntriaged(name string, fs []finding) error {
	var b strings.Builder
	b.WriteString(strings.Join(ledgerColumns, "\t") + "\n")
	for _, f := range fs {
		msg := strings.ReplaceAll(f.Message, "\t", " ")
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t\t%s\n", f.Repo, f.Commit, f.Position, f.Check, msg)
	}
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}
