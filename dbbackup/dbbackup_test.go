package dbbackup_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"fieldsync/dbbackup"
)

// A copy taken while another connection writes is whole: it passes the
// check, and holds a prefix of the writes, each transaction whole.
func TestCopyWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "live.db")+"?_journal_mode=WAL&_busy_timeout=10000&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE pairs (n INTEGER, half INTEGER)`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			tx, err := db.Begin()
			if err != nil {
				t.Error(err)
				return
			}
			tx.Exec(`INSERT INTO pairs VALUES (?, 0)`, i)
			tx.Exec(`INSERT INTO pairs VALUES (?, 1)`, i)
			if err := tx.Commit(); err != nil {
				t.Error(err)
				return
			}
		}
	})
	time.Sleep(20 * time.Millisecond)
	out := filepath.Join(dir, "copy.db")
	err = dbbackup.Copy(ctx, db, out)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if err := dbbackup.Check(ctx, out, "pairs"); err != nil {
		t.Fatal(err)
	}
	if err := dbbackup.Check(ctx, out, "pairs", "missing"); err == nil {
		t.Fatal("a copy without the wanted table passed")
	}
	c, _ := sql.Open("sqlite3", "file:"+out+"?mode=ro")
	defer c.Close()
	var odd int
	if err := c.QueryRow(`SELECT count(*) FROM (SELECT n FROM pairs GROUP BY n HAVING count(*) != 2)`).Scan(&odd); err != nil || odd != 0 {
		t.Fatalf("%d transactions split in the copy (%v)", odd, err)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Fatalf("copy mode %v, %v: want owner only", fi.Mode(), err)
	}
	if err := dbbackup.Copy(ctx, db, out); err == nil {
		t.Fatal("a copy over an existing file was taken")
	}
	if _, err := os.Stat(out + ".part"); !os.IsNotExist(err) {
		t.Fatalf("partial copy left: %v", err)
	}
}

func TestCheckRefusesDamage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("this is not a database, just some text that is long enough"), 0o600)
	if err := dbbackup.Check(ctx, junk); err == nil {
		t.Fatal("junk passed")
	}
	if err := dbbackup.Check(ctx, filepath.Join(dir, "none.db")); err == nil {
		t.Fatal("a missing file passed")
	}
}

func TestPruneKeepsNewest(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	var all []string
	for i := range 5 {
		p := dbbackup.Dated(dir, "hub", t0.Add(time.Duration(i)*24*time.Hour))
		os.WriteFile(p, nil, 0o600)
		all = append(all, p)
	}
	other := filepath.Join(dir, "notes.txt")
	os.WriteFile(other, nil, 0o600)
	removed, err := dbbackup.Prune(dir, "hub", 2)
	if err != nil || len(removed) != 3 || removed[0] != all[0] || removed[2] != all[2] {
		t.Fatalf("removed %v, %v", removed, err)
	}
	for _, p := range append(all[3:], other) {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s removed", p)
		}
	}
}

// MoveAside takes the database with its -wal and -shm, refuses to
// overwrite an earlier one, and removes a -wal left without a database;
// PutBack undoes it.
func TestMoveAsideAndBack(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	now := time.Date(2026, 12, 6, 5, 0, 0, 0, time.UTC)
	for _, sfx := range []string{"", "-wal", "-shm"} {
		os.WriteFile(db+sfx, []byte("content"+sfx), 0o600)
	}
	aside, err := dbbackup.MoveAside(db, now)
	if err != nil || aside == "" {
		t.Fatalf("MoveAside = %q, %v", aside, err)
	}
	for _, sfx := range []string{"", "-wal", "-shm"} {
		if b, err := os.ReadFile(aside + sfx); err != nil || string(b) != "content"+sfx {
			t.Fatalf("aside%s: %q, %v", sfx, b, err)
		}
		if _, err := os.Stat(db + sfx); !os.IsNotExist(err) {
			t.Fatalf("%s%s still there", db, sfx)
		}
	}
	os.WriteFile(db, nil, 0o600)
	if _, err := dbbackup.MoveAside(db, now); err == nil {
		t.Fatal("an earlier database set aside at the same time was overwritten")
	}
	os.Remove(db)
	dbbackup.PutBack(aside, db)
	if b, _ := os.ReadFile(db + "-wal"); string(b) != "content-wal" {
		t.Fatalf("PutBack: -wal %q", b)
	}
	os.Remove(db)
	if got, err := dbbackup.MoveAside(db, now.Add(time.Hour)); err != nil || got != "" {
		t.Fatalf("no database: %q, %v", got, err)
	}
	if _, err := os.Stat(db + "-wal"); !os.IsNotExist(err) {
		t.Fatal("a -wal without its database was left to be applied to the next")
	}
}

func TestCopyFileWhole(t *testing.T) {
	dir := t.TempDir()
	from, to := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.WriteFile(from, []byte("backup"), 0o644)
	os.WriteFile(to, []byte("old"), 0o644)
	if err := dbbackup.CopyFile(from, to); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(to); string(b) != "backup" {
		t.Fatalf("copied %q", b)
	}
	if fi, _ := os.Stat(to); fi.Mode().Perm()&0o077 != 0 {
		t.Fatalf("copy mode %v", fi.Mode())
	}
	if err := dbbackup.CopyFile(filepath.Join(dir, "none"), to); err == nil {
		t.Fatal("copied a missing file")
	}
	if b, _ := os.ReadFile(to); string(b) != "backup" {
		t.Fatalf("a failed copy changed the target: %q", b)
	}
}
