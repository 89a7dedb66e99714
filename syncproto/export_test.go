package syncproto

import "fmt"

// RawBody returns the decompressed body of a Batch frame, for tests.
func (c *Codec) RawBody(frame []byte) ([]byte, error) {
	st, err := c.init()
	if err != nil {
		return nil, err
	}
	r := &reader{b: frame, off: 1}
	r.uvarint("first")
	r.uvarint("span")
	enc := r.byte1("encoding")
	n := r.uvarint("size")
	payload := r.bytes("payload", r.left())
	if r.err != nil {
		return nil, r.err
	}
	switch enc {
	case bodyStored:
		return payload, nil
	case bodyZstd:
		return st.dec.DecodeAll(payload, make([]byte, 0, n))
	}
	return nil, fmt.Errorf("encoding %d", enc)
}

// ReadStreamFrame reads one length-prefixed frame, for the fuzz target.
var ReadStreamFrame = readStreamFrame
