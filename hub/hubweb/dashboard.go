package hubweb

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"fieldsync/hub/access"
	"fieldsync/records"
	"fieldsync/report"
	"fieldsync/webkit"
)

// routesDashboard adds the dashboard's API endpoints (the figures, the
// report's files, the people behind a figure: servePeopleAPI), and starts
// the dashboard's live figures (figuresCache).
func (h *server) routesDashboard(mux *http.ServeMux) {
	h.StartDashboard()
	mux.Handle("GET /api/dashboard", h.apiFor(access.PermView, h.serveDashboardAPI))
	mux.Handle("GET /api/people", h.apiFor(access.PermView, h.servePeopleAPI))
	mux.Handle("GET /api/report.xlsx", h.apiFor(access.PermView, h.serveReportXLSX))
	mux.Handle("GET /api/report.csv", h.apiFor(access.PermView, h.serveReportCSV))
}

// monthParam is the request's month (this month in China when absent).
func (h *server) monthParam(r *http.Request) string {
	if m := r.URL.Query().Get("month"); m != "" || r.URL.Query().Has("month") {
		return m
	}
	return h.now().In(h.Zone()).Format("2006-01")
}

// writeFieldError answers 400 with the error and the offending parameter.
func writeFieldError(w http.ResponseWriter, field, msg string) {
	webkit.WriteError(w, http.StatusBadRequest, webkit.ErrorBody{Error: msg, Field: field})
}

// dashboardText holds the dashboard API's messages: Chinese, English
// (?lang=en), as the rest of the API.
var dashboardText = webkit.Catalogue{
	"bad_month": {"月份格式应为 YYYY-MM，例如 2026-11", "month must be YYYY-MM, e.g. 2026-11"},
	"unknown_sheet": {"未知的表（可选：" + strings.Join(report.Sheets, "、") + "）",
		"unknown sheet (want one of " + strings.Join(report.Sheets, ", ") + ")"},
	"internal": {"内部错误", "internal error"},
}

// dashText is a dashboard API message in the request's language.
func dashText(r *http.Request, key string) string {
	return dashboardText.T(apiLang(r), key)
}

// serveDashboardAPI answers GET /api/dashboard?month=YYYY-MM with the
// month's figures as JSON.
func (h *server) serveDashboardAPI(w http.ResponseWriter, r *http.Request) {
	month := h.monthParam(r)
	if !records.ValidMonth(month) {
		writeFieldError(w, "month", dashText(r, "bad_month"))
		return
	}
	fig, err := h.Dashboard(r.Context(), month)
	switch {
	case errors.Is(err, report.ErrBadMonth):
		writeFieldError(w, "month", dashText(r, "bad_month"))
		return
	case err != nil:
		h.log.ErrorContext(r.Context(), "dashboard", "month", month, "err", err)
		writeJSONError(w, http.StatusInternalServerError, dashText(r, "internal"))
		return
	}
	writeJSON(w, http.StatusOK, fig)
}

// serveReportXLSX streams the month's report as an .xlsx workbook.
func (h *server) serveReportXLSX(w http.ResponseWriter, r *http.Request) {
	month := h.monthParam(r)
	if !records.ValidMonth(month) {
		writeFieldError(w, "month", dashText(r, "bad_month"))
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", webkit.Attachment(fmt.Sprintf("report-%s.xlsx", month), report.FileName(month, "", ".xlsx")))
	if err := report.WriteXLSX(r.Context(), w, h.Replica().DB(), month, h.ReportOptions()); err != nil {
		// The headers are sent: the client sees a short file.
		h.log.ErrorContext(r.Context(), "report xlsx", "month", month, "err", err)
	}
}

// serveReportCSV streams one sheet of the month's report as CSV.
func (h *server) serveReportCSV(w http.ResponseWriter, r *http.Request) {
	month := h.monthParam(r)
	if !records.ValidMonth(month) {
		writeFieldError(w, "month", dashText(r, "bad_month"))
		return
	}
	sheet := r.URL.Query().Get("sheet")
	if sheet == "" {
		sheet = report.SheetSummary
	}
	if !slices.Contains(report.Sheets, sheet) {
		writeFieldError(w, "sheet", dashText(r, "unknown_sheet"))
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", webkit.Attachment(fmt.Sprintf("report-%s-%s.csv", month, sheet), report.FileName(month, sheet, ".csv")))
	if err := report.WriteCSV(r.Context(), w, h.Replica().DB(), month, sheet, h.ReportOptions()); err != nil {
		h.log.ErrorContext(r.Context(), "report csv", "month", month, "sheet", sheet, "err", err)
	}
}

// serviceCards are the services' headline figures of f (and prev, last
// month's, may be nil) as cards, each opening its sheet of the month's
// report (CSV). Within a township the training and returnee cards are the
// township's; the others are the county's, marked.
func serviceCards(f, prev *report.Figures, month, township string) []programmeCard {
	type figure struct {
		name, title, sheet string
		value              func(s *report.ServiceFigures) float64
		byTown             func(s *report.ServiceFigures, code string) float64
		money              bool
	}
	trainedIn := func(s *report.ServiceFigures, code string) float64 {
		for _, t := range s.Training.ByTownship {
			if t.Code == code {
				return float64(t.Trained)
			}
		}
		return 0
	}
	returnedIn := func(s *report.ServiceFigures, code string) float64 {
		for _, b := range s.Returns.ByTownship {
			if b.Key == code {
				return float64(b.Count)
			}
		}
		return 0
	}
	kindOf := func(rows []report.PostingRow, kind string) float64 {
		for _, r := range rows {
			if r.Kind == kind {
				return float64(r.Posted)
			}
		}
		return 0
	}
	support := func(s *report.ServiceFigures, kind string) float64 {
		for _, r := range s.Startups.Support {
			if r.Kind == kind {
				return r.Amount
			}
		}
		return 0
	}
	figures := []figure{
		{"service_trained", report.TitleTrained, report.SheetTraining,
			func(s *report.ServiceFigures) float64 { return float64(s.Training.Trained) }, trainedIn, false},
		{"service_certificates", report.TitleCertificates, report.SheetTraining,
			func(s *report.ServiceFigures) float64 { return float64(s.Training.Certificates) }, nil, false},
		{"service_startups_new", report.TitleStartupsNew, report.SheetStartups,
			func(s *report.ServiceFigures) float64 { return float64(s.Startups.New) }, nil, false},
		{"service_startup_jobs", report.TitleStartupJobs, report.SheetStartups,
			func(s *report.ServiceFigures) float64 { return float64(s.Startups.JobsCreated) }, nil, false},
		{"service_loans", report.TitleLoansMonth, report.SheetStartups,
			func(s *report.ServiceFigures) float64 { return support(s, records.SupportLoan) }, nil, true},
		{"service_rights_opened", report.TitleRightsOpened, report.SheetRights,
			func(s *report.ServiceFigures) float64 { return float64(s.Rights.Opened) }, nil, false},
		{"service_rights_recovered", report.TitleRightsRecovered, report.SheetRights,
			func(s *report.ServiceFigures) float64 { return s.Rights.Recovered }, nil, true},
		{"service_returnees", report.TitleReturnees, report.SheetReturns,
			func(s *report.ServiceFigures) float64 { return float64(s.Returns.People) }, returnedIn, false},
		{"service_job_fairs", report.TitleJobFairs, report.SheetJobFairs,
			func(s *report.ServiceFigures) float64 { return float64(s.JobFairs.Fairs) }, nil, false},
		{"service_agreements", report.TitleJobFairAgreed, report.SheetJobFairs,
			func(s *report.ServiceFigures) float64 { return float64(s.JobFairs.Agreements) }, nil, false},
		{"service_jobs_posted", report.TitleJobsPosted, report.SheetPostings,
			func(s *report.ServiceFigures) float64 { return kindOf(s.Postings.ByKind, records.GigKindJob) }, nil, false},
		{"service_gigs_posted", report.TitleGigsPosted, report.SheetPostings,
			func(s *report.ServiceFigures) float64 { return kindOf(s.Postings.ByKind, records.GigKindCasual) }, nil, false},
		{"service_older_posted", report.TitleOlderPostsPosted, report.SheetPostings,
			func(s *report.ServiceFigures) float64 { return float64(s.Postings.SuitsOlder.Posted) }, nil, false},
	}
	format := func(v float64, money bool) string {
		if money {
			return strconv.FormatFloat(v, 'f', 2, 64)
		}
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	var out []programmeCard
	for _, x := range figures {
		val := func(f *report.Figures) float64 {
			if township != "" && x.byTown != nil {
				return x.byTown(&f.Services, township)
			}
			return x.value(&f.Services)
		}
		c := programmeCard{Name: x.name, Title: x.title, Value: format(val(f), x.money),
			Href:       "/dashboard/report.csv?" + url.Values{"month": {month}, "sheet": {x.sheet}}.Encode(),
			CountyOnly: township != "" && x.byTown == nil}
		if prev != nil {
			d := val(f) - val(prev)
			c.Change = format(d, x.money)
			if d >= 0 {
				c.Change = "+" + c.Change
			}
		}
		out = append(out, c)
	}
	return out
}
