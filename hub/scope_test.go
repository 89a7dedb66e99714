package hub_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"fieldsync/ident"
	"fieldsync/records"
)

// TestScopeMigratesFromOldTable opens a hub database whose scopes are in the
// table of earlier versions (hub_scope, keyed by station and worker, with a
// pending flag) and checks that every scope and pending snapshot survives
// the move to hub_scope_entries and hub_scope_pending.
func TestScopeMigratesFromOldTable(t *testing.T) {
	ctx := context.Background()
	h := newCoreHub(t)
	h.enroll("站A")
	h.enroll("站B")
	w1, w2 := ident.ID{1, 2, 3}, ident.ID{4, 5, 6}
	if err := h.hub.AddToScope(ctx, "站A", []ident.ID{w1, w2}); err != nil {
		t.Fatal(err)
	}
	h.close()

	db, err := sql.Open("sqlite3", filepath.Join(h.dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		`CREATE TABLE hub_scope (station TEXT NOT NULL, worker BLOB NOT NULL,
			pending INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (station, worker)) WITHOUT ROWID`,
		`INSERT INTO hub_scope SELECT station, worker, 0 FROM hub_scope_entries`,
		`INSERT INTO hub_scope VALUES ('站B', x'040506', 1)`,
		`DROP TABLE hub_scope_entries`,
		`DROP TABLE hub_scope_pending`,
		// A database of that release had no layout ladder, nor what this
		// one's steps add.
		`ALTER TABLE hub_stations DROP COLUMN software`,
		`PRAGMA user_version = 0`,
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	db.Close()

	h.open()
	workers, ok := h.hub.Replica().Schema().Table(records.Workers)
	if !ok {
		t.Fatal("no workers table")
	}
	inA, inB := h.hub.ScopeFilter("站A"), h.hub.ScopeFilter("站B")
	if !inA(workers, w1) || !inA(workers, w2) || inB(workers, w1) {
		t.Errorf("scopes after migration: A has w1 %v, w2 %v; B has w1 %v", inA(workers, w1), inA(workers, w2), inB(workers, w1))
	}
	var old, pending int
	q := h.hub.Replica().DB()
	if err := q.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'hub_scope'`).Scan(&old); err != nil {
		t.Fatal(err)
	}
	if err := q.QueryRow(`SELECT count(*) FROM hub_scope_pending WHERE station = '站B'`).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	if old != 0 || pending != 1 {
		t.Errorf("after migration: old table %d (want 0), pending snapshots of 站B %d (want 1)", old, pending)
	}
}

// TestScopeForgetsUncommitted: workers remembered in a station's scope for
// a transaction that did not commit are forgotten, so that the resent batch
// stores them (else they would be lost from hub_scope_entries at the next
// restart).
func TestScopeForgetsUncommitted(t *testing.T) {
	h := newCoreHub(t)
	h.enroll("站A")
	h.enroll("站B")
	w := ident.ID{7, 7, 7}
	// In 站B's scope already, so that planning 站A's addition needs no
	// query and the cancelled context first fails the transaction.
	if err := h.hub.AddToScope(context.Background(), "站B", []ident.ID{w}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the transaction cannot begin
	if err := h.hub.AddToScope(ctx, "站A", []ident.ID{w}); err == nil {
		t.Fatal("AddToScope with a cancelled context succeeded")
	}
	workers, _ := h.hub.Replica().Schema().Table(records.Workers)
	if h.hub.ScopeFilter("站A")(workers, w) {
		t.Fatal("a worker whose scope addition did not commit is still in the scope")
	}
	if err := h.hub.AddToScope(context.Background(), "站A", []ident.ID{w}); err != nil {
		t.Fatal(err)
	}
	h.close()
	h.open()
	if !h.hub.ScopeFilter("站A")(workers, w) {
		t.Fatal("the worker's scope did not survive a restart")
	}
}
