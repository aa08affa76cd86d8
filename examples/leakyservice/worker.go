package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// auditEvent is one line of the audit log.
type auditEvent struct {
	Action  string    `json:"action"`
	OrderID string    `json:"order_id"`
	Remote  string    `json:"remote"`
	At      time.Time `json:"at"`
}

func newAuditEvent(action, id string, r *http.Request) auditEvent {
	return auditEvent{Action: action, OrderID: id, Remote: r.RemoteAddr, At: time.Now().UTC()}
}

// auditShipper appends audit events to a file and ships them to the
// compliance service, one at a time.
type auditShipper struct {
	events  chan auditEvent
	f       *os.File
	latency time.Duration // the compliance service's round trip (simulated)
}

func openAuditShipper(path string, latency time.Duration) (*auditShipper, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return &auditShipper{events: make(chan auditEvent), f: f, latency: latency}, nil
}

func (s *auditShipper) run(ctx context.Context) {
	defer s.f.Close()
	enc := json.NewEncoder(s.f)
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-s.events:
			time.Sleep(s.latency)
			if err := enc.Encode(ev); err != nil {
				log.Printf("audit: %v", err)
			}
		}
	}
}

type reportJob struct{ ID string }

// reportWorker writes totals reports and keeps the last few.
type reportWorker struct {
	store   *Store
	metrics *metrics
	dir     string
	keep    int
	jobs    chan reportJob
	wg      sync.WaitGroup
}

func newReportWorker(store *Store, m *metrics, dir string, keep int) (*reportWorker, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	return &reportWorker{store: store, metrics: m, dir: dir, keep: keep, jobs: make(chan reportJob, 16)}, nil
}

func (w *reportWorker) path(id string) string { return filepath.Join(w.dir, id+".csv.gz") }

// start runs n workers until ctx is done. Each goroutine has its own i
// (Go 1.22 loop semantics in this file).
func (w *reportWorker) start(ctx context.Context, n int) {
	for i := range n {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			w.loop(ctx, i)
		}()
	}
}

func (w *reportWorker) wait() { w.wg.Wait() }

func (w *reportWorker) loop(ctx context.Context, worker int) {
	for {
		select {
		case <-ctx.Done():
			return
		case job := <-w.jobs:
			if err := w.run(job); err != nil {
				log.Printf("report worker %d: %v", worker, err)
			}
		}
	}
}

func (w *reportWorker) run(job reportJob) (err error) {
	defer w.recoverJob(job.ID, &err)
	start := time.Now()
	outcome := "failed"
	// BUG(deferargs): outcome is read now ("failed"): every report is counted as failed, the written ones too
	defer w.metrics.count("report", outcome)
	// The closure reads outcome and the latency when the report is done.
	defer func() { log.Printf("report %s: %s in %v", job.ID, outcome, time.Since(start)) }()
	// Old reports are pruned in the background; wait() waits for it.
	defer func() {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			// BUG(deferrecover.bare): meant to keep a failed prune from taking the service down, but recover is the deferred call itself: it returns nil and a panic while pruning crashes the process
			defer recover()
			w.prune()
		}()
	}()
	totals, err := w.store.Totals()
	if err != nil {
		return err
	}
	if err := WriteReport(w.path(job.ID), totals); err != nil {
		return err
	}
	outcome = "written"
	return nil
}

// recoverJob is deferred directly, so its recover stops a panicking job
// from taking the worker down.
func (w *reportWorker) recoverJob(id string, err *error) {
	if v := recover(); v != nil {
		*err = fmt.Errorf("report %s panicked: %v", id, v)
	}
}

// keepCount is meant to fall back to ten reports when the configured
// count cannot be read.
func (w *reportWorker) keepCount() int {
	// BUG(deferrecover.called): keepCount is only ever called, never deferred: its recover() returns nil and the fallback never runs (opt-in: the count cannot panic)
	if v := recover(); v != nil {
		return 10
	}
	return w.keep
}

// prune removes all but the newest reports (names sort by time).
func (w *reportWorker) prune() {
	entries, err := os.ReadDir(w.dir)
	if err != nil {
		log.Printf("prune reports: %v", err)
		return
	}
	for len(entries) > w.keepCount() {
		err := os.Remove(filepath.Join(w.dir, entries[0].Name()))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			log.Printf("prune reports: %v", err)
		}
		entries = entries[1:]
	}
}
