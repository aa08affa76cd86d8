package pprofhttp_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"strings"
	"testing"
	"time"

	"github.com/silentfail/silentfail/internal/pprofhttp"
)

// service starts a loopback server with the real net/http/pprof
// handlers under /debug/pprof/ and a plain page elsewhere.
func service(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html>hello</html>"))
	})
	mux.HandleFunc("/nopprof/debug/pprof/", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html>login</html>"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchFromRealPprof(t *testing.T) {
	srv := service(t)
	for _, base := range []string{srv.URL, srv.URL + "/", srv.URL + "/debug/pprof", srv.URL + "/debug/pprof/?x=1"} {
		c, err := pprofhttp.New(base)
		if err != nil {
			t.Fatalf("New(%s): %v", base, err)
		}
		if want := srv.URL + "/debug/pprof/"; c.URL() != want {
			t.Errorf("New(%s).URL() = %s, want %s", base, c.URL(), want)
		}
	}
	c, _ := pprofhttp.New(srv.URL)
	ctx := context.Background()
	names, err := c.Profiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"goroutine", "heap", "block"} {
		if !names[n] {
			t.Errorf("Profiles lacks %s: %v", n, names)
		}
	}
	for debug, prefix := range map[int]string{0: "\x1f\x8b", 1: "goroutine profile: total ", 2: "goroutine "} {
		b, err := c.Fetch(ctx, "goroutine", debug)
		if err != nil {
			t.Fatalf("Fetch debug=%d: %v", debug, err)
		}
		if !strings.HasPrefix(string(b), prefix) {
			t.Errorf("Fetch debug=%d starts with %q", debug, b[:min(len(b), 20)])
		}
	}
}

func TestErrorsNameTheURLAndTheProblem(t *testing.T) {
	srv := service(t)
	// A port nothing listens on: take one and close it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()

	ctx := context.Background()
	cases := []struct {
		base string
		do   func(*pprofhttp.Client) error
		want string
	}{
		{dead, func(c *pprofhttp.Client) error { _, err := c.Profiles(ctx); return err }, "cannot reach the service"},
		{srv.URL + "/nopprof/debug/pprof/", func(c *pprofhttp.Client) error { _, err := c.Profiles(ctx); return err }, "not a net/http/pprof index"},
		{srv.URL + "/nopprof/debug/pprof/", func(c *pprofhttp.Client) error { _, err := c.Fetch(ctx, "goroutine", 2); return err }, "not a goroutine dump"},
		{srv.URL, func(c *pprofhttp.Client) error { _, err := c.Fetch(ctx, "nosuchprofile", 1); return err }, "404 Not Found"},
	}
	for _, tc := range cases {
		c, err := pprofhttp.New(tc.base)
		if err != nil {
			t.Fatal(err)
		}
		err = tc.do(c)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "http://127.0.0.1:") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line naming the URL and %q", tc.base, err, tc.want)
		}
	}
	for _, bad := range []string{"ftp://x/debug/pprof/", "http://", "http://h/metrics", "::"} {
		if _, err := pprofhttp.New(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("New(%q) = %v, want an error naming it", bad, err)
		}
	}
}

func TestTimeoutAndSizeLimit(t *testing.T) {
	block := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(block)
	c, _ := pprofhttp.New(slow.URL, pprofhttp.WithHTTPClient(&http.Client{Timeout: 50 * time.Millisecond}))
	if _, err := c.Fetch(context.Background(), "goroutine", 2); err == nil || !strings.Contains(err.Error(), "cannot reach") {
		t.Errorf("slow service: %v", err)
	}
	srv := service(t)
	c, _ = pprofhttp.New(srv.URL, pprofhttp.WithMaxBody(10))
	if _, err := c.Fetch(context.Background(), "goroutine", 2); err == nil || !strings.Contains(err.Error(), "larger than 10 bytes") {
		t.Errorf("size limit: %v", err)
	}
}
