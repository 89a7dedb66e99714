package hubweb

import (
	"bytes"
	"errors"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"fieldsync/hub/access"
	"fieldsync/places"
	"fieldsync/records"
	"fieldsync/report"
	"fieldsync/webkit"
)

// The dashboard page: the month's key figures first, as cards with the
// change on last month, then the figures by 苏木乡镇 and by 嘎查村 (names, not
// codes), every number a link to the people behind it (/people, see
// peopleweb.go); a 苏木乡镇 filter and a Chinese month picker; the charts
// and the stations below, folded; the report's downloads.

// dashPageText holds the dashboard's and the people lists' page texts:
// Chinese, English.
var dashPageText = webkit.Catalogue{
	"d_title":         {"就业监测看板", "Employment dashboard"},
	"d_month":         {"月份", "Month"},
	"d_township":      {"苏木乡镇", "Township"},
	"d_village":       {"嘎查村", "Village"},
	"d_county":        {"全旗县", "Whole county"},
	"d_show":          {"查看", "Show"},
	"d_prev":          {"‹ 上月", "‹ Previous month"},
	"d_next":          {"下月 ›", "Next month ›"},
	"d_change":        {"较上月", "on last month"},
	"d_no_prev":       {"上月无数据", "no figure last month"},
	"d_only_all":      {"仅有全旗县数，不分苏木乡镇", "County-wide only: not broken down by township"},
	"d_by_town":       {"按苏木乡镇", "By township"},
	"d_by_vill":       {"按嘎查村", "By village"},
	"d_no_area":       {"未填写居住嘎查村", "No residence village recorded"},
	"d_charts":        {"图表", "Charts"},
	"d_no_data":       {"暂无数据", "No data"},
	"d_stations":      {"服务站", "Stations"},
	"d_silent":        {"沉默服务站", "Silent stations"},
	"d_silent_n":      {"天未同步为沉默", "days without a sync make a station silent"},
	"d_st_status":     {"状态", "Status"},
	"d_st_days":       {"距上次同步（天）", "Days since sync"},
	"d_st_up":         {"待上传", "To upload"},
	"d_st_down":       {"待下发", "To send"},
	"d_st_confl":      {"未解决冲突", "Open conflicts"},
	"d_never":         {"从未", "never"},
	"d_st_none":       {"尚未登记服务站", "No station enrolled yet"},
	"d_online":        {"在线", "online"},
	"d_offline":       {"离线", "offline"},
	"d_silent1":       {"沉默", "silent"},
	"d_downloads":     {"下载月报", "Download the report"},
	"d_sheets":        {"单表（CSV）", "One sheet (CSV)"},
	"d_fill_rate":     {"零工填补率", "Gig fill rate"},
	"d_people":        {"点击数字查看人员名单", "Click a number for the people behind it"},
	"d_persons":       {"人", " people"},
	"d_programmes":    {"就业帮扶项目", "Placement programmes"},
	"d_prog_hint":     {"点击查看项目清单", "Click a figure for the programme's page"},
	"d_services":      {"就业服务", "Services to people"},
	"d_svc_hint":      {"点击下载月报对应的表", "Click a figure for its sheet of the report"},
	"bad_month_field": {"月份：格式应为 YYYY-MM，例如 2026-11", "Month: must be YYYY-MM, e.g. 2026-11"},
	"bad_town_field":  {"苏木乡镇：应为 9 位区划代码，例如 150421100", "Township: must be a 9-digit division code, e.g. 150421100"},
}

// monthsShown is how many months the month picker offers, ending with this
// month.
const monthsShown = 24

var dashboardTmpl = mustTemplate("dashboard", dashFuncs(), true)

// dashFuncs are the dashboard's and the people lists' template functions:
// the pages' own, and a month written as the county writes it (2026年12月).
func dashFuncs() template.FuncMap {
	f := maps.Clone(webFuncs)
	f["monthTitle"] = report.MonthTitle
	f["mul100"] = func(v float64) float64 { return v * 100 }
	return f
}

// dashboardChart is one chart of the page: its SVG, drawn on the server,
// and the table beneath it.
type dashboardChart struct {
	ID    string
	Title string
	SVG   template.HTML // from report.ChartSVG: no script, escaped text
	Head  []string
	Rows  [][]string
}

// monthOption is one month of the month picker.
type monthOption struct {
	Value, Title string
	Selected     bool
}

// areaOption is one township of the filter.
type areaOption struct {
	Code, Name string
	Selected   bool
}

// figureCard is one key figure of the month: its value (in the township
// when the page is filtered), the change on last month, and the link to
// its people.
type figureCard struct {
	Name, Title string
	Value       int
	// CountyOnly: the figure has no value by township (filtered page).
	CountyOnly bool
	Change     int
	HasChange  bool
	Href       string
}

// programmeCard is one headline figure of the placement programmes: its
// value (in the township when the figure has one by township), the change
// on last month, and the link to the hub's programme page.
type programmeCard struct {
	Name, Title string
	Value       string
	// CountyOnly: the page is filtered but the figure is the county's.
	CountyOnly bool
	Change     string // "" without last month's figure
	Href       string
}

// programmeCards are the programmes' headline figures of f (and prev, last
// month's, may be nil), within township ("" for the county).
func programmeCards(f, prev *report.Figures, township string) []programmeCard {
	type figure struct {
		name, title, href string
		value             func(p *report.ProgrammeFigures) float64
		// byTown is the figure in one township; nil for county-only.
		byTown func(p *report.ProgrammeFigures, code string) float64
		money  bool
	}
	welfareIn := func(p *report.ProgrammeFigures, code string) float64 {
		for _, t := range p.Welfare.ByTownship {
			if t.Code == code {
				return float64(t.People)
			}
		}
		return 0
	}
	exportIn := func(p *report.ProgrammeFigures, code string) float64 {
		for _, b := range p.Export.ByTownship {
			if b.Key == code {
				return float64(b.Count)
			}
		}
		return 0
	}
	figures := []figure{
		{"programme_welfare", report.TitleWelfarePeople, "/programmes/welfare",
			func(p *report.ProgrammeFigures) float64 { return float64(p.Welfare.People) }, welfareIn, false},
		{"programme_workshops", report.TitleWorkshops, "/programmes/workshops",
			func(p *report.ProgrammeFigures) float64 { return float64(p.Workshops.WithPeople) }, nil, false},
		{"programme_workshop_poverty", report.TitleWorkshopPoverty, "/programmes/workshops",
			func(p *report.ProgrammeFigures) float64 { return float64(p.Workshops.Poverty) }, nil, false},
		{"programme_shared", report.TitleSharedAgreements, "/programmes/shared",
			func(p *report.ProgrammeFigures) float64 { return float64(p.Shared.Agreements) }, nil, false},
		{"programme_work_relief", report.TitleWorkReliefPeople, "/programmes/work-relief",
			func(p *report.ProgrammeFigures) float64 { return float64(p.WorkRelief.People) }, nil, false},
		{"programme_work_relief_pay", report.TitleWorkReliefPay, "/programmes/work-relief",
			func(p *report.ProgrammeFigures) float64 { return p.WorkRelief.PayMonth }, nil, true},
		{"programme_export", report.TitleExportPeople, "/programmes/export",
			func(p *report.ProgrammeFigures) float64 { return float64(p.Export.People) }, exportIn, false},
	}
	format := func(v float64, money bool) string {
		if money {
			return strconv.FormatFloat(v, 'f', 2, 64)
		}
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	var out []programmeCard
	for _, x := range figures {
		val := func(f *report.Figures) float64 {
			if township != "" && x.byTown != nil {
				return x.byTown(&f.Programmes, township)
			}
			return x.value(&f.Programmes)
		}
		c := programmeCard{Name: x.name, Title: x.title, Href: x.href, Value: format(val(f), x.money),
			CountyOnly: township != "" && x.byTown == nil}
		if prev != nil {
			d := val(f) - val(prev)
			c.Change = format(d, x.money)
			if d >= 0 {
				c.Change = "+" + c.Change
			}
		}
		out = append(out, c)
	}
	return out
}

// areaCell is one figure of a township or village row, and its list.
type areaCell struct {
	Value int
	Href  string // "" when there is no list to open
}

// areaRow is a township or a village with the figures broken down by area.
type areaRow struct {
	Code, Name, Title string
	Cells             []areaCell
}

// downloadLink is a report download, named as the file is.
type downloadLink struct {
	Href, Name string
}

// dashboardView is the dashboard page's data (page.Data).
type dashboardView struct {
	Month, MonthTitle string
	Prev, Next        string // the neighbouring months; Next "" after this month
	Months            []monthOption
	Township          string // the filter's code; "" for the whole county
	TownshipName      string
	Townships         []areaOption
	Fig               *report.Figures
	Cards             []figureCard
	ProgrammeCards    []programmeCard
	ServiceCards      []programmeCard
	Columns           []string // the titles of the figures the tables break down
	TownRows          []areaRow
	VillageRows       []areaRow
	Charts            []dashboardChart
	XLSX              downloadLink
	CSV               []downloadLink
}

// routesDashboardPage adds the dashboard page and its downloads, and the
// lists of people behind its figures, for web sessions.
func (h *server) routesDashboardPage(mux *http.ServeMux) {
	mux.Handle("GET /dashboard", h.pageFor(access.PermView, h.serveDashboardPage))
	mux.Handle("GET /dashboard/report.xlsx", h.pageFor(access.PermView, h.serveReportXLSX))
	mux.Handle("GET /dashboard/report.csv", h.pageFor(access.PermView, h.serveReportCSV))
	h.routesPeoplePages(mux)
}

// thisMonth is the month of now in the hub's zone.
func (h *server) thisMonth() string {
	return h.now().In(h.Zone()).Format(records.MonthLayout)
}

// addMonths is month (YYYY-MM, valid) n months later.
func addMonths(month string, n int) string {
	t, err := time.Parse(records.MonthLayout, month)
	if err != nil {
		return month
	}
	return t.AddDate(0, n, 0).Format(records.MonthLayout)
}

// monthOptions are the months of the picker: the monthsShown months up to
// this month, newest first, and the month shown if it is outside them.
func monthOptions(this, shown string) []monthOption {
	var out []monthOption
	found := false
	for i := range monthsShown {
		m := addMonths(this, -i)
		out = append(out, monthOption{Value: m, Title: report.MonthTitle(m), Selected: m == shown})
		found = found || m == shown
	}
	if !found {
		opt := monthOption{Value: shown, Title: report.MonthTitle(shown), Selected: true}
		if shown > this {
			out = append([]monthOption{opt}, out...)
		} else {
			out = append(out, opt)
		}
	}
	return out
}

// validArea reports whether code is a division code of n digits.
func validArea(code string, n int) bool {
	return len(code) == n && strings.Trim(code, "0123456789") == ""
}

// areaNames are the names the pages give division codes: those the
// figures carry (the division table's, else the station directory's),
// else the division table's, else the code.
type areaNames map[string]string

// namesOf collects the names the figures carry.
func namesOf(figs ...*report.Figures) areaNames {
	n := areaNames{}
	for _, f := range figs {
		if f == nil {
			continue
		}
		for _, t := range f.Lists.Townships {
			if t.Name != "" {
				n[t.Code] = t.Name
			}
			for _, v := range t.Villages {
				if v.Name != "" {
					n[v.Code] = v.Name
				}
			}
		}
		for _, v := range f.Villages {
			if v.Name != "" {
				n[v.Code] = v.Name
			}
		}
	}
	return n
}

// name is the name of code ("" for no code).
func (n areaNames) name(code string) string {
	if code == "" {
		return ""
	}
	if s, ok := n[code]; ok {
		return s
	}
	return places.LabelOf(code).Name
}

// title is the tooltip of code: its path and code when the division table
// knows it, else the code.
func (n areaNames) title(code string) string {
	if t := places.LabelOf(code).Title(); t != "" {
		return t
	}
	return code
}

// peopleHref is the link to the people behind figure in month, within a
// township and/or a village ("" for none).
func peopleHref(month, figure, township, village string) string {
	q := url.Values{"month": {month}, "figure": {figure}}
	if township != "" {
		q.Set("township", township)
	}
	if village != "" {
		q.Set("village", village)
	}
	return "/people?" + q.Encode()
}

// byArea reports whether figure d has values by township and village.
func byArea(d report.DrillFigure) bool {
	_, ok := d.AreaValue(&report.Figures{}, "-")
	return ok
}

// dashboardView builds the page's data from the month's figures and last
// month's, within township ("" for the county).
func newDashboardView(f, prev *report.Figures, month, this, township string) *dashboardView {
	names := namesOf(f, prev)
	v := &dashboardView{Month: month, MonthTitle: report.MonthTitle(month), Prev: addMonths(month, -1),
		Months: monthOptions(this, month), Township: township, TownshipName: names.name(township), Fig: f}
	if next := addMonths(month, 1); next <= this {
		v.Next = next
	}
	towns := map[string]bool{}
	for _, r := range f.Villages {
		if len(r.Code) == 12 {
			towns[r.Code[:9]] = true
		}
	}
	if township != "" {
		towns[township] = true
	}
	for _, code := range slices.Sorted(maps.Keys(towns)) {
		v.Townships = append(v.Townships, areaOption{Code: code, Name: names.name(code), Selected: code == township})
	}
	for _, d := range report.DrillFigures {
		c := figureCard{Name: d.Name, Title: d.Title, Href: peopleHref(month, d.Name, township, "")}
		val, ok := d.AreaValue(f, township)
		if !ok {
			c.CountyOnly = true
			v.Cards = append(v.Cards, c)
			continue
		}
		c.Value = val
		if prev != nil {
			if p, ok := d.AreaValue(prev, township); ok {
				c.Change, c.HasChange = val-p, true
			}
		}
		v.Cards = append(v.Cards, c)
	}
	v.ProgrammeCards = programmeCards(f, prev, township)
	v.ServiceCards = serviceCards(f, prev, month, township)
	var cols []report.DrillFigure
	for _, d := range report.DrillFigures {
		if byArea(d) {
			cols = append(cols, d)
			v.Columns = append(v.Columns, d.Title)
		}
	}
	row := func(code, town, village string) areaRow {
		r := areaRow{Code: code, Name: names.name(code), Title: names.title(code)}
		for _, d := range cols {
			n, _ := d.AreaValue(f, code)
			r.Cells = append(r.Cells, areaCell{Value: n, Href: peopleHref(month, d.Name, town, village)})
		}
		return r
	}
	for _, t := range v.Townships {
		if township == "" || t.Code == township {
			v.TownRows = append(v.TownRows, row(t.Code, t.Code, ""))
		}
	}
	// The people without a residence village are the county's less those
	// of every village: a row of their own, with no list to open (an area
	// of "" is the whole county).
	rest := make([]int, len(cols))
	for i, d := range cols {
		rest[i] = d.Value(f)
	}
	for _, r := range f.Villages {
		if len(r.Code) != 12 {
			continue
		}
		vr := row(r.Code, township, r.Code)
		for i, c := range vr.Cells {
			rest[i] -= c.Value
		}
		if township == "" || strings.HasPrefix(r.Code, township) {
			v.VillageRows = append(v.VillageRows, vr)
		}
	}
	if township == "" && slices.ContainsFunc(rest, func(n int) bool { return n != 0 }) {
		r := areaRow{Name: "—"}
		for _, n := range rest {
			r.Cells = append(r.Cells, areaCell{Value: n})
		}
		v.VillageRows = append(v.VillageRows, r)
	}
	v.XLSX = downloadLink{Href: "/dashboard/report.xlsx?month=" + month, Name: report.FileName(month, "", ".xlsx")}
	for _, s := range report.Sheets {
		v.CSV = append(v.CSV, downloadLink{Href: "/dashboard/report.csv?" + url.Values{"month": {month}, "sheet": {s}}.Encode(),
			Name: report.FileName(month, s, ".csv")})
	}
	return v
}

// serveDashboardPage renders the month's dashboard (?month=YYYY-MM, this
// month when absent; ?township=CODE filters the cards and the village
// table): a bad month or township is 400 with the field named.
func (h *server) serveDashboardPage(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r)
	p := h.newPage(r, lang, "d_title")
	month, township := h.monthParam(r), r.URL.Query().Get("township")
	this := h.thisMonth()
	switch {
	case !records.ValidMonth(month):
		p.Error = tw(lang, "bad_month_field")
		p.Data = &dashboardView{Months: monthOptions(this, this)}
		h.render(w, r, dashboardTmpl, http.StatusBadRequest, p)
		return
	case township != "" && !validArea(township, 9):
		p.Error = tw(lang, "bad_town_field")
		p.Data = &dashboardView{Month: month, Months: monthOptions(this, month)}
		h.render(w, r, dashboardTmpl, http.StatusBadRequest, p)
		return
	}
	fig, err := h.Dashboard(r.Context(), month)
	var prev *report.Figures
	if err == nil {
		prev, err = h.Dashboard(r.Context(), addMonths(month, -1))
	}
	if err != nil {
		h.log.ErrorContext(r.Context(), "dashboard page", "month", month, "err", err)
		http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
		return
	}
	v := newDashboardView(fig, prev, month, this, township)
	v.Charts = h.dashboardCharts(r, fig)
	p.Data = v
	h.render(w, r, dashboardTmpl, http.StatusOK, p)
}

// dashboardCharts draws the month's charts, each with its table.
func (h *server) dashboardCharts(r *http.Request, fig *report.Figures) []dashboardChart {
	var charts []dashboardChart
	for _, c := range report.Charts(fig) {
		dc := dashboardChart{ID: c.ID, Title: c.Title}
		var buf bytes.Buffer
		switch err := report.ChartSVG(&buf, c); {
		case err == nil:
			dc.SVG = template.HTML(buf.String()) // #nosec: report.ChartSVG escapes its text
		case !errors.Is(err, report.ErrEmptyChart):
			h.log.WarnContext(r.Context(), "dashboard chart", "chart", c.ID, "err", err)
		}
		if t := c.Table(); len(t) > 0 {
			dc.Head, dc.Rows = t[0], t[1:]
		}
		charts = append(charts, dc)
	}
	return charts
}
