package replica_test

import (
	"context"
	"path/filepath"
	"testing"

	"fieldsync/ident"

	"fieldsync/replica"
)

// upgradeSchemas are one table before and after a release appends a column.
func upgradeSchemas(t *testing.T) (v1, v2 *replica.Schema) {
	t.Helper()
	var err error
	v1, err = replica.NewSchema(&replica.Table{Name: "things", DeletedID: 2, Columns: []replica.Column{
		{Name: "name", Type: replica.Text, ID: 0},
		{Name: "phone", Type: replica.Text, ID: 1},
	}})
	if err != nil {
		t.Fatal(err)
	}
	v2, err = replica.NewSchema(&replica.Table{Name: "things", DeletedID: 2, Columns: []replica.Column{
		{Name: "name", Type: replica.Text, ID: 0},
		{Name: "phone", Type: replica.Text, ID: 1},
		{Name: "entered_by", Type: replica.Text, ID: 3, Since: 2},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return v1, v2
}

// TestDeleteSurvivesAppendedColumn: a table gains a column; what the
// earlier release deleted still reads as deleted, in the row, in a
// snapshot, in the log, and in a delete written before the upgrade and
// applied after it (DESIGN "Edges": the delete marker's id never moves).
func TestDeleteSurvivesAppendedColumn(t *testing.T) {
	ctx := context.Background()
	v1, v2 := upgradeSchemas(t)
	path := filepath.Join(t.TempDir(), "r.db")
	r, err := replica.Open(ctx, path, replica.Options{Schema: v1, Site: 7})
	if err != nil {
		t.Fatal(err)
	}
	set := []replica.ColumnValue{{Column: "name", Value: "其木格"}, {Column: "phone", Value: "13900000001"}}
	if _, err := r.Write(ctx, replica.Edit{Table: "things", Row: rowID(1), Set: set},
		replica.Edit{Table: "things", Row: rowID(2), Set: set}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Write(ctx, replica.Edit{Table: "things", Row: rowID(1), Delete: true}); err != nil {
		t.Fatal(err)
	}
	// A delete made before the upgrade and not yet sent anywhere.
	unsent, err := r.Write(ctx, replica.Edit{Table: "things", Row: rowID(2), Delete: true})
	if err != nil {
		t.Fatal(err)
	}
	all, _, err := r.ReadLog(ctx, 0, replica.LogQuery{})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()

	r, err = replica.Open(ctx, path, replica.Options{Schema: v2, Site: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	row := rowValues(t, r, "things", rowID(1))
	if row[replica.DeletedColumn] != int64(1) || row["entered_by"] != nil {
		t.Fatalf("deleted row after the upgrade: %v, want fs_deleted=1 and no entered_by", row)
	}
	snap, err := r.Snapshot(ctx, "things", rowID(1))
	if err != nil {
		t.Fatal(err)
	}
	tb, _ := v2.Table("things")
	if !deletes(tb, snap) {
		t.Fatalf("snapshot of a deleted row carries no delete: %+v", snap)
	}
	logged, _, err := r.ReadLog(ctx, 0, replica.LogQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var logDeletes int
	for _, e := range logged {
		if deletes(tb, []replica.Change{e.Change}) {
			logDeletes++
		}
	}
	if logDeletes != 2 {
		t.Fatalf("the log read after the upgrade holds %d deletes, want 2", logDeletes)
	}

	// Another replica, of the new release, receives the whole old log
	// (the unsent delete included): the rows read deleted there too.
	peer := openReplica(t, v2, 9, nil)
	var changes []replica.Change
	for _, e := range all {
		changes = append(changes, e.Change)
	}
	if _, err := peer.Apply(ctx, changes, "", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := peer.Apply(ctx, unsent, "", 0); err != nil {
		t.Fatal(err)
	}
	for _, id := range []byte{1, 2} {
		if row := rowValues(t, peer, "things", rowID(id)); row[replica.DeletedColumn] != int64(1) || row["entered_by"] != nil {
			t.Fatalf("row %d at a peer after the upgrade: %v, want deleted", id, row)
		}
	}
}

// deletes reports whether changes write the table's delete marker to 1.
func deletes(t *replica.Table, changes []replica.Change) bool {
	for _, c := range changes {
		for _, f := range c.Fields {
			if f.Col == t.DeletedCol() && t.ColumnName(f.Col) == replica.DeletedColumn && f.Value == int64(1) {
				return true
			}
		}
	}
	return false
}

// rowValues reads a row's current values by column name.
func rowValues(t *testing.T, r *replica.Replica, table string, id ident.ID) map[string]any {
	t.Helper()
	var row map[string]any
	_, err := r.Update(context.Background(), func(tx *replica.Tx) error {
		var err error
		row, err = tx.Row(context.Background(), table, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return row
}

// TestSchemaRefusesBadColumnIDs: ids are frozen, so a declaration that
// reuses one, leaves the marker's out, or puts a later column before the
// marker is refused.
func TestSchemaRefusesBadColumnIDs(t *testing.T) {
	col := func(name string, id, since int) replica.Column {
		return replica.Column{Name: name, Type: replica.Text, ID: id, Since: since}
	}
	for _, tc := range []struct {
		name    string
		deleted int
		cols    []replica.Column
		ok      bool
	}{
		{"first version", 2, []replica.Column{col("a", 0, 0), col("b", 1, 1)}, true},
		{"a column added later", 2, []replica.Column{col("a", 0, 0), col("b", 1, 0), col("c", 3, 2)}, true},
		{"no marker id", 0, []replica.Column{col("a", 0, 0), col("b", 1, 0)}, false},
		{"marker id beyond the columns", 3, []replica.Column{col("a", 0, 0), col("b", 1, 0)}, false},
		{"a column on the marker's id", 2, []replica.Column{col("a", 0, 0), col("b", 2, 0)}, false},
		{"an id used twice", 2, []replica.Column{col("a", 0, 0), col("b", 0, 0)}, false},
		{"ids no longer dense", 2, []replica.Column{col("a", 0, 0), col("b", 1, 0), col("c", 4, 2)}, false},
		{"ids out of order", 2, []replica.Column{col("b", 1, 0), col("a", 0, 0)}, false},
		{"a later column takes the marker's old place", 3, []replica.Column{col("a", 0, 0), col("b", 1, 0), col("c", 2, 2)}, false},
		{"a column after the marker without its version", 2, []replica.Column{col("a", 0, 0), col("b", 1, 0), col("c", 3, 0)}, false},
		{"negative id", 2, []replica.Column{col("a", -1, 0), col("b", 1, 0)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := replica.NewSchema(&replica.Table{Name: "things", DeletedID: tc.deleted, Columns: tc.cols})
			if (err == nil) != tc.ok {
				t.Fatalf("NewSchema: %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// TestChangeAt: what a peer one version behind receives leaves out the
// columns and tables added after its version, and FingerprintAt of the
// older version is the older schema's own fingerprint.
func TestChangeAt(t *testing.T) {
	v1, v2 := upgradeSchemas(t)
	if v1.Version() != 1 || v2.Version() != 2 {
		t.Fatalf("versions %d and %d, want 1 and 2", v1.Version(), v2.Version())
	}
	if v2.FingerprintAt(1) != v1.Fingerprint() || v2.Fingerprint() == v1.Fingerprint() {
		t.Fatalf("fingerprints: v2 at 1 %x, v1 %x, v2 %x", v2.FingerprintAt(1), v1.Fingerprint(), v2.Fingerprint())
	}
	if v2.FingerprintAt(3) != 0 || v2.FingerprintAt(0) != 0 {
		t.Fatal("FingerprintAt of an unknown version is not 0")
	}
	tb, _ := v2.Table("things")
	by, _ := tb.Column("entered_by")
	c := replica.Change{Table: "things", Row: rowID(1), Version: replica.Version{HLC: 5, Site: 3}, Fields: []replica.Field{
		{Col: 0, Value: "其木格"}, {Col: by, Value: "阿拉坦"}, {Col: tb.DeletedCol(), Value: int64(0)}}}
	got, ok := v2.ChangeAt(1, c)
	if !ok || len(got.Fields) != 2 || got.Fields[0].Col != 0 || got.Fields[1].Col != tb.DeletedCol() {
		t.Fatalf("ChangeAt(1): %+v %v", got, ok)
	}
	if len(c.Fields) != 3 {
		t.Fatal("ChangeAt changed its argument")
	}
	if got, ok := v2.ChangeAt(2, c); !ok || len(got.Fields) != 3 {
		t.Fatalf("ChangeAt(2): %+v %v", got, ok)
	}
	only := replica.Change{Table: "things", Row: rowID(1), Version: c.Version, Fields: []replica.Field{{Col: by, Value: "阿拉坦"}}}
	if _, ok := v2.ChangeAt(1, only); ok {
		t.Fatal("a change of a later column only reaches a peer that lacks it")
	}
	// A table added in version 2.
	v3, err := replica.NewSchema(
		&replica.Table{Name: "things", DeletedID: 2, Columns: []replica.Column{
			{Name: "name", Type: replica.Text, ID: 0}, {Name: "phone", Type: replica.Text, ID: 1}}},
		&replica.Table{Name: "later", Since: 2, DeletedID: 1, Columns: []replica.Column{{Name: "x", Type: replica.Text}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	if v3.FingerprintAt(1) != v1.Fingerprint() {
		t.Fatal("a table added in version 2 changes the fingerprint of version 1")
	}
	if _, ok := v3.ChangeAt(1, replica.Change{Table: "later", Row: rowID(1), Fields: []replica.Field{{Col: 0, Value: "x"}}}); ok {
		t.Fatal("a change of a later table reaches a peer that lacks it")
	}
}
