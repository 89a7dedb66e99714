package syncproto

import (
	"testing"
)

// A batch that ends inside a transaction's group of changes must not move
// the receiver's cursor past the group.
func TestBatchesKeepGroupsWhole(t *testing.T) {
	type span struct{ n, last int }
	for _, tc := range []struct {
		name          string
		seqs          []uint64
		prev, through uint64
		max           int
		want          []span
	}{
		{"empty moves the cursor", nil, 5, 9, 3, []span{{0, 9}}},
		{"one per row", []uint64{6, 7, 8}, 5, 10, 2, []span{{2, 7}, {1, 10}}},
		{"group split", []uint64{6, 6, 6, 6, 7}, 5, 7, 2, []span{{2, 5}, {2, 6}, {1, 7}}},
		{"group split mid", []uint64{6, 7, 7, 7}, 5, 7, 2, []span{{2, 6}, {2, 7}}},
		{"group split at start", []uint64{6, 6, 6}, 5, 6, 1, []span{{1, 5}, {1, 5}, {1, 6}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bs := Batches(entries(tc.seqs...), tc.prev, tc.through, tc.max)
			if len(bs) != len(tc.want) {
				t.Fatalf("%d batches, want %d", len(bs), len(tc.want))
			}
			for i, b := range bs {
				if len(b.Changes) != tc.want[i].n || b.Last != uint64(tc.want[i].last) {
					t.Errorf("batch %d: %d changes, last %d; want %+v", i, len(b.Changes), b.Last, tc.want[i])
				}
			}
		})
	}
}
