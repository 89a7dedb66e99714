package syncproto

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"sync"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"

	"fieldsync/hlc"
	"fieldsync/ident"
	"fieldsync/replica"
)

// Body encodings of a Batch frame.
const (
	bodyStored byte = 0 // the raw body as is
	bodyZstd   byte = 1 // one zstd frame holding the raw body
)

// Field header flags (the low three bits of col<<3|flags).
const (
	flagDead     = 1 // Dead field: no value follows (a set element still does)
	flagValue    = 2 // set column: element present (value 1); other columns: null
	flagReplaces = 4 // the field replaces at least one version
)

// minCompress is the raw body size below which zstd is not tried: its frame
// overhead exceeds what it can save.
const minCompress = 24

// bodyEnc holds the streams of one batch body while it is built.
type bodyEnc struct {
	tables, ms, ctr, site, nf, rows, hdr   []byte
	repCount, repMs, repCtr, repSite, body []byte
	vals                                   [][]byte // per global column
	sites                                  []replica.SiteID
	siteIdx                                map[replica.SiteID]int
}

var bodyEncPool = sync.Pool{New: func() any { return new(bodyEnc) }}

func (e *bodyEnc) reset(nCols int) {
	e.tables, e.ms, e.ctr, e.site, e.nf = e.tables[:0], e.ms[:0], e.ctr[:0], e.site[:0], e.nf[:0]
	e.rows, e.hdr, e.body = e.rows[:0], e.hdr[:0], e.body[:0]
	e.repCount, e.repMs, e.repCtr, e.repSite = e.repCount[:0], e.repMs[:0], e.repCtr[:0], e.repSite[:0]
	if len(e.vals) != nCols {
		e.vals = make([][]byte, nCols)
	}
	for i := range e.vals {
		e.vals[i] = e.vals[i][:0]
	}
	e.sites = e.sites[:0]
	clear(e.siteIdx)
}

// siteIndex returns the index of s in the batch's site table, adding it.
func (e *bodyEnc) siteIndex(s replica.SiteID) int {
	if len(e.sites) <= 8 {
		for i, x := range e.sites {
			if x == s {
				return i
			}
		}
	} else if i, ok := e.siteIdx[s]; ok {
		return i
	}
	e.sites = append(e.sites, s)
	i := len(e.sites) - 1
	if len(e.sites) > 8 {
		if e.siteIdx == nil {
			e.siteIdx = map[replica.SiteID]int{}
		}
		if len(e.siteIdx) == 0 {
			for j, x := range e.sites {
				e.siteIdx[x] = j
			}
		}
		e.siteIdx[s] = i
	}
	return i
}

// derivedKey reports whether c's row id derives from its key column under key:
// the first live field of the key column holds a string that derives it.
func derivedKey(key *ident.Deriver, t *replica.Table, c *replica.Change) bool {
	kc := t.KeyColumnIndex()
	if key == nil || kc < 0 {
		return false
	}
	for i := range c.Fields {
		f := &c.Fields[i]
		if f.Col != kc || f.Dead {
			continue
		}
		s, ok := f.Value.(string)
		return ok && key.Derive(t.Name, s) == c.Row
	}
	return false
}

func (c *Codec) appendBatch(st *codecState, b []byte, m *Batch) ([]byte, error) {
	if m.Last < m.First {
		return b, fmt.Errorf("encode Batch: %w: last seq %d before first %d", ErrMalformed, m.Last, m.First)
	}
	e := bodyEncPool.Get().(*bodyEnc)
	defer bodyEncPool.Put(e)
	raw, err := c.appendBody(st, e, m.Changes)
	if err != nil {
		return b, fmt.Errorf("encode Batch: %w", err)
	}
	if len(raw) > st.lim.MaxBatchRaw {
		return b, fmt.Errorf("encode Batch: %w: body of %d bytes exceeds %d", ErrTooLarge, len(raw), st.lim.MaxBatchRaw)
	}
	b = append(b, byte(TypeBatch))
	b = binary.AppendUvarint(b, m.First)
	b = binary.AppendUvarint(b, m.Last-m.First)
	head := len(b)
	if len(raw) >= minCompress {
		b = append(b, bodyZstd)
		b = binary.AppendUvarint(b, uint64(len(raw)))
		start := len(b)
		b = st.enc.EncodeAll(raw, b)
		if len(b)-start < len(raw) {
			return b, nil
		}
		b = b[:head]
	}
	b = append(b, bodyStored)
	b = binary.AppendUvarint(b, uint64(len(raw)))
	return append(b, raw...), nil
}

// appendBody builds the raw body of a batch (see PROTOCOL.md, "Batch body").
func (c *Codec) appendBody(st *codecState, e *bodyEnc, changes []replica.Change) ([]byte, error) {
	lim := st.lim
	if len(changes) > lim.MaxChanges {
		return nil, fmt.Errorf("%w: %d changes exceed %d", ErrTooLarge, len(changes), lim.MaxChanges)
	}
	e.reset(st.nCols)
	var prevMs int64
	totalFields, totalReps := 0, 0
	key := newDeriver(c.Key)
	for i := range changes {
		ch := &changes[i]
		t, ok := c.Schema.Table(ch.Table)
		if !ok {
			return nil, fmt.Errorf("change %d: %w: unknown table %q", i, ErrMalformed, ch.Table)
		}
		if ch.Version.Site == 0 || ch.Row.IsZero() {
			return nil, fmt.Errorf("change %d: %w: zero site or row id", i, ErrMalformed)
		}
		if len(ch.Fields) > lim.MaxFields {
			return nil, fmt.Errorf("change %d: %w: %d fields exceed %d", i, ErrTooLarge, len(ch.Fields), lim.MaxFields)
		}
		totalFields += len(ch.Fields)
		if totalFields > lim.MaxTotalFields {
			return nil, fmt.Errorf("change %d: %w: more than %d fields in the batch", i, ErrTooLarge, lim.MaxTotalFields)
		}
		derived := derivedKey(key, t, ch)
		tv := uint64(t.ID()) << 1
		if derived {
			tv |= 1
		}
		e.tables = binary.AppendUvarint(e.tables, tv)
		ms := ch.Version.HLC.Millis()
		e.ms = binary.AppendVarint(e.ms, ms-prevMs)
		prevMs = ms
		e.ctr = binary.AppendUvarint(e.ctr, uint64(ch.Version.HLC.Counter()))
		e.site = binary.AppendUvarint(e.site, uint64(e.siteIndex(ch.Version.Site)))
		e.nf = binary.AppendUvarint(e.nf, uint64(len(ch.Fields)))
		if !derived {
			e.rows = append(e.rows, ch.Row[:]...)
		}
		base := st.colBase[t.ID()]
		for j := range ch.Fields {
			f := &ch.Fields[j]
			if err := e.appendField(t, base, ms, f); err != nil {
				return nil, fmt.Errorf("change %d (%s) field %d: %w", i, t.Name, j, err)
			}
			totalReps += len(f.Replaces)
			if totalReps > lim.MaxTotalFields {
				return nil, fmt.Errorf("change %d: %w: more than %d replaced versions in the batch", i, ErrTooLarge, lim.MaxTotalFields)
			}
		}
	}
	b := e.body
	b = binary.AppendUvarint(b, uint64(len(changes)))
	b = binary.AppendUvarint(b, uint64(len(e.sites)))
	for _, s := range e.sites {
		b = binary.BigEndian.AppendUint64(b, uint64(s))
	}
	for _, s := range [][]byte{e.tables, e.ms, e.ctr, e.site, e.nf, e.rows, e.hdr, e.repCount, e.repMs, e.repCtr, e.repSite} {
		b = append(b, s...)
	}
	for _, v := range e.vals {
		b = append(b, v...)
	}
	e.body = b
	return b, nil
}

func (e *bodyEnc) appendField(t *replica.Table, base int, ms int64, f *replica.Field) error {
	if f.Col < 0 || f.Col >= t.NumColumns() {
		return fmt.Errorf("%w: column %d out of range", ErrMalformed, f.Col)
	}
	typ := t.ColumnType(f.Col)
	var flags uint64
	if f.Dead {
		flags |= flagDead
	}
	if len(f.Replaces) > 0 {
		flags |= flagReplaces
	}
	k := base + f.Col
	if typ == replica.Set {
		if f.Elem == "" || len(f.Elem) > replica.MaxValueBytes || !utf8.ValidString(f.Elem) {
			return fmt.Errorf("%w: column %s: set element must be valid UTF-8 of 1 to %d bytes", ErrMalformed, t.ColumnName(f.Col), replica.MaxValueBytes)
		}
		if !f.Dead {
			switch f.Value {
			case int64(1):
				flags |= flagValue
			case int64(0):
			default:
				return fmt.Errorf("%w: column %s: set element flag must be int64 0 or 1, not %v", ErrMalformed, t.ColumnName(f.Col), f.Value)
			}
		}
		e.vals[k] = appendString(e.vals[k], f.Elem)
	} else {
		if f.Elem != "" {
			return fmt.Errorf("%w: column %s: element on a non-set column", ErrMalformed, t.ColumnName(f.Col))
		}
		if !f.Dead {
			if f.Value == nil {
				flags |= flagValue
			} else {
				var err error
				if e.vals[k], err = appendValue(e.vals[k], typ, f.Value); err != nil {
					return fmt.Errorf("column %s: %w", t.ColumnName(f.Col), err)
				}
			}
		}
	}
	e.hdr = binary.AppendUvarint(e.hdr, uint64(f.Col)<<3|flags)
	if len(f.Replaces) > 0 {
		e.repCount = binary.AppendUvarint(e.repCount, uint64(len(f.Replaces)-1))
		for _, v := range f.Replaces {
			if v.Site == 0 {
				return fmt.Errorf("%w: replaced version with zero site", ErrMalformed)
			}
			e.repMs = binary.AppendVarint(e.repMs, ms-v.HLC.Millis())
			e.repCtr = binary.AppendUvarint(e.repCtr, uint64(v.HLC.Counter()))
			e.repSite = binary.AppendUvarint(e.repSite, uint64(e.siteIndex(v.Site)))
		}
	}
	return nil
}

// appendValue encodes a non-nil value of a column of type typ.
func appendValue(b []byte, typ replica.ColumnType, v any) ([]byte, error) {
	switch typ {
	case replica.Text:
		s, ok := v.(string)
		if !ok {
			return b, fmt.Errorf("%w: want string, got %T", ErrMalformed, v)
		}
		if len(s) > replica.MaxValueBytes || !utf8.ValidString(s) {
			return b, fmt.Errorf("%w: text must be valid UTF-8 of at most %d bytes", ErrMalformed, replica.MaxValueBytes)
		}
		return appendString(b, s), nil
	case replica.Integer:
		x, ok := v.(int64)
		if !ok {
			return b, fmt.Errorf("%w: want int64, got %T", ErrMalformed, v)
		}
		return binary.AppendVarint(b, x), nil
	case replica.Real:
		x, ok := v.(float64)
		if !ok {
			return b, fmt.Errorf("%w: want float64, got %T", ErrMalformed, v)
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return b, fmt.Errorf("%w: number is not finite", ErrMalformed)
		}
		// Byte-reversed so that round numbers, whose low mantissa bytes are
		// zero, make short varints.
		return binary.AppendUvarint(b, bits.ReverseBytes64(math.Float64bits(x))), nil
	}
	return b, fmt.Errorf("%w: column type %v takes no value", ErrMalformed, typ)
}

// decodeBatch reads the rest of a Batch frame.
func (c *Codec) decodeBatch(st *codecState, r *reader) *Batch {
	m := &Batch{First: r.uvarint("first seq")}
	span := r.uvarint("seq span")
	if r.err == nil && span > math.MaxUint64-m.First {
		r.fail("seq span overflows")
	}
	m.Last = m.First + span
	enc := r.byte1("body encoding")
	rawLen := r.uvarint("body size")
	if r.err != nil {
		return nil
	}
	if rawLen > uint64(st.lim.MaxBatchRaw) {
		r.failTooLarge("declared body of %d bytes exceeds %d", rawLen, st.lim.MaxBatchRaw)
		return nil
	}
	payload := r.bytes("body", r.left())
	var raw []byte
	switch enc {
	case bodyStored:
		if uint64(len(payload)) != rawLen {
			r.fail("stored body of %d bytes, declared %d", len(payload), rawLen)
			return nil
		}
		raw = payload
	case bodyZstd:
		var h zstd.Header
		if err := h.Decode(payload); err != nil {
			r.fail("zstd header: %v", err)
			return nil
		}
		if h.Skippable || !h.HasFCS || h.FrameContentSize != rawLen || rawLen == 0 {
			r.fail("zstd frame content size does not match the declared %d bytes", rawLen)
			return nil
		}
		// The decoder is set to decode no more than the capacity of dst.
		out, err := st.dec.DecodeAll(payload, make([]byte, 0, int(rawLen)))
		if err != nil {
			if errors.Is(err, zstd.ErrDecoderSizeExceeded) {
				r.failTooLarge("zstd body exceeds its declared %d bytes", rawLen)
			} else {
				r.fail("zstd body: %v", err)
			}
			return nil
		}
		if uint64(len(out)) != rawLen {
			r.fail("zstd body of %d bytes, declared %d", len(out), rawLen)
			return nil
		}
		raw = out
	default:
		r.fail("unknown body encoding %d", enc)
		return nil
	}
	br := &reader{b: raw, s: string(raw)}
	m.Changes = c.decodeBody(st, br)
	br.end("batch body")
	if br.err != nil {
		r.err = fmt.Errorf("body: %w", br.err)
		return nil
	}
	return m
}

// changeInfo is what decodeBody keeps about a change between streams.
type changeInfo struct {
	t       *replica.Table
	ms      int64
	derived bool
}

// decodeBody decodes a raw batch body (see PROTOCOL.md, "Batch body").
func (c *Codec) decodeBody(st *codecState, r *reader) []replica.Change {
	lim := st.lim
	// Each change takes at least 5 bytes: one in each per-change stream.
	n := r.count("change count", 5, lim.MaxChanges)
	nSites := r.count("site count", 8, lim.MaxChanges+lim.MaxTotalFields)
	if r.err != nil {
		return nil
	}
	sites := make([]replica.SiteID, nSites)
	for i := range sites {
		sites[i] = replica.SiteID(r.u64("site"))
		if r.err == nil && sites[i] == 0 {
			r.fail("site %d is zero", i)
		}
	}
	if r.err != nil || n == 0 {
		return nil
	}
	if nSites == 0 {
		r.fail("changes without sites")
		return nil
	}
	changes := make([]replica.Change, n)
	info := make([]changeInfo, n)
	tables := c.Schema.Tables()
	for i := range info {
		v := r.uvarint("table")
		if r.err != nil {
			return nil
		}
		if v>>1 >= uint64(len(tables)) {
			r.fail("change %d: unknown table %d", i, v>>1)
			return nil
		}
		t := tables[v>>1]
		info[i] = changeInfo{t: t, derived: v&1 != 0}
		changes[i].Table = t.Name
		if info[i].derived && (c.Key == nil || t.KeyColumnIndex() < 0) {
			r.fail("change %d: row id derived from a key this codec lacks or table %s has not", i, t.Name)
			return nil
		}
	}
	var prev int64
	for i := range info {
		d := r.varint("stamp")
		if r.err != nil {
			return nil
		}
		if d < -hlc.MaxMillis || d > hlc.MaxMillis || prev+d < 0 || prev+d > hlc.MaxMillis {
			r.fail("change %d: stamp out of range", i)
			return nil
		}
		prev += d
		info[i].ms = prev
	}
	for i := range changes {
		ctr := r.small("stamp counter", math.MaxUint16)
		changes[i].Version.HLC = hlc.New(info[i].ms, uint16(ctr))
	}
	for i := range changes {
		changes[i].Version.Site = sites[r.small("site index", uint64(nSites-1))]
	}
	total := 0
	nf := make([]int, n)
	for i := range nf {
		v := r.uvarint("field count")
		if r.err != nil {
			return nil
		}
		if v > uint64(lim.MaxFields) {
			r.failTooLarge("change %d: %d fields exceed %d", i, v, lim.MaxFields)
			return nil
		}
		nf[i] = int(v)
		total += nf[i]
		if total > lim.MaxTotalFields {
			r.failTooLarge("more than %d fields in the batch", lim.MaxTotalFields)
			return nil
		}
	}
	for i := range changes {
		if !info[i].derived {
			copy(changes[i].Row[:], r.bytes("row id", 16))
			if r.err == nil && changes[i].Row.IsZero() {
				r.fail("change %d: zero row id", i)
			}
		}
	}
	// Each field takes at least one header byte.
	if r.err != nil || total > r.left() {
		r.fail("field count exceeds input")
		return nil
	}
	fields := make([]replica.Field, total)
	keys := make([]int32, total) // global column of each field
	flags := make([]uint8, total)
	reps := 0
	valued := 0
	j := 0
	for i := range changes {
		t := info[i].t
		base := st.colBase[t.ID()]
		if nf[i] > 0 {
			changes[i].Fields = fields[j : j+nf[i] : j+nf[i]]
		}
		for range nf[i] {
			h := r.uvarint("field header")
			if r.err != nil {
				return nil
			}
			col, fl := h>>3, uint8(h&7)
			if col >= uint64(t.NumColumns()) {
				r.fail("change %d: column %d out of range for %s", i, col, t.Name)
				return nil
			}
			f := &fields[j]
			f.Col = int(col)
			f.Dead = fl&flagDead != 0
			if f.Dead && fl&flagValue != 0 {
				r.fail("change %d: dead field %d with a value flag", i, j)
				return nil
			}
			keys[j], flags[j] = int32(base+f.Col), fl
			if t.ColumnType(f.Col) == replica.Set {
				valued++ // the element
				if !f.Dead {
					f.Value = int64(fl & flagValue >> 1)
				}
			} else if !f.Dead && fl&flagValue == 0 {
				valued++
			}
			if fl&flagReplaces != 0 {
				reps++
			}
			j++
		}
	}
	// Replaced versions: counts, then stamps, counters and sites.
	repOf := make([]int32, 0, reps) // replace count of each field that has some
	totalReps := 0
	for range reps {
		k := r.uvarint("replace count")
		if r.err != nil {
			return nil
		}
		if k >= uint64(lim.MaxTotalFields) || totalReps+int(k)+1 > lim.MaxTotalFields {
			r.failTooLarge("more than %d replaced versions in the batch", lim.MaxTotalFields)
			return nil
		}
		totalReps += int(k) + 1
		repOf = append(repOf, int32(k)+1)
	}
	// Each replaced version takes at least 3 bytes: stamp, counter, site.
	if totalReps > r.left()/3 {
		r.fail("replaced versions exceed input")
		return nil
	}
	if totalReps > 0 {
		versions := make([]replica.Version, totalReps)
		j, ri, vi := 0, 0, 0
		for i := range changes {
			for range nf[i] {
				if flags[j]&flagReplaces != 0 {
					k := int(repOf[ri])
					fields[j].Replaces = versions[vi : vi+k : vi+k]
					for x := range fields[j].Replaces {
						d := r.varint("replaced stamp")
						ms := info[i].ms - d
						if r.err == nil && (d < -hlc.MaxMillis || d > hlc.MaxMillis || ms < 0 || ms > hlc.MaxMillis) {
							r.fail("change %d: replaced stamp out of range", i)
						}
						fields[j].Replaces[x].HLC = hlc.Timestamp(ms) << 16
					}
					ri++
					vi += k
				}
				j++
			}
		}
		for x := range versions {
			versions[x].HLC |= hlc.Timestamp(r.small("replaced counter", math.MaxUint16))
		}
		for x := range versions {
			versions[x].Site = sites[r.small("replaced site index", uint64(nSites-1))]
		}
	}
	if r.err != nil {
		return nil
	}
	// Values, grouped by global column in ascending order, each group in
	// batch order: a counting sort of the fields that carry one.
	start := make([]int32, st.nCols+1)
	for j := range fields {
		if hasValueBytes(st.colType[keys[j]], flags[j]) {
			start[keys[j]+1]++
		}
	}
	for k := 1; k < len(start); k++ {
		start[k] += start[k-1]
	}
	order := make([]int32, valued)
	for j := range fields {
		if hasValueBytes(st.colType[keys[j]], flags[j]) {
			order[start[keys[j]]] = int32(j)
			start[keys[j]]++
		}
	}
	for _, j := range order {
		f := &fields[j]
		switch st.colType[keys[j]] {
		case replica.Set:
			f.Elem = r.str("set element", replica.MaxValueBytes)
			if r.err == nil && (f.Elem == "" || !utf8.ValidString(f.Elem)) {
				r.fail("field %d: set element empty or not UTF-8", j)
			}
		case replica.Text:
			s := r.str("text", replica.MaxValueBytes)
			if r.err == nil && !utf8.ValidString(s) {
				r.fail("field %d: text is not valid UTF-8", j)
			}
			f.Value = s
		case replica.Integer:
			f.Value = r.varint("integer")
		case replica.Real:
			x := math.Float64frombits(bits.ReverseBytes64(r.uvarint("real")))
			if r.err == nil && (math.IsNaN(x) || math.IsInf(x, 0)) {
				r.fail("field %d: number is not finite", j)
			}
			f.Value = x
		}
		if r.err != nil {
			return nil
		}
	}
	key := newDeriver(c.Key)
	for i := range changes {
		if !info[i].derived {
			continue
		}
		t := info[i].t
		kc := t.KeyColumnIndex()
		s, ok := "", false
		for x := range changes[i].Fields {
			if f := &changes[i].Fields[x]; f.Col == kc && !f.Dead {
				s, ok = f.Value.(string)
				break
			}
		}
		if !ok {
			r.fail("change %d: derived row id without a %s value", i, t.KeyColumn)
			return nil
		}
		changes[i].Row = key.Derive(t.Name, s)
	}
	return changes
}

// hasValueBytes reports whether a field of a column of type typ with header
// flags fl has bytes in the values section.
func hasValueBytes(typ replica.ColumnType, fl uint8) bool {
	if typ == replica.Set {
		return true
	}
	return fl&(flagDead|flagValue) == 0
}
