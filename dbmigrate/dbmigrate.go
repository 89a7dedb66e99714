// Package dbmigrate brings a SQLite database file's layout up to date with
// a ladder: numbered steps applied in order, each in its own transaction,
// the number applied kept in the file's PRAGMA user_version. A file whose
// user_version is beyond the ladder was written by a newer release and is
// refused before anything touches it.
//
// One ladder per kind of file, declared by the application that owns the
// file (the hub for hub.db, the station for station.db), so one
// user_version counts every step the file has had. The replication
// engine's own tables (fs_state, fs_log, fs_cursor) are steps the engine
// exports (replica.Layout1, ...); each application puts them in its ladder
// beside its own steps (the hub's tables, ...). A ladder only ever grows at
// its end: when the engine adds a step, each application appends it after
// its own, never inserts it, so a step's number never changes. Step 1 of
// every ladder is the layout of release 0.5.0, written before ladders
// existed (user_version 0 with the tables already there): its statements
// are idempotent (CREATE ... IF NOT EXISTS).
//
// What the ladder does not hold: the replicated tables, which follow the
// schema declaration (records) on every open, columns added by a later
// schema version included (replica.Open), and optional indexes.
package dbmigrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Step is one rung of a ladder.
type Step struct {
	// Name says what the step does, for errors and logs.
	Name string
	// Apply changes the layout inside tx; an error rolls the whole step
	// back, user_version included.
	Apply func(ctx context.Context, tx *sql.Tx) error
}

// Statements is a step that runs SQL statements in order.
func Statements(name string, stmts ...string) Step {
	return Step{Name: name, Apply: func(ctx context.Context, tx *sql.Tx) error {
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		return nil
	}}
}

// ErrNewer is wrapped by the error for a database a newer release wrote.
var ErrNewer = errors.New("database written by a newer release")

// NewerError is the error for a database whose user_version is beyond the
// ladder: this release does not know its layout and must not touch it.
type NewerError struct {
	Version int // the database's user_version
	Known   int // the steps this release knows
}

func (e *NewerError) Error() string {
	return fmt.Sprintf("数据库由更新版本的软件写入（结构版本 %d，本软件只认识到 %d）：请安装新版本 / "+
		"database written by a newer release (layout version %d, this release knows up to %d): install the newer release",
		e.Version, e.Known, e.Version, e.Known)
}

// Is makes errors.Is(err, ErrNewer) hold.
func (e *NewerError) Is(target error) bool { return target == ErrNewer }

// Version reads the database's user_version: the steps it has had.
func Version(ctx context.Context, db *sql.DB) (int, error) {
	var v int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read layout version: %w", err)
	}
	return v, nil
}

// CheckFile refuses, with a *NewerError, the database file at path (a
// backup about to be restored, say) if a newer release wrote it: this
// release must not write into it. It opens the file read-only.
func CheckFile(ctx context.Context, path string, ladder []Step) error {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return fmt.Errorf("check layout of %s: %w", path, err)
	}
	defer db.Close()
	v, err := Version(ctx, db)
	if err != nil {
		return fmt.Errorf("check layout of %s: %w", path, err)
	}
	if v > len(ladder) {
		return &NewerError{Version: v, Known: len(ladder)}
	}
	return nil
}

// Apply runs the steps the database has not had, in order, each in a
// transaction that also sets user_version to its number, and returns how
// many it ran. A database beyond the ladder is refused with a *NewerError
// before any step runs. A failing step leaves the database as the steps
// before it left it.
func Apply(ctx context.Context, db *sql.DB, ladder []Step) (int, error) {
	v, err := Version(ctx, db)
	if err != nil {
		return 0, err
	}
	if v > len(ladder) {
		return 0, &NewerError{Version: v, Known: len(ladder)}
	}
	ran := 0
	for i := v; i < len(ladder); i++ {
		done, err := applyStep(ctx, db, ladder, i)
		if err != nil {
			return ran, err
		}
		if done {
			ran++
		}
	}
	return ran, nil
}

// applyStep runs step i unless another connection ran it first.
func applyStep(ctx context.Context, db *sql.DB, ladder []Step, i int) (bool, error) {
	step := ladder[i]
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("layout step %d (%s): %w", i+1, step.Name, err)
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return false, fmt.Errorf("layout step %d (%s): read layout version: %w", i+1, step.Name, err)
	}
	switch {
	case v > len(ladder):
		return false, &NewerError{Version: v, Known: len(ladder)}
	case v > i:
		return false, nil // another process ran it
	}
	if err := step.Apply(ctx, tx); err != nil {
		return false, fmt.Errorf("layout step %d (%s): %w", i+1, step.Name, err)
	}
	// PRAGMA takes no parameters; i+1 is an int.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, i+1)); err != nil {
		return false, fmt.Errorf("layout step %d (%s): set layout version: %w", i+1, step.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("layout step %d (%s): commit: %w", i+1, step.Name, err)
	}
	return true, nil
}
