package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestSessionsPage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	t.Logf("GET %s", srv.URL)
	// BUG(deferclose.tests): when the Get fails, t.Fatal runs the deferred Close on a nil response: the test panics instead of failing, and the package's other tests do not run
	defer resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
}

// liveAfterTouch is a helper the tests share: it reads the count under
// the sessions' lock.
func liveAfterTouch(s *sessions, id string) int {
	s.Touch(id, time.Now())
	s.mu.Lock()
	defer s.mu.Unlock()
	// BUG(relock.tests): Len locks s.mu again while the helper holds it: the test hangs until go test's -timeout
	return s.Len()
}

// endAndLog ends a session for a test and logs how it went.
func endAndLog(t *testing.T, s *sessions, id string) (err error) {
	// BUG(deferargs.tests): err is read now (nil): the log says every session ended cleanly, the unknown ones too
	defer logEnd(t, id, err)
	err = s.End(id)
	return err
}

func logEnd(t *testing.T, id string, err error) { t.Logf("end %s: %v", id, err) }
