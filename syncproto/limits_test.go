package syncproto_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"fieldsync/hlc"
	"fieldsync/replica"
	"fieldsync/syncproto"
	"fieldsync/syncproto/internal/sampledata"
)

// zstdBatch wraps a zstd payload in a Batch frame declaring rawLen.
func zstdBatch(rawLen uint64, payload []byte) []byte {
	f := []byte{byte(syncproto.TypeBatch), 1, 0, 1}
	f = binary.AppendUvarint(f, rawLen)
	return append(f, payload...)
}

// allocated runs fn n times and returns the bytes allocated per run.
func allocated(n int, fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range n {
		fn()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(n)
}

func compressZeros(tb testing.TB, n int, opts ...zstd.EOption) []byte {
	tb.Helper()
	enc, err := zstd.NewWriter(nil, append([]zstd.EOption{zstd.WithEncoderConcurrency(1)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	defer enc.Close()
	return enc.EncodeAll(make([]byte, n), nil)
}

func TestZipBombs(t *testing.T) {
	c := newCodec(t, testKey)
	const big = 8 << 20
	bomb := compressZeros(t, big, zstd.WithSingleSegment(true)) // 8 MiB of zeros in a few hundred bytes
	small := compressZeros(t, 100, zstd.WithSingleSegment(true))

	// The content size in the zstd header, patched to lie: it says 100 bytes.
	// Descriptor byte 4: FCS flag in the top two bits; single segment, so the
	// content size field follows it directly.
	lying := bytes.Clone(bomb)
	if fcsFlag := lying[4] >> 6; fcsFlag != 2 {
		t.Fatalf("expected a 4-byte content size, descriptor %08b", lying[4])
	}
	binary.LittleEndian.PutUint32(lying[5:], 100)

	// The same lie in a frame with a window descriptor, so that the decoder
	// starts decoding blocks before it finds out.
	windowed := compressZeros(t, big, zstd.WithSingleSegment(false))
	if windowed[4]>>6 != 2 || windowed[4]&0x20 != 0 {
		t.Fatalf("expected a windowed frame with a 4-byte content size, descriptor %08b", windowed[4])
	}
	binary.LittleEndian.PutUint32(windowed[6:], 100)

	// A first frame that matches the declared size, followed by a bomb frame.
	chained := append(bytes.Clone(small), bomb...)

	// No content size in the header (streaming frame).
	var streamed bytes.Buffer
	w, err := zstd.NewWriter(&streamed, zstd.WithEncoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	w.Write(make([]byte, big))
	w.Close()

	for _, tc := range []struct {
		name  string
		frame []byte
	}{
		{"declares small, decompresses big", zstdBatch(100, bomb)},
		{"zstd header lies about its size", zstdBatch(100, lying)},
		{"windowed zstd header lies about its size", zstdBatch(100, windowed)},
		{"second frame is a bomb", zstdBatch(100, chained)},
		{"no content size", zstdBatch(100, streamed.Bytes())},
		{"declares huge", zstdBatch(1<<40, bomb)},
		{"declares just over the limit", zstdBatch(syncproto.DefaultMaxBatchRaw+1, bomb)},
		{"declares the max uvarint", zstdBatch(1<<64-1, small)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			perRun := allocated(5, func() { _, err = c.Decode(tc.frame) })
			if err == nil {
				t.Fatal("bomb decoded")
			}
			if !errors.Is(err, syncproto.ErrMalformed) && !errors.Is(err, syncproto.ErrTooLarge) {
				t.Fatalf("untyped error %v", err)
			}
			// The bomb expands to 8 MiB; what is refused must not get near.
			if perRun > 1<<20 {
				t.Errorf("allocated %d bytes per refused frame: %v", perRun, err)
			}
			t.Logf("%v (%d bytes allocated)", err, perRun)
		})
	}
}

func TestDeclaredSizeWithinLimitsIsBounded(t *testing.T) {
	// A codec whose batches may be 1 MiB refuses a 2 MiB body, compressed or
	// stored, before decompressing it.
	c, err := syncproto.NewCodec(testSchema(t), testKey, syncproto.Limits{MaxBatchRaw: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, frame := range [][]byte{
		zstdBatch(2<<20, compressZeros(t, 2<<20, zstd.WithSingleSegment(true))),
		storedBatch(make([]byte, 2<<20)),
	} {
		var err error
		perRun := allocated(3, func() { _, err = c.Decode(frame) })
		if !errors.Is(err, syncproto.ErrTooLarge) {
			t.Errorf("2 MiB body: %v", err)
		}
		if perRun > 64<<10 {
			t.Errorf("allocated %d bytes refusing a 2 MiB body", perRun)
		}
	}
}

func TestOversizedCounts(t *testing.T) {
	c := newCodec(t, testKey)
	u := binary.AppendUvarint
	site := binary.BigEndian.AppendUint64(nil, 7)
	bodies := map[string]struct {
		body []byte
		want error
	}{
		"changes over the limit":       {u(nil, 1<<40), syncproto.ErrTooLarge},
		"changes beyond the input":     {u(nil, 10000), syncproto.ErrMalformed},
		"sites beyond the input":       {u(u(nil, 0), 5000), syncproto.ErrMalformed},
		"changes without sites":        {append(u(u(nil, 1), 0), 0, 0, 0, 0, 0), syncproto.ErrMalformed},
		"fields over the limit":        {append(append(u(u(nil, 1), 1), site...), 0, 0, 0, 0, 0x80, 0x80, 0x04), syncproto.ErrTooLarge},
		"fields beyond the input":      {append(append(u(u(nil, 1), 1), site...), 0, 0, 0, 0, 200, 1), syncproto.ErrMalformed},
		"unknown table":                {append(append(u(u(nil, 1), 1), site...), 99<<1, 0, 0, 0, 0), syncproto.ErrMalformed},
		"site index out of range":      {append(append(u(u(nil, 1), 1), site...), 0, 0, 0, 1, 0), syncproto.ErrMalformed},
		"zero site":                    {append(u(u(nil, 1), 1), make([]byte, 8+5+16)...), syncproto.ErrMalformed},
		"zero row id":                  {append(append(u(u(nil, 1), 1), site...), append([]byte{0, 0, 0, 0, 0}, make([]byte, 16)...)...), syncproto.ErrMalformed},
		"counter out of range":         {append(append(u(u(nil, 1), 1), site...), 0, 0, 0xff, 0xff, 0x04, 0, 0), syncproto.ErrMalformed},
		"stamp out of range":           {append(append(u(u(nil, 1), 1), site...), append([]byte{0}, u(nil, 1<<50)...)...), syncproto.ErrMalformed},
		"replaced versions too many":   {append(append(u(u(nil, 1), 1), site...), append(append([]byte{2, 0, 0, 0, 1}, bytes.Repeat([]byte{1}, 16)...), 0x04, 0xff, 0xff, 0xff, 0xff, 0x0f)...), syncproto.ErrTooLarge},
		"replaced versions past end":   {append(append(u(u(nil, 1), 1), site...), append(append([]byte{2, 0, 0, 0, 1}, bytes.Repeat([]byte{1}, 16)...), 0x04, 100)...), syncproto.ErrMalformed},
		"dead field with value flag":   {append(append(u(u(nil, 1), 1), site...), append(append([]byte{2, 0, 0, 0, 1}, bytes.Repeat([]byte{1}, 16)...), 0x03)...), syncproto.ErrMalformed},
		"column out of range":          {append(append(u(u(nil, 1), 1), site...), append(append([]byte{2, 0, 0, 0, 1}, bytes.Repeat([]byte{1}, 16)...), 0xf8, 0x01)...), syncproto.ErrMalformed},
		"derived id without key field": {append(append(u(u(nil, 1), 1), site...), 1, 0, 0, 0, 0), syncproto.ErrMalformed},
	}
	for name, tc := range bodies {
		t.Run(name, func(t *testing.T) {
			frame := storedBatch(tc.body)
			var err error
			perRun := allocated(5, func() { _, err = c.Decode(frame) })
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if perRun > 16<<10 {
				t.Errorf("allocated %d bytes refusing it", perRun)
			}
		})
	}
}

func TestLimitsOnEncode(t *testing.T) {
	workers := sampledata.Workers(300, 5, testKey)
	for _, lim := range []syncproto.Limits{
		{MaxChanges: 299},
		{MaxFields: 5},
		{MaxTotalFields: 1000},
		{MaxFrame: 1000},
		{MaxBatchRaw: 10000},
	} {
		c, err := syncproto.NewCodec(testSchema(t), testKey, lim)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Encode(nil, &syncproto.Batch{Changes: workers}); !errors.Is(err, syncproto.ErrTooLarge) {
			t.Errorf("limits %+v: encode gave %v", lim, err)
		}
	}
	// And a peer with smaller limits refuses what a default codec sends.
	frame, err := newCodec(t, testKey).Encode(nil, &syncproto.Batch{Changes: workers})
	if err != nil {
		t.Fatal(err)
	}
	small, _ := syncproto.NewCodec(testSchema(t), testKey, syncproto.Limits{MaxChanges: 100})
	if _, err := small.Decode(frame); !errors.Is(err, syncproto.ErrTooLarge) || syncproto.CodeOf(err) != syncproto.ErrCodeTooLarge {
		t.Errorf("decode with smaller limits: %v", err)
	}
	// Replaced versions count against MaxTotalFields too.
	w := workers[0]
	w.Fields = append([]replica.Field{}, w.Fields...)
	w.Fields[1].Replaces = make([]replica.Version, 20)
	for i := range w.Fields[1].Replaces {
		w.Fields[1].Replaces[i] = w.Version
	}
	tight, _ := syncproto.NewCodec(testSchema(t), testKey, syncproto.Limits{MaxTotalFields: 19})
	if _, err := tight.Encode(nil, &syncproto.Batch{Changes: []replica.Change{w}}); !errors.Is(err, syncproto.ErrTooLarge) {
		t.Errorf("20 replaced versions with MaxTotalFields 19: %v", err)
	}
}

// The largest Hello a station can send fits the hub's first-frame limit.
func TestLargestHelloFits(t *testing.T) {
	c := newCodec(t, nil)
	h := &syncproto.Hello{Version: syncproto.ProtocolVersion, Schema: ^uint64(0), Site: ^replica.SiteID(0),
		Station: strings.Repeat("站", 21) + "x", Token: strings.Repeat("t", 256), Cursor: ^uint64(0),
		Now: ^hlc.Timestamp(0), MaxBatchLen: ^uint32(0), Software: strings.Repeat("v", syncproto.MaxSoftwareBytes)}
	b, err := c.Encode(nil, h)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > syncproto.MaxHelloFrame || len(b) < 360 {
		t.Fatalf("largest Hello is %d bytes, limit %d", len(b), syncproto.MaxHelloFrame)
	}
}
