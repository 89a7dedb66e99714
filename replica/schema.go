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
	// AppendOnly tables take a row once and never an edit (registrations,
	// follow-ups): local edits of an existing row are refused.
	AppendOnly bool
	// KeyColumn, when set, names the text column whose normalised value derives
	// the row id (ident.Key.Derive(table name, value)); such ids need not travel.
	KeyColumn string
	// Indexes lists extra SQL indexes, each a list of column names.
	Indexes [][]string

	id          int
	byName      map[string]int
	deleted     int
	keyCol      int
	selectSQL   string // the row and its merge state by id
	upsertSQL   string // write the row and its merge state
	prefetchSQL string // many rows and their merge state by id
}

// ID is the table's index in its schema; it names the table on the wire.
func (t *Table) ID() int { return t.id }

// Column returns the index of the named column (DeletedColumn included).
func (t *Table) Column(name string) (int, bool) {
	i, ok := t.byName[name]
	return i, ok
}

// NumColumns counts the columns including DeletedColumn.
func (t *Table) NumColumns() int { return len(t.Columns) + 1 }

// ColumnName names column i, DeletedColumn included.
func (t *Table) ColumnName(i int) string {
	if i == t.deleted {
		return DeletedColumn
	}
	return t.Columns[i].Name
}

// ColumnType is the type of column i, DeletedColumn included.
func (t *Table) ColumnType(i int) ColumnType {
	if i == t.deleted {
		return Integer
	}
	return t.Columns[i].Type
}

// KeyColumnIndex is the index of KeyColumn, or -1.
func (t *Table) KeyColumnIndex() int { return t.keyCol }

// Schema is the set of replicated tables. Every replica of a deployment uses the
// same schema; its Fingerprint is checked at each sync handshake.
type Schema struct {
	tables []*Table
	byName map[string]*Table
	fp     [8]byte
}

var identRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// NewSchema checks the declarations and indexes them. Tables keep the order
// given: it is their wire id, so new tables go at the end.
func NewSchema(tables ...*Table) (*Schema, error) {
	s := &Schema{byName: map[string]*Table{}}
	h := sha256.New()
	for i, t := range tables {
		if !identRE.MatchString(t.Name) || len(t.Name) > 3 && t.Name[:3] == "fs_" {
			return nil, fmt.Errorf("table %q: bad name", t.Name)
		}
		if _, dup := s.byName[t.Name]; dup {
			return nil, fmt.Errorf("table %q declared twice", t.Name)
		}
		t.id = i
		t.byName = map[string]int{}
		t.keyCol = -1
		fmt.Fprintf(h, "t:%s:%v;", t.Name, t.AppendOnly)
		for j, c := range t.Columns {
			if !identRE.MatchString(c.Name) || c.Name == "id" || len(c.Name) > 3 && c.Name[:3] == "fs_" {
				return nil, fmt.Errorf("table %s: column %q: bad name", t.Name, c.Name)
			}
			if c.Type < Text || c.Type > Set {
				return nil, fmt.Errorf("table %s: column %s: bad type", t.Name, c.Name)
			}
			if _, dup := t.byName[c.Name]; dup {
				return nil, fmt.Errorf("table %s: column %s declared twice", t.Name, c.Name)
			}
			t.byName[c.Name] = j
			fmt.Fprintf(h, "c:%s:%d;", c.Name, c.Type)
		}
		t.deleted = len(t.Columns)
		t.byName[DeletedColumn] = t.deleted
		if t.KeyColumn != "" {
			k, ok := t.byName[t.KeyColumn]
			if !ok || t.Columns[k].Type != Text {
				return nil, fmt.Errorf("table %s: key column %q must be a declared text column", t.Name, t.KeyColumn)
			}
			t.keyCol = k
			fmt.Fprintf(h, "k:%s;", t.KeyColumn)
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
	copy(s.fp[:], h.Sum(nil))
	return s, nil
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

// Fingerprint identifies the schema; peers with different fingerprints cannot sync.
func (s *Schema) Fingerprint() uint64 { return binary.BigEndian.Uint64(s.fp[:]) }

// DeletedCol is the index of the table's tombstone column, DeletedColumn:
// the last.
func (t *Table) DeletedCol() int { return len(t.Columns) }
