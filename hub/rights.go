package hub

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"fieldsync/records"
)

// Labour-rights cases (劳动权益维护) at the county: the county-wide list an
// administrator holding access.PermRights reads, and what is taken out of
// a person's history for one without it. The cases reach the hub as a
// person's records (scope.go); reading them is the web adapter's to allow.

// RightsCaseRow is a case as the county's list shows it.
type RightsCaseRow struct {
	ID string `json:"id"`
	records.RightsCase
	Station    string `json:"station"`
	WorkerName string `json:"worker_name"`
}

// RightsFilter selects cases; empty fields select all.
type RightsFilter struct {
	// Status is one of records.RightsStatuses, or RightsOpen for every
	// case not closed.
	Status  string
	Kind    string
	Station string
}

// RightsOpen selects the cases not closed (办结).
const RightsOpen = "open"

// maxRightsCases bounds the county's list (and its export).
const maxRightsCases = 10000

// RightsCases lists the cases f selects, the latest received first (at
// most maxRightsCases). A bad status or kind is a *ResolveError naming it.
func (h *Hub) RightsCases(ctx context.Context, f RightsFilter) ([]RightsCaseRow, error) {
	where := []string{`c.fs_deleted = 0`}
	var args []any
	switch {
	case f.Status == "":
	case f.Status == RightsOpen:
		where, args = append(where, `c.case_status != ?`), append(args, records.RightsClosed)
	case slices.Contains(records.RightsStatuses, f.Status):
		where, args = append(where, `c.case_status = ?`), append(args, f.Status)
	default:
		return nil, InvalidField(&records.FieldError{Field: "case_status", Key: records.KeyEnum,
			Args: []any{strings.Join(append([]string{RightsOpen}, records.RightsStatuses...), "、")}})
	}
	if f.Kind != "" {
		if !slices.Contains(records.RightsKinds, f.Kind) {
			return nil, InvalidField(&records.FieldError{Field: "rights_kind", Key: records.KeyEnum,
				Args: []any{strings.Join(records.RightsKinds, "、")}})
		}
		where, args = append(where, `c.rights_kind = ?`), append(args, f.Kind)
	}
	if f.Station != "" {
		where, args = append(where, `c.station = ?`), append(args, f.Station)
	}
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT lower(hex(c.id)), coalesce(c.worker_id, ''),
		coalesce(c.rights_kind, ''), coalesce(c.employer, ''), c.amount_claimed, coalesce(c.received_on, ''),
		coalesce(c.referral, ''), coalesce(c.case_status, ''), coalesce(c.closed_on, ''), coalesce(c.case_outcome, ''),
		c.amount_recovered, coalesce(c.notes, ''), coalesce(c.station, ''), coalesce(w.name, '')
		FROM rights_cases c LEFT JOIN workers w ON w.id = unhex(c.worker_id) AND w.fs_deleted = 0
		WHERE `+strings.Join(where, " AND ")+` ORDER BY c.received_on DESC, c.id LIMIT ?`,
		append(args, maxRightsCases)...)
	if err != nil {
		return nil, fmt.Errorf("list rights cases: %w", err)
	}
	defer rows.Close()
	out := []RightsCaseRow{}
	for rows.Next() {
		var c RightsCaseRow
		var claimed, recovered sql.NullFloat64
		if err := rows.Scan(&c.ID, &c.WorkerID, &c.Kind, &c.Employer, &claimed, &c.ReceivedOn, &c.Referral, &c.Status,
			&c.ClosedOn, &c.Outcome, &recovered, &c.Notes, &c.Station, &c.WorkerName); err != nil {
			return nil, fmt.Errorf("list rights cases: %w", err)
		}
		if claimed.Valid {
			c.AmountClaimed = &claimed.Float64
		}
		if recovered.Valid {
			c.AmountRecovered = &recovered.Float64
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list rights cases: %w", err)
	}
	return out, nil
}

// WithoutRights takes out of a person's history everything of their
// labour-rights cases (the cases' own histories, the conflicts on them), for
// a reader without access.PermRights.
func WithoutRights(wh *WorkerHistory) {
	wh.Children = slices.DeleteFunc(wh.Children, func(c RecordHistory) bool { return c.Table == records.RightsCases })
	wh.Conflicts = slices.DeleteFunc(wh.Conflicts, func(c Conflict) bool { return c.Table == records.RightsCases })
	for i := range wh.Children {
		wh.Children[i].Conflicts = slices.DeleteFunc(wh.Children[i].Conflicts,
			func(c Conflict) bool { return c.Table == records.RightsCases })
	}
}

// RecordWithoutRights takes a person's labour-rights cases (their rows, the
// conflicts on them) out of their record, for a reader without
// access.PermRights.
func RecordWithoutRights(wr *WorkerRecord) {
	delete(wr.Children, records.RightsCases)
	wr.Queue = slices.DeleteFunc(wr.Queue, func(c Conflict) bool { return c.Table == records.RightsCases })
}
