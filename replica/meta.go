package replica

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"fieldsync/hlc"
)

func hlcOf(u uint64) hlc.Timestamp { return hlc.Timestamp(u) }

// head is a version no known change replaces, with its value.
type head struct {
	v     Version
	value any
}

// colState is the merge state of one column (or one element of a Set column):
// its heads and every version known to be replaced. The heads are a function of
// the set of changes received, whatever order they came in.
type colState struct {
	col      int
	elem     string
	heads    []head    // ascending by version
	replaced []Version // ascending
}

// rowMeta is the merge state of a row: one colState per written column and set
// element, ordered by (col, elem). It is stored canonically in MetaColumn, so
// replicas that saw the same changes hold the same bytes.
type rowMeta struct {
	cols []colState
	// arena hands out first heads, so that a new row's columns share one
	// allocation instead of one each.
	arena []head
}

func (m *rowMeta) state(col int, elem string) *colState {
	i := sort.Search(len(m.cols), func(i int) bool {
		c := &m.cols[i]
		return c.col > col || c.col == col && c.elem >= elem
	})
	if i < len(m.cols) && m.cols[i].col == col && m.cols[i].elem == elem {
		return &m.cols[i]
	}
	m.cols = slices.Insert(m.cols, i, colState{col: col, elem: elem})
	return &m.cols[i]
}

func (m *rowMeta) find(col int, elem string) *colState {
	for i := range m.cols {
		if m.cols[i].col == col && m.cols[i].elem == elem {
			return &m.cols[i]
		}
	}
	return nil
}

func searchVersion(vs []Version, v Version) (int, bool) {
	return slices.BinarySearchFunc(vs, v, Version.Compare)
}

func (c *colState) isReplaced(v Version) bool {
	_, ok := searchVersion(c.replaced, v)
	return ok
}

func (c *colState) addReplaced(v Version) bool {
	i, ok := searchVersion(c.replaced, v)
	if ok {
		return false
	}
	c.replaced = slices.Insert(c.replaced, i, v)
	return true
}

func (c *colState) headIndex(v Version) int {
	for i := range c.heads {
		if c.heads[i].v == v {
			return i
		}
	}
	return -1
}

func (c *colState) removeHead(v Version) bool {
	if i := c.headIndex(v); i >= 0 {
		c.heads = slices.Delete(c.heads, i, i+1)
		return true
	}
	return false
}

// apply merges one field written at version v and reports whether the state
// changed. It is idempotent and commutative over fields.
func (c *colState) apply(v Version, f *Field) bool {
	changed := false
	for _, r := range f.Replaces {
		if c.addReplaced(r) {
			changed = true
		}
		if c.removeHead(r) {
			changed = true
		}
	}
	if f.Dead {
		if c.addReplaced(v) {
			changed = true
		}
		if c.removeHead(v) {
			changed = true
		}
		return changed
	}
	if c.isReplaced(v) || c.headIndex(v) >= 0 {
		return changed
	}
	i := sort.Search(len(c.heads), func(i int) bool { return v.Less(c.heads[i].v) })
	c.heads = slices.Insert(c.heads, i, head{v: v, value: f.Value})
	return true
}

// reserve makes room for n more column states and first heads, so that
// writing a new row allocates once.
func (m *rowMeta) reserve(n int) {
	m.cols = slices.Grow(m.cols, n)
	if len(m.arena) < n {
		m.arena = make([]head, n)
	}
}

// apply merges a field into c, giving an empty state its first head from the row's arena.
func (m *rowMeta) apply(c *colState, v Version, f *Field) bool {
	if len(c.heads) == 0 && cap(c.heads) == 0 && !f.Dead && len(f.Replaces) == 0 && !c.isReplaced(v) {
		if len(m.arena) == 0 {
			m.arena = make([]head, 8)
		}
		c.heads = m.arena[:1:1]
		c.heads[0] = head{v: v, value: f.Value}
		m.arena = m.arena[1:]
		return true
	}
	return c.apply(v, f)
}

// winner is the greatest head, the column's last-writer-wins value.
func (c *colState) winner() (head, bool) {
	if len(c.heads) == 0 {
		return head{}, false
	}
	return c.heads[len(c.heads)-1], true
}

// inConflict reports two or more heads holding different values.
func (c *colState) inConflict() bool {
	for i := 1; i < len(c.heads); i++ {
		if !valueEqual(c.heads[i].value, c.heads[0].value) {
			return true
		}
	}
	return false
}

// headVersions lists the heads, what a local write replaces.
func (c *colState) headVersions() []Version {
	if c == nil || len(c.heads) == 0 {
		return nil
	}
	vs := make([]Version, len(c.heads))
	for i, h := range c.heads {
		vs[i] = h.v
	}
	return vs
}

// present reports whether a Set element is in the set: add-wins, so any head
// that added it keeps it.
func (c *colState) present() bool {
	if c == nil {
		return false
	}
	for _, h := range c.heads {
		if x, ok := h.value.(int64); ok && x == 1 {
			return true
		}
	}
	return false
}

// rowValues recomputes the row's column values from the metadata. vals holds
// the values as stored (the winners' values live in the row, not in the
// metadata); columns without heads keep their stored value. A Set column
// becomes a JSON array of its present elements, sorted (states are in (col,
// elem) order).
func (m *rowMeta) rowValues(t *Table, vals []any) {
	setCol := -1
	var set []byte
	endSet := func() {
		if setCol >= 0 {
			vals[setCol] = string(append(set, ']'))
			setCol = -1
		}
	}
	for i := range m.cols {
		c := &m.cols[i]
		if c.col != setCol {
			endSet()
		}
		if t.ColumnType(c.col) == Set {
			if setCol < 0 {
				setCol, set = c.col, append(set[:0], '[')
			}
			if c.present() {
				if len(set) > 1 {
					set = append(set, ',')
				}
				set = appendJSONString(set, c.elem)
			}
			continue
		}
		if w, ok := c.winner(); ok {
			vals[c.col] = w.value
		}
	}
	endSet()
	if vals[t.deleted] == nil {
		vals[t.deleted] = int64(0)
	}
}

// appendJSONString quotes s (valid UTF-8) as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// encode writes the canonical form. The winner of every non-set column is
// written as "in row": its value is the row's column.
func (m *rowMeta) encode(t *Table, b []byte) []byte {
	if v, ok := m.uniform(t); ok {
		// The common case, a row written once: one version for every column,
		// values all in the row. Format 2 says just that.
		b = append(b, 2)
		b = binary.AppendUvarint(b, uint64(v.HLC))
		b = binary.AppendUvarint(b, uint64(v.Site))
		last := -1
		for i := range m.cols {
			if c := m.cols[i].col; c != last {
				b = binary.AppendUvarint(b, uint64(c))
				last = c
			}
		}
		return b
	}
	// A table of the distinct versions, so that the many columns one edit wrote
	// cost one version, not one each.
	var vt []Version
	for i := range m.cols {
		for _, h := range m.cols[i].heads {
			vt = append(vt, h.v)
		}
		vt = append(vt, m.cols[i].replaced...)
	}
	slices.SortFunc(vt, Version.Compare)
	vt = slices.Compact(vt)
	idx := func(v Version) uint64 {
		i, _ := searchVersion(vt, v)
		return uint64(i)
	}
	b = append(b, 1) // format
	b = binary.AppendUvarint(b, uint64(len(vt)))
	var prev uint64
	for _, v := range vt {
		b = binary.AppendUvarint(b, uint64(v.HLC)-prev)
		prev = uint64(v.HLC)
		b = binary.AppendUvarint(b, uint64(v.Site))
	}
	b = binary.AppendUvarint(b, uint64(len(m.cols)))
	for i := range m.cols {
		c := &m.cols[i]
		h := uint64(c.col) << 1
		if c.elem != "" {
			h |= 1
		}
		b = binary.AppendUvarint(b, h)
		if c.elem != "" {
			b = binary.AppendUvarint(b, uint64(len(c.elem)))
			b = append(b, c.elem...)
		}
		b = binary.AppendUvarint(b, uint64(len(c.heads)))
		b = binary.AppendUvarint(b, uint64(len(c.replaced)))
		inRow := t.ColumnType(c.col) != Set
		for j, hd := range c.heads {
			b = binary.AppendUvarint(b, idx(hd.v))
			if inRow && j == len(c.heads)-1 {
				b = append(b, tagInRow)
			} else {
				b = AppendValue(b, hd.value)
			}
		}
		for _, v := range c.replaced {
			b = binary.AppendUvarint(b, idx(v))
		}
	}
	return b
}

// uniform reports whether every column and set element holds exactly one
// head, of one version, present, with nothing replaced.
func (m *rowMeta) uniform(t *Table) (Version, bool) {
	if len(m.cols) == 0 || len(m.cols[0].heads) != 1 {
		return Version{}, false
	}
	v := m.cols[0].heads[0].v
	for i := range m.cols {
		c := &m.cols[i]
		if len(c.heads) != 1 || len(c.replaced) != 0 || c.heads[0].v != v {
			return Version{}, false
		}
		if t.ColumnType(c.col) == Set && !valueEqual(c.heads[0].value, int64(1)) {
			return Version{}, false
		}
	}
	return v, true
}

// decodeUniform reads format 2: the set elements come from the row's JSON.
func decodeUniform(t *Table, r *Reader, vals []any) (*rowMeta, error) {
	v := Version{HLC: hlcOf(r.Uvarint()), Site: SiteID(r.Uvarint())}
	m := &rowMeta{}
	for r.Err() == nil && r.Len() > 0 {
		col := r.Uvarint()
		if col >= uint64(t.NumColumns()) {
			r.fail("column out of range")
			break
		}
		c := int(col)
		if t.ColumnType(c) != Set {
			m.cols = append(m.cols, colState{col: c, heads: []head{{v: v, value: vals[c]}}})
			continue
		}
		s, _ := vals[c].(string)
		var elems []string
		if err := json.Unmarshal([]byte(s), &elems); err != nil {
			return nil, fmt.Errorf("decode row metadata: %w: set %s: %v", ErrCorrupt, t.ColumnName(c), err)
		}
		for _, e := range elems {
			m.cols = append(m.cols, colState{col: c, elem: e, heads: []head{{v: v, value: int64(1)}}})
		}
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("decode row metadata: %w", err)
	}
	return m, nil
}

// storedValue is v, a losing head's value read from merge state an earlier
// release wrote, as this one stores values: −0 as 0, a NULL delete marker
// as 0 (as the row would hold them had they won).
func (t *Table) storedValue(col int, v any) any {
	switch x := v.(type) {
	case nil:
		if col == t.deleted {
			return int64(0)
		}
	case float64:
		if x == 0 {
			return 0.0
		}
	}
	return v
}

// decodeMeta reads what encode wrote; vals supplies the in-row values.
func decodeMeta(t *Table, b []byte, vals []any) (*rowMeta, error) {
	m := &rowMeta{}
	if len(b) == 0 {
		return m, nil
	}
	r := NewReader(b)
	switch f := r.Byte(); f {
	case 1:
	case 2:
		return decodeUniform(t, r, vals)
	default:
		return nil, fmt.Errorf("%w: metadata format %d", ErrCorrupt, f)
	}
	vt := make([]Version, r.Count(2))
	var prev uint64
	for i := range vt {
		prev += r.Uvarint()
		vt[i] = Version{HLC: hlc.Timestamp(prev), Site: SiteID(r.Uvarint())}
	}
	ver := func() Version {
		i := r.Uvarint()
		if i >= uint64(len(vt)) {
			r.fail("version index out of range")
			return Version{}
		}
		return vt[i]
	}
	m.cols = make([]colState, r.Count(3))
	for i := range m.cols {
		c := &m.cols[i]
		h := r.Uvarint()
		if h>>1 >= uint64(t.NumColumns()) {
			r.fail("column out of range")
			break
		}
		c.col = int(h >> 1)
		if h&1 != 0 {
			c.elem = r.String(MaxValueBytes)
		}
		nh, nr := r.Count(2), r.Count(1)
		if nh > 0 {
			c.heads = make([]head, nh)
		}
		for j := range c.heads {
			c.heads[j].v = ver()
			v, inRow := r.Value()
			if inRow {
				v = vals[c.col]
			} else {
				v = t.storedValue(c.col, v)
			}
			c.heads[j].value = v
		}
		if nr > 0 {
			c.replaced = make([]Version, nr)
		}
		for j := range c.replaced {
			c.replaced[j] = ver()
		}
	}
	if r.Err() == nil && r.Len() != 0 {
		r.fail("trailing bytes")
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("decode row metadata: %w", err)
	}
	return m, nil
}
