package replica

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"regexp"
)

// ColumnType is the type of a replicated column.
type ColumnType uint8

// Column types. Values travel as nil, int64, float64 or string; a Set column
// holds strings and merges as an add-wins set, stored in its row as a sorted
// JSON array so that SQL can read it with json_each.
const (
	Text ColumnType = iota + 1
	Integer
	Real
	Set
)

func (t ColumnType) String() string {
	switch t {
	case Text:
		return "TEXT"
	case Integer:
		return "INTEGER"
	case Real:
		return "REAL"
	case Set:
		return "SET"
	}
	return fmt.Sprintf("ColumnType(%d)", uint8(t))
}

func (t ColumnType) sqlType() string {
	if t == Set {
		return "TEXT"
	}
	return t.String()
}

// Column declares one replicated column.
type Column struct {
	Name string
	Type ColumnType
	// ID names the column in the merge state, the change log and on the
	// wire, for good: it never changes and is never given to another
	// column. A table's ids (its columns' and its DeletedID) are 0 to
	// len(Columns), each once, ascending in the order the columns are
	// declared; a column added by a later schema version takes the next id
	// after every existing one, so it comes after DeletedID.
	ID int
	// Since is the schema version that added the column (0 or 1: the
	// first). A peer of an earlier version neither sends nor receives it.
	Since int
}

// DeletedColumn is the tombstone column every table has: 1 once the row is
// deleted. It is a last-writer-wins register like any other column.
const DeletedColumn = "fs_deleted"

// MetaColumn holds a row's merge metadata (heads and replaced versions of every
// column). It is replication bookkeeping, not domain data.
const MetaColumn = "fs_meta"

// Table declares a replicated table. Its rows are plain SQLite rows keyed by a
// 16-byte id column "id", with one SQL column per declared column plus
// DeletedColumn and MetaColumn.
type Table struct {
	Name    string
	Columns []Column
	// DeletedID is the id of DeletedColumn, frozen like the columns' ids:
	// for a table of the first schema it is the number of columns it had
	// then (the marker followed them); columns added since take ids after it.
	DeletedID int
	// Since is the schema version that added the table (0 or 1: the first).
	Since int
	// AppendOnly tables take a row once and never an edit (registrations,
	// follow-ups): local edits of an existing row are refused.
	AppendOnly bool
	// EditableSince, on an AppendOnly table, is the schema version from
	// which its rows take edits after all (corrections of a record once
	// written only once): peers of that version and later edit them, and
	// peers of an earlier one still know the table as append-only (its
	// fingerprint at their version is unchanged). 0: append-only for good.
	EditableSince int
	// KeyColumn, when set, names the text column whose normalised value derives
	// the row id (ident.Key.Derive(table name, value)); such ids need not travel.
	KeyColumn string
	// Indexes lists extra SQL indexes, each a list of column names.
	Indexes [][]string

	id          int
	since       int
	byName      map[string]int
	cols        []colInfo // by column id, DeletedColumn included
	deleted     int
	keyCol      int
	selectSQL   string // the row and its merge state by id
	upsertSQL   string // write the row and its merge state
	prefetchSQL string // many rows and their merge state by id
}

// colInfo is what the engine needs of a column, found by its id.
type colInfo struct {
	name  string
	typ   ColumnType
	since int
}

// AppendOnlyAt reports whether a peer of schema version v refuses edits of
// the table's existing rows (AppendOnly, EditableSince).
func (t *Table) AppendOnlyAt(v int) bool {
	return t.AppendOnly && (t.EditableSince == 0 || v < t.EditableSince)
}

// ID is the table's index in its schema; it names the table on the wire.
func (t *Table) ID() int { return t.id }

// Column returns the id of the named column (DeletedColumn included).
func (t *Table) Column(name string) (int, bool) {
	i, ok := t.byName[name]
	return i, ok
}

// NumColumns counts the column ids, DeletedColumn's included: ids are 0 to
// NumColumns()-1.
func (t *Table) NumColumns() int { return len(t.cols) }

// ColumnName names column id i, DeletedColumn included.
func (t *Table) ColumnName(i int) string { return t.cols[i].name }

// ColumnType is the type of column id i, DeletedColumn included.
func (t *Table) ColumnType(i int) ColumnType { return t.cols[i].typ }

// ColumnAddedIn is the schema version that added column id i (at least 1).
func (t *Table) ColumnAddedIn(i int) int { return t.cols[i].since }

// AddedIn is the schema version that added the table (at least 1).
func (t *Table) AddedIn() int { return t.since }

// KeyColumnIndex is the id of KeyColumn, or -1.
func (t *Table) KeyColumnIndex() int { return t.keyCol }

// DeletedCol is the id of the table's tombstone column, DeletedColumn.
func (t *Table) DeletedCol() int { return t.deleted }

// Schema is the set of replicated tables. Every replica of a deployment uses the
// same schema; its Fingerprint is checked at each sync handshake.
type Schema struct {
	tables  []*Table
	byName  map[string]*Table
	version int
	fps     []uint64 // FingerprintAt(v) at fps[v-1]
}

var identRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// NewSchema checks the declarations and indexes them. Tables keep the order
// given: it is their wire id, so new tables go at the end. Column ids must
// be each table's 0 to len(Columns), each once, ascending in declaration
// order, with DeletedID among them and columns added by a later version
// (Since) after DeletedID.
func NewSchema(tables ...*Table) (*Schema, error) {
	s := &Schema{byName: map[string]*Table{}, version: 1}
	for i, t := range tables {
		if !identRE.MatchString(t.Name) || len(t.Name) > 3 && t.Name[:3] == "fs_" {
			return nil, fmt.Errorf("table %q: bad name", t.Name)
		}
		if _, dup := s.byName[t.Name]; dup {
			return nil, fmt.Errorf("table %q declared twice", t.Name)
		}
		if len(t.Columns) == 0 {
			return nil, fmt.Errorf("table %s: no columns", t.Name)
		}
		t.id = i
		t.since = max(t.Since, 1)
		s.version = max(s.version, t.since)
		if t.EditableSince != 0 && (!t.AppendOnly || t.EditableSince <= t.since) {
			return nil, fmt.Errorf("table %s: EditableSince %d: only for an append-only table, after the version that added it (%d)",
				t.Name, t.EditableSince, t.since)
		}
		s.version = max(s.version, t.EditableSince)
		t.byName = map[string]int{}
		t.keyCol = -1
		n := len(t.Columns) + 1
		if t.DeletedID < 1 || t.DeletedID >= n {
			return nil, fmt.Errorf("table %s: DeletedID %d: want the id after the first version's columns, 1 to %d", t.Name, t.DeletedID, n-1)
		}
		t.deleted = t.DeletedID
		t.cols = make([]colInfo, n)
		t.cols[t.deleted] = colInfo{name: DeletedColumn, typ: Integer, since: t.since}
		t.byName[DeletedColumn] = t.deleted
		prev := -1
		for _, c := range t.Columns {
			if !identRE.MatchString(c.Name) || c.Name == "id" || len(c.Name) > 3 && c.Name[:3] == "fs_" {
				return nil, fmt.Errorf("table %s: column %q: bad name", t.Name, c.Name)
			}
			if c.Type < Text || c.Type > Set {
				return nil, fmt.Errorf("table %s: column %s: bad type", t.Name, c.Name)
			}
			if _, dup := t.byName[c.Name]; dup {
				return nil, fmt.Errorf("table %s: column %s declared twice", t.Name, c.Name)
			}
			switch {
			case c.ID < 0 || c.ID >= n:
				return nil, fmt.Errorf("table %s: column %s: id %d out of 0 to %d", t.Name, c.Name, c.ID, n-1)
			case c.ID == t.deleted:
				return nil, fmt.Errorf("table %s: column %s: id %d is the delete marker's", t.Name, c.Name, c.ID)
			case t.cols[c.ID].name != "":
				return nil, fmt.Errorf("table %s: column %s: id %d already names %s", t.Name, c.Name, c.ID, t.cols[c.ID].name)
			case c.ID < prev:
				return nil, fmt.Errorf("table %s: column %s: id %d after %d: ids ascend in declaration order", t.Name, c.Name, c.ID, prev)
			}
			prev = c.ID
			since := max(c.Since, t.since)
			if since > t.since && c.ID < t.deleted {
				return nil, fmt.Errorf("table %s: column %s: added in version %d with id %d: a later column takes an id after DeletedID %d",
					t.Name, c.Name, since, c.ID, t.deleted)
			}
			if since == t.since && c.ID > t.deleted {
				return nil, fmt.Errorf("table %s: column %s: id %d after DeletedID %d: say in which version it was added (Since)",
					t.Name, c.Name, c.ID, t.deleted)
			}
			s.version = max(s.version, since)
			t.cols[c.ID] = colInfo{name: c.Name, typ: c.Type, since: since}
			t.byName[c.Name] = c.ID
		}
		if t.KeyColumn != "" {
			k, ok := t.byName[t.KeyColumn]
			if !ok || t.cols[k].typ != Text || k == t.deleted {
				return nil, fmt.Errorf("table %s: key column %q must be a declared text column", t.Name, t.KeyColumn)
			}
			t.keyCol = k
		}
		for _, ix := range t.Indexes {
			for _, c := range ix {
				if _, ok := t.byName[c]; !ok && c != "id" {
					return nil, fmt.Errorf("table %s: index on unknown column %q", t.Name, c)
				}
			}
		}
		t.selectSQL, t.upsertSQL, t.prefetchSQL = selectRowSQL(t), upsertRowSQL(t), prefetchRowsSQL(t)
		s.tables = append(s.tables, t)
		s.byName[t.Name] = t
	}
	for v := 1; v <= s.version; v++ {
		s.fps = append(s.fps, s.fingerprint(v))
	}
	return s, nil
}

// fingerprint hashes the schema as a peer of version v knows it. What the
// first version declares is hashed as release 0.5.0 hashed it (names,
// types, append-only, key column, in declaration order), so that its
// stations keep matching; what a later version added is hashed with its
// ids and version.
func (s *Schema) fingerprint(v int) uint64 {
	h := sha256.New()
	for _, t := range s.tables {
		if t.since > v {
			continue
		}
		if t.since == 1 {
			fmt.Fprintf(h, "t:%s:%v;", t.Name, t.AppendOnlyAt(v))
		} else {
			fmt.Fprintf(h, "t:%s:%v:%d:%d;", t.Name, t.AppendOnlyAt(v), t.deleted, t.since)
		}
		for _, c := range t.Columns {
			since := max(c.Since, t.since)
			switch {
			case since > v:
			case since == 1:
				fmt.Fprintf(h, "c:%s:%d;", c.Name, c.Type)
			default:
				fmt.Fprintf(h, "c:%s:%d:%d:%d;", c.Name, c.Type, c.ID, since)
			}
		}
		if t.KeyColumn != "" {
			fmt.Fprintf(h, "k:%s;", t.KeyColumn)
		}
	}
	return binary.BigEndian.Uint64(h.Sum(nil)[:8])
}

// Table looks a table up by name.
func (s *Schema) Table(name string) (*Table, bool) {
	t, ok := s.byName[name]
	return t, ok
}

// TableByID looks a table up by its wire id.
func (s *Schema) TableByID(id int) (*Table, bool) {
	if id < 0 || id >= len(s.tables) {
		return nil, false
	}
	return s.tables[id], true
}

// Tables lists the tables in declaration order.
func (s *Schema) Tables() []*Table { return s.tables }

// Version is the schema's version: the greatest Since of its tables and
// columns (at least 1).
func (s *Schema) Version() int { return s.version }

// FingerprintAt identifies the schema as a peer of version v knows it
// (what was added after v left out); 0 for a version beyond this schema's
// or below 1. A peer one version behind sends FingerprintAt(its version).
func (s *Schema) FingerprintAt(v int) uint64 {
	if v < 1 || v > len(s.fps) {
		return 0
	}
	return s.fps[v-1]
}

// ChangeAt is c as a peer of schema version v may receive it: without the
// fields of columns added after v; false when nothing is left (the table
// or every column it wrote came later). c is not modified; the result
// shares c's fields when none was dropped.
func (s *Schema) ChangeAt(v int, c Change) (Change, bool) {
	t, ok := s.byName[c.Table]
	if !ok || t.since > v {
		return Change{}, false
	}
	keep := 0
	for i := range c.Fields {
		if f := &c.Fields[i]; f.Col >= 0 && f.Col < len(t.cols) && t.cols[f.Col].since <= v {
			keep++
		}
	}
	if keep == len(c.Fields) {
		return c, keep > 0
	}
	if keep == 0 {
		return Change{}, false
	}
	fields := make([]Field, 0, keep)
	for _, f := range c.Fields {
		if f.Col >= 0 && f.Col < len(t.cols) && t.cols[f.Col].since <= v {
			fields = append(fields, f)
		}
	}
	c.Fields = fields
	return c, true
}

// Fingerprint identifies the schema; peers with different fingerprints
// cannot sync, unless one is a version behind (FingerprintAt).
func (s *Schema) Fingerprint() uint64 { return s.FingerprintAt(s.version) }
