package station

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
	"fieldsync/privfile"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// Restoring a station from its own backup (DESIGN.md, "Edges"): the
// database goes back to the backup, and then takes a new site id. Its old
// site handed out, after the backup, sequence numbers the hub acknowledged
// and versions the hub holds: a station writing under that site again would
// send changes the hub skips as acknowledged. Under a new site the hub
// resumes its uploads from 0, and the station's cursor of the hub's log
// starts at 0 too, so the hub sends its whole scope back, the station's own
// values included (its relay skips only what the station's current site
// wrote): what the station did after the backup comes back from the hub.

// RestoreNote is what a restored station's database says of its restore.
type RestoreNote struct {
	At time.Time `json:"at"`
	// BackupAt is when the backup was taken (zero: not known, a backup by
	// an earlier release).
	BackupAt   time.Time `json:"backup_at,omitzero"`
	BackupFile string    `json:"backup_file"`
	// From is the site the station left (the one the hub enrolled), To the
	// one it took; hex.
	From string `json:"from_site"`
	To   string `json:"to_site"`
	// Unacked counts the changes in the backup, made under the backup's own
	// site, that the hub had not acknowledged when the backup was taken
	// (after AckedThrough in the station's log). Those the hub received
	// before the restore come back from it; the sync client sends the rest
	// again, under the new site, before its first session (Resent).
	Unacked      int    `json:"unacked"`
	AckedThrough uint64 `json:"acked_through"`
	BackupSite   string `json:"backup_site"`
	// Resent is what that re-send did (nil: not yet). Read from the sync
	// client's state, not stored in the note.
	Resent *syncclient.Resent `json:"resent,omitempty"`
}

// FromSite is the site the restored station left.
func (n *RestoreNote) FromSite() replica.SiteID { return parseSite(n.From) }

// BackupSiteID is the site the backup was written under.
func (n *RestoreNote) BackupSiteID() replica.SiteID { return parseSite(n.BackupSite) }

func parseSite(s string) replica.SiteID {
	var v uint64
	fmt.Sscanf(s, "%x", &v)
	return replica.SiteID(v)
}

// RestoreResult says what Restore did.
type RestoreResult struct {
	Note RestoreNote
	// Aside is where the database the restore replaced went ("" when the
	// directory had none).
	Aside string
	// Name is the station's name; Enrolled says it syncs with a hub.
	Name     string
	Enrolled bool
}

// ErrNotStationBackup is returned for a file that is not a station's database.
var ErrNotStationBackup = errors.New("not a station backup / 这不是服务站的备份文件")

// Restore puts the backup from in place of the station's database in dir,
// refusing while `station serve` runs there (LockDir). The database it
// replaces is moved aside (…before-restore-<time>, with its -wal and -shm).
// The restored database takes a new site id (RestoreNote). A directory
// without station.json (a new PC) takes the settings the backup carries.
func Restore(ctx context.Context, dir, from string, now time.Time) (RestoreResult, error) {
	var res RestoreResult
	if err := dbbackup.Check(ctx, from, StationTables...); err != nil {
		return res, fmt.Errorf("restore: %w (%w)", err, ErrNotStationBackup)
	}
	if err := dbmigrate.CheckFile(ctx, from, Ladder()); err != nil {
		return res, fmt.Errorf("restore from %s: %w", from, err)
	}
	if err := privfile.Mkdir(dir); err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	unlock, err := LockDir(dir)
	if err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	defer unlock()

	bk, err := readBackup(ctx, from)
	if err != nil {
		return res, err
	}
	path := filepath.Join(dir, DBFile)
	cfg, err := LoadConfig(dir)
	var leaving replica.SiteID
	switch {
	case errors.Is(err, ErrNoConfig):
		if bk.note.Config == nil {
			return res, fmt.Errorf("restore: %s has no station.json and the backup carries no settings "+
				"(taken by an earlier release): copy station.json from the old station directory into %s first "+
				"/ 备份中没有站点设置，请先把原站点目录的 station.json 复制到 %s", dir, dir, dir)
		}
		cfg = *bk.note.Config
		if leaving, err = cfg.SiteID(); err != nil {
			return res, err
		}
		leaving = bk.leaving(leaving)
	case err != nil:
		return res, err
	default:
		if c := bk.note.Config; c != nil && (c.Key != cfg.Key || c.Name != cfg.Name) {
			return res, fmt.Errorf("restore: the backup is of station %q, this directory holds station %q "+
				"/ 备份属于另一个服务站", c.Name, cfg.Name)
		}
		if leaving, err = cfg.SiteID(); err != nil {
			return res, err
		}
		if cur, err := readBackup(ctx, path); err == nil && cur.site == leaving {
			leaving = cur.leaving(leaving)
		}
	}
	to, err := replica.NewSiteID()
	if err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}

	// The copy is marked restored (a new site, cursors from 0) before it
	// takes the database's place: a failure on the way leaves the station
	// as it was, never a restored database with its old site.
	part := path + ".restore.part"
	if err := dbbackup.CopyFile(from, part); err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	defer os.Remove(part) // gone by then once it is in place
	note := RestoreNote{At: now.UTC(), BackupAt: bk.note.At, BackupFile: filepath.Base(from),
		From: leaving.String(), To: to.String(), BackupSite: bk.site.String()}
	if err := markRestored(ctx, part, cfg, to, &note); err != nil {
		return res, err
	}
	if res.Aside, err = dbbackup.MoveAside(path, now); err != nil {
		return res, fmt.Errorf("restore: move the current database aside: %w", err)
	}
	if err := os.Rename(part, path); err != nil {
		dbbackup.PutBack(res.Aside, path)
		return res, fmt.Errorf("restore: put the backup in place: %w", err)
	}
	if err := privfile.ChmodDB(path); err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	cfg.Site = to.String()
	if cfg.Enrollment != "" {
		e, err := syncproto.ParseEnrollment(cfg.Enrollment)
		if err != nil {
			return res, fmt.Errorf("restore: enrollment in station.json: %w", err)
		}
		// The code the hub issued names the enrolled site; the hub moves
		// the enrollment to the new site at the first session (the Hello
		// names the site left).
		e.Site = to
		cfg.Enrollment = e.String()
	}
	if err := SaveConfig(dir, cfg); err != nil {
		return res, err
	}
	res.Note, res.Name, res.Enrolled = note, cfg.Name, cfg.Enrollment != ""
	return res, nil
}

// backupFile is what Restore reads of a station database before using it.
type backupFile struct {
	site    replica.SiteID
	note    BackupNote
	restore *RestoreNote
	down    uint64 // its cursor of the hub's log
}

func readBackup(ctx context.Context, path string) (*backupFile, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	defer db.Close()
	var hubTables int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = 'hub_stations'`).Scan(&hubTables); err != nil {
		return nil, fmt.Errorf("restore from %s: %w", path, err)
	}
	if hubTables > 0 {
		return nil, fmt.Errorf("restore from %s: a county hub's database: %w", path, ErrNotStationBackup)
	}
	b := &backupFile{}
	if b.site, err = readSite(ctx, db); err != nil {
		return nil, fmt.Errorf("restore from %s: %w", path, err)
	}
	if _, err := readState(ctx, db, backupState, &b.note); err != nil {
		return nil, fmt.Errorf("restore from %s: %w", path, err)
	}
	var n RestoreNote
	if ok, err := readState(ctx, db, restoredState, &n); err != nil {
		return nil, fmt.Errorf("restore from %s: %w", path, err)
	} else if ok {
		b.restore = &n
	}
	var down sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT seq FROM fs_cursor WHERE name = ?`, syncclient.HubLogCursor).Scan(&down); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("restore from %s: %w", path, err)
	}
	b.down = uint64(down.Int64)
	return b, nil
}

// leaving is the site the hub enrolls a station whose database this is,
// under site: the site itself, unless the database was restored and has not
// reached the hub since, in which case the hub still enrolls the site that
// restore left.
func (b *backupFile) leaving(site replica.SiteID) replica.SiteID {
	if b.restore != nil && parseSite(b.restore.To) == site && b.down == 0 {
		return b.restore.FromSite()
	}
	return site
}

// markRestored gives the restored database its new site, resets the sync
// client's cursors (the hub's log from 0; the hub's acknowledgement of the
// new site, none yet), forgets how far the old site's log was trimmed and
// the hub's last refusal, and keeps the note.
func markRestored(ctx context.Context, path string, cfg Config, to replica.SiteID, note *RestoreNote) error {
	schema, err := records.NewSchema()
	if err != nil {
		return err
	}
	key, err := cfg.DeploymentKey()
	if err != nil {
		return err
	}
	r, err := replica.Open(ctx, path, replica.Options{Schema: schema, Key: key, Indexes: records.StationIndexes()})
	if err != nil {
		return fmt.Errorf("restore: open the restored database: %w", err)
	}
	defer r.Close()
	old := r.Site()
	if note.AckedThrough, err = r.Cursor(ctx, syncclient.AckedCursor); err != nil {
		return err
	}
	if note.Unacked, err = r.CountSince(ctx, note.AckedThrough, old); err != nil {
		return err
	}
	if _, err := r.MoveSite(ctx, to); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := syncclient.ForgetHub(ctx, r); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	b, err := jsonBytes(note)
	if err != nil {
		return err
	}
	if err := r.SetState(ctx, restoredState, b); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	detail := fmt.Sprintf("%s: site %s -> %s", note.BackupFile, note.From, note.To)
	if err := audit(ctx, r.DB(), note.At, "cli", AuditRestore, detail); err != nil {
		return fmt.Errorf("restore: audit: %w", err)
	}
	return nil
}

// Restored reads the note of the restore this station's database came
// from (nil: never restored).
func (s *Station) Restored(ctx context.Context) (*RestoreNote, error) {
	return RestoredNote(ctx, s.r)
}

// RestoredNote reads a station replica's restore note (nil: never restored).
func RestoredNote(ctx context.Context, r *replica.Replica) (*RestoreNote, error) {
	var n RestoreNote
	ok, err := readState(ctx, r.DB(), restoredState, &n)
	if !ok || err != nil {
		return nil, err
	}
	if n.Resent, err = syncclient.ReadResent(ctx, r); err != nil {
		return nil, err
	}
	return &n, nil
}
