package replica_test

import (
	"context"
	"testing"

	"fieldsync/ident"
	"fieldsync/replica"
)

// TestReadLogMarksWithHeadsAsOfTheirRows: a relay read that spans several
// chunks of the log while changes keep arriving must judge each change
// against the row's heads as they were when that change was already in the
// log. It judged later chunks against heads loaded for an earlier chunk:
// a change committed meanwhile was not among those stale heads, so it went
// out marked replaced (Dead), and its own station, receiving its version
// marked so, lost it as a head (the field simulator, after a hub restore,
// when a station downloading the whole log was uploading too).
func TestReadLogMarksWithHeadsAsOfTheirRows(t *testing.T) {
	ctx := context.Background()
	s := testSchema(t)
	hub := openReplica(t, s, 2, nil)
	row := rowID(1)
	if _, err := hub.Write(ctx, replica.Edit{Table: "things", Row: row, Set: []replica.ColumnValue{{Column: "name", Value: "a"}}}); err != nil {
		t.Fatal(err)
	}
	// Enough other rows for three chunks of the log read.
	for i := range 250 {
		id := ident.ID{0: 2, 14: byte(i >> 8), 15: byte(i)}
		if _, err := hub.Write(ctx, replica.Edit{Table: "things", Row: id, Set: []replica.ColumnValue{{Column: "count", Value: int64(i)}}}); err != nil {
			t.Fatal(err)
		}
	}
	// While the read is in its second chunk, the row gets a new column.
	seen, wrote := 0, false
	var written replica.Version
	filter := func(_ *replica.Table, id ident.ID) bool {
		if seen++; seen == 150 && !wrote {
			wrote = true
			cs, err := hub.Write(ctx, replica.Edit{Table: "things", Row: row, Set: []replica.ColumnValue{{Column: "price", Value: 2.5}}})
			if err != nil {
				t.Error(err)
			} else {
				written = cs[0].Version
			}
		}
		return true
	}
	var got *replica.Change
	var after uint64
	for {
		entries, scanned, err := hub.ReadLog(ctx, after, replica.LogQuery{MarkReplaced: true, Limit: 10000, Filter: filter})
		if err != nil {
			t.Fatal(err)
		}
		for i := range entries {
			if c := &entries[i].Change; c.Row == row && c.Version == written {
				got = c
			}
		}
		if scanned == after {
			break
		}
		after = scanned
	}
	if !wrote {
		t.Fatal("the read never reached its second chunk: the test proves nothing")
	}
	if got == nil {
		t.Fatal("the change written during the read was not read")
	}
	if f := got.Fields[0]; f.Dead || f.Value != 2.5 {
		t.Fatalf("the row's live change went out as %+v: marked replaced against heads read before it", f)
	}
}
