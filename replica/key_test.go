package replica_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"fieldsync/replica"
)

// Two replicas register the same natural key offline: one row (its id derives
// from the key) with two heads of equal value for the key column. A third
// replica that holds both may write the key's own value, which settles the
// heads as any edit does; a different value stays refused.
func TestKeyColumnRewrittenWithItsOwnValue(t *testing.T) {
	ctx := context.Background()
	s := testSchema(t)
	a, b, c := openReplica(t, s, 1, nil), openReplica(t, s, 2, nil), openReplica(t, s, 3, nil)
	id := testKey.Derive("people", "P1")
	ca, err := a.Write(ctx, replica.Edit{Table: "people", Row: id, Set: []replica.ColumnValue{{Column: "code", Value: "P1"}, {Column: "phone", Value: "01"}}})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := b.Write(ctx, replica.Edit{Table: "people", Row: id, Set: []replica.ColumnValue{{Column: "code", Value: "P1"}, {Column: "phone", Value: "02"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Apply(ctx, append(append([]replica.Change{}, ca...), cb...), "", 0); err != nil {
		t.Fatal(err)
	}
	code := func() replica.ColumnHeads {
		t.Helper()
		heads, err := c.Heads(ctx, "people", id)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range heads {
			if h.Column == "code" {
				return h
			}
		}
		t.Fatal("no heads for code")
		return replica.ColumnHeads{}
	}
	if h := code(); len(h.Heads) != 2 || h.Conflict {
		t.Fatalf("code before the edit: %+v, want two equal heads, no conflict", h)
	}

	// A different value is still refused, whatever the heads.
	if _, err := c.Write(ctx, replica.Edit{Table: "people", Row: id, Set: []replica.ColumnValue{{Column: "code", Value: "P2"}}}); !errors.Is(err, replica.ErrBadRowID) && !errors.Is(err, replica.ErrBadValue) {
		t.Fatalf("changing the key: %v, want refused", err)
	}

	// The key's own value, with the rest of the record: accepted, and it
	// replaces both heads.
	chs, err := c.Write(ctx, replica.Edit{Table: "people", Row: id, Set: []replica.ColumnValue{{Column: "code", Value: "P1"}, {Column: "phone", Value: "03"}}})
	if err != nil {
		t.Fatalf("writing the key's own value: %v", err)
	}
	if len(chs) != 1 {
		t.Fatalf("changes = %+v", chs)
	}
	var keyField *replica.Field
	for i := range chs[0].Fields {
		if chs[0].Fields[i].Col == peopleKeyCol(t, s) {
			keyField = &chs[0].Fields[i]
		}
	}
	if keyField == nil || len(keyField.Replaces) != 2 || keyField.Value != "P1" {
		t.Fatalf("key field = %+v, want P1 replacing both heads", keyField)
	}
	if h := code(); len(h.Heads) != 1 || h.Heads[0].Value != "P1" {
		t.Fatalf("code after the edit: %+v, want one head P1", h)
	}
	// Now settled: writing it again changes nothing, changing it is refused.
	if chs, err := c.Write(ctx, replica.Edit{Table: "people", Row: id, Set: []replica.ColumnValue{{Column: "code", Value: "P1"}}}); err != nil || len(chs) != 0 {
		t.Fatalf("rewriting a settled key: %+v %v", chs, err)
	}
	if _, err := c.Write(ctx, replica.Edit{Table: "people", Row: id, Set: []replica.ColumnValue{{Column: "code", Value: "P2"}}}); err == nil {
		t.Fatal("changing a settled key was accepted")
	}

	// The settling edit reaches the other two, which converge with c.
	for _, r := range []*replica.Replica{a, b} {
		all := append(append(append([]replica.Change{}, ca...), cb...), chs...)
		if _, err := r.Apply(ctx, all, "", 0); err != nil {
			t.Fatal(err)
		}
	}
	ha, _, _ := a.ContentHash(ctx, nil)
	hb, _, _ := b.ContentHash(ctx, nil)
	hc, _, _ := c.ContentHash(ctx, nil)
	if ha != hb || hb != hc {
		t.Fatal("replicas differ after the same changes")
	}
}

// Without a deployment key the replica cannot check that an id derives from
// its key, so the key column's own guard is what refuses a change: a row
// holding one value cannot be given another, even with two heads of it.
func TestKeyColumnGuardWithoutKey(t *testing.T) {
	ctx := context.Background()
	s := testSchema(t)
	open := func(site replica.SiteID) *replica.Replica {
		r, err := replica.Open(ctx, filepath.Join(t.TempDir(), "r.db"), replica.Options{Schema: s, Site: site, Synchronous: "NORMAL"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return r
	}
	a, b, c := open(1), open(2), open(3)
	id := rowID(7)
	set := []replica.ColumnValue{{Column: "code", Value: "K"}}
	ca, err := a.Write(ctx, replica.Edit{Table: "people", Row: id, Set: set})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := b.Write(ctx, replica.Edit{Table: "people", Row: id, Set: set})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Apply(ctx, append(ca, cb...), "", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(ctx, replica.Edit{Table: "people", Row: id, Set: []replica.ColumnValue{{Column: "code", Value: "other"}}}); !errors.Is(err, replica.ErrBadValue) {
		t.Fatalf("changing the key without a deployment key: %v, want ErrBadValue", err)
	}
	if _, err := c.Write(ctx, replica.Edit{Table: "people", Row: id, Set: set}); err != nil {
		t.Fatalf("writing the key's own value: %v", err)
	}
}

func peopleKeyCol(t *testing.T, s *replica.Schema) int {
	t.Helper()
	p, ok := s.Table("people")
	if !ok {
		t.Fatal("no people table")
	}
	return p.KeyColumnIndex()
}
