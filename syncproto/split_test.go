package syncproto

import (
	"testing"

	"pgregory.net/rapid"

	"fieldsync/ident"
	"fieldsync/replica"
)

// SplitChanges keeps every change, in order, and no part over either limit
// unless it is one change alone over the fields' limit.
func TestSplitChanges(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 300).Draw(t, "changes")
		maxChanges := rapid.IntRange(1, 50).Draw(t, "maxChanges")
		maxFields := rapid.IntRange(1, 200).Draw(t, "maxFields")
		maxBytes := rapid.SampledFrom([]int{0, 200, 1000, 5000}).Draw(t, "maxBytes")
		changes := make([]replica.Change, n)
		for i := range changes {
			changes[i].Row = ident.ID{0: byte(i), 1: byte(i >> 8)}
			changes[i].Fields = make([]replica.Field, rapid.IntRange(0, 20).Draw(t, "fields"))
			for j := range changes[i].Fields {
				changes[i].Fields[j].Replaces = make([]replica.Version, rapid.IntRange(0, 3).Draw(t, "replaces"))
				changes[i].Fields[j].Value = rapid.StringN(0, 400, -1).Draw(t, "value")
			}
		}
		parts := SplitChanges(changes, maxChanges, maxFields, maxBytes)
		k := 0
		for _, p := range parts {
			if len(p) == 0 || len(p) > maxChanges {
				t.Fatalf("a part of %d changes (limit %d)", len(p), maxChanges)
			}
			fields, bytes := 0, 0
			for _, c := range p {
				bytes += ChangeBytes(&c)
				if c.Row != changes[k].Row {
					t.Fatalf("change %d out of order", k)
				}
				k++
				fields += len(c.Fields)
				for _, f := range c.Fields {
					fields += len(f.Replaces)
				}
			}
			if maxBytes > 0 && bytes > maxBytes && len(p) > 1 {
				t.Fatalf("a part of %d changes of %d bytes (limit %d)", len(p), bytes, maxBytes)
			}
			if fields > maxFields && len(p) > 1 {
				t.Fatalf("a part of %d changes with %d fields (limit %d)", len(p), fields, maxFields)
			}
		}
		if k != n {
			t.Fatalf("%d changes in the parts, want %d", k, n)
		}
	})
}
