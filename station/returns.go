package station

import (
	"context"
	"database/sql"
	"fmt"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// Returnees at a station (返乡, "动态掌握农民工返乡情况"): a return is a
// person's record written through SaveProgramme, its date not after the
// station's today; a return meaning to go out again (再次外出) marks the
// person willing to work away in the same transaction. The month's returnees
// are listed (Returnees) and flagged on the month's worklist, whose confirm
// does not carry last month's status over for them: it changed when they
// came back.

func init() {
	programmeChecks[records.Returns] = append(programmeChecks[records.Returns], checkReturnNotFuture)
	programmeAfter[records.Returns] = append(programmeAfter[records.Returns], markWillingAway)
	labourSelect[records.Returns] = struct{ sel, order string }{`SELECT t.*, w.name AS worker_name,
		w.id_number AS worker_id_number FROM returns t JOIN workers w ON w.id = unhex(t.worker_id) AND w.fs_deleted = 0`,
		`t.returned_on DESC, t.id`}
	labourFilters[records.Returns] = []string{"worker_id"}
}

// checkReturnNotFuture refuses (returned_on, future_date) a return dated
// after the station's today.
func checkReturnNotFuture(_ context.Context, s *Station, _ *replica.Tx, _ ident.ID, rec ProgrammeRecord) error {
	r, ok := rec.(*records.Return)
	if !ok {
		return fmt.Errorf("return: unexpected record %T", rec)
	}
	return r.ValidateOn(s.now())
}

// markWillingAway marks the person of a return meaning to go out again
// (再次外出) willing to work away (workers.willing_away), unless they are.
// Another intention leaves the flag as it is: staff clear it on the
// person's form.
func markWillingAway(ctx context.Context, s *Station, tx *replica.Tx, _ ident.ID, rec ProgrammeRecord) error {
	r, ok := rec.(*records.Return)
	if !ok {
		return fmt.Errorf("return: unexpected record %T", rec)
	}
	if r.Intention != records.IntentAway {
		return nil
	}
	wid, err := ident.ParseID(r.WorkerID)
	if err != nil {
		return &records.FieldError{Field: "worker_id", Key: records.KeyNoWorker}
	}
	row, err := tx.Row(ctx, records.Workers, wid)
	if err != nil {
		return fmt.Errorf("return: read the person: %w", err)
	}
	if row == nil || row[replica.DeletedColumn] == int64(1) {
		return &records.FieldError{Field: "worker_id", Key: records.KeyNoWorker}
	}
	if row["willing_away"] == int64(1) {
		return nil
	}
	if _, err := s.edit(ctx, tx, replica.Edit{Table: records.Workers, Row: wid,
		Set: []replica.ColumnValue{{Column: "willing_away", Value: true}}}); err != nil {
		return fmt.Errorf("return: mark the person willing to work away: %w", err)
	}
	return nil
}

// Returnee is one return of a month's returnee list: the person (full id
// number and phone: mask before showing), when they came back, from where,
// why, what they mean to do, and whether the month's status is in.
type Returnee struct {
	ID          string `json:"id"`
	WorkerID    string `json:"worker_id"`
	Name        string `json:"worker_name"`
	IDNumber    string `json:"worker_id_number"`
	Phone       string `json:"-"`
	ReturnedOn  string `json:"returned_on"`
	FromPlace   string `json:"from_place"`
	Reason      string `json:"return_reason"`
	Intention   string `json:"intention"`
	Notes       string `json:"notes"`
	WillingAway bool   `json:"willing_away"`
	// StatusDone: the person has a (not void) monthly status of the month.
	StatusDone bool `json:"status_done"`
}

// returnMonth is the first and last day of month, refusing one that is
// not a month.
func returnMonth(month string) (string, string, error) {
	if !records.ValidMonth(month) {
		return "", "", &records.FieldError{Field: "month", Key: records.KeyMonth}
	}
	first, last := monthBounds(month)
	return first, last, nil
}

// Returnees lists the returns of month (YYYY-MM) of the people the station
// holds, by date then name: who came back that month, from where, why and
// what they mean to do.
func (s *Station) Returnees(ctx context.Context, month string) ([]Returnee, error) {
	from, to, err := returnMonth(month)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.DB().QueryContext(ctx, `SELECT t.id, lower(hex(w.id)), w.name, w.id_number, w.phone, t.returned_on,
		t.from_place, t.return_reason, t.intention, t.notes, w.willing_away,
		EXISTS (SELECT 1 FROM monthly_status m WHERE m.worker_id = lower(hex(w.id)) AND m.month = ?
			AND m.fs_deleted = 0 AND m.void_reason IS NULL)
		FROM returns t JOIN workers w ON w.id = unhex(t.worker_id) AND w.fs_deleted = 0
		WHERE t.fs_deleted = 0 AND t.returned_on >= ? AND t.returned_on <= ?
		ORDER BY t.returned_on, w.name, t.id`, month, from, to)
	if err != nil {
		return nil, fmt.Errorf("list returnees: %w", err)
	}
	defer rows.Close()
	out := []Returnee{}
	for rows.Next() {
		var id []byte
		var wid, name, idn, phone, on, place, reason, intent, notes sql.NullString
		var away sql.NullInt64
		var done bool
		if err := rows.Scan(&id, &wid, &name, &idn, &phone, &on, &place, &reason, &intent, &notes, &away, &done); err != nil {
			return nil, fmt.Errorf("list returnees: %w", err)
		}
		var rid ident.ID
		copy(rid[:], id)
		out = append(out, Returnee{ID: rid.String(), WorkerID: wid.String, Name: name.String, IDNumber: idn.String,
			Phone: phone.String, ReturnedOn: on.String, FromPlace: place.String, Reason: reason.String,
			Intention: intent.String, Notes: notes.String, WillingAway: away.Int64 == 1, StatusDone: done})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list returnees: %w", err)
	}
	return out, nil
}

// WorklistReturn marks a worklist person who came back in the worklist's
// month: the latest return of the month.
type WorklistReturn struct {
	ReturnedOn string `json:"returned_on"`
	FromPlace  string `json:"from_place"`
	Intention  string `json:"intention"`
}

// markReturnees marks the people of w who came back in its month
// (WorklistPerson.Returned) and counts those of them without the month's
// status (Worklist.Returned): 本月返乡人员待核实.
func (s *Station) markReturnees(ctx context.Context, w *Worklist, byID map[string]int) error {
	back, err := monthReturnees(ctx, s.r.DB().QueryContext, w.Month)
	if err != nil {
		return err
	}
	for id, ret := range back {
		if i, ok := byID[id]; ok {
			w.People[i].Returned = &ret
		}
	}
	return nil
}

// monthReturnees reads, with query (a database's or a transaction's), the
// people who came back in month: each one's latest return, by canonical
// (lower-case) hex id.
func monthReturnees(ctx context.Context, query func(context.Context, string, ...any) (*sql.Rows, error),
	month string) (map[string]WorklistReturn, error) {
	from, to, err := returnMonth(month)
	if err != nil {
		return nil, err
	}
	rows, err := query(ctx, `SELECT worker_id, returned_on, from_place, intention FROM returns
		WHERE fs_deleted = 0 AND returned_on >= ? AND returned_on <= ? ORDER BY returned_on, id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("read the month's returns: %w", err)
	}
	defer rows.Close()
	out := map[string]WorklistReturn{}
	for rows.Next() {
		var wid, on, place, intent sql.NullString
		if err := rows.Scan(&wid, &on, &place, &intent); err != nil {
			return nil, fmt.Errorf("read the month's returns: %w", err)
		}
		id, err := ident.ParseID(wid.String)
		if err != nil {
			continue
		}
		// The latest return wins (date order).
		out[id.String()] = WorklistReturn{ReturnedOn: on.String, FromPlace: place.String, Intention: intent.String}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the month's returns: %w", err)
	}
	return out, nil
}
