package station

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"fieldsync/ident"
	"fieldsync/places/placename"
	"fieldsync/records"
	"fieldsync/replica"
)

// programmeBook is a workbook in the making: sheets in order, each its
// rows (the header first).
type programmeBook struct {
	order  []string
	sheets map[string][][]any
}

func (b *programmeBook) add(sheet string, rows ...[]any) {
	if b.sheets == nil {
		b.sheets = map[string][][]any{}
	}
	if _, ok := b.sheets[sheet]; !ok {
		b.order = append(b.order, sheet)
	}
	b.sheets[sheet] = append(b.sheets[sheet], rows...)
}

func (b *programmeBook) bytes(t testing.TB) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	for i, name := range b.order {
		if i == 0 {
			if err := x.SetSheetName(x.GetSheetName(0), name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := x.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range b.sheets[name] {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := x.SetSheetRow(name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	buf, err := x.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func headerRow(sheet string) []any {
	for _, ps := range ProgrammeSheets {
		if ps.Sheet == sheet {
			out := make([]any, len(ps.Columns))
			for i, c := range ps.Columns {
				out[i] = c.Header
			}
			return out
		}
	}
	panic("no sheet " + sheet)
}

// programmePeople registers the three people the full workbook names.
func programmePeople(t *testing.T, f *fixture) (wuyun, bater, qiqige string) {
	t.Helper()
	ids := make([]string, 3)
	for i, name := range []string{"乌云", "巴特尔", "其其格"} {
		ids[i] = idNumber("19700101", i+1)
		if _, err := f.st.CreateWorker(t.Context(), records.Worker{IDNumber: ids[i], Name: name, Ethnicity: "蒙古族",
			HukouVillage: "150421100201", Education: "初中", LabourAbility: "普通劳动力"}); err != nil {
			t.Fatal(err)
		}
	}
	return ids[0], ids[1], ids[2]
}

// fullBook is a workbook holding every register, each row naming rows an
// earlier sheet makes; one date is an Excel date cell, and a sheet of notes
// is not a register.
func fullBook(wuyun, bater, qiqige string) *programmeBook {
	b := &programmeBook{}
	b.add("说明", []any{"本工作簿为帮扶项目台账"})
	// The people's sheets come before the sheets they name: the import
	// writes registers in their own order, not the workbook's.
	b.add("公益性岗位人员", headerRow("公益性岗位人员"),
		[]any{"乌云", wuyun, "村保洁员", "150421100201", "劳务协议", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "2027-02-28",
			"工伤保险", "P-001", "2026/3/1", "20270228", "否", "", ""})
	b.add("公益性岗位", headerRow("公益性岗位"),
		[]any{"村保洁员", "150421100201", "保洁环卫", 2, "500元", "否", "红旗嘎查村委会", "2026-01-01", "", ""})
	b.add("公益性岗位考核", headerRow("公益性岗位考核"),
		[]any{"乌云", wuyun, "村保洁员", "", "2026年10月", "合格", 300, ""})
	b.add("就业帮扶车间", headerRow("就业帮扶车间"),
		[]any{"红旗服装车间", "150421100201", "红旗服装有限公司", "服装", "2026-01-05", "0471-1234567", ""})
	b.add("帮扶车间人员", headerRow("帮扶车间人员"),
		[]any{"巴特尔", bater, "红旗服装车间", "2026-04-01", "", 2600})
	b.add("共享用工", headerRow("共享用工"),
		[]any{"巴特尔", bater, "甲公司", "2027-06-30", "乙公司", "2026-05-01", "2026-12-31", ""})
	b.add("以工代赈项目", headerRow("以工代赈项目"),
		[]any{"红旗村道路", "150421100201", "交通运输局", "2026-04-01", "", 100000, ""})
	b.add("以工代赈人员", headerRow("以工代赈人员"),
		[]any{"其其格", qiqige, "红旗村道路", "2026-04-10", "2026-05-10", 3000, "2026-05-15"})
	b.add("协作地区", headerRow("协作地区"), []any{"北京市", "东西部协作", ""})
	b.add("劳务输出批次", headerRow("劳务输出批次"),
		[]any{"2026-06-01", "北京市朝阳区", "某物流公司", "北京市", "乌兰察布劳务", ""})
	b.add("劳务输出人员", headerRow("劳务输出人员"), []any{"其其格", qiqige, "2026-06-01", "北京市朝阳区"})
	return b
}

// programmeCounts is the number of live rows of every programme table and
// the length of the replica's change log: what an import that writes
// nothing leaves as it was.
func programmeCounts(t *testing.T, f *fixture) string {
	t.Helper()
	var parts []string
	for _, table := range append(slices.Clone(records.ProgrammeCountyTables), records.ProgrammePersonTables...) {
		var n int
		if err := f.r.DB().QueryRow(`SELECT count(*) FROM ` + table + ` WHERE fs_deleted = 0`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, fmt.Sprintf("%s=%d", table, n))
	}
	var seq int
	if err := f.r.DB().QueryRow(`SELECT count(*) FROM fs_log`).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	return strings.Join(parts, " ") + fmt.Sprintf(" log=%d", seq)
}

// A workbook holding every register imports whole, in the registers' own
// order whatever the workbook's; rows name people by id number and rows of
// earlier sheets by name; importing it again writes nothing.
func TestImportProgrammesWorkbook(t *testing.T) {
	f := newFixture(t)
	wuyun, bater, qiqige := programmePeople(t, f)
	data := fullBook(wuyun, bater, qiqige).bytes(t)
	res, err := f.st.ImportProgrammes(t.Context(), data, "zh")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 0 || res.Created != 11 || res.Rows != 11 {
		t.Fatalf("import: %+v", res)
	}
	if len(res.Notices) != 1 || !strings.Contains(res.Notices[0], "说明") {
		t.Fatalf("notices %q, want the sheet 说明 ignored", res.Notices)
	}
	var postID []byte
	var placement struct{ worker, post, start, end, insStart, insEnd string }
	if err := f.r.DB().QueryRow(`SELECT id FROM welfare_posts WHERE name = '村保洁员'`).Scan(&postID); err != nil {
		t.Fatal(err)
	}
	if err := f.r.DB().QueryRow(`SELECT worker_id, post_id, contract_start, contract_end, insurance_start, insurance_end
		FROM welfare_placements`).Scan(&placement.worker, &placement.post, &placement.start, &placement.end,
		&placement.insStart, &placement.insEnd); err != nil {
		t.Fatal(err)
	}
	key, _ := f.cfg.DeploymentKey()
	if placement.worker != (&records.Worker{IDNumber: wuyun}).ID(key).String() ||
		placement.post != ident.ID(postID).String() || placement.start != "2026-03-01" || placement.end != "2027-02-28" ||
		placement.insStart != "2026-03-01" || placement.insEnd != "2027-02-28" {
		t.Fatalf("placement %+v (post %x)", placement, postID)
	}
	for _, q := range []struct{ query, want string }{
		{`SELECT a.month || ' ' || a.result || ' ' || a.other_income FROM welfare_assessments a
			JOIN welfare_placements p ON lower(hex(p.id)) = a.placement_id`, "2026-10 合格 300.0"},
		{`SELECT w.name || ' ' || j.start_on || ' ' || j.monthly_wage FROM workshop_jobs j
			JOIN workshops w ON lower(hex(w.id)) = j.workshop_id`, "红旗服装车间 2026-04-01 2600.0"},
		{`SELECT host_employer || ' ' || end_on FROM shared_employment`, "乙公司 2026-12-31"},
		{`SELECT p.name || ' ' || j.pay FROM work_relief_jobs j JOIN work_relief_projects p ON lower(hex(p.id)) = j.project_id`,
			"红旗村道路 3000.0"},
		{`SELECT b.destination || ' ' || r.name FROM export_batches b JOIN partner_regions r ON lower(hex(r.id)) = b.partner_region_id`,
			"北京市朝阳区 北京市"},
		{`SELECT b.sent_on FROM export_members m JOIN export_batches b ON lower(hex(b.id)) = m.batch_id`, "2026-06-01"},
		{`SELECT subsidy || ' ' || headcount || ' ' || station FROM welfare_posts`, "500.0 2 " + f.cfg.Name},
	} {
		var got string
		if err := f.r.DB().QueryRow(q.query).Scan(&got); err != nil || got != q.want {
			t.Errorf("%s\n= %q, %v; want %q", q.query, got, err, q.want)
		}
	}
	before := programmeCounts(t, f)
	again, err := f.st.ImportProgrammes(t.Context(), data, "zh")
	if err != nil || again.Created != 0 || again.Updated != 0 || again.Unchanged != 11 || len(again.Errors) != 0 {
		t.Fatalf("import again: %v %+v", err, again)
	}
	if after := programmeCounts(t, f); after != before {
		t.Fatalf("import again changed the station:\n%s\n%s", before, after)
	}
}

// Any refused row refuses the whole workbook: the refusal names the
// sheet, the row and the column, and the station is left as it was.
func TestImportProgrammesRefusesWhole(t *testing.T) {
	f := newFixture(t)
	wuyun, bater, qiqige := programmePeople(t, f)
	stranger := idNumber("19800101", 9)
	for _, tc := range []struct {
		name   string
		change func(b *programmeBook)
		sheet  string
		row    int
		column string
		says   string
	}{
		{"unknown person", func(b *programmeBook) {
			b.add("帮扶车间人员", []any{"某人", stranger, "红旗服装车间", "2026-04-01", "", 2600})
		}, "帮扶车间人员", 3, "公民身份号码", "未在本站登记"},
		{"contract over a year", func(b *programmeBook) {
			b.sheets["公益性岗位人员"][1][6] = "2027-03-01"
			b.sheets["公益性岗位人员"][1][10] = "2027-03-01"
		}, "公益性岗位人员", 2, "合同结束日期", "超过1年"},
		{"missing header", func(b *programmeBook) {
			h := b.sheets["共享用工"][0]
			h[4] = "单位"
		}, "共享用工", 1, "用工单位", "缺少必填列"},
		{"unknown post", func(b *programmeBook) {
			b.sheets["公益性岗位人员"][1][2] = "护林员"
		}, "公益性岗位人员", 2, "岗位名称", "找不到"},
		{"post of another village", func(b *programmeBook) {
			b.sheets["公益性岗位考核"][1][3] = "150421100202"
		}, "公益性岗位考核", 2, "岗位名称", "找不到"},
		{"unknown batch", func(b *programmeBook) {
			b.sheets["劳务输出人员"][1][2] = "2026-06-02"
		}, "劳务输出人员", 2, "输出日期", "找不到"},
		{"sharing past the original contract", func(b *programmeBook) {
			b.sheets["共享用工"][1][6] = "2027-07-01"
		}, "共享用工", 2, "共享结束日期", "不能晚于"},
		{"a name not the registered one", func(b *programmeBook) {
			b.sheets["以工代赈人员"][1][0] = "张三"
		}, "以工代赈人员", 2, "姓名", "不符"},
		{"a row twice", func(b *programmeBook) {
			b.add("协作地区", []any{"北京市", "东西部协作", ""})
		}, "协作地区", 3, "地区名称", "重复"},
		{"a post's name in two villages", func(b *programmeBook) {
			b.add("公益性岗位", []any{"村保洁员", "150421100202", "保洁环卫", 1, 500, "否", "红旗嘎查村委会", "", "", ""})
			b.sheets["公益性岗位人员"][1][3] = ""
		}, "公益性岗位人员", 2, "岗位名称", "有多个"},
		{"no header in the first rows", func(b *programmeBook) {
			b.sheets["协作地区"] = [][]any{{"协作地区台账"}, {}, {"说明"}, {"x"}, {"y"}, {"北京市", "东西部协作"}}
		}, "协作地区", 5, "地区名称", "找不到表头"},
		{"not a number", func(b *programmeBook) {
			b.sheets["以工代赈人员"][1][5] = "三千"
		}, "以工代赈人员", 2, "劳务报酬", "数字"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := programmeCounts(t, f)
			b := fullBook(wuyun, bater, qiqige)
			tc.change(b)
			res, err := f.st.ImportProgrammes(t.Context(), b.bytes(t), "zh")
			if err != nil {
				t.Fatal(err)
			}
			if res.Created+res.Updated+res.Unchanged != 0 || len(res.Errors) == 0 {
				t.Fatalf("result %+v, want a refusal", res)
			}
			if !slices.ContainsFunc(res.Errors, func(e ProgrammeRowError) bool {
				return e.Sheet == tc.sheet && e.Row == tc.row && e.Column == tc.column && strings.Contains(e.Message, tc.says)
			}) {
				t.Fatalf("errors %+v, want %s row %d %s: …%s…", res.Errors, tc.sheet, tc.row, tc.column, tc.says)
			}
			if after := programmeCounts(t, f); after != before {
				t.Fatalf("a refused import changed the station:\n%s\n%s", before, after)
			}
		})
	}
}

// A post the county made (as the hub relays it) that the workbook lists as
// it is is the post the workbook's placements name; listed otherwise, the
// row is refused, for only its maker edits it.
func TestImportProgrammesCountyPost(t *testing.T) {
	f := newFixture(t)
	wuyun, bater, qiqige := programmePeople(t, f)
	post := &records.WelfarePost{Name: "村保洁员", Village: "150421100201", Kind: "保洁环卫", Headcount: 2, Subsidy: 500,
		Employer: "红旗嘎查村委会", StartOn: "2026-01-01"}
	county, _ := ident.NewTimeOrdered(testNow)
	set := append(post.Columns(), replica.ColumnValue{Column: "station", Value: records.County})
	if _, err := f.r.Write(t.Context(), replica.Edit{Table: records.WelfarePosts, Row: county, Set: set}); err != nil {
		t.Fatal(err)
	}
	changed := fullBook(wuyun, bater, qiqige)
	changed.sheets["公益性岗位"][1][3] = 3
	res, err := f.st.ImportProgrammes(t.Context(), changed.bytes(t), "zh")
	if err != nil || len(res.Errors) != 1 || res.Errors[0].Sheet != "公益性岗位" || res.Errors[0].Row != 2 ||
		!strings.Contains(res.Errors[0].Message, "只有录入该记录的站点或县级可以修改") {
		t.Fatalf("a change of the county's post: %v %+v", err, res)
	}
	res, err = f.st.ImportProgrammes(t.Context(), fullBook(wuyun, bater, qiqige).bytes(t), "zh")
	if err != nil || len(res.Errors) != 0 || res.Created != 10 || res.Unchanged != 1 {
		t.Fatalf("import: %v %+v", err, res)
	}
	var postID string
	if err := f.r.DB().QueryRow(`SELECT post_id FROM welfare_placements`).Scan(&postID); err != nil || postID != county.String() {
		t.Fatalf("placement's post %s (%v), want the county's %s", postID, err, county)
	}
}

// A register that keeps fewer columns than the station erases nothing:
// the values of the columns it lacks are kept, and a blank cell of a
// column it has clears the value.
func TestImportProgrammesFewerColumns(t *testing.T) {
	f := newFixture(t)
	full := &programmeBook{}
	full.add("协作地区", headerRow("协作地区"), []any{"北京市", "东西部协作", "京蒙协作"}, []any{"天津市", "东西部协作", "津蒙协作"})
	if res, err := f.st.ImportProgrammes(t.Context(), full.bytes(t), "zh"); err != nil || res.Created != 2 {
		t.Fatalf("import: %v %+v", err, res)
	}
	fewer := &programmeBook{}
	fewer.add("协作地区", []any{"地区名称", "协作类型"}, []any{"北京市", "东西部协作"}, []any{"天津市", "对口支援"})
	res, err := f.st.ImportProgrammes(t.Context(), fewer.bytes(t), "zh")
	if err != nil || res.Unchanged != 1 || res.Updated != 1 {
		t.Fatalf("import of fewer columns: %v %+v", err, res)
	}
	blank := &programmeBook{}
	blank.add("协作地区", headerRow("协作地区"), []any{"北京市", "东西部协作", ""})
	if res, err := f.st.ImportProgrammes(t.Context(), blank.bytes(t), "zh"); err != nil || res.Updated != 1 {
		t.Fatalf("import of a blank cell: %v %+v", err, res)
	}
	for name, want := range map[string]string{"北京市": "", "天津市": "对口支援 津蒙协作"} {
		var got string
		if err := f.r.DB().QueryRow(`SELECT kind || ifnull(' ' || notes, '') FROM partner_regions WHERE name = ?`, name).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if name == "北京市" {
			want = "东西部协作"
		}
		if got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

// A register's sheet left empty, or holding only blank rows, is no
// refusal; a title above the header is skipped; a second sheet of a
// register (its name but for spaces) is ignored with a notice.
func TestImportProgrammesEmptySheet(t *testing.T) {
	f := newFixture(t)
	b := &programmeBook{}
	b.add("就业帮扶车间")
	b.add(" 协作地区", headerRow("协作地区"), []any{"天津市", "东西部协作", ""})
	b.add("以工代赈项目", []any{}, []any{}, []any{}, []any{}, []any{}, []any{})
	b.add("协作地区", []any{"2026年协作地区"}, headerRow("协作地区"), []any{"北京市", "东西部协作", ""})
	res, err := f.st.ImportProgrammes(t.Context(), b.bytes(t), "zh")
	if err != nil || res.Created != 1 || len(res.Errors) != 0 || len(res.Notices) != 1 ||
		!strings.Contains(res.Notices[0], "同一台账") {
		t.Fatalf("import: %v %+v", err, res)
	}
}

// An export of every table imports again as it is: at another station of
// the deployment holding the same people, every row is made; at the
// station itself, nothing changes.
func TestProgrammeExportRoundTrip(t *testing.T) {
	f := newFixture(t)
	wuyun, bater, qiqige := programmePeople(t, f)
	if res, err := f.st.ImportProgrammes(t.Context(), fullBook(wuyun, bater, qiqige).bytes(t), "zh"); err != nil || len(res.Errors) != 0 {
		t.Fatalf("import: %v %+v", err, res)
	}
	b := &programmeBook{}
	for _, ps := range ProgrammeSheets {
		sheet, header, rows, err := f.st.ProgrammeExport(t.Context(), ps.Table)
		if err != nil {
			t.Fatal(err)
		}
		if sheet != ps.Sheet || len(rows) != 1 {
			t.Fatalf("%s: sheet %q, %d rows", ps.Table, sheet, len(rows))
		}
		h := make([]any, len(header))
		for i, v := range header {
			h[i] = v
		}
		b.add(sheet, h)
		b.add(sheet, rows...)
	}
	data := b.bytes(t)
	before := programmeCounts(t, f)
	res, err := f.st.ImportProgrammes(t.Context(), data, "zh")
	if err != nil || res.Unchanged != 11 || res.Created+res.Updated != 0 || len(res.Errors) != 0 {
		t.Fatalf("import of the export: %v %+v", err, res)
	}
	if after := programmeCounts(t, f); after != before {
		t.Fatalf("import of the export changed the station:\n%s\n%s", before, after)
	}
	other := f.peer("白音嘎查")
	programmePeople(t, other)
	res, err = other.st.ImportProgrammes(t.Context(), data, "zh")
	if err != nil || res.Created != 11 || len(res.Errors) != 0 {
		t.Fatalf("import at another station: %v %+v", err, res)
	}
	for _, ps := range ProgrammeSheets {
		_, _, want, _ := f.st.ProgrammeExport(t.Context(), ps.Table)
		_, _, got, err := other.st.ProgrammeExport(t.Context(), ps.Table)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s at the other station: %v %v, want %v", ps.Table, got, err, want)
		}
	}
}

// A person's records are exported for the station's own people only.
func TestProgrammeExportOwnPeople(t *testing.T) {
	f := newFixture(t)
	wuyun, bater, qiqige := programmePeople(t, f)
	if res, err := f.st.ImportProgrammes(t.Context(), fullBook(wuyun, bater, qiqige).bytes(t), "zh"); err != nil || len(res.Errors) != 0 {
		t.Fatalf("import: %v %+v", err, res)
	}
	key, _ := f.cfg.DeploymentKey()
	id := (&records.Worker{IDNumber: bater}).ID(key)
	if _, err := f.r.DB().Exec(`UPDATE workers SET station = '别的站' WHERE id = ?`, id[:]); err != nil {
		t.Fatal(err)
	}
	_, _, rows, err := f.st.ProgrammeExport(t.Context(), records.WorkshopJobs)
	if err != nil || len(rows) != 0 {
		t.Fatalf("another station's person exported: %v %v", rows, err)
	}
	_, _, rows, err = f.st.ProgrammeExport(t.Context(), records.Workshops)
	if err != nil || len(rows) != 1 {
		t.Fatalf("county-wide table: %v %v", rows, err)
	}
}

// FuzzProgrammeSheetRow: whatever a register's cells hold, its row decoder
// neither panics nor lets through a record its own validation refuses
// with the names filled in: a row it reads names the person the id number
// derives; a refusal names a field of the sheet.
func FuzzProgrammeSheetRow(f *testing.F) {
	f.Add(0, idNumber("19800101", 1), "村保洁员", "2026-03-01", "2027/2/28", "500元", "是", "劳务协议")
	f.Add(1, idNumber("19800101", 2), "", "46082", "20270228", "1,500", "否", "工伤保险")
	f.Add(2, "x", "150421100201", "2026年10月", "2026-13-01", "-1", "maybe", "合格")
	f.Add(9, idNumber("19800101", 3), "红旗村", "0", "1e9", "NaN", "√", "东西部协作")
	key, err := ident.NewKey()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, sheet int, idn, name, d1, d2, num, flag, enum string) {
		if sheet < 0 {
			sheet = -sheet
		}
		ps := &ProgrammeSheets[sheet%len(ProgrammeSheets)]
		dec := &sheetDecoder{sheet: ps}
		if _, ok, rerr := dec.row(1, ps.Headers(), "zh"); ok || rerr != nil {
			t.Fatalf("header: %v %+v", ok, rerr)
		}
		cells := make([]string, len(ps.Columns))
		dates := []string{d1, d2}
		for i, c := range ps.Columns {
			switch c.kind {
			case cellIDNum:
				cells[i] = idn
			case cellDate, cellMonth:
				cells[i], dates = dates[0], append(dates[1:], dates[0])
			case cellNumber:
				cells[i] = num
			case cellBool:
				cells[i] = flag
			case cellVillage, cellPlace:
				cells[i] = name
			default:
				if c.Required {
					cells[i] = enum
				} else {
					cells[i] = name
				}
			}
		}
		r, ok, rerr := dec.row(2, cells, "zh")
		if rerr != nil {
			t.Fatalf("row refused as a header: %+v", rerr)
		}
		if !ok {
			if strings.TrimSpace(strings.Join(cells, "")) != "" {
				t.Fatalf("a row with cells skipped: %q", cells)
			}
			return
		}
		d, err := decodeProgrammeRow(ps, r.cells, key)
		if err != nil {
			field := ""
			var pe *placename.Error
			if fe, ok := records.AsFieldError(err); ok {
				field = fe.Field
			} else if errors.As(err, &pe) {
				field = pe.Field
			}
			if !sheetHasField(ps, field) {
				t.Fatalf("refusal without a column of the sheet: %v", err)
			}
			return
		}
		if w := d.vals["worker_id"]; w != "" {
			norm, err := normalizeIDNumber(idn)
			if err != nil || w != (&records.Worker{IDNumber: norm}).ID(key).String() {
				t.Fatalf("worker %s for %q (%v)", w, idn, err)
			}
		}
		for _, field := range []string{"post_id", "placement_id", "workshop_id", "project_id", "partner_region_id", "batch_id"} {
			if _, ok := d.vals[field]; ok {
				d.vals[field] = ident.ID{1}.String()
			}
		}
		rec, err := d.build(ps.Table)
		if err != nil {
			if _, ok := records.AsFieldError(err); !ok {
				t.Fatalf("build: %v", err)
			}
			return
		}
		if err := rec.Validate(); err == nil {
			again := rec.Columns()
			if err := rec.Validate(); err != nil || fmt.Sprint(again) != fmt.Sprint(rec.Columns()) {
				t.Fatalf("a valid record changes on validating again: %v", err)
			}
		} else if _, ok := records.AsFieldError(err); !ok {
			t.Fatalf("refusal without a field: %v", err)
		}
	})
}

// sheetHasField reports whether a refusal of field names a column of ps.
func sheetHasField(ps *ProgrammeSheet, field string) bool {
	if field == "id_number" {
		field = "worker_id"
	}
	return slices.ContainsFunc(ps.Columns, func(c ProgrammeColumn) bool { return c.Field == field })
}

// docs/API.md lists every register with every header of ProgrammeSheets,
// required ones marked, so the documented layout is the one imported.
func TestProgrammeSheetsDocumented(t *testing.T) {
	b, err := os.ReadFile("../docs/API.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	start := strings.Index(doc, "### 帮扶项目台账导入（Excel）")
	if start < 0 {
		t.Fatal("docs/API.md has no section 帮扶项目台账导入（Excel）")
	}
	doc = doc[start:]
	if end := strings.Index(doc, "\n## "); end > 0 {
		doc = doc[:end]
	}
	for _, ps := range ProgrammeSheets {
		at := strings.Index(doc, "**"+ps.Sheet+"** (`"+ps.Table+"`)")
		if at < 0 {
			t.Errorf("no table of the sheet %s", ps.Sheet)
			continue
		}
		table := doc[at:]
		if end := strings.Index(table[2:], "\n**"); end > 0 {
			table = table[:end+2]
		}
		for _, c := range ps.Columns {
			h := "| " + c.Header
			if c.Required {
				h += " *"
			}
			if !strings.Contains(table, h+" ") || !strings.Contains(table, "`"+c.Field+"`") {
				t.Errorf("%s: the column %q (%s) is not documented as such", ps.Sheet, h, c.Field)
			}
		}
		if !strings.Contains(doc, "`"+ps.Table+"`") {
			t.Errorf("no export of %s", ps.Table)
		}
	}
}

// A workbook of more rows than an import takes is refused whole, like the
// other imports' files.
func TestImportProgrammesTooManyRows(t *testing.T) {
	f := newFixture(t)
	wuyun, bater, qiqige := programmePeople(t, f)
	old := maxImportRows
	maxImportRows = 10
	t.Cleanup(func() { maxImportRows = old })
	before := programmeCounts(t, f)
	_, err := f.st.ImportProgrammes(t.Context(), fullBook(wuyun, bater, qiqige).bytes(t), "zh")
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("11 rows against a bound of 10: %v", err)
	}
	if after := programmeCounts(t, f); after != before {
		t.Fatalf("a refused workbook wrote:\n%s\n%s", before, after)
	}
	if _, err := f.st.ImportProgrammes(t.Context(), []byte("PK\x03\x04 not a zip"), "zh"); !errors.Is(err, ErrBadFile) {
		t.Fatalf("a broken workbook: %v", err)
	}
}
