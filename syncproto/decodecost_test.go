package syncproto_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"fieldsync/replica"
	"fieldsync/syncproto"
	"fieldsync/syncproto/internal/sampledata"
)

// denseBody is a stored batch body that decodes to as much as its bytes
// allow: n changes of the first table, each with k dead fields of a column
// that is not a set, and reps replaced versions per field.
func denseBody(t *testing.T, n, k, reps int) []byte {
	t.Helper()
	tab := testSchema(t).Tables()[0]
	col := -1
	for c := range tab.NumColumns() {
		if tab.ColumnType(c) != replica.Set {
			col = c
			break
		}
	}
	u := binary.AppendUvarint
	b := u(u(nil, uint64(n)), 1)
	b = binary.BigEndian.AppendUint64(b, 7) // the one site
	b = append(b, make([]byte, n)...)       // table 0, row id sent
	b = append(b, make([]byte, n)...)       // stamp deltas
	b = append(b, make([]byte, n)...)       // counters
	b = append(b, make([]byte, n)...)       // site indexes
	for range n {
		b = u(b, uint64(k))
	}
	for i := range n {
		b = append(b, bytes.Repeat([]byte{byte(i%250 + 1)}, 16)...)
	}
	h := uint64(col)<<3 | 1 // dead
	if reps > 0 {
		h |= 4 // replaces
	}
	for range n * k {
		b = u(b, h)
	}
	if reps > 0 {
		for range n * k {
			b = u(b, uint64(reps-1))
		}
		b = append(b, make([]byte, 3*n*k*reps)...) // stamp, counter, site index
	}
	return b
}

// A frame's DecodeCost bounds what Decode allocates for it, and what the
// decoded batch keeps; refused frames cost little.
func TestDecodeCostBoundsDecode(t *testing.T) {
	c := newCodec(t, testKey)
	workers, err := c.Encode(nil, &syncproto.Batch{First: 1, Last: 2000, Changes: sampledata.Workers(2000, 9, testKey)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		frame []byte
	}{
		{"workers, compressed", workers},
		{"dead fields, stored", storedBatch(denseBody(t, 1000, 200, 0))},
		{"replaced versions, stored", storedBatch(denseBody(t, 100, 256, 6))},
		{"one change, stored", storedBatch(denseBody(t, 1, 1, 0))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			peak, body := c.DecodeCost(tc.frame)
			var m syncproto.Message
			var err error
			perRun := allocated(3, func() { m, err = c.Decode(tc.frame) })
			if err != nil {
				t.Fatal(err)
			}
			b := m.(*syncproto.Batch)
			held := syncproto.HeldBytes(b, body)
			t.Logf("frame %d, body %d: allocated %d, bound %d, held %d (%d changes)", len(tc.frame), body, perRun, peak, held, len(b.Changes))
			if perRun > uint64(peak) {
				t.Errorf("decode allocated %d bytes, more than its bound %d", perRun, peak)
			}
			if held > peak || held < body {
				t.Errorf("held %d outside [body %d, peak %d]", held, body, peak)
			}
		})
	}
	for _, frame := range [][]byte{nil, {byte(syncproto.TypeAck), 5}, {byte(syncproto.TypeBatch), 0xff},
		zstdBatch(1<<40, nil)} {
		if peak, body := c.DecodeCost(frame); peak > len(frame)+syncproto.MaxErrorBytes+1<<10 || body != 0 {
			t.Errorf("frame % x: cost %d, body %d", frame, peak, body)
		}
	}
}
