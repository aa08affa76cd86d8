// Command watchload measures what package watch costs a real HTTP
// service: the CPU time the same service spends per request with and
// without a watcher and its middleware, under the same loopback load.
//
//	go run ./bench/watchload [-handler typical|small] [-watched full|watcher|labels|context|ticker|plain]
//	                         [-server production|bare] [-procs N] [-d 8s] [-c 16] [-rounds 20]
//	                         [-attribute=true] [-cpuprofile FILE]
//
// Each round starts the service twice, as two processes running side by
// side, one plain and one watched (watch.Start with its defaults, and
// watch.Middleware around the handler); which one starts first, and
// gets each client's first request, alternates between rounds. -c
// keep-alive clients send their requests to the two in turn, so both
// see the same load at the same moments: whatever else the machine does
// affects both alike. Each process reports the CPU time it used
// (getrusage) over the round; the cost of watching is the ratio of the
// CPU time per request. Throughput under saturation is its inverse, but
// measuring it directly on a shared machine drifts by several percent
// between runs, more than the cost being measured.
//
// One round's ratio moves by a point or more on a shared 2-core
// machine, as much as the cost being measured, so the result is the
// mean of many rounds with its 95% confidence interval.
//
// -handler chooses the service's handler: "typical" checks a signed
// token, reads an order of 20 lines from an in-memory store, answers it
// as JSON (about 3 kB) and logs one structured line, as a JSON API read
// does; "small" hashes the path and answers 80 bytes of JSON, the least
// a handler does, where the middleware's fixed cost weighs the most.
//
// -server chooses the http.Server: "production" (the default) sets
// ReadHeaderTimeout and IdleTimeout, as a server facing clients must;
// "bare" sets no timeout, so the server runs no timer at all. In a bare
// server any pending timer, the watcher's tickers included, makes the
// scheduler's idle path dearer (it checks the timer heap and polls the
// network with a timeout): -watched ticker measures that alone.
//
// -watched chooses what the watched service runs: "full" (the default)
// the watcher and its middleware, "watcher" the watcher alone,
// "labels" the watcher and a wrapper that only sets the middleware's
// goroutine label, "context" the middleware
// WithContextLabels, "ticker" one idle
// time.Ticker and no watcher, "plain" nothing (an A/A run: its interval
// shows the method's noise). -procs sets the services' GOMAXPROCS
// (default: the machine's).
//
// Unless -attribute=false, a last round, five rounds long, CPU-profiles
// the watched service and counts the samples in package watch's code:
// in the middleware's own frames (not in the handler it calls) and in
// the watcher's goroutines. That share is the part of the cost the
// package's own code takes; the rest of the ratio's excess is what its
// presence costs the runtime and the caches.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/pprof/profile"
	"github.com/silentfail/silentfail/watch"
)

const (
	serveEnv   = "WATCHLOAD_SERVE" // plain, or what the watched service runs
	handlerEnv = "WATCHLOAD_HANDLER"
	serverEnv  = "WATCHLOAD_SERVER" // production or bare
	dirEnv     = "WATCHLOAD_DIR"    // the watched service's capture directory, removed by the parent
)

func main() {
	if mode := os.Getenv(serveEnv); mode != "" {
		serve(mode)
		return
	}
	d := flag.Duration("d", 8*time.Second, "load duration of one round")
	clients := flag.Int("c", 16, "concurrent keep-alive clients")
	rounds := flag.Int("rounds", 20, "rounds")
	handler := flag.String("handler", "typical", "the service's handler: typical or small")
	watched := flag.String("watched", "full", "what the watched service runs: full, watcher, labels, context, ticker or plain")
	server := flag.String("server", "production", "the services' http.Server: production (ReadHeaderTimeout, IdleTimeout) or bare (no timeout)")
	procs := flag.Int("procs", 0, "GOMAXPROCS of the services (0: the machine's)")
	attr := flag.Bool("attribute", true, "add a round with the watched service CPU-profiled, and report the share of its samples in package watch")
	cpuprofile := flag.String("cpuprofile", "", "write the profiled round's CPU profile of the watched service to this file")
	flag.Parse()
	if !slices.Contains([]string{"full", "watcher", "labels", "context", "ticker", "plain"}, *watched) {
		log.Fatalf("watchload: -watched %q: want full, watcher, labels, context, ticker or plain", *watched)
	}
	if *server != "production" && *server != "bare" {
		log.Fatalf("watchload: -server %q: want production or bare", *server)
	}
	os.Setenv(serverEnv, *server)
	if *procs > 0 {
		os.Setenv("GOMAXPROCS", strconv.Itoa(*procs)) // inherited by the services
	}
	if _, ok := handlers[*handler]; !ok {
		log.Fatalf("watchload: -handler %q: want typical or small", *handler)
	}
	os.Setenv(handlerEnv, *handler)

	var ratios, plainCost, watchedCost []float64
	for i := range *rounds {
		r, err := round(*d, *clients, *watched, i%2 == 1, false)
		if err != nil {
			log.Fatalf("watchload: round %d: %v", i+1, err)
		}
		p, w := r["plain"], r["watched"]
		fmt.Printf("round %d  plain %6.1f µs/req (%5.0f req/s)  watched %6.1f µs/req (%5.0f req/s)  watched/plain %.3f\n",
			i+1, p.cpuPerRequest(), p.rate(*d), w.cpuPerRequest(), w.rate(*d), w.cpuPerRequest()/p.cpuPerRequest())
		ratios = append(ratios, w.cpuPerRequest()/p.cpuPerRequest())
		plainCost = append(plainCost, p.cpuPerRequest())
		watchedCost = append(watchedCost, w.cpuPerRequest())
	}
	if *attr && (*watched == "full" || *watched == "watcher" || *watched == "context") {
		// Five rounds long: at pprof's 100 samples a second, a share
		// of a percent needs thousands of samples.
		r, err := round(5**d, *clients, *watched, false, true)
		if err != nil {
			log.Fatalf("watchload: profiled round: %v", err)
		}
		a, err := attribute(r["profile"].profile)
		if err != nil {
			log.Fatalf("watchload: profiled round: %v", err)
		}
		if *cpuprofile != "" {
			if err := os.WriteFile(*cpuprofile, r["profile"].profile, 0o644); err != nil {
				log.Fatalf("watchload: %v", err)
			}
		}
		fmt.Printf("profiled round: %.2f%% of the watched service's CPU samples are in package watch's code (middleware %d, watcher %d, of %d samples)\n",
			100*float64(a.middleware+a.watcher)/float64(a.total), a.middleware, a.watcher, a.total)
	}
	if len(ratios) == 0 {
		return
	}
	mean, half := meanInterval(ratios)
	fmt.Printf("median CPU per request: plain %.1f µs, watched %.1f µs\n", median(plainCost), median(watchedCost))
	fmt.Printf("watched/plain CPU per request, mean of %d rounds: %.4f ± %.4f (95%%; cost %.2f%%, interval %.2f%% to %.2f%%); median %.3f, rounds from %.3f to %.3f\n",
		*rounds, mean, half, 100*(mean-1), 100*(mean-half-1), 100*(mean+half-1), median(ratios), slices.Min(ratios), slices.Max(ratios))
	fmt.Printf("  with the %s handler, -watched %s, -server %s, the default interval %s, %d clients, %s per round\n",
		*handler, *watched, *server, watch.DefaultInterval, *clients, *d)
}

// A result is what one service did during a round.
type result struct {
	requests int64
	cpu      time.Duration
	profile  []byte // the watched service's CPU profile, in a profiled round
}

func (r result) cpuPerRequest() float64 {
	return float64(r.cpu.Microseconds()) / float64(r.requests)
}

func (r result) rate(d time.Duration) float64 { return float64(r.requests) / d.Seconds() }

// A service is one running server process.
type service struct {
	cmd  *exec.Cmd
	base string
	done atomic.Int64
}

func startService(mode, dir string) (*service, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), serveEnv+"="+mode, dirEnv+"="+dir)
	cmd.SysProcAttr = childAttr()
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("the %s service printed no address: %v", mode, err)
	}
	return &service{cmd: cmd, base: "http://" + strings.TrimSpace(line)}, nil
}

func (s *service) stop() {
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

// cpuTime asks the service for the CPU time it has used so far.
func (s *service) cpuTime(client *http.Client) (time.Duration, error) {
	resp, err := client.Get(s.base + "/cpu")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	ns, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return time.Duration(ns), err
}

// post sends an empty POST to the service and returns the answer.
func (s *service) post(client *http.Client, path string) ([]byte, error) {
	resp, err := client.Post(s.base+path, "", nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(b))
	}
	return b, err
}

// round runs both services side by side under the same load for d
// (after a warm-up of d/5) and returns what each did.
func round(d time.Duration, clients int, watched string, swap, profiled bool) (map[string]result, error) {
	modes := []string{"plain", "watched"}
	if swap {
		modes[0], modes[1] = modes[1], modes[0]
	}
	dir, err := os.MkdirTemp("", "watchload-")
	if err != nil {
		return nil, err
	}
	var svcs []*service
	defer func() {
		for _, s := range svcs {
			s.stop()
		}
		os.RemoveAll(dir)
	}()
	for _, m := range modes {
		mode := "plain"
		if m == "watched" {
			mode = watched
		}
		s, err := startService(mode, dir)
		if err != nil {
			return nil, err
		}
		svcs = append(svcs, s)
	}

	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	token := sign("client-7")
	var counting atomic.Bool
	var wg sync.WaitGroup
	// The clients stop before the services do (deferred earlier).
	defer func() { cancel(); wg.Wait() }()
	for c := range clients {
		wg.Go(func() {
			for i := c; ctx.Err() == nil; i++ {
				s := svcs[i%len(svcs)]
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/orders/42", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK && counting.Load() {
					s.done.Add(1)
				}
			}
		})
	}

	time.Sleep(d / 5) // warm-up: connections open, heaps at their working size
	before := make([]time.Duration, len(svcs))
	for i, s := range svcs {
		t, err := s.cpuTime(client)
		if err != nil {
			return nil, fmt.Errorf("%s service: %v", modes[i], err)
		}
		before[i] = t
	}
	watchedSvc := svcs[slices.Index(modes, "watched")]
	if profiled {
		if _, err := watchedSvc.post(client, "/profile/start"); err != nil {
			return nil, fmt.Errorf("watched service: starting the CPU profile: %v", err)
		}
	}
	counting.Store(true)
	time.Sleep(d)
	counting.Store(false)
	res := map[string]result{}
	if profiled {
		prof, err := watchedSvc.post(client, "/profile/stop")
		if err != nil {
			return nil, fmt.Errorf("watched service: stopping the CPU profile: %v", err)
		}
		res["profile"] = result{profile: prof}
	}
	for i, s := range svcs {
		t, err := s.cpuTime(client)
		if err != nil {
			return nil, fmt.Errorf("%s service: %v", modes[i], err)
		}
		res[modes[i]] = result{requests: s.done.Load(), cpu: t - before[i]}
	}
	return res, nil
}

// An attribution splits a CPU profile of the watched service.
type attribution struct {
	total      int64 // samples
	middleware int64 // in the middleware's own code, not in the handler it calls
	watcher    int64 // in the watcher's goroutines (sampling, captures)
}

// attribute reads a CPU profile and attributes each sample to the
// innermost frame that is either package watch's code or a ServeMux
// (the handler's side: the middleware wraps the inner mux). A sample
// in watch's code on a goroutine serving a request goes to the
// middleware, any other to the watcher.
func attribute(data []byte) (attribution, error) {
	var a attribution
	p, err := profile.ParseData(data)
	if err != nil {
		return a, err
	}
	const watchPkg = "github.com/silentfail/silentfail/watch."
	for _, s := range p.Sample {
		n := s.Value[0]
		a.total += n
		inWatch := false
	stack:
		for _, loc := range s.Location {
			for _, ln := range loc.Line { // innermost first, inlined calls included
				switch name := ln.Function.Name; {
				case strings.HasPrefix(name, watchPkg) || strings.Contains(name, ".(*Watcher)."):
					inWatch = true
					break stack
				case name == "net/http.(*ServeMux).ServeHTTP":
					break stack
				}
			}
		}
		switch {
		case !inWatch:
		case hasFunction(s, "net/http.(*conn).serve"):
			a.middleware += n
		default:
			a.watcher += n
		}
	}
	if a.total == 0 {
		return a, fmt.Errorf("the CPU profile has no samples")
	}
	return a, nil
}

func hasFunction(s *profile.Sample, name string) bool {
	for _, loc := range s.Location {
		for _, ln := range loc.Line {
			if ln.Function.Name == name {
				return true
			}
		}
	}
	return false
}

// handlers are the measured services' handlers, by -handler name.
var handlers = map[string]func() http.HandlerFunc{"typical": typicalHandler, "small": smallHandler}

func smallHandler() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sum := sha256.Sum256([]byte(r.PathValue("id") + r.UserAgent()))
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": r.PathValue("id"), "etag": hex.EncodeToString(sum[:8]),
			"items": []string{"a", "b", "c"}, "total": 42.5,
		})
	}
}

type orderLine struct {
	SKU         string  `json:"sku"`
	Description string  `json:"description"`
	Quantity    int     `json:"quantity"`
	UnitPrice   float64 `json:"unit_price"`
}

type order struct {
	ID       string      `json:"id"`
	Customer string      `json:"customer"`
	Created  time.Time   `json:"created"`
	Status   string      `json:"status"`
	Lines    []orderLine `json:"lines"`
	Total    float64     `json:"total"`
}

// tokenKey signs the clients' bearer tokens.
var tokenKey = []byte("watchload-key")

func sign(subject string) string {
	m := hmac.New(sha256.New, tokenKey)
	m.Write([]byte(subject))
	return subject + "." + hex.EncodeToString(m.Sum(nil))
}

func typicalHandler() http.HandlerFunc {
	var mu sync.RWMutex
	orders := map[string]*order{}
	for i := range 100 {
		o := &order{ID: strconv.Itoa(i), Customer: "customer-" + strconv.Itoa(i%7), Status: "shipped",
			Created: time.Date(2026, 3, 1, 12, i%60, 0, 0, time.UTC)}
		for l := range 20 {
			o.Lines = append(o.Lines, orderLine{SKU: fmt.Sprintf("SKU-%05d", i*20+l), Description: "stainless steel bolt, M8 x 40mm, pack of 50",
				Quantity: 1 + l%4, UnitPrice: 3.25 + float64(l)})
			o.Total += float64(1+l%4) * (3.25 + float64(l))
		}
		orders[o.ID] = o
	}
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		subject, mac, ok := strings.Cut(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), ".")
		if !ok || !hmac.Equal([]byte(sign(subject)[len(subject)+1:]), []byte(mac)) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		mu.RLock()
		o := orders[r.PathValue("id")]
		mu.RUnlock()
		if o == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(o); err != nil {
			return
		}
		logger.InfoContext(r.Context(), "order read", "order", o.ID, "subject", subject, "lines", len(o.Lines),
			"remote", r.RemoteAddr, "elapsed", time.Since(start))
	}
}

// serve runs the measured service as mode says (see -watched), with the
// handler and the http.Server the environment names, and /cpu, which
// reports the process's CPU time in nanoseconds.
func serve(mode string) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", handlers[os.Getenv(handlerEnv)]())
	var h http.Handler = mux
	switch mode {
	case "plain":
	case "ticker":
		// An idle ticker, as any periodic job keeps: the cost of a
		// pending timer in a server that otherwise has none.
		go func() {
			for range time.NewTicker(watch.DefaultInterval).C {
			}
		}()
	default:
		var opts []watch.Option
		if mode == "context" {
			opts = append(opts, watch.WithContextLabels())
		}
		// The watcher runs until the parent kills the process.
		w, err := watch.Start(context.Background(), append(opts, watch.WithDir(os.Getenv(dirEnv)))...)
		if err != nil {
			log.Fatal(err)
		}
		switch mode {
		case "watcher":
		case "labels":
			// What the middleware's label costs by itself: set on
			// entry (and left on, as the middleware does), nothing
			// counted.
			labels := pprof.WithLabels(context.Background(), pprof.Labels(watch.LabelRequest, "e1"))
			h = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				pprof.SetGoroutineLabels(labels)
				mux.ServeHTTP(rw, r)
			})
		default:
			h = w.Middleware(mux)
		}
	}
	top := http.NewServeMux()
	top.Handle("/", h)
	var profMu sync.Mutex
	var prof bytes.Buffer
	top.HandleFunc("POST /profile/start", func(w http.ResponseWriter, r *http.Request) {
		profMu.Lock()
		defer profMu.Unlock()
		prof.Reset()
		if err := pprof.StartCPUProfile(&prof); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	top.HandleFunc("POST /profile/stop", func(w http.ResponseWriter, r *http.Request) {
		profMu.Lock()
		defer profMu.Unlock()
		pprof.StopCPUProfile()
		w.Write(prof.Bytes())
	})
	top.HandleFunc("GET /cpu", func(w http.ResponseWriter, r *http.Request) {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, ru.Utime.Nano()+ru.Stime.Nano())
	})
	srv := &http.Server{Handler: top}
	if os.Getenv(serverEnv) == "production" {
		// What a server facing clients sets so that slow or idle
		// clients do not hold connections forever. Each keeps a timer
		// pending on the connection.
		srv.ReadHeaderTimeout = 10 * time.Second
		srv.IdleTimeout = 2 * time.Minute
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ln.Addr())
	log.Fatal(srv.Serve(ln))
}
