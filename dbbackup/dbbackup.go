// Package dbbackup takes and checks online backups of a SQLite database:
// one consistent file written while others keep writing (VACUUM INTO), a
// check that a file is a sound database before it is put back, and a
// folder of dated backups trimmed to the newest few (DESIGN "Edges").
package dbbackup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // the driver Check opens files with

	"fieldsync/privfile"
)

// Copy writes a consistent copy of the open database db to out, which must
// not exist: first to out+".part", synced, then renamed, so that out is
// either absent or whole. The copy is readable by its owner only.
func Copy(ctx context.Context, db *sql.DB, out string) error {
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("backup to %s: %w", out, fs.ErrExist)
	}
	part := out + ".part"
	if err := os.Remove(part); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup to %s: %w", out, err)
	}
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, part); err != nil {
		os.Remove(part)
		return fmt.Errorf("backup to %s: %w", out, err)
	}
	if err := syncFile(part); err != nil {
		os.Remove(part)
		return fmt.Errorf("backup to %s: %w", out, err)
	}
	if err := privfile.Chmod(part); err != nil {
		os.Remove(part)
		return fmt.Errorf("backup to %s: %w", out, err)
	}
	if err := os.Rename(part, out); err != nil {
		os.Remove(part)
		return fmt.Errorf("backup to %s: %w", out, err)
	}
	return syncDir(filepath.Dir(out))
}

// CopyFile copies the file from to a new file to, readable by its owner
// only and synced, written whole or not at all (through to+".part"). A file
// at to is replaced.
func CopyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("copy %s: %w", from, err)
	}
	defer in.Close()
	part := to + ".part"
	out, err := os.OpenFile(part, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("copy %s: %w", from, err)
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = privfile.Chmod(part)
	}
	if err == nil {
		err = os.Rename(part, to)
	}
	if err != nil {
		os.Remove(part)
		return fmt.Errorf("copy %s to %s: %w", from, to, err)
	}
	return syncDir(filepath.Dir(to))
}

// SyncFile flushes the file at path to disk.
func SyncFile(path string) error { return syncFile(path) }

// dbFiles are a SQLite database's files, the database first: moved in this
// order, a -wal is never left behind to be applied to another database.
var dbFiles = []string{"", "-wal", "-shm"}

// MoveAside renames the SQLite database at path, with its -wal and -shm, to
// path.before-restore-<now>, and returns that name ("" when there was no
// database). It refuses to overwrite an earlier one, and undoes a partial
// move. A -wal or -shm left at path without a database (deleted by hand)
// is removed, so that it is never applied to the database put there next.
func MoveAside(path string, now time.Time) (string, error) {
	aside := path + ".before-restore-" + now.Format("20060102-150405")
	if _, err := os.Stat(path); err == nil {
		for _, sfx := range dbFiles {
			if _, err := os.Lstat(aside + sfx); err == nil {
				return "", fmt.Errorf("move %s aside: %s: %w", path, aside+sfx, fs.ErrExist)
			}
		}
		var moved []string
		for _, sfx := range dbFiles {
			err := os.Rename(path+sfx, aside+sfx)
			if err == nil {
				moved = append(moved, sfx)
				continue
			}
			if !errors.Is(err, fs.ErrNotExist) {
				for _, m := range slices.Backward(moved) {
					os.Rename(aside+m, path+m)
				}
				return "", fmt.Errorf("move %s aside: %w", path, err)
			}
		}
	} else if errors.Is(err, fs.ErrNotExist) {
		aside = ""
	} else {
		return "", fmt.Errorf("move %s aside: %w", path, err)
	}
	for _, sfx := range dbFiles[1:] {
		if err := os.Remove(path + sfx); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return aside, fmt.Errorf("move %s aside: %w", path, err)
		}
	}
	return aside, nil
}

// PutBack undoes MoveAside (aside "" does nothing).
func PutBack(aside, path string) {
	if aside == "" {
		return
	}
	for _, sfx := range slices.Backward(dbFiles) {
		os.Rename(aside+sfx, path+sfx)
	}
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Check opens the file at path read-only and runs SQLite's integrity check,
// then asks that it hold every table in want (the tables that make it the
// database it claims to be).
func Check(ctx context.Context, path string, want ...string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("check backup %s: %w", path, err)
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return fmt.Errorf("check backup %s: %w", path, err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check(1)`).Scan(&res); err != nil {
		return fmt.Errorf("check backup %s: not a readable database: %w", path, err)
	}
	if res != "ok" {
		return fmt.Errorf("check backup %s: damaged: %s", path, res)
	}
	for _, t := range want {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, t).Scan(&n); err != nil {
			return fmt.Errorf("check backup %s: %w", path, err)
		}
		if n == 0 {
			return fmt.Errorf("check backup %s: no table %s: not this kind of database", path, t)
		}
	}
	return nil
}

// Dated names the backup taken at t in dir: prefix-20261206-0530.db (local
// time of t's location), sortable by name.
func Dated(dir, prefix string, t time.Time) string {
	return filepath.Join(dir, prefix+"-"+t.Format("20060102-150405")+".db")
}

// Prune removes the oldest of the files Dated named with prefix in dir,
// keeping the newest keep. It returns the files removed.
func Prune(dir, prefix string, keep int) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("prune backups in %s: %w", dir, err)
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasPrefix(n, prefix+"-") && strings.HasSuffix(n, ".db") &&
			len(n) == len(prefix)+len("-20060102-150405.db") {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	var removed []string
	for len(names) > max(keep, 1) {
		p := filepath.Join(dir, names[0])
		if err := os.Remove(p); err != nil {
			return removed, fmt.Errorf("prune backups in %s: %w", dir, err)
		}
		removed = append(removed, p)
		names = names[1:]
	}
	return removed, nil
}
