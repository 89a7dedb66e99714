package report

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// The hand-built county of the programme figures (month 2026-11): two
// townships, placements straddling the month's edges, an exit mid-month,
// deleted rows, a person in two groups; every figure below is counted by
// hand in the comments.
const (
	progT1 = "150421100" // 苏木乡镇 1
	progT2 = "150421200" // 苏木乡镇 2
	progV1 = progT1 + "001"
	progV2 = progT1 + "002"
	progV3 = progT2 + "001"
)

// progCounty writes the county and returns its replica.
func progCounty(t *testing.T) *replica.Replica {
	t.Helper()
	r := openReplica(t, filepath.Join(t.TempDir(), "county.db"))
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	next := func() ident.ID {
		at = at.Add(time.Second)
		return newID(t, at)
	}
	var edits, dels []replica.Edit
	add := func(table string, cols []replica.ColumnValue) string {
		id := next()
		edits = append(edits, replica.Edit{Table: table, Row: id, Set: cols})
		return id.String()
	}
	del := func(table, id string) {
		row, err := ident.ParseID(id)
		if err != nil {
			t.Fatal(err)
		}
		dels = append(dels, replica.Edit{Table: table, Row: row, Delete: true})
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
	// A: 脱贫人口 and 监测对象 (two groups); B: 农民工; C: 残疾 and 脱贫人口;
	// D: 脱贫人口; E: no group; F: 农民工, no residence village; G deleted,
	// H left: neither counts anywhere; I: no group.
	a := worker(0, progV1, GroupPoverty, GroupMonitored)
	b := worker(1, progV2, "农民工")
	c := worker(2, progV3, "残疾", GroupPoverty)
	d := worker(3, progV3, GroupPoverty)
	e := worker(4, progV1)
	f := worker(5, "", "农民工")
	g := worker(6, progV1, GroupPoverty)
	h := worker(7, progV1, GroupPoverty)
	i := worker(8, progV3)
	del(records.Workers, g)
	edits = append(edits, replica.Edit{Table: records.Workers, Row: mustID(t, h), Set: []replica.ColumnValue{
		{Column: "left_reason", Value: "迁出"}, {Column: "left_on", Value: "2026-10-01"}}})

	// Statuses of 2026-11: A 就业; B 失业; C none; D 有意愿外出 as a
	// version 1 station wrote it (失业); E 就业 flagged willing; F 就业 but
	// void.
	status := func(w, list string, willing bool, void bool) {
		s := records.MonthStatus{WorkerID: w, Month: testMonth, ListType: list, WillingAway: willing,
			VerifiedByMethod: "电话", VerifiedBy: "王五", VerifiedAt: "2026-11-20"}
		if void {
			s.VoidReason, s.VoidedOn = "录入错误", "2026-11-21"
		}
		edits = append(edits, replica.Edit{Table: records.MonthlyStatus, Row: s.ID(testKey), Set: s.Columns()})
	}
	status(a, records.ListEmployed, false, false)
	status(b, records.ListUnemployed, false, false)
	status(d, records.ListWillingAway, false, false)
	status(e, records.ListEmployed, true, false)
	status(f, records.ListEmployed, false, true)
	status(i, records.ListEmployed, false, false)

	post := add(records.WelfarePosts, (&records.WelfarePost{Name: "保洁岗", Village: progV1, Kind: records.WelfarePostKinds[0],
		Headcount: 5, Employer: "镇政府"}).Columns())
	placement := func(w, start, end, exitOn, reason string) string {
		p := records.WelfarePlacement{WorkerID: w, PostID: post, ContractKind: records.ContractKinds[0], ContractStart: start,
			ContractEnd: end, InsuranceKind: records.InsuranceKinds[0], InsuranceStart: start, InsuranceEnd: end,
			ExitOn: exitOn, ExitReason: reason}
		return add(records.WelfarePlacements, p.Columns())
	}
	pa := placement(a, "2026-11-15", "2027-11-14", "", "")                           // starts mid-month: active
	pb := placement(b, "2025-12-01", "2026-11-30", "", "")                           // ends on the last day: active, contract ending
	placement(c, "2026-06-01", "2027-05-31", "2026-11-10", "本人申请")                   // exits mid-month: active, an exit
	placement(d, "2026-12-01", "2027-11-30", "", "")                                 // starts next month
	del(records.WelfarePlacements, placement(d, "2026-10-01", "2027-09-30", "", "")) // deleted
	placement(e, "2025-11-01", "2026-10-31", "", "")                                 // ended last month
	placement(e, "2026-11-01", "2027-10-31", "2026-11-01", "外出务工")                   // left on the first day: an exit, never active
	placement(f, "2026-01-01", "2026-12-31", "", "")                                 // active, no village
	placement(g, "2026-01-01", "2026-12-31", "", "")                                 // deleted worker
	placement(h, "2026-01-01", "2026-12-31", "", "")                                 // left worker
	assess := func(w, p, month, result string) string {
		return add(records.WelfareAssessments, (&records.WelfareAssessment{WorkerID: w, PlacementID: p, Month: month,
			Result: result}).Columns())
	}
	assess(a, pa, testMonth, "合格")
	assess(b, pb, testMonth, "优秀")
	assess(b, pb, "2026-10", "合格")                                   // another month
	del(records.WelfareAssessments, assess(b, pb, testMonth, "不合格")) // deleted

	shop1 := add(records.Workshops, (&records.Workshop{Name: "乙车间", Village: progV1}).Columns())
	shop2 := add(records.Workshops, (&records.Workshop{Name: "甲车间", Village: progV3}).Columns())
	shop3 := add(records.Workshops, (&records.Workshop{Name: "丙车间", Village: progV3}).Columns())
	del(records.Workshops, shop3)
	job := func(w, shop, start, end string) string {
		return add(records.WorkshopJobs, (&records.WorkshopJob{WorkerID: w, WorkshopID: shop, StartOn: start, EndOn: end}).Columns())
	}
	job(a, shop1, "2026-10-01", "")                            // open: active
	job(d, shop1, "2026-11-30", "")                            // starts on the last day
	del(records.WorkshopJobs, job(d, shop1, "2026-01-01", "")) // deleted
	job(e, shop1, "2026-11-05", "")                            // active, no group
	job(c, shop2, "2026-09-01", "2026-11-01")                  // ends on the first day
	job(i, shop2, "2026-11-01", "2026-11-30")                  // the whole month, no group
	job(e, shop2, "2026-12-01", "")                            // next month
	job(d, shop2, "2026-01-01", "2026-10-31")                  // ended last month
	job(b, shop3, "2026-01-01", "")                            // deleted workshop

	shared := func(w, host, start, end string) string {
		return add(records.SharedEmployment, (&records.SharedJob{WorkerID: w, OriginalEmployer: "原单位", ContractEnd: "2028-12-31",
			HostEmployer: host, StartOn: start, EndOn: end}).Columns())
	}
	shared(a, "甲公司", "2026-09-01", "2026-11-01")
	shared(b, "甲公司", "2026-11-30", "2027-01-31")
	shared(b, "乙公司", "2026-11-10", "2026-12-10")
	shared(c, "甲公司", "2026-08-01", "2026-10-31")
	del(records.SharedEmployment, shared(e, "乙公司", "2026-11-01", "2026-11-30"))

	r1 := add(records.WorkReliefProjects, (&records.WorkReliefProject{Name: "道路修缮", Place: "150421", StartOn: "2026-01-01"}).Columns())
	r2 := add(records.WorkReliefProjects, (&records.WorkReliefProject{Name: "水渠", Place: "150421", StartOn: "2026-01-01"}).Columns())
	r3 := add(records.WorkReliefProjects, (&records.WorkReliefProject{Name: "已删项目", Place: "150421", StartOn: "2026-01-01"}).Columns())
	del(records.WorkReliefProjects, r3)
	relief := func(w, p, start, end string, pay float64, paid string) string {
		return add(records.WorkReliefJobs, (&records.WorkReliefJob{WorkerID: w, ProjectID: p, StartOn: start, EndOn: end, Pay: pay,
			PaidOn: paid}).Columns())
	}
	relief(a, r1, "2026-11-01", "2026-11-20", 2000, "2026-11-25")
	relief(b, r1, "2026-03-01", "2026-04-30", 1500, "2026-05-05")
	relief(c, r2, "2026-10-15", "", 1000, "2026-10-31")
	relief(d, r2, "2025-12-01", "2025-12-31", 900, "2025-12-31")
	relief(e, r3, "2026-11-01", "2026-11-30", 700, "2026-11-03")
	del(records.WorkReliefJobs, relief(f, r1, "2026-11-01", "2026-11-30", 5000, "2026-11-02"))
	relief(a, r2, "2026-11-05", "", 800, "2026-12-01")

	pr1 := add(records.PartnerRegions, (&records.PartnerRegion{Name: "北京市", Kind: records.PartnerKinds[0]}).Columns())
	pr2 := add(records.PartnerRegions, (&records.PartnerRegion{Name: "天津市", Kind: records.PartnerKinds[0]}).Columns())
	del(records.PartnerRegions, pr2)
	batch := func(on, dest, partner string) string {
		return add(records.ExportBatches, (&records.ExportBatch{SentOn: on, Destination: dest, PartnerRegionID: partner}).Columns())
	}
	b1 := batch("2026-11-03", "鄂尔多斯", pr1)
	b2 := batch("2026-11-30", "包头", "")
	b3 := batch("2026-10-31", "北京", pr1)
	b4 := batch("2026-11-15", "呼和浩特", pr1)
	del(records.ExportBatches, b4)
	b5 := batch("2026-11-20", "鄂尔多斯", pr2)
	member := func(w, bt string) string {
		return add(records.ExportMembers, (&records.ExportMember{WorkerID: w, BatchID: bt}).Columns())
	}
	member(a, b1)
	member(b, b1)
	member(a, b2)
	member(c, b3)
	member(d, b4)
	member(e, b5)
	del(records.ExportMembers, member(f, b1))
	member(g, b1)

	if _, err := r.Write(context.Background(), append(edits, dels...)...); err != nil {
		t.Fatal(err)
	}
	return r
}

func mustID(t *testing.T, s string) ident.ID {
	t.Helper()
	id, err := ident.ParseID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// buckets makes the buckets of keys and counts, in order.
func buckets(kv ...any) []Bucket {
	var out []Bucket
	for i := 0; i < len(kv); i += 2 {
		out = append(out, Bucket{Key: kv[i].(string), Count: kv[i+1].(int)})
	}
	return out
}

// welfareWant is a WelfareCounts by hand: people and the four groups,
// contracts ending, exits by reason, assessments by result.
func welfareWant(people int, groups [4]int, ending int, exits map[string]int, results map[string]int) WelfareCounts {
	w := WelfareCounts{People: people, ContractsEnding: ending}
	for i, g := range ProgrammeGroups {
		w.ByGroup = append(w.ByGroup, Bucket{Key: g, Count: groups[i]})
	}
	for _, r := range records.WelfareExitReasons {
		w.ExitsByReason = append(w.ExitsByReason, Bucket{Key: r, Count: exits[r]})
		w.Exits += exits[r]
	}
	for _, r := range records.AssessmentResults {
		w.ByResult = append(w.ByResult, Bucket{Key: r, Count: results[r]})
		w.Assessed += results[r]
	}
	return w
}

// The programme figures of the hand-built county, counted by hand.
func wantProgrammes() ProgrammeFigures {
	var p ProgrammeFigures
	// Active: A, B, C, F. Groups: 脱贫人口 A, C; 监测 A; 农民工 B, F; 残疾 C.
	// Ending: B. Exits: C (本人申请), E (外出务工). Assessed: A 合格, B 优秀.
	p.Welfare.WelfareCounts = welfareWant(4, [4]int{2, 1, 2, 1}, 1,
		map[string]int{"本人申请": 1, "外出务工": 1}, map[string]int{"合格": 1, "优秀": 1})
	p.Welfare.ByTownship = []WelfareArea{
		{Code: "", WelfareCounts: welfareWant(1, [4]int{0, 0, 1, 0}, 0, nil, nil)},                                                        // F
		{Code: progT1, WelfareCounts: welfareWant(2, [4]int{1, 1, 1, 0}, 1, map[string]int{"外出务工": 1}, map[string]int{"合格": 1, "优秀": 1})}, // A, B; E's exit
		{Code: progT2, WelfareCounts: welfareWant(1, [4]int{1, 0, 0, 1}, 0, map[string]int{"本人申请": 1}, nil)},                              // C
	}
	// Workshops 乙 (V1): A, D, E (A and D 脱贫人口); 甲 (V3): C (脱贫人口), I.
	p.Workshops = WorkshopFigures{Workshops: 2, WithPeople: 2, People: 5, Poverty: 3, ByWorkshop: []WorkshopRow{
		{Name: "乙车间", Village: progV1, People: 3, Poverty: 2},
		{Name: "甲车间", Village: progV3, People: 2, Poverty: 1},
	}}
	// Shared: A 甲, B 甲, B 乙.
	p.Shared = SharedFigures{Agreements: 3, People: 2, ByHost: []SharedHost{{"甲公司", 2, 2}, {"乙公司", 1, 1}}}
	// Work relief: active A (two jobs), C; pay in 11: A 2000; in 2026: 2000 + B 1500 + C 1000.
	p.WorkRelief = WorkReliefFigures{People: 2, PayMonth: 2000, PayYear: 4500, ByProject: []WorkReliefRow{
		{Name: "水渠", People: 2, PayMonth: 0, PayYear: 1000},
		{Name: "道路修缮", People: 1, PayMonth: 2000, PayYear: 3500},
	}}
	// Sent out in 11: A (b1, b2), B (b1), E (b5, its partner deleted).
	p.Export = ExportFigures{Batches: 3, People: 3,
		ByDestination: buckets("鄂尔多斯", 3, "包头", 1),
		ByPartner:     buckets("北京市", 2, NoPartner, 2),
		ByGroup:       buckets(GroupPoverty, 1, GroupMonitored, 1, "农民工", 1, "残疾", 0),
		ByTownship:    buckets(progT1, 3),
	}
	// Placed A, B, C, F (posts), D, E, I (workshops); status not 就业: B 失业,
	// C none, F void, D 有意愿外出 (失业); 就业: A, E (flagged), I.
	p.NotEmployed = 4
	return p
}

// comparable drops what the hand count does not name: ids, and names
// the division table gives.
func comparableProgrammes(p ProgrammeFigures) ProgrammeFigures {
	for i := range p.Welfare.ByTownship {
		p.Welfare.ByTownship[i].Name = ""
	}
	for i := range p.Workshops.ByWorkshop {
		p.Workshops.ByWorkshop[i].ID, p.Workshops.ByWorkshop[i].VillageName = "", ""
	}
	for i := range p.WorkRelief.ByProject {
		p.WorkRelief.ByProject[i].ID = ""
	}
	return p
}

func TestProgrammeFigures(t *testing.T) {
	r := progCounty(t)
	want := wantProgrammes()
	got := comparableProgrammes(dashboard(t, r, testMonth).Programmes)
	check := func(name string, g, w any) {
		t.Helper()
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, g, w)
		}
	}
	check("welfare", got.Welfare.WelfareCounts, want.Welfare.WelfareCounts)
	check("welfare by township", got.Welfare.ByTownship, want.Welfare.ByTownship)
	check("workshops", got.Workshops, want.Workshops)
	check("shared", got.Shared, want.Shared)
	check("work relief", got.WorkRelief, want.WorkRelief)
	check("export", got.Export, want.Export)
	check("not employed", got.NotEmployed, want.NotEmployed)

	// The workbook's figures (counted from its roster) are the same, and so
	// are Live's.
	b, err := newWorkbook(context.Background(), r.DB(), testMonth, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	fig, err := b.figures(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	check("workbook's", comparableProgrammes(fig.Programmes), want)
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
	check("live", comparableProgrammes(lf.Programmes), want)

	// The month before: only what straddles into October counts.
	oct := dashboard(t, r, "2026-10").Programmes
	// Active in October: B, C (from 06-01), E (to 10-31), F. Ending: E.
	if oct.Welfare.People != 4 || oct.Welfare.ContractsEnding != 1 || oct.Welfare.Exits != 0 || oct.Welfare.Assessed != 1 {
		t.Errorf("October welfare: %+v", oct.Welfare.WelfareCounts)
	}
	// A station's report counts its own people only: none here.
	st := testOptions()
	st.Station = "无此站"
	sf, err := Dashboard(context.Background(), r.DB(), testMonth, nil, st)
	if err != nil {
		t.Fatal(err)
	}
	if sf.Programmes.Welfare.People != 0 || sf.Programmes.Export.People != 0 || sf.Programmes.NotEmployed != 0 {
		t.Errorf("a station with no people: %+v", sf.Programmes)
	}
}

// The programme sheets and the summary's rows hold the hand-counted
// figures.
func TestProgrammeSheets(t *testing.T) {
	r := progCounty(t)
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
		// 苏木乡镇代码,苏木乡镇,在岗人数,在岗·脱贫人口,在岗·防止返贫监测对象,
		// 在岗·农牧民工,在岗·残疾人,本月合同到期,本月退出,退出·(7 reasons),
		// 本月考核人数,考核·优秀,合格,基本合格,不合格
		{SheetWelfare, strings.Join([]string{
			",未填,1,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0",
			progT1 + ",150421100,2,1,1,1,0,1,1,0,0,0,0,1,0,0,2,1,1,0,0",
			progT2 + ",150421200,1,1,0,0,1,0,1,0,0,0,1,0,0,0,0,0,0,0,0",
			",合计,4,2,1,2,1,1,2,0,0,0,1,1,0,0,2,1,1,0,0",
		}, "\n")},
		{SheetWorkshops, "乙车间," + progV1 + ",,3,2\n甲车间," + progV3 + ",,2,1\n合计,,,5,3"},
		{SheetShared, "甲公司,2,2\n乙公司,1,1\n合计,3,2"},
		{SheetWorkRelief, "水渠,2,0,1000\n道路修缮,1,2000,3500\n合计,2,2000,4500"},
		{SheetExport, strings.Join([]string{"合计,,合计,3", "按输出地,,鄂尔多斯,3", "按输出地,,包头,1",
			"按协作地区,,北京市,2", "按协作地区,,无,2", "按人员类别,,脱贫人口,1", "按人员类别,,防止返贫监测对象,1",
			"按人员类别,,农牧民工,1", "按人员类别,,残疾人,0", "按苏木乡镇," + progT1 + ",150421100,3"}, "\n")},
	} {
		got := join(csvRows(t, r, c.sheet, opt))
		// Names the division table may or may not know: compare codes.
		if got != c.want && !namesOnlyDiffer(got, c.want) {
			t.Errorf("sheet %s:\n%s\nwant\n%s", c.sheet, got, c.want)
		}
	}
	summary := map[string]string{}
	for _, row := range csvRows(t, r, SheetSummary, opt) {
		summary[row[0]+"/"+row[1]] = row[2]
	}
	for k, v := range map[string]string{
		"乡村公益性岗位/在岗人数": "4", "乡村公益性岗位/在岗·脱贫人口": "2", "乡村公益性岗位/在岗·农牧民工": "2",
		"乡村公益性岗位/本月合同到期人数": "1", "乡村公益性岗位/本月退出人数": "2", "乡村公益性岗位/本月考核人数": "2",
		"就业帮扶车间/车间数": "2", "就业帮扶车间/本月在岗人数": "5", "就业帮扶车间/其中脱贫人口": "3",
		"共享用工/本月有效协议数": "3", "共享用工/共享人数": "2",
		"以工代赈/本月在岗人数": "2", "以工代赈/本月发放劳务报酬（元）": "2000", "以工代赈/本年累计发放劳务报酬（元）": "4500",
		"有组织劳务输出/本月输出批次": "3", "有组织劳务输出/本月输出人数": "3",
		"数据质量/" + TitleProgrammeNotEmployed: "4",
	} {
		if summary[k] != v {
			t.Errorf("summary %s = %q, want %s", k, summary[k], v)
		}
	}
}

// namesOnlyDiffer reports whether a and b differ only in the name cells
// that follow a division code (the division table names some codes).
func namesOnlyDiffer(a, b string) bool {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	if len(la) != len(lb) {
		return false
	}
	for i := range la {
		ca, cb := strings.Split(la[i], ","), strings.Split(lb[i], ",")
		if len(ca) != len(cb) {
			return false
		}
		for k := range ca {
			if ca[k] != cb[k] && !(k > 0 && len(ca[k-1]) >= 9 && strings.Trim(ca[k-1], "0123456789") == "") {
				return false
			}
		}
	}
	return true
}

// The data gap's people are listed (FigProgrammeNotEmployed), from the
// tables even with Live: B (失业), C (no status), D (a version 1
// 有意愿外出), F (void).
func TestProgrammeGapPeople(t *testing.T) {
	r := progCounty(t)
	l := NewLive(r)
	if err := l.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, live := range []*Live{nil, l} {
		opt := testOptions()
		opt.Live = live
		q, err := FigureQuery(FigProgrammeNotEmployed, testMonth, "")
		if err != nil {
			t.Fatal(err)
		}
		page, err := People(context.Background(), r.DB(), q, opt)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range page.People {
			names = append(names, p.Name)
		}
		if page.Total != 4 || strings.Join(names, ",") != "人员F,人员B,人员C,人员D" {
			t.Errorf("live %v: %d people %v, want 人员F (no village), 人员B, 人员C, 人员D", live != nil, page.Total, names)
		}
	}
	if _, err := People(context.Background(), r.DB(), PeopleQuery{Month: testMonth, Programme: "salaries"}, testOptions()); !errors.Is(err, ErrBadQuery) {
		t.Errorf("unknown programme: %v, want ErrBadQuery", err)
	}
}
