package records

import (
	"context"
	"path/filepath"
	"testing"

	"fieldsync/replica"
)

// TestHubIndexes opens a replica with the hub's indexes: every table and
// column they name exists, and SQLite creates them.
func TestHubIndexes(t *testing.T) {
	s, err := NewSchema()
	if err != nil {
		t.Fatal(err)
	}
	ixs := HubIndexes()
	if len(ixs) == 0 {
		t.Fatal("no hub indexes")
	}
	r, err := replica.Open(context.Background(), filepath.Join(t.TempDir(), "hub.db"),
		replica.Options{Schema: s, Indexes: ixs, Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var n int
	if err := r.DB().QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, t := range s.Tables() {
		want += len(t.Indexes)
	}
	for _, l := range ixs {
		want += len(l)
	}
	if n != want {
		t.Errorf("%d indexes, want %d", n, want)
	}
}
