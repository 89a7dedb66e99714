package station

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// 乡村公益性岗位 and 就业帮扶车间 at the station: the rules of a welfare
// placement that need other rows (one post at a time per person, a post's
// headcount, an assessment within its own placement), and the month's
// status a placement or a workshop job brings (the three lists count from
// monthly statuses, so a person placed this month is 就业 with the post's
// form). No age or disability limit is imposed (76号 (十六)).

// FormWorkshop is the employment form of a person working in a 就业帮扶车间.
const FormWorkshop = "帮扶车间"

// systemVerifier names who verified a status the station wrote itself when
// no staff member is logged in.
const systemVerifier = "系统"

func init() {
	programmeChecks[records.WelfarePlacements] = append(programmeChecks[records.WelfarePlacements],
		checkOnePlacement, checkPostHeadcount, checkNotSentOut)
	programmeChecks[records.WelfareAssessments] = append(programmeChecks[records.WelfareAssessments],
		checkAssessment)
	programmeChecks[records.WelfarePosts] = append(programmeChecks[records.WelfarePosts], checkHeadcountHeld)
	programmeAfter[records.WelfarePlacements] = append(programmeAfter[records.WelfarePlacements], placementStatus)
	programmeAfter[records.WorkshopJobs] = append(programmeAfter[records.WorkshopJobs], workshopJobStatus)
}

// term is the days a placement holds its post, both ends included.
type term struct {
	ID          ident.ID
	Start, Last string
}

func (t term) overlaps(o term) bool { return t.Start <= o.Last && o.Start <= t.Last }

func (t term) String() string { return t.Start + "至" + t.Last }

// placementTerms reads the terms of the station's placements whose column
// col equals value, all but the row skip.
func placementTerms(ctx context.Context, tx *replica.Tx, col, value string, skip ident.ID) ([]term, error) {
	rows, err := tx.Query(ctx, `SELECT id, contract_start, contract_end, coalesce(exit_on, '') FROM welfare_placements
		WHERE `+col+` = ? AND fs_deleted = 0 AND id != ?`, value, skip[:])
	if err != nil {
		return nil, fmt.Errorf("read welfare placements: %w", err)
	}
	defer rows.Close()
	var out []term
	for rows.Next() {
		var raw []byte
		p := records.WelfarePlacement{}
		if err := rows.Scan(&raw, &p.ContractStart, &p.ContractEnd, &p.ExitOn); err != nil {
			return nil, fmt.Errorf("read welfare placements: %w", err)
		}
		t := term{Start: p.ContractStart, Last: p.Until()}
		copy(t.ID[:], raw)
		if t.Last < t.Start {
			continue // left on the day it began: never held
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read welfare placements: %w", err)
	}
	return out, nil
}

func termOf(id ident.ID, p *records.WelfarePlacement) term {
	return term{ID: id, Start: p.ContractStart, Last: p.Until()}
}

// checkOnePlacement refuses a second welfare placement of one person whose
// term overlaps one the station holds (contract_start).
func checkOnePlacement(ctx context.Context, _ *Station, tx *replica.Tx, id ident.ID, rec ProgrammeRecord) error {
	p := rec.(*records.WelfarePlacement)
	this := termOf(id, p)
	if this.Last < this.Start {
		return nil
	}
	others, err := placementTerms(ctx, tx, "worker_id", p.WorkerID, id)
	if err != nil {
		return err
	}
	for _, o := range others {
		if o.overlaps(this) {
			return &records.FieldError{Field: "contract_start", Key: records.KeyInWelfarePost, Args: []any{o.String()}}
		}
	}
	return nil
}

// checkNotSentOut refuses a welfare placement whose term holds the day the
// person was sent out in an export batch (contract_start): a welfare post
// is for a person who cannot leave home, the rule the station applies the
// other way round when it sends a person (labour.go) and the hub across
// stations.
func checkNotSentOut(ctx context.Context, _ *Station, tx *replica.Tx, id ident.ID, rec ProgrammeRecord) error {
	p := rec.(*records.WelfarePlacement)
	this := termOf(id, p)
	if this.Last < this.Start {
		return nil
	}
	var sent string
	err := tx.QueryRow(ctx, `SELECT b.sent_on FROM export_members m JOIN export_batches b ON lower(hex(b.id)) = m.batch_id
		WHERE m.worker_id = ? AND m.fs_deleted = 0 AND b.fs_deleted = 0 AND b.sent_on BETWEEN ? AND ?
		ORDER BY b.sent_on LIMIT 1`, p.WorkerID, this.Start, this.Last).Scan(&sent)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("export batches of the person: %w", err)
	}
	return &records.FieldError{Field: "contract_start", Key: records.KeySentOut, Args: []any{sent}}
}

// checkPostHeadcount refuses a placement that would put more people in the
// post than its headcount on any day of the placement's term (post_id).
func checkPostHeadcount(ctx context.Context, _ *Station, tx *replica.Tx, id ident.ID, rec ProgrammeRecord) error {
	p := rec.(*records.WelfarePlacement)
	this := termOf(id, p)
	if this.Last < this.Start {
		return nil
	}
	postID, err := ident.ParseID(p.PostID)
	if err != nil {
		return &records.FieldError{Field: "post_id", Key: records.KeyNoProgrammeRow}
	}
	post, err := tx.Row(ctx, records.WelfarePosts, postID)
	if err != nil {
		return fmt.Errorf("read welfare post: %w", err)
	}
	headcount, _ := post["headcount"].(int64)
	others, err := placementTerms(ctx, tx, "post_id", p.PostID, id)
	if err != nil {
		return err
	}
	// The most people at once within this term is reached on a day one of
	// them (or this placement) begins.
	days := []string{this.Start}
	for _, o := range others {
		if o.overlaps(this) && o.Start > this.Start {
			days = append(days, o.Start)
		}
	}
	for _, d := range days {
		n := 1
		for _, o := range others {
			if o.Start <= d && d <= o.Last {
				n++
			}
		}
		if int64(n) > headcount {
			return &records.FieldError{Field: "post_id", Key: records.KeyPostFull, Args: []any{headcount}}
		}
	}
	return nil
}

// checkHeadcountHeld refuses a post's headcount below the most people its
// placements hold on one day (headcount): lowering it would leave the post
// over full.
func checkHeadcountHeld(ctx context.Context, _ *Station, tx *replica.Tx, id ident.ID, rec ProgrammeRecord) error {
	p := rec.(*records.WelfarePost)
	terms, err := placementTerms(ctx, tx, "post_id", id.String(), ident.Zero)
	if err != nil {
		return err
	}
	most := 0
	for _, t := range terms {
		if t.Last < t.Start {
			continue
		}
		n := 0 // on t's first day, the most-crowded day of t is a start day
		for _, o := range terms {
			if o.Start <= t.Start && t.Start <= o.Last {
				n++
			}
		}
		most = max(most, n)
	}
	if int64(most) > p.Headcount {
		return &records.FieldError{Field: "headcount", Key: records.KeyBelowPlaced, Args: []any{most}}
	}
	return nil
}

// checkAssessment refuses an assessment of another person's placement
// (placement_id), of a month outside the placement's term, or of a month
// the placement already has an assessment of (month): one 考核 a month, so
// that the month's result and other income are not ambiguous.
func checkAssessment(ctx context.Context, _ *Station, tx *replica.Tx, id ident.ID, rec ProgrammeRecord) error {
	a := rec.(*records.WelfareAssessment)
	pid, err := ident.ParseID(a.PlacementID)
	if err != nil {
		return &records.FieldError{Field: "placement_id", Key: records.KeyNoProgrammeRow}
	}
	row, err := tx.Row(ctx, records.WelfarePlacements, pid)
	if err != nil {
		return fmt.Errorf("read welfare placement: %w", err)
	}
	if str(row["worker_id"]) != a.WorkerID {
		return &records.FieldError{Field: "placement_id", Key: records.KeyOtherPlacement}
	}
	p := records.WelfarePlacement{ContractStart: str(row["contract_start"]), ContractEnd: str(row["contract_end"]),
		ExitOn: str(row["exit_on"])}
	t := termOf(pid, &p)
	if len(t.Start) < 7 || len(t.Last) < 7 || a.Month < t.Start[:7] || a.Month > t.Last[:7] || t.Last < t.Start {
		return &records.FieldError{Field: "month", Key: records.KeyOutsideTerm, Args: []any{t.String()}}
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM welfare_assessments
		WHERE placement_id = ? AND month = ? AND fs_deleted = 0 AND id != ?`, a.PlacementID, a.Month, id[:]).Scan(&n); err != nil {
		return fmt.Errorf("assessments of the month: %w", err)
	}
	if n > 0 {
		return &records.FieldError{Field: "month", Key: records.KeyMonthAssessed}
	}
	return nil
}

// monthBounds are the first and last day of month (YYYY-MM).
func monthBounds(month string) (first, last string) {
	t, err := time.Parse(records.MonthLayout, month)
	if err != nil {
		return month + "-01", month + "-31"
	}
	return t.Format(records.DateLayout), t.AddDate(0, 1, -1).Format(records.DateLayout)
}

// placementStatus writes the current month's status of a person whose
// placement is active this month and who has none yet.
func placementStatus(ctx context.Context, s *Station, tx *replica.Tx, _ ident.ID, rec ProgrammeRecord) error {
	p := rec.(*records.WelfarePlacement)
	first, last := monthBounds(s.Month())
	if p.ContractStart > last || p.Until() < first || p.Until() < p.ContractStart {
		return nil
	}
	return programmeStatus(ctx, s, tx, p.WorkerID, records.WelfarePosts, p.PostID, records.FormWelfare)
}

// workshopJobStatus writes the current month's status of a person whose
// workshop job is active this month and who has none yet.
func workshopJobStatus(ctx context.Context, s *Station, tx *replica.Tx, _ ident.ID, rec ProgrammeRecord) error {
	j := rec.(*records.WorkshopJob)
	first, last := monthBounds(s.Month())
	if j.StartOn > last || (j.EndOn != "" && j.EndOn < first) {
		return nil
	}
	return programmeStatus(ctx, s, tx, j.WorkerID, records.Workshops, j.WorkshopID, FormWorkshop)
}

// programmeStatus writes worker's status of the station's month, unless the
// month has one: 就业 in the form given, at the village of the post or
// workshop (table, hexID), 本村 when that is the person's hukou village,
// else 乡外县内, verified by 数据比对. A month that has a status keeps it (the
// report flags a status that disagrees).
func programmeStatus(ctx context.Context, s *Station, tx *replica.Tx, worker, table, hexID, form string) error {
	m := records.MonthStatus{WorkerID: worker, Month: s.Month(), ListType: records.ListEmployed,
		EmploymentForm: form, VerifiedByMethod: "数据比对", VerifiedBy: LoggedIn(ctx), VerifiedAt: s.Today()}
	if m.VerifiedBy == "" {
		m.VerifiedBy = systemVerifier
	}
	id := m.ID(s.key)
	row, err := tx.Row(ctx, records.MonthlyStatus, id)
	if err != nil {
		return fmt.Errorf("read monthly status: %w", err)
	}
	if row != nil && row[replica.DeletedColumn] != int64(1) {
		return nil
	}
	wid, err := ident.ParseID(worker)
	if err != nil {
		return &records.FieldError{Field: "worker_id", Key: records.KeyNoWorker}
	}
	w, err := workerInTx(ctx, tx, wid)
	if err != nil {
		return err
	}
	rid, err := ident.ParseID(hexID)
	if err != nil {
		return fmt.Errorf("%s %q: %w", table, hexID, ErrNotFound)
	}
	at, err := tx.Row(ctx, table, rid)
	if err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	m.Place = str(at["village"])
	m.WorkScope = "乡外县内"
	if m.Place != "" && m.Place == w.HukouVillage {
		m.WorkScope = "本村"
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("month's status of a %s: %w", table, err)
	}
	_, err = s.setMonthStatusTx(ctx, tx, id, &m)
	return err
}
