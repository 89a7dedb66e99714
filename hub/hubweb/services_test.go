package hubweb_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/report"
)

// serviceCounty is a hub holding a hand-built county's services, every
// person's row written through the hub's replica as 站A sends it, and the
// county's own course and expert saved at the hub.
type serviceCounty struct {
	*programmeCounty
	countyCourse, aCourse ident.ID
	countyExpert          ident.ID
	fair, job, gig        ident.ID
	lastMonth             string
}

// newServiceCounty builds the county:
//
//   - courses: the county's 县级电工培训 (学员甲 completed it with a
//     certificate S15000001, 学员乙 enrolled) and 站A's 站A焊工培训 (no one);
//   - the county's expert 县级专家 (phone 13912345678), who guided 创业者's
//     start-up 牛肉干作坊 (3 jobs), which also had a loan of 50,000 and a
//     subsidy of 10,000;
//   - returns: 返乡甲 this month (再次外出), 返乡乙 last month (就近就业);
//   - 站A's job fair 春风行动专场 (30 agreements), with a regular job
//     (全职, suits older workers, headcount 2) published at it, and a gig
//     (零工) not.
func newServiceCounty(t *testing.T) *serviceCounty {
	t.Helper()
	c := &serviceCounty{programmeCounty: newProgrammeCounty(t)}
	ctx := context.Background()
	who := access.Actor{User: "县管理员"}
	var err error
	c.countyCourse, err = c.Hub.SaveCountyProgramme(ctx, records.Trainings, ident.ID{}, &records.Training{Course: "县级电工培训",
		Kind: "技能", Skill: "电工", StartOn: c.first, Place: "旗职业学校"}, who)
	if err != nil {
		t.Fatal(err)
	}
	c.countyExpert, err = c.Hub.SaveCountyProgramme(ctx, records.Experts, ident.ID{}, &records.Expert{Name: "县级专家",
		Field: "开业指导", Phone: "13912345678"}, who)
	if err != nil {
		t.Fatal(err)
	}
	var e replica.Edit
	c.aCourse, e = c.row(records.Trainings, &records.Training{Course: "站A焊工培训", Kind: "安全", StartOn: c.first})
	c.write("站A", e)
	c.person("学员甲", villageA)
	c.person("学员乙", villageB)
	_, e = c.row(records.TrainingEnrolments, &records.TrainingEnrolment{WorkerID: c.people["学员甲"].String(),
		TrainingID: c.countyCourse.String(), Completed: true, CompletedOn: c.first, CertificateKind: records.CertificateSkillLevel,
		CertificateNo: "S15000001", CertificateLevel: records.CertificateLevels[0]})
	c.write("站A", e)
	_, e = c.row(records.TrainingEnrolments, &records.TrainingEnrolment{WorkerID: c.people["学员乙"].String(),
		TrainingID: c.countyCourse.String()})
	c.write("站A", e)

	c.person("创业者", villageA)
	w := c.people["创业者"].String()
	startup, e := c.row(records.Startups, &records.Startup{WorkerID: w, Business: "牛肉干作坊", StartedOn: c.first,
		Place: villageA, JobsCreated: 3})
	c.write("站A", e)
	loan, subsidy := 50000.0, 10000.0
	for _, s := range []*records.Support{
		{WorkerID: w, StartupID: startup.String(), Kind: records.SupportLoan, Amount: &loan, Lender: "农商银行", StartOn: c.first,
			EndOn: day(time.Now().AddDate(2, 0, 0))},
		{WorkerID: w, StartupID: startup.String(), Kind: records.SupportSubsidy, Amount: &subsidy, StartOn: c.first},
		{WorkerID: w, StartupID: startup.String(), Kind: records.SupportExpert, StartOn: c.first,
			ExpertID: c.countyExpert.String(), Advice: "办理营业执照"},
	} {
		_, e = c.row(records.StartupSupport, s)
		c.write("站A", e)
	}

	first, _ := time.Parse(records.DateLayout, c.first)
	c.lastMonth = first.AddDate(0, -1, 0).Format(records.MonthLayout)
	c.person("返乡甲", villageA)
	c.person("返乡乙", villageB)
	_, e = c.row(records.Returns, &records.Return{WorkerID: c.people["返乡甲"].String(), ReturnedOn: c.first, FromPlace: "鄂尔多斯",
		Reason: "务工结束", Intention: records.IntentAway})
	c.write("站A", e)
	_, e = c.row(records.Returns, &records.Return{WorkerID: c.people["返乡乙"].String(), ReturnedOn: c.lastMonth + "-15",
		FromPlace: "包头", Reason: "照顾家庭", Intention: "就近就业"})
	c.write("站A", e)

	c.fair, e = c.row(records.JobFairs, &records.JobFair{Title: "春风行动专场", Kind: "春风行动", HeldOn: c.first, Place: "旗人力资源市场",
		Employers: 12, Postings: 80, Attendees: 300, Agreements: 30})
	c.write("站A", e)
	c.job, e = c.row(records.Gigs, &records.Gig{Title: "仓库管理员", Occupation: "仓管", Headcount: 2, Wage: 3500,
		WageUnit: records.MonthlyWageUnit, Settlement: records.MonthlySettlement, Place: "150421", StartDate: c.first,
		Employer: "物流公司", Contact: "13800000001", Kind: records.GigKindJob, SuitsOlder: true, JobFairID: c.fair.String()})
	c.write("站A", e)
	c.gig, e = c.row(records.Gigs, &records.Gig{Title: "剪羊毛", Occupation: "剪毛工", Headcount: 3, Wage: 300, WageUnit: "元/天",
		Settlement: "日结", Place: "150421", StartDate: c.first, Employer: "合作社", Contact: "13800000002"})
	c.write("站A", e)
	return c
}

// The service pages show what the county holds: the overview's counts; the
// courses with their enrolled, completed and certificate counts, and a
// course's page with its people (id numbers masked); the roster with the
// experts' phones masked and the guidance given; start-ups with their
// loans and subsidies; the month's returnees and their intentions; job
// fairs with the postings published there; postings of a kind and those
// suiting older workers. A bad kind or month is refused.
func TestServicePages(t *testing.T) {
	c := newServiceCounty(t)
	web := c.LoggedIn("处理员", access.RoleResolver)
	page := func(path string) string {
		t.Helper()
		st, _, body := hubtest.Page(t, web, c.URL()+path)
		if st != http.StatusOK {
			t.Fatalf("%s: %d\n%s", path, st, body)
		}
		return body
	}
	body := page("/services?month=" + c.month)
	for _, want := range []string{`id="nav-services"`, "培训课程", "返乡人员", "全职岗位"} {
		if !strings.Contains(body, want) {
			t.Errorf("the overview misses %q", want)
		}
	}
	tables := func(body string) map[string][][]string { return htmlTables(t, body) }
	counts := map[string]string{}
	for _, r := range tables(body)["counts"] {
		counts[r[0]] = r[1]
	}
	for k, want := range map[string]string{"培训课程": "2", "参训人数": "2", "结业人数": "1", "取得证书": "1", "创业服务专家": "1",
		"返乡入乡创业": "1", "带动就业人数": "3", "创业担保贷款（元）": "50000", "一次性创业补贴（元）": "10000", "指导次数": "1",
		"本月返乡人员": "1", "其中有意再次外出": "1", "招聘活动": "1", "招聘会达成意向人数": "30", "全职岗位": "1", "零工岗位": "1",
		"适合大龄": "1"} {
		if counts[k] != want {
			t.Errorf("overview %s = %q, want %s (%v)", k, counts[k], want, counts)
		}
	}

	courses := tables(page("/services/trainings"))["courses"]
	row := rowOf(courses, "县级电工培训")
	if row == nil || row[7] != "2" || row[8] != "1" || row[9] != "1" || row[10] != "县级" {
		t.Errorf("the county's course: %q", row)
	}
	if row := rowOf(courses, "站A焊工培训"); row == nil || row[7] != "0" || row[10] != "站A" {
		t.Errorf("站A's course: %q", row)
	}
	body = page("/services/trainings/" + c.countyCourse.String())
	people := tables(body)["enrolments"]
	jia := rowOf(people, "学员甲")
	if jia == nil || jia[4] != "是" || jia[7] != "S15000001" || jia[6] != records.CertificateSkillLevel {
		t.Errorf("学员甲 on the course's page: %q", jia)
	}
	if strings.Contains(body, c.ids["学员甲"]) || jia == nil || jia[1] != records.MaskIDNumber(c.ids["学员甲"]) {
		t.Error("the course's page shows an id number unmasked")
	}
	if rowOf(people, "学员乙") == nil || len(people) != 3 {
		t.Errorf("the course's people: %q", people)
	}
	if st, _, _ := hubtest.Page(t, web, c.URL()+"/services/trainings/"+hubtest.NewRowID(t).String()); st != http.StatusNotFound {
		t.Errorf("an unknown course's page: %d", st)
	}
	if st, _, _ := hubtest.Page(t, web, c.URL()+"/services/trainings/nothex"); st != http.StatusBadRequest {
		t.Errorf("a malformed course id: %d", st)
	}

	body = page("/services/experts")
	if strings.Contains(body, "13912345678") {
		t.Error("the roster shows an expert's phone unmasked")
	}
	if r := rowOf(tables(body)["experts"], "县级专家"); r == nil || r[3] != records.MaskPhone("13912345678") || r[4] != "1" {
		t.Errorf("the expert: %q", r)
	}

	st := tables(page("/services/startups"))
	if r := rowOf(st["startups"], "创业者"); r == nil || r[4] != "牛肉干作坊" || r[8] != "3" || r[10] != "50000" || r[11] != "10000" || r[12] != "3" {
		t.Errorf("the start-up: %q", r)
	}
	if len(st["support"]) != 4 {
		t.Errorf("support rows %q", st["support"])
	}

	ret := tables(page("/services/returns?month=" + c.month))
	if rowOf(ret["returns"], "返乡甲") == nil || rowOf(ret["returns"], "返乡乙") != nil {
		t.Errorf("this month's returnees: %q", ret["returns"])
	}
	if r := rowOf(ret["intentions"], records.IntentAway); r == nil || r[1] != "1" {
		t.Errorf("intentions: %q", ret["intentions"])
	}
	if rowOf(tables(page("/services/returns?month=" + c.lastMonth))["returns"], "返乡乙") == nil {
		t.Error("last month's returnee missing from last month's list")
	}

	if r := rowOf(tables(page("/services/job-fairs"))["fairs"], "春风行动专场"); r == nil || r[9] != "1" || r[10] != "2" || r[8] != "30" {
		t.Errorf("the job fair: %q", r)
	}

	all := tables(page("/services/postings"))["postings"]
	if rowOf(all, "仓库管理员") == nil || rowOf(all, "剪羊毛") == nil {
		t.Errorf("all postings: %q", all)
	}
	jobs := tables(page("/services/postings?kind=" + url.QueryEscape(records.GigKindJob)))["postings"]
	if r := rowOf(jobs, "仓库管理员"); r == nil || r[1] != records.GigKindJob || r[7] != "是" || r[8] != "春风行动专场" || rowOf(jobs, "剪羊毛") != nil {
		t.Errorf("regular jobs: %q", jobs)
	}
	gigs := tables(page("/services/postings?kind=" + url.QueryEscape(records.GigKindCasual)))["postings"]
	if rowOf(gigs, "剪羊毛") == nil || rowOf(gigs, "仓库管理员") != nil {
		t.Errorf("gigs: %q", gigs)
	}
	older := tables(page("/services/postings?older=1"))["postings"]
	if rowOf(older, "仓库管理员") == nil || rowOf(older, "剪羊毛") != nil {
		t.Errorf("postings suiting older workers: %q", older)
	}
	for _, bad := range []string{"/services/postings?kind=兼职", "/services/returns?month=2026-13"} {
		if st, _, _ := hubtest.Page(t, web, c.URL()+bad); st != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, st)
		}
	}
}

// Each service list exports the rows its page shows, as text, and the
// export is in the audit log; a viewer sees the pages but neither the
// export link nor the file.
func TestServiceExports(t *testing.T) {
	c := newServiceCounty(t)
	web := c.LoggedIn("处理员", access.RoleResolver)
	for _, x := range []struct {
		path, sheet, first string
	}{
		{"/services/trainings.xlsx", "培训课程", "县级电工培训"},
		{"/services/trainings/" + c.countyCourse.String() + "/xlsx", "参训人员", "学员甲"},
		{"/services/experts.xlsx", "创业服务专家", "县级专家"},
		{"/services/startups.xlsx", "创业扶持", "创业者"},
		{"/services/returns.xlsx?month=" + c.month, report.MonthTitle(c.month) + "返乡人员", "返乡甲"},
		{"/services/job-fairs.xlsx", "招聘活动", "春风行动专场"},
		{"/services/postings.xlsx?older=1", "岗位信息", "仓库管理员"},
	} {
		book, _, resp := workbook(t, web, c.URL()+x.path)
		rows, ok := book[sheetTitle(x.sheet)]
		if !ok {
			t.Errorf("%s: no sheet %s in %v", x.path, x.sheet, keys(book))
			continue
		}
		if rowOf(rows, x.first) == nil {
			t.Errorf("%s: no row %s in %q", x.path, x.first, rows)
		}
		if !strings.Contains(resp.Header.Get("Content-Disposition"), ".xlsx") {
			t.Errorf("%s: disposition %q", x.path, resp.Header.Get("Content-Disposition"))
		}
	}
	book, _, _ := workbook(t, web, c.URL()+"/services/trainings/"+c.countyCourse.String()+"/xlsx")
	if r := rowOf(book["参训人员"], "学员甲"); r == nil || r[1] != records.MaskIDNumber(c.ids["学员甲"]) {
		t.Errorf("the course's export: %q", r)
	}
	log, err := c.Hub.Access().AuditLog(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range log {
		if e.Action == access.AuditExport && e.User == "处理员" && strings.HasPrefix(e.Detail, "/services/") {
			n++
		}
	}
	if n != 8 {
		t.Errorf("%d service exports in the audit log, want 8", n)
	}
	viewer := c.LoggedIn("查看员", access.RoleViewer)
	_, _, body := hubtest.Page(t, viewer, c.URL()+"/services/trainings")
	if !strings.Contains(body, "县级电工培训") || strings.Contains(body, "export-xlsx") {
		t.Error("a viewer: want the list, without the export link")
	}
	if !strings.Contains(body, `<a href="/services/trainings/`+c.countyCourse.String()+`">县级电工培训</a>`) {
		t.Error("a viewer: the county's course does not link to its page")
	}
	if st, _, body := hubtest.Page(t, viewer, c.URL()+"/services/trainings/"+c.countyCourse.String()); st != http.StatusOK ||
		!strings.Contains(body, "学员甲") || strings.Contains(body, c.ids["学员甲"]) {
		t.Errorf("a viewer on the course's page: %d", st)
	}
	for _, p := range []string{"/services/trainings.xlsx", "/services/postings.xlsx", "/services/trainings/" + c.countyCourse.String() + "/xlsx"} {
		if st, _, _ := hubtest.Page(t, viewer, c.URL()+p); st != http.StatusForbidden {
			t.Errorf("%s for a viewer: %d", p, st)
		}
	}
	if st, _, _ := hubtest.Page(t, http.DefaultClient, c.URL()+"/services"); st == http.StatusOK {
		t.Error("the services page without a login")
	}
}

// The county's own course, expert and job fair are made and edited on the
// pages' forms; a refusal names the field in Chinese and keeps what was
// typed; a station's course is not the county's to edit; a viewer is
// offered no form, and its post is forbidden.
func TestServiceForms(t *testing.T) {
	c := newServiceCounty(t)
	web := c.LoggedIn("处理员", access.RoleResolver)
	_, _, body := hubtest.Page(t, web, c.URL()+"/services/trainings")
	m := hubtest.CSRFPattern.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, `id="save-trainings"`) {
		t.Fatalf("no course form for a resolver:\n%s", body)
	}
	form := url.Values{"csrf": {m[1]}, "back": {"/services/trainings"}, "course": {"县级育婴员培训"}, "kind": {"新职业新业态"},
		"skill": {"育婴员"}, "start_on": {"2026-05-01"}, "end_on": {"2026-04-01"}, "subsidy": {"1200"}}
	resp, body := hubtest.Post(t, web, c.URL()+"/services/save/trainings", form)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "结束日期") || !strings.Contains(body, `value="育婴员"`) {
		t.Errorf("an end before the start: %s", resp.Status)
	}
	form.Set("end_on", "2026-05-20")
	form.Set("subsidy", "一千")
	if resp, body = hubtest.Post(t, web, c.URL()+"/services/save/trainings", form); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, "补贴标准（元/人）") {
		t.Errorf("a subsidy of 一千: %s", resp.Status)
	}
	form.Set("subsidy", "1200")
	resp, _ = hubtest.Post(t, web, c.URL()+"/services/save/trainings", form)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/services/trainings?") {
		t.Fatalf("new course: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
	var id, station, by string
	if err := c.Hub.Replica().DB().QueryRow(`SELECT lower(hex(id)), station, entered_by FROM trainings WHERE course = '县级育婴员培训'`).
		Scan(&id, &station, &by); err != nil {
		t.Fatal(err)
	}
	if station != records.County || by != "处理员" {
		t.Errorf("the new course: station %q, entered by %q", station, by)
	}
	_, _, body = hubtest.Page(t, web, c.URL()+"/services/trainings")
	if !strings.Contains(body, "edit="+id) || strings.Contains(body, "edit="+c.aCourse.String()) {
		t.Error("edit links: want the county's courses, not 站A's")
	}
	_, _, body = hubtest.Page(t, web, c.URL()+"/services/trainings?form=trainings&edit="+id)
	if !strings.Contains(body, `name="id" value="`+id+`"`) || !strings.Contains(body, `value="育婴员"`) {
		t.Fatal("the edit form is not filled")
	}
	form.Set("id", id)
	form.Set("provider", "旗职业学校")
	if resp, _ := hubtest.Post(t, web, c.URL()+"/services/save/trainings", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %s", resp.Status)
	}
	var provider string
	c.Hub.Replica().DB().QueryRow(`SELECT provider FROM trainings WHERE id = unhex(?)`, id).Scan(&provider)
	if provider != "旗职业学校" {
		t.Errorf("provider after the edit %q", provider)
	}
	form.Set("id", c.aCourse.String())
	if resp, body := hubtest.Post(t, web, c.URL()+"/services/save/trainings", form); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, "只有录入该记录的站点或县级可以修改") {
		t.Errorf("the county edits 站A's course: %s", resp.Status)
	}

	expert := url.Values{"csrf": {m[1]}, "back": {"/services/experts"}, "name": {"李律师"}, "expert_field": {"法律服务"}}
	if resp, _ := hubtest.Post(t, web, c.URL()+"/services/save/experts", expert); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("new expert: %s", resp.Status)
	}
	fair := url.Values{"csrf": {m[1]}, "back": {"/services/job-fairs"}, "title": {"大龄专场"}, "fair_kind": {"大龄专场"},
		"held_on": {c.first}, "place": {"旗政务大厅"}, "attendees": {"10"}, "agreements": {"12"}}
	if resp, body := hubtest.Post(t, web, c.URL()+"/services/save/job_fairs", fair); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, "达成意向人数不能多于入场求职人数") {
		t.Errorf("more agreements than attendees: %s", resp.Status)
	}
	if resp, _ := hubtest.Post(t, web, c.URL()+"/services/save/workshops", fair); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a programme table through the services' form: %s", resp.Status)
	}

	viewer := c.LoggedIn("查看员", access.RoleViewer)
	_, _, body = hubtest.Page(t, viewer, c.URL()+"/services/trainings")
	if strings.Contains(body, `id="save-trainings"`) || strings.Contains(body, "edit=") {
		t.Error("a viewer is offered the form or an edit")
	}
	m = hubtest.CSRFPattern.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token on the viewer's page")
	}
	form.Del("id")
	form.Set("csrf", m[1])
	form.Set("course", "查看员的课程")
	if resp, _ := hubtest.Post(t, viewer, c.URL()+"/services/save/trainings", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer saves a course: %s", resp.Status)
	}
	var n int
	c.Hub.Replica().DB().QueryRow(`SELECT count(*) FROM trainings WHERE course = '查看员的课程'`).Scan(&n)
	if n != 0 {
		t.Error("the viewer's course was written")
	}
}

func keys(m map[string][][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// sheetTitle is the sheet name an export gives a list's title.
func sheetTitle(title string) string {
	if rs := []rune(title); len(rs) > 28 {
		return string(rs[:28])
	}
	return title
}

var (
	tableRE = regexp.MustCompile(`(?s)<table id="([^"]+)"[^>]*>(.*?)</table>`)
	rowRE   = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	cellRE  = regexp.MustCompile(`(?s)<t[dh][^>]*>(.*?)</t[dh]>`)
	tagRE   = regexp.MustCompile(`<[^>]*>`)
)

// htmlTables reads a page's tables, by id: each row's cells as text (the
// header row first).
func htmlTables(t *testing.T, body string) map[string][][]string {
	t.Helper()
	out := map[string][][]string{}
	for _, m := range tableRE.FindAllStringSubmatch(body, -1) {
		var rows [][]string
		for _, r := range rowRE.FindAllStringSubmatch(m[2], -1) {
			var cells []string
			for _, c := range cellRE.FindAllStringSubmatch(r[1], -1) {
				cells = append(cells, strings.TrimSpace(html.UnescapeString(tagRE.ReplaceAllString(c[1], ""))))
			}
			rows = append(rows, cells)
		}
		out[m[1]] = rows
	}
	return out
}

// Every kind of conflict, the certificate rule's among them, is named in
// the queue's filter in Chinese and in English, never by its key.
func TestConflictKindsNamed(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	web := h.LoggedIn("处理员", access.RoleResolver)
	if !slices.Contains(hub.ConflictKinds, hub.KindCertificateDuplicate) {
		t.Fatal("the certificate rule's kind is not offered")
	}
	for _, lang := range []string{"zh", "en"} {
		_, _, body := hubtest.Page(t, web, h.URL()+"/conflicts?lang="+lang)
		for _, k := range hub.ConflictKinds {
			if !strings.Contains(body, `<option value="`+k+`"`) || strings.Contains(body, ">k_"+k+"<") {
				t.Errorf("%s: kind %s is not named", lang, k)
			}
		}
		want := map[string]string{"zh": "证书编号重复", "en": "Certificate number used twice"}[lang]
		if !strings.Contains(body, want) {
			t.Errorf("%s: no %q", lang, want)
		}
	}
}
