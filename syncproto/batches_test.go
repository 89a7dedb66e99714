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
		{"filtered entries between", []uint64{9, 12, 20}, 5, 20, 2, []span{{2, 12}, {1, 20}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bs := Batches(entries(tc.seqs...), tc.prev, tc.through, tc.max)
			if len(bs) != len(tc.want) {
				t.Fatalf("%d batches, want %d", len(bs), len(tc.want))
			}
			prev := tc.prev
			for i, b := range bs {
				if len(b.Changes) != tc.want[i].n || b.Last != uint64(tc.want[i].last) {
					t.Errorf("batch %d: %d changes, last %d; want %+v", i, len(b.Changes), b.Last, tc.want[i])
				}
				// The batches cover the log without gaps, and each can be
				// encoded: the receiver's cursor rule accepts them in order.
				if b.First != prev+1 && (b.First != prev || b.Last != prev) {
					t.Errorf("batch %d: first %d last %d after %d", i, b.First, b.Last, prev)
				}
				next, err := Follows(prev, b, false)
				if err != nil && len(b.Changes) > 0 {
					t.Errorf("batch %d refused: %v", i, err)
				}
				prev = next
			}
		})
	}
}

// The receiver's cursor rule: no gap, no empty batch that moves the
// cursor; a resend is accepted and moves nothing.
func TestFollows(t *testing.T) {
	one := entries(1)[0].Change
	for _, tc := range []struct {
		name        string
		seq         uint64
		first, last uint64
		changes     int
		want        uint64
		refused     bool
		gapsRefused bool // refused only where gaps are (the strict rule)
	}{
		{"next", 10, 11, 15, 3, 15, false, false},
		{"start of a big group", 10, 10, 10, 3, 10, false, false},
		{"resend after a cut", 10, 5, 12, 3, 12, false, false},
		{"replay of an old batch", 10, 3, 7, 2, 10, false, false},
		{"empty resend", 10, 9, 10, 0, 10, false, false},
		{"gap", 10, 12, 15, 3, 10, false, true},
		{"far gap", 10, 999_999, 1_000_000, 1, 10, false, true},
		{"empty jump", 10, 11, 1_000_000, 0, 10, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &Batch{First: tc.first, Last: tc.last}
			for range tc.changes {
				b.Changes = append(b.Changes, one)
			}
			for _, gaps := range []bool{false, true} {
				refused, want := tc.refused || tc.gapsRefused && !gaps, tc.want
				if tc.gapsRefused && gaps {
					want = tc.last // the lenient rule lets a gap through
				}
				got, err := Follows(tc.seq, b, gaps)
				if (err != nil) != refused || got != want {
					t.Fatalf("Follows(%d, %d..%d, gaps %v) = %d, %v; want %d, refused %v", tc.seq, tc.first, tc.last, gaps, got, err, want, refused)
				}
				if err != nil && CodeOf(err) != ErrCodeCursor {
					t.Fatalf("code %v", CodeOf(err))
				}
			}
		})
	}
}
