package stationweb

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/station"
)

// namedSheet is one sheet of a test workbook: its name and rows.
type namedSheet struct {
	name string
	rows [][]any
}

// makeWorkbook builds a real workbook of several sheets, in order.
func makeWorkbook(t testing.TB, sheets ...namedSheet) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	for i, sh := range sheets {
		var err error
		if i == 0 {
			err = x.SetSheetName("Sheet1", sh.name)
		} else {
			_, err = x.NewSheet(sh.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		for j, r := range sh.rows {
			cell, _ := excelize.CoordinatesToCellName(1, j+1)
			if err := x.SetSheetRow(sh.name, cell, &r); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// countyListHeader is the header of the county's list sheets (the roster
// the hub exports, report.workbook.list).
var countyListHeader = []any{"序号", "苏木乡镇", "嘎查村", "姓名", "身份证号", "性别", "年龄", "大龄", "人员类别", "务工地域",
	"务工地点", "行业", "就业形式", "月收入(元)", "核实方式", "核实人", "核实日期"}

func (b *browser) uploadMonthly(name string, data []byte, fields url.Values) resp {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", b.csrfToken())
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest("POST", "/import/monthly", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func (f *fixture) logLen() int {
	f.t.Helper()
	entries, _, err := f.r.ReadLog(context.Background(), 0, replica.LogQuery{Limit: 100000})
	if err != nil {
		f.t.Fatal(err)
	}
	return len(entries)
}

// TestMonthImportFillsWorklist: the county's roster workbook (a summary
// sheet, then a sheet per list) uploaded on the import page fills the
// month: GET /api/worklist shows all five done with the sheet's values,
// entered_by names the staff member, the statuses reach another replica,
// and the same sheet imported again writes nothing.
func TestMonthImportFillsWorklist(t *testing.T) {
	f := loginFixture(t, true)
	b := f.browser()
	if r := b.post("/login", url.Values{"user": {"李四"}, "password": {"correct horse"}}); r.status != 303 {
		t.Fatalf("login: %d", r.status)
	}
	names := []string{"阿拉坦", "宝音", "朝鲁", "达来", "额尔敦"}
	ids := map[string]string{}
	idns := map[string]string{}
	for i, n := range names {
		idns[n] = idNumber("19800101", 300+i)
		body := workerBody(idns[n])
		body["name"] = n
		r := f.apiAs("李四", "POST", "/api/workers", mustJSON(body))
		if r.status != 201 {
			t.Fatalf("create %s: %d %s", n, r.status, r.raw)
		}
		ids[n] = r.body["id"].(string)
	}
	row := func(i int, n, scope, place, industry, form string, income any, method string) []any {
		return []any{i, "天山镇", "西双山村", n, idns[n], "男", 46, "否", "农民工", scope, place, industry, form, income,
			method, "", ""}
	}
	data := makeWorkbook(t,
		namedSheet{"2026年11月汇总", [][]any{{"指标", "数值"}, {"就业", 3}}},
		namedSheet{"就业人员清单", [][]any{countyListHeader,
			row(1, "阿拉坦", "县外区内", "呼和浩特", "建筑", "单位就业", 4200, "电话"),
			row(2, "宝音", "区外", "北京", "餐饮", "灵活就业", "3,500", ""),
			row(3, "朝鲁", "本村", "", "", "乡村公益性岗位", "", "入户核实")}},
		namedSheet{"失业人员清单", [][]any{countyListHeader,
			row(1, "达来", "", "", "", "", "", ""),
			row(2, "额尔敦", "", "", "", "", "", "")}},
		namedSheet{"有意愿外出人员清单", [][]any{countyListHeader}},
	)
	form := url.Values{"month": {"2026-11"}, "verified_by_method": {"数据比对"}, "verified_by": {"李四"},
		"verified_at": {"2026-11-12"}}
	r := b.uploadMonthly("2026年11月三项清单.xlsx", data, form)
	if r.status != 200 || !strings.Contains(r.raw, `id="mi-imported">5<`) || !strings.Contains(r.raw, `id="mi-failed">0<`) {
		t.Fatalf("upload: %d\n%s", r.status, r.raw)
	}
	wl := f.apiAs("李四", "GET", "/api/worklist?month=2026-11", "")
	if wl.body["done"] != float64(5) || wl.body["total"] != float64(5) {
		t.Fatalf("worklist: %s", wl.raw)
	}
	want := map[string]string{
		"阿拉坦": "就业/县外区内/呼和浩特/建筑/单位/4200/电话/李四/2026-11-12",
		"宝音":  "就业/区外/北京/餐饮/灵活就业/3500/数据比对/李四/2026-11-12",
		"朝鲁":  "就业/本村///公益性岗位/未填报/入户/李四/2026-11-12",
		"达来":  "失业/////未填报/数据比对/李四/2026-11-12",
		"额尔敦": "失业/////未填报/数据比对/李四/2026-11-12",
	}
	for _, p := range people(t, wl) {
		st, ok := p["status"].(map[string]any)
		if !ok {
			t.Fatalf("%v: no status", p["name"])
		}
		income := "未填报" // an empty cell is no income given (null), not 0
		if v, ok := st["monthly_income"].(float64); ok {
			income = strconv.FormatFloat(v, 'f', -1, 64)
		}
		got := strings.Join([]string{st["list_type"].(string), st["work_scope"].(string), st["place"].(string),
			st["industry"].(string), st["employment_form"].(string), income,
			st["verified_by_method"].(string), st["verified_by"].(string), st["verified_at"].(string)}, "/")
		if got != want[p["name"].(string)] {
			t.Errorf("%v: %s, want %s", p["name"], got, want[p["name"].(string)])
		}
	}
	if done, total, err := f.st.WorklistProgress(t.Context(), "2026-11"); err != nil || done != 5 || total != 5 {
		t.Fatalf("home progress %d / %d, %v", done, total, err)
	}
	// Written through the status's own write: entered_by in the same change.
	sid := people(t, wl)[0]["status"].(map[string]any)["id"].(string)
	if c, _ := f.lastChange(records.MonthlyStatus, sid); f.written(c)[records.EnteredBy] != "李四" {
		t.Fatalf("status change %v", f.written(c))
	}
	// It syncs: another replica holds the five statuses.
	peer := f.peer("其他站")
	f.syncTo(peer)
	var n int
	if err := peer.r.DB().QueryRow(`SELECT count(*) FROM monthly_status WHERE month = '2026-11' AND fs_deleted = 0`).Scan(&n); err != nil || n != 5 {
		t.Fatalf("peer holds %d statuses (%v)", n, err)
	}

	// Again, on another day: nothing written, all five kept as they are.
	before := f.logLen()
	form.Set("verified_at", "2026-11-20")
	r = b.uploadMonthly("2026年11月三项清单.xlsx", data, form)
	if r.status != 200 || !strings.Contains(r.raw, `id="mi-imported">0<`) || !strings.Contains(r.raw, `id="mi-unchanged">5<`) ||
		!strings.Contains(r.raw, `id="mi-failed">0<`) {
		t.Fatalf("second upload: %d\n%s", r.status, r.raw)
	}
	if after := f.logLen(); after != before {
		t.Fatalf("importing the same sheet again wrote %d changes", after-before)
	}
	wl2 := f.apiAs("李四", "GET", "/api/worklist?month=2026-11", "")
	if wl2.raw != wl.raw {
		t.Fatalf("worklist changed by a second import:\n%s\n%s", wl.raw, wl2.raw)
	}
}

// TestMonthImportRows: every refused row is named with its row and field,
// in Chinese; a person not registered here, or another station's, is
// refused; a status held that month which the sheet contradicts is kept and
// the row refused naming the value held; the good row is written.
func TestMonthImportRows(t *testing.T) {
	wf := newWorklistFixture(t) // 达来 is 有意愿外出 in 2026-11; 额尔敦 is 其他站's
	idOf := func(seq int) string { return idNumber("19800101", seq) }
	badCheck := idOf(150)
	badCheck = badCheck[:17] + map[bool]string{true: "1", false: "0"}[badCheck[17] == '0']
	header := []any{"身份证号", "姓名", "月份", "就业状态", "就业地域", "就业地点", "行业", "就业形式", "月收入", "核实方式", "核实人", "核实日期"}
	rows := [][]any{header,
		{idOf(100), "阿拉坦", "2026-11", "就业", "区外", "北京", "建筑", "单位", "5000", "电话", "张三", "2026/11/3"},  // 2: good
		{idOf(101), "宝音", "2026-11", "就业", "火星", "", "", "单位", "", "电话", "张三", "2026-11-03"},          // 3: scope
		{idOf(102), "朝鲁", "2026-11", "就业", "本村", "", "", "单位", "三千", "电话", "张三", "2026-11-03"},        // 4: income
		{badCheck, "某人", "2026-11", "失业", "", "", "", "", "", "电话", "张三", "2026-11-03"},               // 5: id check digit
		{idOf(160), "外人", "2026-11", "失业", "", "", "", "", "", "电话", "张三", "2026-11-03"},              // 6: not registered
		{idOf(200), "额尔敦", "2026-11", "失业", "", "", "", "", "", "电话", "张三", "2026-11-03"},             // 7: another station's
		{idOf(103), "达来", "2026-11", "就业", "区外", "", "", "单位", "", "电话", "张三", "2026-11-03"},          // 8: conflict
		{idOf(102), "朝鲁", "2026-10", "失业", "", "", "", "", "", "电话", "张三", "2026-10-03"},              // 9: other month
		{idOf(100), "阿拉坦", "2026-11", "就业", "区外", "北京", "建筑", "单位", "5000", "电话", "张三", "2026-11-03"}, // 10: twice
		{idOf(101), "宝音", "2026-11", "就业", "区外", "", "", "", "", "电话", "张三", "2026-11-03"},            // 11: no form
		{idOf(101), "宝音", "2026-11", "失业", "", "", "", "", "", "短信", "张三", "2026-11-03"},              // 12: method
	}
	res, err := wf.st.ImportMonthStatuses(t.Context(), "台账.xlsx", makeXLSX(t, rows), station.MonthImport{Month: "2026-11"}, "zh")
	if err != nil {
		t.Fatal(err)
	}
	want := map[int][2]string{
		3:  {"work_scope", "务工地域应为以下之一"},
		4:  {"monthly_income", "月收入（元）应为数字"},
		5:  {"id_number", "校验位错误"},
		6:  {"id_number", "未在本站登记"},
		7:  {"id_number", "未在本站登记"},
		8:  {"list_type", "清单类型已有“失业”，表中为“就业”；未覆盖"}, // 有意愿外出 is stored as 失业 + willing_away
		9:  {"month", "月份与导入月份2026-11不符"},
		10: {"id_number", "在表中重复（行 2）"},
		11: {"employment_form", "就业形式不能为空"},
		12: {"verified_by_method", "核实方式应为以下之一"},
	}
	if res.Imported != 1 || res.Rows != 11 || len(res.Errors) != len(want) {
		t.Fatalf("result %+v", res)
	}
	for _, e := range res.Errors {
		w, ok := want[e.Row]
		if !ok || e.Field != w[0] || !strings.Contains(e.Message, w[1]) {
			t.Errorf("row %d: %s %q, want %v", e.Row, e.Field, e.Message, w)
		}
	}
	wl := wf.api("GET", "/api/worklist?month=2026-11", nil)
	for _, p := range people(t, wl) {
		st, _ := p["status"].(map[string]any)
		switch p["name"] {
		case "阿拉坦":
			if st == nil || st["work_scope"] != "区外" || st["verified_at"] != "2026-11-03" {
				t.Errorf("阿拉坦: %v", st)
			}
		case "达来": // kept, not overwritten
			if st == nil || st["list_type"] != "失业" || st["willing_away"] != true || st["verified_by"] != "李四" {
				t.Errorf("达来: %v", st)
			}
		default:
			if st != nil {
				t.Errorf("%v: written %v", p["name"], st)
			}
		}
	}
	// The unknown person was not registered by the import.
	var n int
	wf.r.DB().QueryRow(`SELECT count(*) FROM workers WHERE name = '外人'`).Scan(&n)
	if n != 0 {
		t.Fatal("the import registered a person")
	}

	// The sheet agreeing with a status held, in fewer columns: kept.
	agree := [][]any{{"身份证号", "姓名", "清单类别", "务工地域", "就业形式"}, {idOf(100), "阿拉坦", "就业人员", "区外", "单位"},
		{idOf(103), "达来", "有意愿外出", "", ""}}
	res, err = wf.st.ImportMonthStatuses(t.Context(), "a.xlsx", makeXLSX(t, agree), station.MonthImport{Month: "2026-11",
		VerifiedByMethod: "电话", VerifiedBy: "张三", VerifiedAt: "2026-11-20"}, "zh")
	if err != nil || res.Imported != 0 || res.Unchanged != 2 || len(res.Errors) != 0 {
		t.Fatalf("agreeing sheet: %v %+v", err, res)
	}
	// Differing in one column given: refused, naming it and the value held.
	agree[1][3] = "本村"
	res, err = wf.st.ImportMonthStatuses(t.Context(), "a.xlsx", makeXLSX(t, agree), station.MonthImport{Month: "2026-11",
		VerifiedByMethod: "电话", VerifiedBy: "张三", VerifiedAt: "2026-11-20"}, "zh")
	if err != nil || res.Imported != 0 || res.Unchanged != 1 || len(res.Errors) != 1 || res.Errors[0].Row != 2 ||
		res.Errors[0].Field != "work_scope" || !strings.Contains(res.Errors[0].Message, "已有“区外”，表中为“本村”") {
		t.Fatalf("differing sheet: %v %+v", err, res)
	}
}

// TestMonthImportFile: a CSV in other words of the county's (月份 and 就业状态
// columns, 2026年11月, 3,500元, 单位就业, 电话核实) imports without a month on
// the page; a file without an id column or a month, and a bad month on the
// page, are refused as a whole, in Chinese, through the page too.
func TestMonthImportFile(t *testing.T) {
	wf := newWorklistFixture(t)
	csv := "公民身份号码,姓名,月份,就业状态,就业地域,就业地点,从事行业,就业方式,月均收入,核实方式,核实人,核实日期\n" +
		idNumber("19800101", 101) + ",宝音,2026年11月,就业,自治区外,北京,餐饮,单位就业,\"3,500元\",电话核实,张三,20261105\n" +
		idNumber("19800101", 102) + ",朝鲁,202611,失业人员,,,,,,上门,张三,2026.11.05\n"
	res, err := wf.st.ImportMonthStatuses(t.Context(), "x.csv", []byte("\ufeff"+csv), station.MonthImport{}, "zh")
	if err != nil || res.Imported != 2 || len(res.Errors) != 0 {
		t.Fatalf("csv: %v %+v", err, res)
	}
	wl := wf.api("GET", "/api/worklist?month=2026-11", nil)
	if wl.body["done"] != float64(3) {
		t.Fatalf("worklist %s", wl.raw)
	}
	for _, p := range people(t, wl) {
		if p["name"] == "宝音" {
			st := p["status"].(map[string]any)
			if st["work_scope"] != "区外" || st["employment_form"] != "单位" || st["monthly_income"] != float64(3500) ||
				st["verified_by_method"] != "电话" || st["verified_at"] != "2026-11-05" {
				t.Fatalf("宝音: %v", st)
			}
		}
	}
	for _, c := range []struct {
		name, data string
		opt        station.MonthImport
		want       string
	}{
		{"a.csv", "姓名,就业状态\n宝音,就业\n", station.MonthImport{Month: "2026-11"}, "没有“身份证号”"},
		{"b.csv", "身份证号,就业状态\n" + idNumber("19800101", 101) + ",就业\n", station.MonthImport{}, "请选择导入月份"},
		{"c.csv", "身份证号,月份\n", station.MonthImport{Month: "2026-13"}, "月份应为月份"},
		{"d.csv", "身份证号,月份\n", station.MonthImport{Month: "2026-11", VerifiedByMethod: "飞鸽"}, "核实方式应为以下之一"},
	} {
		_, err := wf.st.ImportMonthStatuses(t.Context(), c.name, []byte(c.data), c.opt, "zh")
		msg := ""
		if fe, ok := records.AsFieldError(err); ok {
			msg = fe.Message("zh")
		} else if err != nil {
			msg = err.Error()
		}
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		var fields url.Values
		if c.opt.Month != "" || c.opt.VerifiedByMethod != "" {
			fields = url.Values{"month": {c.opt.Month}, "verified_by_method": {c.opt.VerifiedByMethod}}
		}
		r := wf.browser().uploadMonthly(c.name, []byte(c.data), fields)
		if r.status != 400 || !strings.Contains(r.raw, c.want) {
			t.Errorf("%s through the page: %d %s", c.name, r.status, r.raw)
		}
	}
	// The import page offers the month's import, this month filled in.
	r := wf.browser().get("/import")
	if !strings.Contains(r.raw, "月度台账导入") || !strings.Contains(r.raw, `name="month" value="2026-11"`) {
		t.Fatalf("import page:\n%s", r.raw)
	}
}
