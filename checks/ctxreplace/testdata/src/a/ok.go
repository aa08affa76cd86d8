package a

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// WithoutCancel keeps the values and drops the cancellation on purpose.
func (s *Server) audit(w http.ResponseWriter, r *http.Request) {
	ctx := context.WithoutCancel(r.Context())
	s.db.ExecContext(ctx, "INSERT INTO audit(path) VALUES ($1)", r.URL.Path)
}

// Rooted at the request's context.
func (s *Server) searchOK(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	s.db.QueryContext(ctx, "SELECT 1")
}

// Rooted at the caller's context, through a variable.
func (s *Server) FetchOK(ctx context.Context, id string) (*http.Response, error) {
	rctx := context.WithValue(ctx, tenantKey{}, "t")
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, s.base+"/items/"+id, nil)
	if err != nil {
		return nil, err
	}
	return s.client.Do(req)
}

// The shutdown pattern: a fresh timeout once ctx is done.
func (s *Server) Serve(ctx context.Context, srv *http.Server) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.drainAll(sctx, srv)
}

func (s *Server) drainAll(ctx context.Context, srv *http.Server) error { return srv.Shutdown(ctx) }

// After a bare receive from Done.
func (s *Server) runUntil(ctx context.Context) {
	<-ctx.Done()
	s.flush(context.Background())
}

func (s *Server) flush(ctx context.Context) { s.db.ExecContext(ctx, "COMMIT") }

// In the Done case of a select.
func (s *Server) loop(ctx context.Context, jobs <-chan int) {
	for {
		select {
		case <-ctx.Done():
			s.flush(context.Background())
			return
		case id := <-jobs:
			s.db.ExecContext(ctx, "UPDATE jobs SET done = true WHERE id = $1", id)
		}
	}
}

// Recording a failure after the caller gave up.
func (s *Server) process(ctx context.Context, id int) error {
	_, err := s.db.ExecContext(ctx, "UPDATE jobs SET started = now() WHERE id = $1", id)
	if ctx.Err() != nil {
		s.db.ExecContext(context.Background(), "UPDATE jobs SET failed = true WHERE id = $1", id)
	}
	return err
}

// A call that stops something gets a fresh timeout of its own.
func (s *Server) Reload(ctx context.Context, old *http.Server) error {
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return old.Shutdown(sctx)
}

// A function that stops something.
func (s *Server) Stop(ctx context.Context) {
	s.flush(context.Background())
}

// No context at hand: this is where chains begin.
func (s *Server) Warm() {
	s.db.ExecContext(context.Background(), "SELECT warm_cache()")
}

// Detached background jobs.
func (s *Server) reindex(w http.ResponseWriter, r *http.Request) {
	go s.flush(context.Background())
	go func() {
		ctx := context.Background()
		s.db.ExecContext(ctx, "REINDEX TABLE docs")
	}()
	ctx := context.Background()
	go s.flush(ctx)
	w.WriteHeader(http.StatusAccepted)
}

// Cleanup in deferred calls must run even when ctx is canceled.
func (s *Server) withLock(ctx context.Context, key string, f func(context.Context) error) error {
	if _, err := s.db.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return err
	}
	defer s.db.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", key)
	defer func() {
		s.flush(context.Background())
	}()
	return f(ctx)
}

// A fresh context used only locally.
func isDetached(ctx context.Context) bool {
	bg := context.Background()
	return ctx == bg || ctx == context.TODO()
}

// Stored in fields: the component's own lifetime, not the caller's.
type Worker struct {
	ctx    context.Context
	cancel context.CancelFunc
	s      *Server
}

func (w *Worker) Start(ctx context.Context) {
	w.ctx, w.cancel = context.WithCancel(context.Background())
	w.s.flush(w.ctx)
}

// Function literals that run later.
func (s *Server) schedule(ctx context.Context) func() {
	time.AfterFunc(time.Minute, func() { s.flush(context.Background()) })
	context.AfterFunc(ctx, func() { s.flush(context.Background()) })
	return func() { s.flush(context.Background()) }
}

// A shared call must not die with the first caller's context.
var group singleflight.Group

func (s *Server) cached(ctx context.Context, key string) (any, error) {
	v, err, _ := group.Do(key, func() (any, error) {
		return s.load(context.Background(), key)
	})
	return v, err
}

func (s *Server) load(ctx context.Context, key string) (any, error) {
	return s.db.QueryContext(ctx, "SELECT v FROM kv WHERE k = $1", key)
}

// Loggers read the context's values only.
func (s *Server) logged(ctx context.Context, log *slog.Logger) {
	log.InfoContext(context.Background(), "hello")
	logf(context.Background(), "hello %d", 1)
	s.flush(ctx)
}

func logf(ctx context.Context, format string, args ...any) { slog.InfoContext(ctx, format, args...) }

// A callee that ignores its context.
func (s *Server) informers(ctx context.Context) {
	s.newInformer(context.Background())
	s.newWatcher(context.Background())
}

func (s *Server) newInformer(_ context.Context) {}

func (s *Server) newWatcher(ctx context.Context) {}

// A call with a timeout of its own.
func (s *Server) readTimeout(ctx context.Context) {
	s.withReader(context.Background(), time.Second, func() error { return nil })
}

func (s *Server) withReader(ctx context.Context, timeout time.Duration, f func() error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	s.flush(ctx)
	return f()
}

// Sometimes the caller's context: not a fresh chain.
func (s *Server) maybe(ctx context.Context, r *http.Request) {
	c := context.Background()
	if r != nil {
		c = r.Context()
	}
	s.flush(c)
}

// The context parameter is declared unused: a decision, not an oversight.
func (s *Server) Sync(_ context.Context) error {
	return s.db.PingContext(context.Background())
}

func (s *Server) handleUnnamed(http.ResponseWriter, *http.Request) {
	s.flush(context.Background())
}

// Work handed to a goroutine by the callee, or named asynchronous: the
// fresh context is there so that it outlives the caller on purpose.
type tokenCache struct {
	mu    sync.Mutex
	token string
	fetch func(context.Context) (string, error)
}

func (c *tokenCache) Token(ctx context.Context) string {
	c.refreshAsync(context.Background())
	c.refresh(context.Background())
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token
}

func (c *tokenCache) refreshAsync(ctx context.Context) {
	fn := func() {
		t, err := c.fetch(ctx)
		if err == nil {
			c.mu.Lock()
			c.token = t
			c.mu.Unlock()
		}
	}
	go fn()
}

func (c *tokenCache) refresh(ctx context.Context) {
	go func() {
		if t, err := c.fetch(ctx); err == nil {
			c.mu.Lock()
			c.token = t
			c.mu.Unlock()
		}
	}()
}

// The function watches its own context and cancels the fresh one itself.
func waitFor(ctx context.Context, ticks func(context.Context) <-chan struct{}, cond func() bool) error {
	wctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := ticks(wctx)
	for {
		select {
		case <-c:
			if cond() {
				return nil
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// A handler that bridges the client's disconnect by hand.
func (s *Server) bridged(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-r.Context().Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	s.flush(ctx)
}

// A handler that starts a job meant to outlive the request.
type jobs struct{}

func (j *jobs) StartExport(ctx context.Context, table string) string {
	return table + ctx.Value(tenantKey{}).(string)
}

var exportJobs jobs

func (s *Server) startExport(w http.ResponseWriter, r *http.Request) {
	id := exportJobs.StartExport(context.Background(), r.FormValue("table"))
	w.Write([]byte(id))
}

// After a receive from a derived context's Done: the shutdown pattern.
func (s *Server) serveUntilSignal(ctx context.Context, srv *http.Server) error {
	sig, stop := context.WithCancel(ctx)
	defer stop()
	go func() { srv.ListenAndServe(); stop() }()
	<-sig.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.flush(sctx)
	return nil
}

// A package's own loggers, named for what they log.
func (s *Server) audited(ctx context.Context) {
	auditLogInternal(context.Background(), "scanner")
	s.flush(ctx)
}

func auditLogInternal(ctx context.Context, event string) { slog.InfoContext(ctx, event) }

// A compensating action after a failure runs to its end, even when the
// failure was the caller's cancellation.
func (s *Server) Provision(ctx context.Context, name string) error {
	if err := s.makeBucket(ctx, name); err != nil {
		return err
	}
	if err := s.register(ctx, name); err != nil {
		s.deleteBucket(context.Background(), name)
		return err
	}
	return nil
}

func (s *Server) makeBucket(ctx context.Context, name string) error   { return ctx.Err() }
func (s *Server) register(ctx context.Context, name string) error     { return ctx.Err() }
func (s *Server) deleteBucket(ctx context.Context, name string) error { return ctx.Err() }
func (s *Server) notifyAdmins(ctx context.Context, name string) error { return ctx.Err() }
