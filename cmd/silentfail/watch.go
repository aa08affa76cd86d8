package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/silentfail/silentfail/watch"
)

func runWatch(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		dir         = fs.String("dir", "silentfail-captures", "directory the captures are written into (created if needed)")
		interval    = fs.Duration("interval", watch.DefaultRemoteInterval, "time between two polls of the goroutine count")
		goroutines  = fs.Int("goroutines", watch.DefaultGoroutineLimit, "capture when the service has more goroutines than this")
		cooldown    = fs.Duration("cooldown", watch.DefaultCooldown, "least time between two firings of one rule")
		gap         = fs.Duration("gap", watch.DefaultCaptureGap, "least time between two captures, whatever the rule")
		maxCaptures = fs.Int("max-captures", watch.DefaultMaxCaptures, "keep at most this many captures, removing the oldest")
		maxBytes    = fs.Int64("max-bytes", watch.DefaultMaxBytes, "keep the captures under this many bytes in all, removing the oldest")
		once        = fs.Bool("once", false, "stop after the first capture")
		timeout     = fs.Duration("timeout", 0, "stop after this long (default: until interrupted)")
		growthSpan  = fs.Duration("growth-span", watch.DefaultGrowthSpan, "goroutines-growth rule: the time it judges growth over, whatever -interval")
		growthMin   = fs.Float64("growth-min", watch.DefaultGrowthMin, "goroutines-growth rule: the least rise over the span, in goroutines (it must also be 25% of the level before)")
		growthRate  = fs.Float64("growth-rate", watch.DefaultGrowthRate, "goroutines-growth rule: the least steady rise, in goroutines a minute")
	)
	fs.Usage = func() {
		fmt.Fprintf(stderr, `usage: silentfail watch [flags] URL

Watches a running service through its net/http/pprof endpoints (URL is its
root or its /debug/pprof/ page): counts goroutines every -interval and, when
a rule fires (a ceiling, sustained growth, growth over the baseline learned
after start-up), captures the goroutine dump and profiles into -dir. Read
them with 'silentfail diagnose DIR'. Stops on SIGINT or SIGTERM, leaving no
partial capture, and prints what it did (polls, firings, captures).
Growth is judged over -growth-span of time, whatever -interval: a rise of
-growth-min goroutines (and 25%%) at -growth-rate a minute or more.
Exit status: 0 stopped cleanly, 2 could not run, or every capture it
attempted failed.

Flags:
`)
		fs.PrintDefaults()
	}
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "silentfail: watch needs exactly one URL (the service's root or its /debug/pprof/ page)")
		return exitError
	}
	if *growthMin < 0 || *growthRate < 0 {
		fmt.Fprintln(stderr, "silentfail: -growth-min and -growth-rate cannot be negative")
		return exitError
	}
	for name, v := range map[string]time.Duration{"-interval": *interval, "-cooldown": *cooldown, "-growth-span": *growthSpan} {
		if v <= 0 {
			fmt.Fprintf(stderr, "silentfail: %s must be positive, not %s\n", name, v)
			return exitError
		}
	}
	if *goroutines <= 0 || *maxCaptures <= 0 || *maxBytes <= 0 {
		fmt.Fprintln(stderr, "silentfail: -goroutines, -max-captures and -max-bytes must be positive")
		return exitError
	}
	opts := []watch.Option{
		watch.WithDir(*dir),
		watch.WithInterval(*interval),
		watch.WithGoroutineLimit(*goroutines),
		watch.WithCooldown(*cooldown),
		watch.WithCaptureGap(*gap),
		watch.WithMaxCaptures(*maxCaptures),
		watch.WithMaxBytes(*maxBytes),
		watch.WithLogger(slog.New(slog.NewTextHandler(stderr, nil))),
		watch.WithGoroutineGrowth(*growthSpan, *growthMin, *growthRate),
	}
	if *once {
		opts = append(opts, watch.WithOnce())
	}
	// The poller creates the directory; one that held nothing before and
	// got no capture is removed again, so a failed run leaves nothing.
	_, statErr := os.Stat(*dir)
	createdDir := os.IsNotExist(statErr)
	defer func() {
		if createdDir {
			os.Remove(*dir) // fails, as it should, once it holds a capture
		}
	}()
	p, err := watch.NewPoller(fs.Arg(0), opts...)
	if err != nil {
		fmt.Fprintln(stderr, "silentfail:", err)
		return exitError
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	fmt.Fprintf(stderr, "silentfail: watching %s every %s, captures in %s\n", fs.Arg(0), *interval, p.Dir())
	if err := p.Run(ctx); err != nil {
		fmt.Fprintln(stderr, "silentfail:", err)
		return exitError
	}
	sum := p.Summary()
	fmt.Fprintf(stderr, "silentfail: %d polls (%d failed), %d rule firings, %d captures written (%d failed)\n",
		sum.Polls, sum.PollErrors, sum.Firings, sum.Captures, sum.CaptureErrors)
	caps, err := watch.ListCaptures(p.Dir())
	if err == nil && len(caps) > 0 {
		fmt.Fprintf(stdout, "%d captures in %s; latest: %s\nRead them with: silentfail diagnose %s\n", len(caps), p.Dir(), caps[len(caps)-1].Name, p.Dir())
	}
	if sum.CaptureErrors > 0 && sum.Captures == 0 {
		fmt.Fprintf(stderr, "silentfail: every capture failed (%d): nothing was written\n", sum.CaptureErrors)
		return exitError
	}
	return exitClean
}
