package hub

import (
	"context"
	"database/sql"
	"fmt"

	"fieldsync/records"
)

// The county-wide lists of the services to people the hub's pages show and
// export: courses with who enrolled, completed and earned a certificate;
// the expert roster; start-ups with their support; the returnees of a
// month with their intentions; job fairs with the postings published at
// them; and the postings, regular jobs and gigs. People come with their id
// numbers masked (records.MaskIDNumber) and experts with their phones
// masked, as every list. Labour-rights cases are not among them: they are
// shown only to those allowed to read them.

// ServiceFilter narrows a service list.
type ServiceFilter struct {
	// Month (YYYY-MM) is the month of the returnees' list.
	Month string
	// Kind keeps the postings of a kind (records.GigKinds); "" keeps all.
	Kind string
	// Older keeps the postings suitable for older workers.
	Older bool
	// Course (a row id) keeps the enrolments of one course; "" keeps all.
	Course string
}

// ServiceCounts are the services overview's counts.
type ServiceCounts struct {
	Courses      int     `json:"courses"`
	Enrolled     int     `json:"enrolled"`  // people enrolled (distinct)
	Completed    int     `json:"completed"` // people who completed a course
	Certificates int     `json:"certificates"`
	Experts      int     `json:"experts"`
	Startups     int     `json:"startups"`
	JobsCreated  int     `json:"jobs_created"`
	Loans        float64 `json:"loans"`     // 创业担保贷款, yuan
	Subsidies    float64 `json:"subsidies"` // 一次性创业补贴, yuan
	Guidance     int     `json:"guidance"`  // 专家指导 given
	Returns      int     `json:"returns"`   // returns of the month
	ReturnAway   int     `json:"return_away"`
	JobFairs     int     `json:"job_fairs"`
	Agreements   int     `json:"agreements"`
	Jobs         int     `json:"jobs"` // postings 全职
	Gigs         int     `json:"gigs"` // postings 零工
	SuitsOlder   int     `json:"suits_older"`
}

// gigKindExpr is a posting's kind (an older station's posting has none: a
// 零工).
const gigKindExpr = `coalesce(nullif(g.kind, ''), '` + records.GigKindCasual + `')`

// CountServices counts the services county-wide (the returnees of f's
// month).
func (h *Hub) CountServices(ctx context.Context, f ServiceFilter) (ServiceCounts, error) {
	var c ServiceCounts
	err := h.rep.DB().QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM trainings WHERE fs_deleted = 0),
		(SELECT count(DISTINCT e.worker_id) FROM training_enrolments e WHERE e.fs_deleted = 0 AND `+workerKept("e")+`),
		(SELECT count(DISTINCT e.worker_id) FROM training_enrolments e WHERE e.fs_deleted = 0 AND e.completed = 1 AND `+workerKept("e")+`),
		(SELECT count(*) FROM training_enrolments e WHERE e.fs_deleted = 0 AND coalesce(e.certificate_no, '') != '' AND `+workerKept("e")+`),
		(SELECT count(*) FROM experts WHERE fs_deleted = 0),
		(SELECT count(*) FROM startups s WHERE s.fs_deleted = 0 AND `+workerKept("s")+`),
		(SELECT coalesce(sum(s.jobs_created), 0) FROM startups s WHERE s.fs_deleted = 0 AND `+workerKept("s")+`),
		(SELECT coalesce(sum(x.amount), 0) FROM startup_support x WHERE x.fs_deleted = 0 AND x.support_kind = :loan AND `+workerKept("x")+`),
		(SELECT coalesce(sum(x.amount), 0) FROM startup_support x WHERE x.fs_deleted = 0 AND x.support_kind = :subsidy AND `+workerKept("x")+`),
		(SELECT count(*) FROM startup_support x WHERE x.fs_deleted = 0 AND x.support_kind = :expert AND `+workerKept("x")+`),
		(SELECT count(*) FROM returns r WHERE r.fs_deleted = 0 AND substr(r.returned_on, 1, 7) = :month AND `+workerKept("r")+`),
		(SELECT count(*) FROM returns r WHERE r.fs_deleted = 0 AND substr(r.returned_on, 1, 7) = :month AND r.intention = :away
			AND `+workerKept("r")+`),
		(SELECT count(*) FROM job_fairs WHERE fs_deleted = 0),
		(SELECT coalesce(sum(agreements), 0) FROM job_fairs WHERE fs_deleted = 0),
		(SELECT count(*) FROM gigs g WHERE g.fs_deleted = 0 AND `+gigKindExpr+` = :job),
		(SELECT count(*) FROM gigs g WHERE g.fs_deleted = 0 AND `+gigKindExpr+` = :casual),
		(SELECT count(*) FROM gigs g WHERE g.fs_deleted = 0 AND g.suits_older = 1)`,
		sql.Named("loan", records.SupportLoan), sql.Named("subsidy", records.SupportSubsidy),
		sql.Named("expert", records.SupportExpert), sql.Named("month", f.Month), sql.Named("away", records.IntentAway),
		sql.Named("job", records.GigKindJob), sql.Named("casual", records.GigKindCasual)).Scan(
		&c.Courses, &c.Enrolled, &c.Completed, &c.Certificates, &c.Experts, &c.Startups, &c.JobsCreated, &c.Loans,
		&c.Subsidies, &c.Guidance, &c.Returns, &c.ReturnAway, &c.JobFairs, &c.Agreements, &c.Jobs, &c.Gigs, &c.SuitsOlder)
	if err != nil {
		return c, fmt.Errorf("count services: %w", err)
	}
	return c, nil
}

// TrainingRow is a course with how many enrolled, completed it and earned a
// certificate.
type TrainingRow struct {
	ID           string   `json:"id"`
	Course       string   `json:"course"`
	Kind         string   `json:"kind"`
	Skill        string   `json:"skill"`
	Provider     string   `json:"provider"`
	StartOn      string   `json:"start_on"`
	EndOn        string   `json:"end_on"`
	Place        string   `json:"place"`
	Subsidy      *float64 `json:"subsidy"`
	Station      string   `json:"station"`
	Enrolled     int      `json:"enrolled"`
	Completed    int      `json:"completed"`
	Certificates int      `json:"certificates"`
}

// TrainingList lists the courses, the latest first (one course with
// f.Course).
func (h *Hub) TrainingList(ctx context.Context, f ServiceFilter) ([]TrainingRow, error) {
	where, args := "1", []any{}
	if f.Course != "" {
		where, args = "t.id = unhex(:course)", append(args, sql.Named("course", f.Course))
	}
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT lower(hex(t.id)), coalesce(t.course, ''), coalesce(t.kind, ''),
		coalesce(t.skill, ''), coalesce(t.provider, ''), coalesce(t.start_on, ''), coalesce(t.end_on, ''),
		coalesce(t.place, ''), t.subsidy, coalesce(t.station, ''),
		coalesce(n.enrolled, 0), coalesce(n.completed, 0), coalesce(n.certificates, 0)
		FROM trainings t LEFT JOIN (SELECT e.training_id, count(DISTINCT e.worker_id) AS enrolled,
				count(DISTINCT CASE WHEN e.completed = 1 THEN e.worker_id END) AS completed,
				count(CASE WHEN coalesce(e.certificate_no, '') != '' THEN 1 END) AS certificates
			FROM training_enrolments e WHERE e.fs_deleted = 0 AND `+workerKept("e")+` GROUP BY e.training_id) n
			ON n.training_id = lower(hex(t.id))
		WHERE t.fs_deleted = 0 AND `+where+` ORDER BY t.start_on DESC, t.course, t.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("courses: %w", err)
	}
	defer rows.Close()
	var out []TrainingRow
	for rows.Next() {
		var r TrainingRow
		var subsidy sql.NullFloat64
		if err := rows.Scan(&r.ID, &r.Course, &r.Kind, &r.Skill, &r.Provider, &r.StartOn, &r.EndOn, &r.Place, &subsidy,
			&r.Station, &r.Enrolled, &r.Completed, &r.Certificates); err != nil {
			return nil, fmt.Errorf("courses: %w", err)
		}
		if subsidy.Valid {
			r.Subsidy = &subsidy.Float64
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// EnrolmentRow is a person on a course.
type EnrolmentRow struct {
	ID string `json:"id"`
	ProgrammePerson
	Station          string   `json:"station"`
	TrainingID       string   `json:"training_id"`
	Course           string   `json:"course"`
	Completed        bool     `json:"completed"`
	CompletedOn      string   `json:"completed_on"`
	CertificateKind  string   `json:"certificate_kind"`
	CertificateNo    string   `json:"certificate_no"`
	CertificateLevel string   `json:"certificate_level"`
	SubsidyPaid      *float64 `json:"subsidy_paid"`
}

// EnrolmentList lists the enrolments (of f.Course, when given), by course
// and name.
func (h *Hub) EnrolmentList(ctx context.Context, f ServiceFilter) ([]EnrolmentRow, error) {
	where, args := personKept, []any{}
	if f.Course != "" {
		where, args = where+" AND e.training_id = :course", append(args, sql.Named("course", f.Course))
	}
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT lower(hex(e.id)), coalesce(e.worker_id, ''), `+personCols+`,
		coalesce(e.station, ''), coalesce(e.training_id, ''), coalesce(t.course, ''), coalesce(e.completed, 0),
		coalesce(e.completed_on, ''), coalesce(e.certificate_kind, ''), coalesce(e.certificate_no, ''),
		coalesce(e.certificate_level, ''), e.subsidy_paid
		FROM training_enrolments e LEFT JOIN trainings t ON t.id = unhex(e.training_id)`+personJoin("e")+`
		WHERE e.fs_deleted = 0 AND `+where+` ORDER BY t.start_on DESC, e.training_id, w.name, e.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("enrolments: %w", err)
	}
	defer rows.Close()
	var out []EnrolmentRow
	for rows.Next() {
		var r EnrolmentRow
		var worker, name, idNumber, village, tags string
		var paid sql.NullFloat64
		if err := rows.Scan(&r.ID, &worker, &name, &idNumber, &village, &tags, &r.Station, &r.TrainingID, &r.Course,
			&r.Completed, &r.CompletedOn, &r.CertificateKind, &r.CertificateNo, &r.CertificateLevel, &paid); err != nil {
			return nil, fmt.Errorf("enrolments: %w", err)
		}
		r.fill(worker, name, idNumber, village, tags)
		if paid.Valid {
			r.SubsidyPaid = &paid.Float64
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ExpertRow is an expert of the county's roster, with the guidance given.
type ExpertRow struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Field        string `json:"expert_field"`
	Organisation string `json:"organisation"`
	Phone        string `json:"phone"` // masked
	Station      string `json:"station"`
	Guidance     int    `json:"guidance"`
}

// ExpertList lists the expert roster, by field and name.
func (h *Hub) ExpertList(ctx context.Context) ([]ExpertRow, error) {
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT lower(hex(x.id)), coalesce(x.name, ''), coalesce(x.expert_field, ''),
		coalesce(x.organisation, ''), coalesce(x.phone, ''), coalesce(x.station, ''),
		(SELECT count(*) FROM startup_support s WHERE s.expert_id = lower(hex(x.id)) AND s.fs_deleted = 0 AND `+workerKept("s")+`)
		FROM experts x WHERE x.fs_deleted = 0 ORDER BY x.expert_field, x.name, x.id`)
	if err != nil {
		return nil, fmt.Errorf("experts: %w", err)
	}
	defer rows.Close()
	var out []ExpertRow
	for rows.Next() {
		var r ExpertRow
		if err := rows.Scan(&r.ID, &r.Name, &r.Field, &r.Organisation, &r.Phone, &r.Station, &r.Guidance); err != nil {
			return nil, fmt.Errorf("experts: %w", err)
		}
		r.Phone = records.MaskPhone(r.Phone)
		out = append(out, r)
	}
	return out, rows.Err()
}

// StartupRow is a person's start-up with the support it got.
type StartupRow struct {
	ID string `json:"id"`
	ProgrammePerson
	Station     string  `json:"station"`
	Business    string  `json:"business"`
	Sector      string  `json:"sector"`
	StartedOn   string  `json:"started_on"`
	Place       string  `json:"place"`
	JobsCreated int     `json:"jobs_created"`
	Incubator   string  `json:"incubator"`
	Loans       float64 `json:"loans"`
	Subsidies   float64 `json:"subsidies"`
	Support     int     `json:"support"` // pieces of support of any kind
}

// StartupList lists the start-ups, the latest first.
func (h *Hub) StartupList(ctx context.Context) ([]StartupRow, error) {
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT lower(hex(s.id)), coalesce(s.worker_id, ''), `+personCols+`,
		coalesce(s.station, ''), coalesce(s.business, ''), coalesce(s.sector, ''), coalesce(s.started_on, ''),
		coalesce(s.place, ''), coalesce(s.jobs_created, 0), coalesce(s.incubator, ''),
		coalesce(x.loans, 0), coalesce(x.subsidies, 0), coalesce(x.n, 0)
		FROM startups s`+personJoin("s")+`LEFT JOIN (SELECT startup_id, count(*) AS n,
				sum(CASE WHEN support_kind = :loan THEN amount END) AS loans,
				sum(CASE WHEN support_kind = :subsidy THEN amount END) AS subsidies
			FROM startup_support WHERE fs_deleted = 0 AND startup_id IS NOT NULL GROUP BY startup_id) x
			ON x.startup_id = lower(hex(s.id))
		WHERE s.fs_deleted = 0 AND `+personKept+` ORDER BY s.started_on DESC, w.name, s.id`,
		sql.Named("loan", records.SupportLoan), sql.Named("subsidy", records.SupportSubsidy))
	if err != nil {
		return nil, fmt.Errorf("start-ups: %w", err)
	}
	defer rows.Close()
	var out []StartupRow
	for rows.Next() {
		var r StartupRow
		var worker, name, idNumber, village, tags string
		if err := rows.Scan(&r.ID, &worker, &name, &idNumber, &village, &tags, &r.Station, &r.Business, &r.Sector,
			&r.StartedOn, &r.Place, &r.JobsCreated, &r.Incubator, &r.Loans, &r.Subsidies, &r.Support); err != nil {
			return nil, fmt.Errorf("start-ups: %w", err)
		}
		r.fill(worker, name, idNumber, village, tags)
		out = append(out, r)
	}
	return out, rows.Err()
}

// SupportRow is one piece of start-up support a person got.
type SupportRow struct {
	ID string `json:"id"`
	ProgrammePerson
	Station  string   `json:"station"`
	Business string   `json:"business"` // the start-up it served, if any
	Kind     string   `json:"support_kind"`
	Amount   *float64 `json:"amount"`
	Lender   string   `json:"lender"`
	StartOn  string   `json:"start_on"`
	EndOn    string   `json:"end_on"`
	Expert   string   `json:"expert"`
	Advice   string   `json:"advice"`
}

// SupportList lists the start-up support, the latest first.
func (h *Hub) SupportList(ctx context.Context) ([]SupportRow, error) {
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT lower(hex(x.id)), coalesce(x.worker_id, ''), `+personCols+`,
		coalesce(x.station, ''), coalesce(s.business, ''), coalesce(x.support_kind, ''), x.amount, coalesce(x.lender, ''),
		coalesce(x.start_on, ''), coalesce(x.end_on, ''), coalesce(e.name, ''), coalesce(x.advice, '')
		FROM startup_support x LEFT JOIN startups s ON s.id = unhex(x.startup_id) AND s.fs_deleted = 0
		LEFT JOIN experts e ON e.id = unhex(x.expert_id)`+personJoin("x")+`
		WHERE x.fs_deleted = 0 AND `+personKept+` ORDER BY x.start_on DESC, w.name, x.id`)
	if err != nil {
		return nil, fmt.Errorf("start-up support: %w", err)
	}
	defer rows.Close()
	var out []SupportRow
	for rows.Next() {
		var r SupportRow
		var worker, name, idNumber, village, tags string
		var amount sql.NullFloat64
		if err := rows.Scan(&r.ID, &worker, &name, &idNumber, &village, &tags, &r.Station, &r.Business, &r.Kind, &amount,
			&r.Lender, &r.StartOn, &r.EndOn, &r.Expert, &r.Advice); err != nil {
			return nil, fmt.Errorf("start-up support: %w", err)
		}
		r.fill(worker, name, idNumber, village, tags)
		if amount.Valid {
			r.Amount = &amount.Float64
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReturnRow is a person's return home.
type ReturnRow struct {
	ID string `json:"id"`
	ProgrammePerson
	Station    string `json:"station"`
	ReturnedOn string `json:"returned_on"`
	FromPlace  string `json:"from_place"`
	Reason     string `json:"return_reason"`
	Intention  string `json:"intention"`
}

// ReturnList lists the returns of f's month, by date.
func (h *Hub) ReturnList(ctx context.Context, f ServiceFilter) ([]ReturnRow, error) {
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT lower(hex(r.id)), coalesce(r.worker_id, ''), `+personCols+`,
		coalesce(r.station, ''), coalesce(r.returned_on, ''), coalesce(r.from_place, ''), coalesce(r.return_reason, ''),
		coalesce(r.intention, '')
		FROM returns r`+personJoin("r")+`WHERE r.fs_deleted = 0 AND r.returned_on >= :first AND r.returned_on < :next
		AND `+personKept+` ORDER BY r.returned_on, w.name, r.id`,
		sql.Named("first", f.Month+"-01"), sql.Named("next", f.Month+"-32"))
	if err != nil {
		return nil, fmt.Errorf("returns: %w", err)
	}
	defer rows.Close()
	var out []ReturnRow
	for rows.Next() {
		var r ReturnRow
		var worker, name, idNumber, village, tags string
		if err := rows.Scan(&r.ID, &worker, &name, &idNumber, &village, &tags, &r.Station, &r.ReturnedOn, &r.FromPlace,
			&r.Reason, &r.Intention); err != nil {
			return nil, fmt.Errorf("returns: %w", err)
		}
		r.fill(worker, name, idNumber, village, tags)
		out = append(out, r)
	}
	return out, rows.Err()
}

// JobFairRow is a recruitment event with the postings published at it.
type JobFairRow struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Kind       string `json:"fair_kind"`
	HeldOn     string `json:"held_on"`
	EndOn      string `json:"end_on"`
	Place      string `json:"place"`
	Organiser  string `json:"organiser"`
	Employers  int    `json:"employers"`
	Postings   int    `json:"postings"` // as the event reported them
	Attendees  int    `json:"attendees"`
	Agreements int    `json:"agreements"`
	Station    string `json:"station"`
	Posted     int    `json:"posted"` // postings in the system naming the event
	Headcount  int    `json:"headcount"`
	Filled     int    `json:"filled"`
}

// JobFairList lists the job fairs, the latest first.
func (h *Hub) JobFairList(ctx context.Context) ([]JobFairRow, error) {
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT lower(hex(f.id)), coalesce(f.title, ''), coalesce(f.fair_kind, ''),
		coalesce(f.held_on, ''), coalesce(f.end_on, ''), coalesce(f.place, ''), coalesce(f.organiser, ''),
		coalesce(f.employers, 0), coalesce(f.postings, 0), coalesce(f.attendees, 0), coalesce(f.agreements, 0),
		coalesce(f.station, ''), coalesce(p.n, 0), coalesce(p.headcount, 0), coalesce(p.filled, 0)
		FROM job_fairs f LEFT JOIN (SELECT g.job_fair_id, count(*) AS n, sum(coalesce(g.headcount, 0)) AS headcount,
				sum(coalesce(gf.placed, 0)) AS filled
			FROM gigs g LEFT JOIN gig_fill gf ON gf.id = g.id AND gf.fs_deleted = 0
			WHERE g.fs_deleted = 0 AND g.job_fair_id IS NOT NULL GROUP BY g.job_fair_id) p ON p.job_fair_id = lower(hex(f.id))
		WHERE f.fs_deleted = 0 ORDER BY f.held_on DESC, f.title, f.id`)
	if err != nil {
		return nil, fmt.Errorf("job fairs: %w", err)
	}
	defer rows.Close()
	var out []JobFairRow
	for rows.Next() {
		var r JobFairRow
		if err := rows.Scan(&r.ID, &r.Title, &r.Kind, &r.HeldOn, &r.EndOn, &r.Place, &r.Organiser, &r.Employers,
			&r.Postings, &r.Attendees, &r.Agreements, &r.Station, &r.Posted, &r.Headcount, &r.Filled); err != nil {
			return nil, fmt.Errorf("job fairs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// PostingRow is a posting: a regular job or a gig.
type PostingRow struct {
	ID         string  `json:"id"`
	Title      string  `json:"title"`
	Kind       string  `json:"kind"`
	Occupation string  `json:"occupation"`
	Employer   string  `json:"employer"`
	Place      string  `json:"place"`
	Wage       float64 `json:"wage"`
	WageUnit   string  `json:"wage_unit"`
	Settlement string  `json:"settlement"`
	SuitsOlder bool    `json:"suits_older"`
	JobFair    string  `json:"job_fair"`
	Status     string  `json:"status"`
	Station    string  `json:"station"`
	StartDate  string  `json:"start_date"`
	Headcount  int     `json:"headcount"`
	Filled     int     `json:"filled"`
}

// PostingList lists the postings of f's kind (and suitable for older
// workers, with f.Older), the latest start first.
func (h *Hub) PostingList(ctx context.Context, f ServiceFilter) ([]PostingRow, error) {
	where, args := "1", []any{}
	if f.Kind != "" {
		where, args = gigKindExpr+" = :kind", append(args, sql.Named("kind", f.Kind))
	}
	if f.Older {
		where += " AND g.suits_older = 1"
	}
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT lower(hex(g.id)), coalesce(g.title, ''), `+gigKindExpr+`,
		coalesce(g.occupation, ''), coalesce(g.employer, ''), coalesce(g.place, ''), coalesce(g.wage, 0),
		coalesce(g.wage_unit, ''), coalesce(g.settlement, ''), coalesce(g.suits_older, 0), coalesce(f.title, ''),
		coalesce(g.status, ''), coalesce(g.station, ''), coalesce(g.start_date, ''), coalesce(g.headcount, 0),
		coalesce(gf.placed, 0)
		FROM gigs g LEFT JOIN job_fairs f ON f.id = unhex(g.job_fair_id) AND f.fs_deleted = 0
		LEFT JOIN gig_fill gf ON gf.id = g.id AND gf.fs_deleted = 0
		WHERE g.fs_deleted = 0 AND `+where+` ORDER BY g.start_date DESC, g.title, g.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("postings: %w", err)
	}
	defer rows.Close()
	var out []PostingRow
	for rows.Next() {
		var r PostingRow
		if err := rows.Scan(&r.ID, &r.Title, &r.Kind, &r.Occupation, &r.Employer, &r.Place, &r.Wage, &r.WageUnit,
			&r.Settlement, &r.SuitsOlder, &r.JobFair, &r.Status, &r.Station, &r.StartDate, &r.Headcount, &r.Filled); err != nil {
			return nil, fmt.Errorf("postings: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
