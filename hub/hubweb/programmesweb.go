package hubweb

import (
	"context"
	"encoding/json"
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

// The county's placement programmes (帮扶项目): an overview and one page per
// county-wide list (welfare posts and placements, contracts ending in a
// month, the 应退出 list, workshops against the recognition threshold,
// shared employment, work-relief projects, export batches). Each list is a
// table the page draws and its .xlsx export writes, the same rows: what an
// administrator sees is what the file holds. The county's own posts,
// workshops, projects, partner regions and batches are made and edited on
// the pages' forms (access.PermProgrammes); the exports need
// access.PermExport and are in the audit log, as the people export.

// programmeText holds the programme pages' texts: Chinese, English.
var programmeText = webkit.Catalogue{
	"nav_programmes":      {"帮扶项目", "Programmes"},
	"pg_title":            {"帮扶项目", "Placement programmes"},
	"pg_welfare":          {"乡村公益性岗位", "Village public-welfare posts"},
	"pg_ending":           {"合同到期", "Contracts ending"},
	"pg_exits":            {"应退出名单", "Due to leave"},
	"pg_workshops":        {"就业帮扶车间", "Assistance workshops"},
	"pg_shared":           {"共享用工", "Shared employment"},
	"pg_relief":           {"以工代赈", "Work relief"},
	"pg_export":           {"有组织劳务输出", "Organised labour export"},
	"pg_month":            {"月份", "Month"},
	"pg_township":         {"苏木乡镇", "Township"},
	"pg_county":           {"全旗县", "Whole county"},
	"pg_show":             {"查看", "Show"},
	"pg_export_xlsx":      {"导出（Excel）", "Export (Excel)"},
	"pg_masked":           {"身份证号已脱敏", "ID numbers are masked"},
	"pg_none":             {"没有记录", "None"},
	"pg_new":              {"新增（县级）", "Add (county)"},
	"pg_edit":             {"修改", "Edit"},
	"pg_save":             {"保存", "Save"},
	"pg_county_row":       {"县级", "County"},
	"pg_bad_month":        {"月份：格式应为 YYYY-MM，例如 2026-11", "Month: must be YYYY-MM, e.g. 2026-11"},
	"pg_bad_township":     {"苏木乡镇：应为 9 位区划代码，例如 150421100", "Township: must be a 9-digit division code, e.g. 150421100"},
	"pg_no_row":           {"找不到该县级记录（只能修改县级录入的记录）", "No such county record (the county edits only its own)"},
	"pg_exit_note":        {"非全日制乡村公益性岗位人员，当月其他收入超过监测收入线 %s 元/月的，应退出岗位。其他收入取当月考核记录的其他收入；未记录的，取当月状态中的月收入（就业形式为乡村公益性岗位的是岗位本身的报酬，不计）。不因年龄或残疾人身份另设限制。", "Part-time welfare workers whose other income in the month exceeds the monitoring line of %s yuan a month must leave the post. The other income is the month's assessment's; where none is recorded, the month's status income in a form other than the welfare post. No age or disability limit applies."},
	"pg_workshop_note":    {"认定标准：吸纳脱贫人口 %d 人及以上（按今日在岗人数计）。", "Recognition: %d or more people lifted out of poverty employed (counted today)."},
	"pg_ending_note":      {"合同结束日期在所选月份内的岗位安置（当月之前已退出的除外）。", "Placements whose contract ends in the month chosen (but those who left before it)."},
	"pg_shared_note":      {"所选月份内任一天在共享期内的协议。", "Agreements in force on some day of the month chosen."},
	"pg_relief_note":      {"以工代赈项目吸纳的人数与发放的劳务报酬合计。", "People hired and pay (劳务报酬) given by each work-relief project."},
	"pg_col_programme":    {"项目", "Programme"},
	"pg_col_count":        {"数量", "Count"},
	"pg_posts":            {"岗位", "Posts"},
	"pg_placements":       {"岗位安置", "Placements"},
	"pg_regions":          {"协作地区", "Partner regions"},
	"pg_batches":          {"输出批次", "Export batches"},
	"pg_projects":         {"以工代赈项目", "Work-relief projects"},
	"pg_meets":            {"达标", "Meets"},
	"pg_below":            {"未达标", "Below"},
	"pg_yes":              {"是", "yes"},
	"pg_no":               {"否", "no"},
	"pg_name_post":        {"岗位名称", "Post"},
	"pg_name_workshop":    {"车间名称", "Workshop"},
	"pg_name_project":     {"项目名称", "Project"},
	"pg_name_region":      {"地区名称", "Region"},
	"pg_headcount":        {"岗位人数", "Headcount"},
	"pg_placed_now":       {"在岗人数", "Placed now"},
	"pg_person":           {"姓名", "Name"},
	"pg_id_number":        {"公民身份号码（脱敏）", "ID number (masked)"},
	"pg_residence":        {"居住嘎查村", "Village"},
	"pg_station":          {"录入站点", "Station"},
	"pg_term":             {"合同期", "Term"},
	"pg_insurance":        {"保险", "Insurance"},
	"pg_exit":             {"退出", "Exit"},
	"pg_income":           {"其他收入（元/月）", "Other income (yuan a month)"},
	"pg_income_source":    {"收入来源", "Income from"},
	"pg_line":             {"监测收入线（元/月）", "Line (yuan a month)"},
	"pg_employed":         {"在岗人数", "Employed now"},
	"pg_poverty_employed": {"其中脱贫人口", "Of them lifted out of poverty"},
	"pg_target":           {"认定标准", "Threshold"},
	"pg_recognition":      {"认定情况", "Recognition"},
	"pg_share_term":       {"共享期", "Sharing term"},
	"pg_people":           {"人数", "People"},
	"pg_pay_total":        {"劳务报酬合计（元）", "Pay total (yuan)"},
	"pg_sent":             {"输出人数", "People sent"},
	"pg_poverty":          {"脱贫人口", "Lifted out of poverty"},
	"pg_monitored":        {"防止返贫监测对象", "Monitored"},
	"pg_others":           {"其他", "Others"},
	"pg_partner_kind":     {"协作类型", "Kind"},
	"pg_sheet_people":     {"人员", "People"},
	"pg_part_time_now":    {"其中非全日制", "Of them part-time"},
	"pg_workshop_workers": {"车间在岗人数", "People working in workshops"},
	"pg_relief_people":    {"以工代赈人数", "People hired"},
	"pg_export_people":    {"输出人数", "People sent"},
	"pg_ending_month":     {"本月合同到期", "Contracts ending this month"},
	"pg_exits_month":      {"本月应退出", "Due to leave this month"},
	"pg_settings_note":    {"本旗县设置：监测收入线 %s 元/月；就业帮扶车间认定标准为吸纳脱贫人口 %d 人（在 hub.json 中设置 monitoring_line、workshop_recognition）。", "The county's settings: monitoring line %s yuan a month; a workshop is recognised at %d people lifted out of poverty employed (hub.json's monitoring_line, workshop_recognition)."},
}

// listCell is a cell of a list: its text, and a link or a class on the page.
type listCell struct {
	Text, Href, Class string
}

// listTable is one list of a page and one sheet of its export.
type listTable struct {
	ID, Title string
	Head      []string
	Rows      [][]listCell
}

// programmeView is a programme page's data.
type programmeView struct {
	Path              string
	Tabs              []programmeTab
	Month             string
	Months            []monthOption
	Township          string
	Townships         []areaOption
	ShowMonth, ShowTM bool
	Note              string
	Tables            []listTable
	XLSX              string
	Forms             []*programmeForm
	Counts            [][2]string // the overview's programme and count
}

// programmeTab is a link among the programme pages.
type programmeTab struct {
	Href, Text string
	Current    bool
}

// programmePage is one page of the programmes.
type programmePage struct {
	path, title string // title: a text key
	month       bool   // the page is of a month (?month=)
	township    bool   // the page takes ?township=
	// forms are the county-wide tables whose forms the page shows.
	forms []string
	// lists builds the page's lists (and a note above them).
	lists func(h *server, ctx context.Context, lang string, f hub.ProgrammeFilter) ([]listTable, string, error)
}

// programmePages are the pages, in the order of their tabs.
var programmePages = []*programmePage{
	{path: "/programmes", title: "pg_title", lists: overviewLists},
	{path: "/programmes/welfare", title: "pg_welfare", township: true, forms: []string{records.WelfarePosts}, lists: welfareLists},
	{path: "/programmes/welfare/ending", title: "pg_ending", month: true, township: true, lists: endingLists},
	{path: "/programmes/welfare/exits", title: "pg_exits", month: true, township: true, lists: exitLists},
	{path: "/programmes/workshops", title: "pg_workshops", township: true, forms: []string{records.Workshops}, lists: workshopLists},
	{path: "/programmes/shared", title: "pg_shared", month: true, township: true, lists: sharedLists},
	{path: "/programmes/work-relief", title: "pg_relief", township: true, forms: []string{records.WorkReliefProjects}, lists: reliefLists},
	{path: "/programmes/export", title: "pg_export", township: true, forms: []string{records.ExportBatches, records.PartnerRegions}, lists: exportLists},
}

// routesProgrammes adds the programme pages, their exports and the county's
// forms, for web sessions.
func (h *server) routesProgrammes(mux *http.ServeMux) {
	for _, p := range programmePages {
		mux.Handle("GET "+p.path, h.pageFor(access.PermView, func(w http.ResponseWriter, r *http.Request) {
			h.serveProgrammePage(w, r, p, nil, http.StatusOK)
		}))
		if p.path == "/programmes" {
			continue
		}
		mux.Handle("GET "+p.path+".xlsx", h.pageFor(access.PermExport, func(w http.ResponseWriter, r *http.Request) {
			h.serveProgrammeXLSX(w, r, p)
		}))
	}
	mux.Handle("POST /programmes/save/{table}", h.pageFor(access.PermProgrammes, h.postCountyProgramme))
}

var programmesTmpl = mustTemplate("programmes", webFuncs, true)

// programmeFilter reads a page's month and township; on a bad one it
// returns the message's key.
func (h *server) programmeFilter(r *http.Request, p *programmePage) (hub.ProgrammeFilter, string) {
	f := hub.ProgrammeFilter{Month: h.monthParam(r)}
	if p.month && !records.ValidMonth(f.Month) {
		return f, "pg_bad_month"
	}
	if p.township {
		f.Township = r.URL.Query().Get("township")
		if f.Township != "" && !validArea(f.Township, 9) {
			return f, "pg_bad_township"
		}
	}
	return f, ""
}

// query is the page's filter as a query string ("" or "?…").
func (p *programmePage) query(f hub.ProgrammeFilter) string {
	q := url.Values{}
	if p.month {
		q.Set("month", f.Month)
	}
	if p.township && f.Township != "" {
		q.Set("township", f.Township)
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// serveProgrammePage draws a programme page; failed is a form refused,
// drawn again with its error and values.
func (h *server) serveProgrammePage(w http.ResponseWriter, r *http.Request, p *programmePage, failed *programmeForm, status int) {
	lang := pageLang(r)
	pg := h.newPage(r, lang, p.title)
	pg.Nav = "programmes"
	f, bad := h.programmeFilter(r, p)
	v := &programmeView{Path: p.path, Month: f.Month, Township: f.Township, ShowMonth: p.month, ShowTM: p.township}
	for _, o := range programmePages {
		v.Tabs = append(v.Tabs, programmeTab{Href: o.path, Text: tw(lang, o.title), Current: o == p})
	}
	pg.Data = v
	if bad != "" {
		pg.Error = tw(lang, bad)
		h.render(w, r, programmesTmpl, http.StatusBadRequest, pg)
		return
	}
	if p.month {
		v.Months = monthOptions(h.thisMonth(), f.Month)
	}
	if p.township {
		towns, err := h.ProgrammeTownships(r.Context())
		if err != nil {
			h.programmeFailed(w, r, lang, err)
			return
		}
		names := areaNames{}
		found := f.Township == ""
		for _, code := range towns {
			v.Townships = append(v.Townships, areaOption{Code: code, Name: names.name(code), Selected: code == f.Township})
			found = found || code == f.Township
		}
		if !found {
			v.Townships = append(v.Townships, areaOption{Code: f.Township, Name: names.name(f.Township), Selected: true})
		}
	}
	tables, note, err := p.lists(h, r.Context(), lang, f)
	if err != nil {
		h.programmeFailed(w, r, lang, err)
		return
	}
	v.Tables, v.Note = tables, note
	if p.path == "/programmes" && len(tables) > 0 {
		for _, row := range tables[0].Rows {
			v.Counts = append(v.Counts, [2]string{row[0].Text, row[1].Text})
		}
	}
	a, _ := access.AdminFrom(r.Context())
	if p.path != "/programmes" && a.Role.Can(access.PermExport) {
		v.XLSX = p.path + ".xlsx" + p.query(f)
	}
	if a.Role.Can(access.PermProgrammes) {
		for _, table := range p.forms {
			form := h.newProgrammeForm(r, lang, table, p.path+p.query(f))
			if failed != nil && failed.Table == table {
				form = failed
				pg.Error = failed.Error
			}
			v.Forms = append(v.Forms, form)
		}
		markEditable(v.Tables, p.path+p.query(f), lang)
	}
	h.render(w, r, programmesTmpl, status, pg)
}

// programmeFailed answers an internal error of a programme page.
func (h *server) programmeFailed(w http.ResponseWriter, r *http.Request, lang string, err error) {
	h.log.ErrorContext(r.Context(), "programme page", "path", r.URL.Path, "err", err)
	http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
}

// editMark is the cell class of a county row's first cell that a table's
// builder sets ("edit:TABLE:ID"); markEditable turns it into a link to the
// row's form for an administrator who may edit.
const editMark = "edit:"

// markEditable links the county's rows to their edit forms.
func markEditable(tables []listTable, back, lang string) {
	for ti := range tables {
		for ri := range tables[ti].Rows {
			c := &tables[ti].Rows[ri][0]
			if rest, ok := strings.CutPrefix(c.Class, editMark); ok {
				table, id, _ := strings.Cut(rest, ":")
				u, _ := url.Parse(back)
				q := u.Query()
				q.Set("edit", id)
				q.Set("form", table)
				u.RawQuery = q.Encode()
				c.Href, c.Class = u.String()+"#form-"+table, "edit"
			}
		}
	}
}

// countyMark is the class of a row's first cell: editMark for the county's
// own rows, else none.
func countyMark(table, id, station string) string {
	if station == records.County {
		return editMark + table + ":" + id
	}
	return ""
}

// The lists of each page.

func overviewLists(h *server, ctx context.Context, lang string, f hub.ProgrammeFilter) ([]listTable, string, error) {
	c, err := h.CountProgrammes(ctx, f)
	if err != nil {
		return nil, "", err
	}
	month := hub.ProgrammeFilter{Month: h.thisMonth()}
	ending, err := h.WelfareEndingList(ctx, month)
	if err != nil {
		return nil, "", err
	}
	exits, err := h.WelfareExitList(ctx, month)
	if err != nil {
		return nil, "", err
	}
	n := strconv.Itoa
	t := listTable{ID: "counts", Title: tw(lang, "pg_title"), Head: []string{tw(lang, "pg_col_programme"), tw(lang, "pg_col_count")}}
	for _, r := range []struct {
		key, href string
		v         int
	}{
		{"pg_welfare", "/programmes/welfare", c.WelfarePosts},
		{"pg_headcount", "/programmes/welfare", c.WelfareHeadcount},
		{"pg_placed_now", "/programmes/welfare", c.WelfarePlaced},
		{"pg_part_time_now", "/programmes/welfare", c.WelfarePartTime},
		{"pg_ending_month", "/programmes/welfare/ending", len(ending)},
		{"pg_exits_month", "/programmes/welfare/exits", len(exits)},
		{"pg_workshops", "/programmes/workshops", c.Workshops},
		{"pg_workshop_workers", "/programmes/workshops", c.WorkshopWorkers},
		{"pg_shared", "/programmes/shared", c.SharedActive},
		{"pg_relief", "/programmes/work-relief", c.WorkReliefProject},
		{"pg_relief_people", "/programmes/work-relief", c.WorkReliefPeople},
		{"pg_batches", "/programmes/export", c.ExportBatches},
		{"pg_export_people", "/programmes/export", c.ExportPeople},
		{"pg_regions", "/programmes/export", c.PartnerRegions},
	} {
		t.Rows = append(t.Rows, []listCell{{Text: tw(lang, r.key), Href: r.href}, {Text: n(r.v), Class: "n"}})
	}
	note := fmt.Sprintf(tw(lang, "pg_settings_note"), money(h.MonitoringLine()), h.WorkshopRecognition())
	return []listTable{t}, note, nil
}

// personCells are a person's cells: name (linked to the record), masked id
// number, residence village.
func personCells(p hub.ProgrammePerson) []listCell {
	name := p.Name
	if name == "" {
		name = p.WorkerID
	}
	return []listCell{{Text: name, Href: "/workers/" + p.WorkerID}, {Text: p.IDNumber, Class: "mono"}, placeCell(p.Village)}
}

func personHead(lang string) []string {
	return []string{tw(lang, "pg_person"), tw(lang, "pg_id_number"), tw(lang, "pg_residence")}
}

// placeCell is a division code by name.
func placeCell(code string) listCell {
	if code == "" {
		return listCell{}
	}
	return listCell{Text: areaNames{}.name(code)}
}

func money(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func yesNo(lang string, b bool) string {
	if b {
		return tw(lang, "pg_yes")
	}
	return tw(lang, "pg_no")
}

func term(from, to string) string {
	if to == "" {
		return from + "—"
	}
	return from + "至" + to
}

func stationCell(lang, st string) listCell {
	if st == records.County {
		return listCell{Text: tw(lang, "pg_county_row")}
	}
	return listCell{Text: st}
}

func welfareLists(h *server, ctx context.Context, lang string, f hub.ProgrammeFilter) ([]listTable, string, error) {
	posts, err := h.WelfarePostList(ctx, f)
	if err != nil {
		return nil, "", err
	}
	pt := listTable{ID: "posts", Title: tw(lang, "pg_posts"), Head: []string{tw(lang, "pg_name_post"), records.FieldLabel(lang, "village"),
		records.FieldLabel(lang, "kind"), tw(lang, "pg_headcount"), tw(lang, "pg_placed_now"), records.FieldLabel(lang, "subsidy"),
		records.FieldLabel(lang, "part_time"), records.FieldLabel(lang, "employer"), tw(lang, "pg_station")}}
	for _, p := range posts {
		pt.Rows = append(pt.Rows, []listCell{{Text: p.Name, Class: countyMark(records.WelfarePosts, p.ID, p.Station)}, placeCell(p.Village),
			{Text: p.Kind}, {Text: strconv.Itoa(p.Headcount), Class: "n"}, {Text: strconv.Itoa(p.Placed), Class: "n"},
			{Text: money(p.Subsidy), Class: "n"}, {Text: yesNo(lang, p.PartTime)}, {Text: p.Employer}, stationCell(lang, p.Station)})
	}
	placements, err := h.WelfarePlacementList(ctx, f)
	if err != nil {
		return nil, "", err
	}
	return []listTable{pt, placementTable(lang, "placements", tw(lang, "pg_placements"), placements)}, "", nil
}

// placementTable lists welfare placements.
func placementTable(lang, id, title string, rows []hub.WelfarePlacementRow) listTable {
	t := listTable{ID: id, Title: title, Head: append(personHead(lang), tw(lang, "pg_station"), tw(lang, "pg_name_post"),
		records.FieldLabel(lang, "contract_kind"), tw(lang, "pg_term"), records.FieldLabel(lang, "part_time"),
		tw(lang, "pg_insurance"), tw(lang, "pg_exit"))}
	for _, p := range rows {
		exit := ""
		if p.ExitOn != "" {
			exit = p.ExitOn + " " + p.ExitReason
		}
		t.Rows = append(t.Rows, append(personCells(p.ProgrammePerson), stationCell(lang, p.Station), listCell{Text: p.PostName},
			listCell{Text: p.ContractKind}, listCell{Text: term(p.ContractStart, p.ContractEnd)}, listCell{Text: yesNo(lang, p.PartTime)},
			listCell{Text: p.InsuranceKind + " " + term(p.InsuranceStart, p.InsuranceEnd)}, listCell{Text: exit}))
	}
	return t
}

func endingLists(h *server, ctx context.Context, lang string, f hub.ProgrammeFilter) ([]listTable, string, error) {
	rows, err := h.WelfareEndingList(ctx, f)
	if err != nil {
		return nil, "", err
	}
	return []listTable{placementTable(lang, "ending", report.MonthTitle(f.Month)+tw(lang, "pg_ending"), rows)}, tw(lang, "pg_ending_note"), nil
}

func exitLists(h *server, ctx context.Context, lang string, f hub.ProgrammeFilter) ([]listTable, string, error) {
	rows, err := h.WelfareExitList(ctx, f)
	if err != nil {
		return nil, "", err
	}
	t := listTable{ID: "exits", Title: report.MonthTitle(f.Month) + tw(lang, "pg_exits"), Head: append(personHead(lang),
		tw(lang, "pg_station"), tw(lang, "pg_name_post"), tw(lang, "pg_term"), tw(lang, "pg_income"),
		tw(lang, "pg_income_source"), tw(lang, "pg_line"), tw(lang, "pg_exit"))}
	for _, p := range rows {
		exit := ""
		if p.ExitOn != "" {
			exit = p.ExitOn + " " + p.ExitReason
		}
		t.Rows = append(t.Rows, append(personCells(p.ProgrammePerson), stationCell(lang, p.Station), listCell{Text: p.PostName},
			listCell{Text: term(p.ContractStart, p.ContractEnd)}, listCell{Text: money(p.Income), Class: "n"},
			listCell{Text: p.Source}, listCell{Text: money(p.Line), Class: "n"}, listCell{Text: exit}))
	}
	return []listTable{t}, fmt.Sprintf(tw(lang, "pg_exit_note"), money(h.MonitoringLine())), nil
}

func workshopLists(h *server, ctx context.Context, lang string, f hub.ProgrammeFilter) ([]listTable, string, error) {
	rows, err := h.WorkshopList(ctx, f)
	if err != nil {
		return nil, "", err
	}
	t := listTable{ID: "workshops", Title: tw(lang, "pg_workshops"), Head: []string{tw(lang, "pg_name_workshop"),
		records.FieldLabel(lang, "village"), records.FieldLabel(lang, "operator"), records.FieldLabel(lang, "industry"),
		records.FieldLabel(lang, "recognised_on"), tw(lang, "pg_employed"), tw(lang, "pg_poverty_employed"),
		tw(lang, "pg_target"), tw(lang, "pg_recognition"), tw(lang, "pg_station")}}
	for _, k := range rows {
		meets, class := tw(lang, "pg_meets"), "on"
		if !k.Meets {
			meets, class = tw(lang, "pg_below"), "off"
		}
		t.Rows = append(t.Rows, []listCell{{Text: k.Name, Class: countyMark(records.Workshops, k.ID, k.Station)}, placeCell(k.Village),
			{Text: k.Operator}, {Text: k.Industry}, {Text: k.RecognisedOn}, {Text: strconv.Itoa(k.Employed), Class: "n"},
			{Text: strconv.Itoa(k.Poverty), Class: "n"}, {Text: strconv.Itoa(k.Target), Class: "n"}, {Text: meets, Class: class},
			stationCell(lang, k.Station)})
	}
	return []listTable{t}, fmt.Sprintf(tw(lang, "pg_workshop_note"), h.WorkshopRecognition()), nil
}

func sharedLists(h *server, ctx context.Context, lang string, f hub.ProgrammeFilter) ([]listTable, string, error) {
	rows, err := h.SharedList(ctx, f)
	if err != nil {
		return nil, "", err
	}
	t := listTable{ID: "shared", Title: report.MonthTitle(f.Month) + tw(lang, "pg_shared"), Head: append(personHead(lang),
		tw(lang, "pg_station"), records.FieldLabel(lang, "original_employer"), records.FieldLabel(lang, "contract_end"),
		records.FieldLabel(lang, "host_employer"), tw(lang, "pg_share_term"))}
	for _, e := range rows {
		t.Rows = append(t.Rows, append(personCells(e.ProgrammePerson), stationCell(lang, e.Station), listCell{Text: e.OriginalEmployer},
			listCell{Text: e.ContractEnd}, listCell{Text: e.HostEmployer}, listCell{Text: term(e.StartOn, e.EndOn)}))
	}
	return []listTable{t}, tw(lang, "pg_shared_note"), nil
}

func reliefLists(h *server, ctx context.Context, lang string, f hub.ProgrammeFilter) ([]listTable, string, error) {
	rows, err := h.WorkReliefList(ctx, f)
	if err != nil {
		return nil, "", err
	}
	t := listTable{ID: "projects", Title: tw(lang, "pg_projects"), Head: []string{tw(lang, "pg_name_project"),
		records.FieldLabel(lang, "place"), records.FieldLabel(lang, "owner"), tw(lang, "pg_term"),
		records.FieldLabel(lang, "pay_budget"), tw(lang, "pg_people"), tw(lang, "pg_pay_total"), tw(lang, "pg_station")}}
	for _, p := range rows {
		budget := ""
		if p.PayBudget != nil {
			budget = money(*p.PayBudget)
		}
		t.Rows = append(t.Rows, []listCell{{Text: p.Name, Class: countyMark(records.WorkReliefProjects, p.ID, p.Station)},
			placeCell(p.Place), {Text: p.Owner}, {Text: term(p.StartOn, p.EndOn)}, {Text: budget, Class: "n"},
			{Text: strconv.Itoa(p.People), Class: "n"}, {Text: money(p.Pay), Class: "n"}, stationCell(lang, p.Station)})
	}
	return []listTable{t}, tw(lang, "pg_relief_note"), nil
}

func exportLists(h *server, ctx context.Context, lang string, f hub.ProgrammeFilter) ([]listTable, string, error) {
	rows, err := h.ExportBatchList(ctx, f)
	if err != nil {
		return nil, "", err
	}
	t := listTable{ID: "batches", Title: tw(lang, "pg_batches"), Head: []string{records.FieldLabel(lang, "sent_on"),
		records.FieldLabel(lang, "destination"), records.FieldLabel(lang, "employer"), records.FieldLabel(lang, "partner_region_id"),
		records.FieldLabel(lang, "labour_brand"), tw(lang, "pg_sent"), tw(lang, "pg_poverty"), tw(lang, "pg_monitored"),
		tw(lang, "pg_others"), tw(lang, "pg_station")}}
	for _, b := range rows {
		partner := b.PartnerName
		if b.PartnerKind != "" {
			partner += "（" + b.PartnerKind + "）"
		}
		t.Rows = append(t.Rows, []listCell{{Text: b.SentOn, Class: countyMark(records.ExportBatches, b.ID, b.Station)},
			{Text: b.Destination}, {Text: b.Employer}, {Text: partner}, {Text: b.LabourBrand},
			{Text: strconv.Itoa(b.People), Class: "n"}, {Text: strconv.Itoa(b.Poverty), Class: "n"},
			{Text: strconv.Itoa(b.Monitored), Class: "n"}, {Text: strconv.Itoa(b.Others), Class: "n"}, stationCell(lang, b.Station)})
	}
	regions, err := h.PartnerRegionList(ctx)
	if err != nil {
		return nil, "", err
	}
	rt := listTable{ID: "regions", Title: tw(lang, "pg_regions"), Head: []string{tw(lang, "pg_name_region"),
		tw(lang, "pg_partner_kind"), records.FieldLabel(lang, "notes"), tw(lang, "pg_station")}}
	for _, r := range regions {
		rt.Rows = append(rt.Rows, []listCell{{Text: r.Name, Class: countyMark(records.PartnerRegions, r.ID, r.Station)},
			{Text: r.Kind}, {Text: r.Notes}, stationCell(lang, r.Station)})
	}
	return []listTable{t, rt}, "", nil
}

// serveProgrammeXLSX exports a page's lists as an .xlsx workbook, one
// sheet a list, the rows the page shows; it is recorded in the audit log.
// Every cell is written as text: a value typed as "=…" stays text, never a
// formula.
func (h *server) serveProgrammeXLSX(w http.ResponseWriter, r *http.Request, p *programmePage) {
	lang := pageLang(r)
	f, bad := h.programmeFilter(r, p)
	if bad != "" {
		http.Error(w, tw(lang, bad), http.StatusBadRequest)
		return
	}
	tables, _, err := p.lists(h, r.Context(), lang, f)
	if err != nil {
		h.programmeFailed(w, r, lang, err)
		return
	}
	x := excelize.NewFile()
	defer x.Close()
	rows := 0
	for i, t := range tables {
		sheet := sheetName(t.Title, i)
		if i == 0 {
			if err := x.SetSheetName("Sheet1", sheet); err != nil {
				h.programmeFailed(w, r, lang, err)
				return
			}
		} else if _, err := x.NewSheet(sheet); err != nil {
			h.programmeFailed(w, r, lang, err)
			return
		}
		if err := writeSheet(x, sheet, t); err != nil {
			h.programmeFailed(w, r, lang, err)
			return
		}
		rows += len(t.Rows)
	}
	a := adminActor(r)
	h.acc.Record(r.Context(), access.AuditEntry{User: a.User, Action: access.AuditExport, Remote: a.Remote,
		Detail: fmt.Sprintf("%s month=%s township=%s rows=%d .xlsx", p.path, f.Month, f.Township, rows)})
	title := tw("zh", p.title)
	if p.month {
		title = report.MonthTitle(f.Month) + title
	}
	if f.Township != "" {
		title += "（" + areaNames{}.name(f.Township) + "）"
	}
	fallback := "programmes" + strings.ReplaceAll(strings.TrimPrefix(p.path, "/programmes"), "/", "-")
	if p.month {
		fallback += "-" + f.Month
	}
	if f.Township != "" {
		fallback += "-" + f.Township
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", webkit.Attachment(fallback+".xlsx", title+".xlsx"))
	if _, err := x.WriteTo(w); err != nil {
		h.log.ErrorContext(r.Context(), "programme export", "path", p.path, "err", err)
	}
}

// sheetName is a list's sheet name: its title within Excel's 31 characters
// and without the characters a sheet name may not hold.
func sheetName(title string, i int) string {
	title = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, title)
	if rs := []rune(title); len(rs) > 28 {
		title = string(rs[:28])
	}
	if title == "" {
		title = "Sheet" + strconv.Itoa(i+1)
	}
	return title
}

// writeSheet writes a list: its header, then its rows, every cell a string.
func writeSheet(x *excelize.File, sheet string, t listTable) error {
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	put := func(n int, cells []string) error {
		vals := make([]any, len(cells))
		for i, c := range cells {
			vals[i] = excelize.Cell{Value: c} // a string value: never a formula
		}
		cell, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, vals)
	}
	if err := put(1, t.Head); err != nil {
		return err
	}
	for i, row := range t.Rows {
		cells := make([]string, len(row))
		for j, c := range row {
			cells[j] = c.Text
		}
		if err := put(i+2, cells); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// The county's forms.

// formField is a field of a county form.
type formField struct {
	Name, Kind string // Kind: text, int, number, date, select, check, place
	Levels     string // a place's levels for the picker (placesweb: 旗县, 苏木乡镇, 嘎查村)
	Label      string // a text key overriding the record's label ("": records.FieldLabel)
	Options    []string
	Required   bool
	Hint       string
}

// countyForms are the fields of each county-wide table's form.
var countyForms = map[string][]formField{
	records.WelfarePosts: {
		{Name: "name", Kind: "text", Label: "pg_name_post", Required: true},
		{Name: "village", Kind: "place", Levels: "嘎查村", Required: true, Hint: "150421100001"},
		{Name: "kind", Kind: "select", Options: records.WelfarePostKinds, Required: true},
		{Name: "headcount", Kind: "int", Label: "pg_headcount", Required: true},
		{Name: "subsidy", Kind: "number", Required: true},
		{Name: "part_time", Kind: "check"},
		{Name: "employer", Kind: "text", Required: true},
		{Name: "start_on", Kind: "date"}, {Name: "end_on", Kind: "date"},
		{Name: "notes", Kind: "text"},
	},
	records.Workshops: {
		{Name: "name", Kind: "text", Label: "pg_name_workshop", Required: true},
		{Name: "village", Kind: "place", Levels: "嘎查村", Required: true, Hint: "150421100001"},
		{Name: "operator", Kind: "text"}, {Name: "industry", Kind: "text"}, {Name: "recognised_on", Kind: "date"},
		{Name: "contact", Kind: "text"}, {Name: "notes", Kind: "text"},
	},
	records.WorkReliefProjects: {
		{Name: "name", Kind: "text", Label: "pg_name_project", Required: true},
		{Name: "place", Kind: "place", Levels: "旗县,苏木乡镇,嘎查村", Required: true, Hint: "150421100"},
		{Name: "owner", Kind: "text"}, {Name: "start_on", Kind: "date", Required: true}, {Name: "end_on", Kind: "date"},
		{Name: "pay_budget", Kind: "number"}, {Name: "notes", Kind: "text"},
	},
	records.PartnerRegions: {
		{Name: "name", Kind: "text", Label: "pg_name_region", Required: true},
		{Name: "kind", Kind: "select", Label: "pg_partner_kind", Options: records.PartnerKinds, Required: true},
		{Name: "notes", Kind: "text"},
	},
	records.ExportBatches: {
		{Name: "sent_on", Kind: "date", Required: true}, {Name: "destination", Kind: "text", Required: true},
		{Name: "employer", Kind: "text"}, {Name: "partner_region_id", Kind: "select"}, {Name: "labour_brand", Kind: "text"},
		{Name: "notes", Kind: "text"},
	},
}

// countyFormTitle is the text key of each form's heading.
var countyFormTitle = map[string]string{records.WelfarePosts: "pg_posts", records.Workshops: "pg_workshops",
	records.WorkReliefProjects: "pg_projects", records.PartnerRegions: "pg_regions", records.ExportBatches: "pg_batches"}

// newCountyRecord is an empty record of a county-wide table.
func newCountyRecord(table string) hub.CountyRecord {
	switch table {
	case records.WelfarePosts:
		return &records.WelfarePost{}
	case records.Workshops:
		return &records.Workshop{}
	case records.WorkReliefProjects:
		return &records.WorkReliefProject{}
	case records.PartnerRegions:
		return &records.PartnerRegion{}
	case records.ExportBatches:
		return &records.ExportBatch{}
	}
	return nil
}

// programmeForm is a county form's data.
type programmeForm struct {
	Table, Title, ID, Back, Error string
	Fields                        []formInput
	Picker                        bool // a field picks a place
}

// formInput is a field of a form as drawn.
type formInput struct {
	Name, Kind, Label, Value, Hint, Levels string
	Required, Checked                      bool
	Options                                []formOption
}

type formOption struct {
	Value, Text string
	Selected    bool
}

// newProgrammeForm is table's form: empty, or the county's row the request
// asks to edit (?form=TABLE&edit=ID).
func (h *server) newProgrammeForm(r *http.Request, lang, table, back string) *programmeForm {
	values := map[string]string{}
	id := ""
	q := r.URL.Query()
	if q.Get("form") == table && q.Get("edit") != "" {
		var cols []string
		for _, f := range countyForms[table] {
			cols = append(cols, f.Name)
		}
		row, ok, err := h.CountyProgrammeRow(r.Context(), table, q.Get("edit"), cols)
		if err != nil {
			h.log.WarnContext(r.Context(), "county form", "table", table, "err", err)
		}
		if ok {
			id = q.Get("edit")
			for c, v := range row {
				values[c] = formValue(v)
			}
		}
	}
	return h.buildForm(r.Context(), lang, table, id, back, values)
}

// formValue is a stored value as a form shows it.
func formValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return money(x)
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

// buildForm draws table's form with values.
func (h *server) buildForm(ctx context.Context, lang, table, id, back string, values map[string]string) *programmeForm {
	f := &programmeForm{Table: table, Title: tw(lang, countyFormTitle[table]), ID: id, Back: back}
	for _, fd := range countyForms[table] {
		in := formInput{Name: fd.Name, Kind: fd.Kind, Label: fieldLabel(lang, fd), Value: values[fd.Name], Hint: fd.Hint,
			Levels: fd.Levels, Required: fd.Required, Checked: values[fd.Name] == "1" || values[fd.Name] == "on"}
		opts := fd.Options
		texts := fd.Options
		if fd.Name == "partner_region_id" {
			regions, err := h.PartnerRegionList(ctx)
			if err != nil {
				h.log.WarnContext(ctx, "county form: partner regions", "err", err)
			}
			opts, texts = []string{""}, []string{"—"}
			for _, r := range regions {
				opts, texts = append(opts, r.ID), append(texts, r.Name+"（"+r.Kind+"）")
			}
		} else if fd.Kind == "select" {
			opts, texts = append([]string{""}, opts...), append([]string{"—"}, glossary.DisplayAll(texts)...)
		}
		for i, o := range opts {
			in.Options = append(in.Options, formOption{Value: o, Text: texts[i], Selected: o == in.Value})
		}
		f.Fields = append(f.Fields, in)
		f.Picker = f.Picker || fd.Kind == "place"
	}
	return f
}

// fieldLabel is a form field's label in lang.
func fieldLabel(lang string, fd formField) string {
	if fd.Label != "" {
		return tw(lang, fd.Label)
	}
	return records.FieldLabel(lang, fd.Name)
}

// readFormRecord reads the fields of a county form (a programme's or a
// service's) into rec: the refusal's field and message when a value is not
// of its kind.
func readFormRecord(lang string, fields []formField, rec hub.CountyRecord, form url.Values) (hub.CountyRecord, string, string) {
	m := map[string]any{}
	for _, fd := range fields {
		v := strings.TrimSpace(form.Get(fd.Name))
		switch fd.Kind {
		case "check":
			m[fd.Name] = v != ""
		case "int":
			if v == "" {
				continue
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fd.Name, records.Message(lang, records.KeyInteger, fieldLabel(lang, fd))
			}
			m[fd.Name] = n
		case "number":
			if v == "" {
				continue
			}
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, fd.Name, records.Message(lang, records.KeyNumber, fieldLabel(lang, fd))
			}
			m[fd.Name] = n
		default:
			m[fd.Name] = v
		}
	}
	b, _ := json.Marshal(m)
	if err := json.Unmarshal(b, rec); err != nil {
		return nil, "", tr(lang, "bad_request")
	}
	return rec, "", ""
}

// formRefusalText is a refusal's message with the label fields give its
// field, if any.
func formRefusalText(lang string, fields []formField, fe *records.FieldError) string {
	for _, fd := range fields {
		if fd.Name == fe.Field && fd.Label != "" {
			args := []any{fieldLabel(lang, fd)}
			for _, a := range fe.Args {
				if l, ok := a.(records.Label); ok {
					a = records.FieldLabel(lang, string(l))
				}
				args = append(args, a)
			}
			return records.Message(lang, fe.Key, args...)
		}
	}
	return fe.Message(lang)
}

// postCountyProgramme saves a county form: POST /programmes/save/{table}
// (see saveCountyForm).
func (h *server) postCountyProgramme(w http.ResponseWriter, r *http.Request) {
	table := r.PathValue("table")
	if _, ok := countyForms[table]; !ok {
		http.NotFound(w, r)
		return
	}
	// The page of the table's form.
	var page *programmePage
	for _, p := range programmePages {
		if slices.Contains(p.forms, table) {
			page = p
		}
	}
	h.saveCountyForm(w, r, countyFormSite{path: page.path, fields: countyForms[table],
		newRec: func() hub.CountyRecord { return newCountyRecord(table) },
		build: func(lang, id, back string, values map[string]string) *programmeForm {
			return h.buildForm(r.Context(), lang, table, id, back, values)
		},
		serve: func(w http.ResponseWriter, r *http.Request, failed *programmeForm) {
			h.serveProgrammePage(w, r, page, failed, http.StatusBadRequest)
		}})
}

// countyFormSite is what saveCountyForm needs of the page a county form
// (a programme's or a service's) sits on.
type countyFormSite struct {
	// path is the page's; back may only return to it (with its filter).
	path   string
	fields []formField
	newRec func() hub.CountyRecord
	// build draws the form again with the values typed.
	build func(lang, id, back string, values map[string]string) *programmeForm
	// serve draws the page (r is a GET of back) with the refused form.
	serve func(w http.ResponseWriter, r *http.Request, failed *programmeForm)
}

// saveCountyForm saves a county form posted with the record's fields, id
// (editing) and back (the page to return to: that page's, keeping its
// filter, never a link elsewhere). A refused record draws the page again
// with the error and the values typed; a saved one goes back to the page
// with a notice.
func (h *server) saveCountyForm(w http.ResponseWriter, r *http.Request, site countyFormSite) {
	lang := langOf(w, r)
	table := r.PathValue("table")
	back := r.PostFormValue("back")
	if u, err := url.Parse(back); err != nil || u.Host != "" || u.Scheme != "" || u.Path != site.path {
		back = site.path
	}
	var id ident.ID
	if s := r.PostFormValue("id"); s != "" {
		var err error
		if id, err = ident.ParseID(s); err != nil {
			http.Error(w, tw(lang, "pg_no_row"), http.StatusBadRequest)
			return
		}
	}
	rec, field, msg := readFormRecord(lang, site.fields, site.newRec(), r.PostForm)
	if field == "" && rec != nil {
		_, err := h.SaveCountyProgramme(r.Context(), table, id, rec, adminActor(r))
		if err == nil {
			u, _ := url.Parse(back)
			q := u.Query()
			q.Set("notice", "programme_saved")
			u.RawQuery = q.Encode()
			http.Redirect(w, r, u.String(), http.StatusSeeOther)
			return
		}
		fe, ok := records.AsFieldError(err)
		if !ok {
			h.programmeFailed(w, r, lang, err)
			return
		}
		if fe.Key == records.KeyNoProgrammeRow && fe.Field == "id" {
			msg = tw(lang, "pg_no_row")
		} else {
			msg = formRefusalText(lang, site.fields, fe)
		}
	} else if msg == "" {
		msg = tr(lang, "bad_request")
	}
	values := map[string]string{}
	for _, fd := range site.fields {
		values[fd.Name] = r.PostFormValue(fd.Name)
	}
	idText := ""
	if !id.IsZero() {
		idText = id.String()
	}
	failed := site.build(lang, idText, back, values)
	failed.Error = msg
	// The page is drawn for the list it came from.
	u, _ := url.Parse(back)
	r2 := r.Clone(r.Context())
	r2.URL = u
	r2.Method = http.MethodGet
	site.serve(w, r2, failed)
}
