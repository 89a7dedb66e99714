package replica_test

import (
	"context"
	"testing"

	"fieldsync/replica"
)

// A hub that refuses a station's value supersedes it: the station, applying
// the hub's change, drops its value and holds the hub's, with the same heads;
// the refused version coming again changes nothing at the hub; a column in
// conflict at the hub keeps its conflict.
func TestSupersedeRefusedValue(t *testing.T) {
	ctx := context.Background()
	s := testSchema(t)
	st, hub := openReplica(t, s, 1, nil), openReplica(t, s, 2, nil)
	id := testKey.Derive("people", "P1")
	first, err := st.Write(ctx, replica.Edit{Table: "people", Row: id, Set: []replica.ColumnValue{
		{Column: "code", Value: "P1"}, {Column: "phone", Value: "01"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hub.Apply(ctx, first, "", 0); err != nil {
		t.Fatal(err)
	}
	bad, err := st.Write(ctx, replica.Edit{Table: "people", Row: id, Set: []replica.ColumnValue{{Column: "phone", Value: "bad"}}})
	if err != nil {
		t.Fatal(err)
	}
	tbl, _ := s.Table("people")
	phone, _ := tbl.Column("phone")
	var fix *replica.Change
	if _, err := hub.Update(ctx, func(tx *replica.Tx) error {
		var err error
		fix, err = tx.Supersede(ctx, "people", id, []replica.Superseding{{Col: phone, Refused: bad[0].Version, Keep: true}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if fix == nil || len(fix.Fields) != 1 || fix.Fields[0].Value != "01" || len(fix.Fields[0].Replaces) != 2 {
		t.Fatalf("supersede = %+v, want phone 01 replacing the hub's head and the refused version", fix)
	}
	if _, err := st.Apply(ctx, []replica.Change{*fix}, "", 0); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*replica.Replica{st, hub} {
		heads, err := r.Heads(ctx, "people", id)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range heads {
			if h.Column == "phone" && (len(h.Heads) != 1 || h.Heads[0].Value != "01" || h.Heads[0].Version != fix.Version) {
				t.Errorf("site %v phone heads = %+v, want the hub's one version of 01", r.Site(), h.Heads)
			}
		}
	}
	// The refused change arriving again is dead at the hub, and a second
	// supersede of it writes nothing.
	if res, err := hub.Apply(ctx, bad, "", 0); err != nil || res.New[0] {
		t.Errorf("the refused change again: new %v, err %v", res.New, err)
	}
	if _, err := hub.Update(ctx, func(tx *replica.Tx) error {
		again, err := tx.Supersede(ctx, "people", id, []replica.Superseding{{Col: phone, Refused: bad[0].Version, Keep: true}})
		if again != nil {
			t.Errorf("superseded twice: %+v", again)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
