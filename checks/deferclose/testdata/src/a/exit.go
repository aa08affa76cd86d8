package a

import (
	"log"
	"net/http"
	"os"
	"testing"
)

// Rule "failure exits the process": log.Fatalf and os.Exit end the
// process without running deferred calls, so the defer never sees the
// nil response.
func OKFetchOrDie(url string) []byte {
	resp, err := http.Get(url)
	defer resp.Body.Close()
	if err != nil {
		log.Fatalf("fetch %s: %v", url, err)
	}
	return nil
}

func OKFetchOrExit(url string) {
	resp, err := http.Get(url)
	defer resp.Body.Close()
	if err != nil {
		log.Print(err)
		os.Exit(1)
	}
}

// Reported: t.Fatalf stops the test through runtime.Goexit, which runs
// the deferred calls: the nil response panics.
func fetchInTest(t *testing.T, url string) {
	resp, err := http.Get(url)
	defer resp.Body.Close() // want `resp\.Body\.Close\(\) is deferred before the error of http\.Get is checked`
	if err != nil {
		t.Fatalf("fetch %s: %v", url, err)
	}
}
