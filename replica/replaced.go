package replica

import (
	"context"
	"fmt"

	"fieldsync/ident"
)

// Read-only accessors for conflict review: the heads of a row as a write
// transaction sees them, and the versions a row's columns replaced.

// columnHeads converts a row's merge state to ColumnHeads.
func columnHeads(t *Table, m *rowMeta) []ColumnHeads {
	out := make([]ColumnHeads, len(m.cols))
	for i := range m.cols {
		c := &m.cols[i]
		ch := ColumnHeads{Col: c.col, Column: t.ColumnName(c.col), Elem: c.elem, Replaced: len(c.replaced),
			Conflict: t.ColumnType(c.col) != Set && c.inConflict()}
		for _, h := range c.heads {
			ch.Heads = append(ch.Heads, Head{Version: h.v, Value: h.value})
		}
		out[i] = ch
	}
	return out
}

// Heads is Replica.Heads inside the transaction: it sees the changes the
// transaction applied or made, so that a caller can record the conflicts of
// a batch in the transaction that applied it. ErrNotFound if the row has no
// written column.
func (tx *Tx) Heads(ctx context.Context, table string, id ident.ID) ([]ColumnHeads, error) {
	t, ok := tx.r.schema.Table(table)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownTable, table)
	}
	rb, err := tx.row(ctx, t, id)
	if err != nil {
		return nil, err
	}
	if len(rb.meta.cols) == 0 {
		return nil, fmt.Errorf("%s row %s: %w", table, id, ErrNotFound)
	}
	return columnHeads(t, rb.meta), nil
}

// ColumnReplaced lists the versions of one column (or set element) that
// known changes replaced, ascending.
type ColumnReplaced struct {
	Col      int
	Column   string
	Elem     string
	Replaced []Version
}

// Replaced returns, for every written column of a row, the versions known to
// be replaced (columns with none are left out); nil when the row does not
// exist. A station uses it to show that a value was settled over others.
func (r *Replica) Replaced(ctx context.Context, table string, id ident.ID) ([]ColumnReplaced, error) {
	t, m, err := r.readMeta(ctx, table, id)
	if err != nil {
		return nil, err
	}
	var out []ColumnReplaced
	for i := range m.cols {
		c := &m.cols[i]
		if len(c.replaced) == 0 {
			continue
		}
		out = append(out, ColumnReplaced{Col: c.col, Column: t.ColumnName(c.col), Elem: c.elem,
			Replaced: append([]Version(nil), c.replaced...)})
	}
	return out, nil
}

// maxValueScan bounds the log rows LoggedValues reads.
const maxValueScan = 200

// LoggedValues finds in the change log the values that the given versions
// wrote to one column of a row, for versions still in the log (a station
// trims its log; the hub keeps it). It reads at most a bounded number of log
// rows, starting at those written an hour before the oldest version's stamp,
// so a version it cannot find cheaply is left out of the answer.
func (r *Replica) LoggedValues(ctx context.Context, table string, id ident.ID, col int, versions []Version) (map[Version]any, error) {
	t, ok := r.schema.Table(table)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownTable, table)
	}
	out := map[Version]any{}
	if len(versions) == 0 {
		return out, nil
	}
	want := map[Version]bool{}
	from := versions[0].HLC.Millis()
	for _, v := range versions {
		want[v] = true
		from = min(from, v.HLC.Millis())
	}
	rows, err := r.db.QueryContext(ctx, `SELECT seq, body FROM fs_log WHERE at >= ? ORDER BY seq LIMIT ?`,
		from-3600_000, maxValueScan)
	if err != nil {
		return nil, fmt.Errorf("logged values of %s %s: %w", table, id, err)
	}
	err = r.rowChanges(rows, t, id, func(_ uint64, c *Change) bool {
		if want[c.Version] {
			for _, f := range c.Fields {
				if f.Col == col && f.Elem == "" && !f.Dead {
					out[c.Version] = f.Value
				}
			}
		}
		return len(out) < len(want)
	})
	if err != nil {
		return nil, fmt.Errorf("logged values of %s %s: %w", table, id, err)
	}
	return out, nil
}
