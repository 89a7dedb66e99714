package report

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// svcCounty writes the hand-built county of the service figures (month
// 2026-11; townships and villages as progCounty's): rows straddling the
// month's edges, deleted rows, rows of a deleted and of a left worker, a
// person in two groups. Every figure wantServices holds is counted by hand
// in the comments.
func svcCounty(t *testing.T) *replica.Replica {
	t.Helper()
	r := openReplica(t, filepath.Join(t.TempDir(), "county.db"))
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var edits, dels []replica.Edit
	addAt := func(id ident.ID, table string, cols []replica.ColumnValue) string {
		edits = append(edits, replica.Edit{Table: table, Row: id, Set: cols})
		return id.String()
	}
	add := func(table string, cols []replica.ColumnValue) string {
		at = at.Add(time.Second)
		return addAt(newID(t, at), table, cols)
	}
	del := func(table, id string) {
		dels = append(dels, replica.Edit{Table: table, Row: mustID(t, id), Delete: true})
	}
	worker := func(n int, village string, tags ...string) string {
		if tags == nil {
			tags = []string{}
		}
		idNumber := "15042119800101" + string(rune('0'+n)) + "011"
		row := testKey.Derive(records.Workers, idNumber)
		edits = append(edits, replica.Edit{Table: records.Workers, Row: row, Set: []replica.ColumnValue{
			{Column: "id_number", Value: idNumber}, {Column: "name", Value: "人员" + string(rune('A'+n))},
			{Column: "residence_village", Value: village}, {Column: "tags", Value: tags}, {Column: "phone", Value: "13800000000"}}})
		return row.String()
	}
	money := func(v float64) *float64 { return &v }
	// A: 脱贫人口 and 监测对象, T1; B: 农民工, T1; C: 残疾 and 脱贫人口, T2;
	// D: 脱贫人口, T2; E: none, T1; F: 农民工, no village; G deleted, H
	// left: neither counts anywhere.
	a := worker(0, progV1, GroupPoverty, GroupMonitored)
	b := worker(1, progV2, "农民工")
	c := worker(2, progV3, "残疾", GroupPoverty)
	d := worker(3, progV3, GroupPoverty)
	e := worker(4, progV1)
	f := worker(5, "", "农民工")
	g := worker(6, progV1, GroupPoverty)
	h := worker(7, progV1, GroupPoverty)
	del(records.Workers, g)
	edits = append(edits, replica.Edit{Table: records.Workers, Row: mustID(t, h), Set: []replica.ColumnValue{
		{Column: "left_reason", Value: "迁出"}, {Column: "left_on", Value: "2026-10-01"}}})

	// Courses: k1 and k2 active (k2 ends on the first day); k3 next
	// month; k4 deleted; k5 ended last month.
	course := func(kind, start, end string) string {
		return add(records.Trainings, (&records.Training{Course: kind + "班", Kind: kind, StartOn: start, EndOn: end}).Columns())
	}
	k1 := course("技能", "2026-11-10", "2026-11-20")
	k2 := course("安全", "2026-10-01", "2026-11-01")
	k3 := course("农业技术", "2026-12-01", "")
	k4 := course("乡村工匠", "2026-11-05", "2026-11-06")
	del(records.Trainings, k4)
	k5 := course("新职业新业态", "2026-09-01", "2026-10-31")
	enrol := func(w, k, completedOn, certKind, certNo, level string, subsidy float64, paidOn string) string {
		en := records.TrainingEnrolment{WorkerID: w, TrainingID: k, Completed: completedOn != "", CompletedOn: completedOn,
			CertificateKind: certKind, CertificateNo: certNo, CertificateLevel: level, PaidOn: paidOn}
		if paidOn != "" {
			en.SubsidyPaid = money(subsidy)
		}
		return add(records.TrainingEnrolments, en.Columns())
	}
	enrol(a, k1, "2026-11-20", records.CertificateSkillLevel, "C1", "四级/中级工", 800, "2026-11-25")
	enrol(a, k2, "2026-11-01", "", "", "", 500, "2026-12-02") // paid next month
	enrol(b, k2, "", "", "", "", 0, "")
	enrol(c, k1, "2026-11-20", "专项职业能力证书", "C2", "", 800, "2026-11-30")
	enrol(d, k5, "2026-10-31", "培训合格证书", "C3", "", 600, "2026-11-03") // completed last month, paid this month
	enrol(e, k3, "", "", "", "", 0, "")                               // a course of next month
	enrol(f, k1, "", "", "", "", 0, "")
	enrol(g, k1, "2026-11-20", "培训合格证书", "C4", "", 800, "2026-11-25") // deleted worker
	enrol(e, k4, "2026-11-06", "培训合格证书", "C5", "", 800, "2026-11-25") // deleted course
	del(records.TrainingEnrolments, enrol(d, k1, "2026-11-20", "培训合格证书", "C6", "", 800, "2026-11-25"))

	expert := add(records.Experts, (&records.Expert{Name: "专家甲", Field: records.ExpertFields[1]}).Columns())
	startup := func(w, on string, jobs int64, incubator string) string {
		return add(records.Startups, (&records.Startup{WorkerID: w, Business: "商店", StartedOn: on, Place: progV1,
			JobsCreated: jobs, Incubator: incubator}).Columns())
	}
	s1 := startup(a, "2026-11-03", 3, "创业园")
	s2 := startup(b, "2025-05-01", 5, "")
	s3 := startup(c, "2026-12-05", 2, "") // starts next month
	s4 := startup(d, "2026-01-01", 9, "")
	del(records.Startups, s4)
	startup(g, "2026-11-01", 4, "") // deleted worker
	startup(a, "2026-11-30", 0, "")
	support := func(w, s, kind string, amount float64, start, end string) string {
		sp := records.Support{WorkerID: w, StartupID: s, Kind: kind, StartOn: start, EndOn: end}
		if amount > 0 {
			sp.Amount = money(amount)
		}
		switch kind {
		case records.SupportLoan:
			sp.Lender = "农商银行"
		case records.SupportExpert:
			sp.ExpertID, sp.Advice = expert, "开业指导"
		}
		return add(records.StartupSupport, sp.Columns())
	}
	support(a, s1, records.SupportLoan, 200000, "2026-11-10", "2028-11-09") // this month, running
	support(b, s2, records.SupportLoan, 100000, "2025-06-01", "2027-05-31") // running
	support(b, s2, records.SupportLoan, 50000, "2024-01-01", "2026-10-31")  // ended last month
	support(a, s1, records.SupportSubsidy, 5000, "2026-11-15", "")
	support(c, s3, records.SupportSubsidy, 5000, "2026-11-20", "")
	support(a, s1, records.SupportExpert, 0, "2026-11-12", "")
	support(b, s2, records.SupportExpert, 0, "2026-11-01", "")
	support(b, s2, records.SupportExpert, 0, "2026-10-31", "") // last month
	support(d, s4, "场地", 0, "2026-11-05", "")                  // a deleted start-up's
	del(records.StartupSupport, support(e, "", records.SupportSubsidy, 5000, "2026-11-05", ""))
	support(e, "", "税费减免", 0, "2026-11-30", "")

	rights := func(w, kind, referral string, claimed float64, received, status, closed string, recovered float64) string {
		rc := records.RightsCase{WorkerID: w, Kind: kind, Employer: "某公司", ReceivedOn: received, Referral: referral,
			Status: status, ClosedOn: closed}
		if claimed > 0 {
			rc.AmountClaimed = money(claimed)
		}
		if status == records.RightsClosed {
			rc.Outcome, rc.AmountRecovered = "调解结案", money(recovered)
		}
		return add(records.RightsCases, rc.Columns())
	}
	rights(a, "欠薪", "劳动监察", 10000, "2026-11-05", "受理", "", 0)                                 // opened, open
	rights(b, "经济补偿", "劳动仲裁", 20000, "2026-11-20", records.RightsClosed, "2026-11-28", 15000) // opened, closed
	rights(c, "欠薪", "", 5000, "2026-09-01", records.RightsClosed, "2026-11-02", 5000)         // closed
	rights(d, "工伤", "法律援助", 0, "2026-10-01", "办理中", "", 0)                                    // open
	rights(e, "欠薪", "", 3000, "2026-08-01", records.RightsClosed, "2026-10-15", 3000)         // closed last month
	rights(a, "社保", "", 0, "2026-12-01", "受理", "", 0)                                         // next month
	rights(g, "欠薪", "", 1000, "2026-11-10", "受理", "", 0)                                      // deleted worker
	del(records.RightsCases, rights(b, "欠薪", "", 1000, "2026-11-10", "受理", "", 0))
	rights(f, "其他", "", 0, "2026-11-30", records.RightsClosed, "", 0) // opened; 办结 without a date

	ret := func(w, on, reason, intention string) string {
		return add(records.Returns, (&records.Return{WorkerID: w, ReturnedOn: on, FromPlace: "北京", Reason: reason,
			Intention: intention}).Columns())
	}
	ret(a, "2026-11-03", "务工结束", records.IntentAway)
	ret(a, "2026-11-20", "季节性返乡", "就近就业") // A twice: one person, both intentions
	ret(b, "2026-11-30", "企业停产裁员", records.IntentAway)
	ret(c, "2026-10-31", "照顾家庭", "暂无") // last month: the year only
	ret(d, "2026-01-01", "其他", "暂无")   // the year only
	ret(d, "2025-12-31", "其他", "暂无")   // last year
	ret(e, "2026-11-01", "返乡创业", "创业")
	ret(g, "2026-11-10", "其他", "暂无") // deleted worker
	del(records.Returns, ret(f, "2026-11-10", "其他", "暂无"))
	ret(f, "2026-12-01", "其他", "暂无") // next month

	fair := func(kind, on string, employers, postings, attendees, agreements int64) string {
		return add(records.JobFairs, (&records.JobFair{Title: kind, Kind: kind, HeldOn: on, Place: "人力资源市场",
			Employers: employers, Postings: postings, Attendees: attendees, Agreements: agreements}).Columns())
	}
	j1 := fair("农民工专场", "2026-11-10", 10, 100, 300, 50)
	fair("农民工专场", "2026-11-30", 5, 40, 100, 20)
	j3 := fair("大龄专场", "2026-11-01", 3, 20, 60, 10)
	j4 := fair("春风行动", "2026-10-31", 8, 80, 200, 30) // last month
	j5 := fair("线上", "2026-11-15", 1, 1, 1, 1)
	del(records.JobFairs, j5)

	// Postings: the day posted is the id's time (noon in China).
	gig := func(posted, kind string, headcount int64, status string, older bool, fairID string) string {
		day, err := time.ParseInLocation(records.DateLayout, posted, time.FixedZone("CST", 8*3600))
		if err != nil {
			t.Fatal(err)
		}
		at = at.Add(time.Millisecond)
		gg := records.Gig{Title: "岗位", Occupation: "普工", Headcount: headcount, Wage: 200, WageUnit: "元/天",
			Settlement: "日结", Place: progV1, StartDate: posted, Employer: "某公司", Contact: "13800000000",
			Status: status, Kind: kind, SuitsOlder: older, JobFairID: fairID}
		if kind == records.GigKindJob {
			gg.Wage, gg.WageUnit, gg.Settlement = 4000, records.MonthlyWageUnit, records.MonthlySettlement
		}
		return addAt(newID(t, day.Add(12*time.Hour+time.Duration(at.Nanosecond()))), records.Gigs, gg.Columns())
	}
	g1 := gig("2026-11-05", records.GigKindJob, 2, records.GigOpen, true, j1)
	g2 := gig("2026-11-10", "", 3, records.GigFilled, false, j3)
	g3 := gig("2026-10-20", records.GigKindCasual, 1, records.GigFilled, false, j4)
	gig("2026-11-30", records.GigKindJob, 5, records.GigClosed, true, j5)
	g5 := gig("2026-09-01", records.GigKindJob, 1, records.GigFilled, false, "")
	g6 := gig("2026-11-03", records.GigKindCasual, 1, records.GigOpen, false, "")
	del(records.Gigs, g6)
	place := func(gigID, w, status, on string) string {
		p := records.Placement{GigID: gigID, WorkerID: w, Status: status, PlacedOn: on}
		if status != records.PlacementPlaced {
			p.EndedOn = on
		}
		return add(records.Placements, p.Columns())
	}
	place(g1, a, records.PlacementPlaced, "2026-11-06")
	place(g2, b, records.PlacementPlaced, "2026-11-11")
	place(g2, c, records.PlacementPlaced, "2026-11-12")
	place(g2, d, records.PlacementPlaced, "2026-11-12")
	place(g3, e, records.PlacementPlaced, "2026-10-21") // last month
	place(g5, f, records.PlacementPlaced, "2026-11-01") // a job posted in September
	place(g1, e, records.PlacementLeft, "2026-11-07")   // not placed
	place(g6, a, records.PlacementPlaced, "2026-11-04") // a deleted posting's
	del(records.Placements, place(g1, b, records.PlacementPlaced, "2026-11-08"))

	if _, err := r.Write(context.Background(), append(edits, dels...)...); err != nil {
		t.Fatal(err)
	}
	return r
}

func groupBuckets(counts [4]int) []Bucket {
	var out []Bucket
	for i, g := range ProgrammeGroups {
		out = append(out, Bucket{Key: g, Count: counts[i]})
	}
	return out
}

func trainingWant(trained int, kinds [5]int, groups [4]int, completed, certs int) TrainingCounts {
	tc := TrainingCounts{Trained: trained, ByGroup: groupBuckets(groups), Completed: completed, Certificates: certs}
	for i, k := range records.TrainingKinds {
		tc.ByKind = append(tc.ByKind, Bucket{Key: k, Count: kinds[i]})
	}
	return tc
}

func wantServices() ServiceFigures {
	var s ServiceFigures
	t := &s.Training
	// Trained: A (k1, k2), B (k2), C (k1), F (k1); completed in the month:
	// A, C; certificates: A's and C's.
	t.TrainingCounts = trainingWant(4, [5]int{3, 2, 0, 0, 0}, [4]int{2, 1, 2, 1}, 2, 2)
	t.Courses = 2
	t.CertificatesByKind = buckets(records.CertificateSkillLevel, 1, "职业资格证书", 0, "专项职业能力证书", 1, "培训合格证书", 0)
	t.CertificatesByLevel = buckets("五级/初级工", 0, "四级/中级工", 1, "三级/高级工", 0, "二级/技师", 0, "一级/高级技师", 0, NotRecorded, 1)
	t.SubsidyPeople, t.SubsidyPaid = 3, 2200 // A 800, C 800, D 600
	t.ByTownship = []TrainingArea{
		{Code: "", TrainingCounts: trainingWant(1, [5]int{1, 0, 0, 0, 0}, [4]int{0, 0, 1, 0}, 0, 0)},     // F
		{Code: progT1, TrainingCounts: trainingWant(2, [5]int{1, 2, 0, 0, 0}, [4]int{1, 1, 1, 0}, 1, 1)}, // A, B
		{Code: progT2, TrainingCounts: trainingWant(1, [5]int{1, 0, 0, 0, 0}, [4]int{1, 0, 0, 1}, 1, 1)}, // C
	}
	// Start-ups s1, s2 and A's second; s1 and A's second new.
	s.Startups = StartupFigures{Startups: 3, People: 2, JobsCreated: 8, InIncubator: 1, New: 2, NewJobsCreated: 3,
		Support: []SupportRow{
			{Kind: records.SupportLoan, Count: 1, People: 1, Amount: 200000},
			{Kind: records.SupportSubsidy, Count: 2, People: 2, Amount: 10000},
			{Kind: "场地"},
			{Kind: "税费减免", Count: 1, People: 1},
			{Kind: records.SupportExpert, Count: 2, People: 2},
		},
		LoansActive: 2, LoansActiveAmount: 300000}
	s.Rights = RightsFigures{Opened: 3, OpenedPeople: 3,
		OpenedByKind:     buckets("欠薪", 1, "经济补偿", 1, "劳动合同", 0, "工伤", 0, "社保", 0, "其他", 1),
		OpenedByReferral: buckets("劳动监察", 1, "劳动仲裁", 1, "法律援助", 0, NotRecorded, 1),
		AmountClaimed:    30000, Closed: 2, Recovered: 20000, RecoveredCases: 2, Open: 2}
	s.Returns = ReturnFigures{People: 3,
		ByIntention: buckets(records.IntentAway, 2, "就近就业", 1, "创业", 1, "暂无", 0),
		ByReason:    buckets("务工结束", 1, "企业停产裁员", 1, "照顾家庭", 0, "返乡创业", 1, "身体原因", 0, "季节性返乡", 1, "其他", 0),
		ByGroup:     groupBuckets([4]int{1, 1, 1, 0}),
		ByTownship:  buckets(progT1, 3),
		Year:        5}
	s.JobFairs = JobFairFigures{JobFairRow: JobFairRow{Fairs: 3, Employers: 18, Offered: 160, Attendees: 460, Agreements: 80},
		ByKind: []JobFairRow{
			{Kind: "农民工专场", Fairs: 2, Employers: 15, Offered: 140, Attendees: 400, Agreements: 70},
			{Kind: "大龄专场", Fairs: 1, Employers: 3, Offered: 20, Attendees: 60, Agreements: 10},
			{Kind: "线上"}, {Kind: "春风行动"}, {Kind: "其他"},
		},
		Postings: 2} // g1 (j1), g2 (j3)
	s.Postings = PostingFigures{
		ByKind: []PostingRow{
			{Kind: records.GigKindCasual, Posted: 1, PostedHeadcount: 3, Placed: 3, Open: 0, Filled: 2},
			{Kind: records.GigKindJob, Posted: 2, PostedHeadcount: 7, Placed: 2, Open: 1, Filled: 1},
		},
		SuitsOlder: PostingRow{Posted: 2, PostedHeadcount: 7, Placed: 1, Open: 1}}
	return s
}

func comparableServices(s ServiceFigures) ServiceFigures {
	for i := range s.Training.ByTownship {
		s.Training.ByTownship[i].Name = ""
	}
	return s
}

func checkServices(t *testing.T, name string, got, want ServiceFigures) {
	t.Helper()
	got = comparableServices(got)
	for _, c := range []struct {
		what string
		g, w any
	}{
		{"training", got.Training.TrainingCounts, want.Training.TrainingCounts},
		{"training courses, certificates, subsidy", []any{got.Training.Courses, got.Training.CertificatesByKind,
			got.Training.CertificatesByLevel, got.Training.SubsidyPeople, got.Training.SubsidyPaid},
			[]any{want.Training.Courses, want.Training.CertificatesByKind, want.Training.CertificatesByLevel,
				want.Training.SubsidyPeople, want.Training.SubsidyPaid}},
		{"training by township", got.Training.ByTownship, want.Training.ByTownship},
		{"start-ups", got.Startups, want.Startups},
		{"rights", got.Rights, want.Rights},
		{"returns", got.Returns, want.Returns},
		{"job fairs", got.JobFairs, want.JobFairs},
		{"postings", got.Postings, want.Postings},
	} {
		if !reflect.DeepEqual(c.g, c.w) {
			t.Errorf("%s: %s:\n got %+v\nwant %+v", name, c.what, c.g, c.w)
		}
	}
}

// Every service figure equals its hand count, whether Dashboard queries the
// tables, a workbook counts them, or Live answers for the workers; a
// station's report counts only its own people and postings.
func TestServiceFigures(t *testing.T) {
	r := svcCounty(t)
	want := wantServices()
	checkServices(t, "dashboard", dashboard(t, r, testMonth).Services, want)

	b, err := newWorkbook(context.Background(), r.DB(), testMonth, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	fig, err := b.figures(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkServices(t, "workbook", fig.Services, want)

	l := NewLive(r)
	if err := l.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	opt := testOptions()
	opt.Live = l
	lf, err := Dashboard(context.Background(), r.DB(), testMonth, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	checkServices(t, "live", lf.Services, want)

	st := testOptions()
	st.Station = "无此站"
	sf, err := Dashboard(context.Background(), r.DB(), testMonth, nil, st)
	if err != nil {
		t.Fatal(err)
	}
	s := sf.Services
	if s.Training.Trained != 0 || s.Startups.Startups != 0 || s.Rights.Opened != 0 || s.Returns.People != 0 ||
		s.JobFairs.Postings != 0 || s.Postings.ByKind[1].Posted != 0 {
		t.Errorf("another station's report counts the county's people or postings: %+v", s)
	}
	if s.JobFairs.Fairs != 3 || s.Training.Courses != 2 {
		t.Errorf("a station's report: %d fairs, %d courses, want the county's 3 and 2 (county-wide rows)", s.JobFairs.Fairs, s.Training.Courses)
	}
}

// The services' sheets and the summary's rows hold the hand-counted
// figures; the rights sheet names no person and no employer.
func TestServiceSheets(t *testing.T) {
	r := svcCounty(t)
	opt := testOptions()
	join := func(rows [][]string) string {
		var lines []string
		for _, r := range rows {
			lines = append(lines, strings.Join(r, ","))
		}
		return strings.Join(lines, "\n")
	}
	for _, c := range []struct {
		sheet string
		want  string
	}{
		// 苏木乡镇代码,苏木乡镇,培训人数,培训·(5 kinds),培训·(4 groups),
		// 本月结业人数,本月取得证书数
		{SheetTraining, strings.Join([]string{
			",未填,1,1,0,0,0,0,0,0,1,0,0,0",
			progT1 + ",150421100,2,1,2,0,0,0,1,1,1,0,1,1",
			progT2 + ",150421200,1,1,0,0,0,0,1,0,0,1,1,1",
			",合计,4,3,2,0,0,0,2,1,2,1,2,2",
		}, "\n")},
		{SheetStartups, "创业担保贷款,1,1,200000\n一次性创业补贴,2,2,10000\n场地,0,0,0\n税费减免,1,1,0\n专家指导,2,2,0\n合计,6,,210000"},
		{SheetRights, strings.Join([]string{"合计,合计,3", "按类型,欠薪,1", "按类型,经济补偿,1", "按类型,劳动合同,0",
			"按类型,工伤,0", "按类型,社保,0", "按类型,其他,1", "按转办去向,劳动监察,1", "按转办去向,劳动仲裁,1",
			"按转办去向,法律援助,0", "按转办去向,未填,1"}, "\n")},
		{SheetReturns, strings.Join([]string{"合计,,合计,3",
			"按返乡后意向,,再次外出,2", "按返乡后意向,,就近就业,1", "按返乡后意向,,创业,1", "按返乡后意向,,暂无,0",
			"按返乡原因,,务工结束,1", "按返乡原因,,企业停产裁员,1", "按返乡原因,,照顾家庭,0", "按返乡原因,,返乡创业,1",
			"按返乡原因,,身体原因,0", "按返乡原因,,季节性返乡,1", "按返乡原因,,其他,0",
			"按人员类别,,脱贫人口,1", "按人员类别,,防止返贫监测对象,1", "按人员类别,,农牧民工,1", "按人员类别,,残疾人,0",
			"按苏木乡镇," + progT1 + ",150421100,3"}, "\n")},
		{SheetJobFairs, strings.Join([]string{"农民工专场,2,15,140,400,70", "大龄专场,1,3,20,60,10", "线上,0,0,0,0,0",
			"春风行动,0,0,0,0,0", "其他,0,0,0,0,0", "合计,3,18,160,460,80"}, "\n")},
		{SheetPostings, "零工,1,3,3,0,2\n全职,2,7,2,1,1\n合计,3,10,5,1,3\n其中适合大龄,2,7,1,1,0"},
	} {
		got := join(csvRows(t, r, c.sheet, opt))
		if got != c.want && !namesOnlyDiffer(got, c.want) {
			t.Errorf("sheet %s:\n%s\nwant\n%s", c.sheet, got, c.want)
		}
		for _, word := range []string{"人员A", "人员B", "人员C", "人员D", "人员E", "人员F", "某公司", "150421198001010"} {
			if strings.Contains(got, word) {
				t.Errorf("sheet %s names a person or an employer (%s):\n%s", c.sheet, word, got)
			}
		}
	}
	summary := map[string]string{}
	for _, row := range csvRows(t, r, SheetSummary, opt) {
		summary[row[0]+"/"+row[1]] = row[2]
	}
	for k, v := range map[string]string{
		"职业技能培训/本月开班课程": "2", "职业技能培训/本月培训人数": "4", "职业技能培训/培训·技能": "3",
		"职业技能培训/培训·脱贫人口": "2", "职业技能培训/本月结业人数": "2", "职业技能培训/本月取得证书数": "2",
		"职业技能培训/证书·职业技能等级证书": "1", "职业技能培训/证书等级·四级/中级工": "1",
		"职业技能培训/本月发放培训补贴人数": "3", "职业技能培训/本月发放培训补贴（元）": "2200",
		"返乡入乡创业/创业项目数（现状）": "3", "返乡入乡创业/带动就业人数（现状）": "8", "返乡入乡创业/本月新增创业项目": "2",
		"返乡入乡创业/本月创业担保贷款·笔数": "1", "返乡入乡创业/本月创业担保贷款·金额（元）": "200000",
		"返乡入乡创业/本月一次性创业补贴·金额（元）": "10000", "返乡入乡创业/本月专家指导·笔数": "2",
		"返乡入乡创业/在贷创业担保贷款金额（元）": "300000",
		"劳动权益维护/本月受理案件":        "3", "劳动权益维护/本月办结案件": "2", "劳动权益维护/本月办结追回金额（元）": "20000",
		"劳动权益维护/月末未办结案件": "2",
		"返乡人员/本月返乡人数":    "3", "返乡人员/意向·再次外出": "2", "返乡人员/本年累计返乡人数": "5",
		"招聘活动/本月招聘会场次": "3", "招聘活动/达成意向人数": "80", "招聘活动/在招聘会发布的零工和岗位": "2",
		"岗位发布/本月发布全职": "2", "岗位发布/本月发布零工": "1", "岗位发布/本月全职上岗人数": "2",
		"岗位发布/本月发布适合大龄岗位": "2",
	} {
		if summary[k] != v {
			t.Errorf("summary %s = %q, want %s", k, summary[k], v)
		}
	}
}
