package station

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// Households (家庭户): 监测对象 and 零就业家庭 are designations of a
// household, recorded on its row (records.Household) and shown on each
// member, who names the household in workers.household_id. The head (户主,
// the row's worker_id) is a member, and stays one; a person belongs to one
// household at a time. A household and its members' household_id are
// written in one transaction, so nothing is half-written.

// MaxHouseholdMembers bounds the members named in one request.
const MaxHouseholdMembers = 50

// HouseholdInput is a new household: its row and the members besides the
// head (the head is always one).
type HouseholdInput struct {
	records.Household
	MemberIDs []string `json:"member_ids"`
}

// HouseholdView is a household as read back, with the members this station
// holds (a member registered only at another station is not here).
type HouseholdView struct {
	ID ident.ID `json:"id"`
	records.Household
	Station   string `json:"station"`
	EnteredBy string `json:"entered_by,omitempty"`
	// HeadName is the head's name ("" when the station does not hold the head).
	HeadName string        `json:"head_name"`
	Members  []*WorkerView `json:"members"`
	Count    int           `json:"member_count"`
	Head     *WorkerView   `json:"-"`
}

// HouseholdMark is what a member's pages show of their household.
type HouseholdMark struct {
	ID             ident.ID `json:"id"`
	HeadID         string   `json:"worker_id"`
	MonitorType    string   `json:"monitor_type"`
	ZeroEmployment bool     `json:"zero_employment"`
}

// HouseholdCounts are the station's household figures.
type HouseholdCounts struct {
	Households     int `json:"households"`
	ZeroEmployment int `json:"zero_employment"`
	Monitored      int `json:"monitored"`
	// ByMonitorType counts the monitored households by their type
	// (records.MonitorTypes order; types with none are left out).
	ByMonitorType []TypeCount `json:"by_monitor_type"`
}

// TypeCount is a count of one kind.
type TypeCount struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
}

// HouseholdPage is one page of the station's households.
type HouseholdPage struct {
	Households []*HouseholdView `json:"households"`
	Total      int              `json:"total"`
	Limit      int              `json:"limit"`
	Offset     int              `json:"offset"`
	Counts     HouseholdCounts  `json:"counts"`
}

// CreateHousehold records a household headed by in.WorkerID with the
// members named (the head included whether named or not). Every member must
// be held here and belong to no other household, and the head must head no
// other: the household and the members' household_id are one transaction.
func (s *Station) CreateHousehold(ctx context.Context, in HouseholdInput) (ident.ID, error) {
	h := in.Household
	if err := h.Validate(); err != nil {
		return ident.Zero, err
	}
	head, _ := ident.ParseID(h.WorkerID) // Validate checked it
	members := []ident.ID{head}
	seen := map[ident.ID]bool{head: true}
	if len(in.MemberIDs) > MaxHouseholdMembers {
		return ident.Zero, &records.FieldError{Field: "member_ids", Key: records.KeyTooMany, Args: []any{MaxHouseholdMembers}}
	}
	for _, m := range in.MemberIDs {
		id, err := ident.ParseID(strings.TrimSpace(m))
		if err != nil {
			return ident.Zero, &records.FieldError{Field: "member_ids", Key: records.KeyNoWorker}
		}
		if !seen[id] {
			seen[id] = true
			members = append(members, id)
		}
	}
	id, err := s.newID()
	if err != nil {
		return id, err
	}
	_, err = s.r.Update(ctx, func(tx *replica.Tx) error {
		if _, err := requireWorker(ctx, tx, "worker_id", h.WorkerID); err != nil {
			return err
		}
		if other, err := headedBy(ctx, tx, h.WorkerID); err != nil {
			return err
		} else if !other.IsZero() {
			return &ConflictError{ID: other, Field: "worker_id", Key: records.KeyHeadsHousehold}
		}
		set := append(h.Columns(), replica.ColumnValue{Column: "station", Value: s.cfg.Name})
		if _, err := s.edit(ctx, tx, replica.Edit{Table: records.Households, Row: id, Set: set}); err != nil {
			return fmt.Errorf("create household: %w", err)
		}
		for i, m := range members {
			field := "member_ids"
			if i == 0 {
				field = "worker_id"
			}
			if err := s.joinHouseholdTx(ctx, tx, id, m, field); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return id, err
	}
	s.written()
	return id, nil
}

// headedBy finds the household a worker heads (zero when none).
func headedBy(ctx context.Context, tx *replica.Tx, worker string) (ident.ID, error) {
	var b []byte
	err := tx.QueryRow(ctx, `SELECT id FROM households WHERE worker_id = ? AND fs_deleted = 0 LIMIT 1`, worker).Scan(&b)
	var id ident.ID
	if errors.Is(err, sql.ErrNoRows) {
		return id, nil
	}
	if err != nil {
		return id, fmt.Errorf("find household of head: %w", err)
	}
	copy(id[:], b)
	return id, nil
}

// householdInTx reads a household (nil when the station holds none by that id).
func householdInTx(ctx context.Context, tx *replica.Tx, id ident.ID) (map[string]any, error) {
	row, err := tx.Row(ctx, records.Households, id)
	if err != nil {
		return nil, fmt.Errorf("read household: %w", err)
	}
	if row == nil || row[replica.DeletedColumn] == int64(1) {
		return nil, nil
	}
	return row, nil
}

// joinHouseholdTx makes worker w a member of household hid: w must be held
// here and in no other household that exists. field names w in errors.
func (s *Station) joinHouseholdTx(ctx context.Context, tx *replica.Tx, hid, w ident.ID, field string) error {
	row, err := tx.Row(ctx, records.Workers, w)
	if err != nil {
		return fmt.Errorf("read worker: %w", err)
	}
	if row == nil || row[replica.DeletedColumn] == int64(1) {
		return &records.FieldError{Field: field, Key: records.KeyNoWorker}
	}
	cur := str(row["household_id"])
	if cur == hid.String() {
		return nil
	}
	if cur != "" {
		if other, err := ident.ParseID(cur); err == nil {
			h, err := householdInTx(ctx, tx, other)
			if err != nil {
				return err
			}
			if h != nil {
				return &ConflictError{ID: other, Field: field, Key: records.KeyInHousehold}
			}
		}
	}
	_, err = s.edit(ctx, tx, replica.Edit{Table: records.Workers, Row: w,
		Set: []replica.ColumnValue{{Column: "household_id", Value: hid.String()}}})
	if err != nil {
		return fmt.Errorf("join household: %w", err)
	}
	return nil
}

// checkMembershipTx checks a worker edit that sets household_id (PATCH
// /api/workers/{id}): the household named must be one the station holds,
// the person must not be in another one, and a head stays in their own.
func (s *Station) checkMembershipTx(ctx context.Context, tx *replica.Tx, w ident.ID, set []replica.ColumnValue) error {
	var to string
	named := false
	for _, cv := range set {
		if cv.Column == "household_id" {
			named = true
			to, _ = cv.Value.(string)
		}
	}
	if !named {
		return nil
	}
	row, err := tx.Row(ctx, records.Workers, w)
	if err != nil {
		return fmt.Errorf("read worker: %w", err)
	}
	cur := str(row["household_id"])
	if cur == to {
		return nil
	}
	if head, err := headedBy(ctx, tx, w.String()); err != nil {
		return err
	} else if !head.IsZero() {
		return &records.FieldError{Field: "household_id", Key: records.KeyHeadStays}
	}
	if to == "" {
		return nil
	}
	hid, err := ident.ParseID(to)
	if err != nil {
		return &records.FieldError{Field: "household_id", Key: records.KeyBadValue}
	}
	if h, err := householdInTx(ctx, tx, hid); err != nil {
		return err
	} else if h == nil {
		return &records.FieldError{Field: "household_id", Key: records.KeyNoHousehold}
	}
	if cur != "" {
		if other, err := ident.ParseID(cur); err == nil {
			if h, err := householdInTx(ctx, tx, other); err != nil {
				return err
			} else if h != nil {
				return &ConflictError{ID: other, Field: "household_id", Key: records.KeyInHousehold}
			}
		}
	}
	return nil
}

// AddHouseholdMember makes worker a member of household hid.
func (s *Station) AddHouseholdMember(ctx context.Context, hid ident.ID, worker string) error {
	w, err := ident.ParseID(strings.TrimSpace(worker))
	if err != nil {
		return &records.FieldError{Field: "worker_id", Key: records.KeyNoWorker}
	}
	_, err = s.r.Update(ctx, func(tx *replica.Tx) error {
		if h, err := householdInTx(ctx, tx, hid); err != nil {
			return err
		} else if h == nil {
			return fmt.Errorf("household %s: %w", hid, ErrNotFound)
		}
		return s.joinHouseholdTx(ctx, tx, hid, w, "worker_id")
	})
	if err == nil {
		s.written()
	}
	return err
}

// RemoveHouseholdMember takes worker out of household hid (never its head).
func (s *Station) RemoveHouseholdMember(ctx context.Context, hid, w ident.ID) error {
	_, err := s.r.Update(ctx, func(tx *replica.Tx) error {
		h, err := householdInTx(ctx, tx, hid)
		if err != nil {
			return err
		}
		if h == nil {
			return fmt.Errorf("household %s: %w", hid, ErrNotFound)
		}
		if str(h["worker_id"]) == w.String() {
			return &records.FieldError{Field: "worker_id", Key: records.KeyHeadStays}
		}
		row, err := tx.Row(ctx, records.Workers, w)
		if err != nil {
			return fmt.Errorf("read worker: %w", err)
		}
		if row == nil || row[replica.DeletedColumn] == int64(1) || str(row["household_id"]) != hid.String() {
			return fmt.Errorf("member %s of household %s: %w", w, hid, ErrNotFound)
		}
		_, err = s.edit(ctx, tx, replica.Edit{Table: records.Workers, Row: w,
			Set: []replica.ColumnValue{{Column: "household_id", Value: nil}}})
		return err
	})
	if err == nil {
		s.written()
	}
	return err
}

// UpdateHousehold changes the named fields of a household (see
// UpdateWorker). The head is fixed: the household is the head's record.
func (s *Station) UpdateHousehold(ctx context.Context, id ident.ID, apply func(h *records.Household) ([]string, error)) error {
	_, err := s.r.Update(ctx, func(tx *replica.Tx) error {
		row, err := householdInTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if row == nil {
			return fmt.Errorf("household %s: %w", id, ErrNotFound)
		}
		h := householdFromMap(row)
		head := h.WorkerID
		fields, err := apply(&h)
		if err != nil {
			return err
		}
		if err := h.Validate(); err != nil {
			return err
		}
		if h.WorkerID != head {
			return &records.FieldError{Field: "worker_id", Key: records.KeyWorkerFixed}
		}
		want := map[string]bool{}
		for _, f := range fields {
			want[f] = true
		}
		var set []replica.ColumnValue
		for _, cv := range h.Columns() {
			if want[cv.Column] && cv.Column != "worker_id" {
				set = append(set, cv)
			}
		}
		if len(set) == 0 {
			return nil
		}
		_, err = s.edit(ctx, tx, replica.Edit{Table: records.Households, Row: id, Set: set})
		return err
	})
	if err == nil {
		s.written()
	}
	return err
}

func householdFromMap(m map[string]any) records.Household {
	z, _ := m["zero_employment"].(int64)
	return records.Household{WorkerID: str(m["worker_id"]), Village: str(m["village"]),
		MonitorType: str(m["monitor_type"]), ZeroEmployment: z != 0, Notes: str(m["notes"])}
}

const householdCols = `h.id, h.worker_id, h.village, h.monitor_type, h.zero_employment, h.notes, h.station, h.entered_by,
	(SELECT hw.name FROM workers hw WHERE hw.id = unhex(h.worker_id) AND hw.fs_deleted = 0)`

func scanHousehold(sc interface{ Scan(...any) error }) (*HouseholdView, error) {
	var (
		id                                              []byte
		head, village, mon, notes, station, by, headNam sql.NullString
		zero                                            sql.NullInt64
	)
	if err := sc.Scan(&id, &head, &village, &mon, &zero, &notes, &station, &by, &headNam); err != nil {
		return nil, err
	}
	v := &HouseholdView{Household: records.Household{WorkerID: head.String, Village: village.String,
		MonitorType: mon.String, ZeroEmployment: zero.Int64 != 0, Notes: notes.String},
		Station: station.String, EnteredBy: by.String, HeadName: headNam.String, Members: []*WorkerView{}}
	copy(v.ID[:], id)
	return v, nil
}

// Household reads a household and the members the station holds, the head
// first, then by name.
func (s *Station) Household(ctx context.Context, id ident.ID) (*HouseholdView, error) {
	row := s.r.DB().QueryRowContext(ctx, `SELECT `+householdCols+` FROM households h WHERE h.id = ? AND h.fs_deleted = 0`, id[:])
	v, err := scanHousehold(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("household %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read household: %w", err)
	}
	rows, err := s.r.DB().QueryContext(ctx, `SELECT `+workerCols+` FROM workers w
		WHERE w.household_id = ? AND w.fs_deleted = 0
		ORDER BY lower(hex(w.id)) = ? DESC, w.name, w.id_number`, id.String(), v.WorkerID)
	if err != nil {
		return nil, fmt.Errorf("read household members: %w", err)
	}
	defer rows.Close()
	now := s.now()
	for rows.Next() {
		w, err := scanWorker(rows)
		if err != nil {
			return nil, fmt.Errorf("read household members: %w", err)
		}
		w.derive(now, s.cfg.Older)
		if w.ID.String() == v.WorkerID {
			v.Head = w
		}
		v.Members = append(v.Members, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read household members: %w", err)
	}
	v.Count = len(v.Members)
	return v, nil
}

// Households lists the station's households by the head's name, with each
// one's number of members (those held here) and the station's counts.
func (s *Station) Households(ctx context.Context, limit, offset int) (*HouseholdPage, error) {
	if limit <= 0 || limit > MaxLimit {
		limit = min(max(limit, 50), MaxLimit)
	}
	page := &HouseholdPage{Households: []*HouseholdView{}, Limit: limit, Offset: max(offset, 0)}
	var err error
	if page.Counts, err = s.HouseholdCounts(ctx); err != nil {
		return nil, err
	}
	page.Total = page.Counts.Households
	rows, err := s.r.DB().QueryContext(ctx, `SELECT `+householdCols+`,
		(SELECT count(*) FROM workers m WHERE m.household_id = lower(hex(h.id)) AND m.fs_deleted = 0)
		FROM households h WHERE h.fs_deleted = 0
		ORDER BY 9, h.id LIMIT ? OFFSET ?`, limit, page.Offset)
	if err != nil {
		return nil, fmt.Errorf("list households: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n int
		v, err := scanHousehold(scanExtra{rows, &n})
		if err != nil {
			return nil, fmt.Errorf("list households: %w", err)
		}
		v.Count = n
		page.Households = append(page.Households, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list households: %w", err)
	}
	return page, nil
}

// scanExtra scans a row into a scanner's columns and then extra ones.
type scanExtra struct {
	sc    interface{ Scan(...any) error }
	extra *int
}

func (e scanExtra) Scan(dest ...any) error { return e.sc.Scan(append(dest, e.extra)...) }

// HouseholdCounts counts the station's households: all, 零就业家庭, and
// monitored (监测对象) by type.
func (s *Station) HouseholdCounts(ctx context.Context) (HouseholdCounts, error) {
	var c HouseholdCounts
	rows, err := s.r.DB().QueryContext(ctx, `SELECT coalesce(monitor_type, ''), count(*), coalesce(sum(zero_employment != 0), 0)
		FROM households WHERE fs_deleted = 0 GROUP BY 1`)
	if err != nil {
		return c, fmt.Errorf("count households: %w", err)
	}
	defer rows.Close()
	byType := map[string]int{}
	for rows.Next() {
		var t string
		var n, z int
		if err := rows.Scan(&t, &n, &z); err != nil {
			return c, fmt.Errorf("count households: %w", err)
		}
		c.Households += n
		c.ZeroEmployment += z
		if t != "" {
			c.Monitored += n
			byType[t] += n
		}
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("count households: %w", err)
	}
	c.ByMonitorType = []TypeCount{}
	for _, t := range records.MonitorTypes {
		if byType[t] > 0 {
			c.ByMonitorType = append(c.ByMonitorType, TypeCount{Type: t, Count: byType[t]})
		}
	}
	return c, nil
}

// HouseholdMarks reads the household of each of the workers named that is
// in one the station holds.
func (s *Station) HouseholdMarks(ctx context.Context, workers []ident.ID) (map[ident.ID]*HouseholdMark, error) {
	out := map[ident.ID]*HouseholdMark{}
	if len(workers) == 0 {
		return out, nil
	}
	args := make([]any, len(workers))
	for i, w := range workers {
		args[i] = w[:]
	}
	rows, err := s.r.DB().QueryContext(ctx, `SELECT w.id, h.id, h.worker_id, h.monitor_type, h.zero_employment
		FROM workers w JOIN households h ON h.id = unhex(w.household_id) AND h.fs_deleted = 0
		WHERE w.id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(workers)), ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("read households of workers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var wb, hb []byte
		var head, mon sql.NullString
		var zero sql.NullInt64
		if err := rows.Scan(&wb, &hb, &head, &mon, &zero); err != nil {
			return nil, fmt.Errorf("read households of workers: %w", err)
		}
		var w ident.ID
		m := &HouseholdMark{HeadID: head.String, MonitorType: mon.String, ZeroEmployment: zero.Int64 != 0}
		copy(w[:], wb)
		copy(m.ID[:], hb)
		out[w] = m
	}
	return out, rows.Err()
}

// HouseholdOf reads the household worker w belongs to (nil when none the
// station holds).
func (s *Station) HouseholdOf(ctx context.Context, w ident.ID) (*HouseholdView, error) {
	m, err := s.HouseholdMarks(ctx, []ident.ID{w})
	if err != nil || m[w] == nil {
		return nil, err
	}
	return s.Household(ctx, m[w].ID)
}
