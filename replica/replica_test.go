package replica_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fieldsync/hlc"
	"fieldsync/ident"
	"fieldsync/replica"
)

// testSchema is small on purpose: one LWW table with every column type, one
// table keyed by a natural key, one append-only table.
func testSchema(t testing.TB) *replica.Schema {
	t.Helper()
	s, err := replica.NewSchema(
		&replica.Table{Name: "things", DeletedID: 4, Columns: []replica.Column{
			{Name: "name", Type: replica.Text, ID: 0},
			{Name: "count", Type: replica.Integer, ID: 1},
			{Name: "price", Type: replica.Real, ID: 2},
			{Name: "tags", Type: replica.Set, ID: 3},
		}},
		&replica.Table{Name: "people", KeyColumn: "code", DeletedID: 2, Columns: []replica.Column{
			{Name: "code", Type: replica.Text, ID: 0},
			{Name: "phone", Type: replica.Text, ID: 1},
		}},
		&replica.Table{Name: "notes", AppendOnly: true, DeletedID: 1, Columns: []replica.Column{
			{Name: "body", Type: replica.Text, ID: 0},
		}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var testKey = ident.Key("test deployment key")

type fakeClock struct{ t time.Time }

func (f *fakeClock) now() time.Time { return f.t }

func openReplica(t testing.TB, s *replica.Schema, site replica.SiteID, now func() time.Time) *replica.Replica {
	t.Helper()
	r, err := replica.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"), replica.Options{
		Schema: s, Site: site, Key: testKey, Clock: hlc.NewClock(now), Synchronous: "NORMAL",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func rowID(n byte) ident.ID { return ident.ID{15: n, 0: 1} }

func TestWriteReadAndReopen(t *testing.T) {
	ctx := context.Background()
	s := testSchema(t)
	path := filepath.Join(t.TempDir(), "r.db")
	r, err := replica.Open(ctx, path, replica.Options{Schema: s, Site: 7, Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	id := rowID(1)
	chs, err := r.Write(ctx, replica.Edit{Table: "things", Row: id,
		Set: []replica.ColumnValue{{Column: "name", Value: "张三"}, {Column: "count", Value: 3}, {Column: "tags", Value: []string{"b", "a"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(chs) != 1 || len(chs[0].Fields) != 4 || chs[0].Version.Site != 7 {
		t.Fatalf("changes = %+v", chs)
	}
	var name, tags string
	var count int64
	if err := r.DB().QueryRow(`SELECT name, count, tags FROM things WHERE id = ?`, id[:]).Scan(&name, &count, &tags); err != nil {
		t.Fatal(err)
	}
	if name != "张三" || count != 3 || tags != `["a","b"]` {
		t.Fatalf("row = %q %d %q", name, count, tags)
	}
	// Writing the same values again changes nothing and logs nothing.
	chs, err = r.Write(ctx, replica.Edit{Table: "things", Row: id, Set: []replica.ColumnValue{{Column: "name", Value: "张三"}}})
	if err != nil || len(chs) != 0 {
		t.Fatalf("no-op write: %v %v", chs, err)
	}
	last := r.Clock().Last()
	r.Close()
	// Reopen with a clock far in the past: stamps still go forward.
	past := func() time.Time { return time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC) }
	r, err = replica.Open(ctx, path, replica.Options{Schema: s, Key: testKey, Clock: hlc.NewClock(past)})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Site() != 7 {
		t.Fatalf("site after reopen = %v", r.Site())
	}
	chs, err = r.Write(ctx, replica.Edit{Table: "things", Row: id, Set: []replica.ColumnValue{{Column: "name", Value: "李四"}}})
	if err != nil {
		t.Fatal(err)
	}
	if chs[0].Version.HLC <= last {
		t.Fatalf("stamp went backwards after reopen: %v <= %v", chs[0].Version.HLC, last)
	}
	if len(chs[0].Fields[0].Replaces) != 1 {
		t.Fatalf("edit should replace the one head: %+v", chs[0].Fields[0])
	}
	if _, err := replica.Open(ctx, path, replica.Options{Schema: s, Site: 8}); !errors.Is(err, replica.ErrSiteMismatch) {
		t.Fatalf("open with another site: %v", err)
	}
}

func TestWriteErrors(t *testing.T) {
	ctx := context.Background()
	r := openReplica(t, testSchema(t), 1, nil)
	good := testKey.Derive("people", "P1")
	tests := []struct {
		name string
		edit replica.Edit
		want error
	}{
		{"unknown table", replica.Edit{Table: "nope", Row: rowID(1)}, replica.ErrUnknownTable},
		{"unknown column", replica.Edit{Table: "things", Row: rowID(1), Set: []replica.ColumnValue{{Column: "nope", Value: "x"}}}, replica.ErrUnknownCol},
		{"wrong type", replica.Edit{Table: "things", Row: rowID(1), Set: []replica.ColumnValue{{Column: "count", Value: "x"}}}, replica.ErrBadValue},
		{"bad utf8", replica.Edit{Table: "things", Row: rowID(1), Set: []replica.ColumnValue{{Column: "name", Value: "\xff"}}}, replica.ErrBadValue},
		{"zero id", replica.Edit{Table: "things", Set: []replica.ColumnValue{{Column: "name", Value: "x"}}}, replica.ErrBadValue},
		{"id not from key", replica.Edit{Table: "people", Row: rowID(2), Set: []replica.ColumnValue{{Column: "code", Value: "P1"}}}, replica.ErrBadRowID},
		{"set elem on text", replica.Edit{Table: "things", Row: rowID(1), Add: []replica.SetElem{{Column: "name", Elem: "x"}}}, replica.ErrUnknownCol},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := r.Write(ctx, tc.edit); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := r.Write(ctx, replica.Edit{Table: "people", Row: good, Set: []replica.ColumnValue{{Column: "code", Value: "P1"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Write(ctx, replica.Edit{Table: "people", Row: good, Set: []replica.ColumnValue{{Column: "code", Value: "P2"}}}); !errors.Is(err, replica.ErrBadRowID) {
		t.Fatalf("changing the key: %v", err)
	}
	if _, err := r.Write(ctx, replica.Edit{Table: "notes", Row: rowID(3), Set: []replica.ColumnValue{{Column: "body", Value: "a"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Write(ctx, replica.Edit{Table: "notes", Row: rowID(3), Set: []replica.ColumnValue{{Column: "body", Value: "b"}}}); !errors.Is(err, replica.ErrAppendOnly) {
		t.Fatalf("editing an append-only row: %v", err)
	}
	// A failing edit in a batch leaves nothing of the batch behind.
	_, err := r.Write(ctx,
		replica.Edit{Table: "things", Row: rowID(9), Set: []replica.ColumnValue{{Column: "name", Value: "ok"}}},
		replica.Edit{Table: "things", Row: rowID(9), Set: []replica.ColumnValue{{Column: "count", Value: "bad"}}})
	if err == nil {
		t.Fatal("batch with a bad edit succeeded")
	}
	var n int
	r.DB().QueryRow(`SELECT count(*) FROM things WHERE id = ?`, rowID(9)).Scan(&n)
	if n != 0 {
		t.Fatal("half a batch was written")
	}
}

func TestConflictAndResolution(t *testing.T) {
	ctx := context.Background()
	s := testSchema(t)
	a, b, hub := openReplica(t, s, 1, nil), openReplica(t, s, 2, nil), openReplica(t, s, 3, nil)
	id := testKey.Derive("people", "P1")
	ca, err := a.Write(ctx, replica.Edit{Table: "people", Row: id, Set: []replica.ColumnValue{{Column: "code", Value: "P1"}, {Column: "phone", Value: "01"}}})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := b.Write(ctx, replica.Edit{Table: "people", Row: id, Set: []replica.ColumnValue{{Column: "code", Value: "P1"}, {Column: "phone", Value: "02"}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := hub.Apply(ctx, append(ca, cb...), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Conflicts) != 1 || res.Conflicts[0].Col != 1 {
		t.Fatalf("conflicts = %+v, want phone only (code has equal values)", res.Conflicts)
	}
	heads, err := hub.Heads(ctx, "people", id)
	if err != nil {
		t.Fatal(err)
	}
	var phone replica.ColumnHeads
	for _, h := range heads {
		if h.Column == "phone" {
			phone = h
		}
	}
	if !phone.Conflict || len(phone.Heads) != 2 {
		t.Fatalf("phone heads = %+v", phone)
	}
	// The administrator settles it with a new value that replaces both heads.
	fix, err := hub.Write(ctx, replica.Edit{Table: "people", Row: id, Set: []replica.ColumnValue{{Column: "phone", Value: "09"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(fix[0].Fields[0].Replaces); got != 2 {
		t.Fatalf("resolution replaces %d heads, want 2", got)
	}
	for _, r := range []*replica.Replica{a, b} {
		res, err := r.Apply(ctx, append(append(append([]replica.Change{}, ca...), cb...), fix...), "hub", 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Conflicts) != 0 {
			t.Fatalf("still in conflict after resolution: %+v", res.Conflicts)
		}
		if len(res.Settled) != 0 {
			t.Fatalf("settled %+v in one batch that also made the conflict", res.Settled)
		}
		if seq, _ := r.Cursor(ctx, "hub"); seq != 3 {
			t.Fatalf("cursor = %d", seq)
		}
	}
	ha, _, _ := a.ContentHash(ctx, nil)
	hb, _, _ := b.ContentHash(ctx, nil)
	hh, _, _ := hub.ContentHash(ctx, nil)
	if ha != hb || hb != hh {
		t.Fatal("replicas differ after the same changes")
	}
	// A station that saw the conflict learns that the county settled it.
	c := openReplica(t, s, 4, nil)
	if res, err := c.Apply(ctx, append(append([]replica.Change{}, ca...), cb...), "", 0); err != nil || len(res.Conflicts) != 1 {
		t.Fatalf("conflict at c: %+v %v", res, err)
	}
	res, err = c.Apply(ctx, fix, "", 0)
	if err != nil || len(res.Settled) != 1 || res.Settled[0].Col != 1 || len(res.Conflicts) != 0 {
		t.Fatalf("settlement at c: %+v %v", res, err)
	}
	// Applying everything again is a no-op.
	res, err = a.Apply(ctx, append(append(ca, cb...), fix...), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range res.New {
		if n {
			t.Fatalf("change %d applied twice", i)
		}
	}
}

func TestApplyRejectsBadChanges(t *testing.T) {
	ctx := context.Background()
	r := openReplica(t, testSchema(t), 1, nil)
	v := replica.Version{HLC: hlc.New(1000, 0), Site: 5}
	bad := []replica.Change{
		{Table: "nope", Row: rowID(1), Version: v},
		{Table: "things", Row: rowID(1), Version: replica.Version{HLC: 1}},
		{Table: "things", Row: rowID(1), Version: v, Fields: []replica.Field{{Col: 99, Value: "x"}}},
		{Table: "things", Row: rowID(1), Version: v, Fields: []replica.Field{{Col: 1, Value: "x"}}},
		{Table: "things", Row: rowID(1), Version: v, Fields: []replica.Field{{Col: 3, Elem: "a", Value: int64(5)}}},
		{Table: "people", Row: rowID(1), Version: v, Fields: []replica.Field{{Col: 0, Value: "P1"}}},
	}
	for i, c := range bad {
		if _, err := r.Apply(ctx, []replica.Change{c}, "", 0); err == nil {
			t.Errorf("bad change %d accepted", i)
		}
	}
	if n, _ := r.MaxSeq(ctx); n != 0 {
		t.Fatalf("log has %d entries after refused changes", n)
	}
}

func TestReadLogMarksAndFilters(t *testing.T) {
	ctx := context.Background()
	s := testSchema(t)
	st, hub := openReplica(t, s, 1, nil), openReplica(t, s, 2, nil)
	c1, _ := st.Write(ctx, replica.Edit{Table: "things", Row: rowID(1), Set: []replica.ColumnValue{{Column: "name", Value: "a"}}})
	if _, err := hub.Apply(ctx, c1, "", 0); err != nil {
		t.Fatal(err)
	}
	c2, _ := hub.Write(ctx, replica.Edit{Table: "things", Row: rowID(1), Set: []replica.ColumnValue{{Column: "name", Value: "b"}}})
	hub.Write(ctx, replica.Edit{Table: "things", Row: rowID(2), Set: []replica.ColumnValue{{Column: "name", Value: "other"}}})
	entries, scanned, err := hub.ReadLog(ctx, 0, replica.LogQuery{MarkReplaced: true, SkipLiveFrom: 1,
		Filter: func(t *replica.Table, row ident.ID) bool { return row == rowID(1) }})
	if err != nil {
		t.Fatal(err)
	}
	if scanned != 3 || len(entries) != 2 {
		t.Fatalf("scanned %d, %d entries", scanned, len(entries))
	}
	if f := entries[0].Change.Fields[0]; !f.Dead || f.Value != nil {
		t.Fatalf("replaced version not marked: %+v", f)
	}
	if entries[1].Change.Version != c2[0].Version || entries[1].Change.Fields[0].Dead {
		t.Fatalf("live version: %+v", entries[1])
	}
	own, _, _ := st.ReadLog(ctx, 0, replica.LogQuery{Site: 1})
	if len(own) != 1 {
		t.Fatalf("own changes = %d", len(own))
	}
	// The station takes the relay: its own version comes back marked, which
	// changes its state but is not logged again (it would be sent up again).
	res, err := st.Apply(ctx, []replica.Change{entries[0].Change, entries[1].Change}, "hub", scanned)
	if err != nil || !res.New[0] || res.Seqs[0] != 0 || res.Seqs[1] == 0 {
		t.Fatalf("apply relay: %+v %v", res, err)
	}
	if own, _, _ := st.ReadLog(ctx, 0, replica.LogQuery{Site: 1}); len(own) != 1 {
		t.Fatalf("own changes after the relay = %d, want still 1", len(own))
	}
}

func fixedNow() time.Time { return time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC) }

func TestHistory(t *testing.T) {
	ctx := context.Background()
	s := testSchema(t)
	st := openReplica(t, s, 1, nil)
	hub, err := replica.Open(ctx, filepath.Join(t.TempDir(), "hub.db"), replica.Options{Schema: s, Site: 2, History: true})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Close()
	var all []replica.Change
	for i, name := range []string{"a", "b", "c"} {
		chs, err := st.Write(ctx, replica.Edit{Table: "things", Row: rowID(1), Set: []replica.ColumnValue{{Column: "name", Value: name}}},
			replica.Edit{Table: "things", Row: rowID(2), Set: []replica.ColumnValue{{Column: "count", Value: i}}})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, chs...)
	}
	if _, err := hub.Apply(ctx, all, "", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := hub.Write(ctx, replica.Edit{Table: "things", Row: rowID(1), Set: []replica.ColumnValue{{Column: "name", Value: "d"}}}); err != nil {
		t.Fatal(err)
	}
	h, err := hub.History(ctx, "things", rowID(1))
	if err != nil {
		t.Fatal(err)
	}
	var got []any
	for _, e := range h {
		if e.Change.Row != rowID(1) {
			t.Fatalf("history of row 1 holds row %s", e.Change.Row)
		}
		got = append(got, e.Change.Fields[0].Value)
	}
	if fmt.Sprint(got) != "[a b c d]" {
		t.Fatalf("history = %v", got)
	}
	if h[3].Change.Version.Site != 2 || h[0].Change.Version.Site != 1 {
		t.Fatal("history lost the origin sites")
	}
	if _, err := st.History(ctx, "things", rowID(1)); err == nil {
		t.Fatal("history without the index")
	}
}

// A transaction larger than a log row is logged as several rows, so that a
// sync batch never has to carry more than a row's worth at once.
func TestLargeTransactionSplitsLog(t *testing.T) {
	ctx := context.Background()
	s := testSchema(t)
	a, b := openReplica(t, s, 1, nil), openReplica(t, s, 2, nil)
	var edits []replica.Edit
	for i := 0; i < 2500; i++ {
		var id ident.ID
		id[0], id[1], id[2] = 9, byte(i>>8), byte(i)
		edits = append(edits, replica.Edit{Table: "things", Row: id, Set: []replica.ColumnValue{{Column: "count", Value: i}}})
	}
	chs, err := a.Write(ctx, edits...)
	if err != nil || len(chs) != 2500 {
		t.Fatalf("write: %d changes, %v", len(chs), err)
	}
	if seq, _ := a.MaxSeq(ctx); seq != 3 {
		t.Fatalf("2,500 changes in %d log rows, want 3", seq)
	}
	entries, scanned, err := a.ReadLog(ctx, 0, replica.LogQuery{Limit: 10, MaxBytes: 1 << 30})
	if err != nil || len(entries) != 1000 || scanned != 1 {
		t.Fatalf("first read: %d entries up to %d, %v", len(entries), scanned, err)
	}
	res, err := b.Apply(ctx, chs, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Seqs[0] != 1 || res.Seqs[999] != 1 || res.Seqs[1000] != 2 || res.Seqs[2499] != 3 {
		t.Fatalf("apply log rows: %d %d %d %d", res.Seqs[0], res.Seqs[999], res.Seqs[1000], res.Seqs[2499])
	}
}

func TestTrimLog(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	r := openReplica(t, testSchema(t), 1, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if _, err := r.Write(ctx, replica.Edit{Table: "things", Row: rowID(byte(i + 1)), Set: []replica.ColumnValue{{Column: "count", Value: i}}}); err != nil {
			t.Fatal(err)
		}
	}
	before, _, _ := r.ContentHash(ctx, nil)
	// Nothing is old enough yet.
	if n, err := r.TrimLog(ctx, 3, now.Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("trim of young rows: %d %v", n, err)
	}
	if n, err := r.TrimLog(ctx, 3, now.Add(time.Hour)); err != nil || n != 3 {
		t.Fatalf("trim: %d %v", n, err)
	}
	after, _, _ := r.ContentHash(ctx, nil)
	if before != after {
		t.Fatal("trimming the log changed the rows")
	}
	if _, err := r.Write(ctx, replica.Edit{Table: "things", Row: rowID(9), Set: []replica.ColumnValue{{Column: "count", Value: 9}}}); err != nil {
		t.Fatal(err)
	}
	if seq, _ := r.MaxSeq(ctx); seq != 4 {
		t.Fatalf("sequence after trimming everything = %d, want 4 (never reused)", seq)
	}
	entries, _, _ := r.ReadLog(ctx, 0, replica.LogQuery{})
	if len(entries) != 1 || entries[0].Seq != 4 {
		t.Fatalf("log after trim: %+v", entries)
	}
}

// TestTrimLogFreesPages: a new replica has incremental auto-vacuum, so the
// pages of a trimmed log go back to the file system (the station's database
// stays near the size of its records).
func TestTrimLogFreesPages(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	r := openReplica(t, testSchema(t), 1, func() time.Time { return now })
	var mode int
	if err := r.DB().QueryRow(`PRAGMA auto_vacuum`).Scan(&mode); err != nil || mode != 2 {
		t.Fatalf("auto_vacuum = %d (%v), want 2 (incremental)", mode, err)
	}
	big := strings.Repeat("长", 2000)
	for i := range 300 {
		if _, err := r.Write(ctx, replica.Edit{Table: "things", Row: rowID(1),
			Set: []replica.ColumnValue{{Column: "name", Value: fmt.Sprint(i, big)}}}); err != nil {
			t.Fatal(err)
		}
	}
	pages := func() int {
		var n int
		if err := r.DB().QueryRow(`PRAGMA page_count`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := pages()
	if n, err := r.TrimLog(ctx, 300, now.Add(time.Hour)); err != nil || n != 300 {
		t.Fatalf("trim: %d %v", n, err)
	}
	if after := pages(); after > before/4 {
		t.Fatalf("pages after trimming the whole log: %d of %d", after, before)
	}
}

// TestSchemaAppendsColumns: a database made by an earlier schema gains the
// columns the schema appended since, keeping its rows and merge state; a
// column inserted before others, or renamed, is refused.
func TestSchemaAppendsColumns(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.db")
	// The first two columns are the first version's, ids 0 and 1, the
	// delete marker 2; later ones are version 2's, ids 3 on.
	declare := func(cols ...string) (*replica.Schema, error) {
		var cs []replica.Column
		for i, c := range cols {
			col := replica.Column{Name: c, Type: replica.Text, ID: i}
			if i >= 2 {
				col.ID, col.Since = i+1, 2
			}
			cs = append(cs, col)
		}
		return replica.NewSchema(&replica.Table{Name: "things", DeletedID: 2, Columns: cs})
	}
	schema := func(cols ...string) *replica.Schema {
		s, err := declare(cols...)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	open := func(s *replica.Schema) (*replica.Replica, error) {
		return replica.Open(ctx, path, replica.Options{Schema: s, Site: 7, Indexes: map[string][][]string{"things": {{"name"}}}})
	}
	r, err := open(schema("name", "phone"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Write(ctx, replica.Edit{Table: "things", Row: rowID(1), Set: []replica.ColumnValue{
		{Column: "name", Value: "其木格"}, {Column: "phone", Value: "13900000001"}}}); err != nil {
		t.Fatal(err)
	}
	r.Close()

	r, err = open(schema("name", "phone", "entered_by"))
	if err != nil {
		t.Fatalf("open with an appended column: %v", err)
	}
	if _, err := r.Write(ctx, replica.Edit{Table: "things", Row: rowID(1), Set: []replica.ColumnValue{
		{Column: "phone", Value: "13900000002"}, {Column: "entered_by", Value: "阿拉坦"}}}); err != nil {
		t.Fatal(err)
	}
	var name, phone, by string
	id := rowID(1)
	if err := r.DB().QueryRow(`SELECT name, phone, entered_by FROM things WHERE id = ?`, id[:]).Scan(&name, &phone, &by); err != nil {
		t.Fatal(err)
	}
	if name != "其木格" || phone != "13900000002" || by != "阿拉坦" {
		t.Fatalf("row after the new column: %q %q %q", name, phone, by)
	}
	heads, err := r.Heads(ctx, "things", rowID(1))
	if err != nil || len(heads) == 0 {
		t.Fatalf("heads after the new column: %v %v", heads, err)
	}
	r.Close()

	if _, err := open(schema("name", "email", "phone", "entered_by")); !errors.Is(err, replica.ErrSchemaChanged) {
		t.Fatalf("a column inserted before others: %v, want ErrSchemaChanged", err)
	}
	if _, err := open(schema("name", "email", "entered_by")); !errors.Is(err, replica.ErrSchemaChanged) {
		t.Fatalf("a column renamed: %v, want ErrSchemaChanged", err)
	}
}

func TestOptionIndexes(t *testing.T) {
	ctx := context.Background()
	s := testSchema(t)
	r, err := replica.Open(ctx, filepath.Join(t.TempDir(), "r.db"), replica.Options{Schema: s,
		Indexes: map[string][][]string{"things": {{replica.DeletedColumn, "name", "id"}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var n int
	if err := r.DB().QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'things' AND sql LIKE '%fs_deleted, name, id%'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("index made: %d %v", n, err)
	}
	for _, bad := range []map[string][][]string{{"nope": {{"name"}}}, {"things": {{"nope"}}}} {
		if _, err := replica.Open(ctx, filepath.Join(t.TempDir(), "r.db"), replica.Options{Schema: s, Indexes: bad}); err == nil {
			t.Fatalf("index %v accepted", bad)
		}
	}
}

// CountSince counts a site's own changes from its own log rows, and another
// site's changes inside log rows of mixed origin one by one.
func TestCountSince(t *testing.T) {
	ctx := context.Background()
	s := testSchema(t)
	a, b, hub := openReplica(t, s, 1, nil), openReplica(t, s, 2, nil), openReplica(t, s, 3, nil)
	edit := func(r *replica.Replica, n byte) []replica.Change {
		t.Helper()
		chs, err := r.Write(ctx, replica.Edit{Table: "things", Row: rowID(n), Set: []replica.ColumnValue{
			{Column: "name", Value: fmt.Sprint("thing ", n)}, {Column: "count", Value: int64(n)}}})
		if err != nil {
			t.Fatal(err)
		}
		return chs
	}
	ca := append(edit(a, 1), edit(a, 2)...)
	cb := edit(b, 3)
	// The hub applies a and b together: one log row of mixed origin.
	if _, err := hub.Apply(ctx, append(append([]replica.Change{}, ca...), cb...), "", 0); err != nil {
		t.Fatal(err)
	}
	ch := edit(hub, 4)
	for _, tc := range []struct {
		site replica.SiteID
		want int
	}{{0, len(ca) + len(cb) + len(ch)}, {1, len(ca)}, {2, len(cb)}, {3, len(ch)}, {9, 0}} {
		if n, err := hub.CountSince(ctx, 0, tc.site); err != nil || n != tc.want {
			t.Errorf("CountSince(0, site %d) = %d, %v; want %d", tc.site, n, err, tc.want)
		}
	}
	if n, err := a.CountSince(ctx, 1, 1); err != nil || n != len(ca)/2 {
		t.Errorf("a.CountSince(1, own) = %d, %v; want %d (the second write's changes)", n, err, len(ca)/2)
	}
}

// Tx.Values gives what Tx.Row gives for the named columns, before and after
// the transaction's pending rows are written, and nothing for a missing row.
func TestTxValues(t *testing.T) {
	ctx := context.Background()
	r := openReplica(t, testSchema(t), 1, nil)
	if _, err := r.Write(ctx, replica.Edit{Table: "things", Row: rowID(1), Set: []replica.ColumnValue{
		{Column: "name", Value: "旧"}, {Column: "count", Value: int64(1)}}}); err != nil {
		t.Fatal(err)
	}
	_, err := r.Update(ctx, func(tx *replica.Tx) error {
		check := func(when, name string, count int64) {
			t.Helper()
			vals, ok, err := tx.Values(ctx, "things", rowID(1), "name", "count", replica.DeletedColumn)
			if err != nil || !ok || vals[0] != name || vals[1] != count || vals[2] != int64(0) {
				t.Errorf("%s: Values = %v, %v, %v; want %s %d 0", when, vals, ok, err, name, count)
			}
			row, err := tx.Row(ctx, "things", rowID(1))
			if err != nil || row["name"] != vals[0] || row["count"] != vals[1] {
				t.Errorf("%s: Row = %v, %v; Values %v", when, row, err, vals)
			}
		}
		check("stored", "旧", 1)
		if _, err := tx.Edit(ctx, replica.Edit{Table: "things", Row: rowID(1), Set: []replica.ColumnValue{{Column: "name", Value: "新"}}}); err != nil {
			return err
		}
		check("pending", "新", 1)
		if _, err := tx.Exec(ctx, `SELECT 1`); err != nil { // writes the pending row
			return err
		}
		check("written", "新", 1)
		if vals, ok, err := tx.Values(ctx, "things", rowID(9), "name"); err != nil || ok || vals != nil {
			t.Errorf("missing row: %v, %v, %v", vals, ok, err)
		}
		if _, _, err := tx.Values(ctx, "things", rowID(1), "nope"); !errors.Is(err, replica.ErrUnknownCol) {
			t.Errorf("unknown column: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// SameValue compares as the replica stores: converted to the column's type,
// NULL only with NULL, a value the column would refuse never the same.
func TestSameValue(t *testing.T) {
	for _, tc := range []struct {
		ct        replica.ColumnType
		stored, v any
		want      bool
	}{
		{replica.Integer, int64(3), 3, true},
		{replica.Integer, int64(1), true, true},
		{replica.Integer, int64(3), int64(4), false},
		{replica.Integer, int64(3), "3", false},
		{replica.Real, 2.5, 2.5, true},
		{replica.Real, 2.0, int64(2), true},
		{replica.Real, 2.0, math.NaN(), false},
		{replica.Text, "甲", "甲", true},
		{replica.Text, "甲", "乙", false},
		{replica.Text, "\xff", "\xff", false},
		{replica.Text, nil, nil, true},
		{replica.Text, "甲", nil, false},
		{replica.Text, nil, "甲", false},
	} {
		if got := replica.SameValue(tc.ct, tc.stored, tc.v); got != tc.want {
			t.Errorf("SameValue(%v, %#v, %#v) = %v, want %v", tc.ct, tc.stored, tc.v, got, tc.want)
		}
	}
}
