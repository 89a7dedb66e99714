package stationweb

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"fieldsync/glossary"
	"fieldsync/places"
	"fieldsync/records"
	"fieldsync/station"
	"fieldsync/webkit"
)

type importData struct {
	Error  string
	Result *station.ImportResult
	// Monthly is the monthly sheet's form and result (monthimportweb.go).
	Monthly monthImportData
}

func (s *Server) pageImport(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "import", "import", importData{Monthly: s.monthImportForm(r)})
}

// readUpload reads the form's file (at most maxUpload bytes): its name and
// contents, or the status and message that refuse it (none sent; too
// large).
func (s *Server) readUpload(r *http.Request, lang string) (name string, data []byte, status int, msg string) {
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return "", nil, http.StatusBadRequest, (&records.FieldError{Field: "file", Key: records.KeyRequired}).Message(lang)
	}
	defer file.Close()
	if hdr.Size > s.maxUpload {
		return "", nil, http.StatusRequestEntityTooLarge, tr(lang, "too_large")
	}
	data, err = io.ReadAll(io.LimitReader(file, s.maxUpload+1))
	if err != nil || int64(len(data)) > s.maxUpload {
		return "", nil, http.StatusRequestEntityTooLarge, tr(lang, "too_large")
	}
	return hdr.Filename, data, 0, ""
}

func (s *Server) postImport(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	fail := func(status int, msg string) {
		s.render(w, r, status, "import", "import", importData{Error: msg, Monthly: s.monthImportForm(r)})
	}
	name, data, status, msg := s.readUpload(r, lang)
	if status != 0 {
		fail(status, msg)
		return
	}
	res, err := s.st.ImportWorkers(r.Context(), name, data, lang)
	if s.importFailed(w, r, lang, err, fail) {
		return
	}
	s.log.InfoContext(r.Context(), "imported workers", "rows", res.Rows, "imported", res.Imported, "failed", len(res.Errors))
	s.render(w, r, http.StatusOK, "import", "import", importData{Result: res, Monthly: s.monthImportForm(r)})
}

// importFailed answers an import's error, true when there was one: a file
// too large is 413 and a file that is not a workbook 400, both through
// fail (the import page with the message); anything else the error page.
func (s *Server) importFailed(w http.ResponseWriter, r *http.Request, lang string, err error, fail func(status int, msg string)) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, station.ErrTooLarge):
		fail(http.StatusRequestEntityTooLarge, tr(lang, "too_large"))
	case errors.Is(err, station.ErrBadFile):
		fail(http.StatusBadRequest, err.Error())
	default:
		s.webError(w, r, err)
	}
	return true
}

// writeTable sends a header and rows as an .xlsx workbook or a CSV file (UTF-8
// with a byte-order mark, which Excel opens correctly). The workbook stores
// text as strings, which no spreadsheet runs; the CSV neutralises text
// cells that would run as formulas.
func writeTable(w http.ResponseWriter, format, filename string, header []string, rows [][]any) error {
	switch format {
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", contentDisposition(filename+".csv"))
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
		cw := csv.NewWriter(w)
		if err := cw.Write(header); err != nil {
			return err
		}
		rec := make([]string, len(header))
		for _, row := range rows {
			for i, v := range row {
				rec[i] = displayCell(v)
				if _, text := v.(string); text {
					// Typed text a spreadsheet would run as a formula is quoted.
					rec[i] = webkit.CSVCell(rec[i])
				}
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	default:
		x := excelize.NewFile()
		defer x.Close()
		sheet := x.GetSheetName(0)
		sw, err := x.NewStreamWriter(sheet)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		hv := make([]any, len(header))
		for i, h := range header {
			hv[i] = h
		}
		if err := sw.SetRow("A1", hv); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		for i, row := range rows {
			cellName, _ := excelize.CoordinatesToCellName(1, i+2) // row numbers are in range
			if err := sw.SetRow(cellName, row); err != nil {
				return fmt.Errorf("export: %w", err)
			}
		}
		if err := sw.Flush(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", contentDisposition(filename+".xlsx"))
		_, err = x.WriteTo(w)
		return err
	}
}

// contentDisposition names a download: name in UTF-8, export.EXT for a
// client that takes only an ASCII name.
func contentDisposition(name string) string {
	return webkit.Attachment("export"+filepath.Ext(name), name)
}

func displayCell(v any) string {
	if v == nil {
		return ""
	}
	return displayValue(v)
}

// ListHeader is the header row of an exported list.
// The county's systems read the division codes (户籍地, 常住地); the name
// columns beside them are for people.
var ListHeader = []string{"序号", "姓名", "性别", "公民身份号码", "年龄", "联系电话", "户籍地", "户籍地名称", "常住地", "常住地名称", "人员类别",
	"务工地域", "务工地点", "行业", "就业形式", "月收入（元）", "核实方式", "核实人", "核实日期", "本月状态", "有意愿外出"}

func (s *Server) exportList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	month := q.Get("month")
	list := records.NormalizeList(q.Get("list"))
	if !records.ValidMonth(month) {
		s.webError(w, r, &records.FieldError{Field: "month", Key: records.KeyMonth})
		return
	}
	if list == "" {
		s.webError(w, r, &records.FieldError{Field: "list_type", Key: records.KeyEnum, Args: []any{strings.Join(records.ListTypes, "、")}})
		return
	}
	var rows [][]any
	for after := ""; ; {
		page, err := s.st.ListEntries(r.Context(), month, list, station.MaxLimit, 0, after)
		if err != nil {
			s.webError(w, r, err)
			return
		}
		for _, e := range page.Entries {
			rows = append(rows, []any{len(rows) + 1, e.Name, e.Sex, e.IDNumber, e.Age, e.Phone, e.HukouVillage, placeCell(e.HukouVillage),
				e.ResidenceVillage, placeCell(e.ResidenceVillage), strings.Join(glossary.DisplayAll(e.Tags), "、"), glossary.Display(e.Status.WorkScope), e.Status.Place, e.Status.Industry,
				glossary.Display(e.Status.EmploymentForm), incomeCell(e.Status.MonthlyIncome), glossary.Display(e.Status.VerifiedByMethod), e.Status.VerifiedBy, e.Status.VerifiedAt,
				e.Status.ListType, yesNo(e.Status.WillingAway)})
		}
		if after = page.Next; after == "" {
			break
		}
	}
	name := fmt.Sprintf("%s-%s人员清单-%s", s.cfg.Name, list, month)
	if err := writeTable(w, q.Get("format"), name, ListHeader, rows); err != nil {
		s.log.WarnContext(r.Context(), "export list", "err", err)
	}
}

// yesNo is a flag as an export writes it.
func yesNo(v bool) string {
	if v {
		return "是"
	}
	return "否"
}

// placeCell is the name column beside a division code in an export
// (places.Label.Cell).
func placeCell(code string) string { return places.LabelOf(code).Cell() }

// GigHeader is the header row of the exported gig board.
var GigHeader = []string{"标题", "工种", "招聘人数", "已上岗", "工资", "工资单位", "结算方式", "地点代码", "地点名称", "详细地址",
	"开始日期", "结束日期", "最低年龄", "最高年龄", "用工单位", "联系方式", "技能要求", "状态", "截止日期", "发布站点"}

func (s *Server) exportGigs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	status := q.Get("status")
	if status != records.GigOpen && status != records.GigFilled && status != records.GigClosed {
		status = ""
	}
	var rows [][]any
	for off := 0; ; off += station.MaxLimit {
		page, err := s.st.Gigs(r.Context(), status, station.MaxLimit, off)
		if err != nil {
			s.webError(w, r, err)
			return
		}
		for _, g := range page.Gigs {
			var amin, amax any
			if g.AgeMin > 0 {
				amin = g.AgeMin
			}
			if g.AgeMax > 0 {
				amax = g.AgeMax
			}
			rows = append(rows, []any{g.Title, g.Occupation, g.Headcount, g.Placed, g.Wage, g.WageUnit, g.Settlement,
				g.Place, placeCell(g.Place), g.Address, g.StartDate, g.EndDate, amin, amax, g.Employer, g.Contact,
				strings.Join(g.Skills, "、"), tr("zh", g.Status), g.ExpiresOn, g.Station})
		}
		if off+station.MaxLimit >= page.Total {
			break
		}
	}
	if err := writeTable(w, q.Get("format"), s.cfg.Name+"-零工信息", GigHeader, rows); err != nil {
		s.log.WarnContext(r.Context(), "export gigs", "err", err)
	}
}

// incomeCell is a monthly income as an export shows it: the number, or
// 未填报 when none was entered.
func incomeCell(v *float64) any {
	if v == nil {
		return records.IncomeNotReported
	}
	return *v
}

// incomeText is a monthly income as text: the number, or none when none
// was entered.
func incomeText(v *float64, none string) string {
	if v == nil {
		return none
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}
