package hubweb

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"fieldsync/glossary"
	"fieldsync/hub/access"
	"fieldsync/places"
	"fieldsync/records"
	"fieldsync/report"
	"fieldsync/webkit"
)

// The people behind a dashboard figure (report.DrillFigures): a JSON list,
// a page with paging, and an export for the roles allowed to export
// (access.PermExport). All three take the same parameters:
//
//	month=YYYY-MM  figure=NAME  township=CODE (9 digits)  village=CODE (12)
//	limit= (1–1000, default 100)  offset= (0…)
//
// Id numbers are masked everywhere, in the export too (report.People masks
// them whatever the options say).

// peopleText holds the lists' texts: Chinese, English. The errors name the
// field first, as the forms do.
var peopleText = webkit.Catalogue{
	"p_title":        {"人员名单", "People"},
	"p_bad_month":    {"月份：格式应为 YYYY-MM，例如 2026-11", "Month: must be YYYY-MM, e.g. 2026-11"},
	"p_bad_figure":   {"指标：未知的指标，可选：", "Figure: unknown; one of: "},
	"p_bad_township": {"苏木乡镇：应为 9 位区划代码，例如 150421100", "Township: must be a 9-digit division code, e.g. 150421100"},
	"p_bad_village":  {"嘎查村：应为 12 位区划代码，且在所选苏木乡镇内", "Village: must be a 12-digit division code within the township chosen"},
	"p_bad_limit":    {"每页人数：应为 1 到 1000 的整数", "Limit: must be a whole number from 1 to 1000"},
	"p_bad_offset":   {"起始位置：应为不小于 0 的整数", "Offset: must be a whole number, 0 or more"},
	"p_persons":      {"人", " people"},
	"p_name":         {"姓名", "Name"},
	"p_sex":          {"性别", "Sex"},
	"p_age":          {"年龄", "Age"},
	"p_id_number":    {"公民身份号码", "ID number"},
	"p_township":     {"苏木乡镇", "Township"},
	"p_village":      {"嘎查村", "Village"},
	"p_status":       {"本月状态", "Status this month"},
	"p_no_status":    {"本月无状态", "No status this month"},
	"p_willing":      {"有意愿外出", "Willing to work away"},
	"p_yes":          {"是", "yes"},
	"p_where":        {"务工地域／地点", "Where they work"},
	"p_scope":        {"务工地域", "Where they work"},
	"p_place":        {"务工地点", "Place of work"},
	"p_industry":     {"行业", "Industry"},
	"p_form":         {"就业形式", "Form of employment"},
	"p_income":       {"月收入（元）", "Monthly income (yuan)"},
	"p_tags":         {"人员类别", "Groups"},
	"p_verified":     {"核实", "Verified"},
	"p_verified_by":  {"核实人", "Verified by"},
	"p_verified_at":  {"核实日期", "Verified on"},
	"p_method":       {"核实方式", "Verified how"},
	"p_last":         {"最近帮扶", "Latest follow-up"},
	"p_none":         {"没有人员", "Nobody"},
	"p_rows":         {"第 %d–%d 人，共 %d 人", "People %d–%d of %d"},
	"p_prev":         {"‹ 上一页", "‹ Previous page"},
	"p_next":         {"下一页 ›", "Next page ›"},
	"p_back":         {"返回看板", "Back to the dashboard"},
	"p_export":       {"导出名单", "Export the list"},
	"p_masked":       {"身份证号已脱敏", "ID numbers are masked"},
	"p_list":         {"名单", " list"},
}

// peopleRequest is a request for the people behind a figure, checked.
type peopleRequest struct {
	Month, Township, Village string
	Figure                   report.DrillFigure
	Limit, Offset            int
}

// area is the request's division code: the village's, else the
// township's, else "" (the county).
func (p peopleRequest) area() string {
	if p.Village != "" {
		return p.Village
	}
	return p.Township
}

// query is the report's query for the request's page.
func (p peopleRequest) query() (report.PeopleQuery, error) {
	q, err := report.FigureQuery(p.Figure.Name, p.Month, p.area())
	if err != nil {
		return q, err
	}
	q.Limit, q.Offset = p.Limit, p.Offset
	return q, nil
}

// href is the page of the request at offset (the same parameters).
func (p peopleRequest) href(path string, offset int) string {
	q := url.Values{"month": {p.Month}, "figure": {p.Figure.Name}}
	if p.Township != "" {
		q.Set("township", p.Township)
	}
	if p.Village != "" {
		q.Set("village", p.Village)
	}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	return path + "?" + q.Encode()
}

// figureNames lists the drill-down figures' names, for the error.
func figureNames() string {
	var names []string
	for _, d := range report.DrillFigures {
		names = append(names, d.Name+"（"+d.Title+"）")
	}
	return strings.Join(names, "、")
}

// parsePeople checks a people request's parameters. On a bad one it
// returns the field's name and the message's key.
func (h *server) parsePeople(r *http.Request) (p peopleRequest, field, msg string) {
	q := r.URL.Query()
	p.Month, p.Township, p.Village = h.monthParam(r), q.Get("township"), q.Get("village")
	if !records.ValidMonth(p.Month) {
		return p, "month", "p_bad_month"
	}
	name := q.Get("figure")
	if !q.Has("figure") {
		name = report.FigWorkers // the navigation's 人员名单 (no figure asked): everyone registered
	}
	d, ok := report.DrillFigureNamed(name)
	if !ok {
		return p, "figure", "p_bad_figure"
	}
	p.Figure = d
	if p.Township != "" && !validArea(p.Township, 9) {
		return p, "township", "p_bad_township"
	}
	if p.Village != "" && (!validArea(p.Village, 12) || !strings.HasPrefix(p.Village, p.Township)) {
		return p, "village", "p_bad_village"
	}
	p.Limit = report.DefaultLimit
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > report.MaxLimit {
			return p, "limit", "p_bad_limit"
		}
		p.Limit = n
	}
	if s := q.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return p, "offset", "p_bad_offset"
		}
		p.Offset = n
	}
	return p, "", ""
}

// peopleMessage is the text of a parsePeople error.
func peopleMessage(lang, msg string) string {
	t := tw(lang, msg)
	if msg == "p_bad_figure" {
		t += figureNames()
	}
	return t
}

// personRow is a person of a list with the names of the places.
type personRow struct {
	report.Person
	TownshipName string `json:"township_name"`
	VillageName  string `json:"village_name"`
}

// peopleList is the answer of GET /api/people, and the page's data.
type peopleList struct {
	Figure     string      `json:"figure"`
	Title      string      `json:"title"`
	Month      string      `json:"month"`
	MonthTitle string      `json:"month_title"`
	Area       string      `json:"area"`
	AreaName   string      `json:"area_name"`
	Township   string      `json:"township,omitempty"`
	Village    string      `json:"village,omitempty"`
	Total      int         `json:"total"`
	Limit      int         `json:"limit"`
	Offset     int         `json:"offset"`
	People     []personRow `json:"people"`
}

// names are the area names for a month's lists (those its figures carry);
// without the figures, the division table's.
func (h *server) names(ctx context.Context, month string) areaNames {
	f, err := h.Dashboard(ctx, month)
	if err != nil {
		h.log.WarnContext(ctx, "people: area names", "month", month, "err", err)
		return areaNames{}
	}
	return namesOf(f)
}

// people reads the request's page of people.
func (h *server) people(ctx context.Context, p peopleRequest) (*peopleList, error) {
	q, err := p.query()
	if err != nil {
		return nil, err
	}
	page, err := report.People(ctx, h.Replica().DB(), q, h.ReportOptions())
	if err != nil {
		return nil, err
	}
	// The division table names most codes; the month's figures (cached,
	// but cold for a month nobody opened) are read only for a code it
	// lacks, whose name the station directory may give.
	names := areaNames{}
	known := func(code string) bool { return code == "" || places.LabelOf(code).Known }
	all := known(p.area())
	for _, pr := range page.People {
		all = all && known(pr.Village) && known(pr.Township)
	}
	if !all {
		names = h.names(ctx, p.Month)
	}
	out := &peopleList{Figure: p.Figure.Name, Title: p.Figure.Title, Month: p.Month, MonthTitle: report.MonthTitle(p.Month),
		Area: p.area(), AreaName: names.name(p.area()), Township: p.Township, Village: p.Village,
		Total: page.Total, Limit: page.Limit, Offset: page.Offset, People: make([]personRow, len(page.People))}
	for i, pr := range page.People {
		out.People[i] = personRow{Person: pr, TownshipName: names.name(pr.Township), VillageName: names.name(pr.Village)}
	}
	return out, nil
}

// servePeopleAPI answers GET /api/people with a page of the people behind
// a figure as JSON; a bad parameter is 400 naming the field.
func (h *server) servePeopleAPI(w http.ResponseWriter, r *http.Request) {
	lang := apiLang(r)
	p, field, msg := h.parsePeople(r)
	if field != "" {
		writeFieldError(w, field, peopleMessage(lang, msg))
		return
	}
	list, err := h.people(r.Context(), p)
	if err != nil {
		h.log.ErrorContext(r.Context(), "people", "figure", p.Figure.Name, "month", p.Month, "err", err)
		writeJSONError(w, http.StatusInternalServerError, tr(lang, "internal"))
		return
	}
	writeJSON(w, http.StatusOK, list)
}

// routesPeoplePages adds the people page and its exports, for web sessions.
func (h *server) routesPeoplePages(mux *http.ServeMux) {
	mux.Handle("GET /people", h.pageFor(access.PermView, h.servePeoplePage))
	mux.Handle("GET /people.xlsx", h.pageFor(access.PermExport, h.servePeopleXLSX))
	mux.Handle("GET /people.csv", h.pageFor(access.PermExport, h.servePeopleCSV))
}

var peopleTmpl = mustTemplate("people", dashFuncs(), true)

// peopleView is the people page's data.
type peopleView struct {
	*peopleList
	Heading    string
	Rows       string // "第 1–100 人，共 185 人"
	Prev, Next string
	Back       string
	XLSX, CSV  string // "" for a role that may not export
	ShowLast   bool   // some person has a latest follow-up
}

// servePeoplePage renders a page (100 people) of the people behind a
// figure: 2026年12月 · 本月未帮扶 · 某某镇（185人）.
func (h *server) servePeoplePage(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r)
	pg := h.newPage(r, lang, "p_title")
	p, field, msg := h.parsePeople(r)
	if field != "" {
		pg.Error = peopleMessage(lang, msg)
		h.render(w, r, peopleTmpl, http.StatusBadRequest, pg)
		return
	}
	list, err := h.people(r.Context(), p)
	if err != nil {
		h.log.ErrorContext(r.Context(), "people page", "figure", p.Figure.Name, "month", p.Month, "err", err)
		http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
		return
	}
	parts := []string{list.MonthTitle, list.Title}
	if list.AreaName != "" {
		parts = append(parts, list.AreaName)
	}
	pg.Title = strings.Join(parts, " · ") + "（" + strconv.Itoa(list.Total) + tw(lang, "p_persons") + "）"
	v := &peopleView{peopleList: list, Heading: pg.Title}
	if len(list.People) > 0 {
		v.Rows = fmt.Sprintf(tw(lang, "p_rows"), list.Offset+1, list.Offset+len(list.People), list.Total)
	}
	if list.Offset > 0 {
		v.Prev = p.href("/people", max(0, list.Offset-list.Limit))
	}
	if list.Offset+len(list.People) < list.Total {
		v.Next = p.href("/people", list.Offset+list.Limit)
	}
	back := url.Values{"month": {p.Month}}
	if p.Township != "" {
		back.Set("township", p.Township)
	}
	v.Back = "/dashboard?" + back.Encode()
	if a, ok := access.AdminFrom(r.Context()); ok && a.Role.Can(access.PermExport) {
		v.XLSX, v.CSV = p.href("/people.xlsx", 0), p.href("/people.csv", 0)
	}
	for _, pr := range list.People {
		v.ShowLast = v.ShowLast || pr.LastFollowup != ""
	}
	pg.Data = v
	h.render(w, r, peopleTmpl, http.StatusOK, pg)
}

// exportColumns are the export's columns (Chinese: the county's files are).
var exportColumns = []string{"序号", "姓名", "性别", "年龄", "公民身份号码（脱敏）", "苏木乡镇", "嘎查村", "本月状态", "有意愿外出",
	"务工地域", "务工地点", "行业", "就业形式", "月收入（元）", "人员类别", "核实方式", "核实人", "核实日期", "最近帮扶日期", "最近帮扶内容"}

// exportRow is one person as a row of the export.
func exportRow(n int, p *personRow) []string {
	age, status, willing, income := "", p.List, "", ""
	if p.Age >= 0 {
		age = strconv.Itoa(p.Age)
	}
	if status == "" {
		status = "本月无状态"
	}
	if p.WillingAway {
		willing = "是"
	}
	if p.MonthlyIncome != nil {
		income = strconv.FormatFloat(*p.MonthlyIncome, 'f', -1, 64)
	}
	return []string{strconv.Itoa(n), p.Name, p.Sex, age, p.IDNumber, p.TownshipName, p.VillageName, status, willing,
		glossary.Display(p.WorkScope), p.Place, p.Industry, p.EmploymentForm, income,
		strings.Join(glossary.DisplayAll(p.Tags), "、"), p.VerifiedByMethod, p.VerifiedBy, p.VerifiedAt, p.LastFollowup, p.LastService}
}

// exportName is the file name of a list: 2026年12月某某镇本月未帮扶名单.xlsx,
// and the ASCII one for clients that take only that.
func exportName(p peopleRequest, areaName, ext string) (fallback, name string) {
	fallback = "people-" + p.Month + "-" + p.Figure.Name
	if p.area() != "" {
		fallback += "-" + p.area()
	}
	return fallback + ext, report.MonthTitle(p.Month) + areaName + p.Figure.Title + "名单" + ext
}

// exportPeople checks an export's request, records it in the audit log
// and calls write with each person in turn, the whole list (MaxLimit at a
// time). A bad parameter is 400 in the page's language.
func (h *server) exportPeople(w http.ResponseWriter, r *http.Request, ext, contentType string,
	write func(w io.Writer, people func(fn func(n int, p *personRow) error) error) error) {
	lang := pageLang(r)
	p, field, msg := h.parsePeople(r)
	if field != "" {
		http.Error(w, peopleMessage(lang, msg), http.StatusBadRequest)
		return
	}
	p.Limit, p.Offset = report.MaxLimit, 0
	first, err := h.people(r.Context(), p)
	if err != nil {
		h.log.ErrorContext(r.Context(), "people export", "figure", p.Figure.Name, "month", p.Month, "err", err)
		http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
		return
	}
	a := adminActor(r)
	h.acc.Record(r.Context(), access.AuditEntry{User: a.User, Action: access.AuditExport, Remote: a.Remote,
		Detail: fmt.Sprintf("%s %s area=%s people=%d %s", p.Month, p.Figure.Name, p.area(), first.Total, ext)})
	fallback, name := exportName(p, first.AreaName, ext)
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", webkit.Attachment(fallback, name))
	people := func(fn func(n int, p *personRow) error) error {
		n, list := 0, first
		for {
			for i := range list.People {
				n++
				if err := fn(n, &list.People[i]); err != nil {
					return err
				}
			}
			if len(list.People) == 0 || list.Offset+len(list.People) >= list.Total {
				return nil
			}
			p.Offset += len(list.People)
			if list, err = h.people(r.Context(), p); err != nil {
				return err
			}
		}
	}
	if err := write(w, people); err != nil {
		// The headers are sent: the client sees a short file.
		h.log.ErrorContext(r.Context(), "people export", "figure", p.Figure.Name, "month", p.Month, "err", err)
	}
}

// servePeopleCSV exports the list as CSV (UTF-8 with a byte-order mark, as
// the report's CSV files, so that Excel on a Chinese PC opens it).
func (h *server) servePeopleCSV(w http.ResponseWriter, r *http.Request) {
	h.exportPeople(w, r, ".csv", "text/csv; charset=utf-8", func(w io.Writer, people func(func(int, *personRow) error) error) error {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
		c := csv.NewWriter(w)
		if err := c.Write(exportColumns); err != nil {
			return err
		}
		if err := people(func(n int, p *personRow) error {
			row := exportRow(n, p)
			for i := range row {
				row[i] = webkit.CSVCell(row[i]) // a typed "=…" is text, never a formula
			}
			return c.Write(row)
		}); err != nil {
			return err
		}
		c.Flush()
		return c.Error()
	})
}

// servePeopleXLSX exports the list as an .xlsx workbook of one sheet.
func (h *server) servePeopleXLSX(w http.ResponseWriter, r *http.Request) {
	h.exportPeople(w, r, ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		func(w io.Writer, people func(func(int, *personRow) error) error) error {
			f := excelize.NewFile()
			defer f.Close()
			const sheet = "名单"
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				return err
			}
			sw, err := f.NewStreamWriter(sheet)
			if err != nil {
				return err
			}
			row := func(n int, cells []string) error {
				vals := make([]any, len(cells))
				for i, c := range cells {
					vals[i] = c
				}
				cell, err := excelize.CoordinatesToCellName(1, n)
				if err != nil {
					return err
				}
				return sw.SetRow(cell, vals)
			}
			if err := row(1, exportColumns); err != nil {
				return err
			}
			if err := people(func(n int, p *personRow) error { return row(n+1, exportRow(n, p)) }); err != nil {
				return err
			}
			if err := sw.Flush(); err != nil {
				return err
			}
			_, err = f.WriteTo(w)
			return err
		})
}
