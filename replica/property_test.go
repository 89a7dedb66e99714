package replica_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"fieldsync/hlc"
	"fieldsync/ident"
	"fieldsync/replica"
)

// cluster is a set of replicas with real SQLite files in a temporary folder.
type cluster struct {
	t    *rapid.T
	dir  string
	reps []*replica.Replica
	pool []replica.Change // every change written anywhere
}

func newCluster(t *rapid.T, s *replica.Schema, n int) *cluster {
	dir, err := os.MkdirTemp("", "fieldsync-prop-")
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, dir: dir}
	for i := 0; i < n; i++ {
		r, err := replica.Open(context.Background(), filepath.Join(dir, fmt.Sprintf("r%d.db", i)), replica.Options{
			Schema: s, Site: replica.SiteID(i + 1), Key: testKey, Synchronous: "NORMAL",
			// A shared fake wall clock that stands still makes the counters, and
			// so the tie-breaking by site, do the work.
			Clock: hlc.NewClock(fixedNow),
		})
		if err != nil {
			t.Fatal(err)
		}
		c.reps = append(c.reps, r)
	}
	return c
}

func (c *cluster) close() {
	for _, r := range c.reps {
		r.Close()
	}
	os.RemoveAll(c.dir)
}

var propRows = []ident.ID{rowID(1), rowID(2), rowID(3)}

// randomEdit draws an edit of one of a few rows, so that edits collide.
func randomEdit(t *rapid.T) replica.Edit {
	e := replica.Edit{Table: "things", Row: rapid.SampledFrom(propRows).Draw(t, "row")}
	switch rapid.IntRange(0, 5).Draw(t, "kind") {
	case 0:
		e.Set = []replica.ColumnValue{{Column: "name", Value: rapid.SampledFrom([]string{"a", "b", "c"}).Draw(t, "name")}}
	case 1:
		e.Set = []replica.ColumnValue{{Column: "count", Value: rapid.Int64Range(0, 3).Draw(t, "count")}}
	case 2:
		e.Add = []replica.SetElem{{Column: "tags", Elem: rapid.SampledFrom([]string{"x", "y", "z"}).Draw(t, "add")}}
	case 3:
		e.Remove = []replica.SetElem{{Column: "tags", Elem: rapid.SampledFrom([]string{"x", "y", "z"}).Draw(t, "rm")}}
	case 4:
		e.Delete = true
	case 5:
		e.Set = []replica.ColumnValue{
			{Column: "name", Value: rapid.SampledFrom([]string{"a", "b"}).Draw(t, "name2")},
			{Column: "price", Value: rapid.Float64Range(0, 10).Draw(t, "price")},
		}
	}
	return e
}

func (c *cluster) write(i int, e replica.Edit) {
	chs, err := c.reps[i].Write(context.Background(), e)
	if err != nil {
		c.t.Fatalf("write at %d: %v", i, err)
	}
	c.pool = append(c.pool, chs...)
}

// deliver applies a random sample of the pool, shuffled, with duplicates.
func (c *cluster) deliver(t *rapid.T, i int, all bool) {
	var batch []replica.Change
	if all {
		batch = append(batch, c.pool...)
	} else if len(c.pool) > 0 {
		idx := rapid.SliceOfN(rapid.IntRange(0, len(c.pool)-1), 0, 8).Draw(t, "sample")
		for _, k := range idx {
			batch = append(batch, c.pool[k])
		}
	}
	perm := rapid.Permutation(batch).Draw(t, "order")
	// Split into batches so that several transactions apply them.
	for len(perm) > 0 {
		n := min(len(perm), rapid.IntRange(1, 5).Draw(t, "batch"))
		if _, err := c.reps[i].Apply(context.Background(), cloneChanges(perm[:n]), "", 0); err != nil {
			t.Fatalf("apply at %d: %v", i, err)
		}
		perm = perm[n:]
	}
}

func cloneChanges(cs []replica.Change) []replica.Change {
	out := make([]replica.Change, len(cs))
	for i, c := range cs {
		out[i] = c
		out[i].Fields = slices.Clone(c.Fields)
	}
	return out
}

// modelHeads computes, straight from the DESIGN rule, the heads of every
// column of every row: the versions no change in the pool replaces.
func modelHeads(pool []replica.Change) map[string][]string {
	type key struct {
		row  ident.ID
		col  int
		elem string
	}
	vals := map[key]map[replica.Version]any{}
	replaced := map[key]map[replica.Version]bool{}
	for _, c := range pool {
		for _, f := range c.Fields {
			k := key{c.Row, f.Col, f.Elem}
			if vals[k] == nil {
				vals[k], replaced[k] = map[replica.Version]any{}, map[replica.Version]bool{}
			}
			vals[k][c.Version] = f.Value
			for _, r := range f.Replaces {
				replaced[k][r] = true
			}
		}
	}
	out := map[string][]string{}
	for k, vs := range vals {
		var heads []string
		for v, x := range vs {
			if !replaced[k][v] {
				heads = append(heads, fmt.Sprintf("%v=%v", v, x))
			}
		}
		slices.Sort(heads)
		out[fmt.Sprintf("%s/%d/%s", k.row, k.col, k.elem)] = heads
	}
	return out
}

func replicaHeads(t *rapid.T, r *replica.Replica) map[string][]string {
	out := map[string][]string{}
	for _, row := range propRows {
		hs, err := r.Heads(context.Background(), "things", row)
		if err != nil {
			continue // row never written
		}
		for _, h := range hs {
			var heads []string
			for _, x := range h.Heads {
				heads = append(heads, fmt.Sprintf("%v=%v", x.Version, x.Value))
			}
			slices.Sort(heads)
			out[fmt.Sprintf("%s/%d/%s", row, h.Col, h.Elem)] = heads
		}
	}
	return out
}

func (c *cluster) hashes(t *rapid.T) [][32]byte {
	var out [][32]byte
	for i, r := range c.reps {
		h, _, err := r.ContentHash(context.Background(), nil)
		if err != nil {
			t.Fatalf("hash %d: %v", i, err)
		}
		out = append(out, h)
	}
	return out
}

func conflicts(t *rapid.T, r *replica.Replica) []string {
	var out []string
	for _, row := range propRows {
		hs, _ := r.Heads(context.Background(), "things", row)
		for _, h := range hs {
			if h.Conflict {
				out = append(out, fmt.Sprintf("%s/%s", row, h.Column))
			}
		}
	}
	return out
}

// TestPropertyConvergence: any interleaving of writes and partial, shuffled,
// duplicated deliveries ends, once everyone has everything, with identical
// rows and merge state everywhere, the heads the DESIGN rule gives, and the
// same conflicts; a write that replaces all heads then settles them everywhere.
func TestPropertyConvergence(t *testing.T) {
	s := testSchema(t)
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(3, 4).Draw(t, "replicas")
		c := newCluster(t, s, n)
		defer c.close()
		steps := rapid.IntRange(1, 30).Draw(t, "steps")
		for k := 0; k < steps; k++ {
			i := rapid.IntRange(0, n-1).Draw(t, "who")
			if rapid.Bool().Draw(t, "write") {
				c.write(i, randomEdit(t))
			} else {
				c.deliver(t, i, false)
			}
		}
		for i := range c.reps {
			c.deliver(t, i, true)
		}
		hs := c.hashes(t)
		for i := 1; i < n; i++ {
			if hs[i] != hs[0] {
				t.Fatalf("replica %d differs from replica 0 after seeing the same changes", i)
			}
		}
		want := modelHeads(c.pool)
		for i, r := range c.reps {
			got := replicaHeads(t, r)
			for k, w := range want {
				if !slices.Equal(got[k], w) {
					t.Fatalf("replica %d column %s heads = %v, model says %v", i, k, got[k], w)
				}
			}
		}
		// Settle every conflict at replica 0 and deliver: no conflict remains.
		c0 := conflicts(t, c.reps[0])
		for i := 1; i < n; i++ {
			if !slices.Equal(conflicts(t, c.reps[i]), c0) {
				t.Fatalf("replicas disagree on conflicts")
			}
		}
		for _, row := range propRows {
			for _, col := range []string{"name", "count", "price"} {
				c.write(0, replica.Edit{Table: "things", Row: row, Set: []replica.ColumnValue{{Column: col, Value: nil}}})
			}
		}
		for i := range c.reps {
			c.deliver(t, i, true)
		}
		for i, r := range c.reps {
			if cs := conflicts(t, r); len(cs) != 0 {
				t.Fatalf("replica %d still in conflict after a write replacing all heads: %v", i, cs)
			}
		}
	})
}

// TestPropertyCausalNoConflict: when every writer has seen every earlier
// change, nothing is ever reported in conflict.
func TestPropertyCausalNoConflict(t *testing.T) {
	s := testSchema(t)
	rapid.Check(t, func(t *rapid.T) {
		c := newCluster(t, s, 3)
		defer c.close()
		for k := rapid.IntRange(1, 20).Draw(t, "steps"); k > 0; k-- {
			i := rapid.IntRange(0, 2).Draw(t, "who")
			c.deliver(t, i, true)
			c.write(i, randomEdit(t))
		}
		for i, r := range c.reps {
			c.deliver(t, i, true)
			res, err := r.Apply(context.Background(), cloneChanges(c.pool), "", 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Conflicts) != 0 {
				t.Fatalf("causal edits reported in conflict: %+v", res.Conflicts)
			}
			if cs := conflicts(t, r); len(cs) != 0 {
				t.Fatalf("replica %d: causal edits in conflict: %v", i, cs)
			}
		}
	})
}

// TestPropertyHubRelay plays DESIGN's star topology on real replicas (the
// executable model is shared/model/heads.py): stations push their own changes
// to the hub; the hub relays, in its log order, every version of the rows in
// a station's scope, marking those it knows are replaced; a row entering a
// station's scope arrives as the hub's snapshot. After healing every station
// holds exactly the hub's rows and merge state for its scope.
func TestPropertyHubRelay(t *testing.T) {
	s := testSchema(t)
	rapid.Check(t, func(t *rapid.T) {
		ctx := context.Background()
		n := rapid.IntRange(2, 3).Draw(t, "stations")
		c := newCluster(t, s, n+1)
		defer c.close()
		hub, st := c.reps[n], c.reps[:n]
		scope := make([]map[ident.ID]bool, n)
		for i := range scope {
			scope[i] = map[ident.ID]bool{}
			for _, row := range propRows {
				if rapid.Bool().Draw(t, "inscope") {
					scope[i][row] = true
				}
			}
		}
		pushed := make([]uint64, n)
		relayed := make([]uint64, n)
		push := func(i int, limit int) {
			entries, _, err := st[i].ReadLog(ctx, pushed[i], replica.LogQuery{Site: st[i].Site(), Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) == 0 {
				return
			}
			chs := make([]replica.Change, len(entries))
			for k, e := range entries {
				chs[k] = e.Change
			}
			last := entries[len(entries)-1].Seq
			if _, err := hub.Apply(ctx, chs, fmt.Sprintf("up:%d", i), last); err != nil {
				t.Fatal(err)
			}
			pushed[i] = last
		}
		relay := func(i int, limit int) {
			entries, scanned, err := hub.ReadLog(ctx, relayed[i], replica.LogQuery{
				Limit: limit, MarkReplaced: true, SkipLiveFrom: st[i].Site(),
				Filter: func(_ *replica.Table, row ident.ID) bool { return scope[i][row] },
			})
			if err != nil {
				t.Fatal(err)
			}
			chs := make([]replica.Change, len(entries))
			for k, e := range entries {
				chs[k] = e.Change
			}
			if len(entries) < limit {
				// Everything up to scanned was examined: resume after it.
			} else {
				scanned = entries[len(entries)-1].Seq
			}
			if _, err := st[i].Apply(ctx, chs, "down", scanned); err != nil {
				t.Fatal(err)
			}
			relayed[i] = scanned
		}
		enter := func(i int, row ident.ID) {
			if scope[i][row] {
				return
			}
			snap, err := hub.Snapshot(ctx, "things", row)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st[i].Apply(ctx, snap, "", 0); err != nil {
				t.Fatal(err)
			}
			scope[i][row] = true
		}
		for k := rapid.IntRange(1, 40).Draw(t, "steps"); k > 0; k-- {
			i := rapid.IntRange(0, n-1).Draw(t, "who")
			switch a := rapid.IntRange(0, 9).Draw(t, "action"); {
			case a < 4:
				e := randomEdit(t)
				if !scope[i][e.Row] {
					enter(i, e.Row) // a station edits only rows it holds
				}
				c.write(i, e)
			case a < 6:
				push(i, rapid.IntRange(1, 4).Draw(t, "n"))
			case a < 8:
				relay(i, rapid.IntRange(1, 4).Draw(t, "n"))
			case a < 9:
				enter(i, rapid.SampledFrom(propRows).Draw(t, "enter"))
			default:
				// An administrator settles whatever is in conflict at the hub.
				for _, row := range propRows {
					hs, _ := hub.Heads(ctx, "things", row)
					for _, h := range hs {
						if h.Conflict {
							c.write(n, replica.Edit{Table: "things", Row: row,
								Set: []replica.ColumnValue{{Column: h.Column, Value: h.Heads[0].Value}}})
						}
					}
				}
			}
		}
		for round := 0; round < 3; round++ {
			for i := range st {
				push(i, 1<<20)
			}
			for i := range st {
				relay(i, 1<<20)
			}
		}
		for i := range st {
			inScope := func(_ *replica.Table, row ident.ID) bool { return scope[i][row] }
			hh, hn, err := hub.ContentHash(ctx, inScope)
			if err != nil {
				t.Fatal(err)
			}
			sh, sn, err := st[i].ContentHash(ctx, inScope)
			if err != nil {
				t.Fatal(err)
			}
			if hh != sh || hn != sn {
				for _, row := range propRows {
					if scope[i][row] {
						a, _ := hub.Heads(ctx, "things", row)
						b, _ := st[i].Heads(ctx, "things", row)
						t.Logf("row %s\n hub     %+v\n station %+v", row, a, b)
					}
				}
				t.Fatalf("station %d diverges from the hub (%d vs %d rows)", i, sn, hn)
			}
		}
	})
}

// TestPropertyValuesRoundTrip: any text (SQL, HTML, control characters, long
// values) and any set element goes into a replica, through its log to another
// replica, and back out of SQL unchanged.
func TestPropertyValuesRoundTrip(t *testing.T) {
	s := testSchema(t)
	rapid.Check(t, func(t *rapid.T) {
		c := newCluster(t, s, 2)
		defer c.close()
		ctx := context.Background()
		text := rapid.OneOf(
			rapid.String(),
			rapid.SampledFrom([]string{"'; DROP TABLE things; --", "<script>alert(1)</script>", "\x00\x01\t\n\r", "\"quoted\" \\ back", "名字\u2028行"}),
			rapid.SampledFrom([]string{strings.Repeat("长", 20000), strings.Repeat("a", replica.MaxValueBytes+1)}),
		).Draw(t, "text")
		elem := rapid.StringN(1, 20, 200).Draw(t, "elem")
		num := rapid.Float64().Draw(t, "num")
		e := replica.Edit{Table: "things", Row: rowID(1), Set: []replica.ColumnValue{
			{Column: "name", Value: text}, {Column: "price", Value: num},
			{Column: "tags", Value: []string{elem, "x"}},
		}}
		_, err := c.reps[0].Write(ctx, e)
		if len(text) > replica.MaxValueBytes {
			if err == nil {
				t.Fatal("oversized text accepted")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		entries, _, err := c.reps[0].ReadLog(ctx, 0, replica.LogQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var chs []replica.Change
		for _, en := range entries {
			chs = append(chs, en.Change)
		}
		if _, err := c.reps[1].Apply(ctx, chs, "", 0); err != nil {
			t.Fatal(err)
		}
		for i, r := range c.reps {
			var name, tags string
			var price float64
			if err := r.DB().QueryRow(`SELECT name, price, tags FROM things WHERE id = ?`, rowID(1)).Scan(&name, &price, &tags); err != nil {
				t.Fatal(err)
			}
			if name != text || price != num {
				t.Fatalf("replica %d: %q %v, want %q %v", i, name, price, text, num)
			}
			var got []string
			rows, err := r.DB().Query(`SELECT value FROM json_each(?)`, tags)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var v string
				rows.Scan(&v)
				got = append(got, v)
			}
			rows.Close()
			want := []string{elem, "x"}
			slices.Sort(want)
			want = slices.Compact(want)
			if !slices.Equal(got, want) {
				t.Fatalf("replica %d: set %q reads back as %q", i, want, got)
			}
		}
	})
}
