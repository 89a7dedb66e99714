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

// release050Fingerprint is the schema fingerprint of release 0.5.0, the
// first schema version: its stations send it in their Hello.
const release050Fingerprint = 0x49cc4a02e60ca19f

// TestSchemaVersion: the schema is SchemaVersion, and what version 1
// declares hashes as 0.5.0's schema did, so that 0.5.0's stations still
// match.
func TestSchemaVersion(t *testing.T) {
	s, err := NewSchema()
	if err != nil {
		t.Fatal(err)
	}
	if s.Version() != SchemaVersion {
		t.Errorf("schema version %d, SchemaVersion %d", s.Version(), SchemaVersion)
	}
	if got := s.FingerprintAt(1); got != release050Fingerprint {
		t.Errorf("FingerprintAt(1) = %#x, want 0.5.0's %#x", got, release050Fingerprint)
	}
	if s.Fingerprint() != s.FingerprintAt(SchemaVersion) {
		t.Error("Fingerprint is not FingerprintAt(SchemaVersion)")
	}
}
