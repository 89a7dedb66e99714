package stationweb

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"fieldsync/records"
	"fieldsync/report"
	"fieldsync/webkit"
)

// The station's own 台账 (everyone registered here, the county's roster
// columns) and 月报 (the county's monthly report for this station's people),
// each a printable page and an .xlsx workbook, computed offline from the
// station's replica by the county's report package (report.Options.Station).

func init() {
	// The pages' words and templates join the station's here, so that the
	// catalogue in i18n.go and the page list in web.go stay as they are.
	uiText = uiText.With(ledgerText)
	pageNames = append(pageNames, "ledger", "monthly_report")
}

var ledgerText = webkit.Catalogue{
	"ledger":          {"人员台账", "Roster"},
	"monthly_report":  {"月报", "Monthly report"},
	"download_xlsx":   {"下载 Excel（.xlsx）", "Download (.xlsx)"},
	"print_hint":      {"打印：按 Ctrl+P（A4 横向，不含导航栏）", "Print: press Ctrl+P (A4 landscape, without the navigation)"},
	"report_station":  {"统计站点", "Station"},
	"report_month":    {"统计月份", "Month"},
	"report_masked":   {"页面上身份证号已隐去中间位，下载的 Excel 为完整号码。", "ID numbers are masked on the page; the workbook has them in full."},
	"report_rows":     {"行", "rows"},
	"report_same_as":  {"表样与县级月报相同，只含本站登记人员。", "The county's sheets, for this station's people only."},
	"report_sections": {"目录", "Contents"},
	// The worker list's filter by 人员类别.
	"all_categories": {"全部", "All"},
}

func (s *Server) routesLedger(mux *http.ServeMux) {
	mux.HandleFunc("GET /ledger", s.pageLedger)
	mux.HandleFunc("GET /ledger.xlsx", s.ledgerXLSX)
	mux.HandleFunc("GET /monthly-report", s.pageMonthlyReport)
	mux.HandleFunc("GET /monthly-report.xlsx", s.monthlyReportXLSX)
}

// reportOptions are the county report's options for this station's own
// report: its people, its thresholds, its clock.
func (s *Server) reportOptions() report.Options {
	o := report.Options{Station: s.cfg.Name, Older: s.cfg.Older, Now: s.now}
	if loc, err := webkit.LoadZone(s.cfg.TimeZone); err == nil {
		o.Location = loc
	}
	return o
}

// reportData is what the 台账 and 月报 pages show.
type reportData struct {
	Station string
	Month   string
	Prev    string
	Next    string
	Path    string // the page, for the month chooser's links
	XLSX    string // the workbook of the same month
	Tables  []report.Table
}

func (s *Server) reportPage(w http.ResponseWriter, r *http.Request, name, path string, sheets []string) {
	month, err := s.worklistMonth(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	tables, err := report.ReadTables(r.Context(), s.r.DB(), month, sheets, s.reportOptions())
	if err != nil {
		s.webError(w, r, err)
		return
	}
	t, _ := time.Parse(records.MonthLayout, month) // worklistMonth checked it
	d := reportData{Station: s.cfg.Name, Month: month, Path: path, XLSX: path + ".xlsx?month=" + month,
		Prev: t.AddDate(0, -1, 0).Format(records.MonthLayout), Next: t.AddDate(0, 1, 0).Format(records.MonthLayout),
		Tables: tables}
	s.render(w, r, http.StatusOK, name, name, d)
}

func (s *Server) pageLedger(w http.ResponseWriter, r *http.Request) {
	s.reportPage(w, r, "ledger", "/ledger", []string{report.SheetRoster})
}

func (s *Server) pageMonthlyReport(w http.ResponseWriter, r *http.Request) {
	s.reportPage(w, r, "monthly_report", "/monthly-report", report.Sheets)
}

// reportXLSX sends the sheets of month's report as a workbook named for the
// station, the kind and the month. The workbook is built in memory first,
// so that an error is a page, not half a file.
func (s *Server) reportXLSX(w http.ResponseWriter, r *http.Request, kind string, sheets []string) {
	month, err := s.worklistMonth(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	o := s.reportOptions()
	// The station's exports carry full id numbers, as its list exports do.
	o.Unmasked = true
	var buf bytes.Buffer
	if err := report.WriteSheetsXLSX(r.Context(), &buf, s.r.DB(), month, sheets, o); err != nil {
		s.webError(w, r, fmt.Errorf("%s %s: %w", kind, month, err))
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", contentDisposition(fmt.Sprintf("%s-%s-%s.xlsx", s.cfg.Name, kind, month)))
	w.Header().Set("Cache-Control", "no-store")
	if _, err := w.Write(buf.Bytes()); err != nil {
		s.log.WarnContext(r.Context(), "send report", "kind", kind, "err", err)
	}
}

func (s *Server) ledgerXLSX(w http.ResponseWriter, r *http.Request) {
	s.reportXLSX(w, r, "人员台账", []string{report.SheetRoster})
}

func (s *Server) monthlyReportXLSX(w http.ResponseWriter, r *http.Request) {
	s.reportXLSX(w, r, "月报", report.Sheets)
}
