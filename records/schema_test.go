package records

import (
	"slices"
	"testing"

	"fieldsync/replica"
)

// TestEnteredByColumns: every table station staff write has an entered_by
// text column, the station directory has none, and both bookkeeping
// columns are recognised.
func TestEnteredByColumns(t *testing.T) {
	s, err := NewSchema()
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range s.Tables() {
		col, ok := tb.Column(EnteredBy)
		want := slices.Contains(EnteredByTables, tb.Name)
		if ok != want {
			t.Errorf("%s: has entered_by %v, want %v", tb.Name, ok, want)
			continue
		}
		if ok && tb.ColumnType(col) != replica.Text {
			t.Errorf("%s.entered_by is %v, want text", tb.Name, tb.ColumnType(col))
		}
	}
	if !Bookkeeping("station") || !Bookkeeping(EnteredBy) || Bookkeeping("phone") {
		t.Error("Bookkeeping: want station and entered_by only")
	}
}
