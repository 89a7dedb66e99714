package syncproto

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sync"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"

	"fieldsync/hlc"
	"fieldsync/ident"
	"fieldsync/replica"
)

// Limits bound what Decode accepts (and what Encode produces), so that a
// hostile or broken peer cannot make a node allocate without bound. Zero
// fields take the defaults of DefaultLimits.
type Limits struct {
	// MaxFrame bounds a whole frame, in bytes.
	MaxFrame int
	// MaxBatchRaw bounds the decompressed body of a Batch, in bytes.
	MaxBatchRaw int
	// MaxChanges bounds the changes of one Batch.
	MaxChanges int
	// MaxFields bounds the fields of one change.
	MaxFields int
	// MaxTotalFields bounds the fields of one Batch, and separately the
	// replaced versions of one Batch.
	MaxTotalFields int
}

// Default limits. With them a decoded batch occupies at most about 60 MiB
// (the body, its strings, and the Change, Field and Version structs).
const (
	DefaultMaxFrame       = 4 << 20
	DefaultMaxBatchRaw    = 16 << 20
	DefaultMaxChanges     = 10000
	DefaultMaxFields      = 256
	DefaultMaxTotalFields = 200000
)

// DefaultLimits returns the default limits.
func DefaultLimits() Limits {
	return Limits{
		MaxFrame:       DefaultMaxFrame,
		MaxBatchRaw:    DefaultMaxBatchRaw,
		MaxChanges:     DefaultMaxChanges,
		MaxFields:      DefaultMaxFields,
		MaxTotalFields: DefaultMaxTotalFields,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxFrame <= 0 {
		l.MaxFrame = d.MaxFrame
	}
	if l.MaxBatchRaw <= 0 {
		l.MaxBatchRaw = d.MaxBatchRaw
	}
	if l.MaxChanges <= 0 {
		l.MaxChanges = d.MaxChanges
	}
	if l.MaxFields <= 0 {
		l.MaxFields = d.MaxFields
	}
	if l.MaxTotalFields <= 0 {
		l.MaxTotalFields = d.MaxTotalFields
	}
	return l
}

// EncoderLevel is the zstd level batches are compressed with. Measured on
// 1,000-worker batches (BenchmarkEncoderLevels, bytes per record and raw MB/s
// on one core): fastest 40.1 at 207 MB/s, default 36.9 at 106 MB/s, better
// 35.7 at 51 MB/s, best 33.9 at 15 MB/s. Default is within 9% of the best size
// at 7 times its speed, which matters on a hub that encodes for hundreds of
// stations.
const EncoderLevel = zstd.SpeedDefault

// Codec encodes and decodes the frames of a sync session for one schema. Set
// its fields before first use and do not change them after; its methods are
// then safe for concurrent use. Each Codec holds one zstd encoder and one
// decoder (a few MiB), created on first use and reused.
type Codec struct {
	// Schema names tables and types values; peers must share it.
	Schema *replica.Schema
	// Key is the deployment key. With it, the row ids of tables with a key
	// column are left out of batches when they derive from the key column, and
	// recomputed on decoding. A peer without the key still decodes batches
	// that carry explicit ids, but not derived ones.
	Key ident.Key
	// Limits bound decoding and encoding.
	Limits Limits
	// Concurrency is how many batch compressions (and, separately,
	// decompressions) may run at once; each holds its own zstd state. Zero
	// means 1: calls then wait for each other.
	Concurrency int

	once  sync.Once
	state *codecState
	err   error
}

type codecState struct {
	lim     Limits
	enc     *zstd.Encoder
	dec     *zstd.Decoder
	colBase []int                // per table id: index of its first column among all columns
	nCols   int                  // all columns of all tables
	colType []replica.ColumnType // per global column
}

// NewCodec returns a codec, checking that its zstd state can be made.
func NewCodec(schema *replica.Schema, key ident.Key, limits Limits) (*Codec, error) {
	c := &Codec{Schema: schema, Key: key, Limits: limits}
	if _, err := c.init(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Codec) init() (*codecState, error) {
	c.once.Do(func() {
		if c.Schema == nil {
			c.err = errors.New("sync codec: no schema")
			return
		}
		st := &codecState{lim: c.Limits.withDefaults()}
		n := c.Concurrency
		if n <= 0 {
			n = 1
		}
		var err error
		st.enc, err = zstd.NewWriter(nil,
			zstd.WithEncoderLevel(EncoderLevel),
			zstd.WithEncoderConcurrency(n),
			zstd.WithEncoderCRC(true),
			zstd.WithZeroFrames(true),
			// Single segment: the frame header always holds the content size,
			// which the decoder checks against the declared one.
			zstd.WithSingleSegment(true),
		)
		if err != nil {
			c.err = fmt.Errorf("sync codec: zstd encoder: %w", err)
			return
		}
		window := uint64(st.lim.MaxBatchRaw)
		if window < zstd.MinWindowSize {
			window = zstd.MinWindowSize
		}
		st.dec, err = zstd.NewReader(nil,
			zstd.WithDecoderConcurrency(n),
			zstd.WithDecoderMaxMemory(uint64(st.lim.MaxBatchRaw)),
			zstd.WithDecoderMaxWindow(window),
			zstd.WithDecodeAllCapLimit(true),
			zstd.WithDecoderLowmem(true),
		)
		if err != nil {
			c.err = fmt.Errorf("sync codec: zstd decoder: %w", err)
			return
		}
		for _, t := range c.Schema.Tables() {
			st.colBase = append(st.colBase, st.nCols)
			st.nCols += t.NumColumns()
			for i := range t.NumColumns() {
				st.colType = append(st.colType, t.ColumnType(i))
			}
		}
		c.state = st
	})
	return c.state, c.err
}

// Encode appends the frame of m to dst. On error dst is returned unchanged.
// A Hello or Welcome whose Version is not ProtocolVersion is encoded as its
// frozen prefix only (type and version), since this package knows no other
// layout: enough for a peer to refuse it clearly, and for tests to play an
// older or newer peer.
// A Batch whose changes break the schema or the limits is refused rather than
// encoded into something the peer would refuse.
func (c *Codec) Encode(dst []byte, m Message) ([]byte, error) {
	st, err := c.init()
	if err != nil {
		return dst, err
	}
	start := len(dst)
	out, err := c.encode(st, dst, m)
	if err != nil {
		return dst[:start], err
	}
	if len(out)-start > st.lim.MaxFrame {
		return dst[:start], fmt.Errorf("encode %v: %w: frame of %d bytes exceeds %d", m.Type(), ErrTooLarge, len(out)-start, st.lim.MaxFrame)
	}
	return out, nil
}

func (c *Codec) encode(st *codecState, b []byte, m Message) ([]byte, error) {
	switch m := m.(type) {
	case *Hello:
		if m.Version != ProtocolVersion {
			b = append(b, byte(TypeHello))
			return binary.BigEndian.AppendUint16(b, m.Version), nil
		}
		if err := checkHello(m); err != nil {
			return b, fmt.Errorf("encode Hello: %w", err)
		}
		b = append(b, byte(TypeHello))
		b = binary.BigEndian.AppendUint16(b, m.Version)
		b = binary.BigEndian.AppendUint64(b, m.Schema)
		b = binary.BigEndian.AppendUint64(b, uint64(m.Site))
		b = appendString(b, m.Station)
		b = appendString(b, m.Token)
		b = binary.AppendUvarint(b, m.Cursor)
		b = binary.BigEndian.AppendUint64(b, uint64(m.Now))
		b = binary.AppendUvarint(b, uint64(m.MaxBatchLen))
		if m.Software != "" {
			b = appendString(b, m.Software)
			b = binary.BigEndian.AppendUint64(b, uint64(m.Restored))
			if m.Features != 0 {
				b = binary.AppendUvarint(b, m.Features)
			}
		}
		return b, nil
	case *Welcome:
		if m.Version != ProtocolVersion {
			b = append(b, byte(TypeWelcome))
			return binary.BigEndian.AppendUint16(b, m.Version), nil
		}
		if m.Site == 0 {
			return b, fmt.Errorf("encode Welcome: %w: zero site id", ErrMalformed)
		}
		b = append(b, byte(TypeWelcome))
		b = binary.BigEndian.AppendUint16(b, m.Version)
		b = binary.BigEndian.AppendUint64(b, uint64(m.Site))
		b = binary.BigEndian.AppendUint64(b, uint64(m.Now))
		b = binary.AppendUvarint(b, m.Resume)
		b = binary.AppendUvarint(b, uint64(m.MaxSkew))
		if len(m.Pins) > 0 && !m.Extended {
			return b, fmt.Errorf("encode Welcome: %w: pins travel in the trailer", ErrMalformed)
		}
		if len(m.Pins) > MaxPins {
			return b, fmt.Errorf("encode Welcome: %w: %d pins, at most %d", ErrMalformed, len(m.Pins), MaxPins)
		}
		if m.Extended {
			b = binary.BigEndian.AppendUint64(b, m.Incarnation)
			b = binary.AppendUvarint(b, m.LogEnd)
		}
		if len(m.Pins) > 0 {
			b = binary.AppendUvarint(b, uint64(len(m.Pins)))
			for _, p := range m.Pins {
				d, err := hex.DecodeString(p)
				if err != nil || len(d) != sha256.Size {
					return b, fmt.Errorf("encode Welcome: %w: pin %q is not a hex SHA-256", ErrMalformed, p)
				}
				b = append(b, d...)
			}
		}
		return b, nil
	case *Batch:
		return c.appendBatch(st, b, m)
	case *Ack:
		b = append(b, byte(TypeAck))
		return binary.AppendUvarint(b, m.Seq), nil
	case *Error:
		if len(m.Message) > MaxErrorBytes || !utf8.ValidString(m.Message) {
			return b, fmt.Errorf("encode Error: %w: message must be valid UTF-8 of at most %d bytes (use NewError)", ErrMalformed, MaxErrorBytes)
		}
		b = append(b, byte(TypeError))
		b = binary.BigEndian.AppendUint16(b, uint16(m.Code))
		return appendString(b, m.Message), nil
	case nil:
		return b, fmt.Errorf("encode: %w: nil message", ErrMalformed)
	}
	return b, fmt.Errorf("encode: %w: unknown message %T", ErrMalformed, m)
}

func checkHello(m *Hello) error {
	switch {
	case m.Site == 0:
		return fmt.Errorf("%w: zero site id", ErrMalformed)
	case len(m.Station) > MaxStationIDBytes || !utf8.ValidString(m.Station):
		return fmt.Errorf("%w: station id must be valid UTF-8 of at most %d bytes", ErrMalformed, MaxStationIDBytes)
	case len(m.Token) > MaxTokenBytes:
		return fmt.Errorf("%w: token exceeds %d bytes", ErrMalformed, MaxTokenBytes)
	case len(m.Software) > MaxSoftwareBytes || !utf8.ValidString(m.Software):
		return fmt.Errorf("%w: software version must be valid UTF-8 of at most %d bytes", ErrMalformed, MaxSoftwareBytes)
	case m.Restored != 0 && m.Software == "":
		return fmt.Errorf("%w: a restored site travels in the trailer, with the software version", ErrMalformed)
	case m.Features != 0 && m.Software == "":
		return fmt.Errorf("%w: features travel in the trailer, with the software version", ErrMalformed)
	case m.Restored != 0 && m.Restored == m.Site:
		return fmt.Errorf("%w: a restored station takes a new site", ErrMalformed)
	}
	return nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// Decode decodes one frame. Any malformed frame gives an error wrapping
// ErrMalformed (an *UnknownTypeError for an unknown type byte) or ErrTooLarge;
// it never panics and allocates within the Limits. The strings of a decoded
// Batch share one allocation per batch. Decode does not keep frame.
func (c *Codec) Decode(frame []byte) (Message, error) {
	st, err := c.init()
	if err != nil {
		return nil, err
	}
	if len(frame) == 0 {
		return nil, fmt.Errorf("decode: %w: empty frame", ErrMalformed)
	}
	t := MsgType(frame[0])
	if len(frame) > st.lim.MaxFrame {
		return nil, fmt.Errorf("decode %v: %w: frame of %d bytes exceeds %d", t, ErrTooLarge, len(frame), st.lim.MaxFrame)
	}
	r := &reader{b: frame, off: 1}
	var m Message
	switch t {
	case TypeHello:
		m = decodeHello(r)
	case TypeWelcome:
		m = decodeWelcome(r)
	case TypeBatch:
		m = c.decodeBatch(st, r)
	case TypeAck:
		m = &Ack{Seq: r.uvarint("seq")}
	case TypeError:
		m = decodeError(r)
	default:
		return nil, &UnknownTypeError{Type: t}
	}
	r.end(t.String())
	if r.err != nil {
		return nil, fmt.Errorf("decode %v: %w", t, r.err)
	}
	return m, nil
}

func decodeHello(r *reader) *Hello {
	m := &Hello{Version: r.u16("version")}
	if r.err != nil || m.Version != ProtocolVersion {
		r.off = len(r.b) // another layout: only the version is read
		return m
	}
	m.Schema = r.u64("schema fingerprint")
	m.Site = replica.SiteID(r.u64("site"))
	m.Station = r.str("station id", MaxStationIDBytes)
	m.Token = r.str("token", MaxTokenBytes)
	m.Cursor = r.uvarint("cursor")
	m.Now = hlc.Timestamp(r.u64("now"))
	m.MaxBatchLen = uint32(r.small("max batch", math.MaxUint32))
	if r.err == nil && r.left() > 0 {
		// The optional trailer (Hello.Software).
		m.Software = r.str("software", MaxSoftwareBytes)
		if r.err == nil && m.Software == "" {
			r.fail("empty software trailer")
		}
		m.Restored = replica.SiteID(r.u64("restored from site"))
		if r.err == nil && r.left() > 0 {
			m.Features = r.uvarint("features")
			if r.err == nil && m.Features == 0 {
				r.fail("empty features")
			}
		}
	}
	if r.err == nil {
		if err := checkHello(m); err != nil {
			r.err = err
		}
	}
	return m
}

func decodeWelcome(r *reader) *Welcome {
	m := &Welcome{Version: r.u16("version")}
	if r.err != nil || m.Version != ProtocolVersion {
		r.off = len(r.b)
		return m
	}
	m.Site = replica.SiteID(r.u64("site"))
	m.Now = hlc.Timestamp(r.u64("now"))
	m.Resume = r.uvarint("resume")
	m.MaxSkew = uint32(r.small("max skew", math.MaxUint32))
	if r.err == nil && r.left() > 0 {
		m.Extended = true
		m.Incarnation = r.u64("incarnation")
		m.LogEnd = r.uvarint("log end")
		if r.err == nil && r.left() > 0 {
			m.Pins = readPins(r)
		}
	}
	if r.err == nil && m.Site == 0 {
		r.fail("zero site id")
	}
	return m
}

// readPins reads the Welcome's pins: a count from 1 to MaxPins, then that
// many SHA-256 digests, returned as lower-case hex.
func readPins(r *reader) []string {
	n := r.small("pin count", MaxPins)
	if r.err == nil && n == 0 {
		r.fail("empty pin list")
	}
	if r.err != nil {
		return nil
	}
	pins := make([]string, 0, n)
	for range n {
		d := r.bytes("pin", sha256.Size)
		if r.err != nil {
			return nil
		}
		pins = append(pins, hex.EncodeToString(d))
	}
	return pins
}

func decodeError(r *reader) *Error {
	m := &Error{Code: ErrCode(r.u16("code"))}
	m.Message = r.str("message", MaxErrorBytes)
	if r.err == nil && !utf8.ValidString(m.Message) {
		r.fail("message is not valid UTF-8")
	}
	return m
}
