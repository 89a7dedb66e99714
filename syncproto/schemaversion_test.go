package syncproto_test

import (
	"reflect"
	"testing"

	"fieldsync/ident"
	"fieldsync/replica"
	"fieldsync/syncproto"
)

// TestOlderPeerDecodesFilteredBatch: a peer one schema version behind
// decodes what the newer side sends once the newer side drops what that
// version does not know (Schema.ChangeAt); unfiltered, the older codec
// refuses the batch.
func TestOlderPeerDecodesFilteredBatch(t *testing.T) {
	cols := []replica.Column{
		{Name: "name", Type: replica.Text, ID: 0},
		{Name: "count", Type: replica.Integer, ID: 1},
		{Name: "tags", Type: replica.Set, ID: 2},
	}
	v1, err := replica.NewSchema(&replica.Table{Name: "things", DeletedID: 3, Columns: cols})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := replica.NewSchema(
		&replica.Table{Name: "things", DeletedID: 3, Columns: append(cols[:3:3],
			replica.Column{Name: "entered_by", Type: replica.Text, ID: 4, Since: 2},
			replica.Column{Name: "score", Type: replica.Real, ID: 5, Since: 2})},
		&replica.Table{Name: "later", Since: 2, DeletedID: 1, Columns: []replica.Column{{Name: "x", Type: replica.Text}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	older, err := syncproto.NewCodec(v1, nil, syncproto.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	newer, err := syncproto.NewCodec(v2, nil, syncproto.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	row := ident.ID{0: 1, 15: 1}
	ver := replica.Version{HLC: 1 << 40, Site: 7}
	sent := []replica.Change{
		{Table: "things", Row: row, Version: ver, Fields: []replica.Field{
			{Col: 0, Value: "其木格"}, {Col: 1, Value: int64(3)}, {Col: 2, Elem: "瓦工", Value: int64(1)},
			{Col: 4, Value: "阿拉坦"}, {Col: 5, Value: 2.5}}},
		{Table: "things", Row: row, Version: replica.Version{HLC: 1<<40 + 1, Site: 7}, Fields: []replica.Field{
			{Col: 3, Value: int64(1), Replaces: []replica.Version{ver}}}},
		{Table: "later", Row: row, Version: ver, Fields: []replica.Field{{Col: 0, Value: "x"}}},
	}
	if frame, err := newer.Encode(nil, &syncproto.Batch{First: 1, Last: 1, Changes: sent}); err != nil {
		t.Fatal(err)
	} else if _, err := older.Decode(frame); err == nil {
		t.Fatal("the older codec decoded columns and tables it does not know")
	}
	var filtered []replica.Change
	for _, c := range sent {
		if c, ok := v2.ChangeAt(1, c); ok {
			filtered = append(filtered, c)
		}
	}
	frame, err := newer.Encode(nil, &syncproto.Batch{First: 1, Last: 1, Changes: filtered})
	if err != nil {
		t.Fatal(err)
	}
	m, err := older.Decode(frame)
	if err != nil {
		t.Fatalf("the older codec refuses the filtered batch: %v", err)
	}
	want := []replica.Change{
		{Table: "things", Row: row, Version: ver, Fields: []replica.Field{
			{Col: 0, Value: "其木格"}, {Col: 1, Value: int64(3)}, {Col: 2, Elem: "瓦工", Value: int64(1)}}},
		sent[1],
	}
	got := m.(*syncproto.Batch).Changes
	for i := range got {
		for j := range got[i].Fields {
			if len(got[i].Fields[j].Replaces) == 0 {
				got[i].Fields[j].Replaces = nil
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("older peer decoded\n%+v\nwant\n%+v", got, want)
	}
}
