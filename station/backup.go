package station

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"fieldsync/dbbackup"
	"fieldsync/records"
	"fieldsync/replica"
)

// A backup is one SQLite file: a consistent copy of the station's database
// taken while the station serves (dbbackup.Copy, VACUUM INTO), holding the
// station's settings too (BackupNote), so that a new PC needs nothing else
// to take the station over. It holds personal data and the station's sync
// token: a USB stick with backups is kept like the station PC.

// State keys in the station's database (replica.SetState).
const (
	backupState   = "station.backup"
	restoredState = "station.restored"
)

// BackupNote is what the station's database says of its last backup; a
// copy carries the one written just before it was taken.
type BackupNote struct {
	At time.Time `json:"at"`
	// Config is station.json at that time, so that a backup restores on a
	// PC that has no station directory yet.
	Config *Config `json:"config,omitempty"`
}

// StationTables are the tables every station database holds: a file without
// them is not a station backup.
var StationTables = []string{"fs_state", "fs_log", "fs_cursor", records.Workers, records.Stations}

// BackupFileName is the name a backup is offered under:
// fieldsync-<station>-<date>.db, the station's name made safe for a file
// name on Windows and Linux.
func BackupFileName(name string, t time.Time) string {
	safe := strings.Map(func(r rune) rune {
		if r < ' ' || strings.ContainsRune(`<>:"/\|?*`, r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	if safe == "" {
		safe = "station"
	}
	return "fieldsync-" + safe + "-" + t.Format("20060102-150405") + ".db"
}

// Backup writes a consistent copy of the station's database to out (a path
// that must not exist yet) while the station serves, and records it in the
// station's audit log under user.
func (s *Station) Backup(ctx context.Context, out, user string) error {
	at := s.base()
	if err := backupDB(ctx, s.r.DB(), s.cfg, out, at); err != nil {
		return err
	}
	s.audit(ctx, user, AuditBackup, filepath.Base(out))
	s.log.Info("station backed up", "file", filepath.Base(out))
	return nil
}

// backupDB notes the backup (and the settings) in the live database, then
// copies it: the copy carries the note.
func backupDB(ctx context.Context, db *sql.DB, cfg Config, out string, at time.Time) error {
	b, err := json.Marshal(BackupNote{At: at.UTC(), Config: &cfg})
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := setState(ctx, db, backupState, b); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := dbbackup.Copy(ctx, db, out); err != nil {
		return err
	}
	return nil
}

// BackupDir backs up the station in dir to out through a connection of its
// own: `station backup` while `station serve` runs.
func BackupDir(ctx context.Context, dir, out string, now time.Time) error {
	cfg, err := LoadConfig(dir)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, DBFile)
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=rw&_busy_timeout=10000")
	if err != nil {
		return fmt.Errorf("backup %s: %w", dir, err)
	}
	defer db.Close()
	if err := backupDB(ctx, db, cfg, out, now); err != nil {
		return err
	}
	audit(ctx, db, now, "cli", AuditBackup, filepath.Base(out))
	return nil
}

// LastBackup reads when the station was last backed up (nil: never).
func (s *Station) LastBackup(ctx context.Context) (*BackupNote, error) {
	var n BackupNote
	ok, err := readState(ctx, s.r.DB(), backupState, &n)
	if !ok || err != nil {
		return nil, err
	}
	n.Config = nil
	return &n, nil
}

// setState and readState are replica.SetState and State for a database
// opened without the replica (the replica's keys carry a "u:" prefix).
func setState(ctx context.Context, db *sql.DB, key string, value []byte) error {
	_, err := db.ExecContext(ctx, `INSERT INTO fs_state(key, value) VALUES(?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, "u:"+key, value)
	if err != nil {
		return fmt.Errorf("store %s: %w", key, err)
	}
	return nil
}

func readState(ctx context.Context, db *sql.DB, key string, v any) (bool, error) {
	var b []byte
	err := db.QueryRowContext(ctx, `SELECT value FROM fs_state WHERE key = ?`, "u:"+key).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && b == nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", key, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("read %s: %w", key, err)
	}
	return true, nil
}

// readSite reads a station database's site id without opening the replica.
func readSite(ctx context.Context, db *sql.DB) (replica.SiteID, error) {
	var site int64
	if err := db.QueryRowContext(ctx, `SELECT value FROM fs_state WHERE key = 'site'`).Scan(&site); err != nil {
		return 0, fmt.Errorf("read the site id: %w", err)
	}
	return replica.SiteID(site), nil
}

func jsonBytes(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return b, nil
}
