package core

import (
	"net/http"
	"testing"
)

// rule "early defers in tests are opt-in": without -deferclose.tests a
// test's early defer is left alone; t.Fatal already fails the test.
func TestFetch(t *testing.T) {
	resp, err := http.Get("http://127.0.0.1:1/")
	defer resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
}
