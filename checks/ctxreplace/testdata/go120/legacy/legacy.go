package legacy

import (
	"context"
	"database/sql"
	"net/http"
)

type Server struct{ db *sql.DB }

// Before Go 1.21 there is no context.WithoutCancel to suggest.
func (s *Server) expire(w http.ResponseWriter, r *http.Request) {
	s.db.ExecContext(context.Background(), "DELETE FROM sessions WHERE expired") // want `context\.Background\(\) in handler expire drops r\.Context\(\) and is passed to s\.db\.ExecContext: .* \(root it at r\.Context\(\)\)$`
}
