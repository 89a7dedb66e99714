package hub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"

	sqlite3 "github.com/mattn/go-sqlite3"

	"fieldsync/privfile"
)

// serveLockFile is the file in a hub's directory that a serving hub holds
// locked: SQLite's own file lock (fcntl, LockFileEx), so that it works on
// every system the hub runs on and ends with the process, however it ends.
const serveLockFile = "serve.lock"

// ErrServing is returned by LockServe, and so by Restore, while a hub
// serves the directory.
var ErrServing = errors.New("a hub is serving this directory (hub serve): stop it first")

// LockServe takes the lock that `hub serve` holds on dir for as long as it
// serves, and that `hub restore` takes to be sure nothing serves the
// database it replaces. It returns ErrServing when another holds it;
// release gives it back.
func LockServe(ctx context.Context, dir string) (release func() error, err error) {
	path := filepath.Join(dir, serveLockFile)
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=0")
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	db.SetMaxOpenConns(1)
	// Opening a connection reads the file already: it fails as BEGIN
	// does while another holds the lock.
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, lockError(dir, err)
	}
	if _, err := conn.ExecContext(ctx, `BEGIN EXCLUSIVE`); err != nil {
		conn.Close()
		db.Close()
		return nil, lockError(dir, err)
	}
	if err := privfile.Chmod(path); err != nil {
		conn.Close()
		db.Close()
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return func() error {
		conn.ExecContext(context.Background(), `ROLLBACK`)
		conn.Close()
		return db.Close()
	}, nil
}

// lockError is ErrServing for a lock another holds.
func lockError(dir string, err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked) {
		return fmt.Errorf("%s: %w", dir, ErrServing)
	}
	return fmt.Errorf("lock %s: %w", dir, err)
}
