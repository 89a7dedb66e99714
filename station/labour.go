package station

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// The labour programmes at a station: 共享用工 (shared employment), 以工代赈
// (work-relief projects and the people they pay), 有组织劳务输出 (export
// batches and who was sent) and the partner regions of 劳务协作. Their
// rules that need other rows run in SaveProgramme's transaction
// (programmeChecks); an export batch and the people sent in it are written
// together (SaveExportBatch); the reads serve the API and the pages.

func init() {
	programmeChecks[records.SharedEmployment] = append(programmeChecks[records.SharedEmployment], checkSharedOverlap)
	programmeChecks[records.WorkReliefJobs] = append(programmeChecks[records.WorkReliefJobs], checkReliefJobTerm)
	programmeChecks[records.WorkReliefProjects] = append(programmeChecks[records.WorkReliefProjects], checkProjectKeepsJobs)
	programmeChecks[records.ExportMembers] = append(programmeChecks[records.ExportMembers], checkMemberNotInWelfare)
	programmeChecks[records.ExportBatches] = append(programmeChecks[records.ExportBatches], checkBatchMembersNotInWelfare)
}

// hexIDForms are the forms a stored worker_id may take (records only check
// that it parses): the lower-case hex ids write, and the upper-case one.
func hexIDForms(worker string) []any {
	return []any{strings.ToLower(worker), strings.ToUpper(worker)}
}

// checkSharedOverlap refuses (start_on) a shared-employment agreement whose
// term overlaps another of the same person's held at the station: a worker
// is shared to one host at a time.
func checkSharedOverlap(ctx context.Context, _ *Station, tx *replica.Tx, id ident.ID, rec ProgrammeRecord) error {
	e, ok := rec.(*records.SharedJob)
	if !ok {
		return fmt.Errorf("shared employment: unexpected record %T", rec)
	}
	var start, end string
	err := tx.QueryRow(ctx, `SELECT start_on, end_on FROM shared_employment
		WHERE worker_id IN (?, ?) AND fs_deleted = 0 AND id != ? AND start_on <= ? AND end_on >= ?
		ORDER BY start_on LIMIT 1`, append(hexIDForms(e.WorkerID), id[:], e.EndOn, e.StartOn)...).Scan(&start, &end)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("shared employment: read the person's agreements: %w", err)
	}
	return &records.FieldError{Field: "start_on", Key: records.KeySharedOverlap, Args: []any{start + "至" + end}}
}

// checkReliefJobTerm refuses a work-relief job whose dates leave its
// project's term: a start before the project's (start_on), or an end after
// it, or no end when the project has one (end_on).
func checkReliefJobTerm(ctx context.Context, _ *Station, tx *replica.Tx, _ ident.ID, rec ProgrammeRecord) error {
	j, ok := rec.(*records.WorkReliefJob)
	if !ok {
		return fmt.Errorf("work-relief job: unexpected record %T", rec)
	}
	pid, err := ident.ParseID(j.ProjectID)
	if err != nil {
		return &records.FieldError{Field: "project_id", Key: records.KeyNoProgrammeRow}
	}
	row, err := tx.Row(ctx, records.WorkReliefProjects, pid)
	if err != nil {
		return fmt.Errorf("work-relief job: read the project: %w", err)
	}
	if row == nil {
		return &records.FieldError{Field: "project_id", Key: records.KeyNoProgrammeRow}
	}
	pStart, pEnd := str(row["start_on"]), str(row["end_on"])
	term := pStart + "至" + pEnd
	switch {
	case j.StartOn < pStart || pEnd != "" && j.StartOn > pEnd:
		return &records.FieldError{Field: "start_on", Key: records.KeyOutsideProject, Args: []any{term}}
	case pEnd != "" && (j.EndOn == "" || j.EndOn > pEnd):
		return &records.FieldError{Field: "end_on", Key: records.KeyOutsideProject, Args: []any{term}}
	}
	return nil
}

// checkProjectKeepsJobs refuses a project's new term that leaves out a
// job held at the station: a start after a job's (start_on), an end before
// a job's end or with a job that has none (end_on).
func checkProjectKeepsJobs(ctx context.Context, _ *Station, tx *replica.Tx, id ident.ID, rec ProgrammeRecord) error {
	p, ok := rec.(*records.WorkReliefProject)
	if !ok {
		return fmt.Errorf("work-relief project: unexpected record %T", rec)
	}
	check := func(field, cond string, args ...any) error {
		var start, end sql.NullString
		err := tx.QueryRow(ctx, `SELECT start_on, end_on FROM work_relief_jobs
			WHERE project_id IN (?, ?) AND fs_deleted = 0 AND (`+cond+`) LIMIT 1`,
			append(hexIDForms(id.String()), args...)...).Scan(&start, &end)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("work-relief project: read its jobs: %w", err)
		}
		return &records.FieldError{Field: field, Key: records.KeyJobsOutside, Args: []any{start.String + "至" + end.String}}
	}
	if err := check("start_on", `start_on < ?`, p.StartOn); err != nil || p.EndOn == "" {
		return err
	}
	return check("end_on", `start_on > ? OR end_on IS NULL OR end_on = '' OR end_on > ?`, p.EndOn, p.EndOn)
}

// exportWelfareTerm is the term ("start至until") of a welfare placement of
// worker held at the station that covers day, or "" when none does.
func exportWelfareTerm(ctx context.Context, tx *replica.Tx, worker, day string) (string, error) {
	rows, err := tx.Query(ctx, `SELECT contract_start, contract_end, exit_on FROM welfare_placements
		WHERE worker_id IN (?, ?) AND fs_deleted = 0 AND contract_start <= ?
		ORDER BY contract_start`, append(hexIDForms(worker), day)...)
	if err != nil {
		return "", fmt.Errorf("read the person's welfare placements: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var start, end, exit sql.NullString
		if err := rows.Scan(&start, &end, &exit); err != nil {
			return "", fmt.Errorf("read the person's welfare placements: %w", err)
		}
		p := records.WelfarePlacement{ContractStart: start.String, ContractEnd: end.String, ExitOn: exit.String}
		if until := p.Until(); day <= until {
			return p.ContractStart + "至" + until, nil
		}
	}
	return "", rows.Err()
}

// checkMemberNotInWelfare refuses (worker_id) sending a person in an
// export batch while the person holds a welfare post on the batch's day:
// a 乡村公益性岗位 is for those who cannot leave.
func checkMemberNotInWelfare(ctx context.Context, _ *Station, tx *replica.Tx, _ ident.ID, rec ProgrammeRecord) error {
	m, ok := rec.(*records.ExportMember)
	if !ok {
		return fmt.Errorf("export member: unexpected record %T", rec)
	}
	bid, err := ident.ParseID(m.BatchID)
	if err != nil {
		return &records.FieldError{Field: "batch_id", Key: records.KeyNoProgrammeRow}
	}
	row, err := tx.Row(ctx, records.ExportBatches, bid)
	if err != nil {
		return fmt.Errorf("export member: read the batch: %w", err)
	}
	if row == nil {
		return &records.FieldError{Field: "batch_id", Key: records.KeyNoProgrammeRow}
	}
	term, err := exportWelfareTerm(ctx, tx, m.WorkerID, str(row["sent_on"]))
	if err != nil {
		return fmt.Errorf("export member: %w", err)
	}
	if term != "" {
		return &records.FieldError{Field: "worker_id", Key: records.KeyInWelfarePost, Args: []any{term}}
	}
	return nil
}

// checkBatchMembersNotInWelfare refuses (sent_on) moving a batch's day to
// one when a person the station sent in it holds a welfare post.
func checkBatchMembersNotInWelfare(ctx context.Context, _ *Station, tx *replica.Tx, id ident.ID, rec ProgrammeRecord) error {
	b, ok := rec.(*records.ExportBatch)
	if !ok {
		return fmt.Errorf("export batch: unexpected record %T", rec)
	}
	rows, err := tx.Query(ctx, `SELECT worker_id FROM export_members WHERE batch_id IN (?, ?) AND fs_deleted = 0`,
		hexIDForms(id.String())...)
	if err != nil {
		return fmt.Errorf("export batch: read its people: %w", err)
	}
	var people []string
	for rows.Next() {
		var w sql.NullString
		if err := rows.Scan(&w); err != nil {
			rows.Close()
			return fmt.Errorf("export batch: read its people: %w", err)
		}
		people = append(people, w.String)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export batch: read its people: %w", err)
	}
	for _, w := range people {
		term, err := exportWelfareTerm(ctx, tx, w, b.SentOn)
		if err != nil {
			return fmt.Errorf("export batch: %w", err)
		}
		if term != "" {
			return &records.FieldError{Field: "sent_on", Key: records.KeyInWelfarePost, Args: []any{term}}
		}
	}
	return nil
}

// BatchPersonError is the refusal of one of the people given with an export
// batch: which one (Index, from 1, and what was given) and why (Err).
type BatchPersonError struct {
	Index  int
	Person string
	Err    error
}

func (e *BatchPersonError) Error() string {
	return fmt.Sprintf("people: person %d: %v", e.Index, e.Err)
}

func (e *BatchPersonError) Unwrap() error { return e.Err }

// PersonNamed finds the person v names: a worker id, or an id number
// (the person the station holds with that id number). It refuses, naming
// field, a person the station does not hold.
func (s *Station) PersonNamed(ctx context.Context, field, v string) (ident.ID, error) {
	id, err := s.personIDOf(field, v)
	if err != nil {
		return id, err
	}
	if _, err := s.Worker(ctx, id); errors.Is(err, ErrNotFound) {
		return id, &records.FieldError{Field: field, Key: records.KeyNoWorker}
	} else if err != nil {
		return id, err
	}
	return id, nil
}

// personIDOf is the worker id v names (a worker id or an id number), not
// yet looked up.
func (s *Station) personIDOf(field, v string) (ident.ID, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return ident.Zero, &records.FieldError{Field: field, Key: records.KeyRequired}
	}
	if id, err := ident.ParseID(v); err == nil {
		return id, nil
	}
	norm, err := ident.NormalizeIDNumber(v)
	if err != nil {
		return ident.Zero, &records.FieldError{Field: field, Key: records.KeyNoWorker}
	}
	return s.key.Derive(records.Workers, norm), nil
}

func (s *Station) personNamedTx(ctx context.Context, tx *replica.Tx, field, v string) (ident.ID, error) {
	id, err := s.personIDOf(field, v)
	if err != nil {
		return id, err
	}
	return requireWorker(ctx, tx, field, id.String())
}

// SaveExportBatch writes an export batch (a new one when id is zero) and
// one export_members row for each of people not already sent in it, all in
// one transaction: a person refused (not held, in a welfare post on the
// day, ...) is a *BatchPersonError and nothing is written. people are worker ids
// or id numbers. It returns the batch's id and the new member rows' ids.
func (s *Station) SaveExportBatch(ctx context.Context, id ident.ID, b *records.ExportBatch, people []string) (ident.ID, []ident.ID, error) {
	if err := b.Validate(); err != nil {
		return id, nil, err
	}
	if id.IsZero() {
		var err error
		if id, err = s.newID(); err != nil {
			return id, nil, err
		}
	}
	var added []ident.ID
	_, err := s.r.Update(ctx, func(tx *replica.Tx) error {
		if err := s.saveProgrammeTx(ctx, tx, records.ExportBatches, id, b); err != nil {
			return err
		}
		var err error
		added, err = s.addExportPeopleTx(ctx, tx, id, people)
		return err
	})
	if err != nil {
		return id, nil, err
	}
	s.written()
	return id, added, nil
}

// AddExportPeople sends people (worker ids or id numbers) in an existing
// batch, any station's or the county's: the member rows are the people's.
// All or none are added (see SaveExportBatch); people already sent in it
// are left as they are.
func (s *Station) AddExportPeople(ctx context.Context, batch ident.ID, people []string) ([]ident.ID, error) {
	var added []ident.ID
	_, err := s.r.Update(ctx, func(tx *replica.Tx) error {
		if err := requireProgrammeRow(ctx, tx, "batch_id", records.ExportBatches, batch.String()); err != nil {
			return fmt.Errorf("export batch %s: %w", batch, ErrNotFound)
		}
		var err error
		added, err = s.addExportPeopleTx(ctx, tx, batch, people)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(added) > 0 {
		s.written()
	}
	return added, nil
}

func (s *Station) addExportPeopleTx(ctx context.Context, tx *replica.Tx, batch ident.ID, people []string) ([]ident.ID, error) {
	var added []ident.ID
	var seen []ident.ID
	for i, p := range people {
		wid, err := s.personNamedTx(ctx, tx, "worker_id", p)
		if err != nil {
			return nil, &BatchPersonError{Index: i + 1, Person: p, Err: err}
		}
		if slices.Contains(seen, wid) {
			continue
		}
		seen = append(seen, wid)
		existing, err := s.exportMemberTx(ctx, tx, batch, wid)
		if err != nil {
			return nil, err
		}
		if !existing.IsZero() {
			continue
		}
		mid, err := s.newID()
		if err != nil {
			return nil, err
		}
		m := &records.ExportMember{WorkerID: wid.String(), BatchID: batch.String()}
		if err := m.Validate(); err != nil {
			return nil, &BatchPersonError{Index: i + 1, Person: p, Err: err}
		}
		if err := s.saveProgrammeTx(ctx, tx, records.ExportMembers, mid, m); err != nil {
			if _, ok := records.AsFieldError(err); ok {
				return nil, &BatchPersonError{Index: i + 1, Person: p, Err: err}
			}
			return nil, err
		}
		added = append(added, mid)
	}
	return added, nil
}

// exportMemberTx is the member row sending worker in batch, zero if none.
func (s *Station) exportMemberTx(ctx context.Context, tx *replica.Tx, batch, worker ident.ID) (ident.ID, error) {
	var b []byte
	err := tx.QueryRow(ctx, `SELECT id FROM export_members WHERE batch_id IN (?, ?) AND worker_id IN (?, ?)
		AND fs_deleted = 0 LIMIT 1`, append(hexIDForms(batch.String()), hexIDForms(worker.String())...)...).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return ident.Zero, nil
	}
	if err != nil {
		return ident.Zero, fmt.Errorf("read export members: %w", err)
	}
	var id ident.ID
	copy(id[:], b)
	return id, nil
}

// RemoveExportPerson deletes the row sending worker in batch.
func (s *Station) RemoveExportPerson(ctx context.Context, batch, worker ident.ID) error {
	var mid ident.ID
	_, err := s.r.Update(ctx, func(tx *replica.Tx) error {
		var err error
		mid, err = s.exportMemberTx(ctx, tx, batch, worker)
		return err
	})
	if err != nil {
		return err
	}
	if mid.IsZero() {
		return fmt.Errorf("export member %s/%s: %w", batch, worker, ErrNotFound)
	}
	return s.DeleteProgramme(ctx, records.ExportMembers, mid)
}

// LabourQuery selects rows of one of the labour programmes' tables:
// WorkerID, ProjectID and BatchID restrict to a person's, a project's or a
// batch's rows (a filter the table has no column for is refused, naming it).
type LabourQuery struct {
	Table     string
	WorkerID  string
	ProjectID string
	BatchID   string
	Limit     int
	Offset    int
}

// LabourPage is one page of a labour table's rows, as column maps (ids in
// hex; a person's rows with worker_name and worker_id_number, full: mask
// before showing), and the total matching.
type LabourPage struct {
	Rows   []map[string]any `json:"rows"`
	Total  int              `json:"total"`
	Limit  int              `json:"limit"`
	Offset int              `json:"offset"`
}

// labourSelect is each labour table's SELECT (alias t) with what the lists
// show besides the columns, and its order.
var labourSelect = map[string]struct{ sel, order string }{
	records.SharedEmployment: {`SELECT t.*, w.name AS worker_name, w.id_number AS worker_id_number
		FROM shared_employment t JOIN workers w ON w.id = unhex(t.worker_id) AND w.fs_deleted = 0`, `t.start_on DESC, t.id`},
	records.WorkReliefProjects: {`SELECT t.*,
		(SELECT count(DISTINCT j.worker_id) FROM work_relief_jobs j JOIN workers w ON w.id = unhex(j.worker_id) AND w.fs_deleted = 0
			WHERE j.project_id = lower(hex(t.id)) AND j.fs_deleted = 0) AS people,
		(SELECT coalesce(sum(j.pay), 0) FROM work_relief_jobs j JOIN workers w ON w.id = unhex(j.worker_id) AND w.fs_deleted = 0
			WHERE j.project_id = lower(hex(t.id)) AND j.fs_deleted = 0) AS pay_total
		FROM work_relief_projects t`, `t.start_on DESC, t.id`},
	records.WorkReliefJobs: {`SELECT t.*, w.name AS worker_name, w.id_number AS worker_id_number, p.name AS project_name
		FROM work_relief_jobs t JOIN workers w ON w.id = unhex(t.worker_id) AND w.fs_deleted = 0
		LEFT JOIN work_relief_projects p ON p.id = unhex(t.project_id) AND p.fs_deleted = 0`, `t.start_on DESC, t.id`},
	records.ExportBatches: {`SELECT t.*,
		(SELECT count(*) FROM export_members m JOIN workers w ON w.id = unhex(m.worker_id) AND w.fs_deleted = 0
			WHERE m.batch_id = lower(hex(t.id)) AND m.fs_deleted = 0) AS people,
		(SELECT p.name FROM partner_regions p WHERE p.id = unhex(t.partner_region_id) AND p.fs_deleted = 0) AS partner_region
		FROM export_batches t`, `t.sent_on DESC, t.id`},
	records.ExportMembers: {`SELECT t.*, w.name AS worker_name, w.id_number AS worker_id_number, w.tags AS worker_tags,
		w.labour_brand AS worker_labour_brand, b.sent_on AS sent_on, b.destination AS destination
		FROM export_members t JOIN workers w ON w.id = unhex(t.worker_id) AND w.fs_deleted = 0
		LEFT JOIN export_batches b ON b.id = unhex(t.batch_id) AND b.fs_deleted = 0`, `w.name, t.id`},
	records.PartnerRegions: {`SELECT t.*,
		(SELECT count(*) FROM export_batches b WHERE b.partner_region_id = lower(hex(t.id)) AND b.fs_deleted = 0) AS batches
		FROM partner_regions t`, `t.name, t.id`},
}

// labourFilters are the columns LabourRows may select a table's rows by.
var labourFilters = map[string][]string{
	records.SharedEmployment: {"worker_id"},
	records.WorkReliefJobs:   {"worker_id", "project_id"},
	records.ExportMembers:    {"worker_id", "batch_id"},
}

// LabourRows lists rows of a labour table. A person's rows are listed only
// for the people the station holds: another station's people never show.
func (s *Station) LabourRows(ctx context.Context, q LabourQuery) (*LabourPage, error) {
	sel, ok := labourSelect[q.Table]
	if !ok {
		return nil, fmt.Errorf("list %s: not a labour table", q.Table)
	}
	if q.Limit <= 0 || q.Limit > MaxLimit {
		q.Limit = min(max(q.Limit, 50), MaxLimit)
	}
	page := &LabourPage{Limit: q.Limit, Offset: max(q.Offset, 0)}
	where := ` WHERE t.fs_deleted = 0`
	var args []any
	for _, f := range []struct{ col, v string }{{"worker_id", q.WorkerID}, {"project_id", q.ProjectID}, {"batch_id", q.BatchID}} {
		if f.v == "" {
			continue
		}
		if !slices.Contains(labourFilters[q.Table], f.col) {
			return nil, &records.FieldError{Field: f.col, Key: records.KeyUnknownField}
		}
		where += ` AND t.` + f.col + ` IN (?, ?)`
		args = append(args, hexIDForms(f.v)...)
	}
	rows, err := s.r.DB().QueryContext(ctx, sel.sel+where+` ORDER BY `+sel.order+` LIMIT ? OFFSET ?`,
		append(args, page.Limit, page.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", q.Table, err)
	}
	if page.Rows, err = rowMaps(rows); err != nil {
		return nil, fmt.Errorf("list %s: %w", q.Table, err)
	}
	if err := s.r.DB().QueryRowContext(ctx, `SELECT count(*) FROM (`+sel.sel+where+`)`, args...).Scan(&page.Total); err != nil {
		return nil, fmt.Errorf("count %s: %w", q.Table, err)
	}
	return page, nil
}

// LabourRow reads one row of a labour table as LabourRows lists it.
func (s *Station) LabourRow(ctx context.Context, table string, id ident.ID) (map[string]any, error) {
	sel, ok := labourSelect[table]
	if !ok {
		return nil, fmt.Errorf("read %s: not a labour table", table)
	}
	rows, err := s.r.DB().QueryContext(ctx, sel.sel+` WHERE t.fs_deleted = 0 AND t.id = ?`, id[:])
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	ms, err := rowMaps(rows)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("%s %s: %w", table, id, ErrNotFound)
	}
	return ms[0], nil
}

// LoadLabourRecord reads the row id of table into rec (a records type of
// that table), for an edit to apply over.
func (s *Station) LoadLabourRecord(ctx context.Context, table string, id ident.ID, rec ProgrammeRecord) error {
	m, err := s.LabourRow(ctx, table, id)
	if err != nil {
		return err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	if err := json.Unmarshal(b, rec); err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	return nil
}

// LabourCounts are what the programmes' index shows of the station's
// records: rows of each programme table held (people's rows only of the
// people held), and the work-relief pay.
type LabourCounts struct {
	Tables map[string]int
	// SharedActive are the shared-employment agreements running today.
	SharedActive int
	// ReliefPeople and ReliefPay: the people work-relief projects hired and
	// what they were paid.
	ReliefPeople int
	ReliefPay    float64
	// PeopleSent are the people the station holds sent in export batches.
	PeopleSent int
}

// LabourIndex counts the programmes' records the station holds.
func (s *Station) LabourIndex(ctx context.Context) (*LabourCounts, error) {
	c := &LabourCounts{Tables: map[string]int{}}
	for _, t := range append(slices.Clone(records.ProgrammeCountyTables), records.ProgrammePersonTables...) {
		q := `SELECT count(*) FROM ` + t + ` t WHERE t.fs_deleted = 0`
		if slices.Contains(records.ProgrammePersonTables, t) {
			q = `SELECT count(*) FROM ` + t + ` t JOIN workers w ON w.id = unhex(t.worker_id) AND w.fs_deleted = 0
				WHERE t.fs_deleted = 0`
		}
		var n int
		if err := s.r.DB().QueryRowContext(ctx, q).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		c.Tables[t] = n
	}
	today := s.Today()
	err := s.r.DB().QueryRowContext(ctx, `SELECT count(*) FROM shared_employment t
		JOIN workers w ON w.id = unhex(t.worker_id) AND w.fs_deleted = 0
		WHERE t.fs_deleted = 0 AND t.start_on <= ? AND t.end_on >= ?`, today, today).Scan(&c.SharedActive)
	if err != nil {
		return nil, fmt.Errorf("count shared employment: %w", err)
	}
	err = s.r.DB().QueryRowContext(ctx, `SELECT count(DISTINCT t.worker_id), coalesce(sum(t.pay), 0) FROM work_relief_jobs t
		JOIN workers w ON w.id = unhex(t.worker_id) AND w.fs_deleted = 0 WHERE t.fs_deleted = 0`).Scan(&c.ReliefPeople, &c.ReliefPay)
	if err != nil {
		return nil, fmt.Errorf("count work-relief jobs: %w", err)
	}
	err = s.r.DB().QueryRowContext(ctx, `SELECT count(DISTINCT t.worker_id) FROM export_members t
		JOIN workers w ON w.id = unhex(t.worker_id) AND w.fs_deleted = 0 WHERE t.fs_deleted = 0`).Scan(&c.PeopleSent)
	if err != nil {
		return nil, fmt.Errorf("count people sent: %w", err)
	}
	return c, nil
}
