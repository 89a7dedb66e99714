package hubweb_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
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
	"fieldsync/internal/hubtest"
	"fieldsync/places"
	"fieldsync/records"
	"fieldsync/records/sample"
	"fieldsync/replica"
	"fieldsync/report"
)

// drillCounty is a hub holding a sample county: people in the sample's
// villages with three months of history ending this month, some of them
// without a status this month.
type drillCounty struct {
	*hubtest.AccessServer
	month, prev string
	idNumbers   []string // every worker's, unmasked
}

// newDrillCounty writes n sample workers and their history at the hub.
func newDrillCounty(t *testing.T, n int) *drillCounty {
	t.Helper()
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	now := h.Hub.Now().In(h.Hub.Zone())
	c := &drillCounty{AccessServer: h, month: now.Format(records.MonthLayout),
		prev: now.AddDate(0, -1, 0).Format(records.MonthLayout)}
	key := h.Hub.Replica().Key()
	workers := sample.Workers(n, 17, key, "hub")
	history, err := sample.History(workers, 17, sample.HistoryOptions{Months: 3, Now: now, Station: "hub", Key: key})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range workers {
		for _, cv := range w.Set {
			if cv.Column == "id_number" {
				c.idNumbers = append(c.idNumbers, cv.Value.(string))
			}
		}
	}
	// One status in seven of this month is left out (people with no
	// status), and one person in five has had no follow-up (the ledger's
	// gaps).
	noFollowup := map[any]bool{}
	for i, w := range workers {
		if i%5 == 0 {
			noFollowup[w.Row.String()] = true
		}
	}
	// One person in eleven has no phone, and one of this month's statuses
	// in nine was not verified (imported or old rows): the data-gap figures.
	without := func(e replica.Edit, col string) replica.Edit {
		e.Set = slices.DeleteFunc(slices.Clone(e.Set), func(cv replica.ColumnValue) bool { return cv.Column == col })
		return e
	}
	edits := slices.Clone(workers)
	for i := range edits {
		if i%11 == 3 {
			edits[i] = without(edits[i], "phone")
		}
	}
	for i, e := range history {
		if e.Table == records.MonthlyStatus && columnOf(e, "month") == c.month && i%7 == 0 ||
			e.Table == records.Followups && noFollowup[columnOf(e, "worker_id")] {
			continue
		}
		if e.Table == records.MonthlyStatus && columnOf(e, "month") == c.month && i%9 == 4 {
			e = without(e, "verified_by_method")
		}
		edits = append(edits, e)
	}
	// One person in seven holds a welfare post from the month's first day:
	// those without a 就业 status are the programmes' data gap.
	post := key.Derive(records.WelfarePosts, "保洁岗")
	edits = append(edits, replica.Edit{Table: records.WelfarePosts, Row: post, Set: (&records.WelfarePost{Name: "保洁岗",
		Village: "150421100001", Kind: records.WelfarePostKinds[0], Headcount: 100, Employer: "镇政府"}).Columns()})
	start, _ := time.Parse(records.MonthLayout, c.month)
	for i, w := range workers {
		if i%7 == 2 {
			pl := records.WelfarePlacement{WorkerID: w.Row.String(), PostID: post.String(), ContractKind: records.ContractKinds[0],
				ContractStart: start.Format(records.DateLayout), ContractEnd: start.AddDate(1, 0, -1).Format(records.DateLayout),
				InsuranceKind: records.InsuranceKinds[0], InsuranceStart: start.Format(records.DateLayout),
				InsuranceEnd: start.AddDate(1, 0, -1).Format(records.DateLayout)}
			edits = append(edits, replica.Edit{Table: records.WelfarePlacements, Row: key.Derive(records.WelfarePlacements, w.Row.String()),
				Set: pl.Columns()})
		}
	}
	ctx := context.Background()
	for len(edits) > 0 {
		k := min(len(edits), 500)
		if _, err := h.Hub.Write(ctx, edits[:k]...); err != nil {
			t.Fatal(err)
		}
		edits = edits[k:]
	}
	return c
}

// columnOf is the value of column in e.
func columnOf(e replica.Edit, column string) any {
	for _, cv := range e.Set {
		if cv.Column == column {
			return cv.Value
		}
	}
	return nil
}

// figures are the month's figures as GET /api/dashboard gives them.
func (c *drillCounty) figures(t *testing.T, token, month string) *report.Figures {
	t.Helper()
	resp, b := c.Get("/api/dashboard?month="+month, token)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("dashboard: %s %s", resp.Status, b)
	}
	var f report.Figures
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// peopleList is GET /api/people's answer.
type peopleList struct {
	Figure, Title, Month, Area string
	AreaName                   string `json:"area_name"`
	Total, Limit, Offset       int
	People                     []struct {
		report.Person
		VillageName string `json:"village_name"`
	}
}

// people calls GET /api/people with the query.
func (c *drillCounty) people(t *testing.T, token string, q url.Values) *peopleList {
	t.Helper()
	resp, b := c.Get("/api/people?"+q.Encode(), token)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("people %s: %s %s", q.Encode(), resp.Status, b)
	}
	var l peopleList
	if err := json.Unmarshal(b, &l); err != nil {
		t.Fatal(err)
	}
	return &l
}

// biggest is the code of the area (its first n digits) with the most
// workers in f, of the villages the division table names (some of the
// sample's villages it does not know).
func biggest(f *report.Figures, n int) string {
	count := map[string]int{}
	best := ""
	for _, v := range f.Villages {
		if len(v.Code) != 12 || !places.LabelOf(v.Code).Known {
			continue
		}
		a := v.Code[:n]
		count[a] += v.Workers
		if best == "" || count[a] > count[best] {
			best = a
		}
	}
	return best
}

// Every figure of the dashboard opens to as many people as it says: for
// the county, a township and a village.
func TestPeopleAPIMatchesFigures(t *testing.T) {
	c := newDrillCounty(t, 240)
	tok := c.AdminToken("查看员", access.RoleViewer)
	f := c.figures(t, tok, c.month)
	town, village := biggest(f, 9), biggest(f, 12)
	areas := []struct{ township, village, area string }{{"", "", ""}, {town, "", town}, {"", village, village}, {village[:9], village, village}}
	checked := 0
	for _, d := range report.DrillFigures {
		if d.Value(f) == 0 && d.Name != report.FigNoStatus {
			t.Errorf("%s: the test county has none, so the test proves nothing for it", d.Name)
		}
		for _, a := range areas {
			want, ok := d.AreaValue(f, a.area)
			if !ok {
				continue
			}
			q := url.Values{"month": {c.month}, "figure": {d.Name}, "limit": {"1000"}}
			if a.township != "" {
				q.Set("township", a.township)
			}
			if a.village != "" {
				q.Set("village", a.village)
			}
			l := c.people(t, tok, q)
			checked++
			if l.Total != want || len(l.People) != min(want, 1000) {
				t.Errorf("%s in %q: %d people (%d listed), the figure says %d", d.Name, a.area, l.Total, len(l.People), want)
			}
			if l.Figure != d.Name || l.Title != d.Title || l.Month != c.month || l.Area != a.area {
				t.Errorf("%s in %q: answer names %s %s %s %q", d.Name, a.area, l.Figure, l.Title, l.Month, l.Area)
			}
			for _, p := range l.People {
				if a.area != "" && !strings.HasPrefix(p.Village, a.area) {
					t.Errorf("%s in %s: %s lives in %s", d.Name, a.area, p.Name, p.Village)
				}
			}
		}
	}
	if f.Workers-f.Lists.Count.Total() == 0 {
		t.Error("everyone has a status: the test county should have people without one")
	}
	if checked < 2*len(report.DrillFigures) {
		t.Errorf("only %d lists checked", checked)
	}
	// Names, not codes, and masked id numbers.
	l := c.people(t, tok, url.Values{"month": {c.month}, "figure": {report.FigWorkers}, "village": {village}})
	if l.AreaName == "" || l.AreaName == village || l.People[0].VillageName == "" || l.People[0].VillageName == village {
		t.Errorf("village %s named %q, its people's village %q", village, l.AreaName, l.People[0].VillageName)
	}
	for _, p := range l.People {
		if !maskedID.MatchString(p.IDNumber) {
			t.Errorf("id number not masked: %q", p.IDNumber)
		}
	}
}

// maskedID is a masked id number: the first four and the last four shown.
var maskedID = regexp.MustCompile(`^\d{4}\*{10}\d{3}[\dX]$`)

// Paging: pages of a list follow each other without overlap and add up
// to the total.
func TestPeopleAPIPaging(t *testing.T) {
	c := newDrillCounty(t, 60)
	tok := c.AdminToken("查看员", access.RoleViewer)
	seen := map[string]bool{}
	total := -1
	for offset := 0; ; offset += 25 {
		l := c.people(t, tok, url.Values{"month": {c.month}, "figure": {report.FigWorkers}, "limit": {"25"}, "offset": {fmt.Sprint(offset)}})
		if total < 0 {
			total = l.Total
		}
		if l.Total != total || l.Limit != 25 || l.Offset != offset {
			t.Fatalf("offset %d: total %d limit %d offset %d", offset, l.Total, l.Limit, l.Offset)
		}
		for _, p := range l.People {
			if seen[p.ID] {
				t.Fatalf("%s on two pages", p.ID)
			}
			seen[p.ID] = true
		}
		if len(l.People) < 25 {
			if offset+len(l.People) != total {
				t.Fatalf("last page at %d has %d of %d", offset, len(l.People), total)
			}
			break
		}
	}
	if len(seen) != 60 || total != 60 {
		t.Fatalf("%d people seen, total %d, want 60", len(seen), total)
	}
	if l := c.people(t, tok, url.Values{"month": {c.month}, "figure": {report.FigWorkers}}); l.Limit != 100 || len(l.People) != 60 {
		t.Errorf("default page: limit %d, %d people", l.Limit, len(l.People))
	}
}

// A bad parameter is 400 with the field named, in Chinese, from the API and
// the page; no session is 401 from the API and a redirect from the page.
func TestPeopleBadRequests(t *testing.T) {
	c := newDrillCounty(t, 10)
	tok := c.AdminToken("查看员", access.RoleViewer)
	web := c.LoggedIn("看板员", access.RoleViewer)
	m := "&month=" + c.month
	for _, tc := range []struct{ query, field, word string }{
		{"month=2026-13&figure=workers", "month", "月份"},
		{"month=12&figure=workers", "month", "月份"},
		{"figure=salaries" + m, "figure", "指标"},
		{"figure=" + m, "figure", "指标"},
		{"figure=workers&township=15042110" + m, "township", "苏木乡镇"},
		{"figure=workers&township=abcdefghi" + m, "township", "苏木乡镇"},
		{"figure=workers&village=1504211002" + m, "village", "嘎查村"},
		{"figure=workers&township=150421200&village=150421100200" + m, "village", "嘎查村"},
		{"figure=workers&limit=0" + m, "limit", "每页人数"},
		{"figure=workers&limit=1001" + m, "limit", "每页人数"},
		{"figure=workers&offset=-1" + m, "offset", "起始位置"},
	} {
		st, body := c.Call("GET", "/api/people?"+tc.query, tok)
		if msg, _ := body["error"].(string); st != http.StatusBadRequest || body["field"] != tc.field || !strings.HasPrefix(msg, tc.word) {
			t.Errorf("api %s: %d %v", tc.query, st, body)
		}
		st, _, page := hubtest.Page(t, web, c.URL()+"/people?"+tc.query)
		if st != http.StatusBadRequest || !strings.Contains(page, `id="error"`) || !strings.Contains(page, tc.word+"：") {
			t.Errorf("page %s: %d", tc.query, st)
		}
	}
	if st, _ := c.Call("GET", "/api/people?figure=workers"+m, ""); st != http.StatusUnauthorized {
		t.Errorf("api without a token: %d", st)
	}
	for _, p := range []string{"/people?figure=workers" + m, "/people.xlsx?figure=workers" + m, "/people.csv?figure=workers" + m} {
		if st, loc, _ := hubtest.Page(t, c.Client(), c.URL()+p); st != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Errorf("%s without a session: %d %q", p, st, loc)
		}
	}
}

// The people page: its title names the month, the figure, the area and the
// count; names link to the workers' pages; pages of 100; masked ids.
func TestPeoplePage(t *testing.T) {
	c := newDrillCounty(t, 130)
	web := c.LoggedIn("看板员", access.RoleViewer)
	f := c.figures(t, c.AdminToken("读者", access.RoleViewer), c.month)
	town := biggest(f, 9)
	d, _ := report.DrillFigureNamed(report.FigWorkers)
	want, _ := d.AreaValue(f, town)
	st, _, body := hubtest.Page(t, web, c.URL()+"/people?month="+c.month+"&figure=workers&township="+town)
	if st != http.StatusOK {
		t.Fatalf("people page: %d\n%s", st, body)
	}
	title := fmt.Sprintf("%s · 登记人数 · %s（%d人）", report.MonthTitle(c.month), places.LabelOf(town).Name, want)
	if !strings.Contains(body, "<h1>"+title+"</h1>") {
		t.Errorf("people page without the title %q", title)
	}
	if n := strings.Count(body, `<a href="/workers/`); n != min(want, 100) {
		t.Errorf("%d names link to their workers, want %d", n, min(want, 100))
	}
	for _, id := range c.idNumbers {
		if strings.Contains(body, id) {
			t.Fatalf("the page shows an id number unmasked")
		}
	}
	if strings.Contains(body, "export-xlsx") || strings.Contains(body, "people.xlsx") {
		t.Error("a viewer is offered the export")
	}
	// All 130: two pages.
	_, _, body = hubtest.Page(t, web, c.URL()+"/people?month="+c.month+"&figure=workers")
	if !strings.Contains(body, "第 1–100 人，共 130 人") || !strings.Contains(body, `id="page-next"`) || strings.Contains(body, `id="page-prev"`) {
		t.Error("first page of 130 without its paging")
	}
	_, _, body = hubtest.Page(t, web, c.URL()+"/people?month="+c.month+"&figure=workers&offset=100")
	if !strings.Contains(body, "第 101–130 人，共 130 人") || strings.Contains(body, `id="page-next"`) || !strings.Contains(body, `id="page-prev"`) ||
		strings.Count(body, `<a href="/workers/`) != 30 {
		t.Error("second page of 130 wrong")
	}
}

// Exports: only the roles allowed to export (resolver, owner) get the
// file, with a Chinese name, masked id numbers and every person of the
// list; each export is in the audit log. A viewer and a station manager
// get 403.
func TestPeopleExport(t *testing.T) {
	c := newDrillCounty(t, 120)
	tok := c.AdminToken("读者", access.RoleViewer)
	f := c.figures(t, tok, c.month)
	d, _ := report.DrillFigureNamed(report.FigGapMonth)
	want := d.Value(f)
	if want == 0 {
		t.Fatal("no one without a follow-up this month: the export proves nothing")
	}
	q := "?month=" + c.month + "&figure=" + report.FigGapMonth
	for _, role := range []access.Role{access.RoleViewer, access.RoleStationManager} {
		web := c.LoggedIn("u-"+string(role), role)
		for _, p := range []string{"/people.xlsx", "/people.csv"} {
			if st, _, _ := hubtest.Page(t, web, c.URL()+p+q); st != http.StatusForbidden {
				t.Errorf("%s exports %s: %d", role, p, st)
			}
		}
	}
	web := c.LoggedIn("处理员", access.RoleResolver)
	_, _, page := hubtest.Page(t, web, c.URL()+"/people"+q)
	if !strings.Contains(page, `id="export-xlsx"`) {
		t.Error("a resolver is not offered the export")
	}
	resp, err := web.Get(c.URL() + "/people.xlsx" + q)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	resp.Body.Close()
	name := report.MonthTitle(c.month) + "本月未帮扶名单.xlsx"
	if cd := resp.Header.Get("Content-Disposition"); resp.StatusCode != http.StatusOK || !strings.Contains(cd, "filename*=UTF-8''"+url.PathEscape(name)) {
		t.Fatalf("export: %s %q", resp.Status, cd)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("名单")
	if err != nil || len(rows) != 1+want {
		t.Fatalf("export: %v, %d rows, want %d", err, len(rows), 1+want)
	}
	idCol := slices.Index(rows[0], "公民身份号码（脱敏）")
	for _, r := range rows[1:] {
		if !maskedID.MatchString(r[idCol]) {
			t.Fatalf("export holds an id number unmasked: %q", r[idCol])
		}
	}
	resp, err = web.Get(c.URL() + "/people.csv" + q)
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	buf.ReadFrom(resp.Body)
	resp.Body.Close()
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\ufeff")))).ReadAll()
	if resp.StatusCode != http.StatusOK || err != nil || len(recs) != 1+want {
		t.Fatalf("csv export: %s %v, %d records", resp.Status, err, len(recs))
	}
	for _, id := range c.idNumbers {
		if strings.Contains(buf.String(), id) {
			t.Fatal("the csv export holds an id number unmasked")
		}
	}
	owner := c.AdminToken("主管", access.RoleOwner)
	hubtest.WaitFor(t, 5*time.Second, "the exports in the audit log", func() bool {
		_, body := c.Call("GET", "/api/audit?limit=50", owner)
		entries, _ := body["entries"].([]any)
		n := 0
		for _, e := range entries {
			m, _ := e.(map[string]any)
			if m["action"] == access.AuditExport && m["user"] == "处理员" && strings.Contains(fmt.Sprint(m["detail"]), report.FigGapMonth) {
				n++
			}
		}
		return n == 2
	})
}

// The dashboard by township: the cards show the township's values (a
// figure the villages do not break down shows — and says why), the village
// table only the township's villages, by name, every number a link to its
// list.
func TestDashboardByTownship(t *testing.T) {
	c := newDrillCounty(t, 120)
	f := c.figures(t, c.AdminToken("读者", access.RoleViewer), c.month)
	town := biggest(f, 9)
	web := c.LoggedIn("看板员", access.RoleViewer)
	st, _, body := hubtest.Page(t, web, c.URL()+"/dashboard?month="+c.month+"&township="+town)
	if st != http.StatusOK {
		t.Fatalf("dashboard of %s: %d", town, st)
	}
	countyOnly := 0
	for _, d := range report.DrillFigures {
		card := regexp.MustCompile(`id="card-` + d.Name + `" href="([^"]+)"( title="[^"]*")?>.*\n<span class="dash-card-value">([^<]+)</span>`).FindStringSubmatch(body)
		if card == nil {
			t.Errorf("no card for %s", d.Name)
			continue
		}
		href := strings.ReplaceAll(card[1], "&amp;", "&")
		if !strings.Contains(href, "figure="+d.Name) || !strings.Contains(href, "township="+town) || !strings.Contains(href, "month="+c.month) {
			t.Errorf("%s card links to %s", d.Name, href)
		}
		want, ok := d.AreaValue(f, town)
		switch {
		case !ok:
			countyOnly++
			if card[3] != "—" || !strings.Contains(card[2], "仅有全旗县数") {
				t.Errorf("%s has no value by township, its card shows %q %q", d.Name, card[3], card[2])
			}
		case card[3] != fmt.Sprint(want):
			t.Errorf("%s in %s: card shows %s, want %d", d.Name, town, card[3], want)
		}
	}
	if countyOnly == 0 {
		t.Log("every figure has a value by township: the county-only card is not checked")
	}
	villages := body[strings.Index(body, `id="by-village"`):strings.Index(body, `id="charts"`)]
	for _, v := range f.Villages {
		in := strings.HasPrefix(v.Code, town)
		if l := places.LabelOf(v.Code); l.Known && strings.Contains(villages, ">"+l.Name+"<") != in {
			t.Errorf("village %s (%s) of township %v: in the table %v", v.Code, l.Name, in, !in)
		}
	}
	links := regexp.MustCompile(`<td class="n"><a href="/people\?([^"]+)">`).FindAllStringSubmatch(villages, -1)
	if len(links) == 0 {
		t.Fatal("the village table links to no list")
	}
	for _, m := range links {
		q, err := url.ParseQuery(strings.ReplaceAll(m[1], "&amp;", "&"))
		if err != nil || q.Get("month") != c.month || q.Get("township") != town || !strings.HasPrefix(q.Get("village"), town) || q.Get("figure") == "" {
			t.Errorf("village table link %s", m[1])
		}
	}
}

// The navigation's 人员名单 links /people with no figure: everyone
// registered, not an error page.
func TestPeopleWithoutFigureListsEveryone(t *testing.T) {
	c := newDrillCounty(t, 10)
	web := c.LoggedIn("看板员", access.RoleViewer)
	st, _, page := hubtest.Page(t, web, c.URL()+"/people")
	if st != http.StatusOK || !strings.Contains(page, "登记人数") {
		t.Fatalf("/people without a figure: %d\n%s", st, page)
	}
}

// A list exported as CSV opens in a spreadsheet: a cell a station typed as
// a formula (a person's name, a work place) is exported as text, never run
// (OWASP's CSV injection; webkit.CSVCell), as the station's exports do.
func TestPeopleCSVExportNeutralisesFormulas(t *testing.T) {
	c := newDrillCounty(t, 10)
	ctx := context.Background()
	key := c.Hub.Replica().Key()
	id := key.Derive(records.Workers, c.idNumbers[0])
	formula := `=HYPERLINK("http://evil.example/","点击")`
	if _, err := c.Hub.Write(ctx, replica.Edit{Table: records.Workers, Row: id,
		Set: []replica.ColumnValue{{Column: "name", Value: formula}}}); err != nil {
		t.Fatal(err)
	}
	web := c.LoggedIn("处理员", access.RoleResolver)
	resp, err := web.Get(c.URL() + "/people.csv?month=" + c.month + "&figure=" + report.FigWorkers)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %s %v", resp.Status, err)
	}
	found := false
	for _, r := range rows[1:] {
		for _, cell := range r {
			if strings.HasPrefix(cell, "=") || strings.HasPrefix(cell, "+") || strings.HasPrefix(cell, "@") {
				t.Errorf("a cell exported as a formula: %q", cell)
			}
			if cell == "'"+formula {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("the formula-like name is not in the export as text: %q", rows)
	}
}
