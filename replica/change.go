package replica

import (
	"fmt"
	"math"
	"unicode/utf8"

	"fieldsync/ident"
)

// Change is one edit of one row as it travels between replicas: every field it
// wrote carries the same Version (the stamp and site of the writer). A change is
// stored and relayed unchanged, so its origin is always known.
type Change struct {
	Table   string
	Row     ident.ID
	Version Version
	Fields  []Field
	// Prechecked is set by a receiver's checks that need no database (the
	// hub's Authorize, run as a batch is decoded): the fields are well
	// formed and normalised (CheckField), a key column derives to the row
	// id, and the values are acceptable as a whole new row. It is never
	// encoded nor stored: a change read from the wire or a log has it unset.
	Prechecked bool
}

// Field is the value one change gave one column (or, for a Set column, one
// element), and the versions of that column its writer replaced: the heads its
// replica held when it wrote.
type Field struct {
	Col int // the column's id in its table (Column.ID, Table.DeletedID)
	// Elem is the element for a Set column; Value is then int64(1) for present
	// and int64(0) for removed.
	Elem     string
	Value    any // nil, int64, float64 or string
	Replaces []Version
	// Dead marks a version the sender already knows is replaced. The value may
	// be absent; the receiver records the version as replaced, never as a head.
	Dead bool
}

// Edit is a local write of one row, before it is stamped.
type Edit struct {
	Table string
	Row   ident.ID
	// Set gives columns new values. For a Set column the value is a []string
	// and replaces the whole set (elements missing from it are removed).
	Set []ColumnValue
	// Add and Remove change single elements of Set columns.
	Add    []SetElem
	Remove []SetElem
	// Delete writes the tombstone.
	Delete bool
}

// ColumnValue names a column and its new value.
type ColumnValue struct {
	Column string
	Value  any
}

// SetElem names an element of a Set column.
type SetElem struct {
	Column string
	Elem   string
}

// MaxValueBytes bounds one text value (and one set element).
const MaxValueBytes = 64 << 10

// normalizeValue converts v to the stored Go type of column type t, so that
// a value is one thing in the row, the merge state, the log and on the
// wire: a REAL −0 becomes 0 (SQLite keeps no −0 in a row), NaN and the
// infinities are refused.
func normalizeValue(t ColumnType, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t {
	case Text:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want text, got %T", v)
		}
		if len(s) > MaxValueBytes {
			return nil, fmt.Errorf("text of %d bytes exceeds %d", len(s), MaxValueBytes)
		}
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("text is not valid UTF-8")
		}
		return s, nil
	case Integer:
		switch x := v.(type) {
		case int64:
			return x, nil
		case int:
			return int64(x), nil
		case int32:
			return int64(x), nil
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
		return nil, fmt.Errorf("want integer, got %T", v)
	case Real:
		switch x := v.(type) {
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("want a finite number")
			}
			if x == 0 {
				return 0.0, nil // −0 too
			}
			return x, nil
		case int64:
			return float64(x), nil
		case int:
			return float64(x), nil
		}
		return nil, fmt.Errorf("want number, got %T", v)
	}
	return nil, fmt.Errorf("column type %s takes no direct value", t)
}

// SameValue reports whether v, about to be written to a column of type t,
// equals the stored value as the replica would store it; a value the column
// would refuse is never the same.
func SameValue(t ColumnType, stored, v any) bool {
	n, err := normalizeValue(t, v)
	return err == nil && valueEqual(stored, n)
}

// valueEqual compares two stored values.
func valueEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || math.IsNaN(x) && math.IsNaN(y))
	case string:
		y, ok := b.(string)
		return ok && x == y
	}
	return false
}

// checkField verifies a remote field against the table declaration.
func checkField(t *Table, f *Field) error {
	if f.Col < 0 || f.Col >= t.NumColumns() {
		return fmt.Errorf("column %d out of range", f.Col)
	}
	ct := t.ColumnType(f.Col)
	if ct == Set {
		if f.Elem == "" || len(f.Elem) > MaxValueBytes || !utf8.ValidString(f.Elem) {
			return fmt.Errorf("column %s: bad set element", t.ColumnName(f.Col))
		}
		if f.Dead {
			f.Value = nil
			return nil
		}
		x, ok := f.Value.(int64)
		if !ok || (x != 0 && x != 1) {
			return fmt.Errorf("column %s: set element flag must be 0 or 1", t.ColumnName(f.Col))
		}
		return nil
	}
	if f.Elem != "" {
		return fmt.Errorf("column %s: element on a non-set column", t.ColumnName(f.Col))
	}
	if f.Dead {
		f.Value = nil
		return nil
	}
	v, err := normalizeValue(ct, f.Value)
	if err != nil {
		return fmt.Errorf("column %s: %w", t.ColumnName(f.Col), err)
	}
	if v == nil && f.Col == t.deleted {
		v = int64(0) // the row keeps a NULL marker as 0: so does the merge state
	}
	f.Value = v
	return nil
}

// CheckField reports whether a field is well formed for table t (its
// column exists, its value has the column's type, a Set element is given
// only for a Set column), normalising its value in place as Apply does: a
// receiver that refuses changes one by one checks them with it first.
func CheckField(t *Table, f *Field) error { return checkField(t, f) }
