package hubtest

import (
	"testing"

	"fieldsync/records"
	"fieldsync/replica"
)

// SchemaAhead is the records schema as the next release might declare it:
// every table gains a text column "added_later" (schema version 2, the
// next id after the delete marker's). v1 is today's.
func SchemaAhead(t testing.TB) (v1, v2 *replica.Schema) {
	t.Helper()
	v1, err := records.NewSchema()
	if err != nil {
		t.Fatal(err)
	}
	var tables []*replica.Table
	for _, tb := range v1.Tables() {
		cols := append([]replica.Column(nil), tb.Columns...)
		cols = append(cols, replica.Column{Name: "added_later", Type: replica.Text, ID: tb.NumColumns(), Since: 2})
		tables = append(tables, &replica.Table{Name: tb.Name, Columns: cols, DeletedID: tb.DeletedID, Since: tb.Since,
			AppendOnly: tb.AppendOnly, KeyColumn: tb.KeyColumn, Indexes: tb.Indexes})
	}
	v2, err = replica.NewSchema(tables...)
	if err != nil {
		t.Fatal(err)
	}
	return v1, v2
}
