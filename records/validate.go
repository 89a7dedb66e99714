package records

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"fieldsync/ident"
	"fieldsync/replica"
)

// Field length limits, in characters.
const (
	maxShort = 50
	maxText  = 200
	maxLong  = 2000
	maxSet   = 50
)

var (
	mobileRE   = regexp.MustCompile(`^1[3-9]\d{9}$`)
	landlineRE = regexp.MustCompile(`^(0[12]\d|0[3-9]\d{2})(\d{7,8})$`)
	divisionRE = regexp.MustCompile(`^\d{12}$`)
	placeRE    = regexp.MustCompile(`^(\d{6}|\d{9}|\d{12})$`)
)

// DateLayout and MonthLayout are the only date forms accepted.
const (
	DateLayout  = "2006-01-02"
	MonthLayout = "2006-01"
)

// Worker is a person's base record (劳动力基础信息) as the API and forms give it.
type Worker struct {
	IDNumber         string   `json:"id_number"`
	Name             string   `json:"name"`
	Phone            string   `json:"phone"`
	Ethnicity        string   `json:"ethnicity"`
	HukouVillage     string   `json:"hukou_village"`
	ResidenceVillage string   `json:"residence_village"`
	Education        string   `json:"education"`
	LabourAbility    string   `json:"labour_ability"`
	Tags             []string `json:"tags"`
	MonitorType      string   `json:"monitor_type"`
	Skills           []string `json:"skills"`
	WillingAway      bool     `json:"willing_away"`
	Notes            string   `json:"notes"`
	// HouseholdID names the worker's household (Households), if any.
	HouseholdID string `json:"household_id,omitempty"`
	// LabourBrand is the 劳务品牌 the person works under, if any.
	LabourBrand string `json:"labour_brand,omitempty"`
	Leave
	// HealthCheck is the latest 职业健康体检: read with the person, written
	// by its own form only (Columns leaves it out).
	HealthCheck
}

// Validate normalises w in place (trimmed text, canonical id number, sorted
// sets) and returns the first broken rule as a *FieldError.
func (w *Worker) Validate() error {
	trim(&w.IDNumber, &w.Name, &w.Phone, &w.Ethnicity, &w.HukouVillage, &w.ResidenceVillage,
		&w.Education, &w.LabourAbility, &w.MonitorType, &w.Notes)
	if w.IDNumber == "" {
		return fieldErr("id_number", KeyRequired)
	}
	id, err := ident.NormalizeIDNumber(w.IDNumber)
	if err != nil {
		return idError("id_number", err)
	}
	w.IDNumber = id
	if err := required("name", w.Name, maxShort); err != nil {
		return err
	}
	if w.Phone != "" {
		p, ok := NormalizePhone(w.Phone)
		if !ok {
			return fieldErr("phone", KeyPhone)
		}
		w.Phone = p
	}
	if err := required("ethnicity", w.Ethnicity, 20); err != nil {
		return err
	}
	if err := division("hukou_village", w.HukouVillage, true); err != nil {
		return err
	}
	if err := division("residence_village", w.ResidenceVillage, false); err != nil {
		return err
	}
	w.Education = NormalizeEducation(w.Education)
	if err := enum("education", w.Education, Educations, true); err != nil {
		return err
	}
	w.LabourAbility = NormalizeLabourAbility(w.LabourAbility)
	if err := enum("labour_ability", w.LabourAbility, LabourAbilities, true); err != nil {
		return err
	}
	for i, t := range w.Tags {
		w.Tags[i] = NormalizeTag(strings.TrimSpace(t))
	}
	var ferr error
	if w.Tags, ferr = setOf("tags", w.Tags, Tags); ferr != nil {
		return ferr
	}
	if err := enum("monitor_type", w.MonitorType, MonitorTypes, false); err != nil {
		return err
	}
	if w.Skills, ferr = setOf("skills", w.Skills, nil); ferr != nil {
		return ferr
	}
	if err := maxLen("notes", w.Notes, maxLong); err != nil {
		return err
	}
	if err := optionalRowID("household_id", &w.HouseholdID); err != nil {
		return err
	}
	trim(&w.LabourBrand)
	if err := maxLen("labour_brand", w.LabourBrand, maxShort); err != nil {
		return err
	}
	if err := w.Leave.validate(); err != nil {
		return err
	}
	if err := w.HealthCheck.Validate(); err != nil {
		return err
	}
	return w.checkGroups()
}

// checkGroups applies the rules tying the monitoring type to the categories
// (after each column's own rules, so that those name their column first): a
// monitoring type is a 防止返贫监测对象's, and a 边缘易致贫户 was never
// lifted out of poverty, so is no 脱贫人口. Both name monitor_type.
func (w *Worker) checkGroups() error {
	if w.MonitorType == "" {
		return nil
	}
	if !slices.Contains(w.Tags, TagMonitored) {
		return fieldErr("monitor_type", KeyMonitorTag, Label("tags"))
	}
	if w.MonitorType == MonitorEdge && slices.Contains(w.Tags, TagLifted) {
		return fieldErr("monitor_type", KeyEdgeLifted, Label("tags"))
	}
	return nil
}

// MinAge is the youngest age at which a person is registered (劳动年龄, 16).
const MinAge = 16

// ValidateOn is Validate plus the rules of registering w on day today (the
// station's date): the birth date in the id number is not after today
// (BirthNotFuture) and the person is at least MinAge (OldEnough). The station
// applies it where a person is registered (form, API, import); the hub
// applies only BirthNotFuture (CheckChange).
func (w *Worker) ValidateOn(today time.Time) error {
	if err := w.Validate(); err != nil {
		return err
	}
	if err := BirthNotFuture("id_number", w.IDNumber, today); err != nil {
		return err
	}
	return OldEnough("id_number", w.IDNumber, today)
}

// BirthNotFuture refuses, naming field, the normalised id number id when the
// birth date it holds is after day today.
func BirthNotFuture(field, id string, today time.Time) error {
	b, err := ident.BirthDate(id)
	if err != nil {
		return idError(field, err)
	}
	t := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	if b.After(t) {
		return fieldErr(field, KeyIDFuture)
	}
	return nil
}

// OldEnough refuses, naming field, the normalised id number id when the
// person is younger than MinAge on day on (the registration date).
func OldEnough(field, id string, on time.Time) error {
	if Age(id, on) < MinAge {
		return fieldErr(field, KeyIDTooYoung, MinAge)
	}
	return nil
}

// ID is the worker's row id: derived from the normalised id number, so every
// station that registers the same person writes the same row.
func (w *Worker) ID(key ident.Key) ident.ID { return key.Derive(Workers, w.IDNumber) }

// Columns lists every column value of w, for writing; station names the
// registering station.
func (w *Worker) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "id_number", Value: w.IDNumber},
		{Column: "name", Value: w.Name},
		{Column: "phone", Value: opt(w.Phone)},
		{Column: "ethnicity", Value: w.Ethnicity},
		{Column: "hukou_village", Value: w.HukouVillage},
		{Column: "residence_village", Value: opt(w.ResidenceVillage)},
		{Column: "education", Value: w.Education},
		{Column: "labour_ability", Value: w.LabourAbility},
		{Column: "tags", Value: w.Tags},
		{Column: "monitor_type", Value: opt(w.MonitorType)},
		{Column: "skills", Value: w.Skills},
		{Column: "willing_away", Value: w.WillingAway},
		{Column: "notes", Value: opt(w.Notes)},
		{Column: "household_id", Value: opt(w.HouseholdID)},
		{Column: "left_reason", Value: opt(w.LeftReason)},
		{Column: "left_on", Value: opt(w.LeftOn)},
		{Column: "left_to", Value: opt(w.LeftTo)},
		{Column: "labour_brand", Value: opt(w.LabourBrand)},
	}
}

// MonthStatus is one worker's employment status in one month (月度就业状态).
type MonthStatus struct {
	WorkerID       string `json:"worker_id"`
	Month          string `json:"month"`
	ListType       string `json:"list_type"`
	WorkScope      string `json:"work_scope"`
	Place          string `json:"place"`
	Industry       string `json:"industry"`
	EmploymentForm string `json:"employment_form"`
	// MonthlyIncome is nil when no income was given (未填报), which is not
	// the same as an income of 0 typed on purpose.
	MonthlyIncome    *float64 `json:"monthly_income"`
	VerifiedByMethod string   `json:"verified_by_method"`
	VerifiedBy       string   `json:"verified_by"`
	VerifiedAt       string   `json:"verified_at"`
	// WillingAway: willing to work away (有意愿外出) this month, whatever
	// the list.
	WillingAway bool `json:"willing_away"`
	Void
}

// Income returns a pointer to income, for MonthStatus.MonthlyIncome.
func Income(income float64) *float64 { return &income }

// Validate normalises m and checks its rules. An employed person needs a
// work scope and an employment form; an unemployed one has no place of
// work, industry, employment form or income above 0; a public-welfare post
// is never outside the region. A list_type naming the old third list
// (有意愿外出, or an alias) becomes 失业 with WillingAway set.
func (m *MonthStatus) Validate() error {
	trim(&m.WorkerID, &m.Month, &m.ListType, &m.WorkScope, &m.Place, &m.Industry,
		&m.EmploymentForm, &m.VerifiedByMethod, &m.VerifiedBy, &m.VerifiedAt)
	if err := rowID("worker_id", &m.WorkerID); err != nil {
		return err
	}
	if err := month("month", m.Month, true); err != nil {
		return err
	}
	if m.ListType == "" {
		return fieldErr("list_type", KeyRequired)
	}
	// The old third list (有意愿外出) is 失业 with the month's flag.
	if l, willing := NormalizeListFlag(m.ListType); l != "" {
		m.ListType, m.WillingAway = l, m.WillingAway || willing
	} else {
		return enumErr("list_type", StatusLists)
	}
	employed := m.ListType == ListEmployed
	m.WorkScope = NormalizeWorkScope(m.WorkScope)
	m.EmploymentForm = NormalizeEmploymentForm(m.EmploymentForm)
	m.VerifiedByMethod = NormalizeVerifyMethod(m.VerifiedByMethod)
	if err := enum("work_scope", m.WorkScope, WorkScopes, employed); err != nil {
		return err
	}
	if err := maxLen("place", m.Place, maxText); err != nil {
		return err
	}
	if err := maxLen("industry", m.Industry, maxShort); err != nil {
		return err
	}
	if err := enum("employment_form", m.EmploymentForm, EmploymentForms, employed); err != nil {
		return err
	}
	if m.MonthlyIncome != nil {
		if err := money("monthly_income", *m.MonthlyIncome); err != nil {
			return err
		}
	}
	if err := enum("verified_by_method", m.VerifiedByMethod, VerifyMethods, true); err != nil {
		return err
	}
	if err := required("verified_by", m.VerifiedBy, maxShort); err != nil {
		return err
	}
	if err := date("verified_at", &m.VerifiedAt, true); err != nil {
		return err
	}
	if err := m.Void.validate(); err != nil {
		return err
	}
	return m.checkAcross()
}

// checkAcross applies the rules between the columns of a status, after each
// column's own rules. An unemployed person's status names no place of work,
// industry or employment form, and no income above 0 (0 is no income, and
// what every station before this rule stored for an income not entered);
// each is refused naming itself. A public-welfare post (公益性岗位) is local:
// with the scope 区外 it is refused naming employment_form.
func (m *MonthStatus) checkAcross() error {
	if m.ListType == ListUnemployed {
		for _, c := range []struct {
			field string
			set   bool
		}{
			{"place", m.Place != ""}, {"industry", m.Industry != ""}, {"employment_form", m.EmploymentForm != ""},
			{"monthly_income", m.MonthlyIncome != nil && *m.MonthlyIncome > 0},
		} {
			if c.set {
				return fieldErr(c.field, KeyUnemployedField, Label("list_type"))
			}
		}
	}
	if m.EmploymentForm == FormWelfare && m.WorkScope == ScopeAway {
		return fieldErr("employment_form", KeyWelfareAway, Label("work_scope"))
	}
	return nil
}

// ID is the row id of a worker's status in a month: derived from both, so a
// month has one status per worker even when two stations record it offline.
func (m *MonthStatus) ID(key ident.Key) ident.ID {
	return key.Derive(MonthlyStatus, m.WorkerID+"/"+m.Month)
}

// Columns lists the column values of m.
func (m *MonthStatus) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "worker_id", Value: m.WorkerID},
		{Column: "month", Value: m.Month},
		{Column: "list_type", Value: m.ListType},
		{Column: "work_scope", Value: opt(m.WorkScope)},
		{Column: "place", Value: opt(m.Place)},
		{Column: "industry", Value: opt(m.Industry)},
		{Column: "employment_form", Value: opt(m.EmploymentForm)},
		{Column: "monthly_income", Value: optFloat(m.MonthlyIncome)},
		{Column: "verified_by_method", Value: m.VerifiedByMethod},
		{Column: "verified_by", Value: m.VerifiedBy},
		{Column: "verified_at", Value: m.VerifiedAt},
		{Column: "willing_away", Value: m.WillingAway},
		{Column: "void_reason", Value: opt(m.VoidReason)},
		{Column: "voided_on", Value: opt(m.VoidedOn)},
	}
}

// UnemploymentRegistration is an unemployment registration (失业登记).
type UnemploymentRegistration struct {
	WorkerID             string `json:"worker_id"`
	PlaceType            string `json:"place_type"`
	RegisteredOn         string `json:"registered_on"`
	Reason               string `json:"reason"`
	JobIntention         string `json:"job_intention"`
	TrainingIntention    string `json:"training_intention"`
	DeregisteredOn       string `json:"deregistered_on"`
	DeregistrationReason string `json:"deregistration_reason"`
	Void
}

// Validate normalises u and checks its rules.
func (u *UnemploymentRegistration) Validate() error {
	trim(&u.WorkerID, &u.PlaceType, &u.RegisteredOn, &u.Reason, &u.JobIntention,
		&u.TrainingIntention, &u.DeregisteredOn, &u.DeregistrationReason)
	if err := rowID("worker_id", &u.WorkerID); err != nil {
		return err
	}
	if err := enum("place_type", u.PlaceType, PlaceTypes, true); err != nil {
		return err
	}
	if err := date("registered_on", &u.RegisteredOn, true); err != nil {
		return err
	}
	if err := required("reason", u.Reason, maxText); err != nil {
		return err
	}
	if err := maxLen("job_intention", u.JobIntention, maxText); err != nil {
		return err
	}
	if err := maxLen("training_intention", u.TrainingIntention, maxText); err != nil {
		return err
	}
	if err := date("deregistered_on", &u.DeregisteredOn, false); err != nil {
		return err
	}
	if u.DeregisteredOn != "" {
		if u.DeregisteredOn < u.RegisteredOn {
			return fieldErr("deregistered_on", KeyBeforeStart, Label("registered_on"))
		}
		if err := required("deregistration_reason", u.DeregistrationReason, maxText); err != nil {
			return err
		}
	} else if err := maxLen("deregistration_reason", u.DeregistrationReason, maxText); err != nil {
		return err
	}
	return u.Void.validate()
}

// Open reports whether the registration has not been deregistered.
func (u *UnemploymentRegistration) Open() bool { return u.DeregisteredOn == "" }

// Columns lists the column values of u.
func (u *UnemploymentRegistration) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "worker_id", Value: u.WorkerID},
		{Column: "place_type", Value: u.PlaceType},
		{Column: "registered_on", Value: u.RegisteredOn},
		{Column: "reason", Value: u.Reason},
		{Column: "job_intention", Value: opt(u.JobIntention)},
		{Column: "training_intention", Value: opt(u.TrainingIntention)},
		{Column: "deregistered_on", Value: opt(u.DeregisteredOn)},
		{Column: "deregistration_reason", Value: opt(u.DeregistrationReason)},
		{Column: "void_reason", Value: opt(u.VoidReason)},
		{Column: "voided_on", Value: opt(u.VoidedOn)},
	}
}

// JobseekerRegistration is a job-seeking registration (求职登记).
type JobseekerRegistration struct {
	WorkerID      string  `json:"worker_id"`
	IntendedWork  string  `json:"intended_work"`
	ExpectedWage  float64 `json:"expected_wage"`
	WageUnit      string  `json:"wage_unit"`
	Area          string  `json:"area"`
	WorkType      string  `json:"work_type"`
	AvailableFrom string  `json:"available_from"`
	RegisteredOn  string  `json:"registered_on"`
	Void
}

// Validate normalises j and checks its rules.
func (j *JobseekerRegistration) Validate() error {
	trim(&j.WorkerID, &j.IntendedWork, &j.WageUnit, &j.Area, &j.WorkType, &j.AvailableFrom, &j.RegisteredOn)
	if err := rowID("worker_id", &j.WorkerID); err != nil {
		return err
	}
	if err := required("intended_work", j.IntendedWork, maxText); err != nil {
		return err
	}
	if err := money("expected_wage", j.ExpectedWage); err != nil {
		return err
	}
	if err := enum("wage_unit", j.WageUnit, WageUnits, j.ExpectedWage > 0); err != nil {
		return err
	}
	if err := maxLen("area", j.Area, maxText); err != nil {
		return err
	}
	if err := enum("work_type", j.WorkType, WorkTypes, true); err != nil {
		return err
	}
	if err := date("available_from", &j.AvailableFrom, false); err != nil {
		return err
	}
	if err := date("registered_on", &j.RegisteredOn, true); err != nil {
		return err
	}
	return j.Void.validate()
}

// Columns lists the column values of j.
func (j *JobseekerRegistration) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "worker_id", Value: j.WorkerID},
		{Column: "intended_work", Value: j.IntendedWork},
		{Column: "expected_wage", Value: j.ExpectedWage},
		{Column: "wage_unit", Value: opt(j.WageUnit)},
		{Column: "area", Value: opt(j.Area)},
		{Column: "work_type", Value: j.WorkType},
		{Column: "available_from", Value: opt(j.AvailableFrom)},
		{Column: "registered_on", Value: j.RegisteredOn},
		{Column: "void_reason", Value: opt(j.VoidReason)},
		{Column: "voided_on", Value: opt(j.VoidedOn)},
	}
}

// Followup is one entry of the employment-assistance ledger (就业帮扶台账).
type Followup struct {
	WorkerID    string `json:"worker_id"`
	Date        string `json:"date"`
	Method      string `json:"method"`
	ServiceType string `json:"service_type"`
	Content     string `json:"content"`
	Outcome     string `json:"outcome"`
	NextDue     string `json:"next_due"`
	Staff       string `json:"staff"`
	Void
}

// Validate normalises f and checks its rules.
func (f *Followup) Validate() error {
	trim(&f.WorkerID, &f.Date, &f.Method, &f.ServiceType, &f.Content, &f.Outcome, &f.NextDue, &f.Staff)
	if err := rowID("worker_id", &f.WorkerID); err != nil {
		return err
	}
	if err := date("date", &f.Date, true); err != nil {
		return err
	}
	f.Method = NormalizeFollowupMethod(f.Method)
	if err := enum("method", f.Method, FollowupMethods, true); err != nil {
		return err
	}
	if err := required("service_type", f.ServiceType, maxShort); err != nil {
		return err
	}
	if err := required("content", f.Content, maxLong); err != nil {
		return err
	}
	if err := maxLen("outcome", f.Outcome, maxLong); err != nil {
		return err
	}
	if err := date("next_due", &f.NextDue, false); err != nil {
		return err
	}
	if f.NextDue != "" && f.NextDue < f.Date {
		return fieldErr("next_due", KeyBeforeStart, Label("date"))
	}
	if err := maxLen("staff", f.Staff, maxShort); err != nil {
		return err
	}
	return f.Void.validate()
}

// Columns lists the column values of f.
func (f *Followup) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "worker_id", Value: f.WorkerID},
		{Column: "date", Value: f.Date},
		{Column: "method", Value: f.Method},
		{Column: "service_type", Value: f.ServiceType},
		{Column: "content", Value: f.Content},
		{Column: "outcome", Value: opt(f.Outcome)},
		{Column: "next_due", Value: opt(f.NextDue)},
		{Column: "staff", Value: opt(f.Staff)},
		{Column: "void_reason", Value: opt(f.VoidReason)},
		{Column: "voided_on", Value: opt(f.VoidedOn)},
	}
}

// Gig is a casual-work posting (零工信息).
type Gig struct {
	Title      string   `json:"title"`
	Occupation string   `json:"occupation"`
	Headcount  int64    `json:"headcount"`
	Wage       float64  `json:"wage"`
	WageUnit   string   `json:"wage_unit"`
	Settlement string   `json:"settlement"`
	Place      string   `json:"place"`
	Address    string   `json:"address"`
	StartDate  string   `json:"start_date"`
	EndDate    string   `json:"end_date"`
	AgeMin     int64    `json:"age_min"`
	AgeMax     int64    `json:"age_max"`
	Employer   string   `json:"employer"`
	Contact    string   `json:"contact"`
	Skills     []string `json:"skills"`
	Status     string   `json:"status"`
	ExpiresOn  string   `json:"expires_on"`
	// Kind is 零工 (a gig: the default) or 全职 (a regular job, paid 元/月
	// and settled 月结).
	Kind string `json:"kind"`
	// SuitsOlder marks a posting suitable for older workers (大龄).
	SuitsOlder bool `json:"suits_older"`
	// JobFairID names the job fair the posting was published at, if any.
	JobFairID string `json:"job_fair_id,omitempty"`
}

// Validate normalises g and checks its rules. A missing status is open; an
// age bound of 0 means no bound.
func (g *Gig) Validate() error {
	trim(&g.Title, &g.Occupation, &g.WageUnit, &g.Settlement, &g.Place, &g.Address,
		&g.StartDate, &g.EndDate, &g.Employer, &g.Contact, &g.Status, &g.ExpiresOn, &g.Kind, &g.JobFairID)
	if g.Status == "" {
		g.Status = GigOpen
	}
	if err := required("title", g.Title, maxText); err != nil {
		return err
	}
	if err := required("occupation", g.Occupation, maxShort); err != nil {
		return err
	}
	if g.Headcount <= 0 {
		return fieldErr("headcount", KeyPositive)
	}
	if g.Headcount > 100000 {
		return fieldErr("headcount", KeyTooMany, Label("headcount"), 100000)
	}
	if err := money("wage", g.Wage); err != nil {
		return err
	}
	if err := enum("wage_unit", g.WageUnit, GigWageUnits, true); err != nil {
		return err
	}
	if err := enum("settlement", g.Settlement, Settlements, true); err != nil {
		return err
	}
	if g.Place == "" {
		return fieldErr("place", KeyRequired)
	}
	if !placeRE.MatchString(g.Place) {
		return fieldErr("place", KeyPlace)
	}
	if err := maxLen("address", g.Address, maxText); err != nil {
		return err
	}
	if err := date("start_date", &g.StartDate, true); err != nil {
		return err
	}
	if err := date("end_date", &g.EndDate, false); err != nil {
		return err
	}
	if g.EndDate != "" && g.EndDate < g.StartDate {
		return fieldErr("end_date", KeyStartAfterEnd)
	}
	if g.AgeMin != 0 && (g.AgeMin < 16 || g.AgeMin > 75) {
		return fieldErr("age_min", KeyAgeRange)
	}
	if g.AgeMax != 0 && (g.AgeMax < 16 || g.AgeMax > 75 || g.AgeMax < g.AgeMin) {
		return fieldErr("age_max", KeyAgeRange)
	}
	if err := required("employer", g.Employer, maxText); err != nil {
		return err
	}
	if err := required("contact", g.Contact, maxShort); err != nil {
		return err
	}
	var err error
	if g.Skills, err = setOf("skills", g.Skills, nil); err != nil {
		return err
	}
	if err := enum("status", g.Status, GigStatuses, true); err != nil {
		return err
	}
	if err := date("expires_on", &g.ExpiresOn, false); err != nil {
		return err
	}
	return g.checkKind()
}

// Columns lists the column values of g.
func (g *Gig) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "title", Value: g.Title},
		{Column: "occupation", Value: g.Occupation},
		{Column: "headcount", Value: g.Headcount},
		{Column: "wage", Value: g.Wage},
		{Column: "wage_unit", Value: g.WageUnit},
		{Column: "settlement", Value: g.Settlement},
		{Column: "place", Value: g.Place},
		{Column: "address", Value: opt(g.Address)},
		{Column: "start_date", Value: g.StartDate},
		{Column: "end_date", Value: opt(g.EndDate)},
		{Column: "age_min", Value: optInt(g.AgeMin)},
		{Column: "age_max", Value: optInt(g.AgeMax)},
		{Column: "employer", Value: g.Employer},
		{Column: "contact", Value: g.Contact},
		{Column: "skills", Value: g.Skills},
		{Column: "status", Value: g.Status},
		{Column: "expires_on", Value: opt(g.ExpiresOn)},
		{Column: "kind", Value: g.Kind},
		{Column: "suits_older", Value: g.SuitsOlder},
		{Column: "job_fair_id", Value: opt(g.JobFairID)},
	}
}

// Placement puts a worker into a gig.
type Placement struct {
	GigID    string `json:"gig_id"`
	WorkerID string `json:"worker_id"`
	Status   string `json:"status"`
	PlacedOn string `json:"placed_on"`
	// EndedOn is when a placement that is left or cancelled ended.
	EndedOn string `json:"ended_on,omitempty"`
}

// Validate normalises p and checks its rules. A missing status is placed.
func (p *Placement) Validate() error {
	trim(&p.GigID, &p.WorkerID, &p.Status, &p.PlacedOn, &p.EndedOn)
	if p.Status == "" {
		p.Status = PlacementPlaced
	}
	if err := rowID("gig_id", &p.GigID); err != nil {
		return err
	}
	if err := rowID("worker_id", &p.WorkerID); err != nil {
		return err
	}
	if err := enum("status", p.Status, PlacementStates, true); err != nil {
		return err
	}
	if err := date("placed_on", &p.PlacedOn, true); err != nil {
		return err
	}
	if err := date("ended_on", &p.EndedOn, false); err != nil {
		return err
	}
	switch {
	case p.EndedOn == "":
		return nil
	case p.Status == PlacementPlaced:
		return fieldErr("ended_on", KeyInconsistent, Label("status"))
	case p.EndedOn < p.PlacedOn:
		return fieldErr("ended_on", KeyBeforeStart, Label("placed_on"))
	}
	return nil
}

// Columns lists the column values of p.
func (p *Placement) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "gig_id", Value: p.GigID},
		{Column: "worker_id", Value: p.WorkerID},
		{Column: "status", Value: p.Status},
		{Column: "placed_on", Value: p.PlacedOn},
		{Column: "ended_on", Value: opt(p.EndedOn)},
	}
}

// Age is the age in whole years on day now of the person whose normalised id
// number is id (-1 if the number holds no date).
func Age(id string, now time.Time) int {
	b, err := ident.BirthDate(id)
	if err != nil {
		return -1
	}
	y := now.Year() - b.Year()
	if now.Month() < b.Month() || now.Month() == b.Month() && now.Day() < b.Day() {
		y--
	}
	return y
}

// OlderThresholds set from which age a person counts as an older worker (大龄);
// they come from the station's configuration.
type OlderThresholds struct {
	Male   int `json:"male"`
	Female int `json:"female"`
}

// DefaultOlder is the usual "40/50" rule: women from 40, men from 50.
var DefaultOlder = OlderThresholds{Male: 50, Female: 40}

// Older reports whether the person with normalised id number id is an older
// worker on day now. A zero threshold disables the rule for that sex.
func (o OlderThresholds) Older(id string, now time.Time) bool {
	age := Age(id, now)
	if age < 0 {
		return false
	}
	t := o.Female
	if ident.Male(id) {
		t = o.Male
	}
	return t > 0 && age >= t
}

func trim(ss ...*string) {
	for _, s := range ss {
		*s = strings.TrimSpace(*s)
	}
}

func opt(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func optFloat(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func optInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

func maxLen(field, s string, n int) error {
	if utf8.RuneCountInString(s) > n {
		return fieldErr(field, KeyTooLong, n)
	}
	return nil
}

func required(field, s string, n int) error {
	if s == "" {
		return fieldErr(field, KeyRequired)
	}
	return maxLen(field, s, n)
}

func enum(field, s string, allowed []string, req bool) error {
	if s == "" {
		if req {
			return fieldErr(field, KeyRequired)
		}
		return nil
	}
	if !in(s, allowed) {
		return enumErr(field, allowed)
	}
	return nil
}

func division(field, s string, req bool) error {
	if s == "" {
		if req {
			return fieldErr(field, KeyRequired)
		}
		return nil
	}
	if !divisionRE.MatchString(s) {
		return fieldErr(field, KeyDivision)
	}
	return nil
}

// NormalizePhone returns the stored form of a phone number: a mobile as its
// 11 digits (13900000003), a landline as 区号-号码 (0471-1234567, 010-12345678).
// Spaces, dashes, dots and parentheses are dropped, and a leading +86, 0086
// or 86 before a mobile. The area code is 010 or 02x (three digits) or 0
// and three digits (0471), the number 7 or 8 digits. An extension is
// refused (ok false), as is anything else.
func NormalizePhone(s string) (p string, ok bool) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' ||
			r == '（' || r == '）' || r == '\u3000' || r == '—' || r == '－':
		default:
			return "", false
		}
	}
	d := b.String()
	for _, prefix := range []string{"+86", "0086", "86"} {
		if rest, cut := strings.CutPrefix(d, prefix); cut && mobileRE.MatchString(rest) {
			d = rest
			break
		}
	}
	if mobileRE.MatchString(d) {
		return d, true
	}
	if m := landlineRE.FindStringSubmatch(d); m != nil {
		return m[1] + "-" + m[2], true
	}
	return "", false
}

// date normalises the date *s in place (NormalizeDate) and checks it.
func date(field string, s *string, req bool) error {
	if *s == "" {
		if req {
			return fieldErr(field, KeyRequired)
		}
		return nil
	}
	d, ok := NormalizeDate(*s)
	if !ok {
		return fieldErr(field, KeyDate)
	}
	*s = d
	return nil
}

// NormalizeDate returns the stored form (2026-11-10) of a date written
// 2026-11-10, 2026/11/10, 2026.11.10 or 20261110; with a separator the month
// and day may have one digit (2026/1/5). ok is false for anything else, or
// a day that does not exist.
func NormalizeDate(s string) (d string, ok bool) {
	s = strings.TrimSpace(s)
	var y, m, dd string
	if len(s) == 8 && allDigits(s) {
		y, m, dd = s[:4], s[4:6], s[6:]
	} else {
		i := strings.IndexAny(s, "-/.")
		if i < 0 {
			return "", false
		}
		parts := strings.Split(s, s[i:i+1])
		if len(parts) != 3 {
			return "", false
		}
		y, m, dd = parts[0], parts[1], parts[2]
	}
	if len(y) != 4 || len(m) < 1 || len(m) > 2 || len(dd) < 1 || len(dd) > 2 ||
		!allDigits(y) || !allDigits(m) || !allDigits(dd) {
		return "", false
	}
	if len(m) == 1 {
		m = "0" + m
	}
	if len(dd) == 1 {
		dd = "0" + dd
	}
	d = y + "-" + m + "-" + dd
	if _, err := time.Parse(DateLayout, d); err != nil {
		return "", false
	}
	return d, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func month(field, s string, req bool) error {
	if s == "" {
		if req {
			return fieldErr(field, KeyRequired)
		}
		return nil
	}
	if _, err := time.Parse(MonthLayout, s); err != nil || len(s) != 7 {
		return fieldErr(field, KeyMonth)
	}
	return nil
}

// ValidMonth reports whether s is a month in the form 2026-01.
func ValidMonth(s string) bool { return month("month", s, true) == nil }

func money(field string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fieldErr(field, KeyNumber)
	}
	if v < 0 {
		return fieldErr(field, KeyNegative)
	}
	return nil
}

// rowID checks a required reference to a worker or gig and writes it in
// its canonical form (lower-case hex): the rules that compare references as
// text (one welfare post at a time, a month's one status) must see one
// spelling of each id.
func rowID(field string, s *string) error {
	if *s == "" {
		return fieldErr(field, KeyRequired)
	}
	id, err := ident.ParseID(*s)
	if err != nil {
		if field == "gig_id" {
			return fieldErr(field, KeyNoGig)
		}
		return fieldErr(field, KeyNoWorker)
	}
	*s = id.String()
	return nil
}

// setOf trims, de-duplicates and sorts a set; allowed (when not nil) restricts its elements.
func setOf(field string, vs []string, allowed []string) ([]string, error) {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if allowed != nil && !in(v, allowed) {
			return nil, enumErr(field, allowed)
		}
		if err := maxLen(field, v, maxShort); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > maxSet {
		return nil, fieldErr(field, KeyTooMany, Label(field), maxSet)
	}
	return out, nil
}
