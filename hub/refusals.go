package hub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
)

// refusalRoutes remembers which station each refusal row is for: the relay
// sends a refusal only to its station. A cache, bounded, refilled from the
// database.
type refusalRoutes struct {
	mu sync.Mutex
	m  map[ident.ID]string
}

func (r *refusalRoutes) set(id ident.ID, station string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil || len(r.m) > 1<<16 {
		r.m = map[ident.ID]string{}
	}
	r.m[id] = station
}

func (r *refusalRoutes) get(id ident.ID) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, ok := r.m[id]
	return st, ok
}

// refusalStation is the station a refusal row is for.
func (h *Hub) refusalStation(ctx context.Context, id ident.ID) (string, bool) {
	if st, ok := h.refusalTo.get(id); ok {
		return st, true
	}
	var st string
	err := h.rep.DB().QueryRowContext(ctx, `SELECT station FROM `+records.Refusals+` WHERE id = ?`, id[:]).Scan(&st)
	if err != nil {
		if !errors.Is(err, sql.ErrNoRows) {
			h.log.WarnContext(ctx, "route refusal", "err", err)
		}
		return "", false
	}
	h.refusalTo.set(id, st)
	return st, true
}

// Refusal is a change of a station's the hub did not accept, as the county
// sees it (and the station, on its own page).
type Refusal struct {
	ID        ident.ID  `json:"id"`
	Station   string    `json:"station"`
	Table     string    `json:"table"`
	Row       string    `json:"row"`
	Column    string    `json:"column"`
	Value     string    `json:"value"`
	ReasonKey string    `json:"reason_key"`
	Reason    string    `json:"reason"`
	State     string    `json:"state"`
	At        time.Time `json:"at"`
	// The person the refused row is of (a worker, or the worker a status,
	// registration, follow-up, placement or household names), so that the
	// county sees a name rather than a row id: the worker's row id, name
	// and masked id number; "" when the hub holds no such row.
	WorkerID   string `json:"worker_id,omitempty"`
	WorkerName string `json:"worker_name,omitempty"`
	IDNumber   string `json:"id_number,omitempty"`
	// Label is the record's own name when it is not a person's (a gig's
	// title, a placement's gig).
	Label string `json:"label,omitempty"`
}

// Refusals lists a station's refused changes ("" for every station),
// newest first, at most limit (default 200).
func (h *Hub) Refusals(ctx context.Context, station string, limit int) ([]Refusal, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT id, station, table_name, row_id, column_name, value, reason_key,
		reason, state, refused_at FROM `+records.Refusals+` WHERE (? = '' OR station = ?) AND fs_deleted = 0
		ORDER BY id DESC LIMIT ?`, station, station, limit)
	if err != nil {
		return nil, fmt.Errorf("list refusals: %w", err)
	}
	defer rows.Close()
	var out []Refusal
	for rows.Next() {
		var r Refusal
		var id []byte
		var at sql.NullString
		var vals [8]sql.NullString
		if err := rows.Scan(&id, &vals[0], &vals[1], &vals[2], &vals[3], &vals[4], &vals[5], &vals[6], &vals[7], &at); err != nil {
			return nil, fmt.Errorf("list refusals: %w", err)
		}
		copy(r.ID[:], id)
		r.Station, r.Table, r.Row, r.Column, r.Value = vals[0].String, vals[1].String, vals[2].String, vals[3].String, vals[4].String
		r.ReasonKey, r.Reason, r.State = vals[5].String, vals[6].String, vals[7].String
		if t, err := time.Parse(time.RFC3339, at.String); err == nil {
			r.At = t.In(h.zone)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list refusals: %w", err)
	}
	rows.Close()
	read := h.currentRow
	for i := range out {
		r := &out[i]
		id, err := ident.ParseID(r.Row)
		if err != nil || r.Table == "" {
			continue
		}
		l, err := labelOf(ctx, read, r.Table, id)
		if err != nil {
			return nil, fmt.Errorf("list refusals: name the row: %w", err)
		}
		if !l.id.IsZero() {
			r.WorkerID, r.WorkerName, r.IDNumber = l.id.String(), l.name, l.masked
		}
		r.Label = l.label
	}
	return out, nil
}

// currentRow is a rowReader over the hub's database: a row's current
// values by column, nil when the hub holds no such row (or the table is
// not one of the schema's).
func (h *Hub) currentRow(ctx context.Context, table string, id ident.ID) (map[string]any, error) {
	if _, ok := h.rep.Schema().Table(table); !ok {
		return nil, nil
	}
	rows, err := h.readRow(ctx, table, `WHERE id = ?`, id[:])
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return rows[0], nil
}
