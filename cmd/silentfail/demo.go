package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/silentfail/silentfail/diagnose"
	"github.com/silentfail/silentfail/diagnose/render"
	"github.com/silentfail/silentfail/examples"
	"github.com/silentfail/silentfail/goroutines"
	"github.com/silentfail/silentfail/watch"
)

// runDemo shows the whole loop on the example service: start it, load
// it, watch it until a rule fires, diagnose the capture and more
// snapshots with the example's static findings, stop everything.
func runDemo(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fmt.Fprintln(stderr, "usage: silentfail demo\n\nStarts examples/leakyservice on a loopback port, drives bounded traffic, watches\nit, captures the profiles when goroutines grow, and prints the diagnose report in\nwhich each runtime leak points at its line and its static finding. It runs from\nany directory (the example's source is in the binary; the go command builds it)\nand takes under a minute, leaving nothing running.")
		return exitClean
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	rep, err := demo(ctx, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "silentfail: demo:", err)
		return exitError
	}
	fmt.Fprintln(stdout)
	if err := render.Text(stdout, rep); err != nil {
		fmt.Fprintln(stderr, "silentfail:", err)
		return exitError
	}
	return exitClean
}

func demo(ctx context.Context, log io.Writer) (*diagnose.Report, error) {
	say := func(format string, args ...any) { fmt.Fprintf(log, "demo: "+format+"\n", args...) }
	work, err := os.MkdirTemp("", "silentfail-demo-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	root, err := writeDemoModule(filepath.Join(work, "leakyservice"))
	if err != nil {
		return nil, err
	}

	say("building leakyservice (examples/leakyservice, carried in this binary) in %s", root)
	bin := filepath.Join(work, "leakyservice.bin")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir = root
	build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building leakyservice (the demo needs the go command): %v\n%s", err, out)
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	svc := exec.Command(bin, "-addr", addr, "-data", filepath.Join(work, "data"))
	var svcLog bytes.Buffer
	svc.Stdout, svc.Stderr = &svcLog, &svcLog
	if err := svc.Start(); err != nil {
		return nil, err
	}
	defer func() {
		svc.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { svc.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			svc.Process.Kill()
			<-done
		}
	}()
	base := "http://" + addr
	if err := waitHealthy(ctx, base); err != nil {
		return nil, fmt.Errorf("%v\nservice output:\n%s", err, svcLog.String())
	}
	say("leakyservice runs on %s (pid %d)", base, svc.Process.Pid)

	// Static findings of the example, to explain what the runtime shows.
	say("running silentfail check on leakyservice")
	findings, module, err := checkModule(root, "./...")
	if err != nil {
		return nil, err
	}
	say("%d static findings", len(findings))

	captures := filepath.Join(work, "captures")
	poller, err := watch.NewPoller(base,
		watch.WithDir(captures),
		watch.WithInterval(500*time.Millisecond),
		watch.WithRules(watch.Rule{Name: "goroutines-growth", Metric: watch.Goroutines, Kind: watch.Growth, Window: 6, MinIncrease: 30, MinRatio: 0.1}),
		watch.WithCaptureGap(0),
		watch.WithOnce(),
		watch.WithLogger(slog.New(slog.NewTextHandler(log, nil))),
	)
	if err != nil {
		return nil, err
	}
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	var wg sync.WaitGroup
	say("driving traffic: 16 clients on GET /stock/{sku} and GET /quote/{sku}")
	for i := range 16 {
		wg.Go(func() { drive(loadCtx, base, i) })
	}
	defer wg.Wait()

	say("watching %s/debug/pprof/ every 500ms until goroutines keep growing", base)
	watchCtx, stopWatch := context.WithTimeout(ctx, 45*time.Second)
	err = poller.Run(watchCtx)
	stopWatch()
	if err != nil {
		return nil, err
	}
	caps, err := watch.ListCaptures(captures)
	if err != nil || len(caps) == 0 {
		return nil, errors.New("no capture: the goroutines did not grow within 45s")
	}
	say("rule fired, captured %s", caps[0].Name)
	snaps, err := goroutines.ReadDir(captures, goroutines.Fold())
	if err != nil {
		return nil, err
	}
	say("taking 3 more snapshots, 2s apart, while the traffic goes on")
	more, _, err := fetch(ctx, base, sampling{samples: 3, every: 2 * time.Second, dumpLimit: watch.DefaultDumpLimit, timeout: 30 * time.Second}, io.Discard)
	if err != nil {
		return nil, err
	}
	stopLoad()
	snaps = append(snaps, more...)
	return diagnose.Analyze(snaps, diagnose.WithFindings(findings), diagnose.Module(module))
}

// drive sends requests until ctx is done: the endpoints that leak, and
// ordinary ones. It never calls /admin/cache, which kills the process.
func drive(ctx context.Context, base string, worker int) {
	client := &http.Client{Timeout: 5 * time.Second}
	for n := 0; ctx.Err() == nil; n++ {
		var req *http.Request
		switch n % 3 {
		case 0, 1:
			req, _ = http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/stock/sku-%d", base, (worker*31+n)%50), nil)
		default:
			req, _ = http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/quote/sku-%d", base, n%20), nil)
		}
		resp, err := client.Do(req)
		if err != nil {
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// writeDemoModule writes the example service's embedded source to dir
// as a module of its own (it needs nothing but the standard library)
// and returns dir.
func writeDemoModule(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	files, err := fs.Sub(examples.LeakyService, "leakyservice")
	if err != nil {
		return "", err
	}
	if err := os.CopyFS(dir, files); err != nil {
		return "", fmt.Errorf("writing the example's source: %w", err)
	}
	gomod := "module leakyservice\n\ngo " + demoGoVersion + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		return "", err
	}
	return dir, nil
}

// demoGoVersion is the language version of the example's module, as in
// silentfail's own go.mod: files that need an older one (loop variables
// shared before Go 1.22) say so with a build constraint.
const demoGoVersion = "1.26.0"

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitHealthy(ctx context.Context, base string) error {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("the service did not answer %s/healthz within 15s", base)
}
