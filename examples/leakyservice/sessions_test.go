package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
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
