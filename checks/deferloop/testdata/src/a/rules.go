package a

import (
	"context"
	"database/sql"
	"net"
	"os"
	"sync"
	"time"
)

// Rule "rows read to the end": every path to the next iteration runs
// rows.Next() until it returns false, and database/sql closes the rows
// then; the deferred Close calls that pile up do nothing.
func OKRowsReadToEnd(ctx context.Context, db *sql.DB, batches [][]any) ([]string, error) {
	var names []string
	for _, args := range batches {
		rows, err := db.QueryContext(ctx, "SELECT name FROM t WHERE id IN (?)", args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return names, err
			}
			switch s {
			case "":
				break // leaves the switch, not the rows loop
			}
			names = append(names, s)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return names, nil
}

// Reported: a labeled continue leaves the rows loop before Next returns
// false, so the rows of that batch stay open with their connection.
func RowsLeftEarly(ctx context.Context, db *sql.DB, batches [][]any) ([]string, error) {
	var names []string
batch:
	for _, args := range batches {
		rows, err := db.QueryContext(ctx, "SELECT name FROM t WHERE id IN (?)", args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close() // want `deferred rows.Close\(\) runs only when RowsLeftEarly returns, not at the end of each iteration: one open \*sql.Rows per iteration piles up, each holding a database connection`
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return names, err
			}
			if s == "" {
				continue batch
			}
			names = append(names, s)
		}
	}
	return names, nil
}

// Rule "deadline on a root context": a context made by WithTimeout on
// context.Background() is in no parent's list and its own timer cancels
// it at the deadline; at most a timeout's worth of them is alive.
func OKPagesWithDeadline(pages int, fetch func(context.Context, int) error) error {
	for p := range pages {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := fetch(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// Reported: WithCancel has no deadline; each context stays until the
// function returns.
func PagesWithCancel(pages int, fetch func(context.Context, int) error) error {
	for p := range pages {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel() // want `deferred cancel\(\) runs only when PagesWithCancel returns, not at the end of each iteration: contexts and their timers pile up until then`
		if err := fetch(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// Rule "releases an existing element": a deferred function literal
// given each element of a collection that existed before the loop
// releases nothing the loop acquired (here: after the lock is dropped).
func OKCloseIdleAfterUnlock(conns []net.Conn, idle func(net.Conn) bool, unlock func()) {
	for _, c := range conns {
		if idle(c) {
			defer func(c net.Conn) {
				c.Close()
			}(c)
		}
	}
	unlock()
}

// Reported: the literal's argument is opened by the iteration.
func OpenEachThroughLiteral(names []string, use func(*os.File) error) error {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer func(f *os.File) { // want `deferred function literal runs only when OpenEachThroughLiteral returns, not at the end of each iteration: one open file per iteration piles up`
			f.Close()
		}(f)
		if err := use(f); err != nil {
			return err
		}
	}
	return nil
}

// Rule "AfterFunc stays armed": each context's callback must wake the
// wait below; stopping it at the end of the iteration would disarm it.
func OKWakeOnAnyDone(ctxs []context.Context, wake func(error), wait func() error) error {
	for _, ctx := range ctxs {
		stop := context.AfterFunc(ctx, func() { wake(ctx.Err()) })
		defer stop()
	}
	return wait()
}

type profiler struct {
	mu      sync.Mutex
	results map[string][]byte
}

// Rule "one element's branch": "cpu" appears once in the list, so the
// branch that locks runs on one iteration only and the deferred Unlock
// releases the one lock taken.
func (p *profiler) okDump() {
	kinds := []string{"heap", "goroutine", "cpu"}
	for _, kind := range kinds {
		if kind == "cpu" {
			p.mu.Lock()
			defer p.mu.Unlock()
		}
		p.results[kind] = nil
	}
	_ = len(kinds)
}

// Rule "one element's branch", with the list in the range statement.
func (p *profiler) okDumpInline() {
	for _, kind := range [...]string{"heap", "cpu"} {
		if len(kind) > 0 && "cpu" == kind {
			p.mu.Lock()
			defer p.mu.Unlock()
		}
	}
}
