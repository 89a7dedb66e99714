package hubweb

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"

	"fieldsync/hub/access"
	"fieldsync/records"
	"fieldsync/report"
)

// dashboardChart is one chart of the page: its SVG, drawn on the server,
// and the table beneath it.
type dashboardChart struct {
	ID    string
	Title string
	SVG   template.HTML // from report.ChartSVG: no script, escaped text
	Head  []string
	Rows  [][]string
}

var dashboardTmpl = mustTemplate("dashboard", template.FuncMap{
	"mul100": func(v float64) float64 { return v * 100 },
}, false)

// routesDashboardPage adds the dashboard page and its downloads, for web
// sessions.
func (h *server) routesDashboardPage(mux *http.ServeMux) {
	mux.Handle("GET /dashboard", h.pageFor(access.PermView, h.serveDashboardPage))
	mux.Handle("GET /dashboard/report.xlsx", h.pageFor(access.PermView, h.serveReportXLSX))
	mux.Handle("GET /dashboard/report.csv", h.pageFor(access.PermView, h.serveReportCSV))
}

// serveDashboardPage renders the month's dashboard: totals, every chart as
// inline SVG with its table, the stations, and links to the report files.
func (h *server) serveDashboardPage(w http.ResponseWriter, r *http.Request) {
	month := h.monthParam(r)
	data := map[string]any{"Hub": h.Name(), "Month": month, "Sheets": report.Sheets}
	if a, ok := access.AdminFrom(r.Context()); ok {
		data["Admin"], data["CSRF"] = a, h.csrfToken(a)
	}
	status := http.StatusOK
	if !records.ValidMonth(month) {
		status, data["Error"] = http.StatusBadRequest, "月份格式应为 YYYY-MM，例如 2026-11"
	} else if fig, err := h.Dashboard(r.Context(), month); err != nil {
		h.log.ErrorContext(r.Context(), "dashboard page", "month", month, "err", err)
		status, data["Error"] = http.StatusInternalServerError, "内部错误，请稍后再试"
	} else {
		data["Fig"] = fig
		var charts []dashboardChart
		for _, c := range report.Charts(fig) {
			dc := dashboardChart{ID: c.ID, Title: c.Title}
			var buf bytes.Buffer
			switch err := report.ChartSVG(&buf, c); {
			case err == nil:
				dc.SVG = template.HTML(buf.String()) // #nosec: report.ChartSVG escapes its text
			case !errors.Is(err, report.ErrEmptyChart):
				h.log.WarnContext(r.Context(), "dashboard chart", "chart", c.ID, "err", err)
			}
			if t := c.Table(); len(t) > 0 {
				dc.Head, dc.Rows = t[0], t[1:]
			}
			charts = append(charts, dc)
		}
		data["Charts"] = charts
	}
	var buf bytes.Buffer
	if err := dashboardTmpl.Execute(&buf, data); err != nil {
		h.log.ErrorContext(r.Context(), "dashboard page", "err", err)
		http.Error(w, "内部错误", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
