package hubweb_test

import (
	"bytes"
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

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/internal/browsertest"
	"fieldsync/internal/hubtest"
	"fieldsync/places"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// withColumn is e with column set to value.
func withColumn(e replica.Edit, column string, value any) replica.Edit {
	for i := range e.Set {
		if e.Set[i].Column == column {
			e.Set[i].Value = value
			return e
		}
	}
	e.Set = append(e.Set, replica.ColumnValue{Column: column, Value: value})
	return e
}

// placeSpan is how a page shows a known place: its name, with its path and
// code in the tooltip.
func placeSpan(code string) string {
	p, _ := places.Lookup(code)
	return fmt.Sprintf(`<span class="place" title="%s（%s）">%s</span>`, p.Path, code, p.Name)
}

// The hub's pages show places by name where they used to show codes: a
// field conflict on a village in the queue, on its page and on the worker's
// page (its fields, its open conflicts and its history), with the path and
// the code in the tooltip.
func TestHubPagesNamePlaces(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	ea, eb := h.Enroll("站A"), h.Enroll("站B")
	a := hubtest.NewStation(t, ea, syncclient.Config{})
	b := hubtest.NewStation(t, eb, syncclient.Config{})
	shared := hubtest.IDNumber(31)
	wid := ea.Key.Derive(records.Workers, shared)
	a.Write(withColumn(hubtest.WorkerEdit(ea.Key, shared, "娜仁", "13500000001"), "hukou_village", "150421100207"))
	b.Write(withColumn(hubtest.WorkerEdit(eb.Key, shared, "娜仁", "13500000001"), "hukou_village", "150421100201"))
	a.Start()
	b.Start()
	hubtest.WaitFor(t, 20*time.Second, "both stations to converge", func() bool {
		return hubtest.Converged(t, h.Hub, a) && hubtest.Converged(t, h.Hub, b)
	})
	cs, _, err := h.Hub.Conflicts(t.Context(), hub.ConflictFilter{Kind: hub.KindField})
	if err != nil || len(cs) != 1 || cs[0].Column != "hukou_village" {
		t.Fatalf("conflicts: %+v %v", cs, err)
	}
	v := h.LoggedIn("viewer1", access.RoleViewer)
	east, west := placeSpan("150421100207"), placeSpan("150421100201")
	if !strings.Contains(east, "东双山村") || !strings.Contains(east, "赤峰市 / 阿鲁科尔沁旗 / 天山镇 / 东双山村民委员会（150421100207）") {
		t.Fatalf("the expected span itself: %s", east)
	}
	for _, pg := range []struct{ name, path string }{
		{"queue", "/conflicts"},
		{"conflict", fmt.Sprintf("/conflicts/%d", cs[0].ID)},
		{"worker", "/workers/" + wid.String()},
	} {
		st, _, body := hubtest.Page(t, v, h.URL()+pg.path)
		if st != http.StatusOK {
			t.Fatalf("%s page: %d\n%s", pg.name, st, body)
		}
		if !strings.Contains(body, east) || !strings.Contains(body, west) {
			t.Errorf("%s page: want both villages by name\n%s", pg.name, body)
		}
		if strings.Contains(body, ">150421100207<") || strings.Contains(body, ">150421100201<") {
			t.Errorf("%s page shows a bare village code\n%s", pg.name, body)
		}
	}
	// The worker page's history names the village too, and a value that is
	// no place's code (the phone) is shown as it is.
	_, _, body := hubtest.Page(t, v, h.URL()+"/workers/"+wid.String())
	hist := body[strings.Index(body, `class="history"`):]
	if !strings.Contains(hist, "东双山村民委员会") || !strings.Contains(body, "13500000001") {
		t.Errorf("worker history:\n%s", hist)
	}

	// The conflict's typed value takes a village by name, with the picker.
	res := h.LoggedIn("resolver1", access.RoleResolver)
	u := fmt.Sprintf("%s/conflicts/%d", h.URL(), cs[0].ID)
	_, _, body = hubtest.Page(t, res, u)
	if !strings.Contains(between(body, `id="type-form"`, "</form>"), `class="place-picker" data-levels="嘎查村" data-src="/places/search"`) {
		t.Errorf("type form without the picker:\n%s", body)
	}
	csrf := hubtest.CSRFPattern.FindStringSubmatch(body)[1]
	updated := regexp.MustCompile(`name="updated" value="([^"]+)"`).FindStringSubmatch(body)[1]
	resp, rbody := hubtest.Post(t, res, u+"/resolve", url.Values{"csrf": {csrf}, "updated": {updated}, "value": {"不存在的村"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(rbody, "户籍地（嘎查村）代码：没有名为“不存在的村”的嘎查村") {
		t.Errorf("unknown village typed: %s\n%s", resp.Status, rbody)
	}
	resp, rbody = hubtest.Post(t, res, u+"/resolve", url.Values{"csrf": {csrf}, "updated": {updated}, "value": {"阿鲁科尔沁旗/潘家湾村"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("village typed by its path: %s\n%s", resp.Status, rbody)
	}
	hubtest.WaitFor(t, 10*time.Second, "the typed village to reach A", func() bool {
		return hubtest.SettledAt(t, a.Rep, records.Workers, wid, "hukou_village", "150421100202")
	})
}

// Enrolling a station takes its village by name or code (the picker sends
// the code; without its script a name is looked up), refuses a name no
// village has with the field named, and the station list, the station's
// page and the enrolment sheet show the village by name.
func TestStationVillageByName(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	m := h.LoggedIn("manager1", access.RoleStationManager)
	_, _, body := hubtest.Page(t, m, h.URL()+"/stations")
	if !strings.Contains(body, `class="place-picker" data-levels="嘎查村" data-src="/places/search"`) ||
		!strings.Contains(body, `<script src="/static/placepicker.js" defer></script>`) {
		t.Fatalf("enrol form without the picker:\n%s", body)
	}
	csrf := hubtest.CSRFPattern.FindStringSubmatch(body)[1]
	tests := []struct {
		station, division string
		status            int
		code, errHas      string
	}{
		{"东双山站", "东双山村", http.StatusOK, "150421100207", ""},
		{"西双山站", "阿鲁科尔沁旗/天山镇/西双山村民委员会", http.StatusOK, "150421100201", ""},
		{"代码站", "150421100203", http.StatusOK, "150421100203", ""},
		{"无村站", "", http.StatusOK, "", ""},
		{"错村站", "不存在的村", http.StatusBadRequest, "", "所在嘎查村（区划代码）：没有名为“不存在的村”的嘎查村"},
		{"重名站", "胜利村委会", http.StatusBadRequest, "", "有17个嘎查村名为“胜利村委会”"},
	}
	for _, tt := range tests {
		resp, body := hubtest.Post(t, m, h.URL()+"/stations", url.Values{"csrf": {csrf}, "name": {tt.station}, "division_code": {tt.division}})
		if resp.StatusCode != tt.status || !strings.Contains(body, tt.errHas) {
			t.Errorf("enrol %s with %q: %s, want %d with %q\n%s", tt.station, tt.division, resp.Status, tt.status, tt.errHas, body)
			continue
		}
		if tt.status == http.StatusOK && tt.code != "" && !strings.Contains(body, placeSpan(tt.code)) {
			t.Errorf("enrolment sheet of %s: want %s\n%s", tt.station, placeSpan(tt.code), body)
		}
	}
	sts, err := h.Hub.Stations(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range sts {
		got[s.Name] = s.DivisionCode
	}
	for _, tt := range tests {
		if c, ok := got[tt.station]; ok != (tt.status == http.StatusOK) || c != tt.code {
			t.Errorf("station %s: enrolled %v with %q, want %q", tt.station, ok, c, tt.code)
		}
	}
	_, _, body = hubtest.Page(t, m, h.URL()+"/stations")
	for _, code := range []string{"150421100207", "150421100201", "150421100203"} {
		if !strings.Contains(body, placeSpan(code)) {
			t.Errorf("station list: want %s\n%s", placeSpan(code), body)
		}
	}
	_, _, body = hubtest.Page(t, m, h.URL()+"/stations/"+url.PathEscape("东双山站"))
	if !strings.Contains(between(body, `id="station-summary"`, "</p>"), placeSpan("150421100207")) {
		t.Errorf("station page:\n%s", body)
	}
}

// The pages' picker searches through the web session (/places/search), not
// the bearer-token API; its script is served to the pages.
func TestPlacePickerOnHub(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	v := h.LoggedIn("viewer1", access.RoleViewer)
	st, _, body := hubtest.Page(t, v, h.URL()+"/places/search?level="+url.QueryEscape("嘎查村")+"&q="+url.QueryEscape("东双山"))
	var found []places.Place
	if st != http.StatusOK || json.Unmarshal([]byte(body), &found) != nil || len(found) == 0 || found[0].Code != "150421100207" {
		t.Fatalf("search through the session: %d %v\n%s", st, found, body)
	}
	if st, loc, _ := hubtest.Page(t, http.DefaultClient, h.URL()+"/places/search?q="+url.QueryEscape("东双山")); st != http.StatusSeeOther && st != http.StatusFound || !strings.Contains(loc, "/login") {
		t.Errorf("search signed out: %d %s, want a redirect to sign in", st, loc)
	}
	st, _, body = hubtest.Page(t, v, h.URL()+"/static/placepicker.js")
	if st != http.StatusOK || !strings.Contains(body, `getAttribute("data-src")`) {
		t.Errorf("picker script: %d\n%.200s", st, body)
	}
}

// A real browser: on the enrolment form, type part of a village's name,
// choose it from the picker's list (searched through the web session), and
// the station is enrolled with the village's code and shown by name.
func TestBrowserStationVillagePicker(t *testing.T) {
	br := browsertest.New(t)
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	h.AddAdmin("manager1", access.RoleStationManager)
	const chosen = "150421100207" // 东双山村民委员会, 阿鲁科尔沁旗天山镇
	type css = chromedp.CSS
	br.Do(
		chromedp.Navigate(h.URL()+"/stations"),
		chromedp.WaitVisible(css(`#password`)),
		chromedp.SendKeys(css(`#user`), "manager1"),
		chromedp.SendKeys(css(`#password`), hubtest.Password("manager1")),
		chromedp.Click(css(`#login`)),
		chromedp.WaitVisible(css(`#stations`)),
		chromedp.Navigate(h.URL()+"/stations"),
		chromedp.WaitVisible(css(`#enrol`)),
		// The script made the field a search box; the code is hidden.
		chromedp.WaitReady(css(`#enrol input[type="hidden"][name="division_code"]`)),
		chromedp.SendKeys(css(`#enrol input[name="name"]`), "东双山站"),
		chromedp.SendKeys(css(`#f-division_code`), "双山"),
		chromedp.WaitVisible(css(`#places-division_code li[data-code="`+chosen+`"]`)),
	)
	if list := br.Get(chromedp.Text(css(`#places-division_code`))); !strings.Contains(list, "西双山村民委员会") ||
		!strings.Contains(list, "赤峰市 / 阿鲁科尔沁旗 / 天山镇 / 东双山村民委员会") {
		t.Fatalf("suggestions: %q", list)
	}
	br.Do(
		chromedp.Click(css(`#places-division_code li[data-code="`+chosen+`"]`)),
		chromedp.WaitNotVisible(css(`#places-division_code`)),
	)
	if code := br.Get(chromedp.Value(css(`#f-division_code-code`))); code != chosen {
		t.Fatalf("the field holds %q, want %s", code, chosen)
	}
	br.Do(
		chromedp.Click(css(`#enrol button[type="submit"]`)),
		chromedp.WaitVisible(css(`#enrol-code`)),
	)
	sts, err := h.Hub.Stations(t.Context())
	if err != nil || len(sts) != 1 || sts[0].DivisionCode != chosen {
		t.Fatalf("stations: %+v %v", sts, err)
	}
	if text := br.Get(chromedp.Text(css(`main, body`))); !strings.Contains(text, "东双山村民委员会") {
		t.Errorf("enrolment sheet: %q", text)
	}
}

// The county report the hub serves names the places: the village sheet (as
// .csv and in the .xlsx) keeps the code columns with the names beside them,
// the list sheets name the 乡镇 and 村, and the dashboard's figures by
// township show the name.
func TestHubReportNamesPlaces(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	const month = "2026-11"
	key := h.Hub.Replica().Key()
	var edits []replica.Edit
	for i, village := range []string{"150421100207", "150421100207", "150421100201"} {
		w := withColumn(hubtest.WorkerEdit(key, hubtest.IDNumber(40+i), "工人", "13900000000"), "residence_village", village)
		edits = append(edits, w, hubtest.StatusEdit(key, w.Row, month, records.ListEmployed))
	}
	if _, err := h.Hub.Write(t.Context(), edits...); err != nil {
		t.Fatal(err)
	}
	tok := h.AdminToken("查看员", access.RoleViewer)
	resp, b := h.Get("/api/report.csv?month="+month+"&sheet=villages", tok)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("villages csv: %s", resp.Status)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil || len(recs) != 1+2 {
		t.Fatalf("villages csv: %v %q", err, recs)
	}
	if !slices.Equal(recs[0][:4], []string{"苏木乡镇代码", "苏木乡镇", "嘎查村代码", "嘎查村"}) {
		t.Errorf("villages csv header: %q", recs[0])
	}
	for i, want := range [][]string{
		{"150421100", "天山镇", "150421100201", "西双山村民委员会", "1"},
		{"150421100", "天山镇", "150421100207", "东双山村民委员会", "2"},
	} {
		if got := recs[1+i][:5]; !slices.Equal(got, want) {
			t.Errorf("villages csv row %d: %q, want %q", i, got, want)
		}
	}

	web := h.LoggedIn("viewer1", access.RoleViewer)
	st, _, body := hubtest.Page(t, web, h.URL()+"/dashboard/report.xlsx?month="+month)
	if st != http.StatusOK {
		t.Fatalf("report.xlsx: %d", st)
	}
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("就业人员清单")
	if err != nil || len(rows) != 1+3 || rows[0][1] != "苏木乡镇" || rows[0][2] != "嘎查村" {
		t.Fatalf("employed sheet: %v %q", err, rows)
	}
	for _, row := range rows[1:] {
		if row[1] != "天山镇" || row[2] != "东双山村民委员会" && row[2] != "西双山村民委员会" {
			t.Errorf("employed sheet row: %q, want the township and village by name", row)
		}
	}
	_, _, body = hubtest.Page(t, web, h.URL()+"/dashboard?month="+month)
	if chart := between(body, `id="chart-lists_by_township"`, "</section>"); !strings.Contains(chart, "<td>天山镇</td>") {
		t.Errorf("dashboard's lists by township:\n%s", chart)
	}
}
