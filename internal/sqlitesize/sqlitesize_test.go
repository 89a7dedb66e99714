package sqlitesize

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

func TestOf(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "x.db")+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE t(v TEXT); INSERT INTO t VALUES (zeroblob(100000))`); err != nil {
		t.Fatal(err)
	}
	s, err := Of(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if s.Main <= 0 && s.WAL < 100000 {
		t.Errorf("sizes %+v: the 100 kB row is in neither file", s)
	}
	if s.WAL < 100000 {
		t.Errorf("WAL %d bytes: the row written in WAL mode is not counted", s.WAL)
	}
	mem, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	if _, err := Of(ctx, mem); err == nil {
		t.Error("an in-memory database measured without an error")
	}
}
