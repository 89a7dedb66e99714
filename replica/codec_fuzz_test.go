package replica

import (
	"bytes"
	"testing"

	"fieldsync/hlc"
	"fieldsync/ident"
)

func fuzzSchema(t testing.TB) *Schema {
	s, err := NewSchema(&Table{Name: "things", DeletedID: 4, Columns: []Column{
		{Name: "name", Type: Text, ID: 0}, {Name: "count", Type: Integer, ID: 1},
		{Name: "price", Type: Real, ID: 2}, {Name: "tags", Type: Set, ID: 3},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sampleMeta() *rowMeta {
	v1 := Version{HLC: hlc.New(1000, 1), Site: 5}
	v2 := Version{HLC: hlc.New(2000, 0), Site: 9}
	m := &rowMeta{}
	m.apply(m.state(0, ""), v1, &Field{Col: 0, Value: "a"})
	m.apply(m.state(0, ""), v2, &Field{Col: 0, Value: "b"})
	m.apply(m.state(1, ""), v2, &Field{Col: 1, Value: int64(3), Replaces: []Version{v1}})
	m.apply(m.state(3, "x"), v1, &Field{Col: 3, Elem: "x", Value: int64(1)})
	m.apply(m.state(3, "y"), v2, &Field{Col: 3, Elem: "y", Value: int64(0)})
	return m
}

// FuzzDecodeMeta: stored row metadata may be damaged on disk; decoding it
// must fail cleanly, and what decodes must encode back to the same bytes.
func FuzzDecodeMeta(f *testing.F) {
	s := fuzzSchema(f)
	t, _ := s.Table("things")
	vals := []any{"b", int64(3), nil, `["x"]`, int64(0)}
	f.Add(sampleMeta().encode(t, nil))
	uni := &rowMeta{}
	v := Version{HLC: 7, Site: 1}
	uni.apply(uni.state(0, ""), v, &Field{Col: 0, Value: "b"})
	uni.apply(uni.state(3, "x"), v, &Field{Col: 3, Elem: "x", Value: int64(1)})
	f.Add(uni.encode(t, nil))
	f.Add([]byte{1, 0, 0})
	f.Add([]byte{2, 1, 1, 9})
	f.Fuzz(func(tt *testing.T, b []byte) {
		m, err := decodeMeta(t, b, vals)
		if err != nil {
			return
		}
		again := m.encode(t, nil)
		m2, err := decodeMeta(t, again, vals)
		if err != nil {
			tt.Fatalf("re-encoded metadata does not decode: %v", err)
		}
		if !bytes.Equal(m2.encode(t, nil), again) {
			tt.Fatal("encoding is not stable")
		}
	})
}

// FuzzDecodeChanges: log rows are read back by the relay; damaged bytes must
// give an error, never a panic or a huge allocation.
func FuzzDecodeChanges(f *testing.F) {
	s := fuzzSchema(f)
	t, _ := s.Table("things")
	c := Change{Table: "things", Row: ident.ID{1}, Version: Version{HLC: 99, Site: 3}, Fields: []Field{
		{Col: 0, Value: "名字"}, {Col: 2, Value: 1.5, Replaces: []Version{{HLC: 5, Site: 2}}},
		{Col: 3, Elem: "x", Value: int64(1)}, {Col: 1, Dead: true},
	}}
	body := appendChange([]byte{1}, t, &c)
	f.Add(body)
	f.Add([]byte{0})
	f.Add([]byte{200, 1})
	f.Fuzz(func(tt *testing.T, b []byte) {
		changes, tables, err := decodeChanges(s, b)
		if err != nil {
			return
		}
		out := []byte{byte(len(changes))}
		if len(changes) >= 0x80 {
			return // the count prefix would need a longer varint; not worth it here
		}
		for i := range changes {
			out = appendChange(out, tables[i], &changes[i])
		}
		again, _, err := decodeChanges(s, out)
		if err != nil || len(again) != len(changes) {
			tt.Fatalf("re-encoded changes do not decode: %v", err)
		}
	})
}
