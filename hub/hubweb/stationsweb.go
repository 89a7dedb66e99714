package hubweb

import (
	"errors"
	"net/http"
	"strings"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/places/placename"
)

// The station list with sync health, enrolment (the code shown once, on a
// printable sheet) and revocation, for station managers and owners.

var stationsTmpl = mustTemplate("stations", webFuncs, true)

var sheetTmpl = mustTemplate("sheet", webFuncs, true)

// routesStationPages adds the station pages.
func (h *server) routesStationPages(mux *http.ServeMux) {
	mux.Handle("GET /stations", h.pageFor(access.PermView, h.pageStations))
	mux.Handle("POST /stations", h.pageFor(access.PermStations, h.postStation))
	mux.Handle("POST /stations/revoke", h.pageFor(access.PermStations, h.postRevoke))
	mux.Handle("GET /stations/{name}", h.pageFor(access.PermView, h.pageStation))
}

var stationTmpl = mustTemplate("station", namedFuncs, true)

// pageStation shows one station's health in full (hub.StationHealth), the
// changes the hub did not accept from it (refusalsLimit, newest first, with
// the person's name, id numbers and phones masked), its recent joins and
// deletion requests, its restores from a backup, and a link to its
// conflicts.
func (h *server) pageStation(w http.ResponseWriter, r *http.Request) {
	lang := langOf(w, r)
	name := r.PathValue("name")
	st, err := h.StationHealthOf(r.Context(), name)
	if errors.Is(err, hub.ErrStationUnknown) {
		http.Error(w, msg2(lang, "没有名为“"+name+"”的服务站", "no station named "+name), http.StatusNotFound)
		return
	}
	if err != nil {
		h.log.ErrorContext(r.Context(), "station page", "err", err)
		http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
		return
	}
	refusals, err := h.Refusals(r.Context(), name, refusalsLimit)
	if err != nil {
		h.log.ErrorContext(r.Context(), "station refusals", "err", err)
		http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
		return
	}
	maskRefusals(refusals)
	reqs, err := h.listRequests(r.Context(), hub.RequestFilter{Station: name, Limit: refusalsLimit})
	if err != nil {
		h.log.ErrorContext(r.Context(), "station requests", "err", err)
		http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
		return
	}
	moves, err := h.SiteMoves(r.Context(), name)
	if err != nil {
		h.log.ErrorContext(r.Context(), "station site history", "err", err)
		http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
		return
	}
	p := h.newPage(r, lang, "station_page")
	p.Title += " · " + name
	row := healthRows(lang, h.now(), []hub.StationHealth{st})[0]
	p.Data = map[string]any{"Station": row, "Refusals": refusals, "Requests": reqs, "Moves": moves,
		"MaxSkew": offset(h.Options().MaxSkew)[1:]}
	h.render(w, r, stationTmpl, http.StatusOK, p)
}

func (h *server) pageStations(w http.ResponseWriter, r *http.Request) {
	lang := langOf(w, r)
	h.showStations(w, r, lang, http.StatusOK, "")
}

func (h *server) showStations(w http.ResponseWriter, r *http.Request, lang string, status int, msg string) {
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
func (h *server) postStation(w http.ResponseWriter, r *http.Request) {
	lang := langOf(w, r)
	name, div := strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("division_code"))
	reenroll := r.PostFormValue("reenroll") == "1"
	// The picker sends the village's code; without its script a name or a
	// path is read as the station's import reads one.
	div, err := placename.VillageCode("division_code", div)
	var pe *placename.Error
	if errors.As(err, &pe) {
		h.showStations(w, r, lang, http.StatusBadRequest, pe.Message(lang))
		return
	}
	e, err := h.AddStation(r.Context(), name, div, reenroll)
	switch {
	case errors.Is(err, hub.ErrStationExists):
		h.showStations(w, r, lang, http.StatusConflict, msg2(lang, "服务站“"+name+"”已登记；数据丢失时请勾选重新登记",
			"station "+name+" is already enrolled; tick re-enrol for a station that lost its data"))
		return
	case errors.Is(err, hub.ErrStationUnknown):
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

func (h *server) postRevoke(w http.ResponseWriter, r *http.Request) {
	lang := langOf(w, r)
	name := r.PostFormValue("name")
	err := h.RevokeStation(r.Context(), name)
	if errors.Is(err, hub.ErrStationUnknown) {
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
	http.Redirect(w, r, "/stations?notice=revoked", http.StatusSeeOther)
}
