package report

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
)

// PeopleQuery selects the people behind a figure of a month, for drill-down.
// Its filters combine with AND; the zero value of each selects everyone.
type PeopleQuery struct {
	Month string `json:"month"`
	// List is a list type (就业/失业/有意愿外出 or employed/unemployed/
	// willing_away), NoStatus for people without a status this month, or ""
	// for everyone.
	List string `json:"list"`
	// Area is a division code prefix of the residence village: a township
	// (9 digits) or a village (12).
	Area string `json:"area"`
	// Group is GroupPoverty, GroupMonitored, GroupEither (in either), or "".
	Group string `json:"group"`
	// Older keeps only older workers (大龄) at the month's end.
	Older bool `json:"older"`
	// Gap keeps only people of either group with no follow-up in the month
	// (GapMonth) or in the six months ending with it (GapSixMonths).
	Gap string `json:"gap"`
	// Flow keeps only the people whose status moved since last month
	// (FlowFigures): FlowToUnemployed, FlowToEmployed, FlowNewWillingAway,
	// FlowReturned.
	Flow string `json:"flow"`
	// Registration keeps only the people with a registration of the month
	// (RegistrationFigures): RegUnemploymentNew, RegUnemploymentClosed,
	// RegUnemploymentOpen, RegJobseekerNew.
	Registration string `json:"registration"`
	// Scope keeps only the people whose status of the month has a work
	// scope of ScopeAway (县外区内 or 区外), ScopeOutsideRegion (区外) or
	// ScopeInCounty (本村 or 乡外县内); with List 就业 they are AwayFigures'.
	Scope string `json:"scope"`
	// Quality keeps only the people of a data gap (QualityFigures):
	// QualityNoPhone, QualityUnverified.
	Quality string `json:"quality"`
	// Programme keeps only the people of a programme figure:
	// ProgrammeNotEmployed (ProgrammeFigures.NotEmployed). It is answered
	// from the tables, not Live: it reads the few people of the programme
	// tables.
	Programme string `json:"programme"`
	// Limit is at most MaxLimit; 0 means DefaultLimit.
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

// Filter values of PeopleQuery.
const (
	NoStatus     = "none"
	GroupEither  = "either"
	GapMonth     = "month"
	GapSixMonths = "six_months"

	FlowToUnemployed   = "to_unemployed"
	FlowToEmployed     = "to_employed"
	FlowNewWillingAway = "new_willing_away"
	FlowReturned       = "returned"

	RegUnemploymentNew    = "unemployment_new"
	RegUnemploymentClosed = "unemployment_closed"
	RegUnemploymentOpen   = "unemployment_open"
	RegJobseekerNew       = "jobseeker_new"

	ScopeAway          = "away"
	ScopeOutsideRegion = "outside_region"
	ScopeInCounty      = "in_county"

	QualityNoPhone    = "no_phone"
	QualityUnverified = "unverified"

	ProgrammeNotEmployed = "not_employed"
)

// Page sizes of People.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// ErrBadQuery is returned for a filter value People does not know.
var ErrBadQuery = errors.New("bad query")

// Person is one person of a drill-down or of a report sheet, with the
// month's status. IDNumber is masked (1504**********123X) unless the report
// was asked for unmasked.
type Person struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	IDNumber    string   `json:"id_number"`
	Sex         string   `json:"sex"` // 男 or 女
	Age         int      `json:"age"` // at the month's end; -1 if unknown
	Older       bool     `json:"older"`
	Township    string   `json:"township"`
	Village     string   `json:"village"`
	Tags        []string `json:"tags"`
	MonitorType string   `json:"monitor_type,omitempty"`
	List        string   `json:"list"` // 就业 or 失业; "" without a status this month
	// WillingAway: on the 有意愿外出 list this month (whatever List).
	WillingAway      bool     `json:"willing_away"`
	WorkScope        string   `json:"work_scope,omitempty"`
	Place            string   `json:"place,omitempty"`
	Industry         string   `json:"industry,omitempty"`
	EmploymentForm   string   `json:"employment_form,omitempty"`
	MonthlyIncome    *float64 `json:"monthly_income"` // nil: not entered (未填报), or no status
	VerifiedByMethod string   `json:"verified_by_method,omitempty"`
	VerifiedBy       string   `json:"verified_by,omitempty"`
	VerifiedAt       string   `json:"verified_at,omitempty"`
	// Ledger columns (filled by the ledger sheet and Gap queries).
	FollowupsMonth int    `json:"followups_month"`
	FollowupsSix   int    `json:"followups_six_months"`
	LastFollowup   string `json:"last_followup,omitempty"`
	LastMethod     string `json:"last_method,omitempty"`
	LastService    string `json:"last_service,omitempty"`
	LastOutcome    string `json:"last_outcome,omitempty"`
}

// PeoplePage is one page of people and how many match in all.
type PeoplePage struct {
	People []Person `json:"people"`
	Total  int      `json:"total"`
	Limit  int      `json:"limit"`
	Offset int      `json:"offset"`
}

// People lists the people behind a figure, ordered by village, name and id.
// Id numbers are always masked here.
func People(ctx context.Context, db *sql.DB, q PeopleQuery, opt Options) (*PeoplePage, error) {
	opt = opt.withDefaults()
	opt.Unmasked = false
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	q.Limit = min(q.Limit, MaxLimit)
	q.Offset = max(q.Offset, 0)
	if l := opt.Live; l != nil && opt.Station == "" && l.Ready() && q.Programme == "" {
		return livePeople(ctx, db, l, q, opt)
	}
	page := &PeoplePage{People: []Person{}, Limit: q.Limit, Offset: q.Offset}
	from, args, err := peopleFrom(q, opt)
	if err != nil {
		return nil, err
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) `+from, args...).Scan(&page.Total); err != nil {
		return nil, fmt.Errorf("count people: %w", err)
	}
	args = append(args, sql.Named("limit", q.Limit), sql.Named("offset", q.Offset))
	err = scanPeople(ctx, db, from+` LIMIT :limit OFFSET :offset`, args, q.Month, opt, false, func(p *Person) error {
		page.People = append(page.People, *p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// peopleFrom builds the FROM … ORDER BY part of a people query.
func peopleFrom(q PeopleQuery, opt Options) (string, []any, error) {
	p, err := parsePeriod(q.Month)
	if err != nil {
		return "", nil, err
	}
	args := p.args(opt)
	where := []string{"+w.fs_deleted = 0", "w.left_reason IS NULL"}
	join := "LEFT JOIN"
	switch l := q.List; {
	case l == "":
	case l == NoStatus:
		where = append(where, "s.id IS NULL")
	case records.NormalizeList(l) != "":
		// CROSS JOIN keeps workers the outer loop: the status is found from
		// the worker, never the other way round.
		join = "CROSS JOIN"
		where = append(where, records.ListCondition(records.NormalizeList(l), "s"))
	default:
		return "", nil, fmt.Errorf("%w: list %q", ErrBadQuery, l)
	}
	if q.Area != "" {
		if strings.Trim(q.Area, "0123456789") != "" || len(q.Area) > 12 {
			return "", nil, fmt.Errorf("%w: area %q", ErrBadQuery, q.Area)
		}
		// A range on the code, so that an index on residence_village serves
		// it (':' follows '9').
		where = append(where, "w.residence_village >= :area AND w.residence_village < :area || ':'")
		args = append(args, sql.Named("area", q.Area))
	}
	switch q.Group {
	case "":
	case GroupPoverty:
		where = append(where, povertyExpr)
	case GroupMonitored:
		where = append(where, monitoredExpr)
	case GroupEither:
		where = append(where, inGroupsExpr)
	default:
		return "", nil, fmt.Errorf("%w: group %q", ErrBadQuery, q.Group)
	}
	if q.Older {
		where = append(where, olderExpr)
	}
	switch q.Gap {
	case "":
	case GapMonth:
		where = append(where, inGroupsExpr, "NOT "+followupIn("first", "last"))
	case GapSixMonths:
		where = append(where, inGroupsExpr, "NOT "+followupIn("six_first", "last"))
	default:
		return "", nil, fmt.Errorf("%w: gap %q", ErrBadQuery, q.Gap)
	}
	more, needs, err := monthConditions(q)
	if err != nil {
		return "", nil, err
	}
	where = append(where, more...)
	if needs.status {
		join = "CROSS JOIN"
	}
	prevJoin := ""
	if needs.prev {
		prevJoin = ` LEFT JOIN monthly_status ps ON ps.worker_id = lower(hex(w.id)) AND ps.month = :prev AND ` + latestStatus("ps")
	}
	// Each worker finds its status of the month through the (worker_id,
	// month) index; the NOT EXISTS keeps only the row statusOf would pick.
	from := `FROM workers w ` + join + ` monthly_status s ON s.worker_id = lower(hex(w.id)) AND s.month = :month
		AND ` + latestStatus("s") + prevJoin + `
		WHERE ` + strings.Join(where, " AND ") + `
		ORDER BY ` + villageExpr + `, w.name, w.id`
	return from, args, nil
}

// latestStatus keeps, of the statuses alias a joins (of one worker and
// month), the one statusOf picks: not deleted or voided, and no other such
// row later by (verified_at, id).
func latestStatus(a string) string {
	return a + `.fs_deleted = 0 AND ` + a + `.void_reason IS NULL AND NOT EXISTS (SELECT 1 FROM monthly_status d
		WHERE d.worker_id = ` + a + `.worker_id AND d.month = ` + a + `.month AND d.fs_deleted = 0 AND d.void_reason IS NULL
		AND coalesce(d.verified_at, '') || char(1) || hex(d.id) > coalesce(` + a + `.verified_at, '') || char(1) || hex(` + a + `.id))`
}

// monthNeeds says what the conditions of monthConditions join: the month's
// status (s, then required) and last month's (ps).
type monthNeeds struct{ status, prev bool }

// monthConditions are the conditions of q's Flow, Registration, Scope and
// Quality filters, over the worker w, the month's status s and last
// month's ps; the rules of monthRow.add, in SQL.
func monthConditions(q PeopleQuery) ([]string, monthNeeds, error) {
	var out []string
	var needs monthNeeds
	list := func(l, a string) string { return `coalesce(` + records.ListCondition(l, a) + `, 0)` }
	outside := func(a string) string {
		return `coalesce(` + a + `.work_scope, '') IN ('` + scopeOutCounty + `', '` + records.ScopeAway + `')`
	}
	switch q.Flow {
	case "":
	case FlowToUnemployed:
		out = append(out, `ps.id IS NOT NULL`, list(records.ListEmployed, "ps"), list(records.ListUnemployed, "s"))
	case FlowToEmployed:
		out = append(out, `ps.id IS NOT NULL`, list(records.ListUnemployed, "ps"), list(records.ListEmployed, "s"))
	case FlowNewWillingAway:
		out = append(out, list(records.ListWillingAway, "s"), `NOT `+list(records.ListWillingAway, "ps"))
	case FlowReturned:
		out = append(out, `ps.id IS NOT NULL`, list(records.ListEmployed, "ps"), outside("ps"),
			`NOT (`+list(records.ListEmployed, "s")+` AND `+outside("s")+`)`)
	default:
		return nil, needs, fmt.Errorf("%w: flow %q", ErrBadQuery, q.Flow)
	}
	if q.Flow != "" {
		needs = monthNeeds{status: true, prev: true}
	}
	reg := func(table, cond string) string {
		return `EXISTS (SELECT 1 FROM ` + table + ` r WHERE r.worker_id = lower(hex(w.id)) AND r.fs_deleted = 0
			AND r.void_reason IS NULL AND ` + strings.NewReplacer("deregistered_on", "r.deregistered_on", "registered_on", "r.registered_on").Replace(cond) + `)`
	}
	switch q.Registration {
	case "":
	case RegUnemploymentNew:
		out = append(out, reg(records.Unemployment, regNewExpr))
	case RegUnemploymentClosed:
		out = append(out, reg(records.Unemployment, regClosedExpr))
	case RegUnemploymentOpen:
		out = append(out, reg(records.Unemployment, regOpenExpr))
	case RegJobseekerNew:
		out = append(out, reg(records.Jobseeker, regNewExpr))
	default:
		return nil, needs, fmt.Errorf("%w: registration %q", ErrBadQuery, q.Registration)
	}
	switch q.Scope {
	case "":
	case ScopeAway:
		out = append(out, outside("s"))
	case ScopeOutsideRegion:
		out = append(out, `s.work_scope = '`+records.ScopeAway+`'`)
	case ScopeInCounty:
		out = append(out, `s.work_scope IN ('`+scopeVillage+`', '`+scopeInCounty+`')`)
	default:
		return nil, needs, fmt.Errorf("%w: scope %q", ErrBadQuery, q.Scope)
	}
	if q.Scope != "" {
		needs.status = true
	}
	switch q.Quality {
	case "":
	case QualityNoPhone:
		out = append(out, `coalesce(w.phone, '') = ''`)
	case QualityUnverified:
		out = append(out, strings.NewReplacer("verified_", "s.verified_").Replace(unverifiedExpr))
		needs.status = true
	default:
		return nil, needs, fmt.Errorf("%w: quality %q", ErrBadQuery, q.Quality)
	}
	switch q.Programme {
	case "":
	case ProgrammeNotEmployed:
		// The people queryProgrammes counts as placed (the driving set:
		// a few per cent of the workers), without a 就业 status.
		out = append(out, `w.id IN (`+placedPeople+`)`, `NOT coalesce(`+list(records.ListEmployed, "s")+`, 0)`)
	default:
		return nil, needs, fmt.Errorf("%w: programme %q", ErrBadQuery, q.Programme)
	}
	return out, needs, nil
}

// personCols are the columns scanPeople reads, ledger columns last.
const personCols = `lower(hex(w.id)), coalesce(w.name, ''), coalesce(w.id_number, ''), ` + villageExpr + `,
	coalesce(w.tags, '[]'), coalesce(w.monitor_type, ''), coalesce(s.list_type, ''), coalesce(s.willing_away, 0) = 1,
	coalesce(s.work_scope, ''),
	coalesce(s.place, ''), coalesce(s.industry, ''), coalesce(s.employment_form, ''), s.monthly_income,
	coalesce(s.verified_by_method, ''), coalesce(s.verified_by, ''), coalesce(s.verified_at, ''), ` + olderExpr

// ledgerCols add the follow-ups of the month and of the six months, and the
// latest follow-up up to the month's end.
const ledgerCols = `, ` + followupsInMonth + `,
	(SELECT count(*) FROM followups f WHERE f.worker_id = lower(hex(w.id)) AND f.date >= :six_first
		AND f.date <= :last AND f.fs_deleted = 0 AND f.void_reason IS NULL),
	coalesce((SELECT json_array(f.date, coalesce(f.method, ''), coalesce(f.service_type, ''), coalesce(f.outcome, ''))
		FROM followups f WHERE f.worker_id = lower(hex(w.id)) AND f.date <= :last AND f.fs_deleted = 0 AND f.void_reason IS NULL
		ORDER BY f.date DESC, f.id DESC LIMIT 1), '[]')`

// scanPeople runs SELECT personCols (and ledgerCols) + from and calls fn for
// each person; fn may keep nothing of p but a copy.
func scanPeople(ctx context.Context, db queryer, from string, args []any, month string, opt Options, ledger bool,
	fn func(p *Person) error) error {
	t, err := time.Parse(records.MonthLayout, month)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrBadMonth, month)
	}
	end := t.AddDate(0, 1, -1)
	cols := personCols
	if ledger {
		cols += ledgerCols
	}
	rows, err := db.QueryContext(ctx, `SELECT `+cols+` `+from, args...)
	if err != nil {
		return fmt.Errorf("read people: %w", err)
	}
	defer rows.Close()
	var p Person
	var tags, last string
	var income sql.NullFloat64
	for rows.Next() {
		p = Person{}
		dest := []any{&p.ID, &p.Name, &p.IDNumber, &p.Village, &tags, &p.MonitorType, &p.List, &p.WillingAway, &p.WorkScope,
			&p.Place, &p.Industry, &p.EmploymentForm, &income, &p.VerifiedByMethod, &p.VerifiedBy,
			&p.VerifiedAt, &p.Older}
		if ledger {
			dest = append(dest, &p.FollowupsMonth, &p.FollowupsSix, &last)
		}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("read people: %w", err)
		}
		if l, w := records.StatusList(p.List, p.WillingAway); l != "" {
			p.List, p.WillingAway = l, w
		}
		if err := json.Unmarshal([]byte(tags), &p.Tags); err != nil {
			p.Tags = nil
		}
		p.MonthlyIncome = incomeRef(incomeOf(income))
		if ledger {
			var l []string
			if json.Unmarshal([]byte(last), &l) == nil && len(l) == 4 {
				p.LastFollowup, p.LastMethod, p.LastService, p.LastOutcome = l[0], l[1], l[2], l[3]
			}
		}
		p.Township = township(p.Village)
		p.Age = records.Age(p.IDNumber, end)
		p.Sex = "女"
		if ident.Male(p.IDNumber) {
			p.Sex = "男"
		}
		if !opt.Unmasked {
			p.IDNumber = records.MaskIDNumber(p.IDNumber)
		}
		if err := fn(&p); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read people: %w", err)
	}
	return nil
}
