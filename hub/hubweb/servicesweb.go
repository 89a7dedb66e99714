package hubweb

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"fieldsync/glossary"
	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/report"
	"fieldsync/webkit"
)

// The county's services to people (就业服务): an overview and one page per
// county-wide list (courses and a course's people, the expert roster,
// start-ups with their support, the returnees of a month, job fairs with
// their postings, and the postings themselves, regular jobs and gigs), in
// the shape of the programme pages: each list is a table the page draws
// and its .xlsx export writes, the same rows. The county's own courses,
// experts and job fairs are made and edited on the pages' forms
// (access.PermProgrammes, hub.SaveCountyProgramme); the exports need
// access.PermExport and are in the audit log. Labour-rights cases are not
// here: only those allowed to read them see them.

// serviceText holds the service pages' texts: Chinese, English.
var serviceText = webkit.Catalogue{
	"nav_services":            {"就业服务", "Services"},
	"sv_title":                {"就业服务", "Services to people"},
	"sv_trainings":            {"职业技能培训", "Training"},
	"sv_courses":              {"培训课程", "Courses"},
	"sv_course":               {"培训课程", "Course"},
	"sv_enrolments":           {"参训人员", "People enrolled"},
	"sv_experts":              {"创业服务专家", "Start-up experts"},
	"sv_startups":             {"返乡入乡创业", "Start-ups"},
	"sv_support":              {"创业扶持", "Start-up support"},
	"sv_returns":              {"返乡人员", "Returnees"},
	"sv_intentions":           {"返乡后意向", "Intentions"},
	"sv_job_fairs":            {"招聘活动", "Recruitment events"},
	"sv_postings":             {"岗位信息", "Postings"},
	"sv_kind_filter":          {"岗位类型", "Kind"},
	"sv_all_kinds":            {"全部", "All"},
	"sv_older_filter":         {"只看适合大龄", "Only those suiting older workers"},
	"sv_bad_kind":             {"岗位类型：应为零工或全职", "Kind: must be 零工 or 全职"},
	"sv_no_course":            {"找不到该培训课程", "No such course"},
	"sv_enrolled":             {"参训人数", "Enrolled"},
	"sv_completed":            {"结业人数", "Completed"},
	"sv_certificates":         {"取得证书", "Certificates"},
	"sv_course_kind":          {"培训类型", "Kind of course"},
	"sv_training_place":       {"培训地点", "Place"},
	"sv_subsidy":              {"补贴标准（元/人）", "Subsidy (yuan a person)"},
	"sv_term":                 {"培训时间", "Dates"},
	"sv_certificate":          {"证书", "Certificate"},
	"sv_expert_name":          {"专家姓名", "Expert"},
	"sv_phone_masked":         {"联系电话（脱敏）", "Phone (masked)"},
	"sv_guidance":             {"指导次数", "Guidance given"},
	"sv_loans":                {"创业担保贷款（元）", "Guaranteed loans (yuan)"},
	"sv_subsidies":            {"一次性创业补贴（元）", "Start-up subsidies (yuan)"},
	"sv_support_n":            {"扶持次数", "Support given"},
	"sv_startup":              {"创业项目", "Start-up"},
	"sv_expert":               {"专家", "Expert"},
	"sv_fair_title":           {"招聘会名称", "Event"},
	"sv_fair_place":           {"举办地点", "Place"},
	"sv_fair_dates":           {"举办时间", "Dates"},
	"sv_posted":               {"系统内发布岗位", "Postings in the system"},
	"sv_headcount":            {"招聘人数", "Headcount"},
	"sv_filled":               {"已安置", "Filled"},
	"sv_posting_title":        {"岗位名称", "Posting"},
	"sv_kind":                 {"类型", "Kind"},
	"sv_pay":                  {"薪酬", "Pay"},
	"sv_suits_older":          {"适合大龄", "Suits older workers"},
	"sv_job_fair":             {"发布招聘会", "Published at"},
	"sv_status":               {"状态", "Status"},
	"sv_jobs":                 {"全职岗位", "Regular jobs"},
	"sv_gigs":                 {"零工岗位", "Gigs"},
	"sv_returns_month":        {"本月返乡人员", "Returnees this month"},
	"sv_return_away":          {"其中有意再次外出", "Of them meaning to go out again"},
	"sv_agreements":           {"招聘会达成意向人数", "Agreements at events"},
	"sv_count":                {"人数", "People"},
	"sv_returns_note":         {"所选月份内返乡的人员。意向为“再次外出”的人员计入有意愿外出人员清单。", "People who came back in the month chosen. Those meaning to go out again count in the list of people willing to work away."},
	"sv_postings_note":        {"全职岗位按月计薪、按月结算；零工按天、时或件计薪。已安置为县级汇总的安置人数。", "Regular jobs are paid and settled by the month; gigs by the day, hour or piece. Filled is the county's count of placements."},
	"k_certificate_duplicate": {"证书编号重复", "Certificate number used twice"},
}

// servicePage is one page of the services.
type servicePage struct {
	path, title string // title: a text key
	month       bool   // the page is of a month (?month=)
	kind        bool   // the page takes ?kind= and ?older=
	course      bool   // the page is a course's (/services/trainings/{id})
	forms       []string
	lists       func(h *server, ctx context.Context, lang string, f hub.ServiceFilter) ([]listTable, string, error)
}

// servicePages are the pages, in the order of their tabs (the course's
// page last, without a tab).
var servicePages = []*servicePage{
	{path: "/services", title: "sv_title", month: true, lists: serviceOverview},
	{path: "/services/trainings", title: "sv_trainings", forms: []string{records.Trainings}, lists: trainingLists},
	{path: "/services/experts", title: "sv_experts", forms: []string{records.Experts}, lists: expertLists},
	{path: "/services/startups", title: "sv_startups", lists: startupLists},
	{path: "/services/returns", title: "sv_returns", month: true, lists: returnLists},
	{path: "/services/job-fairs", title: "sv_job_fairs", forms: []string{records.JobFairs}, lists: jobFairLists},
	{path: "/services/postings", title: "sv_postings", kind: true, lists: postingLists},
}

// coursePage is a course's page: the course and its people.
var coursePage = &servicePage{path: "/services/trainings/{id}", title: "sv_course", course: true, lists: courseLists}

// serviceForms are the fields of the county's service forms.
var serviceForms = map[string][]formField{
	records.Trainings: {
		{Name: "course", Kind: "text", Required: true},
		{Name: "kind", Kind: "select", Label: "sv_course_kind", Options: records.TrainingKinds, Required: true},
		{Name: "skill", Kind: "text"}, {Name: "provider", Kind: "text"},
		{Name: "start_on", Kind: "date", Required: true}, {Name: "end_on", Kind: "date"},
		{Name: "place", Kind: "text", Label: "sv_training_place"},
		{Name: "subsidy", Kind: "number", Label: "sv_subsidy"}, {Name: "notes", Kind: "text"},
	},
	records.Experts: {
		{Name: "name", Kind: "text", Label: "sv_expert_name", Required: true},
		{Name: "expert_field", Kind: "select", Options: records.ExpertFields, Required: true},
		{Name: "organisation", Kind: "text"}, {Name: "phone", Kind: "text"}, {Name: "notes", Kind: "text"},
	},
	records.JobFairs: {
		{Name: "title", Kind: "text", Label: "sv_fair_title", Required: true},
		{Name: "fair_kind", Kind: "select", Options: records.JobFairKinds, Required: true},
		{Name: "held_on", Kind: "date", Required: true}, {Name: "end_on", Kind: "date"},
		{Name: "place", Kind: "text", Label: "sv_fair_place", Required: true}, {Name: "organiser", Kind: "text"},
		{Name: "employers", Kind: "int"}, {Name: "postings", Kind: "int"}, {Name: "attendees", Kind: "int"},
		{Name: "agreements", Kind: "int"}, {Name: "notes", Kind: "text"},
	},
}

// serviceFormTitle is the text key of each form's heading.
var serviceFormTitle = map[string]string{records.Trainings: "sv_courses", records.Experts: "sv_experts",
	records.JobFairs: "sv_job_fairs"}

// newServiceRecord is an empty record of a county-wide service table.
func newServiceRecord(table string) hub.CountyRecord {
	switch table {
	case records.Trainings:
		return &records.Training{}
	case records.Experts:
		return &records.Expert{}
	case records.JobFairs:
		return &records.JobFair{}
	}
	return nil
}

// serviceView is a service page's data.
type serviceView struct {
	Path      string
	Tabs      []programmeTab
	ShowMonth bool
	Month     string
	Months    []monthOption
	ShowKind  bool
	Kind      string
	Kinds     []formOption
	Older     bool
	Note      string
	Tables    []listTable
	XLSX      string
	Forms     []*programmeForm
	Counts    [][2]string
}

// routesServices adds the service pages, their exports and the county's
// forms, for web sessions.
func (h *server) routesServices(mux *http.ServeMux) {
	for _, p := range append(servicePages, coursePage) {
		mux.Handle("GET "+p.path, h.pageFor(access.PermView, func(w http.ResponseWriter, r *http.Request) {
			h.serveServicePage(w, r, p, nil, http.StatusOK)
		}))
		if p.path == "/services" {
			continue
		}
		xlsx := p.path + ".xlsx"
		if p.course {
			xlsx = p.path + "/xlsx"
		}
		mux.Handle("GET "+xlsx, h.pageFor(access.PermExport, func(w http.ResponseWriter, r *http.Request) {
			h.serveServiceXLSX(w, r, p)
		}))
	}
	mux.Handle("POST /services/save/{table}", h.pageFor(access.PermProgrammes, h.postCountyService))
}

var servicesTmpl = mustTemplate("services", webFuncs, true)

// serviceFilter reads a page's month, kind and course; on a bad one it
// returns the message's key.
func (h *server) serviceFilter(r *http.Request, p *servicePage) (hub.ServiceFilter, string) {
	q := r.URL.Query()
	f := hub.ServiceFilter{Month: h.monthParam(r)}
	if p.month && !records.ValidMonth(f.Month) {
		return f, "pg_bad_month"
	}
	if p.kind {
		f.Kind, f.Older = q.Get("kind"), q.Get("older") == "1"
		if f.Kind != "" && f.Kind != records.GigKindCasual && f.Kind != records.GigKindJob {
			return f, "sv_bad_kind"
		}
	}
	if p.course {
		id, err := ident.ParseID(r.PathValue("id"))
		if err != nil {
			return f, "sv_no_course"
		}
		f.Course = id.String()
	}
	return f, ""
}

// query is the page's filter as a query string ("" or "?…").
func (p *servicePage) query(f hub.ServiceFilter) string {
	q := url.Values{}
	if p.month {
		q.Set("month", f.Month)
	}
	if p.kind {
		if f.Kind != "" {
			q.Set("kind", f.Kind)
		}
		if f.Older {
			q.Set("older", "1")
		}
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// pathOf is the page's path for a filter (a course's page with its id).
func (p *servicePage) pathOf(f hub.ServiceFilter) string {
	if p.course {
		return "/services/trainings/" + f.Course
	}
	return p.path
}

// serveServicePage draws a service page; failed is a form refused, drawn
// again with its error and values.
func (h *server) serveServicePage(w http.ResponseWriter, r *http.Request, p *servicePage, failed *programmeForm, status int) {
	lang := pageLang(r)
	pg := h.newPage(r, lang, p.title)
	pg.Nav = "services"
	f, bad := h.serviceFilter(r, p)
	v := &serviceView{Path: p.pathOf(f), Month: f.Month, ShowMonth: p.month, ShowKind: p.kind, Kind: f.Kind, Older: f.Older}
	for _, o := range servicePages {
		v.Tabs = append(v.Tabs, programmeTab{Href: o.path, Text: tw(lang, o.title), Current: o == p})
	}
	pg.Data = v
	if bad != "" {
		pg.Error = tw(lang, bad)
		h.render(w, r, servicesTmpl, http.StatusBadRequest, pg)
		return
	}
	if p.month {
		v.Months = monthOptions(h.thisMonth(), f.Month)
	}
	if p.kind {
		v.Kinds = []formOption{{Value: "", Text: tw(lang, "sv_all_kinds"), Selected: f.Kind == ""}}
		for _, k := range records.GigKinds {
			v.Kinds = append(v.Kinds, formOption{Value: k, Text: glossary.Display(k), Selected: f.Kind == k})
		}
	}
	tables, note, err := p.lists(h, r.Context(), lang, f)
	if err != nil {
		h.programmeFailed(w, r, lang, err)
		return
	}
	if p.course && (len(tables) == 0 || len(tables[0].Rows) == 0) {
		pg.Error = tw(lang, "sv_no_course")
		h.render(w, r, servicesTmpl, http.StatusNotFound, pg)
		return
	}
	v.Tables, v.Note = tables, note
	if p.path == "/services" && len(tables) > 0 {
		for _, row := range tables[0].Rows {
			v.Counts = append(v.Counts, [2]string{row[0].Text, row[1].Text})
		}
	}
	a, _ := access.AdminFrom(r.Context())
	if p.path != "/services" && a.Role.Can(access.PermExport) {
		if p.course {
			v.XLSX = v.Path + "/xlsx"
		} else {
			v.XLSX = p.path + ".xlsx" + p.query(f)
		}
	}
	if a.Role.Can(access.PermProgrammes) {
		for _, table := range p.forms {
			form := h.newServiceForm(r, lang, table, p.path+p.query(f))
			if failed != nil && failed.Table == table {
				form = failed
				pg.Error = failed.Error
			}
			v.Forms = append(v.Forms, form)
		}
		markEditable(v.Tables, p.path+p.query(f), lang)
	}
	h.render(w, r, servicesTmpl, status, pg)
}

// The lists of each page.

func serviceOverview(h *server, ctx context.Context, lang string, f hub.ServiceFilter) ([]listTable, string, error) {
	c, err := h.CountServices(ctx, f)
	if err != nil {
		return nil, "", err
	}
	n := strconv.Itoa
	t := listTable{ID: "counts", Title: tw(lang, "sv_title"), Head: []string{tw(lang, "pg_col_programme"), tw(lang, "pg_col_count")}}
	for _, r := range []struct {
		key, href, v string
	}{
		{"sv_courses", "/services/trainings", n(c.Courses)},
		{"sv_enrolled", "/services/trainings", n(c.Enrolled)},
		{"sv_completed", "/services/trainings", n(c.Completed)},
		{"sv_certificates", "/services/trainings", n(c.Certificates)},
		{"sv_experts", "/services/experts", n(c.Experts)},
		{"sv_startups", "/services/startups", n(c.Startups)},
		{"jobs_created", "/services/startups", n(c.JobsCreated)},
		{"sv_loans", "/services/startups", money(c.Loans)},
		{"sv_subsidies", "/services/startups", money(c.Subsidies)},
		{"sv_guidance", "/services/startups", n(c.Guidance)},
		{"sv_returns_month", "/services/returns?month=" + f.Month, n(c.Returns)},
		{"sv_return_away", "/services/returns?month=" + f.Month, n(c.ReturnAway)},
		{"sv_job_fairs", "/services/job-fairs", n(c.JobFairs)},
		{"sv_agreements", "/services/job-fairs", n(c.Agreements)},
		{"sv_jobs", "/services/postings?kind=" + url.QueryEscape(records.GigKindJob), n(c.Jobs)},
		{"sv_gigs", "/services/postings?kind=" + url.QueryEscape(records.GigKindCasual), n(c.Gigs)},
		{"sv_suits_older", "/services/postings?older=1", n(c.SuitsOlder)},
	} {
		text := tw(lang, r.key)
		if r.key == "jobs_created" {
			text = records.FieldLabel(lang, r.key)
		}
		t.Rows = append(t.Rows, []listCell{{Text: text, Href: r.href}, {Text: r.v, Class: "n"}})
	}
	return []listTable{t}, "", nil
}

func optMoney(v *float64) string {
	if v == nil {
		return ""
	}
	return money(*v)
}

// courseTable lists courses, each linked to its page.
func courseTable(lang string, rows []hub.TrainingRow) listTable {
	t := listTable{ID: "courses", Title: tw(lang, "sv_courses"), Head: []string{records.FieldLabel(lang, "course"),
		tw(lang, "sv_course_kind"), records.FieldLabel(lang, "skill"), records.FieldLabel(lang, "provider"), tw(lang, "sv_term"),
		tw(lang, "sv_training_place"), tw(lang, "sv_subsidy"), tw(lang, "sv_enrolled"), tw(lang, "sv_completed"),
		tw(lang, "sv_certificates"), tw(lang, "pg_station")}}
	for _, c := range rows {
		t.Rows = append(t.Rows, []listCell{{Text: c.Course, Class: countyMark(records.Trainings, c.ID, c.Station)},
			{Text: c.Kind}, {Text: c.Skill}, {Text: c.Provider},
			{Text: term(c.StartOn, c.EndOn)}, {Text: c.Place}, {Text: optMoney(c.Subsidy), Class: "n"},
			{Text: strconv.Itoa(c.Enrolled), Class: "n", Href: "/services/trainings/" + c.ID}, {Text: strconv.Itoa(c.Completed), Class: "n"},
			{Text: strconv.Itoa(c.Certificates), Class: "n"}, stationCell(lang, c.Station)})
	}
	return t
}

func trainingLists(h *server, ctx context.Context, lang string, f hub.ServiceFilter) ([]listTable, string, error) {
	rows, err := h.TrainingList(ctx, f)
	if err != nil {
		return nil, "", err
	}
	t := courseTable(lang, rows)
	// A course's name and its count of people link to its page; the
	// county's own name, for an administrator who may edit, to its form
	// instead (markEditable).
	for i, c := range rows {
		t.Rows[i][0].Href = "/services/trainings/" + c.ID
	}
	return []listTable{t}, "", nil
}

func courseLists(h *server, ctx context.Context, lang string, f hub.ServiceFilter) ([]listTable, string, error) {
	rows, err := h.TrainingList(ctx, f)
	if err != nil || len(rows) == 0 {
		return nil, "", err
	}
	course := courseTable(lang, rows)
	course.Rows[0][0].Class = "" // edited on the courses' page
	course.Rows[0][7].Href = ""
	people, err := h.EnrolmentList(ctx, f)
	if err != nil {
		return nil, "", err
	}
	t := listTable{ID: "enrolments", Title: tw(lang, "sv_enrolments"), Head: append(personHead(lang), tw(lang, "pg_station"),
		records.FieldLabel(lang, "completed"), records.FieldLabel(lang, "completed_on"), records.FieldLabel(lang, "certificate_kind"),
		records.FieldLabel(lang, "certificate_no"), records.FieldLabel(lang, "certificate_level"),
		records.FieldLabel(lang, "subsidy_paid"))}
	for _, e := range people {
		t.Rows = append(t.Rows, append(personCells(e.ProgrammePerson), stationCell(lang, e.Station),
			listCell{Text: yesNo(lang, e.Completed)}, listCell{Text: e.CompletedOn}, listCell{Text: e.CertificateKind},
			listCell{Text: e.CertificateNo, Class: "mono"}, listCell{Text: e.CertificateLevel},
			listCell{Text: optMoney(e.SubsidyPaid), Class: "n"}))
	}
	return []listTable{course, t}, "", nil
}

func expertLists(h *server, ctx context.Context, lang string, _ hub.ServiceFilter) ([]listTable, string, error) {
	rows, err := h.ExpertList(ctx)
	if err != nil {
		return nil, "", err
	}
	t := listTable{ID: "experts", Title: tw(lang, "sv_experts"), Head: []string{tw(lang, "sv_expert_name"),
		records.FieldLabel(lang, "expert_field"), records.FieldLabel(lang, "organisation"), tw(lang, "sv_phone_masked"),
		tw(lang, "sv_guidance"), tw(lang, "pg_station")}}
	for _, x := range rows {
		t.Rows = append(t.Rows, []listCell{{Text: x.Name, Class: countyMark(records.Experts, x.ID, x.Station)},
			{Text: x.Field}, {Text: x.Organisation}, {Text: x.Phone, Class: "mono"}, {Text: strconv.Itoa(x.Guidance), Class: "n"},
			stationCell(lang, x.Station)})
	}
	return []listTable{t}, "", nil
}

func startupLists(h *server, ctx context.Context, lang string, _ hub.ServiceFilter) ([]listTable, string, error) {
	rows, err := h.StartupList(ctx)
	if err != nil {
		return nil, "", err
	}
	t := listTable{ID: "startups", Title: tw(lang, "sv_startups"), Head: append(personHead(lang), tw(lang, "pg_station"),
		records.FieldLabel(lang, "business"), records.FieldLabel(lang, "sector"), records.FieldLabel(lang, "started_on"),
		records.FieldLabel(lang, "place"), records.FieldLabel(lang, "jobs_created"), records.FieldLabel(lang, "incubator"),
		tw(lang, "sv_loans"), tw(lang, "sv_subsidies"), tw(lang, "sv_support_n"))}
	for _, s := range rows {
		t.Rows = append(t.Rows, append(personCells(s.ProgrammePerson), stationCell(lang, s.Station), listCell{Text: s.Business},
			listCell{Text: s.Sector}, listCell{Text: s.StartedOn}, placeCell(s.Place),
			listCell{Text: strconv.Itoa(s.JobsCreated), Class: "n"}, listCell{Text: s.Incubator},
			listCell{Text: money(s.Loans), Class: "n"}, listCell{Text: money(s.Subsidies), Class: "n"},
			listCell{Text: strconv.Itoa(s.Support), Class: "n"}))
	}
	support, err := h.SupportList(ctx)
	if err != nil {
		return nil, "", err
	}
	st := listTable{ID: "support", Title: tw(lang, "sv_support"), Head: append(personHead(lang), tw(lang, "pg_station"),
		tw(lang, "sv_startup"), records.FieldLabel(lang, "support_kind"), records.FieldLabel(lang, "amount"),
		records.FieldLabel(lang, "lender"), tw(lang, "pg_term"), tw(lang, "sv_expert"), records.FieldLabel(lang, "advice"))}
	for _, s := range support {
		st.Rows = append(st.Rows, append(personCells(s.ProgrammePerson), stationCell(lang, s.Station), listCell{Text: s.Business},
			listCell{Text: s.Kind}, listCell{Text: optMoney(s.Amount), Class: "n"}, listCell{Text: s.Lender},
			listCell{Text: term(s.StartOn, s.EndOn)}, listCell{Text: s.Expert}, listCell{Text: s.Advice}))
	}
	return []listTable{t, st}, "", nil
}

func returnLists(h *server, ctx context.Context, lang string, f hub.ServiceFilter) ([]listTable, string, error) {
	rows, err := h.ReturnList(ctx, f)
	if err != nil {
		return nil, "", err
	}
	t := listTable{ID: "returns", Title: report.MonthTitle(f.Month) + tw(lang, "sv_returns"), Head: append(personHead(lang),
		tw(lang, "pg_station"), records.FieldLabel(lang, "returned_on"), records.FieldLabel(lang, "from_place"),
		records.FieldLabel(lang, "return_reason"), records.FieldLabel(lang, "intention"))}
	by := map[string]int{}
	for _, x := range rows {
		by[x.Intention]++
		t.Rows = append(t.Rows, append(personCells(x.ProgrammePerson), stationCell(lang, x.Station), listCell{Text: x.ReturnedOn},
			listCell{Text: x.FromPlace}, listCell{Text: x.Reason}, listCell{Text: x.Intention}))
	}
	it := listTable{ID: "intentions", Title: tw(lang, "sv_intentions"), Head: []string{records.FieldLabel(lang, "intention"),
		tw(lang, "sv_count")}}
	for _, k := range records.ReturnIntentions {
		it.Rows = append(it.Rows, []listCell{{Text: k}, {Text: strconv.Itoa(by[k]), Class: "n"}})
	}
	return []listTable{t, it}, tw(lang, "sv_returns_note"), nil
}

func jobFairLists(h *server, ctx context.Context, lang string, _ hub.ServiceFilter) ([]listTable, string, error) {
	rows, err := h.JobFairList(ctx)
	if err != nil {
		return nil, "", err
	}
	t := listTable{ID: "fairs", Title: tw(lang, "sv_job_fairs"), Head: []string{tw(lang, "sv_fair_title"),
		records.FieldLabel(lang, "fair_kind"), tw(lang, "sv_fair_dates"), tw(lang, "sv_fair_place"),
		records.FieldLabel(lang, "organiser"), records.FieldLabel(lang, "employers"), records.FieldLabel(lang, "postings"),
		records.FieldLabel(lang, "attendees"), records.FieldLabel(lang, "agreements"), tw(lang, "sv_posted"),
		tw(lang, "sv_headcount"), tw(lang, "sv_filled"), tw(lang, "pg_station")}}
	for _, f := range rows {
		t.Rows = append(t.Rows, []listCell{{Text: f.Title, Class: countyMark(records.JobFairs, f.ID, f.Station)},
			{Text: f.Kind}, {Text: term(f.HeldOn, f.EndOn)}, {Text: f.Place}, {Text: f.Organiser},
			{Text: strconv.Itoa(f.Employers), Class: "n"}, {Text: strconv.Itoa(f.Postings), Class: "n"},
			{Text: strconv.Itoa(f.Attendees), Class: "n"}, {Text: strconv.Itoa(f.Agreements), Class: "n"},
			{Text: strconv.Itoa(f.Posted), Class: "n"}, {Text: strconv.Itoa(f.Headcount), Class: "n"},
			{Text: strconv.Itoa(f.Filled), Class: "n"}, stationCell(lang, f.Station)})
	}
	return []listTable{t}, "", nil
}

func postingLists(h *server, ctx context.Context, lang string, f hub.ServiceFilter) ([]listTable, string, error) {
	rows, err := h.PostingList(ctx, f)
	if err != nil {
		return nil, "", err
	}
	t := listTable{ID: "postings", Title: tw(lang, "sv_postings"), Head: []string{tw(lang, "sv_posting_title"),
		tw(lang, "sv_kind"), records.FieldLabel(lang, "occupation"), records.FieldLabel(lang, "employer"),
		records.FieldLabel(lang, "place"), tw(lang, "sv_pay"), records.FieldLabel(lang, "settlement"),
		tw(lang, "sv_suits_older"), tw(lang, "sv_job_fair"), tw(lang, "sv_status"), tw(lang, "sv_headcount"),
		tw(lang, "sv_filled"), tw(lang, "pg_station")}}
	for _, g := range rows {
		older := ""
		if g.SuitsOlder {
			older = tw(lang, "pg_yes")
		}
		t.Rows = append(t.Rows, []listCell{{Text: g.Title}, {Text: g.Kind}, {Text: g.Occupation}, {Text: g.Employer},
			placeCell(g.Place), {Text: money(g.Wage) + " " + g.WageUnit}, {Text: g.Settlement}, {Text: older},
			{Text: g.JobFair}, {Text: glossary.Display(g.Status)}, {Text: strconv.Itoa(g.Headcount), Class: "n"},
			{Text: strconv.Itoa(g.Filled), Class: "n"}, stationCell(lang, g.Station)})
	}
	return []listTable{t}, tw(lang, "sv_postings_note"), nil
}

// serveServiceXLSX exports a page's lists as an .xlsx workbook, one sheet
// a list, the rows the page shows, every cell as text; it is recorded in
// the audit log.
func (h *server) serveServiceXLSX(w http.ResponseWriter, r *http.Request, p *servicePage) {
	lang := pageLang(r)
	f, bad := h.serviceFilter(r, p)
	if bad != "" {
		http.Error(w, tw(lang, bad), http.StatusBadRequest)
		return
	}
	tables, _, err := p.lists(h, r.Context(), lang, f)
	if err != nil {
		h.programmeFailed(w, r, lang, err)
		return
	}
	if p.course && len(tables) == 0 {
		http.Error(w, tw(lang, "sv_no_course"), http.StatusNotFound)
		return
	}
	x := excelize.NewFile()
	defer x.Close()
	rows := 0
	for i, t := range tables {
		sheet := sheetName(t.Title, i)
		if i == 0 {
			err = x.SetSheetName("Sheet1", sheet)
		} else {
			_, err = x.NewSheet(sheet)
		}
		if err == nil {
			err = writeSheet(x, sheet, t)
		}
		if err != nil {
			h.programmeFailed(w, r, lang, err)
			return
		}
		rows += len(t.Rows)
	}
	a := adminActor(r)
	h.acc.Record(r.Context(), access.AuditEntry{User: a.User, Action: access.AuditExport, Remote: a.Remote,
		Detail: fmt.Sprintf("%s month=%s kind=%s older=%t rows=%d .xlsx", p.pathOf(f), f.Month, f.Kind, f.Older, rows)})
	title := tw("zh", p.title)
	fallback := "services" + strings.ReplaceAll(strings.TrimPrefix(p.path, "/services"), "/", "-")
	switch {
	case p.month:
		title = report.MonthTitle(f.Month) + title
		fallback += "-" + f.Month
	case p.course:
		title = tables[0].Rows[0][0].Text + title
		fallback = "services-training-" + f.Course
	case f.Kind != "":
		title = f.Kind + title
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", webkit.Attachment(fallback+".xlsx", title+".xlsx"))
	if _, err := x.WriteTo(w); err != nil {
		h.log.ErrorContext(r.Context(), "service export", "path", p.path, "err", err)
	}
}

// The county's forms.

// newServiceForm is table's form: empty, or the county's row the request
// asks to edit (?form=TABLE&edit=ID).
func (h *server) newServiceForm(r *http.Request, lang, table, back string) *programmeForm {
	values := map[string]string{}
	id := ""
	q := r.URL.Query()
	if q.Get("form") == table && q.Get("edit") != "" {
		var cols []string
		for _, f := range serviceForms[table] {
			cols = append(cols, f.Name)
		}
		row, ok, err := h.CountyProgrammeRow(r.Context(), table, q.Get("edit"), cols)
		if err != nil {
			h.log.WarnContext(r.Context(), "county service form", "table", table, "err", err)
		}
		if ok {
			id = q.Get("edit")
			for c, v := range row {
				values[c] = formValue(v)
			}
		}
	}
	return buildServiceForm(lang, table, id, back, values)
}

// buildServiceForm draws table's form with values.
func buildServiceForm(lang, table, id, back string, values map[string]string) *programmeForm {
	f := &programmeForm{Table: table, Title: tw(lang, serviceFormTitle[table]), ID: id, Back: back}
	for _, fd := range serviceForms[table] {
		in := formInput{Name: fd.Name, Kind: fd.Kind, Label: fieldLabel(lang, fd), Value: values[fd.Name], Hint: fd.Hint,
			Required: fd.Required}
		if fd.Kind == "select" {
			opts, texts := append([]string{""}, fd.Options...), append([]string{"—"}, glossary.DisplayAll(fd.Options)...)
			for i, o := range opts {
				in.Options = append(in.Options, formOption{Value: o, Text: texts[i], Selected: o == in.Value})
			}
		}
		f.Fields = append(f.Fields, in)
	}
	return f
}

// postCountyService saves a county service form: POST
// /services/save/{table} (see saveCountyForm).
func (h *server) postCountyService(w http.ResponseWriter, r *http.Request) {
	table := r.PathValue("table")
	var page *servicePage
	for _, p := range servicePages {
		if slices.Contains(p.forms, table) {
			page = p
		}
	}
	if page == nil {
		http.NotFound(w, r)
		return
	}
	h.saveCountyForm(w, r, countyFormSite{path: page.path, fields: serviceForms[table],
		newRec: func() hub.CountyRecord { return newServiceRecord(table) },
		build: func(lang, id, back string, values map[string]string) *programmeForm {
			return buildServiceForm(lang, table, id, back, values)
		},
		serve: func(w http.ResponseWriter, r *http.Request, failed *programmeForm) {
			h.serveServicePage(w, r, page, failed, http.StatusBadRequest)
		}})
}
