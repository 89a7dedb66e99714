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
