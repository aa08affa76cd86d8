package a

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"
)

type Server struct {
	db     *sql.DB
	client *http.Client
	base   string
}

type result struct {
	ID    int
	Title string
}

// A search handler whose query no longer stops when the client leaves.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	rows, err := s.db.QueryContext(context.Background(), "SELECT id, title FROM docs WHERE body LIKE $1", "%"+r.FormValue("q")+"%") // want `context\.Background\(\) in handler search drops r\.Context\(\) and is passed to s\.db\.QueryContext: when the client disconnects or the request's deadline passes, the work goes on .* \(root it at r\.Context\(\); use context\.WithoutCancel\(r\.Context\(\)\) if the work must outlive the request\)`
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	var out []result
	for rows.Next() {
		var res result
		if err := rows.Scan(&res.ID, &res.Title); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out = append(out, res)
	}
	json.NewEncoder(w).Encode(out)
}

type tenantKey struct{}

// Middleware that builds the request's context from scratch.
func withTenant(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(context.Background(), tenantKey{}, r.Header.Get("X-Tenant")) // want `context\.Background\(\) in the handler drops r\.Context\(\) and is passed to r\.WithContext`
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// A client method that ignores its caller's context.
func (s *Server) Fetch(ctx context.Context, id string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(context.TODO(), http.MethodGet, s.base+"/items/"+id, nil) // want `context\.TODO\(\) in Fetch drops ctx and is passed to http\.NewRequestWithContext: when ctx is canceled or its deadline passes, the work goes on .* \(root it at ctx; use context\.WithoutCancel\(ctx\) if the work must outlive the call\)`
	if err != nil {
		return nil, err
	}
	return s.client.Do(req)
}

// A fresh chain built in two steps through a local variable.
func (s *Server) report(w http.ResponseWriter, r *http.Request) {
	ctx := context.Background() // want `context\.Background\(\) in handler report drops r\.Context\(\) and is passed to s\.db\.ExecContext`
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := s.db.ExecContext(ctx, "REFRESH MATERIALIZED VIEW daily_report"); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// errgroup rooted at Background: the loads run on after the client left.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	g, gctx := errgroup.WithContext(context.Background()) // want `context\.Background\(\) in handler dashboard drops r\.Context\(\) and is passed to s\.count`
	var users, orders int
	g.Go(func() error { return s.count(gctx, "users", &users) })
	g.Go(func() error { return s.count(gctx, "orders", &orders) })
	if err := g.Wait(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	json.NewEncoder(w).Encode(map[string]int{"users": users, "orders": orders})
}

func (s *Server) count(ctx context.Context, table string, n *int) error {
	return s.db.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(n)
}

// r is shadowed where the fresh context is made: no fix.
func (s *Server) purge(w http.ResponseWriter, r *http.Request) {
	for _, r := range r.URL.Query()["id"] {
		s.db.ExecContext(context.Background(), "DELETE FROM docs WHERE id = $1", r) // want `context\.Background\(\) in handler purge drops r\.Context\(\)`
	}
}

// A reverse proxy handler that clones the request without its context.
type proxy struct {
	rt http.RoundTripper
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	out := req.Clone(context.Background()) // want `context\.Background\(\) in handler ServeHTTP drops req\.Context\(\) and is passed to req\.Clone`
	resp, err := p.rt.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.WriteHeader(resp.StatusCode)
}

// A generic repository method.
type Repo[T any] struct {
	db   *sql.DB
	scan func(*sql.Row) (T, error)
}

func (r *Repo[T]) Get(ctx context.Context, id int) (T, error) {
	return r.scan(r.db.QueryRowContext(context.Background(), "SELECT * FROM t WHERE id = $1", id)) // want `context\.Background\(\) in Get drops ctx and is passed to r\.db\.QueryRowContext`
}

// A retry helper runs the closure while Save runs.
func retry(n int, f func() error) error {
	var err error
	for range n {
		if err = f(); err == nil {
			return nil
		}
	}
	return err
}

func (s *Server) Save(ctx context.Context, id int, title string) error {
	return retry(3, func() error {
		_, err := s.db.ExecContext(context.Background(), "UPDATE docs SET title = $2 WHERE id = $1", id, title) // want `context\.Background\(\) in Save drops ctx and is passed to s\.db\.ExecContext`
		return err
	})
}

// var declaration, TODO, and a method value called later in the function.
func (s *Server) Ping(ctx context.Context) error {
	var pctx = context.TODO() // want `context\.TODO\(\) in Ping drops ctx and is passed to ping:`
	ping := s.db.PingContext
	return ping(pctx)
}

type requestIDKey struct{}

// Middleware that replaces the request's context inline.
func withRequestID(next http.Handler) http.Handler {
	var h http.HandlerFunc = func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(context.Background(), requestIDKey{}, r.Header.Get("X-Request-Id")))) // want `context\.Background\(\) in the handler drops r\.Context\(\) and is passed to r\.WithContext`
	}
	return h
}

// A closure kept in a local variable and called by the handler.
func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	load := func() error {
		_, err := s.db.QueryContext(context.TODO(), "SELECT * FROM docs") // want `context\.TODO\(\) in handler export drops r\.Context\(\) and is passed to s\.db\.QueryContext`
		return err
	}
	if err := load(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// A call with a log in its name that does work: it returns an error.
func (s *Server) Replicate(ctx context.Context, entries []string) error {
	return replicateLog(context.Background(), entries) // want `context\.Background\(\) in Replicate drops ctx and is passed to replicateLog`
}

func replicateLog(ctx context.Context, entries []string) error { return ctx.Err() }

// A delete that is not a rollback, and other work on the error path.
func (s *Server) Reprovision(ctx context.Context, name string, stale bool) error {
	if stale {
		s.deleteBucket(context.Background(), name) // want `context\.Background\(\) in Reprovision drops ctx and is passed to s\.deleteBucket`
	}
	if err := s.register(ctx, name); err != nil {
		s.notifyAdmins(context.Background(), name) // want `context\.Background\(\) in Reprovision drops ctx and is passed to s\.notifyAdmins`
		return err
	}
	return nil
}
