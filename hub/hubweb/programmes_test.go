package hubweb_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
)

// Two townships of the hand-built county, and a village of each.
const (
	townA, villageA = "150421100", "150421100001"
	townB, villageB = "150421101", "150421101001"
)

// programmeCounty is a hub holding a hand-built county's programmes, every
// row written through the hub's replica as the stations 站A and 站B would
// send it (each with its station and entered_by).
type programmeCounty struct {
	*hubtest.AccessServer
	t                 *testing.T
	month, first      string // this month, its first day
	last, today       string
	line              float64
	people            map[string]ident.ID // by name
	ids               map[string]string   // by name, unmasked
	countyPost, aPost ident.ID            // the county's post, 站A's post
	n                 int
}

// edit writes edits at the hub as station st sends them.
func (c *programmeCounty) write(st string, edits ...replica.Edit) {
	c.t.Helper()
	for i := range edits {
		edits[i] = hubtest.WithStation(hubtest.EnteredBy(edits[i], "站员"), st)
	}
	if _, err := c.Hub.Write(context.Background(), edits...); err != nil {
		c.t.Fatal(err)
	}
}

type checked interface {
	Validate() error
	Columns() []replica.ColumnValue
}

// row is a new row of rec in table, validated as a station's form would.
func (c *programmeCounty) row(table string, rec checked) (ident.ID, replica.Edit) {
	c.t.Helper()
	if err := rec.Validate(); err != nil {
		c.t.Fatalf("%s: %v", table, err)
	}
	id := hubtest.NewRowID(c.t)
	return id, replica.Edit{Table: table, Row: id, Set: rec.Columns()}
}

// person registers a person living in village with the tags.
func (c *programmeCounty) person(name, village string, tags ...string) ident.ID {
	c.t.Helper()
	c.n++
	w := records.Worker{IDNumber: hubtest.IDNumber(500 + c.n), Name: name, Ethnicity: "蒙古族", HukouVillage: village,
		ResidenceVillage: village, Education: records.Educations[0], LabourAbility: records.LabourAbilities[0], Tags: tags}
	if err := w.Validate(); err != nil {
		c.t.Fatal(err)
	}
	id := w.ID(c.Hub.Replica().Key())
	c.write("站A", replica.Edit{Table: records.Workers, Row: id, Set: w.Columns()})
	c.people[name], c.ids[name] = id, w.IDNumber
	return id
}

func day(t time.Time) string { return t.Format(records.DateLayout) }

// place places a person in a post for a year from start (part time or
// not), insured over it.
func (c *programmeCounty) place(st, name string, post ident.ID, start string, partTime bool) ident.ID {
	c.t.Helper()
	p := &records.WelfarePlacement{WorkerID: c.people[name].String(), PostID: post.String(), ContractKind: records.ContractKinds[0],
		ContractStart: start, ContractEnd: records.LastContractDay(start), InsuranceKind: records.InsuranceKinds[0],
		InsuranceStart: start, InsuranceEnd: records.LastContractDay(start), PartTime: partTime}
	id, e := c.row(records.WelfarePlacements, p)
	c.write(st, e)
	return id
}

// assess records the month's assessment of a placement with an other income.
func (c *programmeCounty) assess(st, name string, placement ident.ID, income float64) {
	c.t.Helper()
	_, e := c.row(records.WelfareAssessments, &records.WelfareAssessment{WorkerID: c.people[name].String(),
		PlacementID: placement.String(), Month: c.month, Result: records.AssessmentResults[1], OtherIncome: &income})
	c.write(st, e)
}

// status records the month's status: employed in form with income.
func (c *programmeCounty) status(st, name, form string, income float64) {
	c.t.Helper()
	s := records.MonthStatus{WorkerID: c.people[name].String(), Month: c.month, ListType: records.ListEmployed,
		WorkScope: records.WorkScopes[0], EmploymentForm: form, MonthlyIncome: &income,
		VerifiedByMethod: "电话", VerifiedBy: "张三", VerifiedAt: c.first}
	if err := s.Validate(); err != nil {
		c.t.Fatal(err)
	}
	c.write(st, replica.Edit{Table: records.MonthlyStatus, Row: s.ID(c.Hub.Replica().Key()), Set: s.Columns()})
}

// newProgrammeCounty builds the county:
//
//   - posts: the county's own (县级护林员, in A, part time) and 站A's (站A保洁员, in B);
//   - placements this month, all part time but 全日丁: 甲应退 (assessed at the line + 0.01),
//     乙在线 (assessed at the line exactly), 丙应退 (no assessment; a status
//     income of the line + 100 in 灵活就业), 丁全日 (full time, assessed at 9,999),
//     戊考核 (assessed at 100, a status income of 5,000: the assessment wins),
//     己岗位 (a status income of 3,000 in 公益性岗位: the post's own pay);
//     甲应退's contract began 11 months ago and ends this month;
//   - workshops: 达标车间 employing five 脱贫人口 and one other today,
//     未达标车间 one 脱贫人口 today and one whose job ended yesterday;
//   - shared employment: one agreement this month, one that ended last month;
//   - a work-relief project paying two people 1,000 and 1,500;
//   - a partner region and a batch that sent two 脱贫人口 (one also
//     monitored) and one other.
func newProgrammeCounty(t *testing.T) *programmeCounty {
	t.Helper()
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	h.Enroll("站A")
	h.Enroll("站B")
	now := h.Hub.Now().In(h.Hub.Zone())
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location())
	c := &programmeCounty{AccessServer: h, t: t, month: first.Format(records.MonthLayout), first: day(first),
		last: day(first.AddDate(0, 1, -1)), today: day(now), line: h.Hub.MonitoringLine(),
		people: map[string]ident.ID{}, ids: map[string]string{}}
	ctx := context.Background()
	var err error
	c.countyPost, err = h.Hub.SaveCountyProgramme(ctx, records.WelfarePosts, ident.ID{}, &records.WelfarePost{Name: "县级护林员",
		Village: villageA, Kind: "护林防火", Headcount: 10, Subsidy: 600, PartTime: true, Employer: "县林草局"},
		access.Actor{User: "县管理员"})
	if err != nil {
		t.Fatal(err)
	}
	var e replica.Edit
	c.aPost, e = c.row(records.WelfarePosts, &records.WelfarePost{Name: "站A保洁员", Village: villageB, Kind: "保洁环卫",
		Headcount: 5, Subsidy: 500, PartTime: true, Employer: "某某嘎查村委会"})
	c.write("站A", e)

	for _, n := range []string{"甲应退", "乙在线", "丁全日", "戊考核", "己岗位"} {
		c.person(n, villageA, records.TagLifted)
	}
	c.person("丙应退", villageB, records.TagLifted)
	start := day(first.AddDate(0, -11, 0))
	pl := c.place("站A", "甲应退", c.countyPost, start, true)
	c.assess("站A", "甲应退", pl, c.line+0.01)
	pl = c.place("站A", "乙在线", c.countyPost, c.first, true)
	c.assess("站A", "乙在线", pl, c.line)
	c.place("站A", "丙应退", c.aPost, c.first, true)
	c.status("站A", "丙应退", "灵活就业", c.line+100)
	pl = c.place("站A", "丁全日", c.countyPost, c.first, false)
	c.assess("站A", "丁全日", pl, 9999)
	pl = c.place("站A", "戊考核", c.countyPost, c.first, true)
	c.assess("站A", "戊考核", pl, 100)
	c.status("站A", "戊考核", "灵活就业", 5000)
	c.place("站A", "己岗位", c.aPost, c.first, true)
	c.status("站A", "己岗位", records.FormWelfare, 3000)

	// Workshops.
	met, e := c.row(records.Workshops, &records.Workshop{Name: "达标车间", Village: villageA, Operator: "=1+2"})
	c.write("站B", e)
	below, e := c.row(records.Workshops, &records.Workshop{Name: "未达标车间", Village: villageB})
	c.write("站B", e)
	job := func(name string, shop ident.ID, start, end string) {
		_, e := c.row(records.WorkshopJobs, &records.WorkshopJob{WorkerID: c.people[name].String(), WorkshopID: shop.String(),
			StartOn: start, EndOn: end})
		c.write("站B", e)
	}
	monthAgo := day(now.AddDate(0, -1, 0))
	for i := range 5 {
		n := fmt.Sprintf("车间工%d", i)
		c.person(n, villageA, records.TagLifted)
		job(n, met, monthAgo, "")
	}
	c.person("车间普通", villageA)
	job("车间普通", met, monthAgo, "")
	c.person("车间脱贫", villageB, records.TagLifted)
	job("车间脱贫", below, monthAgo, "")
	c.person("车间离开", villageB, records.TagLifted)
	job("车间离开", below, monthAgo, day(now.AddDate(0, 0, -1)))

	// Shared employment.
	c.person("共享本月", villageA)
	c.person("共享上月", villageA)
	_, e = c.row(records.SharedEmployment, &records.SharedJob{WorkerID: c.people["共享本月"].String(), OriginalEmployer: "甲公司",
		ContractEnd: day(first.AddDate(1, 0, 0)), HostEmployer: "乙公司", StartOn: c.first, EndOn: c.last})
	c.write("站A", e)
	_, e = c.row(records.SharedEmployment, &records.SharedJob{WorkerID: c.people["共享上月"].String(), OriginalEmployer: "甲公司",
		ContractEnd: day(first.AddDate(1, 0, 0)), HostEmployer: "丙公司", StartOn: day(first.AddDate(0, -2, 0)),
		EndOn: day(first.AddDate(0, 0, -1))})
	c.write("站A", e)

	// Work relief.
	project, e := c.row(records.WorkReliefProjects, &records.WorkReliefProject{Name: "以工代赈道路", Place: townA, StartOn: monthAgo})
	c.write("站A", e)
	for i, pay := range []float64{1000, 1500} {
		n := fmt.Sprintf("代赈%d", i)
		c.person(n, villageA)
		_, e := c.row(records.WorkReliefJobs, &records.WorkReliefJob{WorkerID: c.people[n].String(), ProjectID: project.String(),
			StartOn: monthAgo, Pay: pay})
		c.write("站A", e)
	}

	// Export.
	region, e := c.row(records.PartnerRegions, &records.PartnerRegion{Name: "宁波市", Kind: "东西部协作"})
	c.write("站B", e)
	batch, e := c.row(records.ExportBatches, &records.ExportBatch{SentOn: c.first, Destination: "浙江省宁波市",
		PartnerRegionID: region.String(), LabourBrand: "草原保洁"})
	c.write("站B", e)
	c.person("输出脱贫", villageB, records.TagLifted)
	c.person("输出两类", villageB, records.TagLifted, "防止返贫监测对象")
	c.person("输出其他", villageB)
	for _, n := range []string{"输出脱贫", "输出两类", "输出其他"} {
		_, e := c.row(records.ExportMembers, &records.ExportMember{WorkerID: c.people[n].String(), BatchID: batch.String()})
		c.write("站B", e)
	}
	return c
}

// workbook downloads an export and reads its sheets.
func workbook(t *testing.T, web *http.Client, u string) (map[string][][]string, *excelize.File, *http.Response) {
	t.Helper()
	resp, err := web.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %s %s", u, resp.Status, b)
	}
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	out := map[string][][]string{}
	for _, s := range x.GetSheetList() {
		rows, err := x.GetRows(s)
		if err != nil {
			t.Fatal(err)
		}
		out[s] = rows
	}
	return out, x, resp
}

// column is the values of the header's column in rows (after the header).
func column(t *testing.T, rows [][]string, header string) []string {
	t.Helper()
	if len(rows) == 0 {
		t.Fatalf("no header")
	}
	i := slices.Index(rows[0], header)
	if i < 0 {
		t.Fatalf("no column %q in %q", header, rows[0])
	}
	var out []string
	for _, r := range rows[1:] {
		if i < len(r) {
			out = append(out, r[i])
		} else {
			out = append(out, "")
		}
	}
	return out
}

// rowOf is the row of rows whose first cell is first.
func rowOf(rows [][]string, first string) []string {
	for _, r := range rows {
		if len(r) > 0 && r[0] == first {
			return r
		}
	}
	return nil
}

// The 应退出 list of this month: the part-time workers whose other income
// exceeds the county's line (an assessment's income just above it; a
// status income in flexible work when there is no assessment), never one at
// the line, a full-time worker, one whose assessment is below it whatever
// the status says, nor one whose status income is the post's own pay; each
// with the income, its source and the line; by township. The page and the
// export agree, id numbers masked.
func TestProgrammeExitsPage(t *testing.T) {
	c := newProgrammeCounty(t)
	web := c.LoggedIn("处理员", access.RoleResolver)
	st, _, body := hubtest.Page(t, web, c.URL()+"/programmes/welfare/exits")
	if st != http.StatusOK {
		t.Fatalf("exits page: %d %s", st, body)
	}
	for _, n := range []string{"甲应退", "丙应退"} {
		if !strings.Contains(body, n) {
			t.Errorf("the exits page misses %s", n)
		}
	}
	for _, n := range []string{"乙在线", "丁全日", "戊考核", "己岗位"} {
		if strings.Contains(body, n) {
			t.Errorf("the exits page lists %s", n)
		}
	}
	for _, id := range c.ids {
		if strings.Contains(body, id) {
			t.Fatal("the exits page shows an id number unmasked")
		}
	}
	if !strings.Contains(body, `id="export-xlsx"`) || !strings.Contains(body, "不因年龄或残疾人身份另设限制") {
		t.Error("the exits page has no export link, or does not say no age or disability limit applies")
	}
	sheets, _, resp := workbook(t, web, c.URL()+"/programmes/welfare/exits.xlsx?month="+c.month)
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, url.PathEscape("应退出名单.xlsx")) {
		t.Errorf("export name %q", cd)
	}
	if len(sheets) != 1 {
		t.Fatalf("sheets %v", sheets)
	}
	var rows [][]string
	for _, r := range sheets {
		rows = r
	}
	names := column(t, rows, "姓名")
	if strings.Join(names, " ") != "甲应退 丙应退" {
		t.Fatalf("exits %q, want 甲应退 丙应退", names)
	}
	line := fmt.Sprint(c.line)
	a, b := rowOf(rows, "甲应退"), rowOf(rows, "丙应退")
	wantA := []string{fmt.Sprint(c.line + 0.01), "考核记录", line}
	wantB := []string{fmt.Sprint(c.line + 100), "月度状态", line}
	i := slices.Index(rows[0], "其他收入（元/月）")
	if !slices.Equal(a[i:i+3], wantA) || !slices.Equal(b[i:i+3], wantB) {
		t.Errorf("income, source, line: %q and %q, want %q and %q", a[i:i+3], b[i:i+3], wantA, wantB)
	}
	for _, id := range column(t, rows, "公民身份号码（脱敏）") {
		if !maskedID.MatchString(id) {
			t.Errorf("id number %q not masked", id)
		}
	}
	sheets, _, _ = workbook(t, web, c.URL()+"/programmes/welfare/exits.xlsx?month="+c.month+"&township="+townB)
	for _, r := range sheets {
		if got := column(t, r, "姓名"); strings.Join(got, " ") != "丙应退" {
			t.Errorf("township B's exits %q", got)
		}
	}
	// Last month nobody held a post.
	prev := addMonth(c.month, -1)
	sheets, _, _ = workbook(t, web, c.URL()+"/programmes/welfare/exits.xlsx?month="+prev)
	for _, r := range sheets {
		if len(r) != 1 {
			t.Errorf("last month's exits %q", r)
		}
	}
	if st, _, _ := hubtest.Page(t, web, c.URL()+"/programmes/welfare/exits?month=2026-13"); st != http.StatusBadRequest {
		t.Errorf("a bad month: %d", st)
	}
	if st, _, _ := hubtest.Page(t, web, c.URL()+"/programmes/welfare/exits?township=12"); st != http.StatusBadRequest {
		t.Errorf("a bad township: %d", st)
	}
}

func addMonth(m string, n int) string {
	t, _ := time.Parse(records.MonthLayout, m)
	return t.AddDate(0, n, 0).Format(records.MonthLayout)
}

// Every programme page and its export: the overview's counts, the posts
// with how many hold them, the placements, the contracts ending this month,
// the workshops against the threshold (达标 with five 脱贫人口, 未达标 with
// one, a job ended yesterday not counted), the agreements of this month,
// the work-relief project's people and pay, the batch's people by group.
func TestProgrammePages(t *testing.T) {
	c := newProgrammeCounty(t)
	web := c.LoggedIn("处理员", access.RoleResolver)
	for _, p := range []string{"/programmes", "/programmes/welfare", "/programmes/welfare/ending", "/programmes/welfare/exits",
		"/programmes/workshops", "/programmes/shared", "/programmes/work-relief", "/programmes/export"} {
		st, _, body := hubtest.Page(t, web, c.URL()+p)
		if st != http.StatusOK || !strings.Contains(body, `id="nav-programmes"`) {
			t.Errorf("%s: %d, or not under 帮扶项目", p, st)
		}
	}
	_, _, body := hubtest.Page(t, web, c.URL()+"/programmes")
	for _, want := range []string{"乡村公益性岗位", "就业帮扶车间", "共享用工", "以工代赈", "有组织劳务输出"} {
		if !strings.Contains(body, want) {
			t.Errorf("the overview misses %s", want)
		}
	}
	for _, want := range [][2]string{{"本月合同到期", "1"}, {"本月应退出", "2"}, {"在岗人数", "6"}, {"车间在岗人数", "7"}} {
		if !regexp.MustCompile(want[0] + `</a></td><td class="n">` + want[1] + `<`).MatchString(body) {
			t.Errorf("the overview's %s is not %s", want[0], want[1])
		}
	}
	if !strings.Contains(body, "监测收入线 "+fmt.Sprint(c.line)+" 元/月") {
		t.Error("the overview does not show the county's line")
	}
	exports := 0
	get := func(path string) map[string][][]string {
		t.Helper()
		exports++
		s, _, _ := workbook(t, web, c.URL()+path)
		return s
	}
	w := get("/programmes/welfare.xlsx")
	posts, placements := w["岗位"], w["岗位安置"]
	if got := rowOf(posts, "县级护林员"); got == nil || got[3] != "10" || got[4] != "4" || got[8] != "县级" {
		t.Errorf("the county's post: %q (want headcount 10, 4 placed, 县级)", got)
	}
	if got := rowOf(posts, "站A保洁员"); got == nil || got[4] != "2" || got[8] != "站A" {
		t.Errorf("站A's post: %q", got)
	}
	if len(placements) != 7 {
		t.Errorf("%d placements, want 6 and the header", len(placements))
	}
	w = get("/programmes/welfare.xlsx?township=" + townB)
	if got := column(t, w["岗位"], "岗位名称"); strings.Join(got, " ") != "站A保洁员" {
		t.Errorf("township B's posts %q", got)
	}
	if got := column(t, w["岗位安置"], "姓名"); len(got) != 1 || got[0] != "丙应退" {
		t.Errorf("township B's placements %q", got)
	}
	for _, r := range get("/programmes/welfare/ending.xlsx?month=" + c.month) {
		if got := column(t, r, "姓名"); strings.Join(got, " ") != "甲应退" {
			t.Errorf("contracts ending this month %q", got)
		}
	}
	for _, r := range get("/programmes/workshops.xlsx") {
		met, below := rowOf(r, "达标车间"), rowOf(r, "未达标车间")
		if met == nil || below == nil || met[5] != "6" || met[6] != "5" || met[8] != "达标" || below[5] != "1" ||
			below[6] != "1" || below[8] != "未达标" || r[1][0] != "达标车间" {
			t.Errorf("workshops %q", r)
		}
		if met[2] != "=1+2" {
			t.Errorf("operator %q", met[2])
		}
	}
	_, x, _ := workbook(t, web, c.URL()+"/programmes/workshops.xlsx")
	exports++
	for _, s := range x.GetSheetList() {
		if f, _ := x.GetCellFormula(s, "C2"); f != "" {
			t.Errorf("a typed =1+2 became the formula %q", f)
		}
	}
	for _, r := range get("/programmes/shared.xlsx?month=" + c.month) {
		if got := column(t, r, "姓名"); strings.Join(got, " ") != "共享本月" {
			t.Errorf("shared this month %q", got)
		}
	}
	for _, r := range get("/programmes/work-relief.xlsx") {
		if got := rowOf(r, "以工代赈道路"); got == nil || got[5] != "2" || got[6] != "2500" {
			t.Errorf("work relief %q", r)
		}
	}
	e := get("/programmes/export.xlsx")
	if got := rowOf(e["输出批次"], c.first); got == nil || got[3] != "宁波市（东西部协作）" || got[4] != "草原保洁" ||
		strings.Join(got[5:9], " ") != "3 2 1 1" {
		t.Errorf("export batches %q", e["输出批次"])
	}
	if got := rowOf(e["协作地区"], "宁波市"); got == nil {
		t.Errorf("partner regions %q", e["协作地区"])
	}
	owner := c.AdminToken("主管", access.RoleOwner)
	hubtest.WaitFor(t, 5*time.Second, "the exports in the audit log", func() bool {
		_, body := c.Call("GET", "/api/audit?limit=100", owner)
		entries, _ := body["entries"].([]any)
		n := 0
		for _, e := range entries {
			m, _ := e.(map[string]any)
			if m["action"] == access.AuditExport && m["user"] == "处理员" && strings.Contains(fmt.Sprint(m["detail"]), "/programmes/") {
				n++
			}
		}
		return n == exports
	})
}

// The county's forms: a resolver makes a welfare post (县级, entered by
// the resolver) and edits it through its link; a post 站A made has no edit
// link, and a form naming it is refused with not_maker, the post unchanged;
// a headcount that is no number, and a post that does not validate, are
// refused naming the field, the values typed kept. A viewer sees no form
// and no export and is refused both; a station manager cannot export.
func TestProgrammeForms(t *testing.T) {
	c := newProgrammeCounty(t)
	web := c.LoggedIn("处理员", access.RoleResolver)
	_, _, body := hubtest.Page(t, web, c.URL()+"/programmes/welfare")
	m := hubtest.CSRFPattern.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, `id="save-welfare_posts"`) || !strings.Contains(body, `class="place-picker" data-levels="嘎查村" data-src="/places/search"><input name="village"`) {
		t.Fatalf("no form for a resolver:\n%s", body)
	}
	form := url.Values{"csrf": {m[1]}, "back": {"/programmes/welfare"}, "name": {"县级道路管护员"}, "village": {villageB},
		"kind": {"道路管护"}, "headcount": {"3"}, "subsidy": {"450"}, "part_time": {"1"}, "employer": {"县交通局"}}
	resp, _ := hubtest.Post(t, web, c.URL()+"/programmes/save/welfare_posts", form)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/programmes/welfare?") {
		t.Fatalf("new post: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
	var id, station, by string
	var partTime int
	if err := c.Hub.Replica().DB().QueryRow(`SELECT lower(hex(id)), station, entered_by, part_time FROM welfare_posts
		WHERE name = '县级道路管护员'`).Scan(&id, &station, &by, &partTime); err != nil {
		t.Fatal(err)
	}
	if station != records.County || by != "处理员" || partTime != 1 {
		t.Errorf("the new post: station %q, entered by %q, part time %d", station, by, partTime)
	}
	_, _, body = hubtest.Page(t, web, c.URL()+"/programmes/welfare")
	if !strings.Contains(body, "edit="+id) || !strings.Contains(body, "edit="+c.countyPost.String()) || strings.Contains(body, "edit="+c.aPost.String()) {
		t.Error("edit links: want the county's posts, not 站A's")
	}
	_, _, body = hubtest.Page(t, web, c.URL()+"/programmes/welfare?form=welfare_posts&edit="+id)
	if !strings.Contains(body, `name="id" value="`+id+`"`) || !strings.Contains(body, `value="县交通局"`) {
		t.Fatalf("the edit form is not filled:\n%s", body)
	}
	form.Set("id", id)
	form.Set("headcount", "6")
	form.Set("back", "//example.org/programmes/welfare")
	if resp, _ := hubtest.Post(t, web, c.URL()+"/programmes/save/welfare_posts", form); resp.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(resp.Header.Get("Location"), "/programmes/welfare?") {
		t.Fatalf("edit: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
	form.Set("back", "/programmes/welfare")
	var n int
	c.Hub.Replica().DB().QueryRow(`SELECT headcount FROM welfare_posts WHERE id = unhex(?)`, id).Scan(&n)
	if n != 6 {
		t.Errorf("headcount after the edit %d", n)
	}

	form.Set("id", c.aPost.String())
	resp, body = hubtest.Post(t, web, c.URL()+"/programmes/save/welfare_posts", form)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "只有录入该记录的站点或县级可以修改") {
		t.Errorf("the county edits 站A's post: %s %s", resp.Status, body)
	}
	var name string
	c.Hub.Replica().DB().QueryRow(`SELECT name FROM welfare_posts WHERE id = unhex(?)`, c.aPost.String()).Scan(&name)
	if name != "站A保洁员" {
		t.Errorf("站A's post is now %q", name)
	}
	form.Del("id")
	form.Set("headcount", "三")
	resp, body = hubtest.Post(t, web, c.URL()+"/programmes/save/welfare_posts", form)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "岗位人数应为整数") || !strings.Contains(body, `value="县交通局"`) {
		t.Errorf("headcount 三: %s", resp.Status)
	}
	form.Set("back", "https://example.org/programmes/welfare")
	resp, body = hubtest.Post(t, web, c.URL()+"/programmes/save/welfare_posts", form)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="form-error"`) || !strings.Contains(body, `name="back" value="/programmes/welfare"`) {
		t.Errorf("a refusal with a foreign back: %s", resp.Status)
	}
	form.Set("back", "/programmes/welfare")
	form.Set("headcount", "2")
	form.Set("kind", "看大门")
	if resp, body = hubtest.Post(t, web, c.URL()+"/programmes/save/welfare_posts", form); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, "类别") {
		t.Errorf("an unknown kind: %s", resp.Status)
	}

	viewer := c.LoggedIn("查看员", access.RoleViewer)
	_, _, body = hubtest.Page(t, viewer, c.URL()+"/programmes/welfare")
	if strings.Contains(body, `id="save-welfare_posts"`) || strings.Contains(body, "export-xlsx") || strings.Contains(body, "edit=") {
		t.Error("a viewer is offered the form, an edit or the export")
	}
	m = hubtest.CSRFPattern.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token on the viewer's page")
	}
	form.Set("csrf", m[1])
	form.Set("kind", "道路管护")
	form.Set("name", "查看员的岗位")
	if resp, _ := hubtest.Post(t, viewer, c.URL()+"/programmes/save/welfare_posts", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer saves a post: %s", resp.Status)
	}
	c.Hub.Replica().DB().QueryRow(`SELECT count(*) FROM welfare_posts WHERE name = '查看员的岗位'`).Scan(&n)
	if n != 0 {
		t.Error("the viewer's post was written")
	}
	manager := c.LoggedIn("站管", access.RoleStationManager)
	for _, cl := range []*http.Client{viewer, manager} {
		for _, p := range []string{"/programmes/welfare.xlsx", "/programmes/welfare/exits.xlsx"} {
			if st, _, _ := hubtest.Page(t, cl, c.URL()+p); st != http.StatusForbidden {
				t.Errorf("%s without the export permission: %d", p, st)
			}
		}
	}
	if st, _, _ := hubtest.Page(t, c.Client(), c.URL()+"/programmes/welfare"); st != http.StatusSeeOther {
		t.Errorf("the page without a login: %d", st)
	}
}

// A person deleted at the hub, and one who has left (离开), are no longer
// the county's: though their placements stay, no list or count of the
// programmes has them (a deleted person's row would show nameless).
func TestProgrammeGonePeople(t *testing.T) {
	c := newProgrammeCounty(t)
	for _, n := range []string{"庚删除", "辛离开"} {
		c.person(n, villageA, records.TagLifted)
		pl := c.place("站A", n, c.countyPost, c.first, true)
		c.assess("站A", n, pl, c.line+1)
	}
	c.write("站A", replica.Edit{Table: records.Workers, Row: c.people["庚删除"], Delete: true})
	c.write("站A", replica.Edit{Table: records.Workers, Row: c.people["辛离开"], Set: []replica.ColumnValue{
		{Column: "left_reason", Value: records.LeaveReasons[0]}, {Column: "left_on", Value: c.today}}})

	web := c.LoggedIn("处理员", access.RoleResolver)
	for _, p := range []string{"/programmes/welfare", "/programmes/welfare/exits"} {
		if _, _, body := hubtest.Page(t, web, c.URL()+p); strings.Contains(body, "辛离开") {
			t.Errorf("%s lists a person who has left", p)
		}
	}
	w, _, _ := workbook(t, web, c.URL()+"/programmes/welfare.xlsx")
	if got := column(t, w["岗位安置"], "姓名"); len(got) != 6 {
		t.Errorf("placements %q, want the 6 of the county's people", got)
	}
	if got := rowOf(w["岗位"], "县级护林员"); got == nil || got[4] != "4" {
		t.Errorf("the county's post: %q (want 4 placed)", got)
	}
	exits, _, _ := workbook(t, web, c.URL()+"/programmes/welfare/exits.xlsx?month="+c.month)
	for _, r := range exits {
		if got := column(t, r, "姓名"); strings.Join(got, " ") != "甲应退 丙应退" {
			t.Errorf("exits %q, want 甲应退 丙应退", got)
		}
	}
	_, _, body := hubtest.Page(t, web, c.URL()+"/programmes")
	for _, want := range [][2]string{{"本月应退出", "2"}, {"在岗人数", "6"}} {
		if !regexp.MustCompile(want[0] + `</a></td><td class="n">` + want[1] + `<`).MatchString(body) {
			t.Errorf("the overview's %s is not %s", want[0], want[1])
		}
	}
	n, err := c.Hub.CountProgrammes(context.Background(), hub.ProgrammeFilter{})
	if err != nil || n.WelfarePlaced != 6 || n.WelfarePartTime != 5 {
		t.Errorf("counts %+v %v, want 6 placed, 5 part time", n, err)
	}
}
