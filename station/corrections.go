package station

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// Corrections (更正, 作废): staff correct a record's fields, void a record
// (it stays in history and leaves every list and count), take a placement
// out of its gig (left, cancelled) and mark a person as having left the
// station's lists. Each is one transaction of the replica, synced with the
// usual merge rules: two stations correcting one field differently is a
// conflict like any other.

// Correctable is a record staff may correct and void: a monthly status, an
// unemployment or job-seeking registration, a follow-up.
type Correctable interface {
	Validate() error
	Columns() []replica.ColumnValue
	voidOf() *records.Void
}

type (
	correctStatus       struct{ records.MonthStatus }
	correctUnemployment struct {
		records.UnemploymentRegistration
	}
	correctJobseeker struct {
		records.JobseekerRegistration
	}
	correctFollowup struct{ records.Followup }
)

func (c *correctStatus) voidOf() *records.Void       { return &c.Void }
func (c *correctUnemployment) voidOf() *records.Void { return &c.Void }
func (c *correctJobseeker) voidOf() *records.Void    { return &c.Void }
func (c *correctFollowup) voidOf() *records.Void     { return &c.Void }

// correctables makes the record of each table staff may correct.
var correctables = map[string]func() Correctable{
	records.MonthlyStatus: func() Correctable { return &correctStatus{} },
	records.Unemployment:  func() Correctable { return &correctUnemployment{} },
	records.Jobseeker:     func() Correctable { return &correctJobseeker{} },
	records.Followups:     func() Correctable { return &correctFollowup{} },
}

// fixedFields are the fields a correction may not change: whose record it
// is, and a monthly status's month (its id derives from worker and month);
// the void has its own operations.
var fixedFields = map[string]bool{"worker_id": true, "month": true, "void_reason": true, "voided_on": true}

// IsCorrectable reports whether records of table may be corrected and voided.
func IsCorrectable(table string) bool { return correctables[table] != nil }

// CorrectRecord changes the named fields of a record of table: apply sets
// them on the current record (a Correctable of the table's type, e.g.
// *records.Followup inside) and lists which ones to write (JSON names).
// Fields not named are not written, so a conflict on them stays for someone
// who saw it. The worker, the month and the void cannot change here.
func (s *Station) CorrectRecord(ctx context.Context, table string, id ident.ID, apply func(rec any) ([]string, error)) error {
	mk := correctables[table]
	if mk == nil {
		return fmt.Errorf("correct %s: %w", table, replica.ErrUnknownTable)
	}
	_, err := s.r.Update(ctx, func(tx *replica.Tx) error {
		rec, _, err := readCorrectable(ctx, tx, table, id, mk)
		if err != nil {
			return err
		}
		fixed := columnValues(rec, fixedFields)
		fields, err := apply(recordOf(rec))
		if err != nil {
			return err
		}
		// A fixed field may be named with its value unchanged (a client
		// sending the record back whole); changing it is refused.
		after := columnValues(rec, fixedFields)
		kept := fields[:0:0]
		for _, f := range fields {
			if !fixedFields[f] {
				kept = append(kept, f)
				continue
			}
			if fmt.Sprint(after[f]) != fmt.Sprint(fixed[f]) {
				key := records.KeyWorkerFixed
				if f != "worker_id" {
					key = records.KeyUnknownField
				}
				return &records.FieldError{Field: f, Key: key, Args: []any{f}}
			}
		}
		fields = kept
		if err := rec.Validate(); err != nil {
			return err
		}
		if err := s.checkStillOneOpen(ctx, tx, table, id, rec); err != nil {
			return err
		}
		want := map[string]bool{}
		for _, f := range fields {
			want[f] = true
		}
		var set []replica.ColumnValue
		for _, cv := range rec.Columns() {
			if want[cv.Column] {
				set = append(set, cv)
			}
		}
		if len(set) == 0 {
			return nil
		}
		if _, err := s.edit(ctx, tx, replica.Edit{Table: table, Row: id, Set: set}); err != nil {
			return fmt.Errorf("correct %s: %w", table, err)
		}
		return nil
	})
	if err == nil {
		s.written()
	}
	return err
}

// recordOf is the records type inside a Correctable, which a JSON body
// decodes into.
func recordOf(c Correctable) any {
	switch x := c.(type) {
	case *correctStatus:
		return &x.MonthStatus
	case *correctUnemployment:
		return &x.UnemploymentRegistration
	case *correctJobseeker:
		return &x.JobseekerRegistration
	case *correctFollowup:
		return &x.Followup
	}
	return c
}

// VoidRecord voids a record of table (作废) with reason, dated the
// station's today. Voiding a void record is a *ConflictError.
func (s *Station) VoidRecord(ctx context.Context, table string, id ident.ID, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return &records.FieldError{Field: "void_reason", Key: records.KeyRequired}
	}
	return s.setVoid(ctx, table, id, records.Void{VoidReason: reason, VoidedOn: s.Today()})
}

// RestoreRecord brings a void record back (撤销作废). Restoring a record
// that is not void is a *ConflictError; an unemployment registration comes
// back open only when the person holds no other open one.
func (s *Station) RestoreRecord(ctx context.Context, table string, id ident.ID) error {
	return s.setVoid(ctx, table, id, records.Void{})
}

func (s *Station) setVoid(ctx context.Context, table string, id ident.ID, v records.Void) error {
	mk := correctables[table]
	if mk == nil {
		return fmt.Errorf("void %s: %w", table, replica.ErrUnknownTable)
	}
	_, err := s.r.Update(ctx, func(tx *replica.Tx) error {
		rec, _, err := readCorrectable(ctx, tx, table, id, mk)
		if err != nil {
			return err
		}
		cur := rec.voidOf()
		switch {
		case v.Voided() && cur.Voided():
			return &ConflictError{ID: id, Field: "void_reason", Key: records.KeyAlreadyVoided}
		case !v.Voided() && !cur.Voided():
			return &ConflictError{ID: id, Field: "void_reason", Key: records.KeyNotVoided}
		}
		*cur = v
		if err := rec.Validate(); err != nil {
			return err
		}
		if err := s.checkStillOneOpen(ctx, tx, table, id, rec); err != nil {
			return err
		}
		_, err = s.edit(ctx, tx, replica.Edit{Table: table, Row: id, Set: []replica.ColumnValue{
			{Column: "void_reason", Value: nilIfEmpty(v.VoidReason)},
			{Column: "voided_on", Value: nilIfEmpty(v.VoidedOn)},
		}})
		return err
	})
	if err == nil {
		s.written()
	}
	return err
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// checkStillOneOpen keeps the rule that a person holds at most one open
// unemployment registration when a correction or a restore reopens one.
func (s *Station) checkStillOneOpen(ctx context.Context, tx *replica.Tx, table string, id ident.ID, rec Correctable) error {
	u, ok := rec.(*correctUnemployment)
	if table != records.Unemployment || !ok || !u.Open() || u.Voided() {
		return nil
	}
	other, err := openUnemployment(ctx, tx, u.WorkerID, id)
	if err != nil || other.IsZero() {
		return err
	}
	return &ConflictError{ID: other, Field: "worker_id", Key: records.KeyOpenRegistered}
}

// OpenRegistration is the condition (over a table's own columns) of an
// open unemployment registration: not deleted, not deregistered, not void.
const OpenRegistration = `fs_deleted = 0 AND coalesce(deregistered_on, '') = '' AND void_reason IS NULL`

// openUnemployment finds a worker's open unemployment registration other
// than except (ident.Zero when none).
func openUnemployment(ctx context.Context, tx *replica.Tx, workerID string, except ident.ID) (ident.ID, error) {
	var open []byte
	err := tx.QueryRow(ctx, `SELECT id FROM unemployment_registrations
		WHERE worker_id = ? AND id != ? AND `+OpenRegistration+` LIMIT 1`, workerID, except[:]).Scan(&open)
	var id ident.ID
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return id, nil
	case err != nil:
		return id, fmt.Errorf("check open registrations: %w", err)
	}
	copy(id[:], open)
	return id, nil
}

// readCorrectable reads a record of table as its Correctable.
func readCorrectable(ctx context.Context, tx *replica.Tx, table string, id ident.ID, mk func() Correctable) (Correctable, map[string]any, error) {
	row, err := tx.Row(ctx, table, id)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", table, err)
	}
	if row == nil || row[replica.DeletedColumn] == int64(1) {
		return nil, nil, fmt.Errorf("%s %s: %w", table, id, ErrNotFound)
	}
	rec := mk()
	if err := fromRow(row, recordOf(rec)); err != nil {
		return nil, nil, fmt.Errorf("read %s %s: %w", table, id, err)
	}
	return rec, row, nil
}

// fromRow fills the records struct dst (a pointer) from a row read back
// from the replica, by JSON name: SQLite's integers become the struct's
// booleans, NULL its zero value.
func fromRow(row map[string]any, dst any) error {
	conv := make(map[string]any, len(row))
	bools := map[string]bool{}
	boolFields(reflect.TypeOf(dst).Elem(), bools)
	for k, v := range row {
		if n, ok := v.(int64); ok && bools[k] {
			conv[k] = n != 0
			continue
		}
		if b, ok := v.([]byte); ok {
			v = string(b)
		}
		conv[k] = v
	}
	b, err := json.Marshal(conv)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}

// boolFields collects the JSON names of t's boolean fields, embedded
// structs' included.
func boolFields(t reflect.Type, out map[string]bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			boolFields(f.Type, out)
			continue
		}
		if f.Type.Kind() == reflect.Bool {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			out[name] = true
		}
	}
}

// EndPlacement takes a placement out of its gig: status left (离岗) or
// cancelled (取消), on endedOn (default the station's today). The same row
// changes, so the gig's count (here and at the hub) drops by one; a gig this
// station posted and had marked filled opens again.
func (s *Station) EndPlacement(ctx context.Context, id ident.ID, status, endedOn string) error {
	status = strings.TrimSpace(status)
	if status != records.PlacementLeft && status != records.PlacementCancelled {
		return &records.FieldError{Field: "status", Key: records.KeyEnum,
			Args: []any{records.PlacementLeft + "、" + records.PlacementCancelled}}
	}
	if strings.TrimSpace(endedOn) == "" {
		endedOn = s.Today()
	}
	_, err := s.r.Update(ctx, func(tx *replica.Tx) error {
		row, err := tx.Row(ctx, records.Placements, id)
		if err != nil {
			return fmt.Errorf("read placement: %w", err)
		}
		if row == nil || row[replica.DeletedColumn] == int64(1) {
			return fmt.Errorf("placement %s: %w", id, ErrNotFound)
		}
		p := records.Placement{GigID: str(row["gig_id"]), WorkerID: str(row["worker_id"]),
			Status: str(row["status"]), PlacedOn: str(row["placed_on"]), EndedOn: str(row["ended_on"])}
		wasPlaced := p.Status == "" || p.Status == records.PlacementPlaced
		p.Status, p.EndedOn = status, endedOn
		if err := p.Validate(); err != nil {
			return err
		}
		if _, err := s.edit(ctx, tx, replica.Edit{Table: records.Placements, Row: id, Set: []replica.ColumnValue{
			{Column: "status", Value: p.Status}, {Column: "ended_on", Value: p.EndedOn},
		}}); err != nil {
			return fmt.Errorf("end placement: %w", err)
		}
		if !wasPlaced {
			return nil
		}
		return s.reopenGig(ctx, tx, p.GigID)
	})
	if err == nil {
		s.written()
	}
	return err
}

// reopenGig opens again a gig this station posted and marked filled, once
// a placement left it.
func (s *Station) reopenGig(ctx context.Context, tx *replica.Tx, gigID string) error {
	gid, err := ident.ParseID(gigID)
	if err != nil {
		return nil
	}
	row, err := tx.Row(ctx, records.Gigs, gid)
	if err != nil {
		return fmt.Errorf("read gig: %w", err)
	}
	if row == nil || row[replica.DeletedColumn] == int64(1) || str(row["station"]) != s.cfg.Name ||
		str(row["status"]) != records.GigFilled {
		return nil
	}
	_, err = s.edit(ctx, tx, replica.Edit{Table: records.Gigs, Row: gid,
		Set: []replica.ColumnValue{{Column: "status", Value: records.GigOpen}}})
	return err
}

// Leave marks that a person left the station's lists (迁出, 死亡, 其他) on
// a date (default today), to a place (optional): they leave every list,
// count and the worklist; their history stays. Leaving twice is a
// *ConflictError.
func (s *Station) Leave(ctx context.Context, id ident.ID, l records.Leave) error {
	if strings.TrimSpace(l.LeftReason) == "" {
		return &records.FieldError{Field: "left_reason", Key: records.KeyRequired}
	}
	if strings.TrimSpace(l.LeftOn) == "" {
		l.LeftOn = s.Today()
	}
	return s.setLeave(ctx, id, l)
}

// Return brings back a person who left (恢复): clearing the reason, the
// date and where to. Returning a person who has not left is a
// *ConflictError.
func (s *Station) Return(ctx context.Context, id ident.ID) error {
	return s.setLeave(ctx, id, records.Leave{})
}

func (s *Station) setLeave(ctx context.Context, id ident.ID, l records.Leave) error {
	_, err := s.r.Update(ctx, func(tx *replica.Tx) error {
		row, err := tx.Row(ctx, records.Workers, id)
		if err != nil {
			return fmt.Errorf("read worker: %w", err)
		}
		if row == nil || row[replica.DeletedColumn] == int64(1) {
			return fmt.Errorf("worker %s: %w", id, ErrNotFound)
		}
		left := str(row["left_reason"]) != ""
		switch {
		case l.Left() && left:
			return &ConflictError{ID: id, Field: "left_reason", Key: records.KeyAlreadyLeft}
		case !l.Left() && !left:
			return &ConflictError{ID: id, Field: "left_reason", Key: records.KeyNotLeft}
		}
		w := workerFromMap(id, row).Worker
		w.Leave = l
		if err := w.Validate(); err != nil {
			return err
		}
		_, err = s.edit(ctx, tx, replica.Edit{Table: records.Workers, Row: id, Set: []replica.ColumnValue{
			{Column: "left_reason", Value: nilIfEmpty(w.LeftReason)},
			{Column: "left_on", Value: nilIfEmpty(w.LeftOn)},
			{Column: "left_to", Value: nilIfEmpty(w.LeftTo)},
		}})
		return err
	})
	if err == nil {
		s.written()
	}
	return err
}

// CorrectableRecord reads a record of table for its correction form: the
// records type (e.g. *records.Followup) and whose record it is.
func (s *Station) CorrectableRecord(ctx context.Context, table string, id ident.ID) (any, string, error) {
	mk := correctables[table]
	if mk == nil {
		return nil, "", fmt.Errorf("read %s: %w", table, replica.ErrUnknownTable)
	}
	rows, err := s.r.DB().QueryContext(ctx, `SELECT * FROM `+table+` WHERE id = ? AND fs_deleted = 0`, id[:])
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", table, err)
	}
	maps, err := rowMaps(rows)
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", table, err)
	}
	if len(maps) == 0 {
		return nil, "", fmt.Errorf("%s %s: %w", table, id, ErrNotFound)
	}
	rec := mk()
	if err := fromRow(maps[0], recordOf(rec)); err != nil {
		return nil, "", fmt.Errorf("read %s %s: %w", table, id, err)
	}
	wid := ""
	for _, cv := range rec.Columns() {
		if cv.Column == "worker_id" {
			wid, _ = cv.Value.(string)
		}
	}
	return recordOf(rec), wid, nil
}

// PlacementWorker reads whose placement id is, for its pages.
func (s *Station) PlacementWorker(ctx context.Context, id ident.ID) (string, error) {
	var wid sql.NullString
	err := s.r.DB().QueryRowContext(ctx, `SELECT worker_id FROM placements WHERE id = ? AND fs_deleted = 0`, id[:]).Scan(&wid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("placement %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("read placement: %w", err)
	}
	return wid.String, nil
}

// columnValues gives the values of rec's columns named in names.
func columnValues(rec Correctable, names map[string]bool) map[string]any {
	out := map[string]any{}
	for _, cv := range rec.Columns() {
		if names[cv.Column] {
			out[cv.Column] = cv.Value
		}
	}
	return out
}

// The rows a list or count leaves out, found in the void and leaving
// indexes (records.StationIndexes): void statuses and people who left, by
// rowid (which every index carries). The planner, which cannot know how few these are, reads their
// rows by rowid only when told to (rowid IN leftWorker).
const (
	voidStatus = `(SELECT rowid FROM monthly_status WHERE void_reason IS NOT NULL)`
	leftWorker = `(SELECT rowid FROM workers WHERE left_reason IS NOT NULL)`
)
