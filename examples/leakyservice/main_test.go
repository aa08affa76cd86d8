package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestServer(t *testing.T) {
	api, err := newAPI(config{dataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	api.start(ctx)
	srv := httptest.NewServer(api.routes())
	t.Cleanup(func() {
		srv.Close()
		cancel()
		api.wait()
	})
	client := &http.Client{Timeout: 5 * time.Second}

	resp, err := client.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "ok\n" {
		t.Fatalf("GET /healthz: %d %q, want 200 \"ok\\n\"", resp.StatusCode, body)
	}

	// An order round trip; the audit shipper is running, so the deferred
	// audit send of POST /orders is taken.
	resp, err = client.Post(srv.URL+"/orders", "application/json", strings.NewReader(`{"sku":"A-1","qty":2}`))
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ ID string }
	err = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || err != nil || created.ID == "" {
		t.Fatalf("POST /orders: %d, id %q, %v", resp.StatusCode, created.ID, err)
	}
	resp, err = client.Get(srv.URL + "/orders/" + created.ID)
	if err != nil {
		t.Fatal(err)
	}
	var o Order
	err = json.NewDecoder(resp.Body).Decode(&o)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || err != nil || o.SKU != "A-1" || o.Qty != 2 {
		t.Fatalf("GET /orders/%s: %d, %+v, %v", created.ID, resp.StatusCode, o, err)
	}
}
