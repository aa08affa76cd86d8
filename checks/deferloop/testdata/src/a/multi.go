package a

import (
	"database/sql"
	"os"
)

// Two defers in one loop body: both reported, one fix.
func CopyEach(db *sql.DB, names []string) {
	for _, name := range names {
		tx, err := db.Begin()
		if err != nil {
			continue
		}
		defer tx.Rollback() // want `one open transaction per iteration piles up`
		f, err := os.Open(name)
		if err == nil {
			defer f.Close() // want `one open file per iteration piles up`
		}
	}
}

func CopyEachFixable(db *sql.DB, names []string) {
	for _, name := range names {
		tx, err := db.Begin()
		if err == nil {
			defer tx.Rollback() // want `one open transaction per iteration piles up`
			f, err := os.Open(name)
			if err == nil {
				defer f.Close() // want `one open file per iteration piles up`
				tx.Commit()
			}
		}
	}
}
