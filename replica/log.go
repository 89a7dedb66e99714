package replica

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"fieldsync/ident"
)

// prepared returns a statement prepared once on the database.
func (r *Replica) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	r.smu.Lock()
	defer r.smu.Unlock()
	if s, ok := r.stmts[query]; ok {
		return s, nil
	}
	s, err := r.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", query, err)
	}
	if r.stmts == nil {
		r.stmts = map[string]*sql.Stmt{}
	}
	r.stmts[query] = s
	return s, nil
}

// LogEntry is a change as the log holds it. The changes of one transaction
// share one log row and so one Seq.
type LogEntry struct {
	Seq    uint64
	Change Change
}

// LogQuery selects what ReadLog returns.
type LogQuery struct {
	// Limit bounds the number of changes returned (default 500); a log row is
	// never split, so the last row may take it past the limit.
	Limit int
	// MaxBytes stops once the encoded log rows returned reach it (default 1 MiB).
	MaxBytes int
	// Site, when not zero, returns only the changes that site made.
	Site SiteID
	// Filter, when set, returns only the changes of rows it accepts.
	Filter func(t *Table, row ident.ID) bool
	// MarkReplaced marks every field whose version is no longer a head here as
	// Dead and drops its value (the hub's relay rule).
	MarkReplaced bool
	// SkipLiveFrom leaves out the fields that site wrote and that are still
	// heads: that site already holds them. Its replaced versions still go.
	SkipLiveFrom SiteID
}

// maxScan bounds the log rows one ReadLog examines, so that a filter that
// rejects most changes cannot make one call run long.
const maxScan = 5000

// ReadLog returns the changes after seq that q selects, in log order, and the
// last sequence examined: a reader resumes from there even when the filter
// rejected everything.
func (r *Replica) ReadLog(ctx context.Context, after uint64, q LogQuery) ([]LogEntry, uint64, error) {
	if q.Limit <= 0 {
		q.Limit = 500
	}
	if q.MaxBytes <= 0 {
		q.MaxBytes = 1 << 20
	}
	var (
		out     []LogEntry
		bytes   int
		scanned = after
	)
	const chunk = 100
	for examined := 0; examined < maxScan && len(out) < q.Limit && bytes < q.MaxBytes; {
		var rows *sql.Rows
		var err error
		if q.Site != 0 {
			rows, err = r.db.QueryContext(ctx, `SELECT seq, body FROM fs_log
				WHERE seq > ? AND origin IN (?, 0) ORDER BY seq LIMIT ?`, int64(scanned), int64(q.Site), chunk)
		} else {
			rows, err = r.db.QueryContext(ctx, `SELECT seq, body FROM fs_log
				WHERE seq > ? ORDER BY seq LIMIT ?`, int64(scanned), chunk)
		}
		if err != nil {
			return nil, scanned, fmt.Errorf("read log after %d: %w", scanned, err)
		}
		// Read the chunk and close it before looking up row states: those
		// queries need a connection of their own, and holding this one open
		// while waiting for another deadlocks once every connection of the
		// pool is a reader doing the same.
		type logRow struct {
			seq  int64
			body []byte
		}
		var chunkRows []logRow
		fetched := 0
		for fetched < q.MaxBytes && rows.Next() {
			var lr logRow
			if err := rows.Scan(&lr.seq, &lr.body); err != nil {
				rows.Close()
				return nil, scanned, fmt.Errorf("read log: %w", err)
			}
			fetched += len(lr.body)
			chunkRows = append(chunkRows, lr)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, scanned, fmt.Errorf("read log: %w", err)
		}
		n := 0
		var picked []LogEntry
		var pickedTables []*Table
		for _, lr := range chunkRows {
			if len(out)+len(picked) >= q.Limit || bytes >= q.MaxBytes {
				break
			}
			n++
			changes, tables, err := decodeChanges(r.schema, lr.body)
			if err != nil {
				return nil, scanned, fmt.Errorf("read log row %d: %w", lr.seq, err)
			}
			scanned = uint64(lr.seq)
			bytes += len(lr.body)
			for i := range changes {
				c, t := &changes[i], tables[i]
				if q.Site != 0 && c.Version.Site != q.Site {
					continue
				}
				if q.Filter != nil && !q.Filter(t, c.Row) {
					continue
				}
				picked = append(picked, LogEntry{Seq: uint64(lr.seq), Change: *c})
				pickedTables = append(pickedTables, t)
			}
		}
		if q.MarkReplaced || q.SkipLiveFrom != 0 {
			// The relay rule needs each row's current heads: load them a
			// chunk of rows per query, not one query per change. Loaded
			// again for every chunk, after its log rows were read, so
			// that they are never older than the changes judged against
			// them: heads kept from an earlier chunk missed a change
			// committed since, which this chunk then read and marked
			// replaced (TestReadLogMarksWithHeadsAsOfTheirRows).
			metas := map[rowKey]*rowMeta{}
			if err := r.loadMetas(ctx, picked, pickedTables, metas); err != nil {
				return nil, scanned, err
			}
			for i := range picked {
				c := &picked[i].Change
				m := metas[rowKey{pickedTables[i].id, c.Row}]
				c.Fields = markFields(m, c.Version, c.Fields, q.MarkReplaced, q.SkipLiveFrom)
				if len(c.Fields) > 0 {
					out = append(out, picked[i])
				}
			}
		} else {
			out = append(out, picked...)
		}
		if n < len(chunkRows) {
			break // the limit was reached inside this chunk
		}
		if len(chunkRows) < chunk && fetched < q.MaxBytes {
			break // the end of the log
		}
		examined += n
	}
	return out, scanned, nil
}

// History returns every change the log holds for a row, oldest first. It
// needs Options.History (the hub keeps it; stations do not).
func (r *Replica) History(ctx context.Context, table string, id ident.ID) ([]LogEntry, error) {
	if !r.history {
		return nil, errors.New("history: replica opened without History")
	}
	t, ok := r.schema.Table(table)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownTable, table)
	}
	rows, err := r.db.QueryContext(ctx, `SELECT l.seq, l.body FROM fs_rowlog h JOIN fs_log l ON l.seq = h.seq
		WHERE h.rowkey = ? ORDER BY h.seq`, historyKey(id))
	if err != nil {
		return nil, fmt.Errorf("history of %s %s: %w", table, id, err)
	}
	var out []LogEntry
	err = r.rowChanges(rows, t, id, func(seq uint64, c *Change) bool {
		out = append(out, LogEntry{Seq: seq, Change: *c})
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("history of %s %s: %w", table, id, err)
	}
	return out, nil
}

// rowChanges reads log rows (seq, body) and calls each, in order, for the
// changes of one row they hold, until each returns false. It closes rows.
func (r *Replica) rowChanges(rows *sql.Rows, t *Table, id ident.ID, each func(seq uint64, c *Change) bool) error {
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var body []byte
		if err := rows.Scan(&seq, &body); err != nil {
			return err
		}
		changes, tables, err := decodeChanges(r.schema, body)
		if err != nil {
			return fmt.Errorf("log row %d: %w", seq, err)
		}
		for i := range changes {
			if tables[i] == t && changes[i].Row == id && !each(uint64(seq), &changes[i]) {
				return nil
			}
		}
	}
	return rows.Err()
}

func markFields(m *rowMeta, v Version, fields []Field, mark bool, skipLive SiteID) []Field {
	out := fields[:0]
	for _, f := range fields {
		st := m.find(f.Col, f.Elem)
		live := !f.Dead && st != nil && st.headIndex(v) >= 0
		if !live && mark {
			f.Dead, f.Value = true, nil
		}
		if live && skipLive != 0 && v.Site == skipLive {
			continue
		}
		out = append(out, f)
	}
	return out
}

// loadMetas reads into metas the merge state of the rows of entries that it
// does not hold yet, with one query per table and chunk of rows.
func (r *Replica) loadMetas(ctx context.Context, entries []LogEntry, tables []*Table, metas map[rowKey]*rowMeta) error {
	byTable := map[*Table][]ident.ID{}
	for i := range entries {
		t, id := tables[i], entries[i].Change.Row
		k := rowKey{t.id, id}
		if _, ok := metas[k]; !ok {
			metas[k] = &rowMeta{} // absent unless found below
			byTable[t] = append(byTable[t], id)
		}
	}
	for t, ids := range byTable {
		s, err := r.prepared(ctx, t.prefetchSQL)
		if err != nil {
			return err
		}
		err = readRows(ctx, s, t, ids, func(rb *rowBuf) { metas[rowKey{t.id, rb.id}] = rb.meta })
		if err != nil {
			return err
		}
	}
	return nil
}

// readMeta reads a row's merge state, and its table, outside any write
// transaction.
func (r *Replica) readMeta(ctx context.Context, table string, id ident.ID) (*Table, *rowMeta, error) {
	t, ok := r.schema.Table(table)
	if !ok {
		return nil, nil, fmt.Errorf("%w: %s", ErrUnknownTable, table)
	}
	vals := make([]any, t.NumColumns())
	dest := make([]any, len(vals)+1)
	for i := range vals {
		dest[i] = &vals[i]
	}
	var meta []byte
	dest[len(vals)] = &meta
	s, err := r.prepared(ctx, t.selectSQL)
	if err != nil {
		return nil, nil, err
	}
	err = s.QueryRowContext(ctx, id[:]).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return t, &rowMeta{}, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read %s row %s: %w", t.Name, id, err)
	}
	m, err := decodeMeta(t, meta, vals)
	return t, m, err
}

// Snapshot returns a row's current state as changes: its heads with their
// values, and the ids of its replaced versions as Dead fields. A replica that
// applies them holds exactly this replica's heads for the row; the hub sends
// them when a row enters a station's scope.
func (r *Replica) Snapshot(ctx context.Context, table string, id ident.ID) ([]Change, error) {
	t, m, err := r.readMeta(ctx, table, id)
	if err != nil {
		return nil, err
	}
	byVersion := map[Version][]Field{}
	for i := range m.cols {
		c := &m.cols[i]
		for _, h := range c.heads {
			byVersion[h.v] = append(byVersion[h.v], Field{Col: c.col, Elem: c.elem, Value: h.value})
		}
		for _, v := range c.replaced {
			byVersion[v] = append(byVersion[v], Field{Col: c.col, Elem: c.elem, Dead: true})
		}
	}
	out := make([]Change, 0, len(byVersion))
	for v, fs := range byVersion {
		out = append(out, Change{Table: t.Name, Row: id, Version: v, Fields: fs})
	}
	slices.SortFunc(out, func(a, b Change) int { return a.Version.Compare(b.Version) })
	return out, nil
}

// Head is one head of a column: a value no known change replaces.
type Head struct {
	Version Version
	Value   any
}

// ColumnHeads is the merge state of one column (or set element) of a row.
type ColumnHeads struct {
	Col      int
	Column   string
	Elem     string
	Heads    []Head // ascending; the last is the current value
	Replaced int    // how many versions are known to be replaced
	Conflict bool   // two or more heads with different values
}

// Heads returns the merge state of every written column of a row; ErrNotFound
// if the replica holds no such row.
func (r *Replica) Heads(ctx context.Context, table string, id ident.ID) ([]ColumnHeads, error) {
	t, m, err := r.readMeta(ctx, table, id)
	if err != nil {
		return nil, err
	}
	if len(m.cols) == 0 {
		return nil, fmt.Errorf("%s row %s: %w", table, id, ErrNotFound)
	}
	return columnHeads(t, m), nil
}

// ContentHash hashes every row of every table (values and merge state) that
// filter accepts (all when nil), in id order. Replicas that saw the same
// changes for the same rows have the same hash.
func (r *Replica) ContentHash(ctx context.Context, filter func(t *Table, row ident.ID) bool) ([32]byte, int, error) {
	h := sha256.New()
	n := 0
	var buf []byte
	for _, t := range r.schema.tables {
		q := fmt.Sprintf("SELECT id, %s FROM %s ORDER BY id", columnList(t), t.Name)
		rows, err := r.db.QueryContext(ctx, q)
		if err != nil {
			return [32]byte{}, 0, fmt.Errorf("hash %s: %w", t.Name, err)
		}
		vals := make([]any, t.NumColumns()+2)
		dest := make([]any, len(vals))
		for i := range vals {
			dest[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return [32]byte{}, 0, fmt.Errorf("hash %s: %w", t.Name, err)
			}
			var id ident.ID
			copy(id[:], vals[0].([]byte))
			if filter != nil && !filter(t, id) {
				continue
			}
			n++
			buf = binary.AppendUvarint(buf[:0], uint64(t.id))
			for _, v := range vals {
				switch x := v.(type) {
				case []byte:
					buf = append(buf, 9)
					buf = binary.AppendUvarint(buf, uint64(len(x)))
					buf = append(buf, x...)
				case float64:
					buf = append(buf, tagFloat)
					buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
				default:
					buf = AppendValue(buf, v)
				}
			}
			h.Write(buf)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return [32]byte{}, 0, fmt.Errorf("hash %s: %w", t.Name, err)
		}
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum, n, nil
}

// historyKey is a row's key in the history index.
func historyKey(id ident.ID) int64 { return int64(binary.BigEndian.Uint64(id[:8])) }
