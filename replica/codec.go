package replica

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Value tags, shared by the row metadata and the change log encodings.
const (
	tagNil    = 0
	tagInt    = 1
	tagFloat  = 2
	tagString = 3
	tagInRow  = 4 // metadata only: the value is the row's column
)

// ErrCorrupt is wrapped by every decoding error of stored metadata or log bodies.
var ErrCorrupt = errors.New("corrupt encoding")

// AppendValue appends the tagged encoding of v (nil, int64, float64 or string).
func AppendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, tagNil)
	case int64:
		b = append(b, tagInt)
		return binary.AppendVarint(b, x)
	case float64:
		b = append(b, tagFloat)
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	case string:
		b = append(b, tagString)
		b = binary.AppendUvarint(b, uint64(len(x)))
		return append(b, x...)
	}
	// Values are normalised before they reach an encoder; anything else is a bug
	// in the caller, encoded as nil rather than crashing a station.
	return append(b, tagNil)
}

// Reader decodes the primitive encodings with bounds checks: every method
// records the first error and returns zero values after it.
type Reader struct {
	b   []byte
	err error
}

// NewReader reads b.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Err is the first decoding error.
func (r *Reader) Err() error { return r.err }

// Len is the number of unread bytes.
func (r *Reader) Len() int { return len(r.b) }

func (r *Reader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrCorrupt, what)
	}
	r.b = nil
}

// Uvarint reads an unsigned varint.
func (r *Reader) Uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("bad uvarint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// Varint reads a signed varint.
func (r *Reader) Varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("bad varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// Count reads a uvarint used as a count of items each at least minSize bytes
// long, refusing counts the remaining input cannot hold (no huge allocations).
func (r *Reader) Count(minSize int) int {
	n := r.Uvarint()
	if r.err != nil {
		return 0
	}
	if minSize < 1 {
		minSize = 1
	}
	if n > uint64(len(r.b)/minSize) {
		r.fail("count exceeds input")
		return 0
	}
	return int(n)
}

// Byte reads one byte.
func (r *Reader) Byte() byte {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 1 {
		r.fail("short input")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// Bytes reads n bytes (aliasing the input).
func (r *Reader) Bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.fail("short input")
		return nil
	}
	s := r.b[:n:n]
	r.b = r.b[n:]
	return s
}

// String reads a length-prefixed string of at most max bytes.
func (r *Reader) String(max int) string {
	n := r.Uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(max) {
		r.fail("string too long")
		return ""
	}
	return string(r.Bytes(int(n)))
}

// Value reads a tagged value written by AppendValue; inRow reports tagInRow.
func (r *Reader) Value() (v any, inRow bool) {
	switch tag := r.Byte(); tag {
	case tagNil:
		return nil, false
	case tagInt:
		return r.Varint(), false
	case tagFloat:
		b := r.Bytes(8)
		if b == nil {
			return nil, false
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b)), false
	case tagString:
		return r.String(MaxValueBytes), false
	case tagInRow:
		return nil, true
	default:
		r.fail(fmt.Sprintf("bad value tag %d", tag))
		return nil, false
	}
}

// appendFields encodes the fields of a change for the change log.
func appendFields(b []byte, fields []Field) []byte {
	b = binary.AppendUvarint(b, uint64(len(fields)))
	for i := range fields {
		f := &fields[i]
		h := uint64(f.Col) << 2
		if f.Dead {
			h |= 2
		}
		if f.Elem != "" {
			h |= 1
		}
		b = binary.AppendUvarint(b, h)
		if f.Elem != "" {
			b = binary.AppendUvarint(b, uint64(len(f.Elem)))
			b = append(b, f.Elem...)
		}
		if !f.Dead {
			b = AppendValue(b, f.Value)
		}
		b = binary.AppendUvarint(b, uint64(len(f.Replaces)))
		for _, v := range f.Replaces {
			b = binary.AppendUvarint(b, uint64(v.HLC))
			b = binary.AppendUvarint(b, uint64(v.Site))
		}
	}
	return b
}

// appendChange encodes one change of a log row.
func appendChange(b []byte, t *Table, c *Change) []byte {
	b = binary.AppendUvarint(b, uint64(t.id))
	b = append(b, c.Row[:]...)
	b = binary.AppendUvarint(b, uint64(c.Version.HLC))
	b = binary.AppendUvarint(b, uint64(c.Version.Site))
	return appendFields(b, c.Fields)
}

// decodeChanges decodes a log row's body: a count, then appendChange's.
func decodeChanges(s *Schema, body []byte) ([]Change, []*Table, error) {
	r := NewReader(body)
	n := r.Count(20)
	out := make([]Change, n)
	tables := make([]*Table, n)
	for i := range out {
		c := &out[i]
		t, ok := s.TableByID(int(min(r.Uvarint(), math.MaxInt32)))
		if !ok {
			r.fail("unknown table")
			break
		}
		tables[i] = t
		c.Table = t.Name
		copy(c.Row[:], r.Bytes(16))
		c.Version = Version{HLC: hlcOf(r.Uvarint()), Site: SiteID(r.Uvarint())}
		c.Fields = r.fields()
	}
	if r.Err() == nil && r.Len() != 0 {
		r.fail("trailing bytes")
	}
	if err := r.Err(); err != nil {
		return nil, nil, fmt.Errorf("decode log row: %w", err)
	}
	return out, tables, nil
}

func (r *Reader) fields() []Field {
	n := r.Count(2) // a dead field with no replaces is two bytes
	fields := make([]Field, n)
	for i := range fields {
		f := &fields[i]
		h := r.Uvarint()
		if h>>2 > math.MaxInt32 {
			r.fail("column index out of range")
		}
		f.Col = int(h >> 2)
		f.Dead = h&2 != 0
		if h&1 != 0 {
			f.Elem = r.String(MaxValueBytes)
		}
		if !f.Dead {
			f.Value, _ = r.Value()
		}
		if k := r.Count(2); k > 0 {
			f.Replaces = make([]Version, k)
			for j := range f.Replaces {
				f.Replaces[j] = Version{HLC: hlcOf(r.Uvarint()), Site: SiteID(r.Uvarint())}
			}
		}
	}
	return fields
}
