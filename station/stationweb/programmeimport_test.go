package stationweb

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fieldsync/records"
	"fieldsync/station"
)

// programmeHeader is a register's header row.
func programmeHeader(t testing.TB, table string) []any {
	ps := station.ProgrammeSheetOf(table)
	if ps == nil {
		t.Fatalf("no register for %s", table)
	}
	out := []any{}
	for _, h := range ps.Headers() {
		out = append(out, h)
	}
	return out
}

// programmePeople are the people the workbook names, as the API
// registers them.
func programmePeople() []map[string]any {
	var out []map[string]any
	for i, name := range []string{"乌云", "巴特尔", "其其格"} {
		body := workerBody(idNumber("19700101", i+1))
		body["name"] = name
		out = append(out, body)
	}
	return out
}

// registerProgrammePeople registers programmePeople at f.
func registerProgrammePeople(f *fixture) {
	for _, body := range programmePeople() {
		f.mustCreate("/api/workers", body)
	}
}

// programmeWorkbook is a workbook holding every register, each row naming
// rows of earlier sheets and programmePeople; extra rows are added to the
// sheets named.
func programmeWorkbook(t *testing.T, extra map[string][]any) []byte {
	t.Helper()
	ids := []string{idNumber("19700101", 1), idNumber("19700101", 2), idNumber("19700101", 3)}
	sheets := []namedSheet{
		{"公益性岗位", [][]any{{"村保洁员", "150421100201", "保洁环卫", 2, 500, "否", "红旗嘎查村委会", "", "", ""}}},
		{"公益性岗位人员", [][]any{{"乌云", ids[0], "村保洁员", "", "劳务协议", "2026-03-01", "2027-02-28", "工伤保险", "P-001",
			"2026-03-01", "2027-02-28", "否", "", ""}}},
		{"公益性岗位考核", [][]any{{"乌云", ids[0], "村保洁员", "", "2026-10", "合格", 300, ""}}},
		{"就业帮扶车间", [][]any{{"红旗服装车间", "150421100201", "红旗服装有限公司", "服装", "2026-01-05", "", ""}}},
		{"帮扶车间人员", [][]any{{"巴特尔", ids[1], "红旗服装车间", "2026-04-01", "", 2600}}},
		{"共享用工", [][]any{{"巴特尔", ids[1], "甲公司", "2027-06-30", "乙公司", "2026-05-01", "2026-12-31", ""}}},
		{"以工代赈项目", [][]any{{"红旗村道路", "150421100201", "交通运输局", "2026-04-01", "", 100000, ""}}},
		{"以工代赈人员", [][]any{{"其其格", ids[2], "红旗村道路", "2026-04-10", "2026-05-10", 3000, "2026-05-15"}}},
		{"协作地区", [][]any{{"北京市", "东西部协作", ""}}},
		{"劳务输出批次", [][]any{{"2026-06-01", "北京市朝阳区", "某物流公司", "北京市", "乌兰察布劳务", ""}}},
		{"劳务输出人员", [][]any{{"其其格", ids[2], "2026-06-01", "北京市朝阳区"}}},
	}
	for i := range sheets {
		ps := station.ProgrammeSheets[i]
		if ps.Sheet != sheets[i].name {
			t.Fatalf("register %d is %s, the test writes %s", i, ps.Sheet, sheets[i].name)
		}
		if row, ok := extra[sheets[i].name]; ok {
			sheets[i].rows = append(sheets[i].rows, row)
		}
		sheets[i].rows = append([][]any{programmeHeader(t, ps.Table)}, sheets[i].rows...)
	}
	return makeWorkbook(t, sheets...)
}

// uploadProgrammes posts a workbook to the import page with the form's
// CSRF token (or none).
func (b *browser) uploadProgrammes(data []byte, csrf bool) resp {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if csrf {
		mw.WriteField("csrf", b.csrfToken())
	}
	fw, _ := mw.CreateFormFile("file", "帮扶项目台账.xlsx")
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest("POST", "/programmes/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// apiUpload posts a workbook to the API as user (none: no credentials),
// with X-Requested-With when asked.
func (f *fixture) apiUpload(user string, data []byte, requestedWith bool) resp {
	f.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "programmes.xlsx")
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest("POST", "/api/programmes/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if requestedWith {
		req.Header.Set("X-Requested-With", "fieldsync")
	}
	if user != "" {
		req.SetBasicAuth(user, "correct horse")
	}
	return f.serve(req)
}

// programmeState is the count of live rows of every programme table and
// the length of the change log.
func programmeState(f *fixture) string {
	var parts []string
	for _, table := range append(slices.Clone(records.ProgrammeCountyTables), records.ProgrammePersonTables...) {
		var n int
		if err := f.r.DB().QueryRow(`SELECT count(*) FROM ` + table + ` WHERE fs_deleted = 0`).Scan(&n); err != nil {
			f.t.Fatal(err)
		}
		parts = append(parts, fmt.Sprintf("%s=%d", table, n))
	}
	return strings.Join(parts, " ") + fmt.Sprintf(" log=%d", f.logLen())
}

// The import page takes the whole workbook with the form's CSRF token and
// shows what it made; a workbook with a refused row writes nothing and
// lists the row by sheet, row and column; a form without the token is
// refused.
func TestProgrammeImportPage(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	if r := b.get("/programmes/import"); r.status != http.StatusOK || !strings.Contains(r.raw, `action="/programmes/import"`) ||
		!strings.Contains(r.raw, `/programmes/export/welfare_placements.xlsx`) || !strings.Contains(r.raw, "合同结束日期") {
		t.Fatalf("page: %d %s", r.status, r.raw)
	}
	registerProgrammePeople(f)
	good := programmeWorkbook(t, nil)
	if r := b.uploadProgrammes(good, false); r.status != http.StatusForbidden {
		t.Fatalf("upload without the CSRF token: %d", r.status)
	}
	before := programmeState(f)
	bad := programmeWorkbook(t, map[string][]any{"帮扶车间人员": {"某人", idNumber("19800101", 9), "红旗服装车间", "2026-04-01", "", 2600}})
	r := b.uploadProgrammes(bad, true)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.raw, `id="pi-refused"`) ||
		!strings.Contains(r.raw, "<td>帮扶车间人员</td><td>3</td><td>公民身份号码</td>") {
		t.Fatalf("refused upload: %d %s", r.status, r.raw)
	}
	if after := programmeState(f); after != before {
		t.Fatalf("a refused import wrote:\n%s\n%s", before, after)
	}
	r = b.uploadProgrammes(good, true)
	if r.status != http.StatusOK || !strings.Contains(r.raw, `<b id="pi-created">11</b>`) {
		t.Fatalf("upload: %d %s", r.status, r.raw)
	}
	r = b.uploadProgrammes(good, true)
	if r.status != http.StatusOK || !strings.Contains(r.raw, `<b id="pi-unchanged">11</b>`) ||
		!strings.Contains(r.raw, `<b id="pi-created">0</b>`) {
		t.Fatalf("upload again: %d %s", r.status, r.raw)
	}
	// Not a workbook.
	if r := b.uploadProgrammes([]byte("姓名,公民身份号码\n"), true); r.status != http.StatusBadRequest {
		t.Fatalf("a CSV file: %d", r.status)
	}
}

// The API takes a workbook as multipart/form-data from a logged-in caller
// that sends X-Requested-With (as the JSON content type guards the rest of
// the API): 200 with what it did, 422 with the refusals; without
// credentials 401, without the header 415.
func TestProgrammeImportAPI(t *testing.T) {
	f := loginFixture(t, true)
	for _, body := range programmePeople() {
		if r := f.apiAs("李四", "POST", "/api/workers", mustJSON(body)); r.status != http.StatusCreated {
			t.Fatalf("register: %d %s", r.status, r.raw)
		}
	}
	data := programmeWorkbook(t, nil)
	if r := f.apiUpload("", data, true); r.status != http.StatusUnauthorized {
		t.Fatalf("no credentials: %d %s", r.status, r.raw)
	}
	if r := f.apiUpload("李四", data, false); r.status != http.StatusUnsupportedMediaType {
		t.Fatalf("no X-Requested-With: %d %s", r.status, r.raw)
	}
	if n := f.count(records.WelfarePosts); n != 0 {
		t.Fatalf("refused uploads wrote %d posts", n)
	}
	r := f.apiUpload("李四", data, true)
	if r.status != http.StatusOK || r.body["created"] != float64(11) {
		t.Fatalf("import: %d %s", r.status, r.raw)
	}
	var enteredBy string
	if err := f.r.DB().QueryRow(`SELECT entered_by FROM welfare_placements`).Scan(&enteredBy); err != nil || enteredBy != "李四" {
		t.Fatalf("entered_by %q %v", enteredBy, err)
	}
	r = f.apiUpload("李四", data, true)
	if r.status != http.StatusOK || r.body["unchanged"] != float64(11) || r.body["created"] != float64(0) {
		t.Fatalf("import again: %d %s", r.status, r.raw)
	}
	// A contract over a year: 422, naming the sheet, row and column.
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	x.SetCellValue("公益性岗位人员", "G2", "2027-03-01")
	x.SetCellValue("公益性岗位人员", "K2", "2027-03-01")
	var buf bytes.Buffer
	x.WriteTo(&buf)
	x.Close()
	r = f.apiUpload("李四", buf.Bytes(), true)
	var refused station.ProgrammeImportResult
	if err := json.Unmarshal([]byte(r.raw), &refused); err != nil || r.status != http.StatusUnprocessableEntity ||
		len(refused.Errors) != 1 || refused.Errors[0] != (station.ProgrammeRowError{Sheet: "公益性岗位人员", Row: 2,
		Column: "合同结束日期", Field: "contract_end", Message: refused.Errors[0].Message}) ||
		!strings.Contains(refused.Errors[0].Message, "超过1年") {
		t.Fatalf("contract over a year: %d %s", r.status, r.raw)
	}
}

func (f *fixture) count(table string) int {
	f.t.Helper()
	var n int
	if err := f.r.DB().QueryRow(`SELECT count(*) FROM ` + table + ` WHERE fs_deleted = 0`).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// The blank workbook holds every register's sheet with its headers, and
// imports as nothing to do.
func TestProgrammeTemplate(t *testing.T) {
	f := newFixture(t, nil)
	r := f.serve(httptest.NewRequest("GET", "/programmes/import-template.xlsx", nil))
	if r.status != http.StatusOK || !strings.Contains(r.header.Get("Content-Disposition"), "filename*=UTF-8''") {
		t.Fatalf("template: %d %v", r.status, r.header)
	}
	x, err := excelize.OpenReader(strings.NewReader(r.raw))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var names []string
	for _, ps := range station.ProgrammeSheets {
		names = append(names, ps.Sheet)
		rows, err := x.GetRows(ps.Sheet)
		if err != nil || len(rows) != 1 || !slices.Equal(rows[0], ps.Headers()) {
			t.Errorf("%s: %v %v", ps.Sheet, rows, err)
		}
	}
	if got := x.GetSheetList(); !slices.Equal(got, names) {
		t.Fatalf("sheets %v, want %v", got, names)
	}
	res, err := f.st.ImportProgrammes(context.Background(), []byte(r.raw), "zh")
	if err != nil || res.Rows != 0 || len(res.Errors) != 0 || len(res.Notices) != 0 {
		t.Fatalf("import of the blank workbook: %v %+v", err, res)
	}
}

// Each programme table exports as its register's sheet under a Chinese
// file name; text that a spreadsheet would run as a formula is stored as
// text; the exports, put together in one workbook, import again as they
// are at the station and whole at another station of the deployment.
func TestProgrammeExportRoundTrip(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	registerProgrammePeople(f)
	if r := b.uploadProgrammes(programmeWorkbook(t, map[string][]any{
		"协作地区": {"=HYPERLINK(\"http://x\")", "对口支援", "@SUM(1)"}}), true); r.status != http.StatusOK {
		t.Fatalf("import: %d %s", r.status, r.raw)
	}
	if r := f.serve(httptest.NewRequest("GET", "/programmes/export/workers.xlsx", nil)); r.status != http.StatusNotFound {
		t.Fatalf("export of a table not a programme's: %d", r.status)
	}
	var sheets []namedSheet
	for _, ps := range station.ProgrammeSheets {
		r := f.serve(httptest.NewRequest("GET", "/programmes/export/"+ps.Table+".xlsx", nil))
		cd := r.header.Get("Content-Disposition")
		if r.status != http.StatusOK || !strings.Contains(cd, "filename*=UTF-8''") || !strings.Contains(cd, ps.Table+".xlsx") {
			t.Fatalf("export %s: %d %s", ps.Table, r.status, cd)
		}
		x, err := excelize.OpenReader(strings.NewReader(r.raw))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows(ps.Sheet)
		if err != nil || len(rows) < 2 || !slices.Equal(rows[0], ps.Headers()) {
			t.Fatalf("export %s: %v %v", ps.Table, rows, err)
		}
		if ps.Table == records.PartnerRegions {
			for _, cell := range []string{"A2", "A3", "C2", "C3"} {
				if formula, err := x.GetCellFormula(ps.Sheet, cell); err != nil || formula != "" {
					t.Fatalf("%s holds the formula %q (%v)", cell, formula, err)
				}
			}
		}
		x.Close()
		sh := namedSheet{name: ps.Sheet}
		for _, row := range rows {
			cells := make([]any, len(row))
			for i, c := range row {
				cells[i] = c
			}
			sh.rows = append(sh.rows, cells)
		}
		sheets = append(sheets, sh)
	}
	data := makeWorkbook(t, sheets...)
	before := programmeState(f)
	res, err := f.st.ImportProgrammes(context.Background(), data, "zh")
	if err != nil || res.Unchanged != 12 || res.Created+res.Updated != 0 || len(res.Errors) != 0 {
		t.Fatalf("import of the exports: %v %+v", err, res)
	}
	if after := programmeState(f); after != before {
		t.Fatalf("import of the exports wrote:\n%s\n%s", before, after)
	}
	other := f.peer("白音嘎查")
	registerProgrammePeople(other)
	res, err = other.st.ImportProgrammes(context.Background(), data, "zh")
	if err != nil || res.Created != 12 || len(res.Errors) != 0 {
		t.Fatalf("import at another station: %v %+v", err, res)
	}
	var name string
	if err := other.r.DB().QueryRow(`SELECT name FROM partner_regions WHERE kind = '对口支援'`).Scan(&name); err != nil ||
		name != `=HYPERLINK("http://x")` {
		t.Fatalf("partner region %q %v", name, err)
	}
}
