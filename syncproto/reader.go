package syncproto

import (
	"encoding/binary"
	"fmt"
)

// reader decodes primitives with bounds checks. It records the first error
// and returns zero values after it. When s is set it holds the same bytes as
// b, and strings are cut from it instead of copied.
type reader struct {
	b   []byte
	s   string
	off int
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
	}
	r.off = len(r.b)
}

func (r *reader) failTooLarge(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrTooLarge, fmt.Sprintf(format, args...))
	}
	r.off = len(r.b)
}

// left is the number of unread bytes.
func (r *reader) left() int { return len(r.b) - r.off }

func (r *reader) uvarint(what string) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.fail("%s: bad uvarint", what)
		return 0
	}
	r.off += n
	return v
}

func (r *reader) varint(what string) int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b[r.off:])
	if n <= 0 {
		r.fail("%s: bad varint", what)
		return 0
	}
	r.off += n
	return v
}

// small reads a uvarint that must not exceed max.
func (r *reader) small(what string, max uint64) uint64 {
	v := r.uvarint(what)
	if v > max {
		r.fail("%s: %d out of range (max %d)", what, v, max)
		return 0
	}
	return v
}

// count reads a count of items each at least minSize bytes long, refusing
// counts above limit (ErrTooLarge) or beyond what the input can hold.
func (r *reader) count(what string, minSize, limit int) int {
	n := r.uvarint(what)
	if r.err != nil {
		return 0
	}
	if n > uint64(limit) {
		r.failTooLarge("%s: %d exceeds limit %d", what, n, limit)
		return 0
	}
	if n > uint64(r.left()/minSize) {
		r.fail("%s: %d exceeds input", what, n)
		return 0
	}
	return int(n)
}

func (r *reader) byte1(what string) byte {
	if r.err != nil {
		return 0
	}
	if r.left() < 1 {
		r.fail("%s: short input", what)
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

func (r *reader) u16(what string) uint16 {
	b := r.bytes(what, 2)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint16(b)
}

func (r *reader) u64(what string) uint64 {
	b := r.bytes(what, 8)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// bytes returns the next n bytes, aliasing the input.
func (r *reader) bytes(what string, n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > r.left() {
		r.fail("%s: short input", what)
		return nil
	}
	b := r.b[r.off : r.off+n : r.off+n]
	r.off += n
	return b
}

// str reads a length-prefixed string of at most max bytes.
func (r *reader) str(what string, max int) string {
	n := r.uvarint(what)
	if r.err != nil {
		return ""
	}
	if n > uint64(max) {
		r.fail("%s: %d bytes exceeds %d", what, n, max)
		return ""
	}
	if n > uint64(r.left()) {
		r.fail("%s: short input", what)
		return ""
	}
	start := r.off
	r.off += int(n)
	if r.s != "" {
		return r.s[start:r.off]
	}
	return string(r.b[start:r.off])
}

// end fails unless all input was read.
func (r *reader) end(what string) {
	if r.err == nil && r.left() != 0 {
		r.fail("%s: %d trailing bytes", what, r.left())
	}
}
