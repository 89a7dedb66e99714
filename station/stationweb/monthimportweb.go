package stationweb

import (
	"net/http"
	"strings"

	"fieldsync/records"
	"fieldsync/station"
	"fieldsync/webkit"
)

// 月度台账导入: the import page's second form, which fills a month's
// statuses from the county's monthly sheet (station.ImportMonthStatuses).

func init() {
	uiText = uiText.With(monthImportText)
}

var monthImportText = webkit.Catalogue{
	"mi_title": {"月度台账导入", "Monthly sheet import"},
	"mi_hint": {"上传县里下发的月度台账（.xlsx 或 .csv，每人一行：身份证号、姓名、清单类别或就业状态、务工地域、务工地点、行业、就业形式、月收入、核实方式、核实人、核实日期）。" +
		"每行记为该月的月度状态；按清单分表的工作簿（就业人员清单、失业人员清单、有意愿外出人员清单）按表名确定清单。" +
		"本月已有状态且一致的保留不变，不一致的列出、不覆盖；未在本站登记的人员请先导入人员。",
		"Upload the county's monthly sheet (.xlsx or .csv, one row per person: id number, name, list or status, work scope, place, industry, employment form, monthly income, verification). " +
			"Each row becomes that month's status; a workbook with a sheet per list (就业人员清单, 失业人员清单, 有意愿外出人员清单) takes the list from the sheet's name. " +
			"A status already held that agrees is kept; one that differs is listed, not overwritten. Register people not yet at this station first."},
	"mi_defaults":    {"表中未填核实方式、核实人、核实日期的行，按以下填写：", "Rows that leave the verification blank get:"},
	"mi_upload":      {"导入月度台账", "Import the monthly sheet"},
	"mi_imported":    {"已记入本月", "Recorded"},
	"mi_unchanged":   {"已有且一致（未改动）", "Already so (kept)"},
	"mi_sheet":       {"工作表", "Sheet"},
	"mi_field":       {"字段", "Field"},
	"mi_to_worklist": {"查看本月待核实", "Open the month's worklist"},
}

// monthImportData is the monthly sheet's form (its values, or the
// defaults) and, after an upload, its result.
type monthImportData struct {
	Month, Method, By, At string
	Methods               []string
	Error                 string
	Result                *station.MonthImportResult
}

// monthImportForm is the form as the page first shows it: this month,
// verified today by data comparison by whoever is logged in.
func (s *Server) monthImportForm(r *http.Request) monthImportData {
	return monthImportData{Month: s.st.ThisMonth(), Method: "数据比对", By: s.verifier(r), At: s.st.Today(),
		Methods: records.VerifyMethods}
}

func (s *Server) postMonthImport(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	d := monthImportData{Methods: records.VerifyMethods}
	fail := func(status int, msg string) {
		d.Error = msg
		s.render(w, r, status, "import", "import", importData{Monthly: d})
	}
	name, data, status, msg := s.readUpload(r, lang)
	// The form's values are read after the file, which parses the form.
	d.Month = strings.TrimSpace(r.PostFormValue("month"))
	d.Method = strings.TrimSpace(r.PostFormValue("verified_by_method"))
	d.By = strings.TrimSpace(r.PostFormValue("verified_by"))
	d.At = strings.TrimSpace(r.PostFormValue("verified_at"))
	if status != 0 {
		fail(status, msg)
		return
	}
	res, err := s.st.ImportMonthStatuses(r.Context(), name, data, station.MonthImport{Month: d.Month,
		VerifiedByMethod: d.Method, VerifiedBy: d.By, VerifiedAt: d.At}, lang)
	if fe, ok := records.AsFieldError(err); ok {
		fail(http.StatusBadRequest, fe.Message(lang))
		return
	}
	if s.importFailed(w, r, lang, err, fail) {
		return
	}
	s.log.InfoContext(r.Context(), "imported monthly statuses", "rows", res.Rows, "imported", res.Imported,
		"unchanged", res.Unchanged, "failed", len(res.Errors))
	d.Result = res
	s.render(w, r, http.StatusOK, "import", "import", importData{Monthly: d})
}
