package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"text/template"
	"time"

	"github.com/silentfail/silentfail/checks/suite"
	"github.com/silentfail/silentfail/diagnose"
	"github.com/silentfail/silentfail/diagnose/render"
	"github.com/silentfail/silentfail/goroutines"
	"github.com/silentfail/silentfail/internal/atomicfile"
	"github.com/silentfail/silentfail/internal/checkrun"
	"github.com/silentfail/silentfail/internal/pprofhttp"
	"github.com/silentfail/silentfail/watch"
)

func runDiagnose(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diagnose", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		jsonOut     = fs.Bool("json", false, "print the report as JSON")
		htmlFile    = fs.String("html", "", "also write the report as one self-contained HTML `file`")
		pprofFile   = fs.String("pprof", "", "also write the leak and suspect goroutines as a pprof profile `file`")
		source      = fs.String("source", "", "module `dir` whose static findings explain the groups (default: the current module; \"none\": no static checks)")
		samples     = fs.Int("samples", 3, "snapshots to take of a URL")
		every       = fs.Duration("every", 10*time.Second, "time between two snapshots of a URL")
		dumpLimit   = fs.Int("dump-limit", watch.DefaultDumpLimit, "above this many goroutines, take the goroutine profile of a URL instead of its debug=2 dump (a dump stops the world while it prints: about 8µs a goroutine)")
		reqTimeout  = fs.Duration("timeout", 30*time.Second, "give up on one request to a URL after this long")
		byFunction  = fs.Bool("functions", false, "group goroutines by the functions of their stacks, not their lines")
		ignore      = fs.String("ignore", "", "comma-separated function `prefixes` of goroutines that are expected (added to the built-in list)")
		concurrency = fs.Int("concurrency", 0, "the service's expected concurrency, if known: more goroutines blocked in one place are a crowd")
		promURL     = fs.String("prometheus", "", "fleet mode: ask the Prometheus at this `URL` which instances' go_goroutines grew over -window, capture the -top that grew most, and fold the groups they share")
		selector    = fs.String("selector", `job=~".+"`, "fleet mode: the label `matchers` of the instances, as inside go_goroutines{...}")
		window      = fs.Duration("window", time.Hour, "fleet mode: how far back growth is judged")
		top         = fs.Int("top", 5, "fleet mode: how many of the most growing instances to capture")
		target      = fs.String("target", "http://{{.instance}}/debug/pprof/", "fleet mode: template of an instance's /debug/pprof/ URL, from its labels")
	)
	fs.Usage = func() {
		fmt.Fprintf(stderr, `usage: silentfail diagnose [flags] SOURCE...

SOURCE is a goroutine dump (debug=2), a panic or SIGQUIT traceback,
runtime.Stack output, a debug=1 profile, a goroutine or goroutineleak profile
in pprof format, a directory of captures (as 'silentfail watch' writes), or the
URL of a service's /debug/pprof/ (it takes -samples snapshots -every apart).
The format is read from the content. Exit status: 0 no leak, 1 leaks or
stuck requests found, 2 nothing usable could be read.

Flags:
`)
		fs.PrintDefaults()
	}
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	if *promURL != "" {
		if fs.NArg() > 0 {
			fmt.Fprintln(stderr, "silentfail: diagnose -prometheus finds its instances itself: give no SOURCE")
			return exitError
		}
		tmpl, err := template.New("target").Option("missingkey=error").Parse(*target)
		if err != nil {
			fmt.Fprintf(stderr, "silentfail: -target %q: %v\n", *target, err)
			return exitError
		}
		if *top < 1 || *window <= 0 || *samples < 1 || *every < 0 || *reqTimeout <= 0 {
			fmt.Fprintln(stderr, "silentfail: -top, -window, -samples and -timeout must be positive, -every not negative")
			return exitError
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		opts := groupingOptions(*concurrency, *byFunction, *ignore)
		if *source != "none" {
			if findings, module, err := staticFindings(*source); err == nil {
				opts = append(opts, diagnose.WithFindings(findings), diagnose.Module(module))
			}
		}
		return runFleet(ctx, fleetConfig{
			prometheus: *promURL, selector: *selector, window: *window, top: *top, target: tmpl, opts: opts,
			how: sampling{samples: *samples, every: *every, dumpLimit: *dumpLimit, timeout: *reqTimeout},
		}, stdout, stderr)
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "silentfail: diagnose needs a dump, a profile, a directory of captures or a /debug/pprof/ URL (or -prometheus)")
		return exitError
	}
	if *samples < 1 || *every < 0 || *dumpLimit < 0 || *reqTimeout <= 0 {
		fmt.Fprintln(stderr, "silentfail: -samples must be at least 1, -every and -dump-limit not negative, -timeout positive")
		return exitError
	}
	how := sampling{samples: *samples, every: *every, dumpLimit: *dumpLimit, timeout: *reqTimeout}
	// The output files are checked before anything is read or sampled:
	// a typo must not cost a minute of sampling.
	for flagName, file := range map[string]string{"-html": *htmlFile, "-pprof": *pprofFile} {
		if file == "" {
			continue
		}
		if fi, err := os.Stat(filepath.Dir(file)); err != nil || !fi.IsDir() {
			fmt.Fprintf(stderr, "silentfail: %s %s: the directory %s does not exist\n", flagName, file, filepath.Dir(file))
			return exitError
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var snaps []*goroutines.Snapshot
	var salvage []string // what was skipped or cut, for the report's notes
	for _, src := range fs.Args() {
		s, notes, err := load(ctx, src, how, stderr)
		for _, n := range notes {
			fmt.Fprintln(stderr, "silentfail: note:", n)
		}
		salvage = append(salvage, notes...)
		if err != nil {
			fmt.Fprintln(stderr, "silentfail:", err)
			return exitError
		}
		snaps = append(snaps, s...)
	}
	if len(snaps) == 0 {
		fmt.Fprintf(stderr, "silentfail: %s: no goroutine capture found\n", strings.Join(fs.Args(), " "))
		return exitError
	}

	opts := groupingOptions(*concurrency, *byFunction, *ignore)
	if *source != "none" {
		findings, module, err := staticFindings(*source)
		switch {
		case err != nil && *source != "":
			fmt.Fprintln(stderr, "silentfail:", err)
			return exitError
		case err != nil:
			// No module here: the report goes without static findings.
		default:
			opts = append(opts, diagnose.WithFindings(findings), diagnose.Module(module))
		}
	}
	rep, err := diagnose.Analyze(snaps, opts...)
	if err != nil {
		fmt.Fprintln(stderr, "silentfail:", err)
		return exitError
	}
	rep.Notes = append(rep.Notes, salvage...)
	// The report first: a file that cannot be written must not cost it.
	if *jsonOut {
		err = render.JSON(stdout, rep)
	} else {
		err = render.Text(stdout, rep)
	}
	if err != nil {
		fmt.Fprintln(stderr, "silentfail:", err)
		return exitError
	}
	for file, write := range map[string]func(io.Writer, *diagnose.Report) error{*htmlFile: render.HTML, *pprofFile: render.Pprof} {
		if file == "" {
			continue
		}
		if err := atomicfile.Write(file, func(w io.Writer) error { return write(w, rep) }); err != nil {
			fmt.Fprintln(stderr, "silentfail:", err)
			return exitError
		}
	}
	if rep.Leaks() > 0 || rep.Stuck() > 0 {
		return exitFindings
	}
	return exitClean
}

// groupingOptions are the diagnose options of the flags that say how
// to group and judge: -concurrency, -functions, -ignore.
func groupingOptions(concurrency int, byFunction bool, ignore string) []diagnose.Option {
	opts := []diagnose.Option{diagnose.Concurrency(concurrency)}
	if byFunction {
		opts = append(opts, diagnose.GroupByFunction())
	}
	if ignore != "" {
		opts = append(opts, diagnose.Ignore(strings.Split(ignore, ",")...))
	}
	return opts
}

// load reads one SOURCE: a URL, a directory, a file, or "-" for the
// standard input. The notes say what was skipped or cut: the rest is
// kept, and an error means nothing usable was left.
func load(ctx context.Context, src string, how sampling, stderr io.Writer) ([]*goroutines.Snapshot, []string, error) {
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		return fetch(ctx, src, how, stderr)
	}
	var snaps []*goroutines.Snapshot
	var notes []string
	switch fi, err := os.Stat(src); {
	case src == "-":
		s, err := goroutines.Parse(os.Stdin, goroutines.Fold())
		if err != nil {
			return nil, nil, fmt.Errorf("standard input: %w", err)
		}
		s.Source, s.Time = "standard input", time.Now()
		snaps = []*goroutines.Snapshot{s}
	case err != nil:
		return nil, nil, fmt.Errorf("%s: %v", src, errors.Unwrap(err))
	case fi.IsDir():
		var skipped []error
		snaps, skipped, err = goroutines.ReadDirSkipping(src, goroutines.Fold())
		for _, e := range skipped {
			notes = append(notes, fmt.Sprintf("skipped %v", e))
		}
		if err != nil {
			return nil, notes, err
		}
	default:
		s, err := goroutines.ParseFile(src, goroutines.Fold())
		if err != nil {
			return nil, nil, err
		}
		snaps = []*goroutines.Snapshot{s}
	}
	for _, s := range snaps {
		if s.Truncated != "" {
			notes = append(notes, fmt.Sprintf("%s is cut: %s; the goroutines before the cut are judged", s.Source, s.Truncated))
		}
	}
	return snaps, notes, nil
}

// sampling says how to take snapshots of a URL.
type sampling struct {
	samples   int
	every     time.Duration
	dumpLimit int           // above it, the goroutine profile instead of the debug=2 dump
	timeout   time.Duration // per request
}

// fetch takes how.samples snapshots of the service how.every apart, and
// its goroutineleak profile when it has one, and parses them.
func fetch(ctx context.Context, url string, how sampling, stderr io.Writer) ([]*goroutines.Snapshot, []string, error) {
	c, err := pprofhttp.New(url, pprofhttp.WithHTTPClient(&http.Client{Timeout: how.timeout}))
	if err != nil {
		return nil, nil, err
	}
	var out []*goroutines.Snapshot
	leak, notes, err := sample(ctx, c, how, func(i int, r rawSnapshot) error {
		what := "goroutine?debug=2"
		if r.file == watch.FileGoroutine {
			what = "goroutine"
		}
		s, err := goroutines.Parse(bytes.NewReader(r.body), goroutines.Fold())
		if err != nil {
			return fmt.Errorf("%s: %w", url, err)
		}
		s.Source, s.Time = c.URL()+what, r.at
		out = append(out, s)
		fmt.Fprintf(stderr, "silentfail: snapshot %d/%d of %s: %d goroutines\n", i+1, how.samples, url, s.Total())
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if leak != nil {
		s, err := goroutines.Parse(bytes.NewReader(leak), goroutines.Fold())
		if err != nil {
			return out, append(notes, fmt.Sprintf("%s goroutineleak: %v: the snapshots are judged without it", url, err)), nil
		}
		s.Source = c.URL() + "goroutineleak"
		out = append(out, s)
	}
	return out, notes, nil
}

// A rawSnapshot is one snapshot as the service served it: the debug=2
// dump (watch.FileDump) or, above the dump limit, the goroutine profile
// (watch.FileGoroutine).
type rawSnapshot struct {
	at   time.Time
	file string
	body []byte
}

// sample takes how.samples snapshots of the service at c how.every
// apart and hands each to each as it comes; then it fetches the
// goroutineleak profile when the service serves one. Each snapshot
// first counts the goroutines (the debug=1 profile, which does not hold
// the world stopped while it prints); the debug=2 dump, whose goroutine
// ids tell who stayed, is taken only up to how.dumpLimit goroutines,
// the goroutine profile above. A snapshot that fails (or that each
// refuses) after the first ends the sampling and what was taken is
// judged, as when the service dies (a crash, an OOM kill); the notes
// say so. A failure of the first is the error.
func sample(ctx context.Context, c *pprofhttp.Client, how sampling, each func(i int, r rawSnapshot) error) (leak []byte, notes []string, err error) {
	profiles, err := c.Profiles(ctx)
	if err != nil {
		return nil, nil, err
	}
	for i := range how.samples {
		if i > 0 {
			select {
			case <-ctx.Done():
				return nil, nil, fmt.Errorf("%s: interrupted after %d of %d snapshots", c.URL(), i, how.samples)
			case <-time.After(how.every):
			}
		}
		r := rawSnapshot{at: time.Now(), file: watch.FileDump}
		debug := 2
		if how.dumpLimit > 0 {
			if n, cerr := count(ctx, c); cerr == nil && n > how.dumpLimit {
				debug, r.file = 0, watch.FileGoroutine
				if len(notes) == 0 || !strings.HasPrefix(notes[len(notes)-1], "above -dump-limit") {
					notes = append(notes, fmt.Sprintf("above -dump-limit (%d goroutines, limit %d): goroutine profiles instead of debug=2 dumps, which would stop the world about %s; without ids, growth is judged by counts", n, how.dumpLimit, time.Duration(n)*8*time.Microsecond))
				}
			}
		}
		r.body, err = c.Fetch(ctx, "goroutine", debug)
		if err == nil {
			err = each(i, r)
		}
		if err != nil {
			if i == 0 {
				return nil, nil, err
			}
			return nil, append(notes, fmt.Sprintf("snapshot %d of %d failed (%v): the %d taken before are judged", i+1, how.samples, err, i)), nil
		}
	}
	if profiles["goroutineleak"] {
		leak, err = c.Fetch(ctx, "goroutineleak", 0)
		if err != nil {
			return nil, append(notes, fmt.Sprintf("the goroutineleak profile could not be taken (%v): the snapshots are judged without it", err)), nil
		}
	}
	return leak, notes, nil
}

// count reads the service's goroutine count from its debug=1 profile.
func count(ctx context.Context, c *pprofhttp.Client) (int, error) {
	body, err := c.Fetch(ctx, "goroutine", 1)
	if err != nil {
		return 0, err
	}
	s, err := goroutines.Parse(strings.NewReader(string(body)))
	if err != nil {
		return 0, err
	}
	return s.Total(), nil
}

var moduleLine = regexp.MustCompile(`(?m)^module\s+"?([^\s"]+)"?`)

// staticFindings runs the checks on the module at dir (default: the
// module containing the current directory).
func staticFindings(dir string) ([]diagnose.Finding, string, error) {
	root, err := moduleRoot(dir)
	if err != nil {
		return nil, "", err
	}
	return checkModule(root, "./...")
}

// checkModule runs the checks on the packages of the module at root
// and returns the findings with module-relative paths, and the module
// path.
func checkModule(root string, patterns ...string) ([]diagnose.Finding, string, error) {
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, "", fmt.Errorf("-source %s: %v", root, err)
	}
	m := moduleLine.FindSubmatch(gomod)
	if m == nil {
		return nil, "", fmt.Errorf("-source %s: go.mod has no module line", root)
	}
	all, err := suite.Select([]string{"all"}, nil) // links use every check and form: the evidence confirms them
	if err != nil {
		return nil, "", err
	}
	res, err := checkrun.Run(checkrun.Config{Dir: root, Patterns: patterns, Analyzers: all})
	if res == nil {
		return nil, "", fmt.Errorf("-source %s: %v", root, err)
	}
	var out []diagnose.Finding
	for _, f := range res.Findings {
		rel, err := filepath.Rel(root, f.Pos.Filename)
		if err != nil {
			rel = f.Pos.Filename
		}
		out = append(out, diagnose.Finding{
			Check: f.Check, Message: f.Message, File: filepath.ToSlash(rel), Line: f.Pos.Line, Col: f.Pos.Column,
			Func: f.Func.Name, FuncStart: f.Func.Start.Line, FuncEnd: f.Func.End.Line,
		})
	}
	return out, string(m[1]), nil
}

// moduleRoot returns the directory of the go.mod at or above dir ("":
// the current directory).
func moduleRoot(dir string) (string, error) {
	start := dir
	if start == "" {
		start = "."
	}
	abs, err := filepath.Abs(start)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("-source %s: no go.mod in it or above it", start)
		}
	}
}
