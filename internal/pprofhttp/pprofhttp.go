// Package pprofhttp fetches profiles from a running service's
// net/http/pprof endpoints, for diagnose and watch.
//
// It checks what it receives: a service that answers with an HTML error
// page, a login form or a truncated body gives an error naming the URL
// and the problem, not a profile that fails to parse later.
package pprofhttp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// A Client fetches profiles from one service.
type Client struct {
	base    *url.URL // ends in /debug/pprof/
	http    *http.Client
	maxBody int64
}

// An Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (default: a client with a 30s
// timeout, enough for a debug=2 dump of a million goroutines).
func WithHTTPClient(c *http.Client) Option { return func(cl *Client) { cl.http = c } }

// WithMaxBody bounds the size of one profile (default 1 GiB).
func WithMaxBody(n int64) Option { return func(cl *Client) { cl.maxBody = n } }

// New returns a client for the pprof endpoints at rawURL, which may be
// the /debug/pprof/ index itself or the root of the service
// (http://127.0.0.1:6060 means http://127.0.0.1:6060/debug/pprof/).
func New(rawURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%s: not a URL: %v", rawURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%s: not an http or https URL", rawURL)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%s: no host", rawURL)
	}
	switch p := strings.TrimSuffix(u.Path, "/"); {
	case p == "":
		u.Path = "/debug/pprof/"
	case strings.HasSuffix(p, "/debug/pprof"):
		u.Path = p + "/"
	default:
		return nil, fmt.Errorf("%s: expected the service root or its /debug/pprof/ path", rawURL)
	}
	u.RawQuery, u.Fragment = "", ""
	c := &Client{
		base:    u,
		http:    &http.Client{Timeout: 30 * time.Second},
		maxBody: 1 << 30,
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// URL returns the /debug/pprof/ URL the client reads.
func (c *Client) URL() string { return c.base.String() }

// profileLink matches the profile links of the net/http/pprof index:
// <a href="goroutine?debug=1">, also in older single-quoted forms.
var profileLink = regexp.MustCompile(`href=['"]?([a-z][a-z0-9_]*)\?debug=1`)

// Profiles returns the names of the profiles the index page lists
// (goroutine, heap, goroutineleak when the runtime has it...).
func (c *Client) Profiles(ctx context.Context) (map[string]bool, error) {
	body, err := c.get(ctx, c.base.String())
	if err != nil {
		return nil, err
	}
	names := make(map[string]bool)
	for _, m := range profileLink.FindAllSubmatch(body, -1) {
		names[string(m[1])] = true
	}
	if !names["goroutine"] {
		return nil, fmt.Errorf("%s: the page lists no goroutine profile: not a net/http/pprof index", c.base)
	}
	return names, nil
}

// Fetch returns profile name at the given debug level: 0 is the pprof
// protocol buffer (gzipped), 1 the aggregated text, 2 (goroutine
// profiles only) the full dump.
func (c *Client) Fetch(ctx context.Context, name string, debug int) ([]byte, error) {
	u := *c.base
	u.Path += name
	u.RawQuery = fmt.Sprintf("debug=%d", debug)
	body, err := c.get(ctx, u.String())
	if err != nil {
		return nil, err
	}
	if err := looksLike(body, debug); err != nil {
		return nil, fmt.Errorf("%s: %w", u.String(), err)
	}
	return body, nil
}

// looksLike checks the first bytes of a profile against its debug level.
func looksLike(body []byte, debug int) error {
	switch {
	case debug == 0 && !bytes.HasPrefix(body, []byte{0x1f, 0x8b}):
		return errors.New("not a gzipped pprof profile")
	case debug == 1 && !bytes.Contains(body[:min(len(body), 200)], []byte(" profile: total ")):
		return errors.New("not a debug=1 profile")
	case debug == 2 && !bytes.HasPrefix(body, []byte("goroutine ")):
		return errors.New("not a goroutine dump")
	}
	return nil
}

func (c *Client) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", u, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("%s: cannot reach the service: %v", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		hint := ""
		if resp.StatusCode == http.StatusNotFound {
			hint = " (is net/http/pprof registered on this server?)"
		}
		return nil, fmt.Errorf("%s: the service answered %s%s", u, resp.Status, hint)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("%s: reading the answer: %v", u, err)
	}
	if int64(len(body)) > c.maxBody {
		return nil, fmt.Errorf("%s: the answer is larger than %d bytes", u, c.maxBody)
	}
	return body, nil
}
