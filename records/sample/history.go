package sample

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// A year in the life of the sample people: for each, a monthly status for
// every month of the period (records.MonthStatus), follow-ups of the
// assistance ledger (some due soon, some overdue), an unemployment
// registration while out of work (deregistered when work was found), a
// job-seeking registration for those looking, and placements into gigs
// with free places. Every record is built as the station's forms build it
// (Validate, then Columns), so that it is in the form the hub accepts.

var (
	staff       = []string{"其其格", "王建军", "乌云", "李海燕", "巴特尔"}
	industries  = []string{"农林牧渔业", "建筑业", "制造业", "批发和零售业", "住宿和餐饮业", "交通运输业", "居民服务业"}
	nearTowns   = []string{"县城", "旗所在地", "苏木所在地"}
	regionTowns = []string{"呼和浩特市", "包头市", "鄂尔多斯市", "锡林浩特市", "赤峰市"}
	awayPlaces  = []string{"北京市", "天津市", "河北省张家口市", "山西省大同市", "江苏省苏州市"}
	services    = []string{"政策宣传", "岗位推荐", "技能培训推荐", "就业指导", "困难帮扶"}
	reasons     = []string{"合同到期", "季节性停工", "返乡", "企业裁员", "照顾家人后返岗"}
)

// GigSlot is a gig that sample people may be placed in, with how many
// places it has left.
type GigSlot struct {
	ID   ident.ID
	Free int
}

// HistoryOptions says what History makes.
type HistoryOptions struct {
	// Months is how many months of statuses each person gets, ending with
	// the month of Now (12: a year).
	Months int
	// Now is the current time in the zone the hub uses: it fixes the
	// current month and today, and no record is dated after today.
	Now time.Time
	// Station names the station the records are written for.
	Station string
	// Key derives the rows' ids (the deployment's key).
	Key ident.Key
	// Gigs are the gigs people may be placed in; History places at most
	// Free people in each.
	Gigs []GigSlot
}

// job is one spell of employment.
type job struct {
	scope, form, place, industry string
	income                       float64
}

// profile is the course of a person's year: the list of each month.
type profile []string

// History returns, for the workers Workers made (their edits), the records
// of a year (HistoryOptions), deterministic for seed and Now. Each edit is
// valid for records.CheckChange as a new row.
func History(workers []replica.Edit, seed int64, opt HistoryOptions) ([]replica.Edit, error) {
	if opt.Months < 1 || opt.Months > 120 {
		return nil, fmt.Errorf("sample history: months %d: want 1 to 120", opt.Months)
	}
	if opt.Now.IsZero() {
		return nil, fmt.Errorf("sample history: no current time")
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x415))
	today := time.Date(opt.Now.Year(), opt.Now.Month(), opt.Now.Day(), 0, 0, 0, 0, time.UTC)
	first := time.Date(today.Year(), today.Month()-time.Month(opt.Months-1), 1, 0, 0, 0, 0, time.UTC)
	months := make([]time.Time, opt.Months)
	for i := range months {
		months[i] = first.AddDate(0, i, 0)
	}
	gigs := slices.Clone(opt.Gigs)
	var out []replica.Edit
	for wi, w := range workers {
		wid := w.Row.String()
		tags, _ := columnValue(w, "tags").([]string)
		g := &gen{rng: rng, key: opt.Key, station: opt.Station, worker: wid, today: today}
		prof := g.profile(opt.Months)
		var cur *job
		for i, m := range months {
			list := prof[i]
			if list == records.ListEmployed && (cur == nil || i > 0 && prof[i-1] != records.ListEmployed) {
				cur = g.job()
			}
			if list != records.ListEmployed {
				cur = nil
			}
			e, err := g.status(m, list, cur)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		regs, err := g.registrations(prof, months)
		if err != nil {
			return nil, err
		}
		out = append(out, regs...)
		ledger := slices.Contains(tags, "脱贫人口") || slices.Contains(tags, "防止返贫监测对象") ||
			prof[len(prof)-1] != records.ListEmployed
		if ledger || wi%4 == 0 {
			fs, err := g.followups(months)
			if err != nil {
				return nil, err
			}
			out = append(out, fs...)
		}
		// Some of those looking for work were placed in a gig lately.
		if prof[len(prof)-1] != records.ListEmployed && rng.IntN(4) == 0 {
			for i := range gigs {
				if gigs[i].Free > 0 {
					gigs[i].Free--
					p, err := g.placement(gigs[i].ID)
					if err != nil {
						return nil, err
					}
					out = append(out, p)
					break
				}
			}
		}
	}
	return out, nil
}

// gen makes one person's records.
type gen struct {
	rng     *rand.Rand
	key     ident.Key
	station string
	worker  string
	today   time.Time
	n       int // records made, for their ids
}

// id derives the id of the person's next record of table.
func (g *gen) id(table string) ident.ID {
	g.n++
	return g.key.Derive(table, fmt.Sprintf("sample/%s/%d", g.worker, g.n))
}

// profile picks the course of the person's year.
func (g *gen) profile(n int) profile {
	p := make(profile, n)
	fill := func(from, to int, list string) {
		for i := max(from, 0); i < min(to, n); i++ {
			p[i] = list
		}
	}
	k := 1 + g.rng.IntN(max(n-1, 1)) // the month things changed
	switch r := g.rng.IntN(100); {
	case r < 42: // in work all year
		fill(0, n, records.ListEmployed)
	case r < 58: // found work
		fill(0, k, records.ListUnemployed)
		fill(k, n, records.ListEmployed)
	case r < 76: // lost work
		fill(0, k, records.ListEmployed)
		fill(k, n, records.ListUnemployed)
	case r < 92: // wants to go out to work
		fill(0, n, records.ListEmployed)
		if g.rng.IntN(2) == 0 {
			fill(0, n, records.ListUnemployed)
		}
		fill(n-1-g.rng.IntN(min(n, 6)), n, records.ListWillingAway)
	default: // seasonal: in work from May to October
		fill(0, n, records.ListUnemployed)
		for i := range p {
			m := (int(g.today.Month()) - n + i + 1 + 120) % 12 // 0 = December
			if m >= 5 && m <= 10 {
				p[i] = records.ListEmployed
			}
		}
	}
	return p
}

// job picks a spell of employment.
func (g *gen) job() *job {
	j := &job{scope: records.WorkScopes[g.rng.IntN(len(records.WorkScopes))],
		form:     records.EmploymentForms[g.rng.IntN(len(records.EmploymentForms))],
		industry: industries[g.rng.IntN(len(industries))]}
	if j.form == "公益性岗位" && (j.scope == "区外" || j.scope == "县外区内") {
		j.scope = "本村" // a public-welfare post is local
	}
	base := map[string]float64{"本村": 1500, "乡外县内": 2500, "县外区内": 3500, "区外": 4500}[j.scope]
	switch j.scope {
	case "乡外县内":
		j.place = nearTowns[g.rng.IntN(len(nearTowns))]
	case "县外区内":
		j.place = regionTowns[g.rng.IntN(len(regionTowns))]
	case "区外":
		j.place = awayPlaces[g.rng.IntN(len(awayPlaces))]
	}
	switch j.form {
	case "公益性岗位":
		j.industry, base = "公共管理和社会组织", 800
	case "帮扶车间":
		j.industry = "制造业"
	}
	j.income = base + float64(g.rng.IntN(30))*100
	return j
}

// day returns a day of month m, not after today.
func (g *gen) day(m time.Time) time.Time {
	d := m.AddDate(0, 0, g.rng.IntN(28))
	if d.After(g.today) {
		d = g.today
	}
	return d
}

func (g *gen) status(m time.Time, list string, j *job) (replica.Edit, error) {
	s := records.MonthStatus{WorkerID: g.worker, Month: m.Format(records.MonthLayout), ListType: list,
		VerifiedByMethod: records.VerifyMethods[g.rng.IntN(len(records.VerifyMethods))],
		VerifiedBy:       staff[g.rng.IntN(len(staff))], VerifiedAt: g.day(m).Format(records.DateLayout)}
	if j != nil {
		s.WorkScope, s.EmploymentForm, s.Place, s.Industry = j.scope, j.form, j.place, j.industry
		// The income varies a little from month to month.
		s.MonthlyIncome = records.Income(math.Round(j.income * (0.9 + 0.2*g.rng.Float64())))
	}
	if err := s.Validate(); err != nil {
		return replica.Edit{}, fmt.Errorf("sample status %s: %w", s.Month, err)
	}
	return g.edit(records.MonthlyStatus, s.ID(g.key), s.Columns()), nil
}

func (g *gen) edit(table string, row ident.ID, cols []replica.ColumnValue) replica.Edit {
	return replica.Edit{Table: table, Row: row, Set: append(cols, replica.ColumnValue{Column: "station", Value: g.station})}
}

// registrations makes an unemployment registration for each spell out of
// work (deregistered when it ended) and a job-seeking registration for
// those out of work or wanting to go out at the end.
func (g *gen) registrations(p profile, months []time.Time) ([]replica.Edit, error) {
	var out []replica.Edit
	for i := 0; i < len(p); i++ {
		if p[i] != records.ListUnemployed || i > 0 && p[i-1] == records.ListUnemployed {
			continue
		}
		reg := g.day(months[i])
		u := records.UnemploymentRegistration{WorkerID: g.worker,
			PlaceType: records.PlaceTypes[g.rng.IntN(2)], RegisteredOn: reg.Format(records.DateLayout),
			Reason: reasons[g.rng.IntN(len(reasons))], JobIntention: occupations[g.rng.IntN(len(occupations))]}
		if g.rng.IntN(2) == 0 {
			u.TrainingIntention = skills[g.rng.IntN(len(skills))]
		}
		end := i
		for end < len(p) && p[end] == records.ListUnemployed {
			end++
		}
		if end < len(p) { // found work (or wants to go out) in month end
			d := g.day(months[end])
			if d.Before(reg) {
				d = reg
			}
			u.DeregisteredOn = d.Format(records.DateLayout)
			u.DeregistrationReason = "已实现就业"
			if p[end] == records.ListWillingAway {
				u.DeregistrationReason = "外出务工"
			}
		}
		if err := u.Validate(); err != nil {
			return nil, fmt.Errorf("sample unemployment registration: %w", err)
		}
		out = append(out, g.edit(records.Unemployment, g.id(records.Unemployment), u.Columns()))
	}
	last := p[len(p)-1]
	if last == records.ListEmployed {
		return out, nil
	}
	start := len(p) - 1
	for start > 0 && p[start-1] == last {
		start--
	}
	reg := g.day(months[start])
	j := records.JobseekerRegistration{WorkerID: g.worker, IntendedWork: occupations[g.rng.IntN(len(occupations))],
		WorkType: records.WorkTypes[g.rng.IntN(len(records.WorkTypes))], RegisteredOn: reg.Format(records.DateLayout),
		AvailableFrom: reg.AddDate(0, 0, g.rng.IntN(30)).Format(records.DateLayout), Area: "本县"}
	if last == records.ListWillingAway {
		j.Area = regionTowns[g.rng.IntN(len(regionTowns))]
	}
	if g.rng.IntN(2) == 0 {
		j.ExpectedWage, j.WageUnit = float64(150+10*g.rng.IntN(16)), "元/天"
	} else {
		j.ExpectedWage, j.WageUnit = float64(3000+500*g.rng.IntN(7)), "元/月"
	}
	if err := j.Validate(); err != nil {
		return nil, fmt.Errorf("sample jobseeker registration: %w", err)
	}
	return append(out, g.edit(records.Jobseeker, g.id(records.Jobseeker), j.Columns())), nil
}

// followups makes visits every two or three months; the last one names the
// next visit, overdue for about a quarter of the people, due within ten days
// for another quarter, later for the rest.
func (g *gen) followups(months []time.Time) ([]replica.Edit, error) {
	var dates []time.Time
	for i := g.rng.IntN(3); i < len(months); i += 2 + g.rng.IntN(2) {
		dates = append(dates, g.day(months[i]))
	}
	var next time.Time
	switch r := g.rng.IntN(4); r {
	case 0: // overdue
		last := g.today.AddDate(0, 0, -35-g.rng.IntN(30))
		dates = append(slices.DeleteFunc(dates, func(d time.Time) bool { return !d.Before(last) }), last)
		next = g.today.AddDate(0, 0, -1-g.rng.IntN(20))
	case 1: // due soon
		next = g.today.AddDate(0, 0, 1+g.rng.IntN(10))
	default:
		next = g.today.AddDate(0, 0, 20+g.rng.IntN(40))
	}
	var out []replica.Edit
	for i, d := range dates {
		f := records.Followup{WorkerID: g.worker, Date: d.Format(records.DateLayout),
			Method:      records.FollowupMethods[g.rng.IntN(len(records.FollowupMethods))],
			ServiceType: services[g.rng.IntN(len(services))], Staff: staff[g.rng.IntN(len(staff))]}
		f.Content = "了解就业意愿和家庭情况，" + f.ServiceType
		f.Outcome = []string{"本人表示满意", "已推荐岗位，待回复", "已登记培训意向", "继续跟踪"}[g.rng.IntN(4)]
		// Only the last visit names the next one: the station counts
		// every follow-up whose next_due has passed as due.
		if i == len(dates)-1 && !next.Before(d) {
			f.NextDue = next.Format(records.DateLayout)
		}
		if err := f.Validate(); err != nil {
			return nil, fmt.Errorf("sample follow-up: %w", err)
		}
		out = append(out, g.edit(records.Followups, g.id(records.Followups), f.Columns()))
	}
	return out, nil
}

func (g *gen) placement(gig ident.ID) (replica.Edit, error) {
	p := records.Placement{GigID: gig.String(), WorkerID: g.worker, Status: records.PlacementPlaced,
		PlacedOn: g.today.AddDate(0, 0, -g.rng.IntN(5)).Format(records.DateLayout)}
	if err := p.Validate(); err != nil {
		return replica.Edit{}, fmt.Errorf("sample placement: %w", err)
	}
	return g.edit(records.Placements, g.id(records.Placements), p.Columns()), nil
}

// columnValue is the value an edit sets column to (nil if it sets none).
func columnValue(e replica.Edit, column string) any {
	for _, cv := range e.Set {
		if cv.Column == column {
			return cv.Value
		}
	}
	return nil
}
