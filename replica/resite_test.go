package replica_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"fieldsync/replica"
)

// MoveSite: later changes carry the new site, earlier ones keep theirs, and
// the database opens only under the new site.
func TestMoveSite(t *testing.T) {
	ctx := context.Background()
	s := testSchema(t)
	path := filepath.Join(t.TempDir(), "r.db")
	r, err := replica.Open(ctx, path, replica.Options{Schema: s, Site: 7, Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Write(ctx, replica.Edit{Table: "things", Row: rowID(1), Set: []replica.ColumnValue{{Column: "name", Value: "a"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.MoveSite(ctx, 0); err == nil {
		t.Fatal("moved to site 0")
	}
	if old, err := r.MoveSite(ctx, 9); err != nil || old != 7 || r.Site() != 9 {
		t.Fatalf("move: old %s, now %s, %v", old, r.Site(), err)
	}
	chs, err := r.Write(ctx, replica.Edit{Table: "things", Row: rowID(1), Set: []replica.ColumnValue{{Column: "name", Value: "b"}}})
	if err != nil || len(chs) != 1 || chs[0].Version.Site != 9 {
		t.Fatalf("write after the move: %+v %v", chs, err)
	}
	if n, err := r.CountSince(ctx, 0, 7); err != nil || n != 1 {
		t.Fatalf("site 7 made %d changes (%v), want 1", n, err)
	}
	if n, err := r.CountSince(ctx, 0, 9); err != nil || n != 1 {
		t.Fatalf("site 9 made %d changes (%v), want 1", n, err)
	}
	r.Close()
	if _, err := replica.Open(ctx, path, replica.Options{Schema: s, Site: 7, Key: testKey}); !errors.Is(err, replica.ErrSiteMismatch) {
		t.Fatalf("opened under the old site: %v", err)
	}
	r, err = replica.Open(ctx, path, replica.Options{Schema: s, Site: 9, Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
}
