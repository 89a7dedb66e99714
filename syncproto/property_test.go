package syncproto_test

import (
	"math"
	"reflect"
	"testing"

	"pgregory.net/rapid"

	"fieldsync/hlc"
	"fieldsync/ident"
	"fieldsync/replica"
	"fieldsync/syncproto"
)

// normalize makes equal messages deeply equal: empty slices become nil, and
// the value of a Dead field (which does not travel) is dropped.
func normalize(m syncproto.Message) syncproto.Message {
	b, ok := m.(*syncproto.Batch)
	if !ok {
		return m
	}
	out := &syncproto.Batch{First: b.First, Last: b.Last}
	for _, c := range b.Changes {
		nc := c
		nc.Fields = nil
		for _, f := range c.Fields {
			if f.Dead {
				f.Value = nil
			}
			if len(f.Replaces) == 0 {
				f.Replaces = nil
			}
			nc.Fields = append(nc.Fields, f)
		}
		out.Changes = append(out.Changes, nc)
	}
	return out
}

type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}

func assertSame(t tb, want, got syncproto.Message) {
	t.Helper()
	w, g := normalize(want), normalize(got)
	if reflect.DeepEqual(w, g) {
		return
	}
	if wb, ok := w.(*syncproto.Batch); ok {
		gb, ok := g.(*syncproto.Batch)
		if !ok {
			t.Fatalf("got %T, want a Batch", g)
		}
		if len(wb.Changes) != len(gb.Changes) {
			t.Fatalf("got %d changes, want %d", len(gb.Changes), len(wb.Changes))
		}
		for i := range wb.Changes {
			if !reflect.DeepEqual(wb.Changes[i], gb.Changes[i]) {
				t.Fatalf("change %d:\n got %#v\nwant %#v", i, gb.Changes[i], wb.Changes[i])
			}
		}
	}
	t.Fatalf("got %#v\nwant %#v", g, w)
}

var genSite = rapid.Custom(func(t *rapid.T) replica.SiteID {
	// A few sites mostly, so that the batch site table is shared.
	if rapid.Bool().Draw(t, "fewSites") {
		return replica.SiteID(rapid.Uint64Range(1, 4).Draw(t, "site"))
	}
	return replica.SiteID(rapid.Uint64Range(1, math.MaxUint64>>1).Draw(t, "site"))
})

func genVersion(t *rapid.T, near int64) replica.Version {
	ms := near
	if rapid.Bool().Draw(t, "farStamp") {
		ms = rapid.Int64Range(0, hlc.MaxMillis).Draw(t, "ms")
	} else {
		ms = max(0, min(hlc.MaxMillis, ms+rapid.Int64Range(-100000, 100000).Draw(t, "dms")))
	}
	return replica.Version{HLC: hlc.New(ms, rapid.Uint16().Draw(t, "counter")), Site: genSite.Draw(t, "site")}
}

var genText = rapid.OneOf(
	rapid.StringN(0, 20, -1),
	rapid.SampledFrom([]string{"", "汉族", "初中", "150421101201", "普通劳动力", "a\x00b"}),
	rapid.StringN(0, 300, -1),
)

func genValue(t *rapid.T, typ replica.ColumnType) any {
	if rapid.IntRange(0, 9).Draw(t, "null") == 0 {
		return nil
	}
	switch typ {
	case replica.Text:
		return genText.Draw(t, "text")
	case replica.Integer:
		return rapid.Int64().Draw(t, "int")
	case replica.Real:
		x := rapid.Float64().Draw(t, "real")
		if math.IsNaN(x) || math.IsInf(x, 0) {
			x = 0.5
		}
		return x
	}
	return nil
}

func genChange(t *rapid.T, s *replica.Schema, key ident.Key, near int64) replica.Change {
	tables := s.Tables()
	tbl := tables[rapid.IntRange(0, len(tables)-1).Draw(t, "table")]
	c := replica.Change{Table: tbl.Name, Version: genVersion(t, near)}
	var id ident.ID
	for id.IsZero() {
		copy(id[:], rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, "row"))
	}
	c.Row = id
	nf := rapid.IntRange(0, 12).Draw(t, "nfields")
	derive := tbl.KeyColumnIndex() >= 0 && rapid.Bool().Draw(t, "derive")
	if derive {
		// The key field, live, maybe not first; its value derives the row id.
		v := rapid.StringN(1, 20, -1).Draw(t, "natural")
		c.Row = key.Derive(tbl.Name, v)
		pre := rapid.IntRange(0, 2).Draw(t, "before key")
		for range pre {
			c.Fields = append(c.Fields, genField(t, tbl, c.Version))
		}
		for i := range c.Fields {
			if c.Fields[i].Col == tbl.KeyColumnIndex() {
				c.Fields[i].Dead = true // an earlier live key field would be used instead
				c.Fields[i].Value = nil
			}
		}
		c.Fields = append(c.Fields, replica.Field{Col: tbl.KeyColumnIndex(), Value: v})
	}
	for range nf {
		c.Fields = append(c.Fields, genField(t, tbl, c.Version))
	}
	return c
}

func genField(t *rapid.T, tbl *replica.Table, v replica.Version) replica.Field {
	f := replica.Field{Col: rapid.IntRange(0, tbl.NumColumns()-1).Draw(t, "col")}
	typ := tbl.ColumnType(f.Col)
	f.Dead = rapid.IntRange(0, 4).Draw(t, "dead") == 0
	if typ == replica.Set {
		f.Elem = rapid.StringN(1, 12, -1).Draw(t, "elem")
		if !f.Dead {
			f.Value = int64(rapid.IntRange(0, 1).Draw(t, "present"))
		}
	} else if !f.Dead {
		f.Value = genValue(t, typ)
	}
	for range rapid.IntRange(0, 3).Draw(t, "nreplaces") {
		rv := genVersion(t, v.HLC.Millis())
		f.Replaces = append(f.Replaces, rv)
	}
	return f
}

func genBatch(t *rapid.T, s *replica.Schema, key ident.Key) *syncproto.Batch {
	first := rapid.Uint64().Draw(t, "first")
	b := &syncproto.Batch{First: first, Last: first + rapid.Uint64Range(0, math.MaxUint64-first).Draw(t, "span")}
	n := rapid.IntRange(0, 40).Draw(t, "nchanges")
	near := rapid.Int64Range(0, hlc.MaxMillis).Draw(t, "near")
	for range n {
		b.Changes = append(b.Changes, genChange(t, s, key, near))
	}
	return b
}

// TestPropertyBatchRoundTrip checks Decode(Encode(b)) == b for random batches
// of random changes on the real schema, with and without the deployment key.
func TestPropertyBatchRoundTrip(t *testing.T) {
	s := testSchema(t)
	withKey := newCodec(t, testKey)
	noKey := newCodec(t, nil)
	rapid.Check(t, func(t *rapid.T) {
		b := genBatch(t, s, testKey)
		for _, c := range []*syncproto.Codec{withKey, noKey} {
			frame, err := c.Encode(nil, b)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			got, err := c.Decode(frame)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			assertSame(t, b, got)
		}
	})
}
