package station

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fieldsync/dbbackup"
	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// enrolledDir makes an enrolled station directory (no hub needed) and
// returns it with its configuration.
func enrolledDir(t *testing.T, name string) (string, Config) {
	t.Helper()
	key, err := ident.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	site, err := replica.NewSiteID()
	if err != nil {
		t.Fatal(err)
	}
	e := syncproto.Enrollment{HubURL: "http://127.0.0.1:1", StationID: name, Site: site, Token: "secret", Key: key}
	dir := filepath.Join(t.TempDir(), "st")
	cfg, err := InitEnrolled(t.Context(), dir, e.String())
	if err != nil {
		t.Fatal(err)
	}
	return dir, cfg
}

// register writes n workers into the station in dir, one transaction each,
// and returns the last sequence of its log.
func register(t *testing.T, dir string, cfg Config, from, n int) uint64 {
	t.Helper()
	r, err := OpenReplica(t.Context(), dir, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	key, _ := cfg.DeploymentKey()
	for i := from; i < from+n; i++ {
		first := fmt.Sprintf("15042119900101%03d", i)
		idn := first + string(ident.CheckDigit(first))
		if _, err := r.Write(t.Context(), replica.Edit{Table: records.Workers, Row: key.Derive(records.Workers, idn),
			Set: []replica.ColumnValue{{Column: "id_number", Value: idn}, {Column: "name", Value: fmt.Sprintf("人员%d", i)}}}); err != nil {
			t.Fatal(err)
		}
	}
	seq, err := r.MaxSeq(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func setCursor(t *testing.T, dir string, cfg Config, name string, seq uint64) {
	t.Helper()
	r, err := OpenReplica(t.Context(), dir, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.SetCursor(t.Context(), name, seq); err != nil {
		t.Fatal(err)
	}
}

func backupOf(t *testing.T, dir string, at time.Time) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bk.db")
	if err := BackupDir(t.Context(), dir, out, at); err != nil {
		t.Fatal(err)
	}
	return out
}

// Restore marks the restored database: a new site (station.json, the
// database and the enrollment code agree), the sync cursors from 0, the
// note (the site left, the backup's date, the changes the hub had not
// acknowledged); the database it replaced is kept aside.
func TestRestoreTakesNewSite(t *testing.T) {
	ctx := t.Context()
	dir, cfg := enrolledDir(t, "白音嘎查")
	old, _ := cfg.SiteID()
	register(t, dir, cfg, 0, 3)
	setCursor(t, dir, cfg, syncclient.AckedCursor, 2) // the hub acknowledged the first two
	setCursor(t, dir, cfg, syncclient.HubLogCursor, 40)
	taken := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	bk := backupOf(t, dir, taken)
	register(t, dir, cfg, 3, 2) // after the backup

	now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	res, err := Restore(ctx, dir, bk, now)
	if err != nil {
		t.Fatal(err)
	}
	n := res.Note
	if n.From != old.String() || n.To == old.String() || !n.BackupAt.Equal(taken) || n.Unacked != 1 || n.AckedThrough != 2 {
		t.Fatalf("note %+v", n)
	}
	got, err := LoadConfig(dir)
	if err != nil || got.Site != n.To {
		t.Fatalf("station.json site %s (%v), want %s", got.Site, err, n.To)
	}
	e, err := syncproto.ParseEnrollment(got.Enrollment)
	if err != nil || e.Site.String() != n.To || e.Token != "secret" {
		t.Fatalf("enrollment %+v %v", e, err)
	}
	r, err := OpenReplica(ctx, dir, got, nil)
	if err != nil {
		t.Fatalf("open the restored station: %v", err)
	}
	defer r.Close()
	for _, c := range []string{syncclient.AckedCursor, syncclient.HubLogCursor} {
		if seq, err := r.Cursor(ctx, c); err != nil || seq != 0 {
			t.Errorf("cursor %s at %d (%v), want 0", c, seq, err)
		}
	}
	if rows := countRows(t, r.DB(), records.Workers); rows != 3 {
		t.Fatalf("%d workers restored, want the backup's 3", rows)
	}
	if note, err := RestoredNote(ctx, r); err != nil || note == nil || note.To != n.To {
		t.Fatalf("stored note %+v %v", note, err)
	}
	// The database it replaced, aside, whole.
	if res.Aside == "" || !strings.Contains(res.Aside, "before-restore-20261203-080000") {
		t.Fatalf("aside %q", res.Aside)
	}
	db, err := sql.Open("sqlite3", "file:"+res.Aside+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if rows := countRows(t, db, records.Workers); rows != 5 {
		t.Fatalf("the database set aside holds %d workers, want 5", rows)
	}
	if s, err := readSite(ctx, db); err != nil || s != old {
		t.Fatalf("the database set aside has site %s (%v)", s, err)
	}
}

func countRows(t *testing.T, db *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM ` + table + ` WHERE fs_deleted = 0`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Restored twice before the hub saw the first restore, the station still
// leaves the site the hub enrolls; once it synced, the site it took.
func TestRestoreTwiceLeavesTheEnrolledSite(t *testing.T) {
	ctx := t.Context()
	dir, cfg := enrolledDir(t, "白音嘎查")
	enrolled, _ := cfg.SiteID()
	register(t, dir, cfg, 0, 1)
	bk := backupOf(t, dir, time.Now())
	first, err := Restore(ctx, dir, bk, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	second, err := Restore(ctx, dir, bk, time.Now().Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if second.Note.From != enrolled.String() || second.Note.To == first.Note.To {
		t.Fatalf("second restore before a sync: %+v (first %+v)", second.Note, first.Note)
	}
	cfg, _ = LoadConfig(dir)
	setCursor(t, dir, cfg, syncclient.HubLogCursor, 7) // the hub welcomed the new site
	third, err := Restore(ctx, dir, bk, time.Now().Add(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if third.Note.From != second.Note.To {
		t.Fatalf("restore after a sync leaves %s, want %s", third.Note.From, second.Note.To)
	}
}

// A new PC: a directory with nothing in it takes the station's settings
// from the backup.
func TestRestoreOnNewPC(t *testing.T) {
	ctx := t.Context()
	dir, cfg := enrolledDir(t, "白音嘎查")
	register(t, dir, cfg, 0, 2)
	bk := backupOf(t, dir, time.Now())
	newDir := filepath.Join(t.TempDir(), "new-pc")
	res, err := Restore(ctx, newDir, bk, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadConfig(newDir)
	if err != nil || got.Name != cfg.Name || got.Key != cfg.Key || got.Site != res.Note.To || res.Aside != "" {
		t.Fatalf("new PC config %+v %v, result %+v", got, err, res)
	}
	r, err := OpenReplica(ctx, newDir, got, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n := countRows(t, r.DB(), records.Workers); n != 2 {
		t.Fatalf("%d workers", n)
	}
}

// Restore refuses, and changes nothing, while the station serves, for a
// file that is not a station database, for a hub's database, and for
// another station's backup.
func TestRestoreRefuses(t *testing.T) {
	ctx := t.Context()
	dir, cfg := enrolledDir(t, "白音嘎查")
	register(t, dir, cfg, 0, 1)
	bk := backupOf(t, dir, time.Now())
	otherDir, otherCfg := enrolledDir(t, "红旗嘎查")
	register(t, otherDir, otherCfg, 0, 1)
	other := backupOf(t, otherDir, time.Now())
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not a database ", 100)), 0o600)
	hubLike := filepath.Join(t.TempDir(), "hub.db")
	if err := dbbackup.CopyFile(bk, hubLike); err != nil {
		t.Fatal(err)
	}
	db, _ := sql.Open("sqlite3", "file:"+hubLike)
	if _, err := db.Exec(`CREATE TABLE hub_stations (name TEXT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	unlock, err := LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(ctx, dir, bk, time.Now()); !errors.Is(err, ErrServing) {
		t.Fatalf("restore while serving: %v", err)
	}
	if _, err := LockDir(dir); !errors.Is(err, ErrServing) {
		t.Fatalf("a second lock: %v", err)
	}
	unlock()
	for name, from := range map[string]string{"junk": junk, "a hub's database": hubLike, "another station's backup": other,
		"a missing file": filepath.Join(t.TempDir(), "none.db")} {
		if _, err := Restore(ctx, dir, from, time.Now()); err == nil {
			t.Errorf("%s restored", name)
		}
	}
	got, err := LoadConfig(dir)
	if err != nil || got.Site != cfg.Site {
		t.Fatalf("a refused restore changed station.json: %+v %v", got, err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*before-restore*")); len(m) != 0 {
		t.Fatalf("a refused restore moved the database: %v", m)
	}
	r, err := OpenReplica(ctx, dir, got, nil)
	if err != nil {
		t.Fatalf("the station after refused restores: %v", err)
	}
	r.Close()
}

func TestBackupFileName(t *testing.T) {
	at := time.Date(2026, 12, 6, 9, 5, 0, 0, time.UTC)
	for name, want := range map[string]string{
		"乌兰嘎查服务站":   "fieldsync-乌兰嘎查服务站-20261206-090500.db",
		" 站/A:B ":   "fieldsync-站_A_B-20261206-090500.db",
		`a\b*?"<>|`: "fieldsync-a_b______-20261206-090500.db",
		"":          "fieldsync-station-20261206-090500.db",
	} {
		if got := BackupFileName(name, at); got != want {
			t.Errorf("%q: %s, want %s", name, got, want)
		}
	}
}
