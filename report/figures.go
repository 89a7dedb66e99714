package report

import (
	"time"

	"fieldsync/records"
)

// Figures are every number of the dashboard for one month. The report file is
// written from the same Figures (and the same queries for its people), so the
// two always agree. JSON names are snake_case: the hub serves this as
// GET /api/dashboard?month=YYYY-MM.
type Figures struct {
	Month       string    `json:"month"`
	PrevMonth   string    `json:"prev_month"`
	GeneratedAt time.Time `json:"generated_at"`
	// Workers counts the registered (not deleted) workers.
	Workers    int            `json:"workers"`
	Lists      ListFigures    `json:"lists"`
	Assistance []GroupFigures `json:"assistance"`
	Ledger     LedgerFigures  `json:"ledger"`
	Older      OlderFigures   `json:"older"`
	Gigs       GigFigures     `json:"gigs"`
	Stations   StationFigures `json:"stations"`
	// Villages are the totals by village (residence), ordered by code.
	Villages []VillageRow `json:"villages"`
	// Households counts 零就业家庭 and 监测对象 by household.
	Households HouseholdFigures `json:"households"`
	// Flows are the people whose status moved since last month.
	Flows FlowFigures `json:"flows"`
	// Registrations are the people with 失业登记 and 求职登记 of the month.
	Registrations RegistrationFigures `json:"registrations"`
	// Away splits everyone on the 就业 list by where they work.
	Away AwayFigures `json:"away"`
	// Quality counts gaps in the data (people with no status this month
	// are the no_status figure: Workers − Lists.Count.Total()).
	Quality QualityFigures `json:"quality"`
	// Programmes are the placement programmes of the month (programmes.go).
	Programmes ProgrammeFigures `json:"programmes"`
	// Services are the services to people of the month (services.go).
	Services ServiceFigures `json:"services"`
}

// FlowFigures count the people whose status of the month (statusOf's pick)
// moved against last month's: 就业→失业, 失业→就业 (both statuses present),
// newly flagged 有意愿外出 (flagged this month, not last month or no status
// then), and 返乡 (last month 就业 outside the county, 县外区内 or 区外; this
// month a status that is not 就业 outside the county).
type FlowFigures struct {
	ToUnemployed   int `json:"to_unemployed"`    // 就业→失业
	ToEmployed     int `json:"to_employed"`      // 失业→就业
	NewWillingAway int `json:"new_willing_away"` // 新增有意愿外出
	Returned       int `json:"returned"`         // 返乡
}

func (a *FlowFigures) add(b FlowFigures) {
	a.ToUnemployed += b.ToUnemployed
	a.ToEmployed += b.ToEmployed
	a.NewWillingAway += b.NewWillingAway
	a.Returned += b.Returned
}

// RegistrationFigures count people (not registrations) by their
// registrations not deleted or voided: 失业登记 registered in the month,
// deregistered in the month, open at the month's end (registered on or
// before its last day and not deregistered on or before it); 求职登记
// registered in the month.
type RegistrationFigures struct {
	UnemploymentNew    int `json:"unemployment_new"`
	UnemploymentClosed int `json:"unemployment_closed"`
	UnemploymentOpen   int `json:"unemployment_open"`
	JobseekerNew       int `json:"jobseeker_new"`
}

func (a *RegistrationFigures) add(b RegistrationFigures) {
	a.UnemploymentNew += b.UnemploymentNew
	a.UnemploymentClosed += b.UnemploymentClosed
	a.UnemploymentOpen += b.UnemploymentOpen
	a.JobseekerNew += b.JobseekerNew
}

// AwayFigures split the people on the 就业 list by work scope: 外出 (县外区内
// and 区外), of them 区外, and 县内 (本村 and 乡外县内). A status with another
// or no work scope is in neither.
type AwayFigures struct {
	Away          int `json:"away"`           // 外出
	OutsideRegion int `json:"outside_region"` // 区外
	InCounty      int `json:"in_county"`      // 县内
}

func (a *AwayFigures) add(b AwayFigures) {
	a.Away += b.Away
	a.OutsideRegion += b.OutsideRegion
	a.InCounty += b.InCounty
}

// QualityFigures count gaps in the data: registered people without a phone
// (NULL or empty), and people whose status of the month is not verified (its
// verified_at, verified_by_method or verified_by is NULL or empty: the
// three a station's status requires).
type QualityFigures struct {
	NoPhone    int `json:"no_phone"`
	Unverified int `json:"unverified"`
}

func (a *QualityFigures) add(b QualityFigures) {
	a.NoPhone += b.NoPhone
	a.Unverified += b.Unverified
}

// ListCount counts the people on each of the three lists. The lists overlap
// as the policy defines them: a month's status is 就业 or 失业, and
// 有意愿外出 counts everyone whose status is flagged willing_away, whatever
// the status (so Employed + Unemployed is the people with a status, and a
// flagged person is in WillingAway too). A status a station of schema
// version 1 wrote as list_type 有意愿外出 counts as 失业 and flagged
// (records.StatusList).
type ListCount struct {
	Employed    int `json:"employed"`     // 就业
	Unemployed  int `json:"unemployed"`   // 失业
	WillingAway int `json:"willing_away"` // 有意愿外出, of either status
}

// Total counts the people with a status: 就业 and 失业 (有意愿外出
// overlaps them, so it is not added).
func (c ListCount) Total() int { return c.Employed + c.Unemployed }

// Get returns the count of list type l (its Chinese name).
func (c ListCount) Get(l string) int {
	switch l {
	case records.ListEmployed:
		return c.Employed
	case records.ListUnemployed:
		return c.Unemployed
	case records.ListWillingAway:
		return c.WillingAway
	}
	return 0
}

// addStatus counts n statuses of stored list_type listType and flag
// willing (records.StatusList): on 就业 or 失业, and on 有意愿外出 when
// flagged. An unknown list type counts on no status list.
func (c *ListCount) addStatus(listType string, willing bool, n int) {
	l, w := records.StatusList(listType, willing)
	switch l {
	case records.ListEmployed:
		c.Employed += n
	case records.ListUnemployed:
		c.Unemployed += n
	}
	if w {
		c.WillingAway += n
	}
}

func (c ListCount) plus(d ListCount) ListCount {
	return ListCount{c.Employed + d.Employed, c.Unemployed + d.Unemployed, c.WillingAway + d.WillingAway}
}

func (c ListCount) minus(d ListCount) ListCount {
	return ListCount{c.Employed - d.Employed, c.Unemployed - d.Unemployed, c.WillingAway - d.WillingAway}
}

// ListFigures are the three lists of the month: totals and by area.
type ListFigures struct {
	Count  ListCount `json:"count"`
	Prev   ListCount `json:"prev"`
	Change ListCount `json:"change"` // Count − Prev
	// Townships are ordered by code, each with its villages.
	Townships []ListArea `json:"townships"`
}

// ListArea is one township or village of the lists. Code is the division code
// (9 digits for a township, 12 for a village; "" for workers without a
// residence village); Name comes from the station directory when known.
type ListArea struct {
	Code     string     `json:"code"`
	Name     string     `json:"name,omitempty"`
	Count    ListCount  `json:"count"`
	Prev     ListCount  `json:"prev"`
	Change   ListCount  `json:"change"`
	Villages []ListArea `json:"villages,omitempty"`
}

// Bucket is one bar of a breakdown.
type Bucket struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// Groups of the assistance figures: worker tags.
const (
	GroupPoverty   = "脱贫人口"
	GroupMonitored = "防止返贫监测对象"
)

// GroupFigures are how the people of one group (脱贫人口 or 防止返贫监测对象)
// are doing in the month. The breakdowns by scope, form and income count the
// employed.
type GroupFigures struct {
	Group    string    `json:"group"`
	People   int       `json:"people"`
	Lists    ListCount `json:"lists"`
	NoStatus int       `json:"no_status"` // no monthly status this month
	ByScope  []Bucket  `json:"by_scope"`
	ByForm   []Bucket  `json:"by_form"`
	ByIncome []Bucket  `json:"by_income"`
}

// LedgerFigures are the gaps of the assistance ledger: people of either group
// with no follow-up dated in the month, and with none dated in the six months
// ending with it.
type LedgerFigures struct {
	People        int       `json:"people"`
	Followups     int       `json:"followups"` // follow-ups of these people dated in the month
	NoneThisMonth int       `json:"none_this_month"`
	NoneSixMonths int       `json:"none_six_months"`
	ByVillage     []GapArea `json:"by_village"`
}

// GapArea is one village of the ledger gaps.
type GapArea struct {
	Code          string `json:"code"`
	Name          string `json:"name,omitempty"`
	People        int    `json:"people"`
	NoneThisMonth int    `json:"none_this_month"`
	NoneSixMonths int    `json:"none_six_months"`
}

// OlderFigures are the older workers (大龄) at the month's end and their
// employment.
type OlderFigures struct {
	MaleAge   int       `json:"male_age"`
	FemaleAge int       `json:"female_age"`
	People    int       `json:"people"`
	Men       int       `json:"men"`
	Women     int       `json:"women"`
	Lists     ListCount `json:"lists"`
	NoStatus  int       `json:"no_status"`
	ByScope   []Bucket  `json:"by_scope"`
}

// GigFigures are the gig figures of two kinds, which the dashboard and the
// sheets label apart (GigBoardLabel, GigMonthLabel):
//
//   - the board as it stands (截至目前), whatever the month asked: the
//     embedded GigTotals, over every gig not deleted. Placed counts
//     placements with status placed; FillRate is the placed people, each
//     gig's capped at its headcount, over the headcount asked. A gig is
//     filled on the day of its headcount-th placement (by placed_on, then
//     id); its time to fill is that day minus the day it was posted (the
//     time in its id, in Options.Location), in days, never negative.
//   - the month asked (本月): Month (GigMonth), what happened on the board in
//     that month.
//
// Each breakdown (by occupation, by place, by the place's township) carries
// both.
type GigFigures struct {
	GigTotals
	Month        GigMonth   `json:"month"`
	ByOccupation []GigGroup `json:"by_occupation"` // most gigs first
	ByPlace      []GigGroup `json:"by_place"`      // the gig's place code; most gigs first
	ByTownship   []GigGroup `json:"by_township"`   // the place's 苏木乡镇 (gigTownship); by code
}

// The labels that tell the two kinds of gig figures apart.
const (
	GigBoardLabel = "截至目前" // GigTotals: the board as it stands
	GigMonthLabel = "本月"   // GigMonth: the month asked
)

// GigTotals are the counts of a set of gigs: the board as it stands.
type GigTotals struct {
	Gigs      int     `json:"gigs"`
	Open      int     `json:"open"`
	Filled    int     `json:"filled"`
	Closed    int     `json:"closed"`
	Headcount int     `json:"headcount"`
	Placed    int     `json:"placed"`
	FillRate  float64 `json:"fill_rate"`
	// Reached counts the gigs whose placements reached their headcount;
	// MeanDaysToFill averages their time to fill (nil when none did).
	Reached        int      `json:"reached"`
	MeanDaysToFill *float64 `json:"mean_days_to_fill"`
	placedCapped   int
	daysToFill     float64
}

// GigMonth are the gig figures of the month asked (本月), over the gigs not
// deleted and their placements not deleted; every day is compared as the
// text the tables hold, from the month's first day through its last.
type GigMonth struct {
	// Posted counts the gigs posted in the month (the day of the time in
	// the gig's time-ordered id, in Options.Location); PostedHeadcount is
	// their headcount.
	Posted          int `json:"posted"`
	PostedHeadcount int `json:"posted_headcount"`
	// Filled counts the gigs whose headcount-th placement (status placed,
	// by placed_on then id) is dated in the month.
	Filled int `json:"filled"`
	// Expired counts the gigs whose expires_on is in the month and that
	// were not filled by then (no headcount-th placement, or one dated
	// after expires_on).
	Expired int `json:"expired"`
	// Placed counts the placements with status placed dated (placed_on)
	// in the month.
	Placed int `json:"placed"`
	// Ended counts the placements left or cancelled whose ended_on is in
	// the month (stations of schema version 2 record it; older ones leave
	// it empty).
	Ended int `json:"ended"`
}

// GigGroup is the gig figures of one occupation, place or township: the
// board as it stands and the month.
type GigGroup struct {
	Key  string `json:"key"`
	Name string `json:"name,omitempty"`
	GigTotals
	Month GigMonth `json:"month"`
}

// StationHealth is what the hub's registry knows of one station; the hub
// passes it in, since it is not in the replicated tables.
type StationHealth struct {
	Name          string    `json:"name"`
	LastSync      time.Time `json:"last_sync"` // zero: never
	PendingUp     int       `json:"pending_up"`
	PendingDown   int       `json:"pending_down"`
	OpenConflicts int       `json:"open_conflicts"`
	Online        bool      `json:"online"`
}

// StationFigures summarise the stations' health.
type StationFigures struct {
	Stations      []StationRow `json:"stations"`
	Online        int          `json:"online"`
	Silent        int          `json:"silent"`
	SilentDays    int          `json:"silent_days"` // the threshold
	PendingUp     int          `json:"pending_up"`
	PendingDown   int          `json:"pending_down"`
	OpenConflicts int          `json:"open_conflicts"`
	// ConflictsKnown: the open conflicts per station were counted
	// (Options.OpenConflicts); without it OpenConflicts is what the caller
	// passed in StationHealth, usually 0.
	ConflictsKnown bool `json:"conflicts_known"`
}

// StationRow is one station with what the figures derive from it.
type StationRow struct {
	StationHealth
	// Silent: not online and no sync within Options.SilentAfter (or never).
	Silent bool `json:"silent"`
	// DaysSinceSync is whole days since the last sync; -1 if never.
	DaysSinceSync int `json:"days_since_sync"`
}

// VillageRow is one village's totals: the report's village sheet.
type VillageRow struct {
	Code      string    `json:"code"`
	Name      string    `json:"name,omitempty"`
	Township  string    `json:"township"`
	Workers   int       `json:"workers"`
	Poverty   int       `json:"poverty"`
	Monitored int       `json:"monitored"`
	Older     int       `json:"older"`
	Lists     ListCount `json:"lists"`
	Change    ListCount `json:"change"`
	// NoneThisMonth and NoneSixMonths are the ledger gaps of the village.
	NoneThisMonth int `json:"none_this_month"`
	NoneSixMonths int `json:"none_six_months"`
	// The month's flows, registrations, work away and data gaps of the
	// village's residents.
	Flows         FlowFigures         `json:"flows"`
	Registrations RegistrationFigures `json:"registrations"`
	Away          AwayFigures         `json:"away"`
	Quality       QualityFigures      `json:"quality"`
}
