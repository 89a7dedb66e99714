// Package sqlitesize measures the bytes an open SQLite database takes on
// disk: its main file and its write-ahead log, which the metrics of both
// programs report (a WAL that keeps growing means checkpoints do not run).
package sqlitesize

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Sizes are the bytes of a database's files; WAL is 0 when there is none.
type Sizes struct{ Main, WAL int64 }

// Of measures the files of db's main database (PRAGMA database_list).
func Of(ctx context.Context, db *sql.DB) (Sizes, error) {
	rows, err := db.QueryContext(ctx, `PRAGMA database_list`)
	if err != nil {
		return Sizes{}, fmt.Errorf("database size: %w", err)
	}
	defer rows.Close()
	path := ""
	for rows.Next() {
		var seq int
		var name, file string
		if err := rows.Scan(&seq, &name, &file); err != nil {
			return Sizes{}, fmt.Errorf("database size: %w", err)
		}
		if name == "main" {
			path = file
		}
	}
	if err := rows.Err(); err != nil {
		return Sizes{}, fmt.Errorf("database size: %w", err)
	}
	if path == "" {
		return Sizes{}, errors.New("database size: an in-memory database has no file")
	}
	var s Sizes
	fi, err := os.Stat(path)
	if err != nil {
		return Sizes{}, fmt.Errorf("database size: %w", err)
	}
	s.Main = fi.Size()
	if fi, err := os.Stat(path + "-wal"); err == nil {
		s.WAL = fi.Size()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Sizes{}, fmt.Errorf("database size: %w", err)
	}
	return s, nil
}
