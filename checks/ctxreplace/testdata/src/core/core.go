// Package core holds the default form of ctxreplace: context.TODO()
// where a context is at hand. Chains rooted at context.Background() are
// the opt-in form and stay silent here.
package core

import (
	"context"
	"database/sql"
	"net/http"
	"time"
)

type Store struct{ db *sql.DB }

// TODO() is a placeholder for a context not yet available; here one is.
func (s *Store) Update(ctx context.Context, id int) error {
	_, err := s.db.ExecContext(context.TODO(), "UPDATE t SET n = n + 1 WHERE id = ?", id) // want `context\.TODO\(\) in Update drops ctx and is passed to s\.db\.ExecContext`
	return err
}

func (s *Store) Export(w http.ResponseWriter, r *http.Request) {
	rows, err := s.db.QueryContext(context.TODO(), "SELECT * FROM t") // want `context\.TODO\(\) in handler Export drops r\.Context\(\) and is passed to s\.db\.QueryContext`
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	rows.Close()
}

// Rule "background is opt-in": the same chains rooted at Background() are not
// reported by default; on real services most of them detach on purpose.
func (s *Store) OKUpdateDetached(ctx context.Context, id int) error {
	_, err := s.db.ExecContext(context.Background(), "UPDATE t SET n = n + 1 WHERE id = ?", id)
	return err
}

func (s *Store) OKExportWithOwnTimeout(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, "SELECT * FROM t")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	rows.Close()
}
