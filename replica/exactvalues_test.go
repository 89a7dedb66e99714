package replica_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"fieldsync/ident"
	"fieldsync/replica"
	"fieldsync/syncproto"
)

// storedRow is a row as SQLite holds it: every column, fs_meta's bytes
// included, each value printed with its Go type (a float by its bits).
func storedRow(t interface {
	Helper()
	Fatalf(string, ...any)
}, r *replica.Replica, table string, id ident.ID) string {
	t.Helper()
	tb, _ := r.Schema().Table(table)
	cols := make([]string, 0, tb.NumColumns()+1)
	for i := range tb.NumColumns() {
		cols = append(cols, tb.ColumnName(i))
	}
	cols = append(cols, replica.MetaColumn)
	vals := make([]any, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	err := r.DB().QueryRow("SELECT "+strings.Join(cols, ", ")+" FROM "+table+" WHERE id = ?", id[:]).Scan(dest...)
	if err != nil {
		t.Fatalf("read %s %s: %v", table, id, err)
	}
	var b strings.Builder
	for i, v := range vals {
		switch x := v.(type) {
		case float64:
			fmt.Fprintf(&b, "%s=float(%#x) ", cols[i], math.Float64bits(x))
		case []byte:
			fmt.Fprintf(&b, "%s=%x ", cols[i], x)
		default:
			fmt.Fprintf(&b, "%s=%T(%q) ", cols[i], v, fmt.Sprint(v))
		}
	}
	return b.String()
}

// clocked opens a replica whose wall clock reads *now.
func clocked(t *testing.T, site replica.SiteID, now *time.Time) *replica.Replica {
	return openReplica(t, testSchema(t), site, func() time.Time { return *now })
}

// TestNegativeZeroIsOneValue: a REAL −0 written at one replica reads the
// same everywhere: the row and the merge state hold one value, whether a
// replica read the version back from its row (where SQLite keeps 0) or
// received it with its value.
func TestNegativeZeroIsOneValue(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	a, b := clocked(t, 1, &now), clocked(t, 2, &now)
	negZero := math.Copysign(0, -1)
	ca, err := a.Write(ctx, replica.Edit{Table: "things", Row: rowID(1), Set: []replica.ColumnValue{{Column: "price", Value: negZero}}})
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Second)
	// A later write, not replacing A's: two heads, B's the winner.
	cb, err := b.Write(ctx, replica.Edit{Table: "things", Row: rowID(1), Set: []replica.ColumnValue{{Column: "price", Value: 7.5}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Apply(ctx, cb, "", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(ctx, ca, "", 0); err != nil {
		t.Fatal(err)
	}
	if ra, rb := storedRow(t, a, "things", rowID(1)), storedRow(t, b, "things", rowID(1)); ra != rb {
		t.Fatalf("replicas that saw the same changes hold different bytes:\n%s\n%s", ra, rb)
	}
}

// TestNullDeleteMarkerIsOneValue: a change that gives the delete marker
// no value (NULL) reads the same at every replica: the row (which keeps
// 0) and the merge state agree, so replicas agree on whether the marker is
// in conflict, and hold the same bytes.
func TestNullDeleteMarkerIsOneValue(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	a, b, c := clocked(t, 1, &now), clocked(t, 2, &now), clocked(t, 3, &now)
	write := func(r *replica.Replica, v any) []replica.Change {
		t.Helper()
		now = now.Add(time.Second)
		chs, err := r.Write(ctx, replica.Edit{Table: "things", Row: rowID(1), Set: []replica.ColumnValue{
			{Column: "name", Value: "x"}, {Column: replica.DeletedColumn, Value: v}}})
		if err != nil {
			t.Fatal(err)
		}
		return chs
	}
	zero := write(a, int64(0)) // an earlier, concurrent "not deleted"
	// The winner gives the marker no value: a change as a peer may send
	// it (a local edit writing NULL over a marker never written writes
	// nothing).
	null := write(b, int64(1))
	tb, _ := a.Schema().Table("things")
	for i := range null[0].Fields {
		if null[0].Fields[i].Col == tb.DeletedCol() {
			null[0].Fields[i].Value = nil
		}
	}
	// C reads the NULL version back from its row before the 0 arrives;
	// A applies the NULL version into a row that already holds its 0.
	if _, err := c.Apply(ctx, null, "", 0); err != nil {
		t.Fatal(err)
	}
	resC, err := c.Apply(ctx, zero, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	resA, err := a.Apply(ctx, null, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(ctx, zero, "", 0); err != nil {
		t.Fatal(err)
	}
	if len(resA.Conflicts) != len(resC.Conflicts) {
		t.Fatalf("replicas disagree on a conflict of the delete marker: %v and %v", resA.Conflicts, resC.Conflicts)
	}
	// A third, later version of the marker makes the NULL one a losing
	// head, kept with its value in the merge state.
	later := write(a, int64(0))
	for _, r := range []*replica.Replica{b, c} {
		if _, err := r.Apply(ctx, later, "", 0); err != nil {
			t.Fatal(err)
		}
	}
	ra := storedRow(t, a, "things", rowID(1))
	for i, r := range []*replica.Replica{b, c} {
		if got := storedRow(t, r, "things", rowID(1)); got != ra {
			t.Fatalf("replica %d holds other bytes than A:\n%s\n%s", i+2, got, ra)
		}
	}
}

// oddFloats are floats that text, SQLite or a careless encoder could turn
// into another value.
var oddFloats = []float64{
	math.Copysign(0, -1), 0, 0.1 + 0.2, 1.0 / 3, math.Nextafter(1, 2), math.Nextafter(1, 0),
	math.SmallestNonzeroFloat64, 1e-310, -4.9e-324, math.MaxFloat64, -math.MaxFloat64,
	1 << 53, 1<<53 + 2, -(1 << 62), 1e300, 123456789.12345678, 2.5, -3,
}

var oddStrings = []string{
	"", "\x00", "a\x00b", "\u2028\u2029", "名字", "😀🇨🇳", "e\u0301", "\"[]\\", "\x7f\x01\t\n\r", "'; DROP TABLE things; --",
	"<script>", strings.Repeat("长", 3000), "\uFEFF", "\U0010FFFF", "  padded  ", "null", "0", "-0", "1e5",
}

// drawValue draws a value for a column of type typ, NULL included.
func drawValue(t *rapid.T, typ replica.ColumnType, label string) any {
	if rapid.IntRange(0, 9).Draw(t, label+"-null") == 0 {
		return nil
	}
	switch typ {
	case replica.Integer:
		return rapid.OneOf(rapid.SampledFrom([]int64{math.MinInt64, math.MaxInt64, 0, -1, 1, 1 << 53, -(1 << 53) - 1}),
			rapid.Int64()).Draw(t, label)
	case replica.Real:
		return rapid.OneOf(rapid.SampledFrom(oddFloats), rapid.Float64(),
			rapid.Map(rapid.Uint64(), func(u uint64) float64 {
				f := math.Float64frombits(u)
				if math.IsNaN(f) || math.IsInf(f, 0) {
					return -0.0
				}
				return f
			})).Draw(t, label)
	}
	return rapid.OneOf(rapid.SampledFrom(oddStrings), rapid.String()).Draw(t, label)
}

// exactRows reads every row of every replica as stored.
func exactRows(t interface {
	Helper()
	Fatal(...any)
	Fatalf(string, ...any)
}, r *replica.Replica) string {
	var b strings.Builder
	for _, id := range propRows {
		var n int
		if err := r.DB().QueryRow(`SELECT count(*) FROM things WHERE id = ?`, id[:]).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			fmt.Fprintf(&b, "%s: %s\n", id, storedRow(t, r, "things", id))
		}
	}
	return b.String()
}

// TestPropertyExactValues: random values (integer extremes, −0,
// subnormals, floats text does not carry exactly, odd and long strings,
// NULLs, set elements, a NULL delete marker) written at two replicas and
// carried through the sync codec to three, in random orders and batches:
// every replica ends with exactly the same row values and fs_meta bytes,
// and a value read back is the value written (−0 and a NULL delete marker
// written as 0).
func TestPropertyExactValues(t *testing.T) {
	s := testSchema(t)
	codec, err := syncproto.NewCodec(s, testKey, syncproto.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	tb, _ := s.Table("things")
	rapid.Check(t, func(t *rapid.T) {
		c := newCluster(t, s, 3)
		defer c.close()
		ctx := context.Background()
		pending := make([][]replica.Change, 3) // what each replica has yet to receive
		send := func(to int, chs []replica.Change) {
			if len(chs) == 0 {
				return
			}
			frame, err := codec.Encode(nil, &syncproto.Batch{First: 1, Last: 1, Changes: chs})
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			m, err := codec.Decode(frame)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if _, err := c.reps[to].Apply(ctx, m.(*syncproto.Batch).Changes, "", 0); err != nil {
				t.Fatalf("apply at %d: %v", to, err)
			}
		}
		deliver := func(to int, all bool) {
			p := rapid.Permutation(pending[to]).Draw(t, "order")
			n := len(p)
			if !all {
				n = rapid.IntRange(0, len(p)).Draw(t, "how many")
			}
			for sent := 0; sent < n; {
				k := min(n-sent, rapid.IntRange(1, 4).Draw(t, "batch"))
				send(to, p[sent:sent+k])
				sent += k
			}
			pending[to] = p[n:]
		}
		for range rapid.IntRange(1, 25).Draw(t, "steps") {
			if rapid.Bool().Draw(t, "write") {
				w := rapid.IntRange(0, 1).Draw(t, "writer")
				e := replica.Edit{Table: "things", Row: rapid.SampledFrom(propRows).Draw(t, "row")}
				for _, name := range []string{"name", "count", "price", replica.DeletedColumn} {
					if rapid.Bool().Draw(t, "set "+name) {
						col, _ := tb.Column(name)
						var v any
						if name == replica.DeletedColumn {
							v = rapid.SampledFrom([]any{nil, int64(0), int64(1)}).Draw(t, "deleted")
						} else {
							v = drawValue(t, tb.ColumnType(col), name)
						}
						e.Set = append(e.Set, replica.ColumnValue{Column: name, Value: v})
					}
				}
				if rapid.Bool().Draw(t, "add") {
					e.Add = []replica.SetElem{{Column: "tags", Elem: rapid.OneOf(rapid.SampledFrom(oddStrings[1:]), rapid.StringN(1, 10, 100)).Draw(t, "elem")}}
				}
				chs, err := c.reps[w].Write(ctx, e)
				if err != nil {
					t.Fatalf("write at %d: %v", w, err)
				}
				if len(chs) > 0 {
					checkReadBack(t, c.reps[w], e)
				}
				for i := range pending {
					if i != w {
						pending[i] = append(pending[i], cloneChanges(chs)...)
					}
				}
			} else {
				deliver(rapid.IntRange(0, 2).Draw(t, "to"), false)
			}
		}
		for i := range pending {
			deliver(i, true)
		}
		want := exactRows(t, c.reps[0])
		for i, r := range c.reps[1:] {
			if got := exactRows(t, r); got != want {
				t.Fatalf("replica %d holds other bytes than replica 0:\n%s\nreplica 0:\n%s", i+1, got, want)
			}
		}
	})
}

// checkReadBack: right after a write, the row holds what the edit set,
// exactly (−0 as 0, a NULL delete marker as 0).
func checkReadBack(t *rapid.T, r *replica.Replica, e replica.Edit) {
	tb, _ := r.Schema().Table(e.Table)
	stored := storedRow(t, r, e.Table, e.Row)
	for _, cv := range e.Set {
		v := cv.Value
		switch x := v.(type) {
		case float64:
			if x == 0 {
				v = 0.0
			}
		case nil:
			if cv.Column == replica.DeletedColumn {
				v = int64(0)
			}
		}
		var b bytes.Buffer
		switch x := v.(type) {
		case float64:
			fmt.Fprintf(&b, "%s=float(%#x) ", cv.Column, math.Float64bits(x))
		default:
			fmt.Fprintf(&b, "%s=%T(%q) ", cv.Column, v, fmt.Sprint(v))
		}
		if !strings.Contains(" "+stored, " "+b.String()) {
			t.Fatalf("%s.%s written as %#v reads back as\n%s", tb.Name, cv.Column, cv.Value, stored)
		}
	}
}
