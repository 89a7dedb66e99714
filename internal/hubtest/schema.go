package hubtest

import (
	"testing"

	"fieldsync/records"
	"fieldsync/replica"
)

// SchemaAhead is the records schema as the next release might declare it:
// every table gains a text column "added_later" (the next schema version,
// the next id after all of the table's). v1 is today's.
func SchemaAhead(t testing.TB) (v1, v2 *replica.Schema) {
	t.Helper()
	v1, err := records.NewSchema()
	if err != nil {
		t.Fatal(err)
	}
	var tables []*replica.Table
	for _, tb := range v1.Tables() {
		cols := append([]replica.Column(nil), tb.Columns...)
		cols = append(cols, replica.Column{Name: "added_later", Type: replica.Text, ID: tb.NumColumns(), Since: v1.Version() + 1})
		tables = append(tables, &replica.Table{Name: tb.Name, Columns: cols, DeletedID: tb.DeletedID, Since: tb.Since,
			AppendOnly: tb.AppendOnly, EditableSince: tb.EditableSince, KeyColumn: tb.KeyColumn, Indexes: tb.Indexes})
	}
	v2, err = replica.NewSchema(tables...)
	if err != nil {
		t.Fatal(err)
	}
	return v1, v2
}

// SchemaAt is the records schema as a release of schema version v declared
// it: the tables and columns added after v left out, and a table editable
// only since a later version append-only again. Its fingerprint is
// FingerprintAt(v) of today's.
func SchemaAt(t testing.TB, v int) *replica.Schema {
	t.Helper()
	cur, err := records.NewSchema()
	if err != nil {
		t.Fatal(err)
	}
	var tables []*replica.Table
	for _, tb := range cur.Tables() {
		if tb.AddedIn() > v {
			continue
		}
		var cols []replica.Column
		for _, c := range tb.Columns {
			if max(c.Since, tb.AddedIn()) <= v {
				cols = append(cols, c)
			}
		}
		editable := tb.EditableSince
		if editable > v {
			editable = 0
		}
		tables = append(tables, &replica.Table{Name: tb.Name, Columns: cols, DeletedID: tb.DeletedID, Since: tb.Since,
			AppendOnly: tb.AppendOnly, EditableSince: editable, KeyColumn: tb.KeyColumn, Indexes: tb.Indexes})
	}
	s, err := replica.NewSchema(tables...)
	if err != nil {
		t.Fatal(err)
	}
	if s.Fingerprint() != cur.FingerprintAt(v) {
		t.Fatalf("schema at version %d: fingerprint %#x, want %#x", v, s.Fingerprint(), cur.FingerprintAt(v))
	}
	return s
}
