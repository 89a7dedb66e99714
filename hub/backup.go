package hub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"fieldsync/dbbackup"
	"fieldsync/dbmigrate"
	"fieldsync/replica"
)

// Backups of the hub's database (DESIGN "Edges"): taken online, by `hub
// backup` from another process or by `hub serve` itself on a schedule, and
// put back by Restore, which starts a new incarnation.

// BackupTables are tables every hub database holds: a file without them is
// not a hub's backup.
var BackupTables = []string{"fs_log", "fs_state", "fs_cursor", "hub_stations", "workers"}

// backupPrefix names the dated backups `hub serve` keeps.
const backupPrefix = "hub"

// Backup writes a consistent copy of the database of the hub in dir to out
// (which must not exist; a directory gets a dated file in it) while the hub
// may be serving: it opens the database file as another reader does,
// without the hub's start-up work or its serve lock. It returns the file
// written.
func Backup(ctx context.Context, dir, out string) (string, error) {
	if _, err := readConfig(dir); err != nil {
		return "", err
	}
	path := filepath.Join(dir, dbFile)
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("back up hub %s: %w", dir, err)
	}
	if fi, err := os.Stat(out); err == nil && fi.IsDir() {
		out = dbbackup.Dated(out, backupPrefix, time.Now())
	}
	// mode=rw: never make an empty database where none is.
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=rw&_busy_timeout=10000")
	if err != nil {
		return "", fmt.Errorf("back up hub %s: %w", dir, err)
	}
	defer db.Close()
	if err := dbbackup.Copy(ctx, db, out); err != nil {
		return "", err
	}
	return out, nil
}

// BackupTo writes a consistent copy of the open hub's database to out,
// which must not exist.
func (h *Hub) BackupTo(ctx context.Context, out string) error {
	return dbbackup.Copy(ctx, h.rep.DB(), out)
}

// RestoreResult says what Restore did.
type RestoreResult struct {
	// Aside is where the database it replaced now is ("" if there was
	// none); its -wal and -shm files, if any, went with it.
	Aside string
	// Incarnation is the new life the restored database starts.
	Incarnation Incarnation
}

// Restore puts the backup file from back as the database of the hub in dir,
// which must not be serving (ErrServing): it checks the file, gives the
// copy a new incarnation, moves the current database aside
// (hub.db.before-restore-TIME, its -wal and -shm with it) and puts the copy
// in its place. now names the database set aside and dates the incarnation.
func Restore(ctx context.Context, dir, from string, now time.Time) (RestoreResult, error) {
	var res RestoreResult
	cfg, err := readConfig(dir)
	if err != nil {
		return res, err
	}
	release, err := LockServe(ctx, dir)
	if err != nil {
		return res, fmt.Errorf("restore hub: %w", err)
	}
	defer release()
	if err := dbbackup.Check(ctx, from, BackupTables...); err != nil {
		return res, fmt.Errorf("restore hub: %w", err)
	}
	if err := dbmigrate.CheckFile(ctx, from, Ladder()); err != nil {
		return res, fmt.Errorf("restore hub from %s: %w", from, err)
	}
	path := filepath.Join(dir, dbFile)
	part := path + ".restore.part"
	if err := dbbackup.CopyFile(from, part); err != nil {
		return res, fmt.Errorf("restore hub: %w", err)
	}
	defer os.Remove(part) // gone by then once it is in place
	inc, err := newLife(ctx, part, cfg.site, now, filepath.Base(from))
	if err != nil {
		return res, fmt.Errorf("restore hub: %w", err)
	}
	if err := dbbackup.Check(ctx, part, BackupTables...); err != nil {
		return res, fmt.Errorf("restore hub: %w", err)
	}
	aside, err := dbbackup.MoveAside(path, now)
	if err != nil {
		return res, fmt.Errorf("restore hub: move the current database aside: %w", err)
	}
	res.Aside = aside
	if err := os.Rename(part, path); err != nil {
		dbbackup.PutBack(aside, path) // the database as it was
		return res, fmt.Errorf("restore hub: put the backup in place: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	res.Incarnation = inc
	return res, nil
}

// newLife checks that the database file at path (a copy not yet in place)
// is of the hub whose site is site, and records a new incarnation in it,
// leaving it in rollback-journal mode with nothing beside it.
func newLife(ctx context.Context, path string, site replica.SiteID, now time.Time, from string) (Incarnation, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=rw&_busy_timeout=10000")
	if err != nil {
		return Incarnation{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `PRAGMA journal_mode=DELETE`); err != nil {
		return Incarnation{}, fmt.Errorf("open the copy: %w", err)
	}
	var got int64
	if err := db.QueryRowContext(ctx, `SELECT value FROM fs_state WHERE key = 'site'`).Scan(&got); err != nil {
		return Incarnation{}, fmt.Errorf("read the backup's site: %w", err)
	}
	if replica.SiteID(got) != site {
		return Incarnation{}, fmt.Errorf("the backup is of another hub (site %s, this hub's is %s): %w",
			replica.SiteID(got), site, replica.ErrSiteMismatch)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return Incarnation{}, err
	}
	defer tx.Rollback()
	inc, err := startIncarnation(ctx, tx, now, from)
	if err != nil {
		return Incarnation{}, err
	}
	if err := tx.Commit(); err != nil {
		return Incarnation{}, fmt.Errorf("record the incarnation: %w", err)
	}
	if err := db.Close(); err != nil {
		return Incarnation{}, err
	}
	return inc, dbbackup.SyncFile(path)
}

// BackupSchedule is how a serving hub keeps dated backups by itself.
type BackupSchedule struct {
	Dir   string        // where the backups go (made if missing)
	Every time.Duration // how often (at least a second)
	Keep  int           // how many of the newest to keep (at least 1)
}

// StartBackups takes a dated backup into s.Dir every s.Every, keeping the
// newest s.Keep, until ctx ends or the hub closes (Close waits for a backup
// in progress to stop). The first is due s.Every after the newest backup
// already in s.Dir (at once if none), so a hub restarted often still backs
// up on time. A backup never overlaps the previous one; one that fails is
// logged and tried again the next period.
func (h *Hub) StartBackups(ctx context.Context, s BackupSchedule) error {
	switch {
	case s.Dir == "":
		return errors.New("backups: no directory")
	case s.Every < time.Second:
		return fmt.Errorf("backups: every %s: at least 1s", s.Every)
	case s.Keep < 1:
		return fmt.Errorf("backups: keep %d: at least 1", s.Keep)
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("backups: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	detach, ok := h.Attach(cancel)
	if !ok {
		cancel()
		return ErrClosed
	}
	go func() {
		defer detach()
		defer cancel()
		h.runBackups(ctx, s)
	}()
	return nil
}

func (h *Hub) runBackups(ctx context.Context, s BackupSchedule) {
	log := h.log.With("backup_dir", s.Dir)
	next := h.now()
	if last, ok := newestBackup(s.Dir); ok {
		next = last.Add(s.Every)
	}
	for {
		t := time.NewTimer(max(next.Sub(h.now()), 0))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		start := h.now()
		next = start.Add(s.Every)
		out := dbbackup.Dated(s.Dir, backupPrefix, start.In(h.zone))
		if err := h.BackupTo(ctx, out); err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Error("backup failed; trying again next period", "err", err, "next", next)
			continue
		}
		var size int64
		if fi, err := os.Stat(out); err == nil {
			size = fi.Size()
		}
		log.Info("backup taken", "file", out, "bytes", size, "took", h.now().Sub(start).Round(time.Millisecond))
		removed, err := dbbackup.Prune(s.Dir, backupPrefix, s.Keep)
		if err != nil {
			log.Error("prune backups", "err", err)
		}
		for _, f := range removed {
			log.Info("old backup removed", "file", f)
		}
	}
}

// newestBackup is when the newest dated backup in dir was written.
func newestBackup(dir string) (time.Time, bool) {
	matches, _ := filepath.Glob(filepath.Join(dir, backupPrefix+"-*.db"))
	var newest time.Time
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil && fi.Mode().IsRegular() && fi.ModTime().After(newest) {
			newest = fi.ModTime()
		}
	}
	return newest, !newest.IsZero()
}
