package hub

import (
	"context"
	"encoding/json"
	"fieldsync/hub/access"
	"html/template"
	"net/http"
	"time"
)

// StationStatus is one row of /api/stations and of the status page.
type StationStatus struct {
	StationInfo
	Online  bool         `json:"online"`
	Session *SessionInfo `json:"session,omitempty"`
}

// Status lists every enrolled station with its live session, if any.
func (h *Hub) Status(ctx context.Context) ([]StationStatus, error) {
	sts, err := h.Stations(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]StationStatus, len(sts))
	for i, st := range sts {
		out[i].StationInfo = st
		if s, ok := h.reg.get(st.Name); ok {
			out[i].Online, out[i].Session = true, &s
			out[i].LastSeen, out[i].ClockOffset = s.LastSeen, s.ClockOffset
		}
	}
	return out, nil
}

func (h *Hub) serveAPI(w http.ResponseWriter, r *http.Request) {
	st, err := h.Status(r.Context())
	if err != nil {
		h.log.Error("station status", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(map[string]any{"hub": h.cfg.Name, "stations": st})
}

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "从未"
		}
		return t.Local().Format("2006-01-02 15:04:05")
	},
	"dur": func(d time.Duration) string { return d.Round(time.Millisecond).String() },
}).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="refresh" content="10;url=/?auto=1">
<title>{{.Hub}} · 服务站同步状态</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em}
.on{color:#080}.off{color:#888}.err{color:#b00}</style></head>
<body>{{with .Admin}}<form method="post" action="/logout" style="float:right">{{.Name}}（{{.Role}}）
<input type="hidden" name="csrf" value="{{$.CSRF}}"><button type="submit" id="logout">退出登录</button></form>{{end}}
<h1>{{.Hub}} · 服务站同步状态</h1>
<p><a href="/dashboard" id="dashboard">就业监测看板与月报</a> · <a href="/conflicts" id="conflicts">冲突处理</a> · <a href="/workers">人员查询</a> · <a href="/stations">服务站管理</a></p>
<table id="stations"><tr><th>服务站</th><th>状态</th><th>最后联系</th><th>待上传</th><th>待下发</th><th>时钟偏差</th><th>最近错误</th></tr>
{{range .Stations}}<tr><td>{{.Name}}{{if .Revoked}}（已注销）{{end}}</td>
<td>{{if .Online}}<span class="on">在线</span>{{else}}<span class="off">离线</span>{{end}}</td>
<td>{{when .LastSeen}}</td>
<td>{{if .Session}}{{.Session.PendingUp}}{{else}}—{{end}}</td>
<td>{{if .Session}}{{.Session.PendingDown}}{{else}}—{{end}}</td>
<td>{{dur .ClockOffset}}</td>
<td class="err">{{.LastError}}</td></tr>
{{else}}<tr><td colspan="7">尚未登记服务站</td></tr>{{end}}
</table></body></html>
`))

func (h *Hub) servePage(w http.ResponseWriter, r *http.Request) {
	st, err := h.Status(r.Context())
	if err != nil {
		h.log.Error("station status", "err", err)
		http.Error(w, "内部错误", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	data := map[string]any{"Hub": h.cfg.Name, "Stations": st}
	if a, ok := access.AdminFrom(r.Context()); ok {
		data["Admin"], data["CSRF"] = a, access.CSRFToken(a)
	}
	if err := pageTmpl.Execute(w, data); err != nil {
		h.log.Warn("status page", "err", err)
	}
}
