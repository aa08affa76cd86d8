package main

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"text/template"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/silentfail/silentfail/diagnose"
	"github.com/silentfail/silentfail/diagnose/render"
	"github.com/silentfail/silentfail/goroutines"
	"github.com/silentfail/silentfail/internal/pprofhttp"
	"github.com/silentfail/silentfail/watch"
)

// respondConfig holds the settings of silentfail respond; defaults in
// runRespond's flags.
type respondConfig struct {
	dir          string
	target       *template.Template
	how          sampling
	captureLimit time.Duration // one whole response: snapshots and report
	concurrency  int
	cooldown     time.Duration
	maxBytes     int64
	token        string // required of Alertmanager, when set
	targetToken  string // sent to the targets, when set
	post         string // summary webhook, when set
	opts         []diagnose.Option
}

func runRespond(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("respond", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		listen      = fs.String("listen", "127.0.0.1:9095", "`address` to receive Alertmanager's webhook on (POST /alerts); /metrics serves respond's own metrics")
		dir         = fs.String("dir", "silentfail-responses", "`directory` to write one response per alert into: its snapshots (watch's capture layout, the alert in capture.json) and the diagnose report")
		target      = fs.String("target", "http://{{.instance}}/debug/pprof/", "template of the /debug/pprof/ URL of the alert's instance, from its labels")
		samples     = fs.Int("samples", 3, "snapshots to take of the instance")
		every       = fs.Duration("every", 10*time.Second, "time between two snapshots")
		dumpLimit   = fs.Int("dump-limit", watch.DefaultDumpLimit, "above this many goroutines, take the goroutine profile instead of the debug=2 dump")
		reqTimeout  = fs.Duration("timeout", 30*time.Second, "give up on one request to an instance after this long")
		limit       = fs.Duration("capture-timeout", 5*time.Minute, "give up on one response (all its snapshots) after this long")
		concurrency = fs.Int("concurrency", 2, "responses in progress at once; alerts beyond are dropped and counted")
		cooldown    = fs.Duration("cooldown", 15*time.Minute, "after a response to an instance, ignore its alerts for this long")
		maxBytes    = fs.Int64("max-bytes", 1<<30, "remove the oldest responses when -dir holds more than this many bytes")
		tokenFile   = fs.String("token-file", "", "require `file`'s bearer token of the webhook's sender (Alertmanager's http_config.authorization)")
		targetToken = fs.String("target-token-file", "", "send `file`'s bearer token to the instances")
		tlsCert     = fs.String("tls-cert", "", "serve the webhook over TLS with this certificate `file` (and -tls-key)")
		tlsKey      = fs.String("tls-key", "", "the TLS key `file` for -tls-cert")
		source      = fs.String("source", "", "`dir` of the instances' source (a package directory of a module, checked with its subdirectories once at start): each group links the static finding on its stack")
		post        = fs.String("post", "", "also POST a one-paragraph summary of each response as JSON {\"text\": ...} to this `URL` (a chat webhook)")
	)
	fs.Usage = func() {
		fmt.Fprintf(stderr, `usage: silentfail respond [flags]

Receives Alertmanager's webhook (version 4). For each firing alert it finds
the instance's /debug/pprof/ URL (-target, from the alert's labels), takes
-samples snapshots -every apart as 'silentfail diagnose URL' does, writes
them in -dir with the alert, diagnoses them and writes the report beside them.
Resolved alerts stop nothing in progress and start nothing new.

Flags:
`)
		fs.PrintDefaults()
	}
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "silentfail: respond: "+format+"\n", a...)
		return exitError
	}
	if fs.NArg() > 0 {
		return fail("unexpected arguments %q (flags only)", fs.Args())
	}
	tmpl, err := template.New("target").Option("missingkey=error").Parse(*target)
	if err != nil {
		return fail("-target %q: %v", *target, err)
	}
	if *samples < 1 || *every < 0 || *reqTimeout <= 0 || *limit <= 0 || *concurrency < 1 || *cooldown < 0 || *maxBytes <= 0 {
		return fail("-samples, -concurrency and -max-bytes must be positive, -timeout and -capture-timeout too, -every and -cooldown not negative")
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return fail("-tls-cert and -tls-key go together")
	}
	cfg := respondConfig{
		dir: *dir, target: tmpl, captureLimit: *limit, concurrency: *concurrency, cooldown: *cooldown, maxBytes: *maxBytes, post: *post,
		how: sampling{samples: *samples, every: *every, dumpLimit: *dumpLimit, timeout: *reqTimeout},
	}
	for _, f := range []struct {
		flag, file string
		into       *string
	}{{"-token-file", *tokenFile, &cfg.token}, {"-target-token-file", *targetToken, &cfg.targetToken}} {
		if f.file == "" {
			continue
		}
		b, err := os.ReadFile(f.file)
		if err != nil {
			return fail("%s %s: %v", f.flag, f.file, errors.Unwrap(err))
		}
		if *f.into = strings.TrimSpace(string(b)); *f.into == "" {
			return fail("%s %s: the file is empty", f.flag, f.file)
		}
	}
	if *source != "" {
		root, err := moduleRoot(*source)
		if err != nil {
			return fail("%v", err)
		}
		abs, _ := filepath.Abs(*source)
		pattern := "./..."
		if rel, err := filepath.Rel(root, abs); err == nil && rel != "." {
			pattern = "./" + filepath.ToSlash(rel) + "/..."
		}
		findings, module, err := checkModule(root, pattern)
		if err != nil {
			return fail("%v", err)
		}
		cfg.opts = append(cfg.opts, diagnose.WithFindings(findings), diagnose.Module(module))
	}
	if err := os.MkdirAll(cfg.dir, 0o755); err != nil {
		return fail("-dir %s: %v", cfg.dir, errors.Unwrap(err))
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fail("-listen %s: %v", *listen, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(stderr, nil))
	r := newResponder(ctx, cfg, log)
	srv := &http.Server{Handler: r.routes(), ReadHeaderTimeout: 10 * time.Second}
	scheme := "http"
	if *tlsCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "listening on %s://%s\n", scheme, ln.Addr())
	errc := make(chan error, 1)
	go func() {
		if *tlsCert != "" {
			errc <- srv.ServeTLS(ln, *tlsCert, *tlsKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fail("%v", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Shutdown(shutdown)
	r.wait()
	return exitClean
}

// A responder turns firing alerts into captures and reports.
type responder struct {
	ctx context.Context // ends with the process: responses in progress stop
	cfg respondConfig
	log *slog.Logger
	sem chan struct{}
	wg  sync.WaitGroup

	mu        sync.Mutex
	busy      map[string]bool      // instances being captured
	lastStart map[string]time.Time // when each instance's last response started, for the cooldown
	seq       int

	reg      *prometheus.Registry
	received *prometheus.CounterVec
	skipped  *prometheus.CounterVec
	done     prometheus.Counter
	failed   prometheus.Counter
}

func newResponder(ctx context.Context, cfg respondConfig, log *slog.Logger) *responder {
	r := &responder{
		ctx: ctx, cfg: cfg, log: log, sem: make(chan struct{}, cfg.concurrency),
		busy: map[string]bool{}, lastStart: map[string]time.Time{}, reg: prometheus.NewRegistry(),
		received: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "silentfail_respond_alerts_received_total", Help: "Alerts received, by status (firing, resolved)."}, []string{"status"}),
		skipped:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "silentfail_respond_alerts_skipped_total", Help: "Firing alerts not responded to, by reason (cooldown, in_progress, busy, no_target)."}, []string{"reason"}),
		done:     prometheus.NewCounter(prometheus.CounterOpts{Name: "silentfail_respond_captures_total", Help: "Responses written: snapshots and report."}),
		failed:   prometheus.NewCounter(prometheus.CounterOpts{Name: "silentfail_respond_capture_failures_total", Help: "Responses that failed."}),
	}
	r.reg.MustRegister(r.received, r.skipped, r.done, r.failed)
	return r
}

func (r *responder) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /alerts", r.alerts)
	mux.Handle("GET /metrics", promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	return mux
}

// webhook is the part of Alertmanager's webhook (version 4) that
// respond reads.
type webhook struct {
	Version string  `json:"version"`
	Alerts  []alert `json:"alerts"`
}

type alert struct {
	Status      string            `json:"status"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	Fingerprint string            `json:"fingerprint"`
}

func (r *responder) alerts(w http.ResponseWriter, req *http.Request) {
	if r.cfg.token != "" {
		got := strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer ")
		if subtle.ConstantTimeCompare([]byte(got), []byte(r.cfg.token)) != 1 {
			r.log.Warn("webhook refused: no valid bearer token", "from", req.RemoteAddr)
			http.Error(w, "a bearer token is required", http.StatusUnauthorized)
			return
		}
	}
	var hook webhook
	if err := json.NewDecoder(io.LimitReader(req.Body, 4<<20)).Decode(&hook); err != nil {
		r.log.Warn("webhook refused: not an Alertmanager webhook", "from", req.RemoteAddr, "err", err)
		http.Error(w, "not an Alertmanager webhook: "+err.Error(), http.StatusBadRequest)
		return
	}
	if hook.Version != "4" {
		r.log.Warn("webhook refused: not version 4", "from", req.RemoteAddr, "version", hook.Version)
		http.Error(w, fmt.Sprintf("webhook version %q: respond reads version 4", hook.Version), http.StatusBadRequest)
		return
	}
	for _, a := range hook.Alerts {
		r.received.WithLabelValues(a.Status).Inc()
		if a.Status == "firing" {
			r.start(a)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// start begins a response to a firing alert unless its instance is
// being captured, in its cooldown, or every slot is taken.
func (r *responder) start(a alert) {
	var url bytes.Buffer
	if err := r.cfg.target.Execute(&url, a.Labels); err != nil {
		r.skipped.WithLabelValues("no_target").Inc()
		r.log.Warn("no target for the alert", "alert", a.Labels["alertname"], "err", err)
		return
	}
	key := url.String()
	r.mu.Lock()
	switch {
	case r.busy[key]:
		r.mu.Unlock()
		r.skipped.WithLabelValues("in_progress").Inc()
		return
	case time.Since(r.lastStart[key]) < r.cfg.cooldown:
		r.mu.Unlock()
		r.skipped.WithLabelValues("cooldown").Inc()
		return
	}
	select {
	case r.sem <- struct{}{}:
	default:
		r.mu.Unlock()
		r.skipped.WithLabelValues("busy").Inc()
		return
	}
	r.busy[key] = true
	r.lastStart[key] = time.Now()
	r.seq++
	seq := r.seq
	r.mu.Unlock()
	r.wg.Go(func() {
		defer func() {
			r.mu.Lock()
			delete(r.busy, key)
			r.mu.Unlock()
			<-r.sem
		}()
		dir, rep, err := r.respond(a, key, seq)
		if err != nil {
			r.failed.Inc()
			r.log.Error("response failed", "alert", a.Labels["alertname"], "target", key, "err", err)
			return
		}
		r.done.Inc()
		r.log.Info("response written", "alert", a.Labels["alertname"], "target", key, "dir", dir)
		if r.cfg.post != "" {
			r.postSummary(a, key, dir, rep)
		}
	})
}

func (r *responder) wait() { r.wg.Wait() }

var unsafeName = regexp.MustCompile(`[^a-z0-9-]+`)

// respond takes the snapshots of one alert's instance into a new
// directory of cfg.dir, diagnoses them and writes the reports. The
// directory is written under a temporary name and renamed when whole.
func (r *responder) respond(a alert, url string, seq int) (string, *diagnose.Report, error) {
	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.captureLimit)
	defer cancel()
	at := time.Now().UTC()
	name := fmt.Sprintf("%s-%04d-%s", at.Format("20060102T150405.000Z"), seq,
		strings.Trim(unsafeName.ReplaceAllString(strings.ToLower(a.Labels["alertname"]+"-"+a.Labels["instance"]), "-"), "-"))
	tmp := filepath.Join(r.cfg.dir, ".silentfail-tmp-"+name)
	final := filepath.Join(r.cfg.dir, name)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return "", nil, err
	}
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(tmp)
		}
	}()
	if err := r.snapshots(ctx, a, url, tmp); err != nil {
		return "", nil, err
	}
	snaps, _, err := goroutines.ReadDirSkipping(tmp, goroutines.Fold())
	if err != nil {
		return "", nil, err
	}
	rep, err := diagnose.Analyze(snaps, r.cfg.opts...)
	if err != nil {
		return "", nil, err
	}
	for file, write := range map[string]func(io.Writer, *diagnose.Report) error{"report.txt": render.Text, "report.json": render.JSON} {
		var b bytes.Buffer
		if err := write(&b, rep); err != nil {
			return "", nil, err
		}
		if err := os.WriteFile(filepath.Join(tmp, file), b.Bytes(), 0o644); err != nil {
			return "", nil, err
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		return "", nil, err
	}
	keep = true
	r.trim()
	return final, rep, nil
}

// snapshots writes the snapshots of url into dir, as diagnose URL
// takes them, one capture directory each in watch's layout, the alert
// in each capture.json; the goroutineleak profile goes with the last.
func (r *responder) snapshots(ctx context.Context, a alert, url, dir string) error {
	hc := &http.Client{Timeout: r.cfg.how.timeout}
	if r.cfg.targetToken != "" {
		hc.Transport = bearer{token: r.cfg.targetToken, next: http.DefaultTransport}
	}
	c, err := pprofhttp.New(url, pprofhttp.WithHTTPClient(hc))
	if err != nil {
		return err
	}
	alertJSON, _ := json.Marshal(a)
	var last string // the last capture directory written
	write := func(sub string, at time.Time, files map[string][]byte) error {
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		meta := watch.Meta{Time: at, Rule: "alert", Reason: alertReason(a), Source: c.URL()}
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(sub, name), b, 0o644); err != nil {
				return err
			}
			meta.Files = append(meta.Files, name)
		}
		slices.Sort(meta.Files)
		mb, err := json.MarshalIndent(struct {
			watch.Meta
			Alert json.RawMessage `json:"alert"`
		}{meta, alertJSON}, "", "\t")
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(sub, watch.FileMeta), mb, 0o644)
	}
	var lastAt time.Time
	var lastFiles map[string][]byte
	leak, notes, err := sample(ctx, c, r.cfg.how, func(i int, raw rawSnapshot) error {
		at := raw.at.UTC()
		last, lastAt, lastFiles = filepath.Join(dir, fmt.Sprintf("%s-%04d-alert", at.Format("20060102T150405.000Z"), i+1)), at, map[string][]byte{raw.file: raw.body}
		return write(last, at, lastFiles)
	})
	if err != nil {
		return err
	}
	for _, n := range notes {
		r.log.Warn("capture note", "target", url, "note", n)
	}
	if leak != nil {
		lastFiles[watch.FileGoroutineLeak] = leak
		return write(last, lastAt, lastFiles)
	}
	return nil
}

// alertReason is one line naming the alert, for capture.json.
func alertReason(a alert) string {
	s := "alert " + a.Labels["alertname"] + " on " + a.Labels["instance"]
	if sum := a.Annotations["summary"]; sum != "" {
		s += ": " + sum
	}
	return s
}

type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(req)
}

// trim removes the oldest responses while cfg.dir holds more than
// cfg.maxBytes; the newest is always kept. Only directories named as
// responses are removed.
func (r *responder) trim() {
	entries, err := os.ReadDir(r.cfg.dir)
	if err != nil {
		return
	}
	type resp struct {
		path string
		size int64
	}
	var all []resp
	var total int64
	for _, e := range entries {
		if !e.IsDir() || !responseName.MatchString(e.Name()) {
			continue
		}
		p := filepath.Join(r.cfg.dir, e.Name())
		var size int64
		filepath.WalkDir(p, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if info, err := d.Info(); err == nil {
					size += info.Size()
				}
			}
			return nil
		})
		all = append(all, resp{p, size})
		total += size
	}
	for i := 0; i < len(all)-1 && total > r.cfg.maxBytes; i++ { // names sort by time: oldest first
		if os.RemoveAll(all[i].path) == nil {
			total -= all[i].size
		}
	}
}

var responseName = regexp.MustCompile(`^\d{8}T\d{6}\.\d{3}Z-\d{4}-[a-z0-9-]*$`)

// postSummary sends one paragraph: the alert, the verdict, the line and
// the static finding when there is one.
func (r *responder) postSummary(a alert, url, dir string, rep *diagnose.Report) {
	var b strings.Builder
	fmt.Fprintf(&b, "silentfail: %s on %s: ", a.Labels["alertname"], a.Labels["instance"])
	var top *diagnose.Group
	for _, g := range rep.Groups {
		if g.Verdict == diagnose.Leak || g.Verdict == diagnose.Stuck || g.Verdict == diagnose.Suspect {
			top = g
			break
		}
	}
	if top == nil {
		b.WriteString("no leak found in the snapshots")
	} else {
		fmt.Fprintf(&b, "%s, %d goroutines %s", strings.ToUpper(string(top.Verdict)), top.Last(), top.Reason)
	}
	fmt.Fprintf(&b, " (report: %s)", filepath.Join(dir, "report.txt"))
	body, _ := json.Marshal(map[string]string{"text": b.String()})
	ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.cfg.post, bytes.NewReader(body))
	if err != nil {
		r.log.Warn("summary not posted", "err", err)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.log.Warn("summary not posted", "err", err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}
