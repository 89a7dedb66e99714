package station

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"fieldsync/ident"
	"fieldsync/records"
)

// What the pages and the API read of welfare posts and workshops: each list
// in one query over the station's rows, with who is there today.

// WelfarePostView is a welfare post as lists show it.
type WelfarePostView struct {
	ID ident.ID `json:"id"`
	records.WelfarePost
	Station   string `json:"station"`
	EnteredBy string `json:"entered_by,omitempty"`
	// PlacedNow counts the people holding the post today.
	PlacedNow int `json:"placed_now"`
}

// WelfarePlacementView is a placement with the person's and the post's names.
type WelfarePlacementView struct {
	ID ident.ID `json:"id"`
	records.WelfarePlacement
	Station    string `json:"station"`
	EnteredBy  string `json:"entered_by,omitempty"`
	WorkerName string `json:"worker_name"`
	PostName   string `json:"post_name"`
	// Active says the person holds the post today.
	Active bool `json:"active"`
}

// WelfareAssessmentView is a month's assessment of a placement.
type WelfareAssessmentView struct {
	ID ident.ID `json:"id"`
	records.WelfareAssessment
	Station   string `json:"station"`
	EnteredBy string `json:"entered_by,omitempty"`
}

// WorkshopView is a workshop with the people working there today.
type WorkshopView struct {
	ID ident.ID `json:"id"`
	records.Workshop
	Station   string `json:"station"`
	EnteredBy string `json:"entered_by,omitempty"`
	// WorkingNow counts the people working there today; LiftedNow those of
	// them who are 脱贫人口.
	WorkingNow int `json:"working_now"`
	LiftedNow  int `json:"lifted_now"`
}

// WorkshopJobView is a person's job in a workshop, with the names.
type WorkshopJobView struct {
	ID ident.ID `json:"id"`
	records.WorkshopJob
	Station      string `json:"station"`
	EnteredBy    string `json:"entered_by,omitempty"`
	WorkerName   string `json:"worker_name"`
	WorkshopName string `json:"workshop_name"`
	Active       bool   `json:"active"`
}

// PlacementQuery selects welfare placements; empty fields select all.
type PlacementQuery struct {
	PostID   string
	WorkerID string
	// State is "active" (held today), "ended", or "" for both.
	State string
	// EndingThisMonth keeps the placements whose term ends in the station's month.
	EndingThisMonth bool
}

// Placement states of PlacementQuery.
const (
	PlacementsActive = "active"
	PlacementsEnded  = "ended"
)

// untilSQL is the last day a placement (alias p) holds its post, as
// records.WelfarePlacement.Until.
const untilSQL = `CASE WHEN coalesce(p.exit_on, '') != '' THEN date(p.exit_on, '-1 day') ELSE p.contract_end END`

func scanID(raw []byte) ident.ID {
	var id ident.ID
	copy(id[:], raw)
	return id
}

// WelfarePosts lists the welfare posts the station holds, by village and name.
func (s *Station) WelfarePosts(ctx context.Context) ([]*WelfarePostView, error) {
	return s.welfarePosts(ctx, "", nil)
}

// WelfarePost reads one welfare post.
func (s *Station) WelfarePost(ctx context.Context, id ident.ID) (*WelfarePostView, error) {
	out, err := s.welfarePosts(ctx, ` AND w.id = ?`, id[:])
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("welfare post %s: %w", id, ErrNotFound)
	}
	return out[0], nil
}

func (s *Station) welfarePosts(ctx context.Context, where string, arg any) ([]*WelfarePostView, error) {
	today := s.Today()
	args := []any{today, today}
	if arg != nil {
		args = append(args, arg)
	}
	rows, err := s.r.DB().QueryContext(ctx, `SELECT w.id, w.name, w.village, w.kind, w.headcount, w.subsidy,
		coalesce(w.part_time, 0), w.employer, coalesce(w.start_on, ''), coalesce(w.end_on, ''), coalesce(w.notes, ''),
		coalesce(w.station, ''), coalesce(w.entered_by, ''),
		(SELECT count(*) FROM welfare_placements p WHERE p.post_id = lower(hex(w.id)) AND p.fs_deleted = 0
			AND p.contract_start <= ? AND `+untilSQL+` >= ?)
		FROM welfare_posts w WHERE w.fs_deleted = 0`+where+` ORDER BY w.village, w.name, w.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list welfare posts: %w", err)
	}
	defer rows.Close()
	var out []*WelfarePostView
	for rows.Next() {
		var raw []byte
		v := &WelfarePostView{}
		var pt int64
		if err := rows.Scan(&raw, &v.Name, &v.Village, &v.Kind, &v.Headcount, &v.Subsidy, &pt, &v.Employer,
			&v.StartOn, &v.EndOn, &v.Notes, &v.Station, &v.EnteredBy, &v.PlacedNow); err != nil {
			return nil, fmt.Errorf("list welfare posts: %w", err)
		}
		v.ID, v.PartTime = scanID(raw), pt != 0
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list welfare posts: %w", err)
	}
	return out, nil
}

// WelfarePlacements lists the placements q selects, the latest contract first.
func (s *Station) WelfarePlacements(ctx context.Context, q PlacementQuery) ([]*WelfarePlacementView, error) {
	var where []string
	var args []any
	if q.PostID != "" {
		where, args = append(where, `p.post_id = ?`), append(args, strings.ToLower(q.PostID))
	}
	if q.WorkerID != "" {
		where, args = append(where, `p.worker_id = ?`), append(args, strings.ToLower(q.WorkerID))
	}
	today := s.Today()
	switch q.State {
	case PlacementsActive:
		where, args = append(where, `p.contract_start <= ? AND `+untilSQL+` >= ?`), append(args, today, today)
	case PlacementsEnded:
		where, args = append(where, untilSQL+` < ?`), append(args, today)
	case "":
	default:
		return nil, &records.FieldError{Field: "state", Key: records.KeyEnum, Args: []any{"active、ended"}}
	}
	if q.EndingThisMonth {
		first, last := monthBounds(s.Month())
		where, args = append(where, untilSQL+` BETWEEN ? AND ?`), append(args, first, last)
	}
	return s.welfarePlacements(ctx, where, args)
}

// WelfarePlacement reads one placement.
func (s *Station) WelfarePlacement(ctx context.Context, id ident.ID) (*WelfarePlacementView, error) {
	out, err := s.welfarePlacements(ctx, []string{`p.id = ?`}, []any{id[:]})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("welfare placement %s: %w", id, ErrNotFound)
	}
	return out[0], nil
}

func (s *Station) welfarePlacements(ctx context.Context, where []string, args []any) ([]*WelfarePlacementView, error) {
	today := s.Today()
	q := `SELECT p.id, p.worker_id, p.post_id, p.contract_kind, p.contract_start, p.contract_end, p.insurance_kind,
		coalesce(p.insurance_policy, ''), p.insurance_start, p.insurance_end, coalesce(p.part_time, 0),
		coalesce(p.exit_on, ''), coalesce(p.exit_reason, ''), coalesce(p.station, ''), coalesce(p.entered_by, ''),
		coalesce(w.name, ''), coalesce(o.name, ''), p.contract_start <= ? AND ` + untilSQL + ` >= ?
		FROM welfare_placements p
		LEFT JOIN workers w ON w.id = unhex(p.worker_id) AND w.fs_deleted = 0
		LEFT JOIN welfare_posts o ON o.id = unhex(p.post_id) AND o.fs_deleted = 0
		WHERE p.fs_deleted = 0`
	for _, w := range where {
		q += ` AND ` + w
	}
	q += ` ORDER BY p.contract_start DESC, p.id`
	rows, err := s.r.DB().QueryContext(ctx, q, append([]any{today, today}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("list welfare placements: %w", err)
	}
	defer rows.Close()
	var out []*WelfarePlacementView
	for rows.Next() {
		var raw []byte
		var pt int64
		v := &WelfarePlacementView{}
		if err := rows.Scan(&raw, &v.WorkerID, &v.PostID, &v.ContractKind, &v.ContractStart, &v.ContractEnd,
			&v.InsuranceKind, &v.InsurancePolicy, &v.InsuranceStart, &v.InsuranceEnd, &pt, &v.ExitOn, &v.ExitReason,
			&v.Station, &v.EnteredBy, &v.WorkerName, &v.PostName, &v.Active); err != nil {
			return nil, fmt.Errorf("list welfare placements: %w", err)
		}
		v.ID, v.PartTime = scanID(raw), pt != 0
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list welfare placements: %w", err)
	}
	return out, nil
}

// WelfareAssessments lists the assessments of a placement, by month.
func (s *Station) WelfareAssessments(ctx context.Context, placement string) ([]*WelfareAssessmentView, error) {
	return s.welfareAssessments(ctx, `a.placement_id = ?`, strings.ToLower(placement))
}

// WelfareAssessment reads one assessment.
func (s *Station) WelfareAssessment(ctx context.Context, id ident.ID) (*WelfareAssessmentView, error) {
	out, err := s.welfareAssessments(ctx, `a.id = ?`, id[:])
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("welfare assessment %s: %w", id, ErrNotFound)
	}
	return out[0], nil
}

func (s *Station) welfareAssessments(ctx context.Context, where string, arg any) ([]*WelfareAssessmentView, error) {
	rows, err := s.r.DB().QueryContext(ctx, `SELECT a.id, a.worker_id, a.placement_id, a.month, a.result, a.other_income,
		coalesce(a.notes, ''), coalesce(a.station, ''), coalesce(a.entered_by, '')
		FROM welfare_assessments a WHERE a.fs_deleted = 0 AND `+where+` ORDER BY a.month, a.id`, arg)
	if err != nil {
		return nil, fmt.Errorf("list welfare assessments: %w", err)
	}
	defer rows.Close()
	var out []*WelfareAssessmentView
	for rows.Next() {
		var raw []byte
		var income sql.NullFloat64
		v := &WelfareAssessmentView{}
		if err := rows.Scan(&raw, &v.WorkerID, &v.PlacementID, &v.Month, &v.Result, &income, &v.Notes,
			&v.Station, &v.EnteredBy); err != nil {
			return nil, fmt.Errorf("list welfare assessments: %w", err)
		}
		v.ID = scanID(raw)
		if income.Valid {
			v.OtherIncome = &income.Float64
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list welfare assessments: %w", err)
	}
	return out, nil
}

// Workshops lists the workshops the station holds, by village and name.
func (s *Station) Workshops(ctx context.Context) ([]*WorkshopView, error) {
	return s.workshops(ctx, "", nil)
}

// Workshop reads one workshop.
func (s *Station) Workshop(ctx context.Context, id ident.ID) (*WorkshopView, error) {
	out, err := s.workshops(ctx, ` AND k.id = ?`, id[:])
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("workshop %s: %w", id, ErrNotFound)
	}
	return out[0], nil
}

func (s *Station) workshops(ctx context.Context, where string, arg any) ([]*WorkshopView, error) {
	today := s.Today()
	args := []any{today, today}
	if arg != nil {
		args = append(args, arg)
	}
	rows, err := s.r.DB().QueryContext(ctx, `SELECT k.id, k.name, k.village, coalesce(k.operator, ''),
		coalesce(k.industry, ''), coalesce(k.recognised_on, ''), coalesce(k.contact, ''), coalesce(k.notes, ''),
		coalesce(k.station, ''), coalesce(k.entered_by, ''),
		(SELECT count(DISTINCT j.worker_id) FROM workshop_jobs j WHERE j.workshop_id = lower(hex(k.id))
			AND j.fs_deleted = 0 AND j.start_on <= ?1 AND coalesce(j.end_on, '9999-12-31') >= ?2),
		(SELECT count(DISTINCT j.worker_id) FROM workshop_jobs j JOIN workers w ON w.id = unhex(j.worker_id)
			AND w.fs_deleted = 0 AND instr(w.tags, '"`+records.TagLifted+`"') > 0
			WHERE j.workshop_id = lower(hex(k.id)) AND j.fs_deleted = 0 AND j.start_on <= ?1
			AND coalesce(j.end_on, '9999-12-31') >= ?2)
		FROM workshops k WHERE k.fs_deleted = 0`+where+` ORDER BY k.village, k.name, k.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list workshops: %w", err)
	}
	defer rows.Close()
	var out []*WorkshopView
	for rows.Next() {
		var raw []byte
		v := &WorkshopView{}
		if err := rows.Scan(&raw, &v.Name, &v.Village, &v.Operator, &v.Industry, &v.RecognisedOn, &v.Contact,
			&v.Notes, &v.Station, &v.EnteredBy, &v.WorkingNow, &v.LiftedNow); err != nil {
			return nil, fmt.Errorf("list workshops: %w", err)
		}
		v.ID = scanID(raw)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list workshops: %w", err)
	}
	return out, nil
}

// WorkshopJobQuery selects workshop jobs; empty fields select all.
type WorkshopJobQuery struct {
	WorkshopID string
	WorkerID   string
	// State is "active" (working there today), "ended", or "" for both.
	State string
}

// WorkshopJobs lists the jobs q selects, the latest start first.
func (s *Station) WorkshopJobs(ctx context.Context, q WorkshopJobQuery) ([]*WorkshopJobView, error) {
	var where []string
	var args []any
	if q.WorkshopID != "" {
		where, args = append(where, `j.workshop_id = ?`), append(args, strings.ToLower(q.WorkshopID))
	}
	if q.WorkerID != "" {
		where, args = append(where, `j.worker_id = ?`), append(args, strings.ToLower(q.WorkerID))
	}
	today := s.Today()
	switch q.State {
	case PlacementsActive:
		where, args = append(where, `j.start_on <= ? AND coalesce(j.end_on, '9999-12-31') >= ?`), append(args, today, today)
	case PlacementsEnded:
		where, args = append(where, `coalesce(j.end_on, '9999-12-31') < ?`), append(args, today)
	case "":
	default:
		return nil, &records.FieldError{Field: "state", Key: records.KeyEnum, Args: []any{"active、ended"}}
	}
	return s.workshopJobs(ctx, where, args)
}

// WorkshopJob reads one workshop job.
func (s *Station) WorkshopJob(ctx context.Context, id ident.ID) (*WorkshopJobView, error) {
	out, err := s.workshopJobs(ctx, []string{`j.id = ?`}, []any{id[:]})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("workshop job %s: %w", id, ErrNotFound)
	}
	return out[0], nil
}

func (s *Station) workshopJobs(ctx context.Context, where []string, args []any) ([]*WorkshopJobView, error) {
	today := s.Today()
	q := `SELECT j.id, j.worker_id, j.workshop_id, j.start_on, coalesce(j.end_on, ''), j.monthly_wage,
		coalesce(j.station, ''), coalesce(j.entered_by, ''), coalesce(w.name, ''), coalesce(k.name, ''),
		j.start_on <= ? AND coalesce(j.end_on, '9999-12-31') >= ?
		FROM workshop_jobs j
		LEFT JOIN workers w ON w.id = unhex(j.worker_id) AND w.fs_deleted = 0
		LEFT JOIN workshops k ON k.id = unhex(j.workshop_id) AND k.fs_deleted = 0
		WHERE j.fs_deleted = 0`
	for _, w := range where {
		q += ` AND ` + w
	}
	q += ` ORDER BY j.start_on DESC, j.id`
	rows, err := s.r.DB().QueryContext(ctx, q, append([]any{today, today}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("list workshop jobs: %w", err)
	}
	defer rows.Close()
	var out []*WorkshopJobView
	for rows.Next() {
		var raw []byte
		var wage sql.NullFloat64
		v := &WorkshopJobView{}
		if err := rows.Scan(&raw, &v.WorkerID, &v.WorkshopID, &v.StartOn, &v.EndOn, &wage, &v.Station, &v.EnteredBy,
			&v.WorkerName, &v.WorkshopName, &v.Active); err != nil {
			return nil, fmt.Errorf("list workshop jobs: %w", err)
		}
		v.ID = scanID(raw)
		if wage.Valid {
			v.MonthlyWage = &wage.Float64
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list workshop jobs: %w", err)
	}
	return out, nil
}
