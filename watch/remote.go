package watch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/silentfail/silentfail/internal/pprofhttp"
)

// A Poller watches a running service from outside, through its
// net/http/pprof endpoints, with no change to the service: it counts
// goroutines from the debug=1 goroutine profile every interval
// (default 15s), applies the same rules as a Watcher (only the
// goroutine rules apply: the other metrics are unknown from outside),
// and when one fires fetches the full set of profiles into the capture
// directory, with the same layout and rotation.
type Poller struct {
	cfg    config
	client *pprofhttp.Client
	store  *store
	engine *Engine
	stats  *stats
}

// NewPoller returns a poller of the service at url: its root or its
// /debug/pprof/ page. Nothing is fetched before Run.
func NewPoller(url string, opts ...Option) (*Poller, error) {
	cfg := newConfig(true, opts)
	client, err := pprofhttp.New(url)
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	st, err := openStore(cfg.dir, cfg.maxCaptures, cfg.maxBytes)
	if err != nil {
		return nil, err
	}
	return &Poller{cfg: cfg, client: client, store: st, engine: NewEngine(cfg.rules, cfg.cooldown), stats: newStats(cfg.rules)}, nil
}

// Dir returns the capture directory.
func (p *Poller) Dir() string { return p.store.dir }

// Run polls until ctx is done (it then returns nil) or, with WithOnce,
// until the first capture. It returns an error at once when the service
// cannot be reached or is not a net/http/pprof index; later failures are
// logged (when they start and when they end) and counted, and polling
// goes on. A capture interrupted by ctx leaves no files.
func (p *Poller) Run(ctx context.Context) error {
	profiles, err := p.client.Profiles(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("watch: %w", err)
	}
	sample := p.cfg.sampler
	if sample == nil {
		sample = p.sampleRemote
	}
	var (
		lastCapture time.Time
		lastErr     error
		first       = true
	)
	for {
		if !first {
			if err := sleepCtx(ctx, p.cfg.interval); err != nil {
				return nil
			}
		}
		first = false
		s, err := sample(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			p.stats.sampleError()
			if lastErr == nil {
				p.cfg.logger.Warn("watch: poll failed", "url", p.client.URL(), "err", err)
			}
			lastErr = err
			continue
		}
		if lastErr != nil {
			p.cfg.logger.Info("watch: poll works again", "url", p.client.URL())
			lastErr = nil
		}
		firings := p.engine.Observe(s)
		p.stats.observe(s, firings)
		if len(firings) == 0 || (!lastCapture.IsZero() && s.Time.Sub(lastCapture) < p.cfg.captureGap) {
			continue
		}
		lastCapture = s.Time
		meta := firingMeta(s, firings, p.client.URL())
		withDump := p.cfg.allowDump(s, &meta)
		c, err := p.store.write(ctx, meta, p.remoteFiles(profiles, withDump))
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			p.stats.captureError()
			p.cfg.logger.Error("watch: capture failed", "url", p.client.URL(), "rule", meta.Rule, "err", err)
			continue
		}
		removed, err := p.store.rotate()
		if err != nil {
			p.cfg.logger.Error("watch: rotation failed", "err", err)
		}
		p.stats.captured(meta.Time)
		logCapture(p.cfg.logger, c, meta, len(removed))
		if p.cfg.once {
			return nil
		}
	}
}

// sampleRemote counts the service's goroutines from the "total N" line
// of the debug=1 goroutine profile.
func (p *Poller) sampleRemote(ctx context.Context) (Sample, error) {
	body, err := p.client.Fetch(ctx, "goroutine", 1)
	if err != nil {
		return Sample{}, err
	}
	s := NewSample(p.cfg.now())
	n, err := totalOf(body)
	if err != nil {
		return Sample{}, fmt.Errorf("%sgoroutine?debug=1: %w", p.client.URL(), err)
	}
	s.Goroutines = float64(n)
	return s, nil
}

func totalOf(debug1 []byte) (int, error) {
	line, _, _ := bytes.Cut(debug1, []byte("\n"))
	_, num, ok := bytes.Cut(line, []byte(" profile: total "))
	if !ok {
		return 0, errors.New("no \"profile: total N\" line")
	}
	n, err := strconv.Atoi(string(bytes.TrimSpace(num)))
	if err != nil {
		return 0, fmt.Errorf("bad total %q", num)
	}
	return n, nil
}

// remoteFiles lists the profiles of a capture of the service.
func (p *Poller) remoteFiles(profiles map[string]bool, withDump bool) []captureFile {
	fetch := func(name string, debug int) func(context.Context, io.Writer) error {
		return func(ctx context.Context, w io.Writer) error {
			body, err := p.client.Fetch(ctx, name, debug)
			if err != nil {
				return err
			}
			_, err = w.Write(body)
			return err
		}
	}
	var files []captureFile
	if withDump {
		files = append(files, captureFile{FileDump, fetch("goroutine", 2)})
	}
	files = append(files, captureFile{FileGoroutine, fetch("goroutine", 0)}, captureFile{FileHeap, fetch("heap", 0)})
	if profiles["goroutineleak"] {
		files = append(files, captureFile{FileGoroutineLeak, fetch("goroutineleak", 0)})
	}
	return files
}
