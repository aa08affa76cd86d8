package tests

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Sleeping in tests is not the check's business.
func slowHandler(w http.ResponseWriter, r *http.Request) {
	defer time.Sleep(10 * time.Millisecond)
}

func TestSlow(t *testing.T) {
	defer time.Sleep(time.Millisecond)
	slowHandler(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
}
