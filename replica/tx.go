package replica

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"fieldsync/hlc"
	"fieldsync/ident"
)

// Tx is one write transaction. Rows touched by several changes are merged in
// memory and written once, when the transaction ends or before it is queried.
type Tx struct {
	r       *Replica
	tx      *sql.Tx
	rows    map[rowKey]*rowBuf
	dirty   []*rowBuf // the rows changed since the last flush
	changes []Change
	maxHLC  hlc.Timestamp
	stmts   map[string]*sql.Stmt
	buf     []byte

	// The pending log row: changes encoded since the last flushLog.
	logBuf    []byte
	logN      int
	logOrigin SiteID
	logRows   []ident.ID
}

type rowKey struct {
	t  int
	id ident.ID
}

type rowBuf struct {
	t      *Table
	id     ident.ID
	vals   []any
	meta   *rowMeta
	exists bool
	dirty  bool
}

func (r *Replica) newTx(tx *sql.Tx) *Tx {
	return &Tx{r: r, tx: tx, rows: map[rowKey]*rowBuf{}, stmts: map[string]*sql.Stmt{}}
}

func (tx *Tx) close() {
	for _, s := range tx.stmts {
		s.Close()
	}
}

func (tx *Tx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := tx.stmts[query]; ok {
		return s, nil
	}
	s, err := tx.r.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	s = tx.tx.StmtContext(ctx, s)
	tx.stmts[query] = s
	return s, nil
}

// Replica returns the replica the transaction writes to.
func (tx *Tx) Replica() *Replica { return tx.r }

// Row is the result of Tx.QueryRow: like *sql.Row, its error shows at Scan.
type Row struct {
	row *sql.Row
	err error
}

// Scan copies the row's columns into dest; sql.ErrNoRows when there is none.
func (r *Row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.row.Scan(dest...)
}

// QueryRow runs a query inside the transaction, after writing pending rows.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *Row {
	if err := tx.flush(ctx); err != nil {
		return &Row{err: err}
	}
	return &Row{row: tx.tx.QueryRowContext(ctx, query, args...)}
}

// Query runs a query inside the transaction, after writing pending rows.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := tx.flush(ctx); err != nil {
		return nil, err
	}
	return tx.tx.QueryContext(ctx, query, args...)
}

// Exec runs a statement inside the transaction, after writing pending rows.
// It is for the caller's own bookkeeping tables; writing to replicated tables
// with it bypasses the merge: never do that.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := tx.flush(ctx); err != nil {
		return nil, err
	}
	return tx.tx.ExecContext(uninterrupted(ctx), query, args...)
}

// SetCursor stores a named sequence in this transaction.
func (tx *Tx) SetCursor(ctx context.Context, name string, seq uint64) error {
	s, err := tx.stmt(ctx, `INSERT INTO fs_cursor(name, seq) VALUES(?, ?)
		ON CONFLICT(name) DO UPDATE SET seq = excluded.seq`)
	if err != nil {
		return err
	}
	if _, err := s.ExecContext(uninterrupted(ctx), name, int64(seq)); err != nil {
		return fmt.Errorf("store cursor %s: %w", name, err)
	}
	return nil
}

// columnList names every stored column but the id: the columns in id order
// (DeletedColumn among them), so that a row scans into a slice indexed by
// column id, then MetaColumn.
func columnList(t *Table) string {
	var b strings.Builder
	for _, c := range t.cols {
		b.WriteString(c.name)
		b.WriteString(", ")
	}
	b.WriteString(MetaColumn)
	return b.String()
}

func selectRowSQL(t *Table) string {
	return "SELECT " + columnList(t) + " FROM " + t.Name + " WHERE id = ?"
}

// prefetchRowsSQL reads prefetchChunk rows by id (the caller pads the list).
func prefetchRowsSQL(t *Table) string {
	return "SELECT id, " + columnList(t) + " FROM " + t.Name + " WHERE id IN (?" +
		strings.Repeat(", ?", prefetchChunk-1) + ")"
}

func upsertRowSQL(t *Table) string {
	var cols, qs, set strings.Builder
	cols.WriteString("id")
	qs.WriteString("?")
	names := make([]string, 0, len(t.cols)+1)
	for _, c := range t.cols {
		names = append(names, c.name)
	}
	names = append(names, MetaColumn)
	for i, n := range names {
		cols.WriteString(", " + n)
		qs.WriteString(", ?")
		if i > 0 {
			set.WriteString(", ")
		}
		set.WriteString(n + " = excluded." + n)
	}
	return fmt.Sprintf("INSERT INTO %s(%s) VALUES(%s) ON CONFLICT(id) DO UPDATE SET %s",
		t.Name, cols.String(), qs.String(), set.String())
}

// row loads a row's values and merge state, from the transaction's cache first.
func (tx *Tx) row(ctx context.Context, t *Table, id ident.ID) (*rowBuf, error) {
	k := rowKey{t.id, id}
	if rb, ok := tx.rows[k]; ok {
		return rb, nil
	}
	s, err := tx.stmt(ctx, t.selectSQL)
	if err != nil {
		return nil, err
	}
	rb, err := scanRow(t, s.QueryRowContext(ctx, id[:]).Scan, false)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		rb = &rowBuf{t: t, vals: make([]any, t.NumColumns()), meta: &rowMeta{}}
	case err != nil:
		return nil, fmt.Errorf("read %s row %s: %w", t.Name, id, err)
	}
	rb.id = id
	tx.rows[k] = rb
	return rb, nil
}

// prefetchChunk is how many rows one prefetch query asks for.
const prefetchChunk = 128

// prefetch loads, with one query per chunk instead of one per row, the rows a
// batch is about to touch; rows not found are cached as absent.
func (tx *Tx) prefetch(ctx context.Context, t *Table, ids []ident.ID) error {
	var want []ident.ID
	for _, id := range ids {
		if _, ok := tx.rows[rowKey{t.id, id}]; !ok {
			want = append(want, id)
		}
	}
	if len(want) < 2 {
		return nil
	}
	slices.SortFunc(want, func(a, b ident.ID) int { return bytes.Compare(a[:], b[:]) })
	want = slices.Compact(want)
	s, err := tx.stmt(ctx, t.prefetchSQL)
	if err != nil {
		return err
	}
	err = readRows(ctx, s, t, want, func(rb *rowBuf) {
		tx.rows[rowKey{t.id, rb.id}] = rb
	})
	if err != nil {
		return err
	}
	for _, id := range want {
		if _, ok := tx.rows[rowKey{t.id, id}]; !ok {
			rb := &rowBuf{t: t, id: id, vals: make([]any, t.NumColumns()), meta: &rowMeta{}}
			tx.rows[rowKey{t.id, id}] = rb
		}
	}
	return nil
}

// readRows reads the stored rows among ids through s, a table's prefetchSQL,
// one query per prefetchChunk ids, and calls found for each.
func readRows(ctx context.Context, s *sql.Stmt, t *Table, ids []ident.ID, found func(*rowBuf)) error {
	args := make([]any, prefetchChunk)
	for start := 0; start < len(ids); start += prefetchChunk {
		chunk := ids[start:min(start+prefetchChunk, len(ids))]
		for i := range args {
			id := &chunk[min(i, len(chunk)-1)] // pad with the last id
			args[i] = id[:]
		}
		rows, err := s.QueryContext(ctx, args...)
		if err != nil {
			return fmt.Errorf("read %s rows: %w", t.Name, err)
		}
		for rows.Next() {
			rb, err := scanRow(t, rows.Scan, true)
			if err != nil {
				rows.Close()
				return err
			}
			found(rb)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("read %s rows: %w", t.Name, err)
		}
	}
	return nil
}

// scanRow reads a stored row (its id first when withID) into a rowBuf.
func scanRow(t *Table, scan func(...any) error, withID bool) (*rowBuf, error) {
	rb := &rowBuf{t: t, vals: make([]any, t.NumColumns()), exists: true}
	dest := make([]any, 0, t.NumColumns()+2)
	var id, meta []byte
	if withID {
		dest = append(dest, &id)
	}
	for i := range rb.vals {
		dest = append(dest, &rb.vals[i])
	}
	dest = append(dest, &meta)
	if err := scan(dest...); err != nil {
		return nil, err
	}
	if withID {
		if len(id) != len(rb.id) {
			return nil, fmt.Errorf("read %s row: %w: id of %d bytes", t.Name, ErrCorrupt, len(id))
		}
		copy(rb.id[:], id)
	}
	var err error
	if rb.meta, err = decodeMeta(t, meta, rb.vals); err != nil {
		return nil, fmt.Errorf("read %s row %s: %w", t.Name, rb.id, err)
	}
	return rb, nil
}

// flush writes every changed row.
func (tx *Tx) flush(ctx context.Context) error {
	// Only the rows changed since the last flush: a caller querying between
	// edits of a large batch must not make each query walk every row.
	for _, rb := range tx.dirty {
		if !rb.dirty {
			continue
		}
		rb.meta.rowValues(rb.t, rb.vals)
		s, err := tx.stmt(ctx, rb.t.upsertSQL)
		if err != nil {
			return err
		}
		args := make([]any, 0, len(rb.vals)+2)
		args = append(args, rb.id[:])
		args = append(args, rb.vals...)
		tx.buf = rb.meta.encode(rb.t, tx.buf[:0])
		args = append(args, tx.buf)
		if _, err := s.ExecContext(uninterrupted(ctx), args...); err != nil {
			return fmt.Errorf("write %s row %s: %w", rb.t.Name, rb.id, err)
		}
		rb.dirty, rb.exists = false, true
	}
	tx.dirty = tx.dirty[:0]
	if _, err := tx.flushLog(ctx); err != nil {
		return err
	}
	if tx.maxHLC != 0 {
		s, err := tx.stmt(ctx, `INSERT INTO fs_state(key, value) VALUES('clock', ?)
			ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)`)
		if err != nil {
			return err
		}
		if _, err := s.ExecContext(uninterrupted(ctx), int64(tx.maxHLC)); err != nil {
			return fmt.Errorf("store clock: %w", err)
		}
		tx.maxHLC = 0
	}
	return nil
}

// appendLog adds a change to the transaction's pending log row.
func (tx *Tx) appendLog(t *Table, c *Change) {
	if tx.logN == 0 {
		tx.logOrigin = c.Version.Site
	} else if tx.logOrigin != c.Version.Site {
		tx.logOrigin = 0
	}
	tx.logN++
	tx.logBuf = appendChange(tx.logBuf, t, c)
	if tx.r.history {
		tx.logRows = append(tx.logRows, c.Row)
	}
	if c.Version.HLC > tx.maxHLC {
		tx.maxHLC = c.Version.HLC
	}
}

// maxLogRow bounds the changes in one log row, so that a reader (a sync
// batch) never has to take more than this at once, however large the
// transaction that wrote them.
const maxLogRow = 1000

// markDirty notes that rb changed and must be written at the next flush.
func (tx *Tx) markDirty(rb *rowBuf) {
	if !rb.dirty {
		rb.dirty = true
		tx.dirty = append(tx.dirty, rb)
	}
}

// flushLog writes the pending changes as one log row and returns its
// sequence (0 when nothing was pending).
func (tx *Tx) flushLog(ctx context.Context) (uint64, error) {
	if tx.logN == 0 {
		return 0, nil
	}
	s, err := tx.stmt(ctx, `INSERT INTO fs_log(origin, n, at, body) VALUES(?, ?, ?, ?)`)
	if err != nil {
		return 0, err
	}
	body := binary.AppendUvarint(make([]byte, 0, len(tx.logBuf)+binary.MaxVarintLen64), uint64(tx.logN))
	body = append(body, tx.logBuf...)
	res, err := s.ExecContext(uninterrupted(ctx), int64(tx.logOrigin), tx.logN, tx.r.clock.Wall().UnixMilli(), body)
	if err != nil {
		return 0, fmt.Errorf("append %d changes to log: %w", tx.logN, err)
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("append changes to log: %w", err)
	}
	if err := tx.indexHistory(ctx, seq); err != nil {
		return 0, err
	}
	tx.logBuf, tx.logN, tx.logOrigin, tx.logRows = tx.logBuf[:0], 0, 0, tx.logRows[:0]
	return uint64(seq), nil
}

// historyBatch is how many history entries one statement inserts.
const historyBatch = 100

var historyManySQL = "INSERT OR IGNORE INTO fs_rowlog(rowkey, seq) VALUES (?, ?)" + strings.Repeat(", (?, ?)", historyBatch-1)

// indexHistory records, for the hub's record history, that log row seq holds
// changes of the rows in tx.logRows: historyBatch rows a statement.
func (tx *Tx) indexHistory(ctx context.Context, seq int64) error {
	rows := tx.logRows
	for len(rows) > 0 {
		n := min(len(rows), historyBatch)
		query := historyManySQL
		if n < historyBatch {
			query = "INSERT OR IGNORE INTO fs_rowlog(rowkey, seq) VALUES (?, ?)" + strings.Repeat(", (?, ?)", n-1)
		}
		s, err := tx.stmt(ctx, query)
		if err != nil {
			return err
		}
		args := make([]any, 0, 2*n)
		for _, row := range rows[:n] {
			args = append(args, historyKey(row), seq)
		}
		if _, err := s.ExecContext(uninterrupted(ctx), args...); err != nil {
			return fmt.Errorf("index history: %w", err)
		}
		rows = rows[n:]
	}
	return nil
}

// checkKey verifies that a row id derives from its key column's value.
func (tx *Tx) checkKey(t *Table, id ident.ID, fields []Field) error {
	if t.keyCol < 0 || tx.r.derive == nil {
		return nil
	}
	for i := range fields {
		f := &fields[i]
		if f.Col != t.keyCol || f.Dead {
			continue
		}
		s, ok := f.Value.(string)
		if !ok || tx.r.derive.Derive(t.Name, s) != id {
			return fmt.Errorf("%w: %s.%s", ErrBadRowID, t.Name, t.KeyColumn)
		}
	}
	return nil
}

// allEqual reports whether every head of c holds v: true for a column never
// written, so that writing a key column's own value is not a change of it.
func (c *colState) allEqual(v any) bool {
	if c == nil {
		return true
	}
	for _, h := range c.heads {
		if !valueEqual(h.value, v) {
			return false
		}
	}
	return true
}

// Row reads a row's current values by column name, inside the transaction
// (nil, nil when the row does not exist).
func (tx *Tx) Row(ctx context.Context, table string, id ident.ID) (map[string]any, error) {
	t, ok := tx.r.schema.Table(table)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownTable, table)
	}
	rb, err := tx.row(ctx, t, id)
	if err != nil {
		return nil, err
	}
	if !rb.exists && !rb.dirty {
		return nil, nil
	}
	rb.meta.rowValues(t, rb.vals)
	m := make(map[string]any, len(rb.vals))
	for i, v := range rb.vals {
		m[t.ColumnName(i)] = v
	}
	return m, nil
}

// Flush writes the rows the transaction changed so far (queries and Exec do
// it themselves). A caller about to read many changed rows' Values flushes
// first: a written row's values are kept, a pending one's computed again on
// each read.
func (tx *Tx) Flush(ctx context.Context) error { return tx.flush(ctx) }

// Values returns the current values of the named columns of a row (nil for
// NULL; DeletedColumn may be named) and whether the row exists: Row for a
// caller that needs a few columns of many rows.
func (tx *Tx) Values(ctx context.Context, table string, id ident.ID, cols ...string) ([]any, bool, error) {
	t, ok := tx.r.schema.Table(table)
	if !ok {
		return nil, false, fmt.Errorf("%w: %s", ErrUnknownTable, table)
	}
	rb, err := tx.row(ctx, t, id)
	if err != nil {
		return nil, false, err
	}
	if !rb.exists && !rb.dirty {
		return nil, false, nil
	}
	if rb.dirty {
		rb.meta.rowValues(t, rb.vals)
	}
	out := make([]any, len(cols))
	for i, name := range cols {
		c, ok := t.Column(name)
		if !ok {
			return nil, false, fmt.Errorf("%w: %s.%s", ErrUnknownCol, table, name)
		}
		out[i] = rb.vals[c]
	}
	return out, true, nil
}

// Edit stamps and applies one local edit. It returns nil when the edit changes
// nothing.
func (tx *Tx) Edit(ctx context.Context, e Edit) (*Change, error) {
	t, ok := tx.r.schema.Table(e.Table)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownTable, e.Table)
	}
	if e.Row.IsZero() {
		return nil, fmt.Errorf("edit %s: %w: zero row id", e.Table, ErrBadValue)
	}
	rb, err := tx.row(ctx, t, e.Row)
	if err != nil {
		return nil, err
	}
	if t.AppendOnlyAt(tx.r.schema.version) && (rb.exists || rb.dirty) {
		return nil, fmt.Errorf("edit %s row %s: %w", t.Name, e.Row, ErrAppendOnly)
	}
	fields := make([]Field, 0, len(e.Set)+len(e.Add)+len(e.Remove)+1)
	// keyChanged: the edit gives the key column a value other than the one
	// every head of it holds.
	keyChanged := false
	setElem := func(col int, elem string, present bool) error {
		if elem == "" || len(elem) > MaxValueBytes || !utf8.ValidString(elem) {
			return fmt.Errorf("%w: %s: empty, oversized or invalid element", ErrBadValue, t.ColumnName(col))
		}
		st := rb.meta.find(col, elem)
		if st.present() == present && len(st.headVersions()) <= 1 {
			return nil // already so: nothing to write
		}
		var flag int64
		if present {
			flag = 1
		}
		fields = append(fields, Field{Col: col, Elem: elem, Value: flag, Replaces: st.headVersions()})
		return nil
	}
	for _, cv := range e.Set {
		col, ok := t.Column(cv.Column)
		if !ok {
			return nil, fmt.Errorf("%w: %s.%s", ErrUnknownCol, t.Name, cv.Column)
		}
		if t.ColumnType(col) == Set {
			want, ok := cv.Value.([]string)
			if !ok && cv.Value != nil {
				return nil, fmt.Errorf("%w: %s.%s: want a list of text", ErrBadValue, t.Name, cv.Column)
			}
			keep := map[string]bool{}
			for _, el := range want {
				if keep[el] {
					continue
				}
				keep[el] = true
				if err := setElem(col, el, true); err != nil {
					return nil, err
				}
			}
			for i := range rb.meta.cols {
				st := &rb.meta.cols[i]
				if st.col == col && !keep[st.elem] && st.present() {
					if err := setElem(col, st.elem, false); err != nil {
						return nil, err
					}
				}
			}
			continue
		}
		v, err := normalizeValue(t.ColumnType(col), cv.Value)
		if err != nil {
			return nil, fmt.Errorf("%w: %s.%s: %v", ErrBadValue, t.Name, cv.Column, err)
		}
		st := rb.meta.find(col, "")
		if col == t.deleted && v == nil {
			if st == nil {
				continue // never written, still not deleted
			}
			v = int64(0) // the row keeps a NULL marker as 0: so does the merge state
		}
		if col == t.keyCol && !st.allEqual(v) {
			keyChanged = true
		}
		if st != nil && len(st.heads) == 1 && valueEqual(st.heads[0].value, v) {
			continue // unchanged and not in conflict
		}
		if st == nil && v == nil {
			continue // never written, still empty
		}
		fields = append(fields, Field{Col: col, Value: v, Replaces: st.headVersions()})
	}
	for _, se := range e.Add {
		col, ok := t.Column(se.Column)
		if !ok || t.ColumnType(col) != Set {
			return nil, fmt.Errorf("%w: %s.%s is not a set column", ErrUnknownCol, t.Name, se.Column)
		}
		if err := setElem(col, se.Elem, true); err != nil {
			return nil, err
		}
	}
	for _, se := range e.Remove {
		col, ok := t.Column(se.Column)
		if !ok || t.ColumnType(col) != Set {
			return nil, fmt.Errorf("%w: %s.%s is not a set column", ErrUnknownCol, t.Name, se.Column)
		}
		if err := setElem(col, se.Elem, false); err != nil {
			return nil, err
		}
	}
	if e.Delete {
		st := rb.meta.find(t.deleted, "")
		if st == nil || len(st.heads) != 1 || !valueEqual(st.heads[0].value, int64(1)) {
			fields = append(fields, Field{Col: t.deleted, Value: int64(1), Replaces: st.headVersions()})
		}
	}
	if len(fields) == 0 {
		return nil, nil
	}
	if err := tx.checkKey(t, e.Row, fields); err != nil {
		return nil, err
	}
	if keyChanged {
		// The key column names the row. Writing it again with the value it
		// holds is allowed, and settles the heads of stations that registered
		// the row independently, like any edit; changing it is not.
		return nil, fmt.Errorf("edit %s row %s: %w: %s cannot change", t.Name, e.Row, ErrBadValue, t.KeyColumn)
	}
	return tx.stamp(ctx, rb, fields)
}

// stamp gives a local write of one row's fields this replica's version,
// applies it to the row and logs it.
func (tx *Tx) stamp(ctx context.Context, rb *rowBuf, fields []Field) (*Change, error) {
	ts, err := tx.r.clock.Now()
	if err != nil {
		return nil, fmt.Errorf("stamp %s write: %w", rb.t.Name, err)
	}
	c := Change{Table: rb.t.Name, Row: rb.id, Version: Version{HLC: ts, Site: tx.r.site}, Fields: fields}
	rb.meta.reserve(len(fields))
	for i := range c.Fields {
		f := &c.Fields[i]
		rb.meta.apply(rb.meta.state(f.Col, f.Elem), c.Version, f)
	}
	tx.markDirty(rb)
	tx.appendLog(rb.t, &c)
	if tx.logN >= maxLogRow {
		if _, err := tx.flushLog(ctx); err != nil {
			return nil, err
		}
	}
	tx.changes = append(tx.changes, c)
	return &tx.changes[len(tx.changes)-1], nil
}

// Apply merges remote changes inside the transaction.
func (tx *Tx) Apply(ctx context.Context, changes []Change) (ApplyResult, error) {
	return tx.apply(ctx, changes, true)
}

// ApplyChecked is Apply for changes whose every field the caller already
// passed through CheckField, and whose key column it derived and compared
// with the row id (the hub's screen does both for each change it accepts):
// it skips those checks.
func (tx *Tx) ApplyChecked(ctx context.Context, changes []Change) (ApplyResult, error) {
	return tx.apply(ctx, changes, false)
}

func (tx *Tx) apply(ctx context.Context, changes []Change, check bool) (ApplyResult, error) {
	res := ApplyResult{New: make([]bool, len(changes)), Seqs: make([]uint64, len(changes))}
	type touched struct {
		rb  *rowBuf
		col int
	}
	var cols []touched
	var unlogged []int // new changes not yet in a log row
	seen := map[touched]bool{}
	if err := tx.prefetchChanges(ctx, changes); err != nil {
		return res, fmt.Errorf("apply: %w", err)
	}
	for i := range changes {
		c := &changes[i]
		t, ok := tx.r.schema.Table(c.Table)
		if !ok {
			return res, fmt.Errorf("apply change %d: %w: %s", i, ErrUnknownTable, c.Table)
		}
		if c.Version.Site == 0 || c.Row.IsZero() {
			return res, fmt.Errorf("apply change %d: %w: zero site or row id", i, ErrBadValue)
		}
		if check {
			for j := range c.Fields {
				if err := checkField(t, &c.Fields[j]); err != nil {
					return res, fmt.Errorf("apply change %d to %s: %w: %v", i, t.Name, ErrBadValue, err)
				}
			}
			if err := tx.checkKey(t, c.Row, c.Fields); err != nil {
				return res, fmt.Errorf("apply change %d: %w", i, err)
			}
		}
		tx.r.clock.Observe(c.Version.HLC)
		rb, err := tx.row(ctx, t, c.Row)
		if err != nil {
			return res, fmt.Errorf("apply change %d: %w", i, err)
		}
		changed := false
		for j := range c.Fields {
			f := &c.Fields[j]
			st := rb.meta.state(f.Col, f.Elem)
			wasConflict := t.ColumnType(f.Col) != Set && st.inConflict()
			if rb.meta.apply(st, c.Version, f) {
				changed = true
				if t.ColumnType(f.Col) != Set {
					k := touched{rb, f.Col}
					if _, ok := seen[k]; !ok {
						seen[k] = wasConflict
						cols = append(cols, k)
					}
				}
			}
		}
		if !changed {
			continue
		}
		tx.markDirty(rb)
		res.New[i] = true
		if c.Version.Site == tx.r.site {
			// Our own version coming back (the hub marked it replaced): the
			// log already holds it, and logging it again would send it back up.
			continue
		}
		tx.appendLog(t, c)
		unlogged = append(unlogged, i)
		if tx.logN >= maxLogRow || i == len(changes)-1 {
			seq, err := tx.flushLog(ctx)
			if err != nil {
				return res, fmt.Errorf("apply: %w", err)
			}
			for _, k := range unlogged {
				res.Seqs[k] = seq
			}
			unlogged = unlogged[:0]
		}
	}
	if len(unlogged) > 0 {
		seq, err := tx.flushLog(ctx)
		if err != nil {
			return res, fmt.Errorf("apply: %w", err)
		}
		for _, k := range unlogged {
			res.Seqs[k] = seq
		}
	}
	for _, k := range cols {
		ref := ColumnRef{Table: k.rb.t.Name, Row: k.rb.id, Col: k.col}
		if st := k.rb.meta.find(k.col, ""); st != nil && st.inConflict() {
			res.Conflicts = append(res.Conflicts, ref)
		} else if seen[k] {
			res.Settled = append(res.Settled, ref)
		}
	}
	return res, nil
}

// prefetchChanges loads the rows of a batch of changes, table by table.
func (tx *Tx) prefetchChanges(ctx context.Context, changes []Change) error {
	byTable := map[string][]ident.ID{}
	for i := range changes {
		byTable[changes[i].Table] = append(byTable[changes[i].Table], changes[i].Row)
	}
	for name, ids := range byTable {
		if t, ok := tx.r.schema.Table(name); ok {
			if err := tx.prefetch(ctx, t, ids); err != nil {
				return err
			}
		}
	}
	return nil
}

// prefetchEdits loads the rows a batch of edits touches.
func (tx *Tx) prefetchEdits(ctx context.Context, edits []Edit) error {
	if len(edits) < 2 {
		return nil
	}
	changes := make([]Change, len(edits))
	for i, e := range edits {
		changes[i] = Change{Table: e.Table, Row: e.Row}
	}
	return tx.prefetchChanges(ctx, changes)
}

// uninterrupted is ctx without its cancellation, for one statement of a write
// transaction. go-sqlite3 runs a statement whose context can be cancelled on
// a goroutine of its own, so as to interrupt it on cancel: a goroutine and two
// hand-offs for each of the thousands of statements of a batch. Those
// statements are short and bounded, so they run to completion; the
// transaction still ends on cancel, as database/sql rolls back a transaction
// whose context is done.
func uninterrupted(ctx context.Context) context.Context {
	if ctx.Done() == nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

// Prefetch loads the rows a batch of changes touches, table by table, so
// that reading them before Apply (Row, Values) costs one query a table, and
// Apply reads them again from memory.
func (tx *Tx) Prefetch(ctx context.Context, changes []Change) error {
	if err := tx.prefetchChanges(ctx, changes); err != nil {
		return fmt.Errorf("prefetch: %w", err)
	}
	return nil
}

// Superseding is one column of a row that Supersede writes.
type Superseding struct {
	Col  int
	Elem string // for a Set column
	// Refused is the version the new one replaces besides this replica's
	// own heads: a version it did not accept (its value never applied
	// here). Zero for none.
	Refused Version
	// Value is the value to write; with Keep, the value this replica holds
	// (nil, or for a Set element 0, when it holds none) is written instead.
	Value any
	Keep  bool
}

// Supersede stamps and applies one change of this replica's own that
// replaces, column by column, the given refused versions and this
// replica's heads: a peer that holds a refused version and receives the
// change drops it and holds what this replica holds (DESIGN "Trust": the
// hub's answer to a value it did not accept). A column in conflict here
// keeps its heads: the new version replaces only the refused one. A column
// whose refused version this replica already holds as replaced (the change
// came again) is skipped; Supersede returns nil when nothing is left.
func (tx *Tx) Supersede(ctx context.Context, table string, row ident.ID, cols []Superseding) (*Change, error) {
	t, ok := tx.r.schema.Table(table)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownTable, table)
	}
	if row.IsZero() {
		return nil, fmt.Errorf("supersede %s: %w: zero row id", table, ErrBadValue)
	}
	rb, err := tx.row(ctx, t, row)
	if err != nil {
		return nil, err
	}
	fields := make([]Field, 0, len(cols))
	for _, s := range cols {
		if s.Col < 0 || s.Col >= t.NumColumns() || (t.ColumnType(s.Col) == Set) != (s.Elem != "") {
			return nil, fmt.Errorf("supersede %s: %w: column %d element %q", table, ErrUnknownCol, s.Col, s.Elem)
		}
		st := rb.meta.find(s.Col, s.Elem)
		if s.Refused.Site != 0 && st != nil && st.isReplaced(s.Refused) {
			continue // superseded already
		}
		heads := st.headVersions()
		v := s.Value
		if s.Keep {
			v = nil
			if t.ColumnType(s.Col) == Set {
				v = int64(0)
				if st.present() {
					v = int64(1)
				}
			} else if st != nil {
				if w, ok := st.winner(); ok {
					v = w.value
				}
			}
		}
		f := Field{Col: s.Col, Elem: s.Elem, Value: v}
		if st != nil && st.inConflict() {
			heads = nil // the conflict stays for a person to settle
		}
		f.Replaces = heads
		if s.Refused.Site != 0 {
			f.Replaces = append(f.Replaces, s.Refused)
		}
		if err := checkField(t, &f); err != nil {
			return nil, fmt.Errorf("supersede %s: %w: %v", table, ErrBadValue, err)
		}
		fields = append(fields, f)
	}
	if len(fields) == 0 {
		return nil, nil
	}
	return tx.stamp(ctx, rb, fields)
}
