package syncproto_test

import (
	"encoding/binary"
	"errors"
	"testing"

	"fieldsync/syncproto"
	"fieldsync/syncproto/internal/sampledata"
)

// seedFrames are real frames: every sample message and a batch of 50 workers.
func seedFrames(tb testing.TB, c *syncproto.Codec) [][]byte {
	msgs := append(sampleMessages(tb), &syncproto.Batch{First: 1, Last: 50, Changes: sampledata.Workers(50, 3, testKey)})
	var out [][]byte
	for _, m := range msgs {
		f, err := c.Encode(nil, m)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

// checkDecode is the fuzz property: Decode never panics and fails only with
// the package's typed errors; what it accepts re-encodes to a frame that
// decodes to the same message.
func checkDecode(t *testing.T, c *syncproto.Codec, frame []byte) {
	m, err := c.Decode(frame)
	if err != nil {
		var ute *syncproto.UnknownTypeError
		if !errors.Is(err, syncproto.ErrMalformed) && !errors.Is(err, syncproto.ErrTooLarge) && !errors.As(err, &ute) {
			t.Fatalf("untyped decode error: %v", err)
		}
		return
	}
	again, err := c.Encode(nil, m)
	if err != nil {
		t.Fatalf("re-encode %#v: %v", m, err)
	}
	m2, err := c.Decode(again)
	if err != nil {
		t.Fatalf("decode re-encoded %x: %v", again, err)
	}
	assertSame(t, m, m2)
}

func FuzzDecode(f *testing.F) {
	c := newCodec(f, testKey)
	for _, frame := range seedFrames(f, c) {
		f.Add(frame)
	}
	f.Add([]byte{})
	f.Add([]byte{0xff})
	f.Add([]byte{byte(syncproto.TypeHello), 0, 2})
	f.Fuzz(func(t *testing.T, frame []byte) {
		checkDecode(t, c, frame)
	})
}

// storedBatch wraps a raw batch body in a Batch frame without compression.
func storedBatch(body []byte) []byte {
	f := []byte{byte(syncproto.TypeBatch), 1, 0, 0}
	f = binary.AppendUvarint(f, uint64(len(body)))
	return append(f, body...)
}

// FuzzDecodeBatchBody fuzzes the batch body decoder directly, past the
// compression layer.
func FuzzDecodeBatchBody(f *testing.F) {
	c := newCodec(f, testKey)
	for _, frame := range seedFrames(f, c) {
		if frame[0] == byte(syncproto.TypeBatch) {
			f.Add(rawBody(f, c, frame))
		}
	}
	f.Add([]byte{0, 0})
	f.Add([]byte{1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecode(t, c, storedBatch(body))
	})
}
