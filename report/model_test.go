package report

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"fieldsync/ident"
	"fieldsync/places"
	"fieldsync/records"
	"fieldsync/records/sample"
	"fieldsync/replica"
)

// The test county: a known data set written through the replica, and a
// plain-Go model of what the figures must be.

const (
	testMonth = "2026-11"
	prevMonth = "2026-10"
	// loneVillage has exactly one person.
	loneVillage = "150421999001"
)

var testVillages = []string{"150421100200", "150421100201", "150421200200", "150421200203"}

type mWorker struct {
	id       ident.ID
	idNumber string
	name     string
	village  string
	tags     []string
	deleted  bool
	noPhone  bool
}

type mStatus struct {
	id                       ident.ID
	worker                   string
	month, list, scope, form string
	income                   float64
	noIncome                 bool // income not entered (NULL)
	verifiedAt               string
	deleted                  bool
	willing                  bool // willing_away
	unverified               bool // no verified_by_method (or, every other one, no verified_by)
}

// mRegistration is an unemployment registration (off: its deregistered_on)
// or, jobseeker, a job-seeking one.
type mRegistration struct {
	id              ident.ID
	jobseeker       bool
	worker          string
	on, off         string
	voided, deleted bool
}

type mFollowup struct {
	id      ident.ID
	worker  string
	date    string
	deleted bool
}

type mGig struct {
	id        ident.ID
	occ       string
	place     string
	status    string
	headcount int
	posted    time.Time
	deleted   bool
}

type mPlacement struct {
	id       ident.ID
	gig      string
	status   string
	placedOn string
	deleted  bool
}

// county is the known data set.
type county struct {
	workers    []*mWorker
	statuses   []*mStatus
	followups  []*mFollowup
	gigs       []*mGig
	placements []*mPlacement
	regs       []*mRegistration
}

func newID(t testing.TB, at time.Time) ident.ID {
	id, err := ident.NewTimeOrdered(at)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// genCounty makes n workers (plus one in loneVillage) with statuses for the
// test month and the one before, follow-ups over eight months, and gigs.
func genCounty(t testing.TB, n int, seed uint64) *county {
	rng := rand.New(rand.NewPCG(seed, 3))
	// The month's facts (phones, registrations, verification) draw from
	// a generator of their own, so the rest of the data set stays as it was.
	more := rand.New(rand.NewPCG(seed, 5))
	c := &county{}
	base := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	for i := 0; len(c.workers) < n+1; i++ {
		idn := sample.IDNumber(rng, i)
		if seen[idn] {
			continue
		}
		seen[idn] = true
		w := &mWorker{idNumber: idn, name: sample.Name(rng), village: testVillages[rng.IntN(len(testVillages))]}
		if len(c.workers) == n {
			w.village = loneVillage
		}
		w.id = testKey.Derive(records.Workers, idn)
		switch rng.IntN(5) {
		case 0:
			w.tags = []string{GroupPoverty}
		case 1:
			w.tags = []string{GroupMonitored, "农民工"}
		case 2:
			w.tags = []string{GroupPoverty, GroupMonitored}
		case 3:
			w.tags = []string{"农民工"}
		}
		slices.Sort(w.tags)
		w.deleted = len(c.workers) < n && rng.IntN(25) == 0
		w.noPhone = more.IntN(8) == 0
		c.workers = append(c.workers, w)
		day := func(from string, n int) string {
			d, _ := time.Parse(records.DateLayout, from)
			return d.AddDate(0, 0, more.IntN(n)).Format(records.DateLayout)
		}
		if more.IntN(3) == 0 {
			r := &mRegistration{id: newID(t, base.Add(time.Duration(len(c.regs))*time.Second)), worker: w.id.String(),
				on: day("2026-09-01", 91), voided: more.IntN(10) == 0, deleted: more.IntN(15) == 0}
			if more.IntN(5) < 2 {
				r.off = day(r.on, 60)
			}
			c.regs = append(c.regs, r)
		}
		if more.IntN(4) == 0 {
			c.regs = append(c.regs, &mRegistration{id: newID(t, base.Add(time.Duration(len(c.regs))*time.Second)), jobseeker: true,
				worker: w.id.String(), on: day("2026-09-15", 77), voided: more.IntN(10) == 0})
		}
		for _, m := range []string{prevMonth, testMonth} {
			k := rng.IntN(10)
			if k == 0 {
				continue // no status this month
			}
			copies := 1
			if k == 1 {
				copies = 2 // two stations recorded the month under different ids
			}
			for j := 0; j < copies; j++ {
				s := &mStatus{id: newID(t, base.Add(time.Duration(len(c.statuses))*time.Second)), worker: w.id.String(),
					month: m, verifiedAt: fmt.Sprintf("%s-%02d", m, 1+rng.IntN(3))}
				switch p := rng.IntN(10); {
				case p < 6:
					s.list, s.scope = records.ListEmployed, records.WorkScopes[rng.IntN(4)]
					s.form, s.income = records.EmploymentForms[rng.IntN(5)], float64(rng.IntN(70)*100)
					// Every seventh status without an income (no draw: the
					// rest of the data set stays as it was).
					s.noIncome = len(c.statuses)%7 == 0
				case p < 8:
					s.list = records.ListUnemployed
				default:
					s.list = records.ListWillingAway
				}
				s.deleted = rng.IntN(30) == 0
				// A quarter flagged willing to work away, of any list (the
				// id's last byte: the random sequence stays as it was).
				s.willing = s.id[15]%4 == 0
				s.unverified = more.IntN(12) == 0
				c.statuses = append(c.statuses, s)
			}
		}
		for k := rng.IntN(4); k > 0; k-- {
			d := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(240))
			c.followups = append(c.followups, &mFollowup{id: newID(t, d), worker: w.id.String(),
				date: d.Format(records.DateLayout), deleted: rng.IntN(20) == 0})
		}
	}
	occs := []string{"保洁", "装卸搬运", "采摘"}
	for i := 0; i < 30; i++ {
		posted := time.Date(2026, 10, 1+rng.IntN(30), rng.IntN(24), 0, 0, 0, time.UTC)
		g := &mGig{id: newID(t, posted), occ: occs[rng.IntN(3)], place: testVillages[rng.IntN(len(testVillages))],
			status: records.GigStatuses[rng.IntN(3)], headcount: 1 + rng.IntN(4), posted: posted, deleted: i == 7}
		c.gigs = append(c.gigs, g)
		for k := rng.IntN(6); k > 0; k-- {
			p := &mPlacement{id: newID(t, posted), gig: g.id.String(), status: records.PlacementStates[rng.IntN(4)%3],
				placedOn: posted.AddDate(0, 0, rng.IntN(12)-2).Format(records.DateLayout), deleted: rng.IntN(15) == 0}
			if rng.IntN(3) > 0 {
				p.status = records.PlacementPlaced
			}
			c.placements = append(c.placements, p)
		}
	}
	return c
}

// edits are the data set as replica edits: rows first, then the deletions.
func (c *county) edits() []replica.Edit {
	var out, dels []replica.Edit
	del := func(table string, id ident.ID, deleted bool) {
		if deleted {
			dels = append(dels, replica.Edit{Table: table, Row: id, Delete: true})
		}
	}
	for _, w := range c.workers {
		tags := w.tags
		if tags == nil {
			tags = []string{}
		}
		var phone any = "1380000" + w.idNumber[14:]
		if w.noPhone {
			phone = nil
		}
		out = append(out, replica.Edit{Table: records.Workers, Row: w.id, Set: []replica.ColumnValue{
			{Column: "id_number", Value: w.idNumber}, {Column: "name", Value: w.name},
			{Column: "residence_village", Value: w.village}, {Column: "hukou_village", Value: w.village},
			{Column: "tags", Value: tags}, {Column: "phone", Value: phone}}})
		del(records.Workers, w.id, w.deleted)
	}
	for _, s := range c.statuses {
		ms := records.MonthStatus{WorkerID: s.worker, Month: s.month, ListType: s.list, WorkScope: s.scope,
			EmploymentForm: s.form, MonthlyIncome: records.Income(s.income), VerifiedByMethod: "电话", VerifiedBy: "王五", VerifiedAt: s.verifiedAt,
			WillingAway: s.willing}
		if s.noIncome {
			ms.MonthlyIncome = nil
		}
		if s.unverified {
			if s.id[14]%2 == 0 {
				ms.VerifiedByMethod = ""
			} else {
				ms.VerifiedBy = ""
			}
		}
		out = append(out, replica.Edit{Table: records.MonthlyStatus, Row: s.id, Set: ms.Columns()})
		del(records.MonthlyStatus, s.id, s.deleted)
	}
	for _, f := range c.followups {
		mf := records.Followup{WorkerID: f.worker, Date: f.date, Method: "电话", ServiceType: "岗位推荐", Content: "推荐岗位"}
		out = append(out, replica.Edit{Table: records.Followups, Row: f.id, Set: mf.Columns()})
		// Follow-ups are append-only: a deleted one is written deleted.
		if f.deleted {
			out[len(out)-1].Delete = true
		}
	}
	for _, r := range c.regs {
		if r.jobseeker {
			j := records.JobseekerRegistration{WorkerID: r.worker, IntendedWork: "保洁", WorkType: records.WorkTypes[0], RegisteredOn: r.on}
			if r.voided {
				j.VoidReason, j.VoidedOn = "录入错误", r.on
			}
			out = append(out, replica.Edit{Table: records.Jobseeker, Row: r.id, Set: j.Columns()})
			continue
		}
		u := records.UnemploymentRegistration{WorkerID: r.worker, PlaceType: records.PlaceTypes[0], RegisteredOn: r.on,
			Reason: "失去工作", DeregisteredOn: r.off}
		if r.off != "" {
			u.DeregistrationReason = "已就业"
		}
		if r.voided {
			u.VoidReason, u.VoidedOn = "录入错误", r.on
		}
		out = append(out, replica.Edit{Table: records.Unemployment, Row: r.id, Set: u.Columns()})
		del(records.Unemployment, r.id, r.deleted)
	}
	for _, g := range c.gigs {
		out = append(out, replica.Edit{Table: records.Gigs, Row: g.id, Set: []replica.ColumnValue{
			{Column: "title", Value: g.occ}, {Column: "occupation", Value: g.occ}, {Column: "place", Value: g.place},
			{Column: "status", Value: g.status}, {Column: "headcount", Value: int64(g.headcount)}}})
		del(records.Gigs, g.id, g.deleted)
	}
	for _, p := range c.placements {
		mp := records.Placement{GigID: p.gig, WorkerID: c.workers[0].id.String(), Status: p.status, PlacedOn: p.placedOn}
		out = append(out, replica.Edit{Table: records.Placements, Row: p.id, Set: mp.Columns()})
		del(records.Placements, p.id, p.deleted)
	}
	// The placement programmes: a welfare post held by one worker in six
	// from the test month's first day, a workshop job of one in ten from
	// the month before; the data gap (placed, status not 就业) follows from
	// the statuses.
	post, shop := testKey.Derive(records.WelfarePosts, "保洁岗"), testKey.Derive(records.Workshops, "车间")
	out = append(out, replica.Edit{Table: records.WelfarePosts, Row: post, Set: (&records.WelfarePost{Name: "保洁岗",
		Village: testVillages[0], Kind: records.WelfarePostKinds[0], Headcount: 100, Employer: "镇政府"}).Columns()},
		replica.Edit{Table: records.Workshops, Row: shop, Set: (&records.Workshop{Name: "车间", Village: testVillages[0]}).Columns()})
	for i, w := range c.workers {
		if i%6 == 0 {
			pl := records.WelfarePlacement{WorkerID: w.id.String(), PostID: post.String(), ContractKind: records.ContractKinds[0],
				ContractStart: testMonth + "-01", ContractEnd: "2027-10-31", InsuranceKind: records.InsuranceKinds[0],
				InsuranceStart: testMonth + "-01", InsuranceEnd: "2027-10-31"}
			out = append(out, replica.Edit{Table: records.WelfarePlacements, Row: testKey.Derive(records.WelfarePlacements, w.id.String()), Set: pl.Columns()})
		}
		if i%10 == 5 {
			j := records.WorkshopJob{WorkerID: w.id.String(), WorkshopID: shop.String(), StartOn: "2026-10-15"}
			out = append(out, replica.Edit{Table: records.WorkshopJobs, Row: testKey.Derive(records.WorkshopJobs, w.id.String()), Set: j.Columns()})
		}
	}
	return append(out, dels...)
}

// write opens a replica in a temporary directory holding the data set.
func (c *county) write(t testing.TB) *replica.Replica {
	t.Helper()
	r := openReplica(t, filepath.Join(t.TempDir(), "county.db"))
	edits := c.edits()
	for len(edits) > 0 {
		k := min(len(edits), 500)
		if _, err := r.Write(context.Background(), edits[:k]...); err != nil {
			t.Fatal(err)
		}
		edits = edits[k:]
	}
	return r
}

// modelAdd is the model's rule of the lists, as the policy defines them: a
// status is on 就业 or 失业, and on 有意愿外出 when flagged, whatever its
// list; the old list 有意愿外出 (a version 1 row) is 失业 and flagged.
func modelAdd(c *ListCount, s *mStatus, n int) {
	switch s.list {
	case records.ListEmployed:
		c.Employed += n
	case records.ListUnemployed, records.ListWillingAway:
		c.Unemployed += n
	}
	if s.willing || s.list == records.ListWillingAway {
		c.WillingAway += n
	}
}

// status is the model's status rule: the latest verified_at, then greatest id.
func (c *county) status(w *mWorker, month string) *mStatus {
	var best *mStatus
	for _, s := range c.statuses {
		if s.worker != w.id.String() || s.month != month || s.deleted {
			continue
		}
		if best == nil || s.verifiedAt > best.verifiedAt ||
			s.verifiedAt == best.verifiedAt && bytes.Compare(s.id[:], best.id[:]) > 0 {
			best = s
		}
	}
	return best
}

func (c *county) live() []*mWorker {
	var out []*mWorker
	for _, w := range c.workers {
		if !w.deleted {
			out = append(out, w)
		}
	}
	return out
}

// expect computes the figures the model says the dashboard must show.
func (c *county) expect(month string) *Figures {
	opt := Options{}.withDefaults()
	p, _ := parsePeriod(month)
	end, _ := time.Parse(records.DateLayout, p.Last)
	bands := incomeBandLabels(opt.IncomeBands)
	f := &Figures{Month: month}
	villages := map[string]*VillageRow{}
	vrow := func(v string) *VillageRow {
		if villages[v] == nil {
			villages[v] = &VillageRow{Code: v, Name: tableName(v), Township: township(v)}
		}
		return villages[v]
	}
	groups := []*GroupFigures{{Group: GroupPoverty}, {Group: GroupMonitored}}
	bucket := func(bs *[]Bucket, k string) {
		for i := range *bs {
			if (*bs)[i].Key == k {
				(*bs)[i].Count++
				return
			}
		}
		*bs = append(*bs, Bucket{Key: k, Count: 1})
	}
	for _, w := range c.live() {
		f.Workers++
		v := vrow(w.village)
		v.Workers++
		cur, prev := c.status(w, month), c.status(w, p.Prev)
		var m VillageRow
		c.expectMonth(&m, w, cur, prev, p)
		v.Flows.add(m.Flows)
		v.Registrations.add(m.Registrations)
		v.Away.add(m.Away)
		v.Quality.add(m.Quality)
		f.Flows.add(m.Flows)
		f.Registrations.add(m.Registrations)
		f.Away.add(m.Away)
		f.Quality.add(m.Quality)
		if cur != nil {
			modelAdd(&f.Lists.Count, cur, 1)
			modelAdd(&v.Lists, cur, 1)
			modelAdd(&v.Change, cur, 1)
		}
		if prev != nil {
			modelAdd(&f.Lists.Prev, prev, 1)
			modelAdd(&v.Change, prev, -1)
		}
		older := opt.Older.Older(w.idNumber, end)
		if older {
			v.Older++
			f.Older.People++
			if ident.Male(w.idNumber) {
				f.Older.Men++
			} else {
				f.Older.Women++
			}
			if cur == nil {
				f.Older.NoStatus++
			} else {
				modelAdd(&f.Older.Lists, cur, 1)
			}
		}
		for _, g := range groups {
			if !slices.Contains(w.tags, g.Group) {
				continue
			}
			g.People++
			if cur == nil {
				g.NoStatus++
				continue
			}
			modelAdd(&g.Lists, cur, 1)
			if cur.list == records.ListEmployed {
				bucket(&g.ByScope, cur.scope)
				bucket(&g.ByForm, cur.form)
				if cur.noIncome {
					bucket(&g.ByIncome, records.IncomeNotReported) // in no band
					continue
				}
				band := len(opt.IncomeBands)
				for i, b := range opt.IncomeBands {
					if cur.income < b {
						band = i
						break
					}
				}
				bucket(&g.ByIncome, bands[band])
			}
		}
		if slices.Contains(w.tags, GroupPoverty) {
			v.Poverty++
		}
		if slices.Contains(w.tags, GroupMonitored) {
			v.Monitored++
		}
		if slices.Contains(w.tags, GroupPoverty) || slices.Contains(w.tags, GroupMonitored) {
			f.Ledger.People++
			inMonth, inSix := 0, 0
			for _, fu := range c.followups {
				if fu.worker != w.id.String() || fu.deleted {
					continue
				}
				if fu.date >= p.First && fu.date <= p.Last {
					inMonth++
				}
				if fu.date >= p.SixFirst && fu.date <= p.Last {
					inSix++
				}
			}
			f.Ledger.Followups += inMonth
			if inMonth == 0 {
				f.Ledger.NoneThisMonth++
				v.NoneThisMonth++
			}
			if inSix == 0 {
				f.Ledger.NoneSixMonths++
				v.NoneSixMonths++
			}
		}
	}
	f.Lists.Change = f.Lists.Count.minus(f.Lists.Prev)
	for _, g := range groups {
		f.Assistance = append(f.Assistance, *g)
	}
	for _, k := range sortedKeys(villages) {
		f.Villages = append(f.Villages, *villages[k])
	}
	// Gigs.
	var days float64
	for _, g := range c.gigs {
		if g.deleted {
			continue
		}
		t := &f.Gigs.GigTotals
		t.Gigs++
		switch g.status {
		case records.GigOpen:
			t.Open++
		case records.GigFilled:
			t.Filled++
		case records.GigClosed:
			t.Closed++
		}
		t.Headcount += g.headcount
		var placed []*mPlacement
		for _, pl := range c.placements {
			if pl.gig == g.id.String() && !pl.deleted && pl.status == records.PlacementPlaced {
				placed = append(placed, pl)
			}
		}
		t.Placed += len(placed)
		t.placedCapped += min(len(placed), g.headcount)
		if len(placed) >= g.headcount {
			slices.SortFunc(placed, func(a, b *mPlacement) int {
				if a.placedOn != b.placedOn {
					return cmpString(a.placedOn, b.placedOn)
				}
				return bytes.Compare(a.id[:], b.id[:])
			})
			fill, _ := time.Parse(records.DateLayout, placed[g.headcount-1].placedOn)
			postedDay, _ := time.Parse(records.DateLayout, g.posted.In(chinaTime).Format(records.DateLayout))
			t.Reached++
			days += max(0, fill.Sub(postedDay).Hours()/24)
		}
	}
	f.Gigs.daysToFill = days
	f.Gigs.finish()
	return f
}

// expectMonth is the model's rules of the month's flows, registrations, work
// away and data gaps, for one worker: into m.
func (c *county) expectMonth(m *VillageRow, w *mWorker, cur, prev *mStatus, p period) {
	list := func(s *mStatus) (string, bool) {
		switch {
		case s == nil:
			return "", false
		case s.list == records.ListWillingAway:
			return records.ListUnemployed, true
		}
		return s.list, s.willing
	}
	away := func(s *mStatus) bool { return s.scope == records.WorkScopes[2] || s.scope == records.WorkScopes[3] }
	cl, cw := list(cur)
	pl, pw := list(prev)
	if cur != nil && prev != nil {
		m.Flows.ToUnemployed += b2i(pl == records.ListEmployed && cl == records.ListUnemployed)
		m.Flows.ToEmployed += b2i(pl == records.ListUnemployed && cl == records.ListEmployed)
		m.Flows.Returned += b2i(pl == records.ListEmployed && away(prev) && !(cl == records.ListEmployed && away(cur)))
	}
	if cur != nil {
		m.Flows.NewWillingAway += b2i(cw && !pw)
		m.Quality.Unverified += b2i(cur.unverified)
		if cl == records.ListEmployed {
			switch cur.scope {
			case records.WorkScopes[2]:
				m.Away.Away++
			case records.WorkScopes[3]:
				m.Away.Away++
				m.Away.OutsideRegion++
			case records.WorkScopes[0], records.WorkScopes[1]:
				m.Away.InCounty++
			}
		}
	}
	m.Quality.NoPhone += b2i(w.noPhone)
	var un, ucl, uop, jn bool
	for _, r := range c.regs {
		if r.worker != w.id.String() || r.voided || r.deleted {
			continue
		}
		in := func(d string) bool { return d >= p.First && d <= p.Last }
		if r.jobseeker {
			jn = jn || in(r.on)
			continue
		}
		un = un || in(r.on)
		ucl = ucl || r.off != "" && in(r.off)
		uop = uop || r.on <= p.Last && (r.off == "" || r.off > p.Last)
	}
	m.Registrations.UnemploymentNew += b2i(un)
	m.Registrations.UnemploymentClosed += b2i(ucl)
	m.Registrations.UnemploymentOpen += b2i(uop)
	m.Registrations.JobseekerNew += b2i(jn)
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// tableName is the model's name of a division code: the division table's,
// "" for a code it lacks (the test county has no station directory).
func tableName(code string) string {
	if p, ok := places.Lookup(code); ok {
		return p.Name
	}
	return ""
}
