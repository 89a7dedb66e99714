package replica_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"fieldsync/replica"
)

// notesAt is an append-only table as version 1 declared it, and as version
// 2 declares it: editable from 2 on, with a column added.
func notesAt(t *testing.T, v int) *replica.Schema {
	t.Helper()
	tb := &replica.Table{Name: "notes", AppendOnly: true, DeletedID: 1, Columns: []replica.Column{
		{Name: "body", Type: replica.Text, ID: 0},
	}}
	if v >= 2 {
		tb.EditableSince = 2
		tb.Columns = append(tb.Columns, replica.Column{Name: "void_reason", Type: replica.Text, ID: 2, Since: 2})
	}
	s, err := replica.NewSchema(tb)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestEditableSince: an append-only table that takes edits from a later
// version still matches, at the earlier version, what a peer of that
// version declares (so that peer is accepted); a replica of the later
// version edits its rows, one of the earlier version still refuses to.
func TestEditableSince(t *testing.T) {
	ctx := context.Background()
	v1, v2 := notesAt(t, 1), notesAt(t, 2)
	if v2.Version() != 2 || v2.FingerprintAt(1) != v1.Fingerprint() {
		t.Fatalf("version %d; fingerprint at 1 %#x, want the earlier release's %#x", v2.Version(), v2.FingerprintAt(1), v1.Fingerprint())
	}
	tb, _ := v2.Table("notes")
	if !tb.AppendOnlyAt(1) || tb.AppendOnlyAt(2) {
		t.Fatalf("append-only at 1: %v, at 2: %v; want true, false", tb.AppendOnlyAt(1), tb.AppendOnlyAt(2))
	}
	set := func(v string) replica.Edit {
		return replica.Edit{Table: "notes", Row: rowID(1), Set: []replica.ColumnValue{{Column: "body", Value: v}}}
	}
	old, err := replica.Open(ctx, filepath.Join(t.TempDir(), "old.db"), replica.Options{Schema: v1, Site: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if _, err := old.Write(ctx, set("a")); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Write(ctx, set("b")); !errors.Is(err, replica.ErrAppendOnly) {
		t.Fatalf("version 1 edits an append-only row: %v", err)
	}
	cur, err := replica.Open(ctx, filepath.Join(t.TempDir(), "cur.db"), replica.Options{Schema: v2, Site: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close()
	if _, err := cur.Write(ctx, set("a")); err != nil {
		t.Fatal(err)
	}
	if _, err := cur.Write(ctx, set("b"), replica.Edit{Table: "notes", Row: rowID(1),
		Set: []replica.ColumnValue{{Column: "void_reason", Value: "录错"}}}); err != nil {
		t.Fatalf("version 2 cannot correct a row: %v", err)
	}
	for _, bad := range []*replica.Table{
		{Name: "x", DeletedID: 1, EditableSince: 2, Columns: []replica.Column{{Name: "a", Type: replica.Text}}},
		{Name: "x", DeletedID: 1, AppendOnly: true, Since: 2, EditableSince: 2, Columns: []replica.Column{{Name: "a", Type: replica.Text}}},
	} {
		if _, err := replica.NewSchema(bad); err == nil {
			t.Errorf("EditableSince %d on append-only %v since %d accepted", bad.EditableSince, bad.AppendOnly, bad.Since)
		}
	}
}
