package station

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// The month's worklist (本月待核实): every person this station registered,
// with last month's status and this month's, so that staff confirm the
// unchanged ones at once and enter only what changed.

// MaxConfirm bounds the people one confirm names.
const MaxConfirm = 5000

// StatusView is a monthly status as the API shows it: the fields of
// POST /api/monthly-status and the row id.
type StatusView struct {
	ID string `json:"id"`
	records.MonthStatus
}

// WorklistPerson is one person of the worklist.
type WorklistPerson struct {
	WorkerID string      `json:"worker_id"`
	Name     string      `json:"name"`
	Phone    string      `json:"-"` // for the one-person page; the API leaves it out
	Last     *StatusView `json:"last"`
	Status   *StatusView `json:"status"`
	// Returned marks a person who came back home this month (返乡): their
	// status changed, so it is entered, not confirmed unchanged.
	Returned *WorklistReturn `json:"returned,omitempty"`
}

// Worklist is the month's worklist: undone people first, then by name.
type Worklist struct {
	Month string `json:"month"`
	Total int    `json:"total"`
	Done  int    `json:"done"`
	// Returned counts the people who came back this month and have no
	// status for it yet (本月返乡人员待核实).
	Returned int              `json:"returned"`
	People   []WorklistPerson `json:"people"`
}

// PrevMonth is the month before month (YYYY-MM); "" when month is not one.
func PrevMonth(month string) string {
	t, err := time.Parse(records.MonthLayout, month)
	if err != nil {
		return ""
	}
	return t.AddDate(0, -1, 0).Format(records.MonthLayout)
}

// ThisMonth is the current month in the station's zone.
func (s *Station) ThisMonth() string { return s.now().In(s.loc).Format(records.MonthLayout) }

const worklistStatusCols = `id, list_type, work_scope, place, industry, employment_form, monthly_income,
	verified_by_method, verified_by, verified_at, willing_away`

// Worklist reads the worklist of month (YYYY-MM): the station's own people
// (not deleted, registered here), each with last month's and this month's
// status. One query each for the people and the two months' statuses.
func (s *Station) Worklist(ctx context.Context, month string) (*Worklist, error) {
	if !records.ValidMonth(month) {
		return nil, &records.FieldError{Field: "month", Key: records.KeyMonth}
	}
	out := &Worklist{Month: month, People: []WorklistPerson{}}
	db := s.r.DB()
	rows, err := db.QueryContext(ctx, `SELECT id, name, phone FROM workers
		WHERE fs_deleted = 0 AND station = ? AND rowid NOT IN `+leftWorker+` ORDER BY name, id_number`, s.cfg.Name)
	if err != nil {
		return nil, fmt.Errorf("read worklist: %w", err)
	}
	byID := map[string]int{}
	for rows.Next() {
		var id []byte
		var name, phone sql.NullString
		if err := rows.Scan(&id, &name, &phone); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read worklist: %w", err)
		}
		var wid ident.ID
		copy(wid[:], id)
		byID[wid.String()] = len(out.People)
		out.People = append(out.People, WorklistPerson{WorkerID: wid.String(), Name: name.String, Phone: phone.String})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read worklist: %w", err)
	}
	for _, m := range []struct {
		month string
		this  bool
	}{{PrevMonth(month), false}, {month, true}} {
		rows, err := db.QueryContext(ctx, `SELECT worker_id, `+worklistStatusCols+` FROM monthly_status
			WHERE month = ? AND fs_deleted = 0 AND void_reason IS NULL`, m.month)
		if err != nil {
			return nil, fmt.Errorf("read worklist statuses: %w", err)
		}
		for rows.Next() {
			var wid string
			v, err := scanStatus(rows, m.month, &wid)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("read worklist statuses: %w", err)
			}
			i, ok := byID[wid]
			if !ok {
				continue
			}
			if m.this {
				out.People[i].Status = v
			} else {
				out.People[i].Last = v
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read worklist statuses: %w", err)
		}
	}
	if err := s.markReturnees(ctx, out, byID); err != nil {
		return nil, err
	}
	out.Total = len(out.People)
	for _, p := range out.People {
		if p.Status != nil {
			out.Done++
		} else if p.Returned != nil {
			out.Returned++
		}
	}
	// Stable: within undone and done, the name order of the query stays.
	sort.SliceStable(out.People, func(i, j int) bool {
		return out.People[i].Status == nil && out.People[j].Status != nil
	})
	return out, nil
}

// nullIncome is a monthly income as read: nil when NULL (not entered).
func nullIncome(n sql.NullFloat64) *float64 {
	if !n.Valid {
		return nil
	}
	return &n.Float64
}

func scanStatus(sc interface{ Scan(...any) error }, month string, workerID *string) (*StatusView, error) {
	var id []byte
	var list, scope, place, industry, form, method, by, at sql.NullString
	var income sql.NullFloat64
	var willing sql.NullInt64
	if err := sc.Scan(workerID, &id, &list, &scope, &place, &industry, &form, &income, &method, &by, &at,
		&willing); err != nil {
		return nil, err
	}
	var rid ident.ID
	copy(rid[:], id)
	// A row a station of schema version 1 wrote may say 有意愿外出: shown
	// as what it is today, 失业 with the flag.
	l, w := records.StatusList(list.String, willing.Int64 == 1)
	if l == "" {
		l = list.String
	}
	return &StatusView{ID: rid.String(), MonthStatus: records.MonthStatus{WorkerID: *workerID, Month: month,
		ListType: l, WorkScope: scope.String, Place: place.String, Industry: industry.String,
		EmploymentForm: form.String, MonthlyIncome: nullIncome(income), VerifiedByMethod: method.String,
		VerifiedBy: by.String, VerifiedAt: at.String, WillingAway: w}}, nil
}

// Confirm asks to record last month's status as month's for each of
// WorkerIDs, verified as the Verified* fields say.
type Confirm struct {
	Month            string   `json:"month"`
	WorkerIDs        []string `json:"worker_ids"`
	VerifiedByMethod string   `json:"verified_by_method"`
	VerifiedBy       string   `json:"verified_by"`
	VerifiedAt       string   `json:"verified_at"`
}

// Skipped is a person a confirm left alone, and why (a Skip* reason).
type Skipped struct {
	WorkerID string `json:"worker_id"`
	Reason   string `json:"reason"`
}

// The reasons a confirm skips a person.
const (
	SkipNoLast     = "no_last"    // no status last month
	SkipDone       = "done"       // already has one this month
	SkipNotOwn     = "not_own"    // registered at another station
	SkipUnknown    = "unknown"    // no such person
	SkipDuplicated = "duplicated" // named twice in the same confirm
	SkipBadLast    = "bad_last"   // last month's status breaks today's rules
	SkipLeft       = "left"       // has left the station's lists (Station.Leave)
	SkipReturned   = "returned"   // came back home this month: the status changed
)

// ConfirmResult is what a confirm did.
type ConfirmResult struct {
	Confirmed int       `json:"confirmed"`
	Skipped   []Skipped `json:"skipped"`
}

// validate checks the confirm's own fields with the monthly status's rules.
func (c *Confirm) validate() error {
	if len(c.WorkerIDs) > MaxConfirm {
		return &records.FieldError{Field: "worker_ids", Key: records.KeyTooMany, Args: []any{MaxConfirm}}
	}
	// The rules of a status's month and verification, on a probe status.
	probe := records.MonthStatus{WorkerID: ident.Zero.String(), Month: c.Month, ListType: records.ListUnemployed,
		VerifiedByMethod: c.VerifiedByMethod, VerifiedBy: c.VerifiedBy, VerifiedAt: c.VerifiedAt}
	if err := probe.Validate(); err != nil {
		return err
	}
	c.Month, c.VerifiedByMethod, c.VerifiedBy, c.VerifiedAt = probe.Month, probe.VerifiedByMethod, probe.VerifiedBy, probe.VerifiedAt
	return nil
}

// ConfirmUnchanged records last month's status as c.Month's for each person
// c names who has one, has none this month and is this station's: the same
// list and every other field of the status, with the new verification; one
// row per person and month (records.MonthStatus.ID), written like any status
// so that it syncs. The whole confirm is one transaction.
func (s *Station) ConfirmUnchanged(ctx context.Context, c Confirm) (*ConfirmResult, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	prev := PrevMonth(c.Month)
	var res *ConfirmResult
	_, err := s.r.Update(ctx, func(tx *replica.Tx) error {
		res = &ConfirmResult{Skipped: []Skipped{}}
		// The month's returnees, read once: their status changed.
		returned, err := monthReturnees(ctx, tx.Query, c.Month)
		if err != nil {
			return fmt.Errorf("confirm: %w", err)
		}
		seen := map[ident.ID]bool{}
		for _, hexID := range c.WorkerIDs {
			skip := func(reason string) { res.Skipped = append(res.Skipped, Skipped{WorkerID: hexID, Reason: reason}) }
			wid, err := ident.ParseID(hexID)
			if err != nil {
				skip(SkipUnknown)
				continue
			}
			if seen[wid] {
				skip(SkipDuplicated)
				continue
			}
			seen[wid] = true
			w, err := tx.Row(ctx, records.Workers, wid)
			if err != nil {
				return fmt.Errorf("confirm: read worker: %w", err)
			}
			if w == nil || w[replica.DeletedColumn] == int64(1) {
				skip(SkipUnknown)
				continue
			}
			if str(w["station"]) != s.cfg.Name {
				skip(SkipNotOwn)
				continue
			}
			if str(w["left_reason"]) != "" {
				skip(SkipLeft)
				continue
			}
			sid := wid.String()
			if _, back := returned[sid]; back {
				skip(SkipReturned)
				continue
			}
			cur, err := tx.Row(ctx, records.MonthlyStatus, s.key.Derive(records.MonthlyStatus, sid+"/"+c.Month))
			if err != nil {
				return fmt.Errorf("confirm: read status: %w", err)
			}
			if cur != nil && cur[replica.DeletedColumn] != int64(1) && str(cur["void_reason"]) == "" {
				skip(SkipDone)
				continue
			}
			last, err := tx.Row(ctx, records.MonthlyStatus, s.key.Derive(records.MonthlyStatus, sid+"/"+prev))
			if err != nil {
				return fmt.Errorf("confirm: read last status: %w", err)
			}
			if last == nil || last[replica.DeletedColumn] == int64(1) || str(last["void_reason"]) != "" {
				skip(SkipNoLast)
				continue
			}
			ok, err := s.confirmOneTx(ctx, tx, sid, c, last, cur)
			if err != nil {
				return err
			}
			if !ok {
				skip(SkipBadLast)
				continue
			}
			res.Confirmed++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if res.Confirmed > 0 {
		s.written()
	}
	return res, nil
}

// confirmOneTx writes this month's status of one person from last month's
// row: every column of it but the month, the verification and the
// bookkeeping, so that a field added to the table is carried over too.
// It reports false, writing nothing, when last month's status breaks the
// rules a status is checked against today.
func (s *Station) confirmOneTx(ctx context.Context, tx *replica.Tx, workerID string, c Confirm, last, cur map[string]any) (bool, error) {
	var income *float64 // NULL: not entered (未填报)
	switch n := last["monthly_income"].(type) {
	case float64:
		income = &n
	case int64:
		income = records.Income(float64(n))
	}
	m := records.MonthStatus{WorkerID: workerID, Month: c.Month, ListType: str(last["list_type"]),
		WorkScope: str(last["work_scope"]), Place: str(last["place"]), Industry: str(last["industry"]),
		EmploymentForm: str(last["employment_form"]), MonthlyIncome: income,
		VerifiedByMethod: c.VerifiedByMethod, VerifiedBy: c.VerifiedBy, VerifiedAt: c.VerifiedAt,
		WillingAway: last["willing_away"] == int64(1)}
	if err := m.Validate(); err != nil {
		return false, nil
	}
	// The list and the flag as Validate leaves them: last month's old
	// third list (有意愿外出, from a station of schema version 1, or a row
	// not yet migrated) is carried over as 失业 with willing_away.
	set := []replica.ColumnValue{{Column: "list_type", Value: m.ListType}, {Column: "willing_away", Value: m.WillingAway}}
	skipCols := map[string]bool{"id": true, "worker_id": true, "month": true, "verified_by_method": true,
		"verified_by": true, "verified_at": true, "station": true, records.EnteredBy: true,
		replica.DeletedColumn: true, replica.MetaColumn: true, "list_type": true, "willing_away": true,
		"void_reason": true, "voided_on": true}
	for col, v := range last {
		if !skipCols[col] {
			set = append(set, replica.ColumnValue{Column: col, Value: v})
		}
	}
	set = append(set,
		replica.ColumnValue{Column: "worker_id", Value: workerID},
		replica.ColumnValue{Column: "month", Value: c.Month},
		replica.ColumnValue{Column: "verified_by_method", Value: c.VerifiedByMethod},
		replica.ColumnValue{Column: "verified_by", Value: c.VerifiedBy},
		replica.ColumnValue{Column: "verified_at", Value: c.VerifiedAt},
		replica.ColumnValue{Column: "station", Value: s.cfg.Name},
		// Not void, even when this month's status was (a void one is not done).
		replica.ColumnValue{Column: "void_reason", Value: nil}, replica.ColumnValue{Column: "voided_on", Value: nil})
	if cur != nil {
		set = append(set, replica.ColumnValue{Column: replica.DeletedColumn, Value: int64(0)})
	}
	sort.Slice(set, func(i, j int) bool { return set[i].Column < set[j].Column })
	id := m.ID(s.key)
	if _, err := s.edit(ctx, tx, replica.Edit{Table: records.MonthlyStatus, Row: id, Set: set}); err != nil {
		return false, fmt.Errorf("confirm status: %w", err)
	}
	return true, nil
}

// WorklistProgress counts the month's worklist (Worklist's Done and Total)
// without reading it, for the home page: the station's own people, and
// those of them with a status this month. The statuses are counted on their
// index and those of people not the station's own (few: shared people,
// deleted ones) taken off, so that a station of 100,000 people counts in
// milliseconds, not in a lookup per status.
func (s *Station) WorklistProgress(ctx context.Context, month string) (done, total int, err error) {
	var all, others int
	err = s.r.DB().QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM workers WHERE fs_deleted = 0 AND station = ?2) -
			-- the few who left, read by rowid from their index (leftWorker)
			(SELECT count(*) FROM workers WHERE rowid IN `+leftWorker+` AND +fs_deleted = 0 AND +station = ?2),
		(SELECT count(*) FROM monthly_status WHERE month = ?1 AND fs_deleted = 0) -
			(SELECT count(*) FROM monthly_status WHERE rowid IN `+voidStatus+` AND +month = ?1 AND +fs_deleted = 0),
		(SELECT count(*) FROM workers w WHERE (NOT (w.fs_deleted = 0 AND coalesce(w.station = ?2, 0)) OR w.rowid IN `+leftWorker+`)
			AND EXISTS (SELECT 1 FROM monthly_status m WHERE m.worker_id = lower(hex(w.id)) AND m.month = ?1 AND m.fs_deleted = 0
				AND m.rowid NOT IN `+voidStatus+`))`,
		month, s.cfg.Name).Scan(&total, &all, &others)
	if err != nil {
		return 0, 0, fmt.Errorf("count worklist: %w", err)
	}
	return min(max(all-others, 0), total), total, nil
}
