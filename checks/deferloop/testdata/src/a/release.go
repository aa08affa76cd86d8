package a

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"sync"
	"time"
)

// The defer is a safety net for early returns; the success path
// releases explicitly before the next iteration: nothing piles up.
func OKSafetyNetFile(names []string) (err error) {
	for _, name := range names {
		f, err := os.Create(name)
		if err != nil {
			return err
		}
		var closed bool
		defer func() {
			if !closed {
				err = errors.Join(err, f.Close())
			}
		}()
		if _, err := f.WriteString("x"); err != nil {
			return err
		}
		err = errors.Join(err, f.Close())
		closed = true
	}
	return err
}

func OKCloseExplicit(names []string) error {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := f.Stat(); err != nil {
			return err
		}
		f.Close()
	}
	return nil
}

func OKCommitted(db *sql.DB, stmts []string) error {
	for _, s := range stmts {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if _, err := tx.Exec(s); err != nil {
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

func OKCancelled(ctx context.Context, n int, do func(context.Context) error) error {
	for range n {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		err := do(cctx)
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// Released on one path only: the other path piles up.
func CloseSometimes(names []string) {
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		defer f.Close() // want `one open file per iteration piles up`
		if fi, err := f.Stat(); err == nil && fi.Size() == 0 {
			f.Close()
			continue
		}
		process(f)
	}
}

// Unlocked explicitly and by the defer.
func UnlockTwice(mu *sync.Mutex, keys []string, m map[string]int) {
	for _, k := range keys {
		mu.Lock()
		defer mu.Unlock() // want `deferred mu.Unlock\(\) runs only when UnlockTwice returns, not at the end of each iteration: each iteration also unlocks mu itself, so the deferred unlocks hit an unlocked mutex: fatal error "sync: unlock of unlocked mutex" \(drop the explicit unlock, or the defer\)`
		m[k]++
		mu.Unlock()
	}
}
