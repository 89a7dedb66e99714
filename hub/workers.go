package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// Worker search and the worker record at the hub. Lists mask id numbers and
// phones; the record shows them in full (DESIGN "Personal data").

// WorkerSummary is a worker in a search result.
type WorkerSummary struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	IDNumber string `json:"id_number"` // masked
	Phone    string `json:"phone"`     // masked
	Station  string `json:"station"`
}

// maxSearch bounds a search's results.
const maxSearch = 100

// SearchWorkers finds workers by name (prefix), id number (the whole number,
// or a prefix of 6 or more characters) or phone (the whole number, or its
// last 4 digits).
func (h *Hub) SearchWorkers(ctx context.Context, q string) ([]WorkerSummary, error) {
	q = strings.TrimSpace(q)
	out := []WorkerSummary{}
	if q == "" {
		return out, nil
	}
	const cols = `SELECT id, coalesce(name, ''), coalesce(id_number, ''), coalesce(phone, ''), coalesce(station, '') FROM workers`
	var query string
	var args []any
	digits := strings.Trim(q, "0123456789Xx") == ""
	switch {
	case digits && len(q) >= 15:
		idn, err := ident.NormalizeIDNumber(q)
		if err != nil {
			return nil, &ResolveError{Field: "q", Status: 400, fe: idFieldError(q)}
		}
		wid := h.cfg.key.Derive(records.Workers, idn)
		query, args = cols+` WHERE id = ? AND fs_deleted = 0`, []any{wid[:]}
	case digits && len(q) == 11 && q[0] == '1':
		query, args = cols+` WHERE phone = ? AND fs_deleted = 0 LIMIT ?`, []any{q, maxSearch}
	case digits && len(q) <= 4:
		query, args = cols+` WHERE phone LIKE ? AND fs_deleted = 0 LIMIT ?`, []any{"%" + q, maxSearch}
	case digits:
		query, args = cols+` WHERE id_number >= ? AND id_number < ? AND fs_deleted = 0 LIMIT ?`,
			[]any{strings.ToUpper(q), strings.ToUpper(q) + "\xff", maxSearch}
	default:
		// Names from the hub's name index (no SQL index on names: see
		// namesakes), in its order; the rows by id.
		ids := h.names.withPrefix(q, maxSearch)
		if len(ids) == 0 {
			return out, nil
		}
		query, args = cols+` WHERE id `+inIDs+` AND fs_deleted = 0 ORDER BY name, id`, []any{idsJSON(ids)}
	}
	rows, err := h.rep.DB().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search workers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id []byte
		var w WorkerSummary
		if err := rows.Scan(&id, &w.Name, &w.IDNumber, &w.Phone, &w.Station); err != nil {
			return nil, fmt.Errorf("search workers: %w", err)
		}
		var rid ident.ID
		copy(rid[:], id)
		w.ID, w.IDNumber, w.Phone = rid.String(), records.MaskIDNumber(w.IDNumber), records.MaskPhone(w.Phone)
		out = append(out, w)
	}
	return out, rows.Err()
}

// idFieldError is the message for an id number that does not check out.
func idFieldError(q string) *records.FieldError {
	w := records.Worker{IDNumber: q}
	if fe, ok := records.AsFieldError(w.Validate()); ok && fe.Field == "id_number" {
		return fe
	}
	return &records.FieldError{Field: "id_number", Key: records.KeyIDLength}
}

// WorkerRecord is a worker's record at the hub: every column in full, the
// columns in conflict with their values, the records that belong to them
// (by table) and their conflicts.
type WorkerRecord struct {
	ID        string                      `json:"id"`
	Fields    map[string]any              `json:"fields"`
	Conflicts map[string][]any            `json:"conflicts"`
	Children  map[string][]map[string]any `json:"children"`
	Queue     []Conflict                  `json:"queue"`
}

// Worker reads a worker's record; replica.ErrNotFound when there is none.
func (h *Hub) Worker(ctx context.Context, id ident.ID) (WorkerRecord, error) {
	wr := WorkerRecord{ID: id.String(), Conflicts: map[string][]any{}, Children: map[string][]map[string]any{}}
	f, err := h.readRow(ctx, records.Workers, `WHERE id = ?`, id[:])
	if err != nil {
		return wr, err
	}
	if len(f) == 0 {
		return wr, fmt.Errorf("worker %s: %w", id, replica.ErrNotFound)
	}
	wr.Fields = f[0]
	heads, err := h.rep.Heads(ctx, records.Workers, id)
	if err != nil {
		return wr, err
	}
	for _, ch := range heads {
		if ch.Conflict && !ignoredColumns[ch.Column] {
			for _, hd := range ch.Heads {
				wr.Conflicts[ch.Column] = append(wr.Conflicts[ch.Column], hd.Value)
			}
		}
	}
	for _, cq := range childQueries {
		rows, err := h.readRow(ctx, cq.table, `WHERE worker_id = ? AND fs_deleted = 0 LIMIT 500`, id.String())
		if err != nil {
			return wr, err
		}
		wr.Children[cq.table] = rows
	}
	if wr.Queue, err = h.ConflictsOf(ctx, id); err != nil {
		return wr, err
	}
	return wr, nil
}

// readRow reads rows of a table as maps of their columns (sets decoded),
// with the row id as "id".
func (h *Hub) readRow(ctx context.Context, table, where string, args ...any) ([]map[string]any, error) {
	t, ok := h.rep.Schema().Table(table)
	if !ok {
		return nil, fmt.Errorf("%w: %s", replica.ErrUnknownTable, table)
	}
	names := make([]string, 0, t.NumColumns())
	for i := 0; i < t.NumColumns(); i++ {
		if n := t.ColumnName(i); n != replica.DeletedColumn {
			names = append(names, n)
		}
	}
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT id, `+strings.Join(names, ", ")+` FROM `+table+` `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		vals := make([]any, len(names)+1)
		dest := make([]any, len(vals))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		var id ident.ID
		b, _ := vals[0].([]byte)
		copy(id[:], b)
		m := map[string]any{"id": id.String()}
		for i, n := range names {
			v := vals[i+1]
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			if setColumns[n] {
				var elems []string
				if s, ok := v.(string); ok && json.Unmarshal([]byte(s), &elems) == nil {
					v = elems
				}
			}
			m[n] = v
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
