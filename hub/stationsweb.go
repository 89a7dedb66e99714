package hub

import (
	"errors"
	"fieldsync/hub/access"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

// The station list with sync health, enrolment (the code shown once, on a
// printable sheet) and revocation, for station managers and owners.

var stationsTmpl = template.Must(template.New("stations").Funcs(webFuncs).Parse(layoutTmpl + `{{template "top" .}}{{$l := .Lang}}{{$csrf := .CSRF}}
{{with .Data}}<table id="station-list"><tr><th>{{tw $l "station"}}</th><th>{{tw $l "division"}}</th><th>{{tw $l "status"}}</th><th>{{tw $l "last_seen"}}</th><th>{{tw $l "last_error"}}</th><th></th></tr>
{{range .Stations}}<tr><td>{{.Name}}</td><td class="mono">{{.DivisionCode}}</td><td>{{if .Revoked}}{{tw $l "revoked"}}{{else if .Online}}{{tw $l "online"}}{{else}}{{tw $l "offline"}}{{end}}</td>
<td>{{when .LastSeen}}</td><td class="err">{{.LastError}}</td>
<td>{{if and $.Data.Manage (not .Revoked)}}<form method="post" action="/stations/revoke" onsubmit="return confirm('{{tw $l "confirm_revoke"}}')">{{template "csrf" $csrf}}<input type="hidden" name="name" value="{{.Name}}"><button type="submit">{{tw $l "revoke"}}</button></form>{{end}}</td></tr>
{{else}}<tr><td colspan="6">{{tw $l "none"}}</td></tr>{{end}}</table>
{{if .Manage}}<h2>{{tw $l "enrol"}}</h2><form method="post" action="/stations" id="enrol">{{template "csrf" $csrf}}
<label>{{tw $l "station"}} <input name="name" required></label> <label>{{tw $l "division"}} <input name="division_code" pattern="[0-9]{12}" size="14"></label>
<label><input type="checkbox" name="reenroll" value="1"> {{tw $l "reenroll"}}</label> <button type="submit">{{tw $l "enrol"}}</button></form>{{end}}
{{end}}{{template "bottom"}}`))

var sheetTmpl = template.Must(template.New("sheet").Funcs(webFuncs).Parse(layoutTmpl + `{{template "top" .}}{{$l := .Lang}}
{{with .Data}}<p>{{tw $l "station"}}：<b id="sheet-station">{{.Name}}</b>　{{tw $l "division"}}：{{.Division}}</p>
<p>{{tw $l "enrol_help"}}</p><pre id="enrol-code" style="white-space:pre-wrap;word-break:break-all;border:1px solid #000;padding:1em;font-size:14px">{{.Code}}</pre>
<p class="noprint"><button type="button" onclick="window.print()">{{tw $l "print"}}</button> <a href="/stations">{{tw $l "nav_stations"}}</a></p>{{end}}{{template "bottom"}}`))

// routesStationPages adds the station pages.
func (h *Hub) routesStationPages(mux *http.ServeMux) {
	mux.Handle("GET /stations", h.pageFor(access.PermView, h.pageStations))
	mux.Handle("POST /stations", h.pageFor(access.PermStations, h.postStation))
	mux.Handle("POST /stations/revoke", h.pageFor(access.PermStations, h.postRevoke))
}

func (h *Hub) pageStations(w http.ResponseWriter, r *http.Request) {
	lang := langOf(w, r)
	h.showStations(w, r, lang, http.StatusOK, "")
}

func (h *Hub) showStations(w http.ResponseWriter, r *http.Request, lang string, status int, msg string) {
	p := h.newPage(r, lang, "stations")
	p.Error = msg
	st, err := h.Status(r.Context())
	if err != nil {
		h.log.ErrorContext(r.Context(), "station list", "err", err)
		http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
		return
	}
	manage := p.Admin != nil && p.Admin.Role.Can(access.PermStations)
	p.Data = map[string]any{"Stations": st, "Manage": manage}
	h.render(w, r, stationsTmpl, status, p)
}

// postStation enrols a station and shows its code on a printable sheet.
func (h *Hub) postStation(w http.ResponseWriter, r *http.Request) {
	lang := langOf(w, r)
	name, div := strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("division_code"))
	reenroll := r.PostFormValue("reenroll") == "1"
	e, err := h.AddStation(r.Context(), name, div, reenroll)
	switch {
	case errors.Is(err, ErrStationExists):
		h.showStations(w, r, lang, http.StatusConflict, msg2(lang, "服务站“"+name+"”已登记；数据丢失时请勾选重新登记",
			"station "+name+" is already enrolled; tick re-enrol for a station that lost its data"))
		return
	case errors.Is(err, ErrStationUnknown):
		h.showStations(w, r, lang, http.StatusBadRequest, msg2(lang, "没有名为“"+name+"”的服务站", "no station named "+name))
		return
	case err != nil && strings.Contains(err.Error(), "station name"):
		h.showStations(w, r, lang, http.StatusBadRequest, msg2(lang, "服务站名称不能为空，不能含空格", "the station name must be non-empty, without spaces"))
		return
	case err != nil:
		h.log.ErrorContext(r.Context(), "enrol station", "err", err)
		http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
		return
	}
	a := adminActor(r)
	detail := name
	if reenroll {
		detail += " (re-enroll)"
	}
	h.acc.Record(r.Context(), access.AuditEntry{User: a.User, Action: access.AuditStationAdd, Detail: detail, Remote: a.Remote})
	p := h.newPage(r, lang, "enrol_code")
	p.Data = map[string]any{"Name": name, "Division": div, "Code": e.String()}
	h.render(w, r, sheetTmpl, http.StatusOK, p)
}

func (h *Hub) postRevoke(w http.ResponseWriter, r *http.Request) {
	lang := langOf(w, r)
	name := r.PostFormValue("name")
	err := h.RevokeStation(r.Context(), name)
	if errors.Is(err, ErrStationUnknown) {
		h.showStations(w, r, lang, http.StatusNotFound, msg2(lang, "没有名为“"+name+"”的服务站", "no station named "+name))
		return
	}
	if err != nil {
		h.log.ErrorContext(r.Context(), "revoke station", "err", err)
		http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
		return
	}
	a := adminActor(r)
	h.acc.Record(r.Context(), access.AuditEntry{User: a.User, Action: access.AuditStationRevoke, Detail: name, Remote: a.Remote})
	http.Redirect(w, r, "/stations?notice="+url.QueryEscape(msg2(lang, "已注销 "+name, "revoked "+name)), http.StatusSeeOther)
}
