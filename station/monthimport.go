package station

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/webkit"
)

// The county's monthly sheet (月度台账): one row per person with the id
// number, the name and that month's status in the county's layout (the
// roster the hub exports: one sheet per list, 务工地域, 务工地点, 行业,
// 就业形式, 月收入, 核实方式, 核实人, 核实日期). Each row records the
// person's status for the month through SetMonthStatus's validation and
// write, so it carries entered_by and syncs like a status typed in. A row
// never overwrites: a status already held that month is kept when the
// sheet agrees with it and the row is refused, naming the field and the
// value held, when it does not.

// MonthImportText holds the monthly import's own messages; %s in a message
// is filled as its comment says.
var MonthImportText = webkit.Catalogue{
	// the field label
	"mi_not_registered": {"未在本站登记（请先在“人员导入”或“登记人员”中登记）", "not registered at this station (register the person first)"},
	// the field label, the value held, the sheet's value
	"mi_conflict": {"与本月已有状态不符：%s已有“%s”，表中为“%s”；未覆盖，请在人员页面修改", "differs from this month's status: %s is \"%s\", the sheet says \"%s\"; not overwritten, change it on the person's page"},
	// the month the page named
	"mi_other_month": {"与导入月份%s不符", "differs from the month imported, %s"},
	"mi_no_month":    {"请选择导入月份，或在表中加“月份”列", "choose the month, or give the sheet a 月份 column"},
	"mi_no_id":       {"表中没有“身份证号”（公民身份号码）列", "the sheet has no id-number column (身份证号 / 公民身份号码)"},
	"mi_empty":       {"空白", "empty"},
	// the field label, the row it first appears on
	"mi_duplicate": {"%s在表中重复（%s）", "%s appears twice in the file (%s)"},
}

// miText is a MonthImportText message with its arguments filled in.
func miText(lang, key string, args ...any) string {
	return fmt.Sprintf(MonthImportText.T(lang, key), args...)
}

// MonthImport says which month a monthly sheet fills and how its rows were
// verified when the sheet leaves that blank.
type MonthImport struct {
	// Month (YYYY-MM) the rows are for; "" when the sheet's 月份 column
	// gives it. With both, a row of another month is refused.
	Month string
	// Verification for rows whose 核实方式, 核实人 or 核实日期 cell is blank.
	VerifiedByMethod, VerifiedBy, VerifiedAt string
}

// MonthRowError is one row of a monthly sheet that was not imported; Sheet
// names the workbook's sheet when the file has several.
type MonthRowError struct {
	Sheet string `json:"sheet,omitempty"`
	ImportRowError
}

// MonthImportResult says what a monthly sheet's import did.
type MonthImportResult struct {
	Rows      int             `json:"rows"`
	Imported  int             `json:"imported"`  // statuses written
	Unchanged int             `json:"unchanged"` // already so this month: kept as they are
	Errors    []MonthRowError `json:"errors"`
}

// monthHeaders maps the county's column headers (and the station's own
// export's) to status fields, compared after normalizeHeader.
var monthHeaders = map[string]string{
	"公民身份号码": "id_number", "身份证号": "id_number", "身份证号码": "id_number", "身份证": "id_number",
	"证件号码": "id_number", "身份证件号码": "id_number",
	"姓名": "name",
	"月份": "month", "统计月份": "month", "所属月份": "month", "核实月份": "month", "年月": "month",
	"清单类别": "list_type", "清单类型": "list_type", "清单": "list_type", "所属清单": "list_type",
	"就业状态": "list_type", "本月状态": "list_type", "本月就业状态": "list_type", "人员状态": "list_type",
	"就业情况": "list_type", "就业失业状态": "list_type",
	"务工地域": "work_scope", "就业地域": "work_scope", "务工区域": "work_scope", "就业区域": "work_scope",
	"就业范围": "work_scope", "务工范围": "work_scope", "外出务工地域": "work_scope",
	"务工地点": "place", "就业地点": "place", "工作地点": "place", "务工地址": "place", "就业地址": "place",
	"行业": "industry", "从事行业": "industry", "就业行业": "industry", "所属行业": "industry", "务工行业": "industry",
	"就业形式": "employment_form", "就业方式": "employment_form", "就业类型": "employment_form",
	"月收入": "monthly_income", "月均收入": "monthly_income", "月工资": "monthly_income", "月工资收入": "monthly_income",
	"务工月收入": "monthly_income", "本月收入": "monthly_income",
	"核实方式": "verified_by_method", "核实途径": "verified_by_method", "核实方法": "verified_by_method",
	"核实人": "verified_by", "核实人员": "verified_by", "核实责任人": "verified_by",
	"核实日期": "verified_at", "核实时间": "verified_at",
}

// listOfName is the list a sheet's, a title's or a file's name names
// (就业人员清单, 2026年11月失业人员清单.xlsx), "" when none.
func listOfName(s string) string {
	s = normalizeHeader(s)
	switch {
	case strings.Contains(s, "有意愿外出") || strings.Contains(s, "外出意愿"):
		return records.ListWillingAway
	case strings.Contains(s, "失业人员") || strings.Contains(s, "失业清单"):
		return records.ListUnemployed
	case strings.Contains(s, "就业人员") || strings.Contains(s, "就业清单"):
		return records.ListEmployed
	}
	return ""
}

var monthCell = regexp.MustCompile(`^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))$`)

// normalizeMonth reads a 月份 cell: 2026-11, 2026/11, 2026.11, 2026年11月,
// 202611. Anything else is returned as it is for validation to refuse.
func normalizeMonth(s string) string {
	m := monthCell.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return s
	}
	mm := m[2] + m[3]
	if len(mm) == 1 {
		mm = "0" + mm
	}
	return m[1] + "-" + mm
}

// parseIncome reads a 月收入 cell: 3000, 3,000, 3000元, ¥3000.
func parseIncome(s string) (float64, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ',', '，', '元', '¥', '￥', ' ':
			return -1
		}
		return r
	}, s)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, &records.FieldError{Field: "monthly_income", Key: records.KeyNumber}
	}
	return v, nil
}

// normalizeIDNumber is the stored form of an id number, by the worker's
// own validation (its id number is checked first).
func normalizeIDNumber(s string) (string, error) {
	w := records.Worker{IDNumber: s}
	err := w.Validate()
	if fe, ok := records.AsFieldError(err); ok && fe.Field == "id_number" {
		return "", fe
	}
	return w.IDNumber, nil
}

// monthRow is a row of a monthly sheet read and validated: a status to
// write, with which of its fields the sheet gave, or an error.
type monthRow struct {
	sheet string
	n     int
	m     records.MonthStatus
	given map[string]bool // fields with a non-blank cell, compared with a status held
	err   *MonthRowError
}

// monthSheet is one table of a monthly file: its name and the list its name
// or title names.
type monthSheet struct {
	name, list string
}

// scanMonthTables calls fn with every row of the tables of a monthly file:
// a CSV file, or the sheets of a workbook whose names name a list (the
// hub's roster workbook: 就业人员清单, 失业人员清单, 有意愿外出人员清单),
// else its first sheet.
func scanMonthTables(name string, data []byte, fn func(sh monthSheet, n int, cells []string) error) error {
	ext := strings.ToLower(filepath.Ext(name))
	if ext != ".xlsx" && !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		if ext != ".csv" && ext != ".txt" && ext != "" {
			return fmt.Errorf("%w: want .xlsx or .csv", ErrBadFile)
		}
		sh := monthSheet{}
		return scanCSV(data, func(n int, cells []string) error { return fn(sh, n, cells) })
	}
	if err := checkZip(data); err != nil {
		return err
	}
	x, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxUnzipped,
		UnzipXMLSizeLimit: 64 << 20})
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadFile, err)
	}
	defer x.Close()
	var sheets []monthSheet
	for _, sn := range x.GetSheetList() {
		if l := listOfName(sn); l != "" {
			sheets = append(sheets, monthSheet{name: sn, list: l})
		}
	}
	if len(sheets) == 0 {
		all := x.GetSheetList()
		if len(all) == 0 {
			return fmt.Errorf("%w: no sheet", ErrBadFile)
		}
		sheets = []monthSheet{{name: all[0]}}
	}
	for _, sh := range sheets {
		rows, err := x.Rows(sh.name)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrBadFile, err)
		}
		for n := 1; rows.Next(); n++ {
			cols, err := rows.Columns()
			if err == nil {
				err = fn(sh, n, cols)
			}
			if err != nil {
				rows.Close()
				return err
			}
		}
		err = rows.Error()
		rows.Close()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrBadFile, err)
		}
	}
	return nil
}

// maxTitleRows is how many rows above the header a sheet may have (a title,
// the station's name, the month).
const maxTitleRows = 5

// monthParser reads the rows of a monthly file into monthRows.
type monthParser struct {
	key      ident.Key
	opt      MonthImport
	lang     string
	fileList string // the list the file's name names

	cols     map[string]int // of the current sheet; nil before its header
	header   bool           // some sheet had a header
	list     string         // the list of the current sheet (name or title)
	seen     map[string]string
	rowsSeen int
}

// row reads one row of a sheet; ok is false for a header, title or blank row.
func (p *monthParser) row(sh monthSheet, n int, row []string) (monthRow, bool, error) {
	if n == 1 {
		p.cols, p.list = nil, sh.list
	}
	if p.cols == nil {
		cols := map[string]int{}
		for i, h := range row {
			if f, ok := monthHeaders[normalizeHeader(h)]; ok {
				if _, dup := cols[f]; !dup {
					cols[f] = i
				}
			}
		}
		if _, ok := cols["id_number"]; ok {
			if _, ok := cols["month"]; !ok && p.opt.Month == "" {
				return monthRow{}, false, fmt.Errorf("%w: %s", ErrBadFile, miText(p.lang, "mi_no_month"))
			}
			p.cols, p.header = cols, true
			return monthRow{}, false, nil
		}
		if n >= maxTitleRows {
			return monthRow{}, false, fmt.Errorf("%w: %s", ErrBadFile, miText(p.lang, "mi_no_id"))
		}
		if p.list == "" { // a title row above the header may name the list
			p.list = listOfName(strings.Join(row, ""))
		}
		return monthRow{}, false, nil
	}
	if !slices.ContainsFunc(row, func(c string) bool { return strings.TrimSpace(c) != "" }) {
		return monthRow{}, false, nil
	}
	if p.rowsSeen++; p.rowsSeen > maxImportRows {
		return monthRow{}, false, fmt.Errorf("%w: more than %d rows", ErrTooLarge, maxImportRows)
	}
	cell := func(field string) string {
		i, ok := p.cols[field]
		if !ok || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[i])
	}
	out := monthRow{sheet: sh.name, n: n, given: map[string]bool{}}
	fail := func(field, msg string) (monthRow, bool, error) {
		out.err = &MonthRowError{Sheet: sh.name, ImportRowError: ImportRowError{Row: n, Field: field, Message: msg}}
		return out, true, nil
	}
	failErr := func(err error) (monthRow, bool, error) {
		fe, ok := records.AsFieldError(err)
		if !ok {
			return monthRow{}, false, err
		}
		return fail(fe.Field, fe.Message(p.lang))
	}
	idn, err := normalizeIDNumber(cell("id_number"))
	if err != nil {
		return failErr(err)
	}
	month := p.opt.Month
	if c := cell("month"); c != "" {
		c = normalizeMonth(c)
		if month != "" && c != month {
			label := records.FieldLabel(p.lang, "month")
			return fail("month", label+miText(p.lang, "mi_other_month", month))
		}
		month = c
	}
	list := cell("list_type")
	if list == "" {
		list = p.list
	}
	if list == "" {
		list = p.fileList
	}
	m := records.MonthStatus{WorkerID: (&records.Worker{IDNumber: idn}).ID(p.key).String(), Month: month,
		ListType: list, WorkScope: records.NormalizeWorkScope(cell("work_scope")), Place: cell("place"),
		Industry: cell("industry"), EmploymentForm: records.NormalizeEmploymentForm(cell("employment_form")),
		VerifiedByMethod: records.NormalizeVerifyMethod(cell("verified_by_method")), VerifiedBy: cell("verified_by"),
		VerifiedAt: cell("verified_at")}
	for _, f := range []string{"work_scope", "place", "industry", "employment_form", "monthly_income"} {
		out.given[f] = cell(f) != ""
	}
	if c := cell("monthly_income"); c != "" {
		v, err := parseIncome(c)
		if err != nil {
			return failErr(err)
		}
		m.MonthlyIncome = records.Income(v)
	}
	for _, d := range []struct {
		v   *string
		def string
	}{
		{&m.VerifiedByMethod, p.opt.VerifiedByMethod}, {&m.VerifiedBy, p.opt.VerifiedBy}, {&m.VerifiedAt, p.opt.VerifiedAt}} {
		if *d.v == "" {
			*d.v = d.def
		}
	}
	if err := m.Validate(); err != nil {
		return failErr(err)
	}
	key := m.WorkerID + "/" + m.Month
	if first, dup := p.seen[key]; dup {
		return fail("id_number", miText(p.lang, "mi_duplicate", records.FieldLabel(p.lang, "id_number"), first))
	}
	p.seen[key] = rowName(p.lang, sh, n)
	out.m = m
	return out, true, nil
}

// rowName names a row for a message: 行 12, or 就业人员清单 行 12 in a
// workbook of a sheet per list.
func rowName(lang string, sh monthSheet, n int) string {
	s := fmt.Sprintf("%s %d", ImportText.T(lang, "row"), n)
	if sh.list != "" {
		s = sh.name + " " + s
	}
	return s
}

// checkMonthImport validates the import's own fields: the month, and each
// verification default given (with the status's rules, on a probe status).
func checkMonthImport(opt *MonthImport) error {
	opt.Month = normalizeMonth(strings.TrimSpace(opt.Month))
	if opt.Month != "" && !records.ValidMonth(opt.Month) {
		return &records.FieldError{Field: "month", Key: records.KeyMonth}
	}
	probe := records.MonthStatus{WorkerID: ident.Zero.String(), Month: "2026-01", ListType: records.ListUnemployed,
		VerifiedByMethod: records.NormalizeVerifyMethod(strings.TrimSpace(opt.VerifiedByMethod)), VerifiedBy: opt.VerifiedBy,
		VerifiedAt: opt.VerifiedAt}
	given := [3]bool{probe.VerifiedByMethod != "", strings.TrimSpace(probe.VerifiedBy) != "", strings.TrimSpace(probe.VerifiedAt) != ""}
	if !given[0] {
		probe.VerifiedByMethod = records.VerifyMethods[0]
	}
	if !given[1] {
		probe.VerifiedBy = "x"
	}
	if !given[2] {
		probe.VerifiedAt = "2026-01-01"
	}
	if err := probe.Validate(); err != nil {
		return err
	}
	if given[0] {
		opt.VerifiedByMethod = probe.VerifiedByMethod
	}
	if given[1] {
		opt.VerifiedBy = probe.VerifiedBy
	}
	if given[2] {
		opt.VerifiedAt = probe.VerifiedAt
	}
	return nil
}

// ImportMonthStatuses records the monthly statuses a county sheet lists.
// Rows are read and validated as the file streams in and written in
// transactions of a thousand, each row wholly or not at all (a status is
// one row, and a transaction commits or not), as ImportWorkers does; a row
// refused writes nothing and is reported with its row and field. Importing
// the same sheet again writes nothing: every row agrees with the status it
// wrote.
func (s *Station) ImportMonthStatuses(ctx context.Context, name string, data []byte, opt MonthImport, lang string) (*MonthImportResult, error) {
	if err := checkMonthImport(&opt); err != nil {
		return nil, err
	}
	p := &monthParser{key: s.key, opt: opt, lang: lang, fileList: listOfName(strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))),
		seen: map[string]string{}}
	res := &MonthImportResult{Errors: []MonthRowError{}}
	batch := make([]monthRow, 0, importChunk)
	var last monthRow
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := s.importMonthBatch(ctx, batch, res, lang); err != nil {
			return fmt.Errorf("import monthly statuses: %w", err)
		}
		batch = batch[:0]
		return nil
	}
	var writeErr error
	parseErr := scanMonthTables(name, data, func(sh monthSheet, n int, cells []string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		r, ok, err := p.row(sh, n, cells)
		if err != nil || !ok {
			return err
		}
		batch = append(batch, r)
		last = r
		if len(batch) == importChunk {
			if writeErr = flush(); writeErr != nil {
				return writeErr
			}
		}
		return nil
	})
	if writeErr != nil {
		return nil, writeErr
	}
	if parseErr == nil {
		if !p.header {
			return nil, fmt.Errorf("%w: %s", ErrBadFile, miText(lang, "mi_no_id"))
		}
		if err := flush(); err != nil {
			return nil, err
		}
	} else {
		if res.Rows == 0 || ctx.Err() != nil {
			return nil, parseErr
		}
		// Rows before the break are written: say where it stopped, so that
		// staff fix the rest and import it again (the written rows then
		// agree and are kept).
		if err := flush(); err != nil {
			return nil, err
		}
		msg := ImportText.T(lang, "file_broken")
		if errors.Is(parseErr, ErrTooLarge) {
			msg = ImportText.T(lang, "too_large")
		}
		res.Errors = append(res.Errors, MonthRowError{Sheet: last.sheet, ImportRowError: ImportRowError{Row: last.n + 1, Field: "file", Message: msg}})
	}
	if res.Imported > 0 {
		s.written()
	}
	return res, nil
}

// importMonthBatch writes the good rows of a batch in one transaction: a
// person not registered here, or whose status this month differs from the
// row, is reported and skipped; one whose status agrees is kept as it is.
func (s *Station) importMonthBatch(ctx context.Context, batch []monthRow, res *MonthImportResult, lang string) error {
	var failed []MonthRowError
	var imported, unchanged int
	_, err := s.r.Update(ctx, func(tx *replica.Tx) error {
		failed, imported, unchanged = failed[:0], 0, 0
		for i := range batch {
			r := &batch[i]
			if r.err != nil {
				failed = append(failed, *r.err)
				continue
			}
			refuse := func(field, msg string) {
				failed = append(failed, MonthRowError{Sheet: r.sheet, ImportRowError: ImportRowError{Row: r.n, Field: field, Message: msg}})
			}
			wid, err := ident.ParseID(r.m.WorkerID)
			if err != nil {
				return fmt.Errorf("import monthly status: %w", err)
			}
			w, err := tx.Row(ctx, records.Workers, wid)
			if err != nil {
				return fmt.Errorf("import monthly status: read worker: %w", err)
			}
			if w == nil || w[replica.DeletedColumn] == int64(1) || str(w["station"]) != s.cfg.Name {
				refuse("id_number", records.FieldLabel(lang, "id_number")+miText(lang, "mi_not_registered"))
				continue
			}
			id := r.m.ID(s.key)
			cur, err := tx.Row(ctx, records.MonthlyStatus, id)
			if err != nil {
				return fmt.Errorf("import monthly status: read status: %w", err)
			}
			if cur != nil && cur[replica.DeletedColumn] != int64(1) {
				if field, held, sheet, differs := statusDiffers(cur, r, lang); differs {
					label := records.FieldLabel(lang, field)
					refuse(field, miText(lang, "mi_conflict", label, held, sheet))
				} else {
					unchanged++
				}
				continue
			}
			if _, err := s.setMonthStatusTx(ctx, tx, id, &r.m); err != nil {
				if fe, ok := records.AsFieldError(err); ok {
					refuse(fe.Field, fe.Message(lang))
					continue
				}
				return err
			}
			imported++
		}
		return nil
	})
	if err != nil {
		return err
	}
	res.Rows += len(batch)
	res.Imported += imported
	res.Unchanged += unchanged
	res.Errors = append(res.Errors, failed...)
	return nil
}

// statusDiffers compares a status held (a monthly_status row) with a sheet's
// row: the list always, every other field of the status when the sheet
// gives it (a blank cell says nothing); the verification never (the sheet
// confirms the status, it does not re-verify it). It names the first field
// that differs, with the value held and the sheet's.
func statusDiffers(cur map[string]any, r *monthRow, lang string) (field, held, sheet string, differs bool) {
	empty := miText(lang, "mi_empty")
	show := func(s string) string {
		if s == "" {
			return empty
		}
		return s
	}
	for _, c := range []struct{ field, sheet string }{
		{"list_type", r.m.ListType}, {"work_scope", r.m.WorkScope}, {"place", r.m.Place},
		{"industry", r.m.Industry}, {"employment_form", r.m.EmploymentForm}} {
		if c.field != "list_type" && !r.given[c.field] {
			continue
		}
		if h := str(cur[c.field]); h != c.sheet {
			return c.field, show(h), show(c.sheet), true
		}
	}
	if r.given["monthly_income"] && r.m.MonthlyIncome != nil {
		sheet := *r.m.MonthlyIncome
		var h float64
		switch v := cur["monthly_income"].(type) {
		case float64:
			h = v
		case int64:
			h = float64(v)
		default: // not recorded
			return "monthly_income", empty, strconv.FormatFloat(sheet, 'f', -1, 64), true
		}
		if h != sheet {
			return "monthly_income", strconv.FormatFloat(h, 'f', -1, 64), strconv.FormatFloat(sheet, 'f', -1, 64), true
		}
	}
	return "", "", "", false
}
