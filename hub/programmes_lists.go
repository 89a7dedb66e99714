package hub

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"fieldsync/records"
)

// The county-wide lists of the placement programmes the hub's pages show
// and export: welfare posts and placements, the contracts ending in a
// month, the 应退出 list, workshops against the recognition threshold,
// shared employment, work-relief projects and export batches. Each reads
// the hub's database with plain SQL; people come with their id numbers
// masked (records.MaskIDNumber), as every list of people.

// ProgrammeFilter narrows a programme list.
type ProgrammeFilter struct {
	// Township (9 digits) keeps the people living there (residence
	// village) and the posts, workshops and projects placed there; ""
	// keeps the county.
	Township string
	// Month (YYYY-MM) is the month of the lists that are of a month.
	Month string
	// Today (YYYY-MM-DD) is the day "now" means: who is placed, who works
	// in a workshop; "" takes the hub's today.
	Today string
}

// ProgrammePerson is a person of a programme list.
type ProgrammePerson struct {
	WorkerID string   `json:"worker_id"`
	Name     string   `json:"name"`
	IDNumber string   `json:"id_number"` // masked
	Village  string   `json:"village"`   // the residence village
	Township string   `json:"township"`
	Tags     []string `json:"tags"`
}

// personCols are the columns of a ProgrammePerson from the workers row w
// (joined on the list's worker_id, LEFT: a person not yet at the hub shows
// by id alone).
const personCols = `coalesce(w.name, ''), coalesce(w.id_number, ''), coalesce(w.residence_village, ''), coalesce(w.tags, '[]')`

// personJoin joins the worker of alias a's worker_id as w, deleted or
// left too: townshipWhere leaves those out.
func personJoin(a string) string {
	return ` LEFT JOIN workers w ON w.id = unhex(` + a + `.worker_id) `
}

// personKept is the condition keeping the people of a list whose worker w
// (personJoin) is neither deleted nor left (离开): the lists and counts
// are of the county's people; a person not yet at the hub is kept.
const personKept = `coalesce(w.fs_deleted, 0) = 0 AND w.left_reason IS NULL`

// workerKept is personKept for a row of alias a without the join (the
// counts): no deleted or left worker row of its worker_id.
func workerKept(a string) string {
	return `NOT EXISTS (SELECT 1 FROM workers wk WHERE wk.id = unhex(` + a + `.worker_id)
		AND (wk.fs_deleted = 1 OR wk.left_reason IS NOT NULL))`
}

// townshipWhere is the condition keeping the people of f's township whose
// worker w is kept (personKept).
func (f ProgrammeFilter) townshipWhere(args *[]any) string {
	if f.Township == "" {
		return personKept
	}
	*args = append(*args, sql.Named("township", f.Township))
	return personKept + ` AND substr(coalesce(w.residence_village, ''), 1, 9) = :township`
}

// placeWhere is the condition keeping the rows whose column col (a division
// code) lies in f's township.
func (f ProgrammeFilter) placeWhere(col string, args *[]any) string {
	if f.Township == "" {
		return "1"
	}
	*args = append(*args, sql.Named("township", f.Township))
	return `substr(coalesce(` + col + `, ''), 1, 9) = :township`
}

// monthBounds are the first and last day of f's month.
func (f ProgrammeFilter) monthBounds() (first, last string, err error) {
	t, err := time.Parse(records.MonthLayout, f.Month)
	if err != nil {
		return "", "", fmt.Errorf("%w: %q", errBadProgrammeMonth, f.Month)
	}
	return t.Format(records.DateLayout), t.AddDate(0, 1, -1).Format(records.DateLayout), nil
}

var errBadProgrammeMonth = fmt.Errorf("bad month")

func (p *ProgrammePerson) fill(worker, name, idNumber, village, tags string) {
	p.WorkerID, p.Name, p.IDNumber, p.Village = worker, name, records.MaskIDNumber(idNumber), village
	if len(village) >= 9 {
		p.Township = village[:9]
	}
	if err := json.Unmarshal([]byte(tags), &p.Tags); err != nil {
		p.Tags = nil
	}
}

// today is f's day, else the hub's.
func (h *Hub) today(f ProgrammeFilter) string {
	if f.Today != "" {
		return f.Today
	}
	return h.now().In(h.zone).Format(records.DateLayout)
}

// ProgrammeCounts are the overview's counts of each programme.
type ProgrammeCounts struct {
	WelfarePosts      int `json:"welfare_posts"`
	WelfareHeadcount  int `json:"welfare_headcount"`
	WelfarePlaced     int `json:"welfare_placed"` // placements active today
	WelfarePartTime   int `json:"welfare_part_time"`
	Workshops         int `json:"workshops"`
	WorkshopWorkers   int `json:"workshop_workers"` // people working in one today
	SharedActive      int `json:"shared_active"`    // agreements active today
	WorkReliefProject int `json:"work_relief_projects"`
	WorkReliefPeople  int `json:"work_relief_people"`
	ExportBatches     int `json:"export_batches"`
	ExportPeople      int `json:"export_people"`
	PartnerRegions    int `json:"partner_regions"`
}

// CountProgrammes counts each programme's rows, county-wide.
func (h *Hub) CountProgrammes(ctx context.Context, f ProgrammeFilter) (ProgrammeCounts, error) {
	today := h.today(f)
	var c ProgrammeCounts
	err := h.rep.DB().QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM welfare_posts WHERE fs_deleted = 0),
		(SELECT coalesce(sum(headcount), 0) FROM welfare_posts WHERE fs_deleted = 0),
		(SELECT count(*) FROM welfare_placements x WHERE x.fs_deleted = 0 AND `+placedOn("x", ":today")+` AND `+workerKept("x")+`),
		(SELECT count(*) FROM welfare_placements x WHERE x.fs_deleted = 0 AND x.part_time = 1 AND `+placedOn("x", ":today")+`
			AND `+workerKept("x")+`),
		(SELECT count(*) FROM workshops WHERE fs_deleted = 0),
		(SELECT count(DISTINCT j.worker_id) FROM workshop_jobs j WHERE j.fs_deleted = 0 AND `+workingOn("j", ":today")+`
			AND `+workerKept("j")+`),
		(SELECT count(*) FROM shared_employment e WHERE e.fs_deleted = 0 AND e.start_on <= :today AND e.end_on >= :today
			AND `+workerKept("e")+`),
		(SELECT count(*) FROM work_relief_projects WHERE fs_deleted = 0),
		(SELECT count(DISTINCT j.worker_id) FROM work_relief_jobs j WHERE j.fs_deleted = 0 AND `+workerKept("j")+`),
		(SELECT count(*) FROM export_batches WHERE fs_deleted = 0),
		(SELECT count(DISTINCT m.worker_id) FROM export_members m WHERE m.fs_deleted = 0 AND `+workerKept("m")+`),
		(SELECT count(*) FROM partner_regions WHERE fs_deleted = 0)`, sql.Named("today", today)).Scan(
		&c.WelfarePosts, &c.WelfareHeadcount, &c.WelfarePlaced, &c.WelfarePartTime, &c.Workshops, &c.WorkshopWorkers,
		&c.SharedActive, &c.WorkReliefProject, &c.WorkReliefPeople, &c.ExportBatches, &c.ExportPeople, &c.PartnerRegions)
	if err != nil {
		return c, fmt.Errorf("count programmes: %w", err)
	}
	return c, nil
}

// placedOn is the condition that placement alias a holds its post on day
// (an SQL expression): within the contract, and not yet exited (the exit
// day is the first day without the post).
func placedOn(a, day string) string {
	return a + `.contract_start <= ` + day + ` AND ` + a + `.contract_end >= ` + day +
		` AND (` + a + `.exit_on IS NULL OR ` + a + `.exit_on > ` + day + `)`
}

// placedDuring is the condition that placement alias a holds its post on
// some day from first to last.
func placedDuring(a, first, last string) string {
	return a + `.contract_start <= ` + last + ` AND ` + a + `.contract_end >= ` + first +
		` AND (` + a + `.exit_on IS NULL OR ` + a + `.exit_on > ` + first + `)`
}

// workingOn is the condition that job alias a (start_on, end_on) runs on day.
func workingOn(a, day string) string {
	return a + `.start_on <= ` + day + ` AND (` + a + `.end_on IS NULL OR ` + a + `.end_on >= ` + day + `)`
}

// WelfarePostRow is a welfare post with how many hold it today.
type WelfarePostRow struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Village   string  `json:"village"`
	Kind      string  `json:"kind"`
	Headcount int     `json:"headcount"`
	Placed    int     `json:"placed"`
	Subsidy   float64 `json:"subsidy"`
	PartTime  bool    `json:"part_time"`
	Employer  string  `json:"employer"`
	StartOn   string  `json:"start_on"`
	EndOn     string  `json:"end_on"`
	Station   string  `json:"station"`
}

// WelfarePostList lists the welfare posts (of the township's villages), by
// village and name.
func (h *Hub) WelfarePostList(ctx context.Context, f ProgrammeFilter) ([]WelfarePostRow, error) {
	args := []any{sql.Named("today", h.today(f))}
	where := f.placeWhere("p.village", &args)
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT lower(hex(p.id)), coalesce(p.name, ''), coalesce(p.village, ''),
		coalesce(p.kind, ''), coalesce(p.headcount, 0), coalesce(p.subsidy, 0), coalesce(p.part_time, 0), coalesce(p.employer, ''),
		coalesce(p.start_on, ''), coalesce(p.end_on, ''), coalesce(p.station, ''),
		(SELECT count(*) FROM welfare_placements x WHERE x.post_id = lower(hex(p.id)) AND x.fs_deleted = 0 AND `+placedOn("x", ":today")+`
			AND `+workerKept("x")+`)
		FROM welfare_posts p WHERE p.fs_deleted = 0 AND `+where+` ORDER BY p.village, p.name, p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("welfare posts: %w", err)
	}
	defer rows.Close()
	var out []WelfarePostRow
	for rows.Next() {
		var r WelfarePostRow
		if err := rows.Scan(&r.ID, &r.Name, &r.Village, &r.Kind, &r.Headcount, &r.Subsidy, &r.PartTime, &r.Employer,
			&r.StartOn, &r.EndOn, &r.Station, &r.Placed); err != nil {
			return nil, fmt.Errorf("welfare posts: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// WelfarePlacementRow is a person's placement in a welfare post.
type WelfarePlacementRow struct {
	ID string `json:"id"`
	ProgrammePerson
	Station        string `json:"station"`
	PostID         string `json:"post_id"`
	PostName       string `json:"post_name"`
	PostVillage    string `json:"post_village"`
	ContractKind   string `json:"contract_kind"`
	ContractStart  string `json:"contract_start"`
	ContractEnd    string `json:"contract_end"`
	PartTime       bool   `json:"part_time"`
	InsuranceKind  string `json:"insurance_kind"`
	InsuranceStart string `json:"insurance_start"`
	InsuranceEnd   string `json:"insurance_end"`
	ExitOn         string `json:"exit_on"`
	ExitReason     string `json:"exit_reason"`
}

// placementSelect reads WelfarePlacementRow columns from placement x, its
// post p and its worker w.
const placementSelect = `SELECT lower(hex(x.id)), coalesce(x.worker_id, ''), ` + personCols + `, coalesce(x.station, ''),
	coalesce(x.post_id, ''), coalesce(p.name, ''), coalesce(p.village, ''), coalesce(x.contract_kind, ''),
	coalesce(x.contract_start, ''), coalesce(x.contract_end, ''), coalesce(x.part_time, 0), coalesce(x.insurance_kind, ''),
	coalesce(x.insurance_start, ''), coalesce(x.insurance_end, ''), coalesce(x.exit_on, ''), coalesce(x.exit_reason, '')`

const placementFrom = ` FROM welfare_placements x LEFT JOIN welfare_posts p ON p.id = unhex(x.post_id) AND p.fs_deleted = 0` +
	` LEFT JOIN workers w ON w.id = unhex(x.worker_id) ` // townshipWhere leaves deleted and left people out

func scanPlacement(sc func(...any) error, r *WelfarePlacementRow, extra ...any) error {
	var worker, name, idNumber, village, tags string
	dest := append([]any{&r.ID, &worker, &name, &idNumber, &village, &tags, &r.Station, &r.PostID, &r.PostName, &r.PostVillage,
		&r.ContractKind, &r.ContractStart, &r.ContractEnd, &r.PartTime, &r.InsuranceKind, &r.InsuranceStart,
		&r.InsuranceEnd, &r.ExitOn, &r.ExitReason}, extra...)
	if err := sc(dest...); err != nil {
		return err
	}
	r.fill(worker, name, idNumber, village, tags)
	return nil
}

// WelfarePlacementList lists the placements in welfare posts (of the
// township's people), the latest contracts first.
func (h *Hub) WelfarePlacementList(ctx context.Context, f ProgrammeFilter) ([]WelfarePlacementRow, error) {
	var args []any
	where := f.townshipWhere(&args)
	return h.placements(ctx, `WHERE x.fs_deleted = 0 AND `+where+` ORDER BY x.contract_start DESC, w.name, x.id`, args)
}

// WelfareEndingList lists the welfare contracts ending in f's month (of
// the township's people), but those exited before the month began, by
// their end.
func (h *Hub) WelfareEndingList(ctx context.Context, f ProgrammeFilter) ([]WelfarePlacementRow, error) {
	first, last, err := f.monthBounds()
	if err != nil {
		return nil, err
	}
	args := []any{sql.Named("first", first), sql.Named("last", last)}
	where := f.townshipWhere(&args)
	return h.placements(ctx, `WHERE x.fs_deleted = 0 AND x.contract_end >= :first AND x.contract_end <= :last
		AND (x.exit_on IS NULL OR x.exit_on > :first) AND `+where+` ORDER BY x.contract_end, w.name, x.id`, args)
}

func (h *Hub) placements(ctx context.Context, tail string, args []any) ([]WelfarePlacementRow, error) {
	rows, err := h.rep.DB().QueryContext(ctx, placementSelect+placementFrom+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("welfare placements: %w", err)
	}
	defer rows.Close()
	var out []WelfarePlacementRow
	for rows.Next() {
		var r WelfarePlacementRow
		if err := scanPlacement(rows.Scan, &r); err != nil {
			return nil, fmt.Errorf("welfare placements: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Where a welfare worker's other income of a month comes from.
const (
	// IncomeFromAssessment: the month's 考核 recorded it (other_income).
	IncomeFromAssessment = "考核记录"
	// IncomeFromStatus: the month's status recorded a monthly income in a
	// form of employment other than the welfare post itself.
	IncomeFromStatus = "月度状态"
)

// WelfareExitRow is a part-time welfare worker whose other income in the
// month exceeds the county's monitoring line: 应退出.
type WelfareExitRow struct {
	WelfarePlacementRow
	Income float64 `json:"income"`
	Source string  `json:"source"` // IncomeFromAssessment or IncomeFromStatus
	Line   float64 `json:"line"`
}

// WelfareExitList is the 应退出 list of f's month: the part-time welfare
// workers (placement part_time, holding the post some day of the month)
// whose other income that month exceeds the county's monitoring line. The
// other income is the month's assessment's other_income when recorded,
// else the month's status's monthly_income unless its form of employment
// is 公益性岗位 (the post's own pay, not other income). No age or
// disability limit applies.
func (h *Hub) WelfareExitList(ctx context.Context, f ProgrammeFilter) ([]WelfareExitRow, error) {
	first, last, err := f.monthBounds()
	if err != nil {
		return nil, err
	}
	line := h.MonitoringLine()
	args := []any{sql.Named("first", first), sql.Named("last", last), sql.Named("month", f.Month),
		sql.Named("welfare_form", records.FormWelfare)}
	where := f.townshipWhere(&args)
	// The assessment of the placement and month with an income (the
	// latest, should there be two); the month's status statusOf picks (not
	// deleted or voided, the latest by verified_at and id). Both are found
	// through their (worker_id, month) index.
	q := placementSelect + `,
		(SELECT a.other_income FROM welfare_assessments a WHERE a.worker_id = x.worker_id AND a.month = :month
			AND a.placement_id = lower(hex(x.id)) AND a.fs_deleted = 0 AND a.other_income IS NOT NULL ORDER BY a.id DESC LIMIT 1),
		(SELECT CASE WHEN coalesce(s.employment_form, '') = :welfare_form THEN NULL ELSE s.monthly_income END
			FROM monthly_status s WHERE s.worker_id = x.worker_id AND s.month = :month AND s.fs_deleted = 0
			AND s.void_reason IS NULL ORDER BY coalesce(s.verified_at, '') || char(1) || hex(s.id) DESC LIMIT 1)` +
		placementFrom + `WHERE x.fs_deleted = 0 AND x.part_time = 1 AND ` + placedDuring("x", ":first", ":last") +
		` AND ` + where + ` ORDER BY w.residence_village, w.name, x.id`
	rows, err := h.rep.DB().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("welfare exits: %w", err)
	}
	defer rows.Close()
	var out []WelfareExitRow
	for rows.Next() {
		var r WelfareExitRow
		var assessed, status sql.NullFloat64
		if err := scanPlacement(rows.Scan, &r.WelfarePlacementRow, &assessed, &status); err != nil {
			return nil, fmt.Errorf("welfare exits: %w", err)
		}
		switch {
		case assessed.Valid:
			r.Income, r.Source = assessed.Float64, IncomeFromAssessment
		case status.Valid:
			r.Income, r.Source = status.Float64, IncomeFromStatus
		default:
			continue
		}
		if r.Income > line {
			r.Line = line
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

// WorkshopRow is a workshop with how many work there today, how many of
// them are 脱贫人口, and whether that reaches the county's recognition
// threshold.
type WorkshopRow struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Village      string `json:"village"`
	Operator     string `json:"operator"`
	Industry     string `json:"industry"`
	RecognisedOn string `json:"recognised_on"`
	Station      string `json:"station"`
	Employed     int    `json:"employed"`
	Poverty      int    `json:"poverty"` // 脱贫人口 employed
	Target       int    `json:"target"`
	Meets        bool   `json:"meets"`
}

// WorkshopList lists the workshops (of the township's villages), most
// 脱贫人口 employed first.
func (h *Hub) WorkshopList(ctx context.Context, f ProgrammeFilter) ([]WorkshopRow, error) {
	args := []any{sql.Named("today", h.today(f))}
	where := f.placeWhere("k.village", &args)
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT lower(hex(k.id)), coalesce(k.name, ''), coalesce(k.village, ''),
		coalesce(k.operator, ''), coalesce(k.industry, ''), coalesce(k.recognised_on, ''), coalesce(k.station, ''),
		(SELECT count(DISTINCT j.worker_id) FROM workshop_jobs j WHERE j.workshop_id = lower(hex(k.id)) AND j.fs_deleted = 0
			AND `+workingOn("j", ":today")+` AND `+workerKept("j")+`),
		(SELECT count(DISTINCT j.worker_id) FROM workshop_jobs j JOIN workers w ON w.id = unhex(j.worker_id) AND w.fs_deleted = 0
			AND w.left_reason IS NULL WHERE j.workshop_id = lower(hex(k.id)) AND j.fs_deleted = 0 AND `+workingOn("j", ":today")+`
			AND instr(coalesce(w.tags, ''), '"脱贫人口"') > 0) AS poverty
		FROM workshops k WHERE k.fs_deleted = 0 AND `+where+` ORDER BY poverty DESC, k.village, k.name, k.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("workshops: %w", err)
	}
	defer rows.Close()
	target := h.WorkshopRecognition()
	var out []WorkshopRow
	for rows.Next() {
		r := WorkshopRow{Target: target}
		if err := rows.Scan(&r.ID, &r.Name, &r.Village, &r.Operator, &r.Industry, &r.RecognisedOn, &r.Station,
			&r.Employed, &r.Poverty); err != nil {
			return nil, fmt.Errorf("workshops: %w", err)
		}
		r.Meets = r.Poverty >= target
		out = append(out, r)
	}
	return out, rows.Err()
}

// SharedRow is a 共享用工 agreement.
type SharedRow struct {
	ID string `json:"id"`
	ProgrammePerson
	Station          string `json:"station"`
	OriginalEmployer string `json:"original_employer"`
	ContractEnd      string `json:"contract_end"`
	HostEmployer     string `json:"host_employer"`
	StartOn          string `json:"start_on"`
	EndOn            string `json:"end_on"`
}

// SharedList lists the shared-employment agreements active some day of
// f's month (of the township's people), by start.
func (h *Hub) SharedList(ctx context.Context, f ProgrammeFilter) ([]SharedRow, error) {
	first, last, err := f.monthBounds()
	if err != nil {
		return nil, err
	}
	args := []any{sql.Named("first", first), sql.Named("last", last)}
	where := f.townshipWhere(&args)
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT lower(hex(e.id)), coalesce(e.worker_id, ''), `+personCols+`,
		coalesce(e.station, ''), coalesce(e.original_employer, ''), coalesce(e.contract_end, ''), coalesce(e.host_employer, ''),
		coalesce(e.start_on, ''), coalesce(e.end_on, '')
		FROM shared_employment e`+personJoin("e")+`WHERE e.fs_deleted = 0 AND e.start_on <= :last AND e.end_on >= :first
		AND `+where+` ORDER BY e.start_on, w.name, e.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("shared employment: %w", err)
	}
	defer rows.Close()
	var out []SharedRow
	for rows.Next() {
		var r SharedRow
		var worker, name, idNumber, village, tags string
		if err := rows.Scan(&r.ID, &worker, &name, &idNumber, &village, &tags, &r.Station, &r.OriginalEmployer,
			&r.ContractEnd, &r.HostEmployer, &r.StartOn, &r.EndOn); err != nil {
			return nil, fmt.Errorf("shared employment: %w", err)
		}
		r.fill(worker, name, idNumber, village, tags)
		out = append(out, r)
	}
	return out, rows.Err()
}

// WorkReliefRow is a 以工代赈 project with the people it hired and the pay
// (劳务报酬) they received.
type WorkReliefRow struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Place     string   `json:"place"`
	Owner     string   `json:"owner"`
	StartOn   string   `json:"start_on"`
	EndOn     string   `json:"end_on"`
	PayBudget *float64 `json:"pay_budget"`
	Station   string   `json:"station"`
	People    int      `json:"people"`
	Pay       float64  `json:"pay"`
}

// WorkReliefList lists the work-relief projects with their people and pay.
// With a township, the people and pay are those of the township's people,
// and a project shows when it lies in the township or hired someone of it.
func (h *Hub) WorkReliefList(ctx context.Context, f ProgrammeFilter) ([]WorkReliefRow, error) {
	var args []any
	people := f.townshipWhere(&args)
	place := f.placeWhere("p.place", &args)
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT lower(hex(p.id)), coalesce(p.name, ''), coalesce(p.place, ''),
		coalesce(p.owner, ''), coalesce(p.start_on, ''), coalesce(p.end_on, ''), p.pay_budget, coalesce(p.station, ''),
		coalesce(t.people, 0), coalesce(t.pay, 0)
		FROM work_relief_projects p LEFT JOIN (SELECT j.project_id, count(DISTINCT j.worker_id) AS people, sum(j.pay) AS pay
			FROM work_relief_jobs j`+personJoin("j")+`WHERE j.fs_deleted = 0 AND `+people+` GROUP BY j.project_id) t
			ON t.project_id = lower(hex(p.id))
		WHERE p.fs_deleted = 0 AND (`+place+` OR t.people > 0) ORDER BY p.start_on DESC, p.name, p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("work-relief projects: %w", err)
	}
	defer rows.Close()
	var out []WorkReliefRow
	for rows.Next() {
		var r WorkReliefRow
		var budget sql.NullFloat64
		if err := rows.Scan(&r.ID, &r.Name, &r.Place, &r.Owner, &r.StartOn, &r.EndOn, &budget, &r.Station, &r.People, &r.Pay); err != nil {
			return nil, fmt.Errorf("work-relief projects: %w", err)
		}
		if budget.Valid {
			r.PayBudget = &budget.Float64
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ExportBatchRow is a batch of 有组织劳务输出 with the people sent, by
// group: 脱贫人口, 防止返贫监测对象 (a person of both counts in each) and
// the others.
type ExportBatchRow struct {
	ID          string `json:"id"`
	SentOn      string `json:"sent_on"`
	Destination string `json:"destination"`
	Employer    string `json:"employer"`
	PartnerID   string `json:"partner_region_id"`
	PartnerName string `json:"partner_region"`
	PartnerKind string `json:"partner_kind"`
	LabourBrand string `json:"labour_brand"`
	Station     string `json:"station"`
	People      int    `json:"people"`
	Poverty     int    `json:"poverty"`
	Monitored   int    `json:"monitored"`
	Others      int    `json:"others"`
}

// ExportBatchList lists the export batches, the latest first. With a
// township, the people are those of the township, and only batches that
// sent someone of it show.
func (h *Hub) ExportBatchList(ctx context.Context, f ProgrammeFilter) ([]ExportBatchRow, error) {
	var args []any
	people := f.townshipWhere(&args)
	only := "1"
	if f.Township != "" {
		only = "t.people > 0"
	}
	const poverty, monitored = `instr(coalesce(w.tags, ''), '"脱贫人口"') > 0`, `instr(coalesce(w.tags, ''), '"防止返贫监测对象"') > 0`
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT lower(hex(b.id)), coalesce(b.sent_on, ''), coalesce(b.destination, ''),
		coalesce(b.employer, ''), coalesce(b.partner_region_id, ''), coalesce(r.name, ''), coalesce(r.kind, ''),
		coalesce(b.labour_brand, ''), coalesce(b.station, ''),
		coalesce(t.people, 0), coalesce(t.poverty, 0), coalesce(t.monitored, 0), coalesce(t.others, 0)
		FROM export_batches b LEFT JOIN partner_regions r ON r.id = unhex(b.partner_region_id) AND r.fs_deleted = 0
		LEFT JOIN (SELECT m.batch_id, count(DISTINCT m.worker_id) AS people,
				count(DISTINCT CASE WHEN `+poverty+` THEN m.worker_id END) AS poverty,
				count(DISTINCT CASE WHEN `+monitored+` THEN m.worker_id END) AS monitored,
				count(DISTINCT CASE WHEN NOT (`+poverty+`) AND NOT (`+monitored+`) THEN m.worker_id END) AS others
			FROM export_members m`+personJoin("m")+`WHERE m.fs_deleted = 0 AND `+people+` GROUP BY m.batch_id) t
			ON t.batch_id = lower(hex(b.id))
		WHERE b.fs_deleted = 0 AND `+only+` ORDER BY b.sent_on DESC, b.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("export batches: %w", err)
	}
	defer rows.Close()
	var out []ExportBatchRow
	for rows.Next() {
		var r ExportBatchRow
		if err := rows.Scan(&r.ID, &r.SentOn, &r.Destination, &r.Employer, &r.PartnerID, &r.PartnerName, &r.PartnerKind,
			&r.LabourBrand, &r.Station, &r.People, &r.Poverty, &r.Monitored, &r.Others); err != nil {
			return nil, fmt.Errorf("export batches: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// PartnerRegionRow is a partner region of 劳务协作.
type PartnerRegionRow struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Notes   string `json:"notes"`
	Station string `json:"station"`
}

// PartnerRegionList lists the partner regions, by kind and name.
func (h *Hub) PartnerRegionList(ctx context.Context) ([]PartnerRegionRow, error) {
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT lower(hex(id)), coalesce(name, ''), coalesce(kind, ''),
		coalesce(notes, ''), coalesce(station, '') FROM partner_regions WHERE fs_deleted = 0 ORDER BY kind, name, id`)
	if err != nil {
		return nil, fmt.Errorf("partner regions: %w", err)
	}
	defer rows.Close()
	var out []PartnerRegionRow
	for rows.Next() {
		var r PartnerRegionRow
		if err := rows.Scan(&r.ID, &r.Name, &r.Kind, &r.Notes, &r.Station); err != nil {
			return nil, fmt.Errorf("partner regions: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CountyProgrammeRow reads the named columns of a county-wide programme
// row the county made, for its edit form: ok is false when the row does
// not exist, is deleted, or is a station's.
func (h *Hub) CountyProgrammeRow(ctx context.Context, table string, id string, cols []string) (map[string]any, bool, error) {
	if !isCountyTable(table) {
		return nil, false, fmt.Errorf("read %s: not a county-wide programme table", table)
	}
	t, ok := h.rep.Schema().Table(table)
	if !ok {
		return nil, false, fmt.Errorf("read %s: no such table", table)
	}
	for _, c := range cols {
		if _, ok := t.Column(c); !ok {
			return nil, false, fmt.Errorf("read %s: no column %s", table, c)
		}
	}
	dest := make([]any, len(cols))
	for i := range dest {
		dest[i] = new(any)
	}
	err := h.rep.DB().QueryRowContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+table+
		` WHERE id = unhex(?) AND fs_deleted = 0 AND station = ?`, id, records.County).Scan(dest...)
	if err == sql.ErrNoRows {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", table, err)
	}
	out := make(map[string]any, len(cols))
	for i, c := range cols {
		out[c] = *(dest[i].(*any))
	}
	return out, true, nil
}

func isCountyTable(t string) bool { return slices.Contains(records.CountyWideTables, t) }

// ProgrammeTownships are the townships (9-digit codes) the programme pages
// offer as a filter: those of the stations and of the posts, workshops and
// projects, in order.
func (h *Hub) ProgrammeTownships(ctx context.Context) ([]string, error) {
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT DISTINCT substr(c, 1, 9) AS t FROM (
		SELECT division_code AS c FROM stations WHERE fs_deleted = 0
		UNION SELECT village FROM welfare_posts WHERE fs_deleted = 0
		UNION SELECT village FROM workshops WHERE fs_deleted = 0
		UNION SELECT place FROM work_relief_projects WHERE fs_deleted = 0)
		WHERE length(c) >= 9 ORDER BY t`)
	if err != nil {
		return nil, fmt.Errorf("programme townships: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("programme townships: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
