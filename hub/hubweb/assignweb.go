package hubweb

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/webkit"
)

// The county assigns a person to a station (DESIGN "Trust"): from the
// worker's page, for an administrator who resolves conflicts, and in the
// API. The core checks the station and the person and audits the action.

// assignText holds the texts of the assignment: Chinese, English.
var assignText = webkit.Catalogue{
	"assign_to":  {"分配给站点", "Assign to a station"},
	"assign":     {"分配", "Assign"},
	"no_holders": {"暂无服务站持有该人员", "No station holds the person"},
}

// routesAssign adds the assignment:
//
//	POST /workers/{id}/assign                       resolve (form with CSRF token, field station)
//	POST /api/workers/{id}/assign  {"station": ""}  resolve
func (h *server) routesAssign(mux *http.ServeMux) {
	mux.Handle("POST /workers/{id}/assign", h.pageFor(access.PermResolve, h.postAssign))
	mux.Handle("POST /api/workers/{id}/assign", h.apiFor(access.PermResolve, h.apiAssign))
}

// AssignRequest is the body of POST /api/workers/{id}/assign.
type AssignRequest struct {
	Station string `json:"station"`
}

// AssignResult answers an assignment: the stations holding the person now.
type AssignResult struct {
	Worker  string   `json:"worker"`
	Holders []string `json:"holders"`
}

// assignError is the status, field and message of a refused assignment.
func (h *server) assignError(r *http.Request, lang, station string, err error) (int, string, string) {
	switch {
	case errors.Is(err, hub.ErrStationUnknown):
		return http.StatusNotFound, "station", msg2(lang, "站点：没有名为“"+station+"”的服务站", "station: no station named "+station)
	case errors.Is(err, hub.ErrStationRevoked):
		return http.StatusConflict, "station", msg2(lang, "站点：服务站“"+station+"”已注销，不能分配人员",
			"station: station "+station+" is revoked; no one can be assigned to it")
	case errors.Is(err, replica.ErrNotFound):
		return http.StatusNotFound, "id", msg2(lang, "人员：", "person: ") + records.Message(lang, records.KeyNoWorker)
	}
	h.log.ErrorContext(r.Context(), "assign worker", "err", err)
	return http.StatusInternalServerError, "", tr(lang, "internal")
}

// assignNotice is the worker page's banner after an assignment
// (?notice=assigned): a fixed text, as noticeText's.
func assignNotice(lang string, q url.Values) string {
	if q.Get("notice") == "assigned" {
		return msg2(lang, "已分配给站点：该站同步时收到此人员及其记录",
			"assigned: the station receives the person and their records when it syncs")
	}
	return ""
}

// assignData is what the worker page shows of the assignment: the stations
// holding the person and, for an administrator who may assign, the
// stations to choose from.
func (h *server) assignData(r *http.Request, id ident.ID, a *access.Admin) (holders, choices []string) {
	holders = h.Holders(id)
	if a == nil || !a.Role.Can(access.PermResolve) {
		return holders, nil
	}
	choices, err := h.AssignableStations(r.Context(), id)
	if err != nil {
		h.log.WarnContext(r.Context(), "assignable stations", "err", err)
	}
	return holders, choices
}

func (h *server) postAssign(w http.ResponseWriter, r *http.Request) {
	lang := langOf(w, r)
	id, err := ident.ParseID(r.PathValue("id"))
	if err != nil {
		http.Error(w, msg2(lang, "人员：", "person: ")+records.Message(lang, records.KeyNoWorker), http.StatusNotFound)
		return
	}
	station := strings.TrimSpace(r.PostFormValue("station"))
	if station == "" {
		h.showWorker(w, r, lang, id, http.StatusBadRequest, msg2(lang, "站点：请选择服务站", "station: choose a station"))
		return
	}
	if err := h.AssignWorker(r.Context(), station, id, adminActor(r)); err != nil {
		status, field, msg := h.assignError(r, lang, station, err)
		if status == http.StatusInternalServerError || field == "id" {
			http.Error(w, msg, status)
			return
		}
		h.showWorker(w, r, lang, id, status, msg)
		return
	}
	http.Redirect(w, r, "/workers/"+id.String()+"?notice=assigned", http.StatusSeeOther)
}

func (h *server) apiAssign(w http.ResponseWriter, r *http.Request) {
	lang := apiLang(r)
	id, err := ident.ParseID(r.PathValue("id"))
	if err != nil {
		apiError(w, http.StatusBadRequest, "id", msg2(lang, "人员：编号格式不对", "person: malformed id"))
		return
	}
	var req AssignRequest
	if !decodeBody(w, r, &req) {
		return
	}
	req.Station = strings.TrimSpace(req.Station)
	if req.Station == "" {
		apiError(w, http.StatusBadRequest, "station", msg2(lang, "站点：必须填写服务站名称", "station: the station's name is required"))
		return
	}
	if err := h.AssignWorker(r.Context(), req.Station, id, adminActor(r)); err != nil {
		status, field, msg := h.assignError(r, lang, req.Station, err)
		apiError(w, status, field, msg)
		return
	}
	writeJSON(w, http.StatusOK, AssignResult{Worker: id.String(), Holders: h.Holders(id)})
}
