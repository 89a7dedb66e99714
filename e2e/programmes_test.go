package e2e

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/station"
	"fieldsync/station/stationweb"
)

// progStation is a whole station (apiStation) with its core, whose
// SaveProgramme is the one write path of the programmes' records.
type progStation struct {
	*apiStation
	core *station.Station
}

func newProgStation(t *testing.T, h *hubtest.Server, name string) *progStation {
	t.Helper()
	e := h.Enroll(name)
	cfg := station.Config{Name: e.StationID, Site: e.Site.String(), Key: hex.EncodeToString(e.Key),
		Enrollment: e.String(), Older: records.DefaultOlder, Addr: station.DefaultAddr}
	rep, err := station.OpenReplica(context.Background(), t.TempDir(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &apiStation{t: t, name: name, enr: e, rep: rep}
	t.Cleanup(func() {
		s.stopSync()
		rep.Close()
	})
	s.startSync()
	core, err := station.New(station.Options{Replica: rep, Config: cfg, Sync: s.client})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := stationweb.New(stationweb.Options{Station: core, Sync: s.client, Hosts: []string{"example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	s.hd = srv.Handler()
	return &progStation{apiStation: s, core: core}
}

// save writes rec through SaveProgramme (a new row) and returns its id.
func (s *progStation) save(table string, rec station.ProgrammeRecord) ident.ID {
	s.t.Helper()
	id, err := s.core.SaveProgramme(context.Background(), table, ident.Zero, rec)
	if err != nil {
		s.t.Fatalf("%s: save %s: %v", s.name, table, err)
	}
	return id
}

// raw writes an edit straight into the station's replica, past its forms
// (as a tampered station would), and wakes its sync client.
func (s *progStation) raw(e replica.Edit) {
	s.t.Helper()
	if _, err := s.rep.Write(context.Background(), e); err != nil {
		s.t.Fatal(err)
	}
	s.client.Kick()
}

// programmeRows is one of each programme record: the county-wide rows a
// station made, and one person's records.
type programmeRows struct {
	county, person map[string]ident.ID
}

// writeProgrammes writes, at s, one row of each of the 11 programme
// tables, the person's records for worker.
func writeProgrammes(t *testing.T, s *progStation, worker ident.ID) programmeRows {
	t.Helper()
	budget, wage, income := 50000.0, 2600.0, 300.0
	r := programmeRows{county: map[string]ident.ID{}, person: map[string]ident.ID{}}
	r.county[records.WelfarePosts] = s.save(records.WelfarePosts, &records.WelfarePost{Name: "护林员", Village: "150421100201",
		Kind: "护林防火", Headcount: 3, Subsidy: 900, PartTime: true, Employer: "嘎查村委会"})
	r.county[records.Workshops] = s.save(records.Workshops, &records.Workshop{Name: "民族服饰帮扶车间", Village: "150421100201",
		Operator: "萨仁服饰合作社", Industry: "服装"})
	r.county[records.WorkReliefProjects] = s.save(records.WorkReliefProjects, &records.WorkReliefProject{Name: "嘎查道路硬化",
		Place: "150421100", Owner: "交通局", StartOn: "2026-05-01", PayBudget: &budget})
	r.county[records.PartnerRegions] = s.save(records.PartnerRegions, &records.PartnerRegion{Name: "江苏省苏州市",
		Kind: records.PartnerKinds[0]})
	r.county[records.ExportBatches] = s.save(records.ExportBatches, &records.ExportBatch{SentOn: "2026-03-01",
		Destination: "江苏省苏州市", Employer: "电子厂", PartnerRegionID: r.county[records.PartnerRegions].String(),
		LabourBrand: "科尔沁保姆"})
	w := worker.String()
	r.person[records.WelfarePlacements] = s.save(records.WelfarePlacements, &records.WelfarePlacement{WorkerID: w,
		PostID: r.county[records.WelfarePosts].String(), ContractKind: records.ContractKinds[1], ContractStart: "2026-04-01",
		ContractEnd: "2027-03-31", InsuranceKind: records.InsuranceKinds[1], InsuranceStart: "2026-04-01",
		InsuranceEnd: "2027-03-31", PartTime: true})
	r.person[records.WelfareAssessments] = s.save(records.WelfareAssessments, &records.WelfareAssessment{WorkerID: w,
		PlacementID: r.person[records.WelfarePlacements].String(), Month: "2026-05", Result: "合格", OtherIncome: &income})
	r.person[records.WorkshopJobs] = s.save(records.WorkshopJobs, &records.WorkshopJob{WorkerID: w,
		WorkshopID: r.county[records.Workshops].String(), StartOn: "2026-01-10", EndOn: "2026-03-31", MonthlyWage: &wage})
	r.person[records.SharedEmployment] = s.save(records.SharedEmployment, &records.SharedJob{WorkerID: w,
		OriginalEmployer: "伊泰煤业", ContractEnd: "2027-12-31", HostEmployer: "蒙牛乳业", StartOn: "2026-06-01", EndOn: "2026-08-31"})
	r.person[records.WorkReliefJobs] = s.save(records.WorkReliefJobs, &records.WorkReliefJob{WorkerID: w,
		ProjectID: r.county[records.WorkReliefProjects].String(), StartOn: "2026-05-01", EndOn: "2026-05-31", Pay: 3200,
		PaidOn: "2026-06-05"})
	r.person[records.ExportMembers] = s.save(records.ExportMembers, &records.ExportMember{WorkerID: w,
		BatchID: r.county[records.ExportBatches].String()})
	return r
}

// Every programme record written at a station reaches the hub; the
// county-wide ones reach every other station, a person's only the
// stations that hold the person. A station editing another's county-wide
// row is refused and takes the maker's value back.
func TestProgrammesSyncByScope(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	a, b, c := newProgStation(t, h, "站A"), newProgStation(t, h, "站B"), newProgStation(t, h, "站C")
	idn := hubtest.IDNumber(3101)
	worker := mustParseID(t, a.mustCreate("/api/workers", apiWorkerBody(idn, "阿拉坦")))
	if got := mustParseID(t, b.mustCreate("/api/workers", apiWorkerBody(idn, "阿拉坦"))); got != worker {
		t.Fatalf("B registered the person as %s, A as %s", got, worker)
	}
	c.mustCreate("/api/workers", apiWorkerBody(hubtest.IDNumber(3102), "C站的人"))
	rows := writeProgrammes(t, a, worker)
	all := func() bool {
		return inSync(t, h, a.apiStation) && inSync(t, h, b.apiStation) && inSync(t, h, c.apiStation)
	}
	hubtest.WaitFor(t, 30*time.Second, "the programmes at the hub and the stations", func() bool {
		return all() && hasRow(t, c.rep, records.ExportBatches, rows.county[records.ExportBatches].String()) &&
			hasRow(t, b.rep, records.ExportMembers, rows.person[records.ExportMembers].String())
	})
	hr := h.Hub.Replica()
	for table, id := range rows.county {
		for where, r := range map[string]*replica.Replica{"the hub": hr, "B": b.rep, "C": c.rep} {
			if !hasRow(t, r, table, id.String()) {
				t.Errorf("%s does not hold A's %s row", where, table)
			}
		}
		if v := hubtest.StationValue(t, hr, table, id, "station"); v != "站A" {
			t.Errorf("%s at the hub: station %v", table, v)
		}
	}
	for table, id := range rows.person {
		if !hasRow(t, hr, table, id.String()) || !hasRow(t, b.rep, table, id.String()) {
			t.Errorf("%s: the person's record is not at the hub and at B, who holds the person", table)
		}
		if hasRow(t, c.rep, table, id.String()) {
			t.Errorf("%s: station C, who does not hold the person, received the person's record", table)
		}
	}
	if n := len(rows.county) + len(rows.person); n != 11 {
		t.Fatalf("%d programme tables written, want 11", n)
	}
	if refused := hubtest.Refusals(t, hr); len(refused) > 0 {
		t.Fatalf("the hub refused: %+v", refused)
	}

	// B's forms refuse to edit A's post; past them, the hub refuses it and
	// B takes A's value back.
	post := rows.county[records.WelfarePosts]
	if _, err := b.core.SaveProgramme(context.Background(), records.WelfarePosts, post, &records.WelfarePost{Name: "B改的名字",
		Village: "150421100201", Kind: "护林防火", Headcount: 3, Subsidy: 900, Employer: "嘎查村委会"}); err == nil {
		t.Fatal("B's SaveProgramme edited A's post")
	}
	b.raw(replica.Edit{Table: records.WelfarePosts, Row: post, Set: []replica.ColumnValue{{Column: "name", Value: "B改的名字"}}})
	hubtest.WaitFor(t, 30*time.Second, "B's edit refused, B back at A's value", func() bool {
		return inSync(t, h, a.apiStation) && sameRows(t, h, b.apiStation) && inSync(t, h, c.apiStation) &&
			hubtest.StationValue(t, b.rep, records.WelfarePosts, post, "name") == "护林员"
	})
	checkRefused(t, "hub", hr, "站B", []refusalWant{{records.WelfarePosts, post, "", records.KeyNotMaker}})
	for where, r := range map[string]*replica.Replica{"the hub": hr, "A": a.rep, "B": b.rep, "C": c.rep} {
		if v := hubtest.StationValue(t, r, records.WelfarePosts, post, "name"); v != "护林员" {
			t.Errorf("%s holds the post's name %v, want A's", where, v)
		}
	}
}

// A row the county made (station records.County, written at the hub)
// reaches every station, and no station edits it.
func TestProgrammesCountyRow(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	a, b := newProgStation(t, h, "站A"), newProgStation(t, h, "站B")
	region := hubtest.NewRowID(t)
	pr := records.PartnerRegion{Name: "北京市", Kind: records.PartnerKinds[1]}
	if err := pr.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Hub.Write(context.Background(), hubtest.WithStation(replica.Edit{Table: records.PartnerRegions, Row: region,
		Set: pr.Columns()}, records.County)); err != nil {
		t.Fatal(err)
	}
	hubtest.WaitFor(t, 30*time.Second, "the county's region at both stations", func() bool {
		return inSync(t, h, a.apiStation) && inSync(t, h, b.apiStation) &&
			hasRow(t, a.rep, records.PartnerRegions, region.String()) && hasRow(t, b.rep, records.PartnerRegions, region.String())
	})
	if _, err := a.core.SaveProgramme(context.Background(), records.PartnerRegions, region,
		&records.PartnerRegion{Name: "A改的", Kind: records.PartnerKinds[1]}); err == nil {
		t.Fatal("A's SaveProgramme edited the county's region")
	}
	a.raw(replica.Edit{Table: records.PartnerRegions, Row: region, Set: []replica.ColumnValue{{Column: "name", Value: "A改的"}}})
	hubtest.WaitFor(t, 30*time.Second, "A's edit refused, A back at the county's value", func() bool {
		return sameRows(t, h, a.apiStation) && inSync(t, h, b.apiStation) &&
			hubtest.StationValue(t, a.rep, records.PartnerRegions, region, "name") == "北京市"
	})
	checkRefused(t, "hub", h.Hub.Replica(), "站A", []refusalWant{{records.PartnerRegions, region, "", records.KeyNotMaker}})
	if v := hubtest.StationValue(t, h.Hub.Replica(), records.PartnerRegions, region, "name"); v != "北京市" {
		t.Errorf("the hub holds the county's region as %v", v)
	}
	// A station may name the county's row in its own records.
	a.save(records.ExportBatches, &records.ExportBatch{SentOn: "2026-04-01", Destination: "北京市",
		PartnerRegionID: region.String()})
}

// A tampered station, past its forms: a person's programme record for a
// person outside its scope is refused and not kept; a welfare contract
// over a year is refused naming contract_end.
func TestHostileProgrammes(t *testing.T) {
	c := newTrustCounty(t)
	hr := c.h.Hub.Replica()
	post := hubtest.NewRowID(t)
	wp := records.WelfarePost{Name: "保洁员", Village: "150421100201", Kind: records.WelfarePostKinds[0], Headcount: 1,
		Subsidy: 600, Employer: "村委会"}
	if err := wp.Validate(); err != nil {
		t.Fatal(err)
	}
	c.a.Do(hubtest.WithStation(replica.Edit{Table: records.WelfarePosts, Row: post, Set: wp.Columns()}, "站A"))
	placement := func(worker ident.ID, start, end string) replica.Edit {
		p := records.WelfarePlacement{WorkerID: worker.String(), PostID: post.String(), ContractKind: records.ContractKinds[0],
			ContractStart: start, ContractEnd: end, InsuranceKind: records.InsuranceKinds[0], InsuranceStart: start,
			InsuranceEnd: end}
		return hubtest.WithStation(replica.Edit{Table: records.WelfarePlacements, Row: hubtest.NewRowID(t), Set: p.Columns()}, "站A")
	}
	// B's person, not A's.
	other := placement(c.wb, "2026-01-01", "2026-12-31")
	m := records.ExportMember{WorkerID: c.wb.String(), BatchID: hubtest.NewRowID(t).String()}
	member := hubtest.WithStation(replica.Edit{Table: records.ExportMembers, Row: hubtest.NewRowID(t), Set: m.Columns()}, "站A")
	c.a.Do(other, member)
	// A's own person, a contract of a year and a day.
	long := placement(c.wa, "2026-01-01", "2027-01-01")
	c.a.Do(long)
	checkRefused(t, "hub", hr, "站A", []refusalWant{
		{records.WelfarePlacements, other.Row, "", records.KeyOutOfScope},
		{records.ExportMembers, member.Row, "", records.KeyOutOfScope},
		{records.WelfarePlacements, long.Row, "contract_end", records.KeyContractTooLong},
	})
	for _, e := range []replica.Edit{other, member} {
		if hasRow(t, hr, e.Table, e.Row.String()) {
			t.Errorf("the hub holds A's %s of B's person", e.Table)
		}
	}
	if v := hubtest.StationValue(t, hr, records.WelfarePlacements, long.Row, "contract_end"); v == "2027-01-01" {
		t.Errorf("the hub took a contract over a year")
	}
	hubtest.WaitFor(t, 30*time.Second, "B in sync", func() bool { return inSync(t, c.h, c.b) })
	for _, e := range []replica.Edit{other, member} {
		if hasRow(t, c.b.rep, e.Table, e.Row.String()) {
			t.Errorf("B received A's %s of B's person", e.Table)
		}
	}
	// A year less a day is accepted.
	ok := placement(c.wa, "2026-01-01", "2026-12-31")
	c.a.Do(ok)
	if v := hubtest.StationValue(t, hr, records.WelfarePlacements, ok.Row, "contract_end"); v != "2026-12-31" {
		t.Errorf("a contract of a year: contract_end at the hub %v", v)
	}
}

// A station of schema version 1 (a release before the programmes) keeps
// syncing with a hub that holds them, and receives none of their rows.
func TestProgrammesOlderStation(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	a := newProgStation(t, h, "站A")
	idn := hubtest.IDNumber(3201)
	worker := mustParseID(t, a.mustCreate("/api/workers", apiWorkerBody(idn, "那仁")))
	old := hubtest.NewHostileAt(t, h, h.Enroll("旧站"), 1)
	old.Connect()
	// The old station holds the same person (a join), so the person's
	// programme records would be in its scope.
	old.Do(knownAt(old.Rep, hostileWorker(t, old.Enr.Key, idn, "那仁", "旧站")))
	rows := writeProgrammes(t, a, worker)
	hubtest.WaitFor(t, 30*time.Second, "A's programmes at the hub", func() bool {
		return inSync(t, h, a.apiStation) && hasRow(t, h.Hub.Replica(), records.ExportMembers, rows.person[records.ExportMembers].String())
	})
	old.Catchup()
	// It keeps syncing: its own change is taken.
	st := knownAt(old.Rep, hubtest.WithStation(hubtest.StatusEdit(old.Enr.Key, worker, "2026-11", records.ListEmployed), "旧站"))
	old.Do(st)
	if !hasRow(t, h.Hub.Replica(), records.MonthlyStatus, st.Row.String()) {
		t.Fatal("the hub did not take the old station's status")
	}
	programme := map[string]bool{}
	for _, tb := range append(append([]string{}, records.ProgrammeCountyTables...), records.ProgrammePersonTables...) {
		programme[tb] = true
	}
	sawWorker := false
	for _, ch := range old.Received {
		if programme[ch.Table] {
			t.Fatalf("the old station received a %s row", ch.Table)
		}
		sawWorker = sawWorker || ch.Table == records.Workers && ch.Row == worker
	}
	if !sawWorker {
		t.Error("the old station did not receive the person A updated (the test would not see programme rows either)")
	}
	checkRefused(t, "hub", h.Hub.Replica(), "旧站", nil)
}

// knownAt keeps of e the columns r's schema knows: what a release of that
// schema writes.
func knownAt(r *replica.Replica, e replica.Edit) replica.Edit {
	t, _ := r.Schema().Table(e.Table)
	known := e.Set[:0:0]
	for _, cv := range e.Set {
		if _, ok := t.Column(cv.Column); ok {
			known = append(known, cv)
		}
	}
	e.Set = known
	return e
}

// sameRows reports whether the station holds exactly the hub's rows of its
// scope: inSync without counting the station's own changes, some of which
// the hub refused (and answered with its own values).
func sameRows(t testing.TB, h *hubtest.Server, s *apiStation) bool {
	t.Helper()
	ctx := context.Background()
	hh, hn, err := h.Hub.Replica().ContentHash(ctx, h.Hub.ScopeFilter(s.name))
	if err != nil {
		t.Fatal(err)
	}
	sh, sn, err := s.rep.ContentHash(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	return hh == sh && hn == sn
}

// Two stations, one offline, each place the same person in a welfare post
// over overlapping terms, each allowed by its own forms: the hub queues
// the rule conflict, names it in Chinese on its conflict page, and settles
// it when one station deletes its placement.
func TestProgrammeRuleConflictPage(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	a, b := newProgStation(t, h.Server, "站A"), newProgStation(t, h.Server, "站B")
	idn := hubtest.IDNumber(3301)
	worker := mustParseID(t, a.mustCreate("/api/workers", apiWorkerBody(idn, "敖日格乐")))
	b.mustCreate("/api/workers", apiWorkerBody(idn, "敖日格乐"))
	post := a.save(records.WelfarePosts, &records.WelfarePost{Name: "嘎查保洁员", Village: "150421100201",
		Kind: records.WelfarePostKinds[0], Headcount: 2, Subsidy: 800, Employer: "嘎查村委会"})
	hubtest.WaitFor(t, 30*time.Second, "A's post at B", func() bool {
		return inSync(t, h.Server, a.apiStation) && inSync(t, h.Server, b.apiStation) &&
			hasRow(t, b.rep, records.WelfarePosts, post.String())
	})
	place := func(s *progStation, start, end string) ident.ID {
		return s.save(records.WelfarePlacements, &records.WelfarePlacement{WorkerID: worker.String(), PostID: post.String(),
			ContractKind: records.ContractKinds[0], ContractStart: start, ContractEnd: end,
			InsuranceKind: records.InsuranceKinds[0], InsuranceStart: start, InsuranceEnd: end})
	}
	b.stopSync()
	place(a, "2026-01-01", "2026-12-31")
	hubtest.WaitFor(t, 30*time.Second, "A's placement at the hub", func() bool { return inSync(t, h.Server, a.apiStation) })
	bp := place(b, "2026-07-01", "2027-06-30") // B has not seen A's
	b.startSync()
	hubtest.WaitFor(t, 30*time.Second, "B's placement at the hub", func() bool {
		return inSync(t, h.Server, a.apiStation) && inSync(t, h.Server, b.apiStation)
	})
	tok := h.AdminToken("resolver-wp", access.RoleResolver)
	open := h.OpenConflicts(tok, hub.KindTwoWelfare)
	if len(open) != 1 || open[0]["worker_name"] != "敖日格乐" || len(open[0]["values"].([]any)) != 2 {
		t.Fatalf("open %s conflicts: %v", hub.KindTwoWelfare, open)
	}
	web := h.LoggedIn("viewer-wp", access.RoleViewer)
	st, _, page := hubtest.Page(t, web, fmt.Sprintf("%s/conflicts/%v", h.URL(), open[0]["id"]))
	if st != http.StatusOK || !strings.Contains(page, "同时在两个乡村公益性岗位") || !strings.Contains(page, "嘎查保洁员") ||
		!strings.Contains(page, "2026-07-01—2027-06-30") {
		t.Fatalf("the conflict's page: %d\n%s", st, page)
	}
	if err := b.core.DeleteProgramme(context.Background(), records.WelfarePlacements, bp); err != nil {
		t.Fatal(err)
	}
	hubtest.WaitFor(t, 30*time.Second, "the conflict settled by B's delete", func() bool {
		return inSync(t, h.Server, b.apiStation) && len(h.OpenConflicts(tok, hub.KindTwoWelfare)) == 0
	})
}

// A tampered station, past its forms, deletes the workshop it made while
// another station's person works in it: the hub refuses the delete
// (in_use), as the station's own forms do, so that B's person does not
// drop out of the county's figures. A new county-wide row sent without
// its station column, which would be no one's to edit, is refused.
func TestHostileProgrammeCountyRows(t *testing.T) {
	c := newTrustCounty(t)
	hr := c.h.Hub.Replica()
	ws := hubtest.NewRowID(t)
	w := records.Workshop{Name: "民族服饰帮扶车间", Village: "150421100201"}
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	c.a.Do(hubtest.WithStation(replica.Edit{Table: records.Workshops, Row: ws, Set: w.Columns()}, "站A"))
	hubtest.WaitFor(t, 30*time.Second, "A's workshop at B", func() bool { return hasRow(t, c.b.rep, records.Workshops, ws.String()) })
	job := c.b.mustCreate("/api/workshop-jobs", map[string]any{"worker_id": c.wb.String(), "workshop_id": ws.String(),
		"start_on": "2026-01-01"})
	hubtest.WaitFor(t, 30*time.Second, "B's job at the hub", func() bool { return hasRow(t, hr, records.WorkshopJobs, job) })

	c.a.Do(replica.Edit{Table: records.Workshops, Row: ws, Delete: true})
	checkRefused(t, "hub", hr, "站A", []refusalWant{{records.Workshops, ws, "", records.KeyInUse}})
	if !hasRow(t, hr, records.Workshops, ws.String()) {
		t.Fatal("the hub deleted a workshop another station's person works in")
	}

	// No station column: the new row would be no one's, and is refused.
	post := hubtest.NewRowID(t)
	wp := records.WelfarePost{Name: "护路员", Village: "150421100201", Kind: records.WelfarePostKinds[1], Headcount: 1,
		Employer: "村委会"}
	if err := wp.Validate(); err != nil {
		t.Fatal(err)
	}
	c.a.Do(replica.Edit{Table: records.WelfarePosts, Row: post, Set: wp.Columns()})
	checkRefused(t, "hub", hr, "站A", []refusalWant{{records.WelfarePosts, post, "station", records.KeyRequired}})
	var live int
	if err := hr.DB().QueryRow(`SELECT count(*) FROM welfare_posts WHERE id = ? AND fs_deleted = 0`, post[:]).Scan(&live); err != nil {
		t.Fatal(err)
	}
	if live != 0 {
		t.Fatal("the hub holds a post sent without its station")
	}
}
