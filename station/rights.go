package station

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"fieldsync/ident"
	"fieldsync/records"
)

// What the pages and the API read of labour-rights cases (劳动权益维护):
// lists in one query over the station's rows, with the person's name. The
// station's core reads them for whoever asks; the web server lets only
// staff holding the rights permission ask (Users.HasRights), and shows
// everyone else a person's cases as a count at most.

// RightsCaseView is a labour-rights case as lists show it.
type RightsCaseView struct {
	ID ident.ID `json:"id"`
	records.RightsCase
	Station    string `json:"station"`
	EnteredBy  string `json:"entered_by,omitempty"`
	WorkerName string `json:"worker_name"`
}

// RightsQuery selects labour-rights cases; empty fields select all.
type RightsQuery struct {
	WorkerID string
	// Status is one of records.RightsStatuses, or RightsOpen for every case
	// not yet closed.
	Status string
	Kind   string
}

// RightsOpen selects the cases not yet closed (办结).
const RightsOpen = "open"

// RightsCases lists the cases q selects, the latest received first.
func (s *Station) RightsCases(ctx context.Context, q RightsQuery) ([]*RightsCaseView, error) {
	var where []string
	var args []any
	if q.WorkerID != "" {
		where, args = append(where, `c.worker_id = ?`), append(args, strings.ToLower(q.WorkerID))
	}
	switch {
	case q.Status == "":
	case q.Status == RightsOpen:
		where, args = append(where, `c.case_status != ?`), append(args, records.RightsClosed)
	case slices.Contains(records.RightsStatuses, q.Status):
		where, args = append(where, `c.case_status = ?`), append(args, q.Status)
	default:
		return nil, &records.FieldError{Field: "case_status", Key: records.KeyEnum,
			Args: []any{strings.Join(append([]string{RightsOpen}, records.RightsStatuses...), "、")}}
	}
	if q.Kind != "" {
		if !slices.Contains(records.RightsKinds, q.Kind) {
			return nil, &records.FieldError{Field: "rights_kind", Key: records.KeyEnum,
				Args: []any{strings.Join(records.RightsKinds, "、")}}
		}
		where, args = append(where, `c.rights_kind = ?`), append(args, q.Kind)
	}
	return s.rightsCases(ctx, where, args)
}

// RightsCase reads one case.
func (s *Station) RightsCase(ctx context.Context, id ident.ID) (*RightsCaseView, error) {
	out, err := s.rightsCases(ctx, []string{`c.id = ?`}, []any{id[:]})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("rights case %s: %w", id, ErrNotFound)
	}
	return out[0], nil
}

// CountRightsCases counts a person's cases: all that one without the rights
// permission learns of them.
func (s *Station) CountRightsCases(ctx context.Context, workerID string) (int, error) {
	var n int
	if err := s.r.DB().QueryRowContext(ctx, `SELECT count(*) FROM rights_cases WHERE worker_id = ? AND fs_deleted = 0`,
		strings.ToLower(workerID)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count rights cases: %w", err)
	}
	return n, nil
}

func (s *Station) rightsCases(ctx context.Context, where []string, args []any) ([]*RightsCaseView, error) {
	q := `SELECT c.id, c.worker_id, c.rights_kind, c.employer, c.amount_claimed, c.received_on,
		coalesce(c.referral, ''), c.case_status, coalesce(c.closed_on, ''), coalesce(c.case_outcome, ''),
		c.amount_recovered, coalesce(c.notes, ''), coalesce(c.station, ''), coalesce(c.entered_by, ''),
		coalesce(w.name, '')
		FROM rights_cases c
		LEFT JOIN workers w ON w.id = unhex(c.worker_id) AND w.fs_deleted = 0
		WHERE c.fs_deleted = 0`
	for _, w := range where {
		q += ` AND ` + w
	}
	q += ` ORDER BY c.received_on DESC, c.id`
	rows, err := s.r.DB().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list rights cases: %w", err)
	}
	defer rows.Close()
	var out []*RightsCaseView
	for rows.Next() {
		var raw []byte
		var claimed, recovered sql.NullFloat64
		v := &RightsCaseView{}
		if err := rows.Scan(&raw, &v.WorkerID, &v.Kind, &v.Employer, &claimed, &v.ReceivedOn, &v.Referral, &v.Status,
			&v.ClosedOn, &v.Outcome, &recovered, &v.Notes, &v.Station, &v.EnteredBy, &v.WorkerName); err != nil {
			return nil, fmt.Errorf("list rights cases: %w", err)
		}
		v.ID = scanID(raw)
		if claimed.Valid {
			v.AmountClaimed = &claimed.Float64
		}
		if recovered.Valid {
			v.AmountRecovered = &recovered.Float64
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list rights cases: %w", err)
	}
	return out, nil
}
