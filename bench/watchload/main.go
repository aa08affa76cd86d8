// Command watchload measures what package watch costs a real HTTP
// service: the throughput of the same service with and without a
// watcher and its middleware, under the same loopback load, in one run.
//
//	go run ./bench/watchload [-d 5s] [-c 16] [-rounds 3]
//
// Each round starts the service as a separate process twice (plain,
// then watched, alternating which goes first), drives it with -c
// keep-alive clients for -d, and counts the answered requests. It prints
// the median requests per second of each and the median of the rounds'
// watched/plain ratios: the cost of watching.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/silentfail/silentfail/watch"
)

const serveEnv = "WATCHLOAD_SERVE"

func main() {
	if mode := os.Getenv(serveEnv); mode != "" {
		serve(mode == "watched")
		return
	}
	d := flag.Duration("d", 5*time.Second, "load duration of one measurement")
	clients := flag.Int("c", 16, "concurrent keep-alive clients")
	rounds := flag.Int("rounds", 3, "measurements of each mode")
	flag.Parse()

	rates := map[string][]float64{}
	var ratios []float64 // watched/plain of each round: the machine's drift cancels out
	for i := range *rounds {
		modes := []string{"plain", "watched"}
		if i%2 == 1 {
			slices.Reverse(modes)
		}
		for _, m := range modes {
			r, err := measure(m, *d, *clients)
			if err != nil {
				log.Fatalf("watchload: %s: %v", m, err)
			}
			rates[m] = append(rates[m], r)
			fmt.Printf("round %d %-8s %8.0f req/s\n", i+1, m, r)
		}
		ratios = append(ratios, rates["watched"][i]/rates["plain"][i])
	}
	plain, watched, ratio := median(rates["plain"]), median(rates["watched"]), median(ratios)
	fmt.Printf("median   plain    %8.0f req/s\nmedian   watched  %8.0f req/s\nwatched/plain, median of the rounds' ratios: %.3f (cost %.1f%%) with the default interval %s, %d clients, %s per run\n",
		plain, watched, ratio, 100*(1-ratio), watch.DefaultInterval, *clients, *d)
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// measure starts the service in mode and returns the requests per
// second it answered under load.
func measure(mode string, d time.Duration, clients int) (float64, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), serveEnv+"="+mode)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return 0, fmt.Errorf("the service printed no address: %v", err)
	}
	url := "http://" + strings.TrimSpace(line) + "/orders/42"

	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var done atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					done.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return float64(done.Load()) / time.Since(start).Seconds(), nil
}

// serve runs the measured service: a handler that does a little of
// what real handlers do (hash, encode JSON), plain or watched.
func serve(watched bool) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		sum := sha256.Sum256([]byte(r.PathValue("id") + r.UserAgent()))
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": r.PathValue("id"), "etag": hex.EncodeToString(sum[:8]),
			"items": []string{"a", "b", "c"}, "total": 42.5,
		})
	})
	var h http.Handler = mux
	if watched {
		dir, err := os.MkdirTemp("", "watchload-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
		w, err := watch.Start(context.Background(), watch.WithDir(dir))
		if err != nil {
			log.Fatal(err)
		}
		defer w.Stop()
		h = w.Middleware(mux)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ln.Addr())
	log.Fatal(http.Serve(ln, h))
}
