package e2e

import (
	"context"
	"slices"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
)

// serviceRows is one of each service record: the county-wide rows a
// station made, and one person's records.
type serviceRows struct {
	county, person map[string]ident.ID
}

// writeServices writes, at s, one row of each of the 8 service tables,
// the person's records for worker.
func writeServices(t *testing.T, s *progStation, worker ident.ID) serviceRows {
	t.Helper()
	subsidy, paid, loan, claimed := 1200.0, 1200.0, 200000.0, 8600.0
	r := serviceRows{county: map[string]ident.ID{}, person: map[string]ident.ID{}}
	r.county[records.Trainings] = s.save(records.Trainings, &records.Training{Course: "电焊工职业技能培训", Kind: "技能",
		Skill: "电焊", Provider: "科右中旗职业技术学校", StartOn: "2026-03-01", EndOn: "2026-03-20", Place: "巴彦呼舒镇",
		Subsidy: &subsidy})
	r.county[records.Experts] = s.save(records.Experts, &records.Expert{Name: "乌云其木格", Field: "开业指导",
		Organisation: "县创业服务中心", Phone: "13904750001"})
	r.county[records.JobFairs] = s.save(records.JobFairs, &records.JobFair{Title: "春风行动农民工专场招聘会",
		Kind: "春风行动", HeldOn: "2026-02-20", Place: "巴彦呼舒镇人力资源市场", Organiser: "县人社局", Employers: 30,
		Postings: 420, Attendees: 900, Agreements: 160})
	w := worker.String()
	r.person[records.TrainingEnrolments] = s.save(records.TrainingEnrolments, &records.TrainingEnrolment{WorkerID: w,
		TrainingID: r.county[records.Trainings].String(), Completed: true, CompletedOn: "2026-03-20",
		CertificateKind: records.CertificateSkillLevel, CertificateNo: "S000015042100001", CertificateLevel: "五级/初级工",
		SubsidyPaid: &paid, PaidOn: "2026-04-10"})
	r.person[records.Startups] = s.save(records.Startups, &records.Startup{WorkerID: w, Business: "阿拉坦牛肉干作坊",
		Sector: "农畜产品加工", StartedOn: "2026-04-01", Place: "150421100", JobsCreated: 4, Incubator: "县返乡入乡创业园"})
	r.person[records.StartupSupport] = s.save(records.StartupSupport, &records.Support{WorkerID: w,
		StartupID: r.person[records.Startups].String(), Kind: records.SupportLoan, Amount: &loan, Lender: "农商银行",
		StartOn: "2026-04-15", EndOn: "2028-04-14"})
	r.person[records.RightsCases] = s.save(records.RightsCases, &records.RightsCase{WorkerID: w, Kind: "欠薪",
		Employer: "某建筑劳务公司", AmountClaimed: &claimed, ReceivedOn: "2026-01-08", Referral: "劳动监察"})
	r.person[records.Returns] = s.save(records.Returns, &records.Return{WorkerID: w, ReturnedOn: "2026-01-05",
		FromPlace: "江苏省苏州市", Reason: "务工结束", Intention: records.IntentAway})
	return r
}

// serviceTables are the 8 service tables.
var serviceTables = append(append([]string(nil), records.ServiceCountyTables...), records.ServicePersonTables...)

// Every service record written at a station reaches the hub; the
// county-wide ones (courses, experts, job fairs, the county's own among
// them) reach every station, a person's records only the stations that
// hold the person. A gig's kind, suits_older and job fair and a worker's
// health check sync like any column.
func TestServicesSyncByScope(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	a, b, c := newProgStation(t, h, "站A"), newProgStation(t, h, "站B"), newProgStation(t, h, "站C")
	idn := hubtest.IDNumber(3401)
	worker := mustParseID(t, a.mustCreate("/api/workers", apiWorkerBody(idn, "阿拉坦")))
	if got := mustParseID(t, b.mustCreate("/api/workers", apiWorkerBody(idn, "阿拉坦"))); got != worker {
		t.Fatalf("B registered the person as %s, A as %s", got, worker)
	}
	c.mustCreate("/api/workers", apiWorkerBody(hubtest.IDNumber(3402), "C站的人"))
	rows := writeServices(t, a, worker)
	if n := len(rows.county) + len(rows.person); n != len(serviceTables) || n != 8 {
		t.Fatalf("%d service tables written, want 8", n)
	}

	// The county's own course, expert and job fair.
	ctx := context.Background()
	who := access.Actor{User: "县管理员"}
	county := map[string]ident.ID{}
	for table, rec := range map[string]hub.CountyRecord{
		records.Trainings: &records.Training{Course: "乡村工匠培训", Kind: "乡村工匠", StartOn: "2026-05-10"},
		records.Experts:   &records.Expert{Name: "张建华", Field: "创业计划"},
		records.JobFairs: &records.JobFair{Title: "大龄农民工专场招聘会", Kind: "大龄专场", HeldOn: "2026-06-01",
			Place: "县人力资源市场"},
	} {
		id, err := h.Hub.SaveCountyProgramme(ctx, table, ident.Zero, rec, who)
		if err != nil {
			t.Fatalf("the county's %s: %v", table, err)
		}
		county[table] = id
	}

	// A regular job, suiting older workers, posted at A's job fair.
	fair := rows.county[records.JobFairs]
	job, err := a.core.CreateGig(ctx, records.Gig{Title: "牧场饲养员", Occupation: "饲养", Headcount: 2, Wage: 4200,
		WageUnit: records.MonthlyWageUnit, Settlement: records.MonthlySettlement, Place: "150421100",
		StartDate: "2026-03-01", Employer: "草原牧业公司", Contact: "13800138000", Kind: records.GigKindJob,
		SuitsOlder: true, JobFairID: fair.String()})
	if err != nil {
		t.Fatal(err)
	}
	// The person's 职业健康体检, written as its form does: the two columns.
	hc := records.HealthCheck{On: "2026-05-20", Result: "未见异常"}
	if err := hc.ValidateOn(time.Now()); err != nil {
		t.Fatal(err)
	}
	a.raw(replica.Edit{Table: records.Workers, Row: worker, Set: hc.Columns()})

	all := func() bool {
		return inSync(t, h, a.apiStation) && inSync(t, h, b.apiStation) && inSync(t, h, c.apiStation)
	}
	hr := h.Hub.Replica()
	hubtest.WaitFor(t, 30*time.Second, "the services at the hub and the stations", func() bool {
		return all() && hasRow(t, c.rep, records.JobFairs, county[records.JobFairs].String()) &&
			hasRow(t, b.rep, records.Returns, rows.person[records.Returns].String()) &&
			hubtest.StationValue(t, b.rep, records.Workers, worker, "health_check_on") == "2026-05-20" &&
			hasRow(t, c.rep, records.Gigs, job.String())
	})
	everywhere := map[string]*replica.Replica{"the hub": hr, "A": a.rep, "B": b.rep, "C": c.rep}
	for _, made := range []struct {
		by   string
		rows map[string]ident.ID
	}{{"站A", rows.county}, {records.County, county}} {
		for table, id := range made.rows {
			for where, r := range everywhere {
				if !hasRow(t, r, table, id.String()) {
					t.Errorf("%s does not hold %s's %s row", where, made.by, table)
				} else if v := hubtest.StationValue(t, r, table, id, "station"); v != made.by {
					t.Errorf("%s at %s: station %v, want %s", table, where, v, made.by)
				}
			}
		}
	}
	for table, id := range rows.person {
		for where, r := range map[string]*replica.Replica{"the hub": hr, "B": b.rep} {
			if !hasRow(t, r, table, id.String()) {
				t.Errorf("%s: the person's record is not at %s, who holds the person", table, where)
			} else if v := hubtest.StationValue(t, r, table, id, "worker_id"); v != worker.String() {
				t.Errorf("%s at %s: worker_id %v", table, where, v)
			}
		}
		if hasRow(t, c.rep, table, id.String()) {
			t.Errorf("%s: station C, who does not hold the person, received the person's record", table)
		}
	}
	// The values arrive whole: a certificate, a loan, a case's claim.
	for _, v := range []struct {
		table, col string
		want       any
	}{
		{records.TrainingEnrolments, "certificate_no", "S000015042100001"},
		{records.TrainingEnrolments, "completed", int64(1)},
		{records.StartupSupport, "end_on", "2028-04-14"},
		{records.StartupSupport, "startup_id", rows.person[records.Startups].String()},
		{records.RightsCases, "amount_claimed", 8600.0},
		{records.Returns, "intention", records.IntentAway},
	} {
		if got := hubtest.StationValue(t, b.rep, v.table, rows.person[v.table], v.col); got != v.want {
			t.Errorf("B's %s.%s is %v, want %v", v.table, v.col, got, v.want)
		}
	}
	for where, r := range everywhere {
		for col, want := range map[string]any{"kind": records.GigKindJob, "suits_older": int64(1),
			"job_fair_id": fair.String(), "wage_unit": records.MonthlyWageUnit, "settlement": records.MonthlySettlement} {
			if got := hubtest.StationValue(t, r, records.Gigs, job, col); got != want {
				t.Errorf("the job at %s: %s = %v, want %v", where, col, got, want)
			}
		}
	}
	for where, r := range map[string]*replica.Replica{"the hub": hr, "B": b.rep} {
		if on, res := hubtest.StationValue(t, r, records.Workers, worker, "health_check_on"),
			hubtest.StationValue(t, r, records.Workers, worker, "health_check_result"); on != "2026-05-20" || res != "未见异常" {
			t.Errorf("the health check at %s: %v %v", where, on, res)
		}
	}
	if hasRow(t, c.rep, records.Workers, worker.String()) {
		t.Error("C received the person (and the health check) without holding them")
	}
	if refused := hubtest.Refusals(t, hr); len(refused) > 0 {
		t.Fatalf("the hub refused: %+v", refused)
	}

	// B names A's course and the county's expert in its own records.
	enr := b.save(records.TrainingEnrolments, &records.TrainingEnrolment{WorkerID: worker.String(),
		TrainingID: rows.county[records.Trainings].String()})
	guide := b.save(records.StartupSupport, &records.Support{WorkerID: worker.String(), Kind: records.SupportExpert,
		StartOn: "2026-05-01", ExpertID: county[records.Experts].String(), Advice: "完善创业计划书，申请一次性创业补贴"})
	hubtest.WaitFor(t, 30*time.Second, "B's records at A", func() bool {
		return all() && hasRow(t, a.rep, records.TrainingEnrolments, enr.String()) &&
			hasRow(t, a.rep, records.StartupSupport, guide.String())
	})
	if hasRow(t, c.rep, records.StartupSupport, guide.String()) {
		t.Error("C received B's support of a person C does not hold")
	}
	// No station edits the county's course; A edits its own.
	if _, err := b.core.SaveProgramme(ctx, records.Trainings, county[records.Trainings],
		&records.Training{Course: "B改的", Kind: "乡村工匠", StartOn: "2026-05-10"}); err == nil {
		t.Fatal("B's SaveProgramme edited the county's course")
	}
	if _, err := a.core.SaveProgramme(ctx, records.Trainings, rows.county[records.Trainings], &records.Training{
		Course: "电焊工职业技能培训（二期）", Kind: "技能", Skill: "电焊", StartOn: "2026-03-01", EndOn: "2026-03-20"}); err != nil {
		t.Fatalf("A edits its own course: %v", err)
	}
	hubtest.WaitFor(t, 30*time.Second, "A's course renamed at C", func() bool {
		return all() && hubtest.StationValue(t, c.rep, records.Trainings, rows.county[records.Trainings], "course") ==
			"电焊工职业技能培训（二期）"
	})
	if refused := hubtest.Refusals(t, hr); len(refused) > 0 {
		t.Fatalf("the hub refused: %+v", refused)
	}
}

// A station of schema version 1 (a release before the services) keeps
// syncing beside stations that write them: it receives none of their rows
// nor a posting's new columns, and its gigs (without a kind) are taken by
// the hub and read there as 零工.
func TestServicesOlderStation(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	a := newProgStation(t, h, "站A")
	idn := hubtest.IDNumber(3501)
	worker := mustParseID(t, a.mustCreate("/api/workers", apiWorkerBody(idn, "那仁")))
	old := hubtest.NewHostileAt(t, h, h.Enroll("旧站"), 1)
	old.Connect()
	// The old station holds the same person, so the person's service
	// records would be in its scope.
	old.Do(knownAt(old.Rep, hostileWorker(t, old.Enr.Key, idn, "那仁", "旧站")))
	rows := writeServices(t, a, worker)
	ctx := context.Background()
	job, err := a.core.CreateGig(ctx, records.Gig{Title: "物业保洁", Occupation: "保洁", Headcount: 3, Wage: 2600,
		WageUnit: records.MonthlyWageUnit, Settlement: records.MonthlySettlement, Place: "150421100",
		StartDate: "2026-03-01", Employer: "物业公司", Contact: "13800138000", Kind: records.GigKindJob, SuitsOlder: true,
		JobFairID: rows.county[records.JobFairs].String()})
	if err != nil {
		t.Fatal(err)
	}
	hc := records.HealthCheck{On: "2026-05-20", Result: "需复查"}
	a.raw(replica.Edit{Table: records.Workers, Row: worker, Set: hc.Columns()})
	hubtest.WaitFor(t, 30*time.Second, "A's services at the hub", func() bool {
		return inSync(t, h, a.apiStation) && hasRow(t, h.Hub.Replica(), records.Returns, rows.person[records.Returns].String()) &&
			hasRow(t, h.Hub.Replica(), records.Gigs, job.String())
	})
	old.Catchup()

	// Its own gig, written as its release writes one: no kind.
	gig := knownAt(old.Rep, hubtest.WithStation(hubtest.GigEdit(t, "旧站的零工"), "旧站"))
	for _, cv := range gig.Set {
		if cv.Column == "kind" || cv.Column == "suits_older" || cv.Column == "job_fair_id" {
			t.Fatalf("a version-1 gig carries %s", cv.Column)
		}
	}
	old.Do(gig)
	hr := h.Hub.Replica()
	if !hasRow(t, hr, records.Gigs, gig.Row.String()) {
		t.Fatal("the hub did not take the old station's gig")
	}
	kind, _ := hubtest.StationValue(t, hr, records.Gigs, gig.Row, "kind").(string)
	g := records.Gig{Title: "旧站的零工", Occupation: "采摘", Headcount: 1, Wage: 150,
		WageUnit:   str(hubtest.StationValue(t, hr, records.Gigs, gig.Row, "wage_unit")),
		Settlement: str(hubtest.StationValue(t, hr, records.Gigs, gig.Row, "settlement")), Place: "150421100",
		StartDate: "2026-11-20", Employer: "x", Contact: "x", Kind: kind}
	if err := g.Validate(); err != nil || g.Kind != records.GigKindCasual {
		t.Errorf("the old station's gig at the hub (kind %q) reads as %q (%v), want %s", kind, g.Kind, err, records.GigKindCasual)
	}
	hubtest.WaitFor(t, 30*time.Second, "the old station's gig at A", func() bool {
		return inSync(t, h, a.apiStation) && hasRow(t, a.rep, records.Gigs, gig.Row.String())
	})
	if v, err := a.core.Gig(ctx, gig.Row); err != nil || v.Title != "旧站的零工" {
		t.Errorf("A reads the old station's gig: %v %v", v, err)
	}
	// And it keeps syncing a person's status.
	st := knownAt(old.Rep, hubtest.WithStation(hubtest.StatusEdit(old.Enr.Key, worker, "2026-11", records.ListEmployed), "旧站"))
	old.Do(st)
	if !hasRow(t, hr, records.MonthlyStatus, st.Row.String()) {
		t.Fatal("the hub did not take the old station's status")
	}

	sawJob, sawWorker := false, false
	for _, ch := range old.Received {
		if slices.Contains(serviceTables, ch.Table) {
			t.Fatalf("the old station received a %s row", ch.Table)
		}
		sawJob = sawJob || ch.Table == records.Gigs && ch.Row == job
		sawWorker = sawWorker || ch.Table == records.Workers && ch.Row == worker
	}
	if !sawJob || !sawWorker {
		t.Errorf("the old station did not receive A's job (%v) or the person A checked (%v)", sawJob, sawWorker)
	}
	if v := hubtest.StationValue(t, old.Rep, records.Gigs, job, "title"); v != "物业保洁" {
		t.Errorf("A's job at the old station: title %v", v)
	}
	checkRefused(t, "hub", hr, "旧站", nil)
	if refused := hubtest.Refusals(t, hr); len(refused) > 0 {
		t.Fatalf("the hub refused: %+v", refused)
	}
}

func str(v any) string { s, _ := v.(string); return s }

// A tampered station, past its forms, sends service records the hub's
// rules refuse, each with its key, the hub keeping its values: a person's
// record for a person outside its scope; an edit of another station's
// course; a rights case closed without its outcome (an edit, and a new
// case); a return in the future; a regular job paid by the day; a loan
// ending the day it starts.
func TestHostileServices(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	b := newProgStation(t, h, "站B")
	wb := mustParseID(t, b.mustCreate("/api/workers", apiWorkerBody(hubtest.IDNumber(3601), "B站的人")))
	course := b.save(records.Trainings, &records.Training{Course: "家政服务培训", Kind: "技能", Skill: "家政",
		StartOn: "2026-04-01", EndOn: "2026-04-15"})
	a := hubtest.NewHostile(t, h, h.Enroll("站A"))
	a.Connect()
	own := hostileWorker(t, a.Enr.Key, hubtest.IDNumber(3602), "A站的人", "站A")
	wa := own.Row
	a.Do(own)
	hr := h.Hub.Replica()
	hubtest.WaitFor(t, 30*time.Second, "B's course at the hub", func() bool {
		return inSync(t, h, b.apiStation) && hasRow(t, hr, records.Trainings, course.String())
	})
	a.Catchup()
	rec := func(table string, r interface {
		Validate() error
		Columns() []replica.ColumnValue
	}) replica.Edit {
		t.Helper()
		if err := r.Validate(); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		return hubtest.WithStation(replica.Edit{Table: table, Row: hubtest.NewRowID(t), Set: r.Columns()}, "站A")
	}
	// A's own person's open case and a return, accepted.
	openCase := rec(records.RightsCases, &records.RightsCase{WorkerID: wa.String(), Kind: "欠薪", Employer: "某劳务公司",
		ReceivedOn: "2026-03-02"})
	back := rec(records.Returns, &records.Return{WorkerID: wa.String(), ReturnedOn: "2026-02-01", FromPlace: "北京市",
		Reason: "照顾家庭", Intention: "就近就业"})
	a.Do(openCase, back)
	for _, e := range []replica.Edit{openCase, back} {
		if !hasRow(t, hr, e.Table, e.Row.String()) {
			t.Fatalf("the hub did not take A's %s of its own person", e.Table)
		}
	}

	// B's person, not A's: an enrolment on B's course, a start-up, a case.
	outside := []replica.Edit{
		rec(records.TrainingEnrolments, &records.TrainingEnrolment{WorkerID: wb.String(), TrainingID: course.String()}),
		rec(records.Startups, &records.Startup{WorkerID: wb.String(), Business: "冒名的项目", StartedOn: "2026-01-01",
			Place: "150421100"}),
		rec(records.RightsCases, &records.RightsCase{WorkerID: wb.String(), Kind: "工伤", Employer: "x",
			ReceivedOn: "2026-01-01"}),
	}
	// B's course renamed.
	rename := replica.Edit{Table: records.Trainings, Row: course, Set: []replica.ColumnValue{{Column: "course", Value: "A改的课程"}}}
	// A's own case closed without its outcome.
	closeBare := replica.Edit{Table: records.RightsCases, Row: openCase.Row, Set: []replica.ColumnValue{
		{Column: "case_status", Value: records.RightsClosed}, {Column: "closed_on", Value: "2026-03-20"}}}
	// A new case of A's own person, sent closed without its outcome.
	closedNew := hubtest.WithStation(replica.Edit{Table: records.RightsCases, Row: hubtest.NewRowID(t),
		Set: (&records.RightsCase{WorkerID: wa.String(), Kind: "经济补偿", Employer: "某公司", ReceivedOn: "2026-02-02",
			Status: records.RightsClosed, ClosedOn: "2026-02-20"}).Columns()}, "站A")
	// A's own return moved to next month, and a new return next month.
	future := time.Now().AddDate(0, 1, 0).Format(records.DateLayout)
	moved := replica.Edit{Table: records.Returns, Row: back.Row, Set: []replica.ColumnValue{{Column: "returned_on", Value: future}}}
	newFuture := hubtest.WithStation(replica.Edit{Table: records.Returns, Row: hubtest.NewRowID(t), Set: (&records.Return{
		WorkerID: wa.String(), ReturnedOn: future, FromPlace: "天津市", Reason: "其他", Intention: "暂无"}).Columns()}, "站A")
	// A regular job paid by the day; a loan ending the day it starts.
	dayJob := hubtest.GigEdit(t, "按天计薪的全职")
	dayJob.Set = append(dayJob.Set, replica.ColumnValue{Column: "kind", Value: records.GigKindJob})
	dayJob = hubtest.WithStation(dayJob, "站A")
	amount := 100000.0
	shortLoan := hubtest.WithStation(replica.Edit{Table: records.StartupSupport, Row: hubtest.NewRowID(t),
		Set: (&records.Support{WorkerID: wa.String(), Kind: records.SupportLoan, Amount: &amount, Lender: "农商银行",
			StartOn: "2026-05-01", EndOn: "2026-05-01"}).Columns()}, "站A")
	a.Do(append(append([]replica.Edit(nil), outside...), rename, closeBare, closedNew, moved, newFuture, dayJob,
		shortLoan)...)

	var wants []refusalWant
	for _, e := range outside {
		wants = append(wants, refusalWant{e.Table, e.Row, "", records.KeyOutOfScope})
	}
	wants = append(wants,
		refusalWant{records.Trainings, course, "", records.KeyNotMaker},
		refusalWant{records.RightsCases, openCase.Row, "case_status", records.KeyInconsistent},
		refusalWant{records.RightsCases, closedNew.Row, "case_outcome", records.KeyRequired},
		refusalWant{records.Returns, back.Row, "returned_on", records.KeyFutureDate},
		refusalWant{records.Returns, newFuture.Row, "returned_on", records.KeyFutureDate},
		refusalWant{records.Gigs, dayJob.Row, "wage_unit", records.KeyKindPay},
		refusalWant{records.StartupSupport, shortLoan.Row, "end_on", records.KeyNotAfter})
	for _, e := range []replica.Edit{closedNew, newFuture, dayJob, shortLoan} {
		var live int
		if err := hr.DB().QueryRow(`SELECT count(*) FROM `+e.Table+` WHERE id = ? AND fs_deleted = 0`, e.Row[:]).Scan(&live); err != nil {
			t.Fatal(err)
		}
		if live != 0 {
			t.Errorf("the hub holds A's refused new %s row", e.Table)
		}
	}
	checkRefused(t, "hub", hr, "站A", wants)
	for _, e := range outside {
		if hasRow(t, hr, e.Table, e.Row.String()) {
			t.Errorf("the hub holds A's %s of B's person", e.Table)
		}
	}
	valueIs(t, hr, records.Trainings, course, "course", "家政服务培训", "the hub took A's rename of B's course")
	valueIs(t, hr, records.RightsCases, openCase.Row, "case_status", records.RightsStatuses[0],
		"the hub took a case closed without its outcome")
	if v := hubtest.StationValue(t, hr, records.RightsCases, openCase.Row, "closed_on"); v != nil {
		t.Errorf("the hub holds closed_on %v of a case it did not close", v)
	}
	if v := hubtest.StationValue(t, hr, records.RightsCases, closedNew.Row, "case_status"); v == records.RightsClosed {
		t.Error("the hub holds a new case closed without its outcome")
	}
	valueIs(t, hr, records.Returns, back.Row, "returned_on", "2026-02-01", "the hub took a return in the future")
	if v := hubtest.StationValue(t, hr, records.Returns, newFuture.Row, "returned_on"); v == future {
		t.Error("the hub holds a new return dated in the future")
	}
	// B keeps its course, and received nothing A sent of its person.
	hubtest.WaitFor(t, 30*time.Second, "B in sync", func() bool { return inSync(t, h, b.apiStation) })
	if v := hubtest.StationValue(t, b.rep, records.Trainings, course, "course"); v != "家政服务培训" {
		t.Errorf("B's course is %v", v)
	}
	for _, e := range outside {
		if hasRow(t, b.rep, e.Table, e.Row.String()) {
			t.Errorf("B received A's %s of B's person", e.Table)
		}
	}
	// A takes the hub's values back, and then closes its case properly.
	a.Catchup()
	if v := hubtest.StationValue(t, a.Rep, records.Trainings, course, "course"); v != "家政服务培训" {
		t.Errorf("A holds B's course as %v after the refusal", v)
	}
	a.Do(replica.Edit{Table: records.RightsCases, Row: openCase.Row, Set: []replica.ColumnValue{
		{Column: "case_status", Value: records.RightsClosed}, {Column: "closed_on", Value: "2026-03-20"},
		{Column: "case_outcome", Value: "调解后企业支付全部欠薪"}}})
	valueIs(t, hr, records.RightsCases, openCase.Row, "case_status", records.RightsClosed, "the case closed with its outcome")
	valueIs(t, hr, records.RightsCases, openCase.Row, "case_outcome", "调解后企业支付全部欠薪", "the case closed with its outcome")
}
