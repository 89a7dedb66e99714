package station

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// Training at the station (培训, 人社部发〔2022〕76号 (十)): the county's
// courses (county-wide rows) and the people enrolled on them, with the
// certificates they earned. Both are written through SaveProgramme; this
// file adds the rule that needs other rows (a certificate number unique per
// kind) and what the pages and the API read. A completed course, or a
// certificate from one, counts as holding the course's skill in matching
// (match.go).

func init() {
	programmeChecks[records.TrainingEnrolments] = append(programmeChecks[records.TrainingEnrolments],
		checkCertificateUnique)
}

// checkCertificateUnique refuses an enrolment whose certificate number is
// already held, for the same kind of certificate, by another enrolment the
// station holds (certificate_no).
func checkCertificateUnique(ctx context.Context, _ *Station, tx *replica.Tx, id ident.ID, rec ProgrammeRecord) error {
	e := rec.(*records.TrainingEnrolment)
	if e.CertificateNo == "" {
		return nil
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM training_enrolments WHERE certificate_no = ?
		AND certificate_kind = ? AND fs_deleted = 0 AND id != ?`, e.CertificateNo, e.CertificateKind, id[:]).Scan(&n); err != nil {
		return fmt.Errorf("read training enrolments: %w", err)
	}
	if n > 0 {
		return &records.FieldError{Field: "certificate_no", Key: records.KeyCertificateTaken}
	}
	return nil
}

// TrainingView is a course as lists show it, with its counts.
type TrainingView struct {
	ID ident.ID `json:"id"`
	records.Training
	Station   string `json:"station"`
	EnteredBy string `json:"entered_by,omitempty"`
	// Enrolled counts the people on the course the station holds;
	// CompletedCount those of them who completed it, Certified those who
	// hold a certificate from it.
	Enrolled       int `json:"enrolled"`
	CompletedCount int `json:"completed_count"`
	Certified      int `json:"certified"`
}

// EnrolmentView is a person on a course, with the person's and the
// course's names.
type EnrolmentView struct {
	ID ident.ID `json:"id"`
	records.TrainingEnrolment
	Station    string `json:"station"`
	EnteredBy  string `json:"entered_by,omitempty"`
	WorkerName string `json:"worker_name"`
	Course     string `json:"course"`
	CourseKind string `json:"course_kind"`
	Skill      string `json:"skill"`
}

// TrainingQuery selects courses; empty fields select all.
type TrainingQuery struct {
	// Kind is one of records.TrainingKinds.
	Kind string
	// Skill is the skill trained, matched exactly.
	Skill string
}

// Trainings lists the courses q selects, the latest start first.
func (s *Station) Trainings(ctx context.Context, q TrainingQuery) ([]*TrainingView, error) {
	var where []string
	var args []any
	if q.Kind != "" {
		if err := checkEnum("kind", q.Kind, records.TrainingKinds); err != nil {
			return nil, err
		}
		where, args = append(where, `t.kind = ?`), append(args, q.Kind)
	}
	if q.Skill != "" {
		where, args = append(where, `t.skill = ?`), append(args, q.Skill)
	}
	return s.trainings(ctx, where, args)
}

// Training reads one course.
func (s *Station) Training(ctx context.Context, id ident.ID) (*TrainingView, error) {
	out, err := s.trainings(ctx, []string{`t.id = ?`}, []any{id[:]})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("training %s: %w", id, ErrNotFound)
	}
	return out[0], nil
}

func (s *Station) trainings(ctx context.Context, where []string, args []any) ([]*TrainingView, error) {
	q := `SELECT t.id, t.course, t.kind, coalesce(t.skill, ''), coalesce(t.provider, ''), t.start_on,
		coalesce(t.end_on, ''), coalesce(t.place, ''), t.subsidy, coalesce(t.notes, ''), coalesce(t.station, ''),
		coalesce(t.entered_by, ''),
		(SELECT count(*) FROM training_enrolments e WHERE e.training_id = lower(hex(t.id)) AND e.fs_deleted = 0),
		(SELECT count(*) FROM training_enrolments e WHERE e.training_id = lower(hex(t.id)) AND e.fs_deleted = 0
			AND e.completed = 1),
		(SELECT count(*) FROM training_enrolments e WHERE e.training_id = lower(hex(t.id)) AND e.fs_deleted = 0
			AND coalesce(e.certificate_no, '') != '')
		FROM trainings t WHERE t.fs_deleted = 0`
	for _, w := range where {
		q += ` AND ` + w
	}
	q += ` ORDER BY t.start_on DESC, t.course, t.id`
	rows, err := s.r.DB().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list trainings: %w", err)
	}
	defer rows.Close()
	out := []*TrainingView{}
	for rows.Next() {
		var raw []byte
		var subsidy sql.NullFloat64
		v := &TrainingView{}
		if err := rows.Scan(&raw, &v.Course, &v.Kind, &v.Skill, &v.Provider, &v.StartOn, &v.EndOn, &v.Place, &subsidy,
			&v.Notes, &v.Station, &v.EnteredBy, &v.Enrolled, &v.CompletedCount, &v.Certified); err != nil {
			return nil, fmt.Errorf("list trainings: %w", err)
		}
		v.ID = scanID(raw)
		if subsidy.Valid {
			v.Subsidy = &subsidy.Float64
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list trainings: %w", err)
	}
	return out, nil
}

// EnrolmentQuery selects enrolments; empty fields select all.
type EnrolmentQuery struct {
	TrainingID string
	WorkerID   string
	// Completed keeps the completed enrolments only.
	Completed bool
}

// Enrolments lists the enrolments q selects, by the person's name.
func (s *Station) Enrolments(ctx context.Context, q EnrolmentQuery) ([]*EnrolmentView, error) {
	var where []string
	var args []any
	if q.TrainingID != "" {
		where, args = append(where, `e.training_id = ?`), append(args, strings.ToLower(q.TrainingID))
	}
	if q.WorkerID != "" {
		where, args = append(where, `e.worker_id = ?`), append(args, strings.ToLower(q.WorkerID))
	}
	if q.Completed {
		where = append(where, `e.completed = 1`)
	}
	return s.enrolments(ctx, where, args)
}

// Enrolment reads one enrolment.
func (s *Station) Enrolment(ctx context.Context, id ident.ID) (*EnrolmentView, error) {
	out, err := s.enrolments(ctx, []string{`e.id = ?`}, []any{id[:]})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("training enrolment %s: %w", id, ErrNotFound)
	}
	return out[0], nil
}

func (s *Station) enrolments(ctx context.Context, where []string, args []any) ([]*EnrolmentView, error) {
	q := `SELECT e.id, e.worker_id, e.training_id, coalesce(e.completed, 0), coalesce(e.completed_on, ''),
		coalesce(e.certificate_kind, ''), coalesce(e.certificate_no, ''), coalesce(e.certificate_level, ''),
		e.subsidy_paid, coalesce(e.paid_on, ''), coalesce(e.station, ''), coalesce(e.entered_by, ''),
		coalesce(w.name, ''), coalesce(t.course, ''), coalesce(t.kind, ''), coalesce(t.skill, '')
		FROM training_enrolments e
		LEFT JOIN workers w ON w.id = unhex(e.worker_id) AND w.fs_deleted = 0
		LEFT JOIN trainings t ON t.id = unhex(e.training_id) AND t.fs_deleted = 0
		WHERE e.fs_deleted = 0`
	for _, w := range where {
		q += ` AND ` + w
	}
	q += ` ORDER BY coalesce(t.start_on, '') DESC, w.name, e.id`
	rows, err := s.r.DB().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list training enrolments: %w", err)
	}
	defer rows.Close()
	out := []*EnrolmentView{}
	for rows.Next() {
		var raw []byte
		var paid sql.NullFloat64
		v := &EnrolmentView{}
		if err := rows.Scan(&raw, &v.WorkerID, &v.TrainingID, &v.Completed, &v.CompletedOn, &v.CertificateKind,
			&v.CertificateNo, &v.CertificateLevel, &paid, &v.PaidOn, &v.Station, &v.EnteredBy, &v.WorkerName,
			&v.Course, &v.CourseKind, &v.Skill); err != nil {
			return nil, fmt.Errorf("list training enrolments: %w", err)
		}
		v.ID = scanID(raw)
		if paid.Valid {
			v.SubsidyPaid = &paid.Float64
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list training enrolments: %w", err)
	}
	return out, nil
}

// checkEnum refuses, naming field, a filter value that is none of allowed.
func checkEnum(field, v string, allowed []string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return &records.FieldError{Field: field, Key: records.KeyEnum, Args: []any{strings.Join(allowed, "、")}}
}

// The skills held through training: the skill of each course a person
// completed, or holds a certificate from, as (worker_id, skill) pairs, each
// read in one query through an index. By worker: the person's enrolments
// (index on worker_id), each course by its id. By skill: the courses of the
// skills (a county's few dozen rows), each one's enrolments (index on
// training_id); CROSS JOIN keeps that order.
const (
	trainedByWorkerSQL = `SELECT e.worker_id, t.skill FROM training_enrolments e
	JOIN trainings t ON t.id = unhex(e.training_id) AND t.fs_deleted = 0 AND coalesce(t.skill, '') != ''
	WHERE e.fs_deleted = 0 AND (e.completed = 1 OR coalesce(e.certificate_no, '') != '') AND e.worker_id = ?`
	trainedBySkillSQL = `SELECT e.worker_id, t.skill FROM trainings t
	CROSS JOIN training_enrolments e ON e.training_id = lower(hex(t.id))
	WHERE t.fs_deleted = 0 AND e.fs_deleted = 0 AND (e.completed = 1 OR coalesce(e.certificate_no, '') != '')
	AND t.skill IN `
)

// TrainedSkills lists the skills a person holds through training (a
// completed course, or a certificate from one), sorted, without repeats.
func (s *Station) TrainedSkills(ctx context.Context, wid ident.ID) ([]string, error) {
	m, err := s.trainedSkills(ctx, trainedByWorkerSQL, wid.String())
	if err != nil {
		return nil, err
	}
	return m[wid.String()], nil
}

// trainedSkills reads the (worker_id, skill) pairs query selects as each
// person's skills (by worker id, hex), sorted, without repeats.
func (s *Station) trainedSkills(ctx context.Context, query string, args ...any) (map[string][]string, error) {
	rows, err := s.r.DB().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read trained skills: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var w, sk string
		if err := rows.Scan(&w, &sk); err != nil {
			return nil, fmt.Errorf("read trained skills: %w", err)
		}
		if !slices.Contains(out[w], sk) {
			out[w] = append(out[w], sk)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read trained skills: %w", err)
	}
	for _, v := range out {
		slices.Sort(v)
	}
	return out, nil
}
