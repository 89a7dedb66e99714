package stationweb

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fieldsync/records"
	"fieldsync/records/sample"
	"fieldsync/replica"
	"fieldsync/report"
)

// sampleYear writes n sample people of f's station with a year of records
// (statuses, follow-ups, registrations, gigs and placements) up to testNow,
// as the demo does, and returns the workers' edits.
func sampleYear(t testing.TB, f *fixture, n int, seed int64) []replica.Edit {
	t.Helper()
	ctx := context.Background()
	key, err := f.cfg.DeploymentKey()
	if err != nil {
		t.Fatal(err)
	}
	workers := sample.Workers(n, seed, key, f.cfg.Name)
	gigs := sample.Gigs(4, seed, testNow, f.cfg.Name)
	var slots []sample.GigSlot
	for _, g := range gigs {
		slots = append(slots, sample.GigSlot{ID: g.Row, Free: 3})
	}
	hist, err := sample.History(workers, seed, sample.HistoryOptions{Months: 12, Now: testNow, Station: f.cfg.Name,
		Key: key, Gigs: slots})
	if err != nil {
		t.Fatal(err)
	}
	edits := append(append(append([]replica.Edit{}, workers...), gigs...), hist...)
	for len(edits) > 0 {
		k := min(len(edits), 2000)
		if _, err := f.r.Write(ctx, edits[:k]...); err != nil {
			t.Fatal(err)
		}
		edits = edits[k:]
	}
	return workers
}

// sheetRows reads every sheet of an .xlsx workbook: title → rows.
func sheetRows(t *testing.T, body []byte) (titles []string, rows map[string][][]string) {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	defer x.Close()
	rows = map[string][][]string{}
	for _, name := range x.GetSheetList() {
		r, err := x.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		titles = append(titles, name)
		rows[name] = r
	}
	return titles, rows
}

// writeXLSX is the county's report function over db, as the hub serves it.
func countyXLSX(t *testing.T, r *replica.Replica, month string, opt report.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := report.WriteXLSX(context.Background(), &buf, r.DB(), month, opt); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The station's 月报 and 台账 are the county's report for this station's
// people: computed over the station's replica, which also holds another
// station's people and gigs, they equal the county's report computed by the
// hub's queries over a replica holding this station's records alone.
func TestStationMonthReportEqualsCounty(t *testing.T) {
	f := newFixture(t, nil)
	own := sampleYear(t, f, 60, 7)
	// The county's copy of this station's records: everything it wrote.
	county := f.peer("县级副本")
	f.syncTo(county)
	// Then another station's people and gigs arrive.
	other := f.peer("东方嘎查")
	sampleYear(t, other, 40, 99)
	other.syncTo(f)
	var held int
	if err := f.r.DB().QueryRow(`SELECT count(*) FROM workers WHERE fs_deleted = 0`).Scan(&held); err != nil {
		t.Fatal(err)
	}
	if held <= len(own) {
		t.Fatalf("the station holds %d people: the other station's did not arrive", held)
	}

	const month = "2026-11"
	opt := report.Options{Older: f.cfg.Older, Now: f.s.now, Unmasked: true}
	want, err := report.Dashboard(context.Background(), county.r.DB(), month, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	got, err := report.Dashboard(context.Background(), f.r.DB(), month, nil, f.s.reportOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the station's figures differ from the county's for its people\nstation: %+v\ncounty:  %+v", got, want)
	}
	if want.Workers != len(own) || want.Lists.Count.Total() == 0 || want.Ledger.People == 0 {
		t.Fatalf("the county counts %d people, %d on the lists, %d in the ledger: the test proves little",
			want.Workers, want.Lists.Count.Total(), want.Ledger.People)
	}

	res := f.api("GET", "/monthly-report.xlsx?month="+month, nil)
	if res.status != http.StatusOK || !strings.Contains(res.header.Get("Content-Disposition"), url.PathEscape("月报")) {
		t.Fatalf("GET /monthly-report.xlsx: %d %s", res.status, res.header.Get("Content-Disposition"))
	}
	titles, rows := sheetRows(t, []byte(res.raw))
	wantTitles, wantRows := sheetRows(t, countyXLSX(t, county.r, month, opt))
	if !slices.Equal(titles, wantTitles) {
		t.Fatalf("sheets %v, the county's %v", titles, wantTitles)
	}
	for _, title := range titles {
		if !slices.EqualFunc(rows[title], wantRows[title], slices.Equal) {
			t.Errorf("sheet %s: the station's %d rows differ from the county's %d", title, len(rows[title]),
				len(wantRows[title]))
		}
	}
	if n := len(rows["就业人员清单"]) - 1; n != want.Lists.Count.Employed {
		t.Errorf("就业 sheet has %d people, the figures %d", n, want.Lists.Count.Employed)
	}

	// The 台账: everyone of this station, once, none of the other's.
	res = f.api("GET", "/ledger.xlsx?month="+month, nil)
	if res.status != http.StatusOK {
		t.Fatalf("GET /ledger.xlsx: %d %s", res.status, res.raw)
	}
	titles, rows = sheetRows(t, []byte(res.raw))
	if !slices.Equal(titles, []string{"人员台账"}) {
		t.Fatalf("the 台账 workbook has sheets %v", titles)
	}
	ledger := rows["人员台账"]
	wantHeader := []string{"序号", "苏木乡镇", "嘎查村", "姓名", "身份证号", "性别", "年龄", "大龄", "人员类别", "监测类型",
		"务工地域", "务工地点", "行业", "就业形式", "月收入(元)", "核实方式", "核实人", "核实日期", "本月状态", "有意愿外出"}
	if !slices.Equal(ledger[0], wantHeader) {
		t.Errorf("header %v, want %v", ledger[0], wantHeader)
	}
	ownIDs := map[string]bool{}
	for _, e := range own {
		for _, cv := range e.Set {
			if cv.Column == "id_number" {
				ownIDs[cv.Value.(string)] = true
			}
		}
	}
	seen := map[string]bool{}
	for _, row := range ledger[1:] {
		if !ownIDs[row[4]] || seen[row[4]] {
			t.Errorf("row %v: not this station's, or twice", row[:5])
		}
		seen[row[4]] = true
	}
	if len(seen) != len(own) {
		t.Errorf("the 台账 has %d people, the station %d", len(seen), len(own))
	}
}

func TestLedgerPages(t *testing.T) {
	f := newFixture(t, nil)
	sampleYear(t, f, 12, 5)
	for _, path := range []string{"/ledger?month=2026-11", "/monthly-report?month=2026-11", "/ledger", "/monthly-report"} {
		res := f.api("GET", path, nil)
		if res.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, res.status, res.raw)
		}
		for _, want := range []string{`href="/static/report.css"`, `id="report-xlsx"`, `type="month"`, "红旗嘎查",
			`id="nav-ledger"`, `<th>身份证号</th>`} {
			if !strings.Contains(res.raw, want) {
				t.Errorf("GET %s: no %s", path, want)
			}
		}
	}
	res := f.api("GET", "/ledger?month=2026-11", nil)
	if n := strings.Count(res.raw, "<tr>") - 1; n != 12 {
		t.Errorf("the 台账 page has %d rows, want 12", n)
	}
	if strings.Contains(res.raw, "本月未更新") && strings.Count(res.raw, "本月未更新") == 12 {
		t.Error("no one has a status this month: the sample did not reach the month")
	}
	res = f.api("GET", "/monthly-report?month=2026-11", nil)
	for _, title := range []string{"汇总", "就业人员清单", "失业人员清单", "有意愿外出人员清单", "就业帮扶台账", "嘎查村汇总"} {
		if !strings.Contains(res.raw, title) {
			t.Errorf("the 月报 page has no %s", title)
		}
	}
	// The id numbers are masked on the pages.
	var idn string
	if err := f.r.DB().QueryRow(`SELECT id_number FROM workers LIMIT 1`).Scan(&idn); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(res.raw, idn) || !strings.Contains(res.raw, records.MaskIDNumber(idn)) {
		t.Error("the page shows a full id number, or not the masked one")
	}
	css := f.api("GET", "/static/report.css", nil)
	for _, want := range []string{"@media print", "A4 landscape", "#top"} {
		if !strings.Contains(css.raw, want) {
			t.Errorf("report.css has no %s", want)
		}
	}
	home := f.api("GET", "/", nil)
	if !strings.Contains(home.raw, `id="home-ledger"`) || !strings.Contains(home.raw, `id="home-monthly-report"`) {
		t.Error("the home page links neither the 台账 nor the 月报")
	}
	for _, path := range []string{"/ledger?month=2026-13", "/ledger.xlsx?month=11-2026", "/monthly-report?month=x",
		"/monthly-report.xlsx?month=2026-1"} {
		res := f.api("GET", path, nil)
		if res.status != http.StatusBadRequest || !strings.Contains(res.raw, "月份") {
			t.Errorf("GET %s: %d, want 400 naming 月份: %s", path, res.status, res.raw)
		}
	}
}

// The worker list filters by 人员类别 (?category=), with the search, and
// refuses a category it does not know, naming the field.
func TestWorkersCategoryFilter(t *testing.T) {
	f := newFixture(t, nil)
	type person struct {
		name, tags, monitor string
	}
	people := []person{{"巴特尔", "脱贫人口", ""}, {"乌云", "脱贫人口,农民工", ""}, {"其其格", "农民工", ""},
		{"巴雅尔", "防止返贫监测对象", "边缘易致贫户"}, {"敖登", "残疾", ""}, {"巴图", "", ""}}
	for i, p := range people {
		b := workerBody(idNumber("19800101", 10+i))
		b["name"] = p.name
		var tags []string
		if p.tags != "" {
			tags = strings.Split(p.tags, ",")
		}
		b["tags"] = tags
		if p.monitor != "" {
			b["monitor_type"] = p.monitor
		}
		f.mustCreate("/api/workers", b)
	}
	names := func(res resp) []string {
		var out []string
		for _, w := range res.body["workers"].([]any) {
			out = append(out, w.(map[string]any)["name"].(string))
		}
		slices.Sort(out)
		return out
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"category=脱贫人口", []string{"乌云", "巴特尔"}},
		{"category=农民工", []string{"乌云", "其其格"}},
		{"category=防止返贫监测对象", []string{"巴雅尔"}},
		{"category=边缘易致贫户", []string{"巴雅尔"}},
		{"category=残疾", []string{"敖登"}},
		{"category=零就业家庭", nil},
		{"category=脱贫人口&q=巴", []string{"巴特尔"}},
		{"category=农民工&q=乌云", []string{"乌云"}},
		{"category=", []string{"乌云", "其其格", "巴图", "巴特尔", "巴雅尔", "敖登"}},
	} {
		q, err := url.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		res := f.api("GET", "/api/workers?"+q.Encode(), nil)
		if res.status != http.StatusOK {
			t.Fatalf("%s: %d %s", tc.query, res.status, res.raw)
		}
		if got := names(res); !slices.Equal(got, tc.want) || int(res.body["total"].(float64)) != len(tc.want) {
			t.Errorf("%s: %v (total %v), want %v", tc.query, got, res.body["total"], tc.want)
		}
		page := f.api("GET", "/workers?"+q.Encode(), nil)
		if page.status != http.StatusOK {
			t.Fatalf("page %s: %d", tc.query, page.status)
		}
		for _, p := range people {
			shown := strings.Contains(page.raw, ">"+p.name+"</a>")
			if shown != slices.Contains(tc.want, p.name) {
				t.Errorf("page %s: %s shown %v", tc.query, p.name, shown)
			}
		}
		if c := q.Get("category"); c != "" && !strings.Contains(page.raw, "<option selected>"+c+"</option>") {
			t.Errorf("page %s: the select does not keep %s", tc.query, c)
		}
	}
	for _, bad := range []string{"富人", "脱贫", `"脱贫人口"`, "脱贫人口%"} {
		q := url.Values{"category": {bad}}.Encode()
		res := f.api("GET", "/api/workers?"+q, nil)
		if res.status != http.StatusBadRequest || res.body["field"] != "category" {
			t.Errorf("API category=%s: %d %s, want 400 naming category", bad, res.status, res.raw)
		}
		page := f.api("GET", "/workers?"+q, nil)
		if page.status != http.StatusBadRequest || !strings.Contains(page.raw, "人员类别应为以下之一") {
			t.Errorf("page category=%s: %d, want 400 naming 人员类别", bad, page.status)
		}
	}
}
