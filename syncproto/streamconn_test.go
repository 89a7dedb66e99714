package syncproto_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"fieldsync/syncproto"
)

// FuzzReadStreamFrame: the stream framing never panics, never allocates past
// its limit, and fails only with a read error or a *Error.
func FuzzReadStreamFrame(f *testing.F) {
	frame := func(h uint32, body []byte) []byte {
		return append(binary.BigEndian.AppendUint32(nil, h), body...)
	}
	f.Add(frame(2, []byte{4, 1}))
	f.Add(frame(1<<31|1, nil))
	f.Add(frame(1<<31|2, nil))
	f.Add(frame(1<<31|3, nil))
	f.Add(frame(0, nil))
	f.Add(frame(5, []byte{1}))
	f.Add(frame(1<<30, nil))
	f.Add([]byte{0, 0})
	const max = 1 << 10
	f.Fuzz(func(t *testing.T, b []byte) {
		h, body, err := syncproto.ReadStreamFrame(bytes.NewReader(b), max)
		if err != nil {
			var pe *syncproto.Error
			if !errors.As(err, &pe) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if len(body) > max {
			t.Fatalf("frame of %d bytes past the limit %d", len(body), max)
		}
		if h&(1<<31) == 0 && (int(h) != len(body) || len(body) == 0) {
			t.Fatalf("header %d, body %d bytes", h, len(body))
		}
	})
}
