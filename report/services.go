package report

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"fieldsync/records"
)

// The services' figures of a month (ServiceFigures): training, start-up
// support, labour-rights cases, returnees, job fairs and postings by kind.
// Like the programmes' they are read by SQL from their tables, which hold a
// few per cent of the workers: each person's row joins its worker through
// the primary key (or, with Live, asks Live's facts), so they need no Live
// facts of their own. Rights cases give counts and sums only: no person, no
// employer. docs/REPORTS.md defines each.

// ServiceFigures are the services to people of the month.
type ServiceFigures struct {
	Training TrainingFigures `json:"training"`
	Startups StartupFigures  `json:"startups"`
	Rights   RightsFigures   `json:"rights"`
	Returns  ReturnFigures   `json:"returns"`
	JobFairs JobFairFigures  `json:"job_fairs"`
	Postings PostingFigures  `json:"postings"`
}

// TrainingCounts are the training figures of the county or of one 苏木乡镇
// (the person's residence).
type TrainingCounts struct {
	// Trained counts the people enrolled in a course active in the month
	// (start_on on or before its last day, end_on empty or on or after its
	// first); ByKind them by the course's kind (records.TrainingKinds, then
	// any other), ByGroup by ProgrammeGroups.
	Trained int      `json:"trained"`
	ByKind  []Bucket `json:"by_kind"`
	ByGroup []Bucket `json:"by_group"`
	// Completed counts the people with an enrolment completed (completed
	// set) whose completed_on is in the month.
	Completed int `json:"completed"`
	// Certificates counts the enrolments with a certificate (its kind set)
	// completed in the month: certificates, not people.
	Certificates int `json:"certificates"`
}

// TrainingArea is the training figures of one 苏木乡镇 ("" for people
// without a residence village).
type TrainingArea struct {
	Code string `json:"code"`
	Name string `json:"name,omitempty"`
	TrainingCounts
}

// TrainingFigures are the month's training: the county's counts, the
// courses, certificates by kind and level, subsidies paid, and the counts
// by 苏木乡镇 (code order).
type TrainingFigures struct {
	TrainingCounts
	// Courses counts the courses (not deleted) active in the month.
	Courses int `json:"courses"`
	// CertificatesByKind (records.CertificateKinds, then any other) and
	// CertificatesByLevel (records.CertificateLevels, then any other; 未填
	// for none) count Certificates.
	CertificatesByKind  []Bucket `json:"certificates_by_kind"`
	CertificatesByLevel []Bucket `json:"certificates_by_level"`
	// SubsidyPeople counts the people with a training subsidy paid
	// (paid_on) in the month; SubsidyPaid sums those payments (元).
	SubsidyPeople int            `json:"subsidy_people"`
	SubsidyPaid   float64        `json:"subsidy_paid"`
	ByTownship    []TrainingArea `json:"by_township"`
}

// StartupFigures are the 返乡入乡创业 start-ups and their support.
type StartupFigures struct {
	// Startups counts the start-ups (rows) started on or before the
	// month's last day, as they stand; People the people running them;
	// JobsCreated sums their jobs_created; InIncubator counts those in a
	// park or incubator.
	Startups    int `json:"startups"`
	People      int `json:"people"`
	JobsCreated int `json:"jobs_created"`
	InIncubator int `json:"in_incubator"`
	// New counts the start-ups started in the month; NewJobsCreated sums
	// their jobs_created.
	New            int `json:"new"`
	NewJobsCreated int `json:"new_jobs_created"`
	// Support is the support given in the month (start_on in the month),
	// by kind (records.SupportKinds, then any other).
	Support []SupportRow `json:"support"`
	// LoansActive counts the guaranteed loans running in the month
	// (start_on on or before its last day, end_on empty or on or after its
	// first); LoansActiveAmount sums their amounts.
	LoansActive       int     `json:"loans_active"`
	LoansActiveAmount float64 `json:"loans_active_amount"`
}

// SupportRow is one kind of start-up support given in the month: rows,
// people, and the sum of their amounts (元).
type SupportRow struct {
	Kind   string  `json:"kind"`
	Count  int     `json:"count"`
	People int     `json:"people"`
	Amount float64 `json:"amount"`
}

// RightsFigures are the labour-rights cases: counts and sums only.
type RightsFigures struct {
	// Opened counts the cases received (received_on) in the month;
	// OpenedPeople the people they concern; OpenedByKind and
	// OpenedByReferral count the cases by kind (records.RightsKinds) and
	// referral (records.RightsReferrals, 未填 for none); AmountClaimed
	// sums their amounts claimed.
	Opened           int      `json:"opened"`
	OpenedPeople     int      `json:"opened_people"`
	OpenedByKind     []Bucket `json:"opened_by_kind"`
	OpenedByReferral []Bucket `json:"opened_by_referral"`
	AmountClaimed    float64  `json:"amount_claimed"`
	// Closed counts the cases 办结 whose closed_on is in the month;
	// Recovered sums their amount_recovered, RecoveredCases counts those
	// with an amount recovered above 0.
	Closed         int     `json:"closed"`
	Recovered      float64 `json:"recovered"`
	RecoveredCases int     `json:"recovered_cases"`
	// Open counts the cases open at the month's end: received on or before
	// its last day and not 办结 by then (办结 with no closed_on is closed).
	Open int `json:"open"`
}

// ReturnFigures are the returnees of the month.
type ReturnFigures struct {
	// People counts the people with a return whose returned_on is in the
	// month; ByIntention (records.ReturnIntentions), ByReason
	// (records.ReturnReasons) and ByGroup (ProgrammeGroups) count them,
	// ByTownship by their 苏木乡镇 code (code order, "" for none).
	People      int      `json:"people"`
	ByIntention []Bucket `json:"by_intention"`
	ByReason    []Bucket `json:"by_reason"`
	ByGroup     []Bucket `json:"by_group"`
	ByTownship  []Bucket `json:"by_township"`
	// Year counts the people returned from 1 January through the month's
	// last day.
	Year int `json:"year"`
}

// JobFairFigures are the recruitment events held (held_on) in the month.
type JobFairFigures struct {
	JobFairRow
	// ByKind are the fairs by kind (records.JobFairKinds, then any other).
	ByKind []JobFairRow `json:"by_kind"`
	// Postings counts the postings (gigs and jobs not deleted) that name a
	// fair held in the month.
	Postings int `json:"postings"`
}

// JobFairRow sums the fairs of one kind (or all): their number and the
// employers, postings, attendees and agreements each recorded.
type JobFairRow struct {
	Kind       string `json:"kind,omitempty"`
	Fairs      int    `json:"fairs"`
	Employers  int    `json:"employers"`
	Offered    int    `json:"offered"` // the fairs' own postings column
	Attendees  int    `json:"attendees"`
	Agreements int    `json:"agreements"`
}

// PostingFigures split the postings into regular jobs (全职) and gigs
// (零工, and postings without a kind).
type PostingFigures struct {
	ByKind []PostingRow `json:"by_kind"` // records.GigKinds order: 零工, 全职
	// SuitsOlder counts the postings suiting older workers.
	SuitsOlder PostingRow `json:"suits_older"`
}

// PostingRow is one kind of posting: posted in the month (the day in its
// time-ordered id, as GigMonth.Posted) and their headcount, placements of
// the month (status placed, placed_on in the month), and as it stands open
// and filled (status).
type PostingRow struct {
	Kind            string `json:"kind,omitempty"`
	Posted          int    `json:"posted"`
	PostedHeadcount int    `json:"posted_headcount"`
	Placed          int    `json:"placed"`
	Open            int    `json:"open"`
	Filled          int    `json:"filled"`
}

// serviceReader runs the services' queries with the period's arguments,
// each row's worker counted as queryProgrammes counts it.
type serviceReader struct {
	ctx  context.Context
	db   queryer
	args []any
	live *Live
	opt  Options
	cols string // progWorkerCols, or noWorkerCols with Live
	join string
	id   string
	w    progWorker
	// fairsHeld are the hex ids of the job fairs held in the month.
	fairsHeld map[string]bool
}

func (s *serviceReader) each(what, q string, scan func(rows *sql.Rows) error) error {
	rows, err := s.db.QueryContext(s.ctx, q, s.args...)
	if err != nil {
		return fmt.Errorf("count %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("count %s: %w", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("count %s: %w", what, err)
	}
	return nil
}

// person scans a row whose first columns are the worker's (worker_id, then
// s.cols) and then more, and reports whether its worker counts.
func (s *serviceReader) person(rows *sql.Rows, more ...any) (bool, error) {
	dest := append([]any{&s.id, &s.w.village, &s.w.groups[0], &s.w.groups[1], &s.w.groups[2], &s.w.groups[3]}, more...)
	if err := rows.Scan(dest...); err != nil {
		return false, err
	}
	if s.live == nil {
		return true, nil
	}
	var ok bool
	s.w, ok = s.live.programmeWorker(s.id)
	return ok, nil
}

// groupsOf adds person to t under each of w's ProgrammeGroups.
func groupsOf(t tally, w progWorker, person string) {
	for i, in := range w.groups {
		if in {
			t.add(ProgrammeGroups[i], person)
		}
	}
}

// queryServices counts the month's service figures. Names are left to name.
func queryServices(ctx context.Context, db queryer, p period, opt Options, live *Live) (ServiceFigures, error) {
	var f ServiceFigures
	s := &serviceReader{ctx: ctx, db: db, live: live, opt: opt, cols: progWorkerCols, join: workerJoin(opt, live),
		args: stationArgs(append(p.args(opt), sql.Named("year_first", p.Month[:4]+"-01-01")), opt)}
	if live != nil {
		s.cols = noWorkerCols
	}
	for _, fn := range []func(*serviceReader, *ServiceFigures) error{queryTraining, queryStartups, queryRights,
		queryReturns, queryJobFairs} {
		if err := fn(s, &f); err != nil {
			return f, err
		}
	}
	if live != nil {
		// The postings from Live's gig facts: the tables of gigs and
		// placements are not read again.
		f.Postings, f.JobFairs.Postings = live.postings(p, s.fairsHeld)
		return f, nil
	}
	var err error
	f.Postings, err = queryPostings(ctx, db, p, opt)
	return f, err
}

// postings counts Live's gigs as queryPostings counts the tables, and the
// gigs naming one of fairs (hex ids).
func (l *Live) postings(p period, fairs map[string]bool) (PostingFigures, int) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	m := monthRange{first: gigDay(datePart(p.First)), last: gigDay(datePart(p.Last)), firstText: p.First, lastText: p.Last}
	var f PostingFigures
	var rows [2]PostingRow // 零工, 全职
	atFairs := 0
	for _, g := range l.gigs {
		if !g.exists {
			continue
		}
		if g.fair != "" && fairs[g.fair] {
			atFairs++
		}
		var x PostingRow
		if m.in(g, &g.posted) {
			x.Posted, x.PostedHeadcount = 1, g.headcount
		}
		for i := range g.placedOn {
			x.Placed += b2i(m.in(g, &g.placedOn[i]))
		}
		// Compared as text: interning (strs.of) would write under the
		// read lock.
		status := l.strs.str[g.status]
		x.Open, x.Filled = b2i(status == records.GigOpen), b2i(status == records.GigFilled)
		for _, r := range []*PostingRow{&rows[b2i(g.job)], &f.SuitsOlder} {
			if r == &f.SuitsOlder && !g.older {
				continue
			}
			r.Posted += x.Posted
			r.PostedHeadcount += x.PostedHeadcount
			r.Placed += x.Placed
			r.Open += x.Open
			r.Filled += x.Filled
		}
	}
	rows[0].Kind, rows[1].Kind = records.GigKindCasual, records.GigKindJob
	f.ByKind = rows[:]
	return f, atFairs
}

// trainingTally gathers one area's training people and certificates.
type trainingTally struct {
	trained, kinds, groups, completed tally
	certificates                      int
}

func newTrainingTally() *trainingTally { return &trainingTally{tally{}, tally{}, tally{}, tally{}, 0} }

// rowBuckets are the counts of rows by key: the known keys in order (zeros
// too), then any other (sorted; "" as empty).
func rowBuckets(m map[string]int, known []string, empty string) []Bucket {
	out := make([]Bucket, 0, len(known))
	for _, k := range known {
		out = append(out, Bucket{Key: k, Count: m[k]})
	}
	for _, k := range sortedKeys(m) {
		if slices.Contains(known, k) {
			continue
		}
		label := k
		if k == "" {
			label = empty
		}
		out = append(out, Bucket{Key: label, Count: m[k]})
	}
	return out
}

func queryTraining(s *serviceReader, f *ServiceFigures) error {
	t := &f.Training
	err := s.each("courses", `SELECT count(*) FROM trainings x WHERE x.fs_deleted = 0 AND `+
		activeExpr("start_on", "end_on"), func(rows *sql.Rows) error { return rows.Scan(&t.Courses) })
	if err != nil {
		return err
	}
	county, towns := newTrainingTally(), map[string]*trainingTally{}
	kinds, levels, subsidy := map[string]int{}, map[string]int{}, tally{}
	var kind, certKind, certLevel string
	var active, completed, paid bool
	var amount float64
	err = s.each("training enrolments", `SELECT x.worker_id, `+s.cols+`, coalesce(t.kind, ''),
		coalesce(t.start_on <= :last AND (coalesce(t.end_on, '') = '' OR t.end_on >= :first), 0),
		coalesce(x.completed = 1 AND x.completed_on >= :first AND x.completed_on <= :last, 0),
		coalesce(x.certificate_kind, ''), coalesce(x.certificate_level, ''),
		coalesce(x.paid_on >= :first AND x.paid_on <= :last, 0), coalesce(x.subsidy_paid, 0)
		FROM training_enrolments x`+s.join+`
		CROSS JOIN trainings t ON t.id = unhex(x.training_id) AND t.fs_deleted = 0
		WHERE x.fs_deleted = 0 AND (t.start_on <= :last AND (coalesce(t.end_on, '') = '' OR t.end_on >= :first)
			OR x.completed_on >= :first AND x.completed_on <= :last OR x.paid_on >= :first AND x.paid_on <= :last)`,
		func(rows *sql.Rows) error {
			if ok, err := s.person(rows, &kind, &active, &completed, &certKind, &certLevel, &paid, &amount); err != nil || !ok {
				return err
			}
			if active || completed {
				tc := township(s.w.village)
				town := towns[tc]
				if town == nil {
					town = newTrainingTally()
					towns[tc] = town
				}
				for _, x := range []*trainingTally{county, town} {
					if active {
						x.trained.add("", s.id)
						x.kinds.add(kind, s.id)
						groupsOf(x.groups, s.w, s.id)
					}
					if completed {
						x.completed.add("", s.id)
						if certKind != "" {
							x.certificates++
						}
					}
				}
				if completed && certKind != "" {
					kinds[certKind]++
					levels[certLevel]++
				}
			}
			if paid {
				subsidy.add("", s.id)
				t.SubsidyPaid += amount
			}
			return nil
		})
	if err != nil {
		return err
	}
	counts := func(x *trainingTally) TrainingCounts {
		return TrainingCounts{Trained: x.trained.count(""), ByKind: x.kinds.buckets(records.TrainingKinds, NotRecorded),
			ByGroup: x.groups.buckets(ProgrammeGroups, NotRecorded), Completed: x.completed.count(""),
			Certificates: x.certificates}
	}
	t.TrainingCounts = counts(county)
	t.CertificatesByKind = rowBuckets(kinds, records.CertificateKinds, NotRecorded)
	t.CertificatesByLevel = rowBuckets(levels, records.CertificateLevels, NotRecorded)
	t.SubsidyPeople = subsidy.count("")
	t.ByTownship = []TrainingArea{}
	for _, tc := range sortedKeys(towns) {
		t.ByTownship = append(t.ByTownship, TrainingArea{Code: tc, TrainingCounts: counts(towns[tc])})
	}
	return nil
}

func queryStartups(s *serviceReader, f *ServiceFigures) error {
	st := &f.Startups
	people := tally{}
	var started, isNew, incubator bool
	var jobs int
	err := s.each("start-ups", `SELECT x.worker_id, `+s.cols+`, coalesce(x.started_on <= :last, 0),
		coalesce(x.started_on >= :first AND x.started_on <= :last, 0), coalesce(x.jobs_created, 0),
		coalesce(x.incubator, '') <> ''
		FROM startups x`+s.join+` WHERE x.fs_deleted = 0`, func(rows *sql.Rows) error {
		if ok, err := s.person(rows, &started, &isNew, &jobs, &incubator); err != nil || !ok || !started {
			return err
		}
		st.Startups++
		people.add("", s.id)
		st.JobsCreated += jobs
		if incubator {
			st.InIncubator++
		}
		if isNew {
			st.New++
			st.NewJobsCreated += jobs
		}
		return nil
	})
	if err != nil {
		return err
	}
	st.People = people.count("")
	rowsBy, supported := map[string]*SupportRow{}, tally{}
	var kind string
	var inMonth, running bool
	var amount float64
	err = s.each("start-up support", `SELECT x.worker_id, `+s.cols+`, coalesce(x.support_kind, ''),
		coalesce(x.start_on >= :first AND x.start_on <= :last, 0), coalesce(`+activeExpr("start_on", "end_on")+`, 0),
		coalesce(x.amount, 0)
		FROM startup_support x`+s.join+` WHERE x.fs_deleted = 0 AND (coalesce(x.startup_id, '') = ''
		OR EXISTS (SELECT 1 FROM startups su WHERE su.id = unhex(x.startup_id) AND su.fs_deleted = 0))
		AND (x.start_on >= :first AND x.start_on <= :last OR x.support_kind = '`+records.SupportLoan+`' AND `+
		activeExpr("start_on", "end_on")+`)`,
		func(rows *sql.Rows) error {
			if ok, err := s.person(rows, &kind, &inMonth, &running, &amount); err != nil || !ok {
				return err
			}
			if inMonth {
				r := rowsBy[kind]
				if r == nil {
					r = &SupportRow{Kind: kind}
					rowsBy[kind] = r
				}
				r.Count++
				r.Amount += amount
				supported.add(kind, s.id)
			}
			if running && kind == records.SupportLoan {
				st.LoansActive++
				st.LoansActiveAmount += amount
			}
			return nil
		})
	if err != nil {
		return err
	}
	st.Support = []SupportRow{}
	kinds := slices.Clone(records.SupportKinds)
	for _, k := range sortedKeys(rowsBy) {
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	for _, k := range kinds {
		r := SupportRow{Kind: k}
		if x := rowsBy[k]; x != nil {
			r = *x
		}
		r.People = supported.count(k)
		if r.Kind == "" {
			r.Kind = NotRecorded
		}
		st.Support = append(st.Support, r)
	}
	return nil
}

func queryRights(s *serviceReader, f *ServiceFigures) error {
	r := &f.Rights
	people, kinds, referrals := tally{}, map[string]int{}, map[string]int{}
	var kind, referral string
	var opened, closed, open bool
	var claimed, recovered float64
	err := s.each("rights cases", `SELECT x.worker_id, `+s.cols+`, coalesce(x.rights_kind, ''), coalesce(x.referral, ''),
		coalesce(x.received_on >= :first AND x.received_on <= :last, 0),
		coalesce(x.case_status = '`+records.RightsClosed+`' AND x.closed_on >= :first AND x.closed_on <= :last, 0),
		coalesce(x.received_on <= :last AND NOT (x.case_status = '`+records.RightsClosed+`'
			AND (coalesce(x.closed_on, '') = '' OR x.closed_on <= :last)), 0),
		coalesce(x.amount_claimed, 0), coalesce(x.amount_recovered, 0)
		FROM rights_cases x`+s.join+` WHERE x.fs_deleted = 0`, func(rows *sql.Rows) error {
		if ok, err := s.person(rows, &kind, &referral, &opened, &closed, &open, &claimed, &recovered); err != nil || !ok {
			return err
		}
		if opened {
			r.Opened++
			people.add("", s.id)
			kinds[kind]++
			referrals[referral]++
			r.AmountClaimed += claimed
		}
		if closed {
			r.Closed++
			r.Recovered += recovered
			if recovered > 0 {
				r.RecoveredCases++
			}
		}
		if open {
			r.Open++
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.OpenedPeople = people.count("")
	r.OpenedByKind = rowBuckets(kinds, records.RightsKinds, NotRecorded)
	r.OpenedByReferral = rowBuckets(referrals, records.RightsReferrals, NotRecorded)
	return nil
}

func queryReturns(s *serviceReader, f *ServiceFigures) error {
	r := &f.Returns
	people, year, intentions, reasons, groups, towns := tally{}, tally{}, tally{}, tally{}, tally{}, tally{}
	var intention, reason string
	// The year so far: only who (one column, each person once); the
	// month: why and what next.
	err := s.each("returns of the year", `SELECT DISTINCT x.worker_id, `+s.cols+`
		FROM returns x`+s.join+` WHERE x.fs_deleted = 0 AND x.returned_on >= :year_first AND x.returned_on <= :last`,
		func(rows *sql.Rows) error {
			if ok, err := s.person(rows); err != nil || !ok {
				return err
			}
			year.add("", s.id)
			return nil
		})
	if err != nil {
		return err
	}
	err = s.each("returns", `SELECT x.worker_id, `+s.cols+`, coalesce(x.intention, ''), coalesce(x.return_reason, '')
		FROM returns x`+s.join+` WHERE x.fs_deleted = 0 AND x.returned_on >= :first AND x.returned_on <= :last`,
		func(rows *sql.Rows) error {
			if ok, err := s.person(rows, &intention, &reason); err != nil || !ok {
				return err
			}
			people.add("", s.id)
			intentions.add(intention, s.id)
			reasons.add(reason, s.id)
			groupsOf(groups, s.w, s.id)
			towns.add(township(s.w.village), s.id)
			return nil
		})
	if err != nil {
		return err
	}
	r.People, r.Year = people.count(""), year.count("")
	r.ByIntention = intentions.buckets(records.ReturnIntentions, NotRecorded)
	r.ByReason = reasons.buckets(records.ReturnReasons, NotRecorded)
	r.ByGroup = groups.buckets(ProgrammeGroups, NotRecorded)
	r.ByTownship = []Bucket{}
	for _, k := range sortedKeys(towns) {
		r.ByTownship = append(r.ByTownship, Bucket{Key: k, Count: towns.count(k)})
	}
	return nil
}

func queryJobFairs(s *serviceReader, f *ServiceFigures) error {
	j := &f.JobFairs
	byKind := map[string]*JobFairRow{}
	var x JobFairRow
	err := s.each("job fairs", `SELECT coalesce(x.fair_kind, ''), count(*), coalesce(sum(x.employers), 0),
		coalesce(sum(x.postings), 0), coalesce(sum(x.attendees), 0), coalesce(sum(x.agreements), 0)
		FROM job_fairs x WHERE x.fs_deleted = 0 AND x.held_on >= :first AND x.held_on <= :last GROUP BY 1`,
		func(rows *sql.Rows) error {
			if err := rows.Scan(&x.Kind, &x.Fairs, &x.Employers, &x.Offered, &x.Attendees, &x.Agreements); err != nil {
				return err
			}
			r := x
			byKind[x.Kind] = &r
			j.Fairs += x.Fairs
			j.Employers += x.Employers
			j.Offered += x.Offered
			j.Attendees += x.Attendees
			j.Agreements += x.Agreements
			return nil
		})
	if err != nil {
		return err
	}
	j.ByKind = []JobFairRow{}
	for _, k := range records.JobFairKinds {
		r := JobFairRow{Kind: k}
		if x := byKind[k]; x != nil {
			r = *x
		}
		j.ByKind = append(j.ByKind, r)
	}
	for _, k := range sortedKeys(byKind) {
		if !slices.Contains(records.JobFairKinds, k) {
			r := *byKind[k]
			if r.Kind == "" {
				r.Kind = NotRecorded
			}
			j.ByKind = append(j.ByKind, r)
		}
	}
	s.fairsHeld = map[string]bool{}
	err = s.each("job fairs held", `SELECT lower(hex(x.id)) FROM job_fairs x WHERE x.fs_deleted = 0
		AND x.held_on >= :first AND x.held_on <= :last`, func(rows *sql.Rows) error {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		s.fairsHeld[id] = true
		return nil
	})
	if err != nil || s.live != nil {
		return err // with Live, Live.postings counts the postings at the fairs
	}
	return s.each("postings at job fairs", `SELECT count(*) FROM gigs g CROSS JOIN job_fairs x
		ON x.id = unhex(g.job_fair_id) AND x.fs_deleted = 0 AND x.held_on >= :first AND x.held_on <= :last
		WHERE g.fs_deleted = 0 AND coalesce(g.job_fair_id, '') <> ''`+stationOnly(s.opt, "g"),
		func(rows *sql.Rows) error { return rows.Scan(&j.Postings) })
}

// queryPostings counts the postings by kind and those suiting older
// workers, as PostingRow defines.
func queryPostings(ctx context.Context, db queryer, p period, opt Options) (PostingFigures, error) {
	var f PostingFigures
	args := stationArgs(p.args(opt), opt)
	kindOf := `(CASE WHEN g.kind = '` + records.GigKindJob + `' THEN '` + records.GigKindJob + `' ELSE '` +
		records.GigKindCasual + `' END)`
	by := map[string]*PostingRow{}
	row := func(kind string) *PostingRow {
		if kind == "older" {
			return &f.SuitsOlder
		}
		r := by[kind]
		if r == nil {
			r = &PostingRow{Kind: kind}
			by[kind] = r
		}
		return r
	}
	scan := func(what, q string, fn func(rows *sql.Rows) error) error {
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("count %s: %w", what, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				return fmt.Errorf("count %s: %w", what, err)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("count %s: %w", what, err)
		}
		return nil
	}
	var kind string
	var older bool
	var posted, headcount, open, filled int
	err := scan("postings", `SELECT kind, older, coalesce(sum(posted BETWEEN :first AND :last), 0),
		coalesce(sum(CASE WHEN posted BETWEEN :first AND :last THEN hc ELSE 0 END), 0),
		coalesce(sum(status = '`+records.GigOpen+`'), 0), coalesce(sum(status = '`+records.GigFilled+`'), 0)
		FROM (SELECT `+kindOf+` AS kind, coalesce(g.suits_older, 0) = 1 AS older, `+postedDayExpr("g.id")+` AS posted,
			max(coalesce(g.headcount, 0), 0) AS hc, g.status AS status
			FROM gigs g WHERE g.fs_deleted = 0`+stationOnly(opt, "g")+`)
		GROUP BY kind, older`, func(rows *sql.Rows) error {
		if err := rows.Scan(&kind, &older, &posted, &headcount, &open, &filled); err != nil {
			return err
		}
		rs := []*PostingRow{row(kind)}
		if older {
			rs = append(rs, row("older"))
		}
		for _, r := range rs {
			r.Posted += posted
			r.PostedHeadcount += headcount
			r.Open += open
			r.Filled += filled
		}
		return nil
	})
	if err != nil {
		return f, err
	}
	var placed int
	err = scan("placements by posting kind", `SELECT `+kindOf+`, coalesce(g.suits_older, 0) = 1, count(*)
		FROM placements p CROSS JOIN gigs g ON g.id = unhex(p.gig_id) AND g.fs_deleted = 0
		WHERE p.fs_deleted = 0 AND p.status = '`+records.PlacementPlaced+`' AND p.placed_on BETWEEN :first AND :last`+
		stationOnly(opt, "p")+`
		GROUP BY 1, 2`, func(rows *sql.Rows) error {
		if err := rows.Scan(&kind, &older, &placed); err != nil {
			return err
		}
		row(kind).Placed += placed
		if older {
			f.SuitsOlder.Placed += placed
		}
		return nil
	})
	if err != nil {
		return f, err
	}
	f.ByKind = []PostingRow{}
	for _, k := range records.GigKinds {
		f.ByKind = append(f.ByKind, *row(k))
	}
	return f, nil
}

// name gives the areas of s their names.
func (s *ServiceFigures) name(names areaNameMap) {
	for i := range s.Training.ByTownship {
		s.Training.ByTownship[i].Name = names.name(s.Training.ByTownship[i].Code)
	}
}
