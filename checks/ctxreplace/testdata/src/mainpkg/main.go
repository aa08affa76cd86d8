package main

import (
	"context"
	"database/sql"
	"net/http"
	"os/signal"
	"syscall"
)

var db *sql.DB

func init() {
	db.PingContext(context.Background())
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	run := func(ctx context.Context) error {
		return db.PingContext(context.Background())
	}
	run(ctx)
	http.HandleFunc("/users", func(w http.ResponseWriter, r *http.Request) {
		db.ExecContext(context.TODO(), "DELETE FROM users WHERE id = $1", r.FormValue("id")) // want `context\.TODO\(\) in the handler drops r\.Context\(\)`
	})
	http.ListenAndServe(":8080", nil)
}
