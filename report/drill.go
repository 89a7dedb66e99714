package report

import (
	"fmt"
	"strings"

	"fieldsync/records"
)

// DrillFigure is a figure of the dashboard whose people can be listed: its
// name in URLs (GET /api/people?figure=NAME), its Chinese title, and the
// PeopleQuery that selects the people it counts. A figure and its list
// always agree: the count of the query is the figure (tests hold every one
// to that: TestDrillFiguresMatchTheirPeople).
type DrillFigure struct {
	Name  string
	Title string
	query func(q *PeopleQuery)
	value func(f *Figures) int
	// village is the figure's value in one village row; nil for a figure
	// the rows do not break down (AreaValue says so).
	village func(v *VillageRow) int
}

// Value is the figure's value in f (the county's, or as filtered when f
// was).
func (d DrillFigure) Value(f *Figures) int { return d.value(f) }

// AreaValue is the figure's value for the residents of area (a township's
// or a village's division code), summed over f.Villages; false when the
// figure has no breakdown by village. An empty area is the county.
func (d DrillFigure) AreaValue(f *Figures, area string) (int, bool) {
	if area == "" {
		return d.value(f), true
	}
	if d.village == nil {
		return 0, false
	}
	n := 0
	for i := range f.Villages {
		if strings.HasPrefix(f.Villages[i].Code, area) {
			n += d.village(&f.Villages[i])
		}
	}
	return n, true
}

// Drill-down figure names.
const (
	FigWorkers       = "workers"
	FigEmployed      = "employed"
	FigUnemployed    = "unemployed"
	FigWillingAway   = "willing_away"
	FigNoStatus      = "no_status"
	FigPoverty       = "poverty"
	FigMonitored     = "monitored"
	FigLedger        = "ledger"
	FigGapMonth      = "gap_month"
	FigGapSixMonths  = "gap_six_months"
	FigOlder         = "older"
	FigOlderEmployed = "older_employed"

	FigToUnemployed       = "to_unemployed"
	FigToEmployed         = "to_employed"
	FigNewWillingAway     = "new_willing_away"
	FigReturned           = "returned"
	FigUnemploymentNew    = "unemployment_new"
	FigUnemploymentClosed = "unemployment_closed"
	FigUnemploymentOpen   = "unemployment_open"
	FigJobseekerNew       = "jobseeker_new"
	FigAway               = "employed_away"
	FigOutsideRegion      = "employed_outside_region"
	FigInCounty           = "employed_in_county"
	FigNoPhone            = "no_phone"
	FigUnverified         = "unverified"

	FigProgrammeNotEmployed = "programme_not_employed"
)

// DrillFigures lists the figures that open to their people, in the order a
// page shows them.
var DrillFigures = []DrillFigure{
	{FigWorkers, "登记人数", func(q *PeopleQuery) {}, func(f *Figures) int { return f.Workers }, func(v *VillageRow) int { return v.Workers }},
	{FigEmployed, "就业", func(q *PeopleQuery) { q.List = records.ListEmployed }, func(f *Figures) int { return f.Lists.Count.Employed }, func(v *VillageRow) int { return v.Lists.Employed }},
	{FigUnemployed, "失业", func(q *PeopleQuery) { q.List = records.ListUnemployed }, func(f *Figures) int { return f.Lists.Count.Unemployed }, func(v *VillageRow) int { return v.Lists.Unemployed }},
	{FigWillingAway, "有意愿外出", func(q *PeopleQuery) { q.List = records.ListWillingAway }, func(f *Figures) int { return f.Lists.Count.WillingAway }, func(v *VillageRow) int { return v.Lists.WillingAway }},
	{FigNoStatus, "本月无状态", func(q *PeopleQuery) { q.List = NoStatus }, func(f *Figures) int { return f.Workers - f.Lists.Count.Total() }, func(v *VillageRow) int { return v.Workers - v.Lists.Total() }},
	{FigPoverty, GroupPoverty, func(q *PeopleQuery) { q.Group = GroupPoverty }, func(f *Figures) int { return groupPeople(f, GroupPoverty) }, func(v *VillageRow) int { return v.Poverty }},
	{FigMonitored, GroupMonitored, func(q *PeopleQuery) { q.Group = GroupMonitored }, func(f *Figures) int { return groupPeople(f, GroupMonitored) }, func(v *VillageRow) int { return v.Monitored }},
	{FigLedger, "帮扶台账人数", func(q *PeopleQuery) { q.Group = GroupEither }, func(f *Figures) int { return f.Ledger.People }, nil},
	{FigGapMonth, "本月未帮扶", func(q *PeopleQuery) { q.Gap = GapMonth }, func(f *Figures) int { return f.Ledger.NoneThisMonth }, func(v *VillageRow) int { return v.NoneThisMonth }},
	{FigGapSixMonths, "六个月未帮扶", func(q *PeopleQuery) { q.Gap = GapSixMonths }, func(f *Figures) int { return f.Ledger.NoneSixMonths }, func(v *VillageRow) int { return v.NoneSixMonths }},
	{FigOlder, "大龄劳动力", func(q *PeopleQuery) { q.Older = true }, func(f *Figures) int { return f.Older.People }, func(v *VillageRow) int { return v.Older }},
	{FigOlderEmployed, "大龄劳动力（就业）", func(q *PeopleQuery) { q.Older, q.List = true, records.ListEmployed }, func(f *Figures) int { return f.Older.Lists.Employed }, nil},
	{FigToUnemployed, "就业转失业", func(q *PeopleQuery) { q.Flow = FlowToUnemployed }, func(f *Figures) int { return f.Flows.ToUnemployed }, func(v *VillageRow) int { return v.Flows.ToUnemployed }},
	{FigToEmployed, "失业转就业", func(q *PeopleQuery) { q.Flow = FlowToEmployed }, func(f *Figures) int { return f.Flows.ToEmployed }, func(v *VillageRow) int { return v.Flows.ToEmployed }},
	{FigNewWillingAway, "新增有意愿外出", func(q *PeopleQuery) { q.Flow = FlowNewWillingAway }, func(f *Figures) int { return f.Flows.NewWillingAway }, func(v *VillageRow) int { return v.Flows.NewWillingAway }},
	{FigReturned, "返乡", func(q *PeopleQuery) { q.Flow = FlowReturned }, func(f *Figures) int { return f.Flows.Returned }, func(v *VillageRow) int { return v.Flows.Returned }},
	{FigUnemploymentNew, "本月失业登记", func(q *PeopleQuery) { q.Registration = RegUnemploymentNew }, func(f *Figures) int { return f.Registrations.UnemploymentNew }, func(v *VillageRow) int { return v.Registrations.UnemploymentNew }},
	{FigUnemploymentClosed, "本月注销失业登记", func(q *PeopleQuery) { q.Registration = RegUnemploymentClosed }, func(f *Figures) int { return f.Registrations.UnemploymentClosed }, func(v *VillageRow) int { return v.Registrations.UnemploymentClosed }},
	{FigUnemploymentOpen, "月末失业登记在册", func(q *PeopleQuery) { q.Registration = RegUnemploymentOpen }, func(f *Figures) int { return f.Registrations.UnemploymentOpen }, func(v *VillageRow) int { return v.Registrations.UnemploymentOpen }},
	{FigJobseekerNew, "本月求职登记", func(q *PeopleQuery) { q.Registration = RegJobseekerNew }, func(f *Figures) int { return f.Registrations.JobseekerNew }, func(v *VillageRow) int { return v.Registrations.JobseekerNew }},
	{FigAway, "外出务工", func(q *PeopleQuery) { q.List, q.Scope = records.ListEmployed, ScopeAway }, func(f *Figures) int { return f.Away.Away }, func(v *VillageRow) int { return v.Away.Away }},
	{FigOutsideRegion, "区外务工", func(q *PeopleQuery) { q.List, q.Scope = records.ListEmployed, ScopeOutsideRegion }, func(f *Figures) int { return f.Away.OutsideRegion }, func(v *VillageRow) int { return v.Away.OutsideRegion }},
	{FigInCounty, "旗县内务工", func(q *PeopleQuery) { q.List, q.Scope = records.ListEmployed, ScopeInCounty }, func(f *Figures) int { return f.Away.InCounty }, func(v *VillageRow) int { return v.Away.InCounty }},
	{FigNoPhone, "未登记电话", func(q *PeopleQuery) { q.Quality = QualityNoPhone }, func(f *Figures) int { return f.Quality.NoPhone }, func(v *VillageRow) int { return v.Quality.NoPhone }},
	{FigUnverified, "本月状态未核实", func(q *PeopleQuery) { q.Quality = QualityUnverified }, func(f *Figures) int { return f.Quality.Unverified }, func(v *VillageRow) int { return v.Quality.Unverified }},
	{FigProgrammeNotEmployed, TitleProgrammeNotEmployed, func(q *PeopleQuery) { q.Programme = ProgrammeNotEmployed }, func(f *Figures) int { return f.Programmes.NotEmployed }, nil},
}

// DrillFigureNamed returns the figure of that name.
func DrillFigureNamed(name string) (DrillFigure, bool) {
	for _, f := range DrillFigures {
		if f.Name == name {
			return f, true
		}
	}
	return DrillFigure{}, false
}

// FigureQuery is the query of the people behind figure name in month,
// within area (a township's or village's division code; "" for the whole
// county). An unknown figure or a bad area is ErrBadQuery; a bad month is
// ErrBadMonth when the query runs.
func FigureQuery(name, month, area string) (PeopleQuery, error) {
	f, ok := DrillFigureNamed(name)
	if !ok {
		return PeopleQuery{}, fmt.Errorf("%w: figure %q", ErrBadQuery, name)
	}
	q := PeopleQuery{Month: month, Area: area}
	f.query(&q)
	return q, nil
}

// groupPeople is the people of one assistance group in f.
func groupPeople(f *Figures, group string) int {
	for _, g := range f.Assistance {
		if g.Group == group {
			return g.People
		}
	}
	return 0
}
