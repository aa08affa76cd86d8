package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// startRespond runs silentfail respond on a loopback port and returns
// its base URL.
func startRespond(t *testing.T, logs io.Writer, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, binary, append([]string{"respond", "-listen", "127.0.0.1:0"}, args...)...)
	cmd.Stderr = logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("respond printed no address: %v", err)
	}
	return strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
}

func hook(status, instance string) string {
	return fmt.Sprintf(`{"version": "4", "status": %q, "receiver": "silentfail", "alerts": [
		{"status": %q, "labels": {"alertname": "SilentfailGoroutinesGrowing", "instance": %q, "job": "api"},
		 "annotations": {"summary": "goroutines grow steadily"}, "startsAt": "2026-12-07T08:00:00Z", "fingerprint": "abc"}]}`, status, status, instance)
}

func post(t *testing.T, url, body, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func metric(t *testing.T, base, name string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for line := range strings.SplitSeq(string(b), "\n") {
		if strings.HasPrefix(line, name+" ") {
			return strings.TrimPrefix(line, name+" ")
		}
	}
	return ""
}

// A firing alert for a leaking service on loopback: respond takes its
// snapshots, writes them with the alert in watch's layout, diagnoses
// them, writes the report beside them and posts a summary; a second
// alert in the cooldown and a resolved one start nothing.
func TestRespondCapturesAndDiagnosesTheAlertingInstance(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a leaking service and respond on loopback")
	}
	base := startLeaky(t)
	instance := strings.TrimPrefix(base, "http://")
	dir := t.TempDir()
	tokenFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokenFile, []byte("s3cret\n"), 0o600)
	var mu sync.Mutex
	var summaries []string
	chat := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]string
		json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		summaries = append(summaries, m["text"])
		mu.Unlock()
	}))
	defer chat.Close()
	var logs syncBuffer
	resp := startRespond(t, &logs, "-dir", dir, "-samples", "3", "-every", "300ms", "-token-file", tokenFile, "-post", chat.URL)

	if code := post(t, resp+"/alerts", hook("firing", instance), ""); code != http.StatusUnauthorized {
		t.Errorf("without the token: %d, want 401", code)
	}
	if code := post(t, resp+"/alerts", "{not json", "s3cret"); code != http.StatusBadRequest {
		t.Errorf("bad JSON: %d, want 400", code)
	}
	if code := post(t, resp+"/alerts", strings.Replace(hook("firing", instance), `"4"`, `"3"`, 1), "s3cret"); code != http.StatusBadRequest {
		t.Errorf("webhook version 3: %d, want 400", code)
	}
	for _, want := range []string{"webhook refused: no valid bearer token", "webhook refused: not an Alertmanager webhook", "webhook refused: not version 4"} {
		if !waitFor(func() bool { return strings.Contains(logs.String(), want) }) {
			t.Errorf("no log line %q in\n%s", want, logs.String())
		}
	}
	if code := post(t, resp+"/alerts", hook("resolved", "127.0.0.1:1"), "s3cret"); code != http.StatusNoContent {
		t.Errorf("a resolved alert: %d, want 204", code)
	}

	leak(t, base, 30)
	done := make(chan struct{})
	defer func() { <-done }()
	go func() {
		defer close(done)
		for range 3 {
			time.Sleep(250 * time.Millisecond)
			leak(t, base, 30)
		}
	}()
	if code := post(t, resp+"/alerts", hook("firing", instance), "s3cret"); code != http.StatusNoContent {
		t.Fatalf("a firing alert: %d, want 204", code)
	}
	if code := post(t, resp+"/alerts", hook("firing", instance), "s3cret"); code != http.StatusNoContent {
		t.Fatalf("the same alert again: %d", code)
	}

	var report string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m, _ := filepath.Glob(filepath.Join(dir, "*", "report.txt")); len(m) == 1 {
			report = m[0]
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if report == "" {
		entries, _ := os.ReadDir(dir)
		t.Fatalf("no report written in 30s; %s holds %v", dir, entries)
	}
	text, _ := os.ReadFile(report)
	if !strings.Contains(string(text), "3 snapshots") || !strings.Contains(string(text), "main.lookup") {
		t.Errorf("report:\n%s", text)
	}
	metas, _ := filepath.Glob(filepath.Join(filepath.Dir(report), "*", "capture.json"))
	dumps, _ := filepath.Glob(filepath.Join(filepath.Dir(report), "*", "goroutine.txt"))
	if len(metas) != 3 || len(dumps) != 3 {
		t.Errorf("want 3 snapshots with capture.json, got %v and %v", metas, dumps)
	} else if b, _ := os.ReadFile(metas[0]); !strings.Contains(string(b), `"alertname": "SilentfailGoroutinesGrowing"`) || !strings.Contains(string(b), `"rule": "alert"`) {
		t.Errorf("capture.json lacks the alert:\n%s", b)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(report), "report.json")); err != nil {
		t.Error(err)
	}
	// The summary is posted after the report is renamed in place.
	for i := 0; i < 50; i++ {
		mu.Lock()
		n := len(summaries)
		mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	if len(summaries) != 1 || !strings.Contains(summaries[0], "SilentfailGoroutinesGrowing on "+instance) {
		t.Errorf("summaries posted: %q", summaries)
	}
	mu.Unlock()
	if got := metric(t, resp, "silentfail_respond_captures_total"); got != "1" {
		t.Errorf("captures_total %q, want 1", got)
	}
	if got := metric(t, resp, `silentfail_respond_alerts_skipped_total{reason="in_progress"}`); got != "1" {
		t.Errorf("the second alert during the response: skipped(in_progress) %q, want 1", got)
	}
	// After the response, the cooldown holds.
	post(t, resp+"/alerts", hook("firing", instance), "s3cret")
	if got := metric(t, resp, `silentfail_respond_alerts_skipped_total{reason="cooldown"}`); got != "1" {
		t.Errorf("an alert in the cooldown: skipped(cooldown) %q, want 1", got)
	}
	if got := metric(t, resp, `silentfail_respond_alerts_received_total{status="resolved"}`); got != "1" {
		t.Errorf("resolved alerts received %q, want 1", got)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*", "report.txt")); len(m) != 1 {
		t.Errorf("responses: %v, want exactly one", m)
	}
}

func TestRespondBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"respond", "-target", "http://{{.instance"},
		{"respond", "-samples", "0"},
		{"respond", "-tls-cert", "x.pem"},
		{"respond", "-token-file", filepath.Join(t.TempDir(), "missing")},
		{"respond", "extra"},
	} {
		r := silentfail(t, ".", args...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.HasPrefix(r.stderr, "silentfail: respond: ") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line", args, r.code, r.stderr)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for a process's writes and the
// test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond for up to 5 seconds.
func waitFor(cond func() bool) bool {
	for range 50 {
		if cond() {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return cond()
}
