package stationweb

import (
	"archive/zip"
	"bytes"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fieldsync/station"
)

// makeXLSX builds a real workbook with the given rows (the first is the header).
func makeXLSX(t testing.TB, rows [][]any) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var staffHeader = []any{"序号", "身份证号码", "姓名", "手机号", "民族", "户籍村（代码）", "常住地", "文化程度", "劳动能力",
	"人员类别", "技能特长", "是否有外出意愿", "备注", "无关的列"}

func staffRow(n int, idn, name string) []any {
	return []any{n, idn, name, "13800138000", "蒙古族", "150421100201", "", "初中", "普通劳动力", "农民工、脱贫人口",
		"电焊,瓦工", "是", "", "x"}
}

func TestImportMixedReportsRows(t *testing.T) {
	f := newFixture(t, nil)
	existing := idNumber("19700101", 1)
	f.mustCreate("/api/workers", workerBody(existing))
	good := idNumber("19800101", 2)
	badCheck := idNumber("19800101", 3)
	badCheck = badCheck[:17] + map[bool]string{true: "1", false: "0"}[badCheck[17] == '0']
	rows := [][]any{staffHeader,
		staffRow(1, good, "甲"),                                         // row 2: fine
		staffRow(2, badCheck, "乙"),                                     // row 3: check digit
		staffRow(3, idNumber("19800101", 4), ""),                       // row 4: no name
		staffRow(4, good, "丙"),                                         // row 5: duplicate of row 2
		staffRow(5, existing, "丁"),                                     // row 6: registered here before
		staffRow(6, idNumber("19800101", 5), "戊"),                      // row 7: fine
		append(staffRow(7, idNumber("19800101", 6), "己")[:3], "12345"), // row 8: bad phone, short row
	}
	res, err := f.st.ImportWorkers(t.Context(), "mixed.xlsx", makeXLSX(t, rows), "zh")
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 2 || res.Rows != 7 {
		t.Fatalf("result %+v", res)
	}
	want := map[int]string{3: "校验位错误", 4: "姓名不能为空", 5: "已在本站登记", 6: "已在本站登记", 8: "手机号码"}
	if len(res.Errors) != len(want) {
		t.Fatalf("errors %+v", res.Errors)
	}
	for _, e := range res.Errors {
		if !strings.Contains(e.Message, want[e.Row]) {
			t.Errorf("row %d: %q, want %q", e.Row, e.Message, want[e.Row])
		}
	}
	var n int
	f.r.DB().QueryRow(`SELECT count(*) FROM workers`).Scan(&n)
	if n != 3 {
		t.Fatalf("%d workers, want 3", n)
	}
	// An all-bad file writes nothing.
	res, err = f.st.ImportWorkers(t.Context(), "bad.xlsx", makeXLSX(t, [][]any{staffHeader, staffRow(1, "123", "x")}), "en")
	if err != nil || res.Imported != 0 || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "18 characters") {
		t.Fatalf("bad file: %v %+v", err, res)
	}
}

func TestImportRefusesZipBomb(t *testing.T) {
	f := newFixture(t, nil)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	for i := 0; i < 16; i++ {
		w.Write(zeros)
	}
	zw.Close()
	if _, err := f.st.ImportWorkers(t.Context(), "bomb.xlsx", buf.Bytes(), "zh"); !errors.Is(err, station.ErrTooLarge) {
		t.Fatalf("zip bomb: %v", err)
	}
	// Through the form: 413.
	b := f.browser()
	if r := b.upload("bomb.xlsx", buf.Bytes()); r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("upload bomb: %d", r.status)
	}
}

func (b *browser) upload(name string, data []byte) resp {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", b.csrfToken())
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest("POST", "/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func TestImportPage(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.MaxUpload = 64 << 10 })
	b := f.browser()
	if r := b.get("/import"); r.status != 200 || !strings.Contains(r.raw, `type="file"`) {
		t.Fatalf("import page: %d", r.status)
	}
	rows := [][]any{staffHeader, staffRow(1, idNumber("19800101", 1), "甲"), staffRow(2, "bad", "乙")}
	r := b.upload("名单.xlsx", makeXLSX(t, rows))
	if r.status != 200 || !strings.Contains(r.raw, `id="imported">1<`) || !strings.Contains(r.raw, "公民身份号码应为18位") {
		t.Fatalf("upload: %d\n%s", r.status, r.raw)
	}
	if r := b.upload("big.csv", bytes.Repeat([]byte("x"), 2<<20)); r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized upload: %d", r.status)
	}
	if r := b.upload("x.csv", bytes.Repeat([]byte("x"), 70<<10)); r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("upload just over the limit: %d", r.status)
	}
	if r := b.upload("x.doc", []byte("hello")); r.status != 400 {
		t.Fatalf("bad type: %d", r.status)
	}
}

func TestExports(t *testing.T) {
	f := newFixture(t, nil)
	idn := idNumber("19800101", 11)
	wid := f.mustCreate("/api/workers", workerBody(idn))
	f.mustCreate("/api/monthly-status", map[string]any{"worker_id": wid, "month": "2026-11", "list_type": "就业",
		"work_scope": "区外", "place": "北京", "employment_form": "单位", "monthly_income": 5000,
		"verified_by_method": "数据比对", "verified_by": "李四", "verified_at": "2026-11-10"})
	f.mustCreate("/api/gigs", gigBody())
	b := f.browser()
	r := b.get("/lists/export?month=2026-11&list=employed&format=xlsx")
	if r.status != 200 || !strings.Contains(r.header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("xlsx export: %d %v", r.status, r.header)
	}
	x, err := excelize.OpenReader(strings.NewReader(r.raw))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows(x.GetSheetName(0))
	x.Close()
	if err != nil || len(rows) != 2 || rows[0][3] != "公民身份号码" || rows[1][3] != idn || rows[1][1] != "巴图" ||
		rows[1][slices.Index(rows[0], "务工地域")] != "区外" {
		t.Fatalf("exported rows %v %v", rows, err)
	}
	// The county's systems read the code column; the name column beside it is
	// the place's path, and a worker with no residence has neither.
	for col, want := range map[string]string{"户籍地": "150421100201", "户籍地名称": "赤峰市 / 阿鲁科尔沁旗 / 天山镇 / 西双山村民委员会",
		"常住地": "", "常住地名称": ""} {
		if i := slices.Index(rows[0], col); i < 0 || i >= len(rows[1]) && want != "" || i < len(rows[1]) && rows[1][i] != want {
			t.Errorf("list export column %s: header %v, row %v, want %q", col, rows[0], rows[1], want)
		}
	}
	r = b.get("/lists/export?month=2026-11&list=employed&format=csv")
	if !strings.HasPrefix(r.raw, "\ufeff序号,姓名") || !strings.Contains(r.raw, idn) {
		t.Fatalf("csv export:\n%s", r.raw)
	}
	if r := b.get("/lists/export?month=2026-11&list=nope&format=csv"); r.status != 400 {
		t.Fatalf("bad list: %d", r.status)
	}
	r = b.get("/gigs/export?format=csv")
	if !strings.Contains(r.raw, "摘枸杞") || !strings.Contains(r.raw, "在招") {
		t.Fatalf("gig csv:\n%s", r.raw)
	}
	r = b.get("/gigs/export?format=xlsx")
	x, err = excelize.OpenReader(strings.NewReader(r.raw))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ = x.GetRows(x.GetSheetName(0))
	x.Close()
	if len(rows) != 2 || rows[1][0] != "摘枸杞" {
		t.Fatalf("gig xlsx %v", rows)
	}
	if i := slices.Index(rows[0], "地点代码"); i < 0 || rows[1][i] != "150421100" || rows[0][i+1] != "地点名称" ||
		rows[1][i+1] != "赤峰市 / 阿鲁科尔沁旗 / 天山镇" {
		t.Fatalf("gig xlsx place columns %v", rows)
	}
}
