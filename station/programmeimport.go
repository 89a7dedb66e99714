package station

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"fieldsync/ident"
	"fieldsync/places"
	"fieldsync/places/placename"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/webkit"
)

// 帮扶项目台账 (the programmes' registers as the county keeps them): one
// workbook, one sheet per register, named and headed in Chinese as the
// county writes them (ProgrammeSheets). Rows name people by their id number
// and posts, workshops, projects, partner regions and batches by their name,
// including rows an earlier sheet of the same workbook made. The whole
// workbook is written in one transaction through the programmes' one write
// path (saveProgrammeTx): any refused row refuses the whole import, with
// every refusal listed by sheet, row and column. A row the station already
// holds as it is changes nothing, so importing the same workbook again
// writes nothing.

// ProgrammeImportText holds the programme import's own messages; %s in a
// message is filled as its comment says.
var ProgrammeImportText = webkit.Catalogue{
	// the sheet's name
	"pi_unknown_sheet": {"工作表“%s”不是帮扶项目台账，已忽略", "sheet \"%s\" is not a programme register; ignored"},
	// the sheet's name, the register's
	"pi_second_sheet": {"工作表“%s”与前面的“%s”是同一台账，已忽略", "sheet \"%s\" is the register \"%s\" again; ignored"},
	// the header
	"pi_missing_header": {"缺少必填列“%s”", "the required column \"%s\" is missing"},
	"pi_no_header":      {"找不到表头（前5行中没有本表的列名）", "no header row (none of the sheet's column names in its first 5 rows)"},
	"pi_no_sheet":       {"工作簿中没有帮扶项目台账工作表（表名应为：%s）", "the workbook holds no programme register (sheets are named: %s)"},
	// the header, the sheet, the value
	"pi_no_row": {"找不到%s“%s”（本站数据和本工作簿中都没有）", "no %s \"%s\" (neither at this station nor in this workbook)"},
	// the header, the value, the header that chooses
	"pi_ambiguous": {"%s“%s”有多个，请填写%s以区分", "several %s named \"%s\": give %s to choose"},
	// the header, the value
	"pi_several": {"%s“%s”有多条记录（由不同站点录入），无法确定是哪一条，请在页面上录入", "several %s \"%s\" (made at different stations): enter this row on its page"},
	// the row it first appears on
	"pi_duplicate":    {"与本表第%d行重复", "repeats row %d of this sheet"},
	"pi_name_differs": {"姓名与本站登记的“%s”不符", "the name differs from the one registered, \"%s\""},
	"pi_no_placement": {"该人员在该岗位没有覆盖该月的安置记录", "this person holds no placement in this post covering that month"},
	"pi_refused":      {"导入未进行：请改正以下各行后重新导入整个工作簿（未写入任何数据）", "Nothing was imported: correct the rows below and import the whole workbook again (nothing was written)"},
}

func piText(lang, key string, args ...any) string {
	return fmt.Sprintf(ProgrammeImportText.T(lang, key), args...)
}

// cellKind says how a column's cells are read.
type cellKind int

const (
	cellText    cellKind = iota
	cellDate             // a date: records.NormalizeDate's forms or an Excel date cell
	cellMonth            // a month: 2026-03, 2026年3月, 202603, or an Excel date cell
	cellNumber           // a number: 1500, 1,500, 1500元
	cellBool             // 是/否
	cellIDNum            // a person's 公民身份号码
	cellVillage          // a 嘎查村 by code or name
	cellPlace            // a 旗县, 苏木乡镇 or 嘎查村 by code or name
)

// ProgrammeColumn is a column of a programme sheet: its header as the
// county writes it, other headers taken for it, the record field it fills
// (or the reference it names), whether it is required, and how its cells
// are read.
type ProgrammeColumn struct {
	Header   string
	Aliases  []string
	Field    string
	Required bool
	kind     cellKind
}

// ProgrammeSheet is one register of the workbook: its sheet name, the
// programme table its rows go to, and its columns.
type ProgrammeSheet struct {
	Sheet   string
	Table   string
	Columns []ProgrammeColumn
	// keys are the columns (after validation) that name a row: a row of
	// the table with the same values is the row the sheet's row describes.
	keys []string
}

func col(h, field string, req bool, kind cellKind, aliases ...string) ProgrammeColumn {
	return ProgrammeColumn{Header: h, Aliases: aliases, Field: field, Required: req, kind: kind}
}

// Reference fields that are not a record's own: the person's name (checked
// against the register), the village that tells posts of the same name
// apart, the destination that with the date names a batch.
const (
	fieldPersonName       = "person_name"
	fieldPostVillage      = "post_village"
	fieldBatchDestination = "batch_destination"
)

var (
	colName   = col("姓名", fieldPersonName, false, cellText)
	colIDNum  = col("公民身份号码", "worker_id", true, cellIDNum, "身份证号", "身份证号码", "身份证", "证件号码", "身份证件号码")
	colPost   = col("岗位名称", "post_id", true, cellText, "公益性岗位", "公益性岗位名称")
	colPostVl = col("所在嘎查村", fieldPostVillage, false, cellVillage, "岗位所在嘎查村", "嘎查村")
	colNotes  = col("备注", "notes", false, cellText)
)

// ProgrammeSheets are the workbook's registers, in the order they are
// written: a sheet may name rows an earlier one makes.
var ProgrammeSheets = []ProgrammeSheet{
	{Sheet: "公益性岗位", Table: records.WelfarePosts, keys: []string{"name", "village"}, Columns: []ProgrammeColumn{
		col("岗位名称", "name", true, cellText, "公益性岗位名称"),
		col("所在嘎查村", "village", true, cellVillage, "嘎查村", "岗位所在嘎查村"),
		col("岗位类别", "kind", true, cellText, "岗位类型", "类别"),
		col("岗位数", "headcount", true, cellNumber, "岗位数量", "设岗人数", "岗位人数"),
		col("补贴标准", "subsidy", true, cellNumber, "岗位补贴标准", "岗位补贴"),
		col("是否非全日制", "part_time", false, cellBool, "非全日制"),
		col("用人单位", "employer", true, cellText),
		col("开始日期", "start_on", false, cellDate, "设岗日期"),
		col("结束日期", "end_on", false, cellDate),
		colNotes,
	}},
	{Sheet: "公益性岗位人员", Table: records.WelfarePlacements, keys: []string{"worker_id", "post_id", "contract_start"},
		Columns: []ProgrammeColumn{
			colName, colIDNum, colPost, colPostVl,
			col("合同类型", "contract_kind", true, cellText, "合同或协议类型"),
			col("合同开始日期", "contract_start", true, cellDate, "合同起始日期", "协议开始日期"),
			col("合同结束日期", "contract_end", true, cellDate, "合同终止日期", "合同到期日期", "协议结束日期"),
			col("保险类型", "insurance_kind", true, cellText, "保险种类", "参保险种"),
			col("保单号", "insurance_policy", false, cellText, "保险单号"),
			col("保险开始日期", "insurance_start", true, cellDate, "保险起始日期"),
			col("保险结束日期", "insurance_end", true, cellDate, "保险终止日期", "保险到期日期"),
			col("是否非全日制", "part_time", false, cellBool, "非全日制"),
			col("退出日期", "exit_on", false, cellDate),
			col("退出原因", "exit_reason", false, cellText),
		}},
	{Sheet: "公益性岗位考核", Table: records.WelfareAssessments, keys: []string{"worker_id", "placement_id", "month"},
		Columns: []ProgrammeColumn{
			colName, colIDNum,
			col("岗位名称", "placement_id", true, cellText, "公益性岗位", "公益性岗位名称"),
			colPostVl,
			col("考核月份", "month", true, cellMonth, "月份"),
			col("考核结果", "result", true, cellText),
			col("其他收入", "other_income", false, cellNumber, "其他收入（元/月）", "灵活就业收入", "其他月收入"),
			colNotes,
		}},
	{Sheet: "就业帮扶车间", Table: records.Workshops, keys: []string{"name"}, Columns: []ProgrammeColumn{
		col("车间名称", "name", true, cellText, "帮扶车间名称", "就业帮扶车间"),
		col("所在嘎查村", "village", true, cellVillage, "嘎查村"),
		col("经营主体", "operator", false, cellText),
		col("行业", "industry", false, cellText, "主营行业"),
		col("认定日期", "recognised_on", false, cellDate),
		col("联系方式", "contact", false, cellText, "联系电话"),
		colNotes,
	}},
	{Sheet: "帮扶车间人员", Table: records.WorkshopJobs, keys: []string{"worker_id", "workshop_id", "start_on"},
		Columns: []ProgrammeColumn{
			colName, colIDNum,
			col("车间名称", "workshop_id", true, cellText, "帮扶车间名称", "就业帮扶车间"),
			col("开始日期", "start_on", true, cellDate, "入职日期", "就业日期"),
			col("结束日期", "end_on", false, cellDate, "离职日期"),
			col("月工资", "monthly_wage", false, cellNumber, "月工资（元）"),
		}},
	{Sheet: "共享用工", Table: records.SharedEmployment, keys: []string{"worker_id", "host_employer", "start_on"},
		Columns: []ProgrammeColumn{
			colName, colIDNum,
			col("原用人单位", "original_employer", true, cellText),
			col("原劳动合同到期日", "contract_end", true, cellDate, "原劳动合同结束日期", "劳动合同到期日"),
			col("用工单位", "host_employer", true, cellText, "缺工企业"),
			col("共享开始日期", "start_on", true, cellDate, "开始日期"),
			col("共享结束日期", "end_on", true, cellDate, "结束日期"),
			colNotes,
		}},
	{Sheet: "以工代赈项目", Table: records.WorkReliefProjects, keys: []string{"name"}, Columns: []ProgrammeColumn{
		col("项目名称", "name", true, cellText),
		col("项目地点", "place", true, cellPlace, "实施地点"),
		col("项目单位", "owner", false, cellText, "项目业主"),
		col("开工日期", "start_on", true, cellDate, "开始日期"),
		col("完工日期", "end_on", false, cellDate, "结束日期"),
		col("劳务报酬计划", "pay_budget", false, cellNumber, "计划发放劳务报酬"),
		colNotes,
	}},
	{Sheet: "以工代赈人员", Table: records.WorkReliefJobs, keys: []string{"worker_id", "project_id", "start_on"},
		Columns: []ProgrammeColumn{
			colName, colIDNum,
			col("项目名称", "project_id", true, cellText, "以工代赈项目"),
			col("开始日期", "start_on", true, cellDate, "务工开始日期"),
			col("结束日期", "end_on", false, cellDate, "务工结束日期"),
			col("劳务报酬", "pay", true, cellNumber, "劳务报酬（元）", "发放劳务报酬"),
			col("发放日期", "paid_on", false, cellDate),
		}},
	{Sheet: "协作地区", Table: records.PartnerRegions, keys: []string{"name"}, Columns: []ProgrammeColumn{
		col("地区名称", "name", true, cellText, "协作地区"),
		col("协作类型", "kind", true, cellText, "协作类别"),
		colNotes,
	}},
	{Sheet: "劳务输出批次", Table: records.ExportBatches, keys: []string{"sent_on", "destination"}, Columns: []ProgrammeColumn{
		col("输出日期", "sent_on", true, cellDate),
		col("输出地", "destination", true, cellText, "输出地点", "目的地"),
		col("用工单位", "employer", false, cellText, "接收单位"),
		col("协作地区", "partner_region_id", false, cellText),
		col("劳务品牌", "labour_brand", false, cellText),
		colNotes,
	}},
	{Sheet: "劳务输出人员", Table: records.ExportMembers, keys: []string{"worker_id", "batch_id"}, Columns: []ProgrammeColumn{
		colName, colIDNum,
		col("输出日期", "batch_id", true, cellDate),
		col("输出地", fieldBatchDestination, true, cellText, "输出地点", "目的地"),
	}},
}

// programmeSheet is the register a sheet's name names, nil when none.
func programmeSheet(name string) *ProgrammeSheet {
	n := normalizeHeader(name)
	for i := range ProgrammeSheets {
		if ProgrammeSheets[i].Sheet == n {
			return &ProgrammeSheets[i]
		}
	}
	return nil
}

// ProgrammeSheetOf is the register of a programme table, nil when none.
func ProgrammeSheetOf(table string) *ProgrammeSheet {
	for i := range ProgrammeSheets {
		if ProgrammeSheets[i].Table == table {
			return &ProgrammeSheets[i]
		}
	}
	return nil
}

// Headers are the sheet's headers in order, as the template and the
// exports write them.
func (ps ProgrammeSheet) Headers() []string {
	out := make([]string, len(ps.Columns))
	for i, c := range ps.Columns {
		out[i] = c.Header
	}
	return out
}

// headerOf is the header of the column filling field, or the sheet's first
// required column's when none does (a refusal of the row as a whole).
func (ps *ProgrammeSheet) headerOf(field string) string {
	if field == "id_number" {
		field = "worker_id"
	}
	for _, c := range ps.Columns {
		if c.Field == field {
			return c.Header
		}
	}
	for _, c := range ps.Columns {
		if c.Required && c.Field != "worker_id" {
			return c.Header
		}
	}
	return ps.Columns[0].Header
}

// ProgrammeRowError is one refusal of a programme import: the sheet, the
// row as the spreadsheet numbers it (0 for the sheet as a whole), the
// column's header and the record field, and the message.
type ProgrammeRowError struct {
	Sheet   string `json:"sheet"`
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ProgrammeImportResult says what a programme import did. With any
// Errors, nothing was written.
type ProgrammeImportResult struct {
	Rows      int                 `json:"rows"`
	Created   int                 `json:"created"`
	Updated   int                 `json:"updated"`
	Unchanged int                 `json:"unchanged"`
	Sheets    []string            `json:"sheets"`  // the registers read
	Notices   []string            `json:"notices"` // sheets ignored
	Errors    []ProgrammeRowError `json:"errors"`
}

// programmeRow is a data row of a register, its cells read by field.
type programmeRow struct {
	sheet *ProgrammeSheet
	n     int
	cells map[string]string
	// present are the fields the sheet has a column for (a blank cell
	// clears a value; a column the sheet lacks keeps the value held).
	present map[string]int
}

// errImportRefused rolls back an import with refused rows.
var errImportRefused = errors.New("programme import refused")

// readProgrammeWorkbook reads the registers of a workbook: their rows in
// the order of ProgrammeSheets, the notices of sheets ignored, and the
// refusals of sheets (a required column missing). It bounds the workbook
// as the other imports do.
func readProgrammeWorkbook(data []byte, lang string) (rows []programmeRow, res *ProgrammeImportResult, err error) {
	res = &ProgrammeImportResult{Sheets: []string{}, Notices: []string{}, Errors: []ProgrammeRowError{}}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, nil, fmt.Errorf("%w: want .xlsx", ErrBadFile)
	}
	if err := checkZip(data); err != nil {
		return nil, nil, err
	}
	x, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxUnzipped,
		UnzipXMLSizeLimit: 64 << 20})
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrBadFile, err)
	}
	defer x.Close()
	bySheet := map[*ProgrammeSheet][]programmeRow{}
	var found []*ProgrammeSheet
	total := 0
	for _, name := range x.GetSheetList() {
		ps := programmeSheet(name)
		if ps == nil {
			res.Notices = append(res.Notices, piText(lang, "pi_unknown_sheet", name))
			continue
		}
		if slices.Contains(found, ps) { // the same name but for spaces: the first is read
			res.Notices = append(res.Notices, piText(lang, "pi_second_sheet", name, ps.Sheet))
			continue
		}
		found = append(found, ps)
		it, err := x.Rows(name)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrBadFile, err)
		}
		d := &sheetDecoder{sheet: ps}
		for n := 1; it.Next(); n++ {
			cells, err := it.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				it.Close()
				return nil, nil, fmt.Errorf("%w: %v", ErrBadFile, err)
			}
			r, ok, rerr := d.row(n, cells, lang)
			if rerr != nil {
				res.Errors = append(res.Errors, *rerr)
				break
			}
			if !ok {
				continue
			}
			if total++; total > maxImportRows {
				it.Close()
				return nil, nil, fmt.Errorf("%w: more than %d rows", ErrTooLarge, maxImportRows)
			}
			bySheet[ps] = append(bySheet[ps], r)
		}
		err = it.Error()
		it.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrBadFile, err)
		}
		if d.cols == nil && d.cells > 0 && !slices.ContainsFunc(res.Errors, func(e ProgrammeRowError) bool { return e.Sheet == ps.Sheet }) {
			res.Errors = append(res.Errors, ProgrammeRowError{Sheet: ps.Sheet, Row: 0, Column: ps.Columns[0].Header,
				Field: ps.Columns[0].Field, Message: piText(lang, "pi_no_header")})
		}
	}
	if len(found) == 0 {
		names := make([]string, len(ProgrammeSheets))
		for i, ps := range ProgrammeSheets {
			names[i] = ps.Sheet
		}
		return nil, nil, fmt.Errorf("%w: %s", ErrBadFile, piText(lang, "pi_no_sheet", strings.Join(names, "、")))
	}
	for i := range ProgrammeSheets {
		ps := &ProgrammeSheets[i]
		if slices.Contains(found, ps) {
			res.Sheets = append(res.Sheets, ps.Sheet)
			rows = append(rows, bySheet[ps]...)
		}
	}
	return rows, res, nil
}

// sheetDecoder reads the rows of one register: the header (in the sheet's
// first rows, under any title), then each data row's cells by field.
type sheetDecoder struct {
	sheet *ProgrammeSheet
	cols  map[string]int // field → cell index; nil before the header
	cells int            // rows with a cell filled in, before the header
}

// row reads row n: ok is false for a title, the header or a blank row; a
// header without a required column is the sheet's refusal.
func (d *sheetDecoder) row(n int, cells []string, lang string) (programmeRow, bool, *ProgrammeRowError) {
	if d.cols == nil {
		cols := map[string]int{}
		for i, h := range cells {
			h = normalizeHeader(h)
			for _, c := range d.sheet.Columns {
				if h == normalizeHeader(c.Header) || slices.ContainsFunc(c.Aliases, func(a string) bool { return normalizeHeader(a) == h }) {
					if _, dup := cols[c.Field]; !dup {
						cols[c.Field] = i
					}
					break
				}
			}
		}
		if len(cols) < 2 {
			if slices.ContainsFunc(cells, func(c string) bool { return strings.TrimSpace(c) != "" }) {
				d.cells++
			}
			if n >= maxTitleRows && d.cells > 0 {
				return programmeRow{}, false, &ProgrammeRowError{Sheet: d.sheet.Sheet, Row: n,
					Column: d.sheet.Columns[0].Header, Field: d.sheet.Columns[0].Field, Message: piText(lang, "pi_no_header")}
			}
			return programmeRow{}, false, nil
		}
		for _, c := range d.sheet.Columns {
			if _, ok := cols[c.Field]; c.Required && !ok {
				return programmeRow{}, false, &ProgrammeRowError{Sheet: d.sheet.Sheet, Row: n, Column: c.Header,
					Field: c.Field, Message: piText(lang, "pi_missing_header", c.Header)}
			}
		}
		d.cols = cols
		return programmeRow{}, false, nil
	}
	if !slices.ContainsFunc(cells, func(c string) bool { return strings.TrimSpace(c) != "" }) {
		return programmeRow{}, false, nil
	}
	r := programmeRow{sheet: d.sheet, n: n, cells: make(map[string]string, len(d.cols)), present: d.cols}
	for f, i := range d.cols {
		if i < len(cells) {
			r.cells[f] = strings.TrimSpace(cells[i])
		}
	}
	return r, true, nil
}

// decodedRow is a register's row read into field values: text in its
// stored form (dates, months, villages, the person's row id), before the
// names it refers to are found.
type decodedRow struct {
	vals map[string]string
	nums map[string]*float64
}

// decodeProgrammeRow reads a row's cells by their columns' kinds, the
// person's id number as the row id it derives under key; a cell that
// cannot be read is a *records.FieldError (or, for a place, a
// *placename.Error) naming its field.
func decodeProgrammeRow(ps *ProgrammeSheet, cells map[string]string, key ident.Key) (decodedRow, error) {
	d := decodedRow{vals: map[string]string{}, nums: map[string]*float64{}}
	for _, c := range ps.Columns {
		v := cells[c.Field]
		if v == "" {
			if c.kind == cellIDNum {
				return d, &records.FieldError{Field: "id_number", Key: records.KeyRequired}
			}
			continue
		}
		switch c.kind {
		case cellText:
			d.vals[c.Field] = v
		case cellDate:
			d.vals[c.Field] = excelDate(v, records.DateLayout)
		case cellMonth:
			d.vals[c.Field] = normalizeMonth(excelDate(v, "2006-01"))
		case cellNumber:
			f, err := parseNumber(v)
			if err != nil {
				return d, &records.FieldError{Field: c.Field, Key: records.KeyNumber}
			}
			d.nums[c.Field] = &f
		case cellBool:
			b, ok := parseYesNo(v)
			if !ok {
				return d, &records.FieldError{Field: c.Field, Key: records.KeyBadValue}
			}
			d.vals[c.Field] = b
		case cellIDNum:
			idn, err := normalizeIDNumber(v)
			if err != nil {
				return d, err
			}
			d.vals[c.Field] = (&records.Worker{IDNumber: idn}).ID(key).String()
		case cellVillage:
			code, err := placename.VillageCode(c.Field, v)
			if err != nil {
				return d, err
			}
			d.vals[c.Field] = code
		case cellPlace:
			code, err := placename.PlaceCode(c.Field, v, places.County, places.Township, places.Village)
			if err != nil {
				return d, err
			}
			d.vals[c.Field] = code
		}
	}
	return d, nil
}

// excelDate is a date cell in layout: an Excel date's serial number (a
// cell formatted as a date, read raw) as the date it stands for, any other
// text as it is for validation to read.
func excelDate(v, layout string) string {
	if len(v) == 8 || len(v) == 6 { // 20260301, 202603
		return v
	}
	// Serial numbers from 10000 (1927-05-18) to 2958465 (9999-12-31): a
	// smaller number is no date a register holds, and is left for
	// validation to refuse.
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 10000 || f > 2958465 || math.IsNaN(f) {
		return v
	}
	t, err := excelize.ExcelDateToTime(f, false)
	if err != nil {
		return v
	}
	return t.Format(layout)
}

// parseNumber reads a number cell: 1500, 1,500, 1500元, ¥1500.
func parseNumber(s string) (float64, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ',', '，', '元', '¥', '￥', ' ', '人', '个':
			return -1
		}
		return r
	}, s)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("not a number")
	}
	return f, nil
}

// parseYesNo reads a 是/否 cell as "1" or "0".
func parseYesNo(s string) (string, bool) {
	switch strings.ToLower(s) {
	case "是", "有", "非全日制", "y", "yes", "1", "true", "√":
		return "1", true
	case "否", "无", "全日制", "n", "no", "0", "false", "×":
		return "0", true
	}
	return "", false
}

// build makes the row's record; refs (post_id, ...) must hold row ids.
func (d decodedRow) build(table string) (ProgrammeRecord, error) {
	v, n := d.vals, d.nums
	num := func(f string) float64 {
		if p := n[f]; p != nil {
			return *p
		}
		return 0
	}
	switch table {
	case records.WelfarePosts:
		h := num("headcount")
		if h != math.Trunc(h) || h > math.MaxInt32 {
			return nil, &records.FieldError{Field: "headcount", Key: records.KeyPositive}
		}
		return &records.WelfarePost{Name: v["name"], Village: v["village"], Kind: v["kind"], Headcount: int64(h),
			Subsidy: num("subsidy"), PartTime: v["part_time"] == "1", Employer: v["employer"], StartOn: v["start_on"],
			EndOn: v["end_on"], Notes: v["notes"]}, nil
	case records.WelfarePlacements:
		return &records.WelfarePlacement{WorkerID: v["worker_id"], PostID: v["post_id"], ContractKind: v["contract_kind"],
			ContractStart: v["contract_start"], ContractEnd: v["contract_end"], InsuranceKind: v["insurance_kind"],
			InsurancePolicy: v["insurance_policy"], InsuranceStart: v["insurance_start"], InsuranceEnd: v["insurance_end"],
			PartTime: v["part_time"] == "1", ExitOn: v["exit_on"], ExitReason: v["exit_reason"]}, nil
	case records.WelfareAssessments:
		return &records.WelfareAssessment{WorkerID: v["worker_id"], PlacementID: v["placement_id"], Month: v["month"],
			Result: v["result"], OtherIncome: n["other_income"], Notes: v["notes"]}, nil
	case records.Workshops:
		return &records.Workshop{Name: v["name"], Village: v["village"], Operator: v["operator"], Industry: v["industry"],
			RecognisedOn: v["recognised_on"], Contact: v["contact"], Notes: v["notes"]}, nil
	case records.WorkshopJobs:
		return &records.WorkshopJob{WorkerID: v["worker_id"], WorkshopID: v["workshop_id"], StartOn: v["start_on"],
			EndOn: v["end_on"], MonthlyWage: n["monthly_wage"]}, nil
	case records.SharedEmployment:
		return &records.SharedJob{WorkerID: v["worker_id"], OriginalEmployer: v["original_employer"],
			ContractEnd: v["contract_end"], HostEmployer: v["host_employer"], StartOn: v["start_on"], EndOn: v["end_on"],
			Notes: v["notes"]}, nil
	case records.WorkReliefProjects:
		return &records.WorkReliefProject{Name: v["name"], Place: v["place"], Owner: v["owner"], StartOn: v["start_on"],
			EndOn: v["end_on"], PayBudget: n["pay_budget"], Notes: v["notes"]}, nil
	case records.WorkReliefJobs:
		return &records.WorkReliefJob{WorkerID: v["worker_id"], ProjectID: v["project_id"], StartOn: v["start_on"],
			EndOn: v["end_on"], Pay: num("pay"), PaidOn: v["paid_on"]}, nil
	case records.PartnerRegions:
		return &records.PartnerRegion{Name: v["name"], Kind: v["kind"], Notes: v["notes"]}, nil
	case records.ExportBatches:
		return &records.ExportBatch{SentOn: v["sent_on"], Destination: v["destination"], Employer: v["employer"],
			PartnerRegionID: v["partner_region_id"], LabourBrand: v["labour_brand"], Notes: v["notes"]}, nil
	case records.ExportMembers:
		return &records.ExportMember{WorkerID: v["worker_id"], BatchID: v["batch_id"]}, nil
	}
	return nil, fmt.Errorf("programme import: no register for %s", table)
}

// ImportProgrammes writes the registers of a workbook (ProgrammeSheets) in
// one transaction. Any refused row refuses the whole workbook: the result
// then lists every refusal and nothing is written. A row the station holds
// as it is is counted unchanged; one it holds otherwise is updated (a
// county-wide row only by its maker).
func (s *Station) ImportProgrammes(ctx context.Context, data []byte, lang string) (*ProgrammeImportResult, error) {
	rows, res, err := readProgrammeWorkbook(data, lang)
	if err != nil {
		return nil, err
	}
	res.Rows = len(rows)
	if len(res.Errors) > 0 {
		return res, nil
	}
	var created, updated, unchanged int
	var refusals []ProgrammeRowError
	_, err = s.r.Update(ctx, func(tx *replica.Tx) error {
		created, updated, unchanged, refusals = 0, 0, 0, nil
		im := &programmeImport{s: s, tx: tx, lang: lang, names: map[string]*nameIndex{}, seen: map[string]int{}}
		for i := range rows {
			if err := ctx.Err(); err != nil {
				return err
			}
			outcome, rerr, err := im.row(ctx, &rows[i])
			if err != nil {
				return err
			}
			switch {
			case rerr != nil:
				refusals = append(refusals, *rerr)
			case outcome == rowCreated:
				created++
			case outcome == rowUpdated:
				updated++
			default:
				unchanged++
			}
		}
		if len(refusals) > 0 {
			return errImportRefused
		}
		return nil
	})
	if errors.Is(err, errImportRefused) {
		res.Errors = refusals
		return res, nil
	}
	if err != nil {
		return nil, fmt.Errorf("import programmes: %w", err)
	}
	res.Created, res.Updated, res.Unchanged = created, updated, unchanged
	if created+updated > 0 {
		s.written()
	}
	return res, nil
}

type rowOutcome int

const (
	rowUnchanged rowOutcome = iota
	rowCreated
	rowUpdated
)

// nameIndex holds a county-wide table's live rows by their name columns.
type nameIndex struct {
	byKey map[string][]ident.ID // the key columns joined
	byA   map[string][]ident.ID // the first key column alone
}

// programmeImport is one import's state inside its transaction: the
// county-wide tables' names (with the rows the workbook adds) and the rows
// seen, for duplicates.
type programmeImport struct {
	s     *Station
	tx    *replica.Tx
	lang  string
	names map[string]*nameIndex
	seen  map[string]int // table and key → the row of its sheet
}

// index loads a county-wide table's live rows by name, once.
func (im *programmeImport) index(ctx context.Context, table string) (*nameIndex, error) {
	if ix, ok := im.names[table]; ok {
		return ix, nil
	}
	keys := ProgrammeSheetOf(table).keys
	rs, err := im.tx.Query(ctx, `SELECT id, `+strings.Join(keys, ", ")+` FROM `+table+` WHERE fs_deleted = 0`)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	defer rs.Close()
	ix := &nameIndex{byKey: map[string][]ident.ID{}, byA: map[string][]ident.ID{}}
	for rs.Next() {
		var raw []byte
		vals := make([]any, len(keys))
		dest := []any{&raw}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rs.Scan(dest...); err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		var id ident.ID
		copy(id[:], raw)
		texts := make([]string, len(keys))
		for i, v := range vals {
			texts[i] = str(v)
		}
		ix.add(texts, id)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	im.names[table] = ix
	return ix, nil
}

func (ix *nameIndex) add(keyVals []string, id ident.ID) {
	k := strings.Join(keyVals, "\x00")
	if !slices.Contains(ix.byKey[k], id) {
		ix.byKey[k] = append(ix.byKey[k], id)
		ix.byA[keyVals[0]] = append(ix.byA[keyVals[0]], id)
	}
}

// refusal is a row's refusal naming field's column.
func (im *programmeImport) refusal(r *programmeRow, field, msg string) *ProgrammeRowError {
	return &ProgrammeRowError{Sheet: r.sheet.Sheet, Row: r.n, Column: r.sheet.headerOf(field), Field: field, Message: msg}
}

// refusalOf is the refusal err (a field's or a place's) makes, or nil when
// err is neither.
func (im *programmeImport) refusalOf(r *programmeRow, err error) *ProgrammeRowError {
	var pe *placename.Error
	if errors.As(err, &pe) {
		msg := pe.Message(im.lang)
		if label := records.FieldLabel(im.lang, pe.Field); strings.HasPrefix(msg, label) {
			msg = im.label(r, pe.Field) + msg[len(label):]
		}
		return im.refusal(r, pe.Field, msg)
	}
	fe, ok := records.AsFieldError(err)
	if !ok {
		var ce *ConflictError
		if !errors.As(err, &ce) {
			return nil
		}
		fe = ce.FieldError()
	}
	// The message names the field by the sheet's header, as staff see it.
	args := []any{im.label(r, fe.Field)}
	for _, a := range fe.Args {
		if l, ok := a.(records.Label); ok {
			a = im.label(r, string(l))
		}
		args = append(args, a)
	}
	return im.refusal(r, fe.Field, records.Message(im.lang, fe.Key, args...))
}

// label names field in a message: by its column's header in the sheet (in
// Chinese), else by the record's label.
func (im *programmeImport) label(r *programmeRow, field string) string {
	if field == "id_number" {
		field = "worker_id"
	}
	if im.lang != "en" {
		for _, c := range r.sheet.Columns {
			if c.Field == field {
				return c.Header
			}
		}
	}
	return records.FieldLabel(im.lang, field)
}

// row writes one row of the workbook, or says why not.
func (im *programmeImport) row(ctx context.Context, r *programmeRow) (rowOutcome, *ProgrammeRowError, error) {
	ps := r.sheet
	d, err := decodeProgrammeRow(ps, r.cells, im.s.key)
	if err != nil {
		if rerr := im.refusalOf(r, err); rerr != nil {
			return 0, rerr, nil
		}
		return 0, nil, err
	}
	if w := d.vals["worker_id"]; w != "" {
		if rerr, err := im.person(ctx, r, w, d.vals[fieldPersonName]); err != nil || rerr != nil {
			return 0, rerr, err
		}
	}
	if rerr, err := im.resolve(ctx, r, &d); err != nil || rerr != nil {
		return 0, rerr, err
	}
	rec, rerr, err := im.record(r, d)
	if err != nil || rerr != nil {
		return 0, rerr, err
	}
	cols := rec.Columns()
	keyVals := make([]string, len(ps.keys))
	for i, k := range ps.keys {
		keyVals[i] = valueText(columnValue(cols, k))
	}
	seenKey := ps.Table + "\x00" + strings.Join(keyVals, "\x00")
	if first, dup := im.seen[seenKey]; dup {
		return 0, im.refusal(r, ps.keys[len(ps.keys)-1], piText(im.lang, "pi_duplicate", first)), nil
	}
	im.seen[seenKey] = r.n
	id, held, err := im.existing(ctx, ps, keyVals)
	if err != nil {
		return 0, nil, err
	}
	outcome := rowCreated
	if !id.IsZero() {
		if keepHeld(r, &d, held) {
			if rec, rerr, err = im.record(r, d); err != nil || rerr != nil {
				return 0, rerr, err
			}
			cols = rec.Columns()
		}
		if sameColumns(cols, held) {
			return rowUnchanged, nil, nil
		}
		outcome = rowUpdated
	} else if id, err = im.s.newID(); err != nil {
		return 0, nil, err
	}
	if err := im.s.saveProgrammeTx(ctx, im.tx, ps.Table, id, rec); err != nil {
		if rerr := im.refusalOf(r, err); rerr != nil {
			return 0, rerr, nil
		}
		return 0, nil, err
	}
	if ix, ok := im.names[ps.Table]; ok {
		ix.add(keyVals, id)
	}
	return outcome, nil, nil
}

// record builds and validates a row's record.
func (im *programmeImport) record(r *programmeRow, d decodedRow) (ProgrammeRecord, *ProgrammeRowError, error) {
	rec, err := d.build(r.sheet.Table)
	if err == nil {
		err = rec.Validate()
	}
	if err != nil {
		if rerr := im.refusalOf(r, err); rerr != nil {
			return nil, rerr, nil
		}
		return nil, nil, err
	}
	return rec, nil, nil
}

// keepHeld fills the fields of a row's record the sheet has no column for
// with the values the station holds, so that a register keeping fewer
// columns erases nothing; it reports whether it filled any.
func keepHeld(r *programmeRow, d *decodedRow, held map[string]any) bool {
	filled := false
	for _, c := range r.sheet.Columns {
		if _, ok := r.present[c.Field]; ok {
			continue
		}
		v, ok := held[c.Field]
		if !ok || v == nil {
			continue
		}
		switch c.kind {
		case cellNumber:
			var f float64
			switch n := v.(type) {
			case float64:
				f = n
			case int64:
				f = float64(n)
			default:
				continue
			}
			d.nums[c.Field] = &f
		default:
			d.vals[c.Field] = valueText(v)
		}
		filled = true
	}
	return filled
}

// person refuses a row naming a person the station does not hold as its
// own, or under another name than the register's.
func (im *programmeImport) person(ctx context.Context, r *programmeRow, hexID, name string) (*ProgrammeRowError, error) {
	id, err := ident.ParseID(hexID)
	if err != nil {
		return nil, err
	}
	w, err := im.tx.Row(ctx, records.Workers, id)
	if err != nil {
		return nil, fmt.Errorf("import programmes: read worker: %w", err)
	}
	if w == nil || w[replica.DeletedColumn] == int64(1) || str(w["station"]) != im.s.cfg.Name {
		return im.refusal(r, "worker_id", records.FieldLabel(im.lang, "id_number")+miText(im.lang, "mi_not_registered")), nil
	}
	if held := str(w["name"]); name != "" && normalizeHeader(name) != normalizeHeader(held) {
		return im.refusal(r, fieldPersonName, piText(im.lang, "pi_name_differs", held)), nil
	}
	return nil, nil
}

// resolve replaces the names a row refers to by the rows' ids: a post by
// its name (and village, when names repeat), a workshop, project or
// partner region by its name, a batch by its date and destination, a
// welfare placement by the person, the post and the month.
func (im *programmeImport) resolve(ctx context.Context, r *programmeRow, d *decodedRow) (*ProgrammeRowError, error) {
	v := d.vals
	find := func(field, table string, keyVals []string, chooser string) (ident.ID, *ProgrammeRowError, error) {
		ix, err := im.index(ctx, table)
		if err != nil {
			return ident.ID{}, nil, err
		}
		var ids []ident.ID
		if len(keyVals) > 1 && keyVals[1] != "" {
			ids = ix.byKey[strings.Join(keyVals, "\x00")]
		} else {
			ids = ix.byA[keyVals[0]]
		}
		header := r.sheet.headerOf(field)
		switch {
		case len(ids) == 0:
			shown := strings.Join(slices.DeleteFunc(slices.Clone(keyVals), func(s string) bool { return s == "" }), " ")
			return ident.ID{}, im.refusal(r, field, piText(im.lang, "pi_no_row", header, shown)), nil
		case len(ids) > 1:
			// Rows of one name made at several stations: the station's own,
			// when it made one.
			var own []ident.ID
			for _, id := range ids {
				vals, _, err := im.tx.Values(ctx, table, id, "station")
				if err != nil {
					return ident.ID{}, nil, fmt.Errorf("read %s: %w", table, err)
				}
				if len(vals) == 1 && str(vals[0]) == im.s.cfg.Name {
					own = append(own, id)
				}
			}
			if len(own) == 1 {
				return own[0], nil, nil
			}
			if chooser == "" || len(keyVals) > 1 && keyVals[1] != "" {
				return ident.ID{}, im.refusal(r, field, piText(im.lang, "pi_several", header, strings.Join(keyVals, " "))), nil
			}
			return ident.ID{}, im.refusal(r, field, piText(im.lang, "pi_ambiguous", header, keyVals[0], chooser)), nil
		}
		return ids[0], nil, nil
	}
	for _, ref := range []struct {
		field, table string
		keys         func() []string
		chooser      string
	}{
		{"post_id", records.WelfarePosts, func() []string { return []string{v["post_id"], v[fieldPostVillage]} }, "所在嘎查村"},
		{"placement_id", records.WelfarePosts, func() []string { return []string{v["placement_id"], v[fieldPostVillage]} }, "所在嘎查村"},
		{"workshop_id", records.Workshops, func() []string { return []string{v["workshop_id"]} }, ""},
		{"project_id", records.WorkReliefProjects, func() []string { return []string{v["project_id"]} }, ""},
		{"partner_region_id", records.PartnerRegions, func() []string { return []string{v["partner_region_id"]} }, ""},
		{"batch_id", records.ExportBatches, func() []string {
			sent := v["batch_id"]
			if d, ok := records.NormalizeDate(sent); ok {
				sent = d
			}
			return []string{sent, v[fieldBatchDestination]}
		}, "输出地"},
	} {
		if _, ok := v[ref.field]; !ok {
			continue
		}
		if ref.field == "batch_id" {
			if _, ok := records.NormalizeDate(v["batch_id"]); !ok {
				return im.refusal(r, "batch_id", (&records.FieldError{Field: "sent_on", Key: records.KeyDate}).Message(im.lang)), nil
			}
		}
		id, rerr, err := find(ref.field, ref.table, ref.keys(), ref.chooser)
		if err != nil || rerr != nil {
			return rerr, err
		}
		v[ref.field] = id.String()
		if ref.field == "placement_id" {
			pl, rerr, err := im.placement(ctx, r, v["worker_id"], id, v["month"])
			if err != nil || rerr != nil {
				return rerr, err
			}
			v[ref.field] = pl.String()
		}
	}
	return nil, nil
}

// placement is the person's welfare placement in post whose contract
// covers month (the latest to start when several do).
func (im *programmeImport) placement(ctx context.Context, r *programmeRow, worker string, post ident.ID, month string) (ident.ID, *ProgrammeRowError, error) {
	if !records.ValidMonth(month) {
		return ident.ID{}, im.refusal(r, "month", (&records.FieldError{Field: "month", Key: records.KeyMonth}).Message(im.lang)), nil
	}
	rs, err := im.tx.Query(ctx, `SELECT id, contract_start, contract_end, exit_on FROM `+records.WelfarePlacements+
		` WHERE worker_id = ? AND post_id = ? AND fs_deleted = 0 ORDER BY contract_start DESC`, worker, post.String())
	if err != nil {
		return ident.ID{}, nil, fmt.Errorf("read placements: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var raw []byte
		var start, end, exit any
		if err := rs.Scan(&raw, &start, &end, &exit); err != nil {
			return ident.ID{}, nil, fmt.Errorf("read placements: %w", err)
		}
		p := records.WelfarePlacement{ContractEnd: str(end), ExitOn: str(exit)}
		if s := str(start); len(s) >= 7 && s[:7] <= month && len(p.Until()) >= 7 && month <= p.Until()[:7] {
			var id ident.ID
			copy(id[:], raw)
			return id, nil, nil
		}
	}
	if err := rs.Err(); err != nil {
		return ident.ID{}, nil, fmt.Errorf("read placements: %w", err)
	}
	return ident.ID{}, im.refusal(r, "placement_id", piText(im.lang, "pi_no_placement")), nil
}

// existing finds the row of a register's table the key names, with its
// values: by the county-wide table's index, or among the person's rows.
func (im *programmeImport) existing(ctx context.Context, ps *ProgrammeSheet, keyVals []string) (ident.ID, map[string]any, error) {
	var id ident.ID
	if slices.Contains(records.ProgrammeCountyTables, ps.Table) {
		ix, err := im.index(ctx, ps.Table)
		if err != nil {
			return id, nil, err
		}
		ids := ix.byKey[strings.Join(keyVals, "\x00")]
		if len(ids) == 0 {
			return id, nil, nil
		}
		// Several rows of one name (made at two stations): the station's own
		// first, for only the maker edits a row.
		id = ids[0]
		for _, c := range ids {
			row, err := im.tx.Row(ctx, ps.Table, c)
			if err != nil {
				return id, nil, fmt.Errorf("read %s: %w", ps.Table, err)
			}
			if str(row["station"]) == im.s.cfg.Name {
				id = c
				break
			}
		}
	} else {
		conds := make([]string, len(ps.keys))
		args := make([]any, len(ps.keys))
		for i, k := range ps.keys {
			conds[i] = k + " IS ?"
			args[i] = keyVals[i]
			if keyVals[i] == "" {
				args[i] = nil
			}
		}
		var raw []byte
		err := im.tx.QueryRow(ctx, `SELECT id FROM `+ps.Table+` WHERE `+strings.Join(conds, " AND ")+
			` AND fs_deleted = 0 LIMIT 1`, args...).Scan(&raw)
		if errors.Is(err, sql.ErrNoRows) {
			return id, nil, nil
		}
		if err != nil {
			return id, nil, fmt.Errorf("read %s: %w", ps.Table, err)
		}
		copy(id[:], raw)
	}
	row, err := im.tx.Row(ctx, ps.Table, id)
	if err != nil {
		return id, nil, fmt.Errorf("read %s: %w", ps.Table, err)
	}
	return id, row, nil
}

// columnValue is column c's value among cols, or nil.
func columnValue(cols []replica.ColumnValue, c string) any {
	for _, cv := range cols {
		if cv.Column == c {
			return cv.Value
		}
	}
	return nil
}

// valueText is a column value as text, as a key compares it.
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "1"
		}
		return "0"
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []byte:
		return string(x)
	case time.Time:
		return x.Format(records.DateLayout)
	}
	return fmt.Sprint(v)
}

// sameColumns reports whether a row holds every value of cols.
func sameColumns(cols []replica.ColumnValue, row map[string]any) bool {
	for _, cv := range cols {
		if valueText(cv.Value) != valueText(row[cv.Column]) {
			return false
		}
	}
	return true
}
