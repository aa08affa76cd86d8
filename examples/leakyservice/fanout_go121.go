//go:build go1.21

// This file is deliberately built with Go 1.21 loop semantics (the
// build line above downgrades its language version), as code in modules
// that still declare go 1.21 is: a loop variable is shared by all
// iterations.

package main

import (
	"log"
	"net/http"
	"strings"
	"sync"
	"time"
)

// broadcast posts an event to every subscriber concurrently.
func broadcast(client *http.Client, subscribers []string, event string) {
	var wg sync.WaitGroup
	queued := 0
	for _, url := range subscribers {
		wg.Add(1)
		// BUG(loopcapture): every goroutine reads the shared url: with Go 1.21 semantics most post to the last subscriber
		go func() {
			defer wg.Done()
			resp, err := client.Post(url, "text/plain", strings.NewReader(event))
			if err != nil {
				log.Printf("webhook %s: %v", url, err)
				return
			}
			resp.Body.Close()
		}()
		queued++
	}
	log.Printf("broadcast %q to %d subscribers", event, queued)
	wg.Wait()
}

// broadcastOK passes the variable as an argument: correct in any version.
func broadcastOK(client *http.Client, subscribers []string, event string) {
	var wg sync.WaitGroup
	for _, url := range subscribers {
		wg.Add(1)
		go func(url string) {
			defer wg.Done()
			ctxClient := *client
			ctxClient.Timeout = 5 * time.Second
			resp, err := ctxClient.Post(url, "text/plain", strings.NewReader(event))
			if err != nil {
				log.Printf("webhook %s: %v", url, err)
				return
			}
			resp.Body.Close()
		}(url)
	}
	wg.Wait()
}
