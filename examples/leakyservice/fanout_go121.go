//go:build go1.21

// This file is deliberately built with Go 1.21 loop semantics: the build
// line above sets its language version below the module's (as in code
// kept buildable for an old toolchain, or copied from a go 1.21 module),
// so every for and range loop in it has ONE variable shared by all
// iterations. Keep it free of range-over-int and other Go 1.22 features.

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// notifier tells the configured webhooks about new orders.
type notifier struct {
	client *http.Client
	hooks  []string
}

type delivery struct {
	hook string
	err  error
}

// deliverAll posts the event to every webhook at once, retries the
// failed deliveries once, and returns the errors of those still failing.
func (n *notifier) deliverAll(ctx context.Context, event, id string) error {
	if len(n.hooks) == 0 {
		return nil
	}
	payload, err := json.Marshal(map[string]string{"event": event, "id": id})
	if err != nil {
		return err
	}
	results := make(chan delivery, len(n.hooks))
	pending := 0
	for _, hook := range n.hooks {
		// BUG(loopcapture): the goroutines read the shared hook when they run: most events go to the last webhook, the others get none
		go func() { results <- delivery{hook: hook, err: n.post(ctx, hook, payload)} }()
		pending++
	}
	var failed []delivery
	for ; pending > 0; pending-- {
		if d := <-results; d.err != nil {
			failed = append(failed, d)
		}
	}

	// The retries are correct in any Go version: i and d are copied for
	// each goroutine.
	errs := make([]error, len(failed))
	var wg sync.WaitGroup
	for i, d := range failed {
		i, d := i, d
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = n.post(ctx, d.hook, payload)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (n *notifier) post(ctx context.Context, hook string, payload []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := n.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("webhook %s: %s", hook, resp.Status)
	}
	return nil
}
