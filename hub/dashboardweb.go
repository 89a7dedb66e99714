package hub

import (
	"bytes"
	"errors"
	"fieldsync/hub/access"
	"html/template"
	"net/http"

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

var dashboardTmpl = template.Must(template.New("dashboard").Funcs(template.FuncMap{
	"mul100": func(v float64) float64 { return v * 100 },
}).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{{.Hub}} · 就业监测看板 · {{.Month}}</title>
<style>body{font-family:'Microsoft YaHei','SimHei',sans-serif;margin:2em;max-width:60em}
table{border-collapse:collapse;margin:.5em 0 2em}td,th{border:1px solid #ccc;padding:.2em .6em}td.n{text-align:right}
section{page-break-inside:avoid}svg{max-width:100%;height:auto}.err{color:#b00}
@media print{form,nav{display:none}}</style></head>
<body>{{with .Admin}}<form method="post" action="/logout" style="float:right">{{.Name}}（{{.Role}}）
<input type="hidden" name="csrf" value="{{$.CSRF}}"><button type="submit">退出登录</button></form>{{end}}
<nav><a href="/">服务站同步状态</a> · <a href="/conflicts">冲突处理</a> · <a href="/workers">人员查询</a> · <a href="/stations">服务站管理</a></nav>
<h1>{{.Hub}} · 就业监测看板</h1>
<form method="get" action="/dashboard">月份 <input type="month" name="month" value="{{.Month}}" pattern="[0-9]{4}-[0-9]{2}" placeholder="YYYY-MM">
<button type="submit">查看</button></form>
{{if .Error}}<p class="err" id="error">{{.Error}}</p>{{else}}{{with .Fig}}
<p id="downloads">下载月报：<a href="/dashboard/report.xlsx?month={{.Month}}">Excel (.xlsx)</a>
{{range $.Sheets}} · <a href="/dashboard/report.csv?month={{$.Month}}&amp;sheet={{.}}">{{.}}.csv</a>{{end}}</p>
<table id="totals"><tr><th>登记人数</th><th>就业</th><th>失业</th><th>有意愿外出</th><th>帮扶台账人数</th><th>本月未帮扶</th><th>六个月未帮扶</th><th>零工填补率</th><th>沉默服务站</th></tr>
<tr><td class="n">{{.Workers}}</td><td class="n">{{.Lists.Count.Employed}}（{{printf "%+d" .Lists.Change.Employed}}）</td>
<td class="n">{{.Lists.Count.Unemployed}}（{{printf "%+d" .Lists.Change.Unemployed}}）</td>
<td class="n">{{.Lists.Count.WillingAway}}（{{printf "%+d" .Lists.Change.WillingAway}}）</td>
<td class="n">{{.Ledger.People}}</td><td class="n">{{.Ledger.NoneThisMonth}}</td><td class="n">{{.Ledger.NoneSixMonths}}</td>
<td class="n">{{printf "%.1f%%" (mul100 .Gigs.FillRate)}}</td><td class="n">{{.Stations.Silent}} / {{len .Stations.Stations}}</td></tr></table>
{{end}}
{{range .Charts}}<section id="chart-{{.ID}}"><h2>{{.Title}}</h2>
{{if .SVG}}{{.SVG}}{{else}}<p>暂无数据</p>{{end}}
<table><tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range $i, $c := .}}{{if $i}}<td class="n">{{$c}}</td>{{else}}<td>{{$c}}</td>{{end}}{{end}}</tr>{{end}}</table></section>
{{end}}
{{with .Fig}}<section id="stations"><h2>服务站（{{.Stations.SilentDays}} 天未同步为沉默）</h2>
{{$conflicts := .Stations.ConflictsKnown}}
<table><tr><th>服务站</th><th>状态</th><th>距上次同步（天）</th><th>待上传</th><th>待下发</th>{{if $conflicts}}<th>未解决冲突</th>{{end}}</tr>
{{range .Stations.Stations}}<tr><td>{{.Name}}</td><td>{{if .Online}}在线{{else if .Silent}}沉默{{else}}离线{{end}}</td>
<td class="n">{{if lt .DaysSinceSync 0}}从未{{else}}{{.DaysSinceSync}}{{end}}</td><td class="n">{{.PendingUp}}</td><td class="n">{{.PendingDown}}</td>{{if $conflicts}}<td class="n">{{.OpenConflicts}}</td>{{end}}</tr>
{{else}}<tr><td colspan="6">尚未登记服务站</td></tr>{{end}}</table></section>{{end}}
{{end}}</body></html>
`))

// routesDashboardPage adds the dashboard page and its downloads, for web
// sessions.
func (h *Hub) routesDashboardPage(mux *http.ServeMux) {
	mux.Handle("GET /dashboard", h.pageFor(access.PermView, h.serveDashboardPage))
	mux.Handle("GET /dashboard/report.xlsx", h.pageFor(access.PermView, h.serveReportXLSX))
	mux.Handle("GET /dashboard/report.csv", h.pageFor(access.PermView, h.serveReportCSV))
}

// serveDashboardPage renders the month's dashboard: totals, every chart as
// inline SVG with its table, the stations, and links to the report files.
func (h *Hub) serveDashboardPage(w http.ResponseWriter, r *http.Request) {
	month := h.monthParam(r)
	data := map[string]any{"Hub": h.cfg.Name, "Month": month, "Sheets": report.Sheets}
	if a, ok := access.AdminFrom(r.Context()); ok {
		data["Admin"], data["CSRF"] = a, access.CSRFToken(a)
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
