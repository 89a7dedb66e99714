package dbmigrate_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"fieldsync/dbmigrate"
)

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "x.db")+"?_journal_mode=WAL&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func tables(t *testing.T, db *sql.DB) string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	return strings.Join(names, ",")
}

func version(t *testing.T, db *sql.DB) int {
	t.Helper()
	v, err := dbmigrate.Version(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestLadderAppliesOnce: each step runs once, in order; opening again runs
// nothing; a step appended later runs alone.
func TestLadderAppliesOnce(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	runs := map[string]int{}
	step := func(name string, stmts ...string) dbmigrate.Step {
		s := dbmigrate.Statements(name, stmts...)
		apply := s.Apply
		s.Apply = func(ctx context.Context, tx *sql.Tx) error { runs[name]++; return apply(ctx, tx) }
		return s
	}
	ladder := []dbmigrate.Step{
		step("a", `CREATE TABLE a (x)`),
		step("b", `CREATE TABLE b (y)`, `INSERT INTO b VALUES (1)`),
	}
	for i := range 2 {
		n, err := dbmigrate.Apply(ctx, db, ladder)
		if err != nil {
			t.Fatal(err)
		}
		if want := []int{2, 0}[i]; n != want {
			t.Fatalf("open %d ran %d steps, want %d", i+1, n, want)
		}
	}
	if runs["a"] != 1 || runs["b"] != 1 || version(t, db) != 2 || tables(t, db) != "a,b" {
		t.Fatalf("runs %v, version %d, tables %s", runs, version(t, db), tables(t, db))
	}
	ladder = append(ladder, step("c", `ALTER TABLE b ADD COLUMN z`))
	if n, err := dbmigrate.Apply(ctx, db, ladder); err != nil || n != 1 {
		t.Fatalf("the appended step: %d %v", n, err)
	}
	if runs["a"] != 1 || runs["b"] != 1 || runs["c"] != 1 || version(t, db) != 3 {
		t.Fatalf("runs %v, version %d", runs, version(t, db))
	}
}

// TestFailingStepChangesNothing: a step that fails half way leaves the
// tables and user_version as the steps before it left them, and the
// ladder runs it again once it is fixed.
func TestFailingStepChangesNothing(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	good := dbmigrate.Statements("a", `CREATE TABLE a (x)`, `INSERT INTO a VALUES (1)`)
	bad := dbmigrate.Statements("b", `CREATE TABLE b (y)`, `INSERT INTO a VALUES (2)`, `INSERT INTO nowhere VALUES (3)`)
	n, err := dbmigrate.Apply(ctx, db, []dbmigrate.Step{good, bad})
	if err == nil || n != 1 || !strings.Contains(err.Error(), "layout step 2 (b)") {
		t.Fatalf("a failing step: ran %d, %v", n, err)
	}
	var rows int
	if err := db.QueryRow(`SELECT count(*) FROM a`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if version(t, db) != 1 || tables(t, db) != "a" || rows != 1 {
		t.Fatalf("after the failed step: version %d, tables %s, %d rows in a", version(t, db), tables(t, db), rows)
	}
	fixed := dbmigrate.Statements("b", `CREATE TABLE b (y)`)
	if n, err := dbmigrate.Apply(ctx, db, []dbmigrate.Step{good, fixed}); err != nil || n != 1 {
		t.Fatalf("the fixed step: %d %v", n, err)
	}
	if version(t, db) != 2 || tables(t, db) != "a,b" {
		t.Fatalf("after the fixed step: version %d, tables %s", version(t, db), tables(t, db))
	}
}

// TestNewerRefused: a database with more steps than the ladder was
// written by a newer release: refused, in Chinese first, and untouched.
func TestNewerRefused(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, err := db.Exec(`CREATE TABLE a (x); PRAGMA user_version = 3`); err != nil {
		t.Fatal(err)
	}
	ran := false
	step := dbmigrate.Step{Name: "a", Apply: func(context.Context, *sql.Tx) error { ran = true; return nil }}
	_, err := dbmigrate.Apply(ctx, db, []dbmigrate.Step{step, step})
	var newer *dbmigrate.NewerError
	if !errors.Is(err, dbmigrate.ErrNewer) || !errors.As(err, &newer) || newer.Version != 3 || newer.Known != 2 {
		t.Fatalf("a newer database: %v", err)
	}
	if !strings.HasPrefix(err.Error(), "数据库由更新版本的软件写入（结构版本 3，本软件只认识到 2）") ||
		!strings.Contains(err.Error(), "database written by a newer release") {
		t.Fatalf("message: %s", err)
	}
	if ran || version(t, db) != 3 {
		t.Fatalf("a refused database was touched: ran %v, version %d", ran, version(t, db))
	}
}
