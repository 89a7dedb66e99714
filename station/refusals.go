package station

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
)

// Refusal is one column of a change the county hub did not accept from this
// station (table records.Refusals, DESIGN "Trust"), as the hub recorded it.
// The hub writes these rows and sends them only to the station they name,
// so every row a station holds is its own.
type Refusal struct {
	ID ident.ID `json:"id"`
	// Table and RowID name the record the change was to (RowID in hex).
	Table string `json:"table"`
	RowID string `json:"row_id"`
	// Column is the refused column, "" when the whole change was refused.
	Column string `json:"column"`
	// Value is what the station sent, as text.
	Value string `json:"value"`
	// ReasonKey is a records message key (records.Message); Reason is the
	// hub's own text, for a key this station does not know.
	ReasonKey string `json:"reason_key"`
	Reason    string `json:"reason"`
	// State is one of records.RefusalRefused, RefusalWaiting,
	// RefusalApproved, RefusalDeclined.
	State string `json:"state"`
	// RefusedAt is when the hub refused it (RFC 3339, as the hub wrote it).
	RefusedAt string `json:"refused_at"`
	Version   string `json:"version"`
	// Held says the record is a worker or a gig this station holds, whose
	// page can be shown.
	Held bool `json:"held"`
}

// Time is RefusedAt read as a time (zero when the hub's text is not RFC 3339).
func (r *Refusal) Time() time.Time {
	t, err := time.Parse(time.RFC3339Nano, r.RefusedAt)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Open says the refusal still asks something of staff: a value refused, or
// a change waiting for the county.
func (r *Refusal) Open() bool {
	return r.State == records.RefusalRefused || r.State == records.RefusalWaiting
}

// Refusals lists the changes the county hub did not accept from this
// station, newest first, at most limit (1..MaxLimit, default 50).
func (s *Station) Refusals(ctx context.Context, limit int) ([]Refusal, error) {
	if limit <= 0 || limit > MaxLimit {
		limit = min(max(limit, 50), MaxLimit)
	}
	// refused_at is RFC 3339 text: julianday reads its zone and fraction,
	// which text order would not. The hub refuses few changes of a station,
	// so sorting them costs little.
	rows, err := s.r.DB().QueryContext(ctx, `SELECT r.id, r.table_name, r.row_id, r.column_name, r.value,
		r.reason_key, r.reason, r.state, r.refused_at, r.version,
		CASE r.table_name
			WHEN ?1 THEN EXISTS (SELECT 1 FROM workers w WHERE w.id = unhex(r.row_id) AND w.fs_deleted = 0)
			WHEN ?2 THEN EXISTS (SELECT 1 FROM gigs g WHERE g.id = unhex(r.row_id) AND g.fs_deleted = 0)
			ELSE 0 END
		FROM refusals r WHERE r.fs_deleted = 0
		ORDER BY julianday(r.refused_at) DESC, r.refused_at DESC, r.id DESC LIMIT ?3`,
		records.Workers, records.Gigs, limit)
	if err != nil {
		return nil, fmt.Errorf("list refusals: %w", err)
	}
	defer rows.Close()
	out := []Refusal{}
	for rows.Next() {
		var id []byte
		var table, row, col, val, key, reason, state, at, version sql.NullString
		var rf Refusal
		if err := rows.Scan(&id, &table, &row, &col, &val, &key, &reason, &state, &at, &version, &rf.Held); err != nil {
			return nil, fmt.Errorf("list refusals: %w", err)
		}
		copy(rf.ID[:], id)
		rf.Table, rf.RowID, rf.Column, rf.Value = table.String, row.String, col.String, val.String
		rf.ReasonKey, rf.Reason, rf.State, rf.RefusedAt, rf.Version = key.String, reason.String, state.String, at.String, version.String
		out = append(out, rf)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list refusals: %w", err)
	}
	return out, nil
}

// OpenRefusals counts the refusals that still ask something of staff (see
// Refusal.Open): the number the navigation shows.
func (s *Station) OpenRefusals(ctx context.Context) (int, error) {
	var n int
	err := s.r.DB().QueryRowContext(ctx, `SELECT count(*) FROM refusals WHERE fs_deleted = 0 AND state IN (?, ?)`,
		records.RefusalRefused, records.RefusalWaiting).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count refusals: %w", err)
	}
	return n, nil
}
