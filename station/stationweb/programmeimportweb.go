package stationweb

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/xuri/excelize/v2"

	"fieldsync/records"
	"fieldsync/station"
	"fieldsync/webkit"
)

// 帮扶项目台账导入与导出: the page and API that import the county's
// programme registers from one workbook (station.ImportProgrammes), the
// blank workbook with every register's headers, and each programme table
// exported in the register's layout (station.ProgrammeExport), so that an
// export imports again.

func init() {
	uiText = uiText.With(station.ProgrammeImportText, programmeImportText)
	pageNames = append(pageNames, "programmeimport")
}

var programmeImportText = webkit.Catalogue{
	"pi_title": {"帮扶项目台账导入", "Programme registers import"},
	"pi_hint": {"上传县里使用的帮扶项目台账工作簿（.xlsx），每个项目一张工作表，表名和表头见下方各台账及空白模板。" +
		"人员按公民身份号码对应本站登记人员；岗位、车间、项目、协作地区按名称，输出批次按输出日期和输出地对应，可引用同一工作簿前面表中的记录。" +
		"整个工作簿一次写入：任何一行有误，全部不导入，并列出有误的行；与本站已有记录相同的行不作改动。",
		"Upload the county's programme workbook (.xlsx), one sheet per register, named and headed as the registers below and the blank workbook are. " +
			"People are found by id number among this station's people; posts, workshops, projects and partner regions by name, batches by date and destination, including rows of earlier sheets of the same workbook. " +
			"The workbook is written whole: any row in error imports nothing and is listed; rows the station already holds as they are change nothing."},
	"pi_template":      {"下载空白台账模板（含各表表头）", "Download the blank workbook (every sheet's headers)"},
	"pi_upload":        {"导入台账", "Import the registers"},
	"pi_created":       {"新增", "Created"},
	"pi_updated":       {"更新", "Updated"},
	"pi_unchanged":     {"已有且一致（未改动）", "Already so (kept)"},
	"pi_column":        {"列", "Column"},
	"pi_exports":       {"导出各台账（Excel）", "Export each register (Excel)"},
	"pi_template_file": {"帮扶项目台账模板", "programme registers template"},
}

// programmeImportData is the import page: the registers (for the export
// links) and, after an upload, the result.
type programmeImportData struct {
	Sheets  []station.ProgrammeSheet
	Error   string
	Result  *station.ProgrammeImportResult
	Refused bool
}

func (s *Server) pageProgrammeImport(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "programmeimport", "pi_title", programmeImportData{Sheets: station.ProgrammeSheets})
}

func (s *Server) postProgrammeImport(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	d := programmeImportData{Sheets: station.ProgrammeSheets}
	fail := func(status int, msg string) {
		d.Error = msg
		s.render(w, r, status, "programmeimport", "pi_title", d)
	}
	_, data, status, msg := s.readUpload(r, lang)
	if status != 0 {
		fail(status, msg)
		return
	}
	res, err := s.st.ImportProgrammes(r.Context(), data, lang)
	if s.importFailed(w, r, lang, err, fail) {
		return
	}
	s.logProgrammeImport(r, res)
	d.Result, d.Refused = res, len(res.Errors) > 0
	status = http.StatusOK
	if d.Refused {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "programmeimport", "pi_title", d)
}

func (s *Server) logProgrammeImport(r *http.Request, res *station.ProgrammeImportResult) {
	s.log.InfoContext(r.Context(), "imported programme registers", "rows", res.Rows, "created", res.Created,
		"updated", res.Updated, "unchanged", res.Unchanged, "refused", len(res.Errors))
}

// isAPIUpload reports whether r is a file upload to the API
// (POST /api/programmes/import, multipart/form-data) that carries
// X-Requested-With: a header no page of another site can send without the
// browser asking the station first, as with the JSON content type the
// rest of the API requires.
func isAPIUpload(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/api/programmes/import" &&
		strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") && r.Header.Get("X-Requested-With") != ""
}

// apiProgrammeImport imports a workbook sent as the multipart field
// "file": 200 with the result when written, 422 with every refusal when
// nothing was, 400 for a file that is not a workbook, 413 for one too large.
func (s *Server) apiProgrammeImport(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	r.Body = http.MaxBytesReader(w, r.Body, s.maxUpload+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": tr(lang, "too_large")})
			return
		}
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": (&records.FieldError{Field: "file", Key: records.KeyRequired}).Message(lang)})
		return
	}
	_, data, status, msg := s.readUpload(r, lang)
	if status != 0 {
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	res, err := s.st.ImportProgrammes(r.Context(), data, lang)
	switch {
	case errors.Is(err, station.ErrTooLarge):
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": tr(lang, "too_large")})
		return
	case errors.Is(err, station.ErrBadFile):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	case err != nil:
		s.apiError(w, r, err)
		return
	}
	s.logProgrammeImport(r, res)
	if len(res.Errors) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, res)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// programmeTemplate sends the blank workbook: every register's sheet with
// its headers, in the order the import writes them.
func (s *Server) programmeTemplate(w http.ResponseWriter, r *http.Request) {
	x := excelize.NewFile()
	defer x.Close()
	first := x.GetSheetName(0)
	for i, ps := range station.ProgrammeSheets {
		if i == 0 {
			if err := x.SetSheetName(first, ps.Sheet); err != nil {
				s.webError(w, r, fmt.Errorf("template: %w", err))
				return
			}
		} else if _, err := x.NewSheet(ps.Sheet); err != nil {
			s.webError(w, r, fmt.Errorf("template: %w", err))
			return
		}
		hs := ps.Headers()
		row := make([]any, len(hs))
		for j, h := range hs {
			row[j] = h
		}
		if err := x.SetSheetRow(ps.Sheet, "A1", &row); err != nil {
			s.webError(w, r, fmt.Errorf("template: %w", err))
			return
		}
	}
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", webkit.Attachment("programmes-template.xlsx", tr("zh", "pi_template_file")+".xlsx"))
	if _, err := x.WriteTo(w); err != nil {
		s.log.WarnContext(r.Context(), "programme template", "err", err)
	}
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// programmeExport sends a programme table ({table}.xlsx, the table's
// name as in records) as its register's sheet, named in Chinese.
func (s *Server) programmeExport(w http.ResponseWriter, r *http.Request) {
	table, ok := strings.CutSuffix(r.PathValue("file"), ".xlsx")
	if !ok || station.ProgrammeSheetOf(table) == nil {
		s.webError(w, r, fmt.Errorf("export %s: %w", r.PathValue("file"), station.ErrNotFound))
		return
	}
	sheet, header, rows, err := s.st.ProgrammeExport(r.Context(), table)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName(x.GetSheetName(0), sheet); err != nil {
		s.webError(w, r, fmt.Errorf("export: %w", err))
		return
	}
	// Text is stored as strings (never formulas), which no spreadsheet
	// runs: what writeTable does for the other exports.
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		s.webError(w, r, fmt.Errorf("export: %w", err))
		return
	}
	hv := make([]any, len(header))
	for i, h := range header {
		hv[i] = h
	}
	if err := sw.SetRow("A1", hv); err != nil {
		s.webError(w, r, fmt.Errorf("export: %w", err))
		return
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2) // row numbers are in range
		if err := sw.SetRow(cell, row); err != nil {
			s.webError(w, r, fmt.Errorf("export: %w", err))
			return
		}
	}
	if err := sw.Flush(); err != nil {
		s.webError(w, r, fmt.Errorf("export: %w", err))
		return
	}
	name := fmt.Sprintf("%s-%s-%s.xlsx", s.cfg.Name, sheet, s.today())
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", webkit.Attachment(table+".xlsx", name))
	if _, err := x.WriteTo(w); err != nil {
		s.log.WarnContext(r.Context(), "export programme", "table", table, "err", err)
	}
}
