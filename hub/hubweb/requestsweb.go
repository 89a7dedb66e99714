package hubweb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/webkit"
)

// The county's decisions about stations' changes (DESIGN "Trust"): the
// joins (a station registering a person another station holds) and the
// deletions of shared people, listed with the person's name and masked id
// number; the waiting ones approved or declined by an administrator who
// resolves conflicts (the core audits the decision); and each station's
// refused changes, on its page and in the API.

// Kinds of a request, as the core names them.
const (
	kindJoin   = "join"
	kindDelete = "delete"
)

// requestStates are the states a request can be in, for the filter.
var requestStates = []string{hub.RequestWaiting, hub.RequestAccepted, hub.RequestApproved, hub.RequestDeclined}

// requestText holds the texts of the request and station pages: Chinese, English.
var requestText = webkit.Catalogue{
	"nav_requests":  {"跨站登记与删除请求", "Joins and deletions"},
	"requests":      {"跨站登记与删除请求", "Joins and deletion requests"},
	"kind":          {"类别", "Kind"},
	"rk_join":       {"跨站登记", "Join"},
	"rk_delete":     {"删除请求", "Deletion request"},
	"person":        {"人员", "Person"},
	"holders":       {"现持有该人员的服务站", "Stations holding the person"},
	"decided":       {"决定人与时间", "Decided by, when"},
	"rs_accepted":   {"已记录（未超每日限额）", "Recorded (within the day's cap)"},
	"rs_waiting":    {"等待县级决定", "Waiting for the county"},
	"rs_approved":   {"已批准", "Approved"},
	"rs_declined":   {"已拒绝", "Declined"},
	"rs_refused":    {"未接受", "Refused"},
	"recent":        {"待决定的在前，其余按时间", "Waiting first, then recent"},
	"approve":       {"批准", "Approve"},
	"confirm_del":   {"确认删除", "Confirm the deletion"},
	"decline":       {"拒绝", "Decline"},
	"refusals":      {"未被县级接受的修改", "Changes the county did not accept"},
	"station_joins": {"该站的跨站登记与删除请求", "The station's joins and deletions"},
	"row":           {"记录编号", "Row"},
	"station_page":  {"服务站", "Station"},
	"decide_confirm_delete": {"确认删除该人员？所有服务站都将删除其记录。",
		"Delete this person? Every station deletes the record."},
}

// routesRequests adds the requests' pages and API, and a station's page:
//
//	GET  /requests?state=&station=&kind=                  view
//	POST /requests/{id}/approve, /requests/{id}/decline   resolve (form with CSRF token)
//	GET  /stations/{name}                                 view
//	GET  /api/requests?state=&station=&kind=&limit=       view
//	POST /api/requests/{id}/approve, .../decline          resolve
//	GET  /api/stations/{name}/refusals?limit=             view
func (h *server) routesRequests(mux *http.ServeMux) {
	mux.Handle("GET /requests", h.pageFor(access.PermView, h.pageRequests))
	mux.Handle("POST /requests/{id}/approve", h.pageFor(access.PermResolve, h.postDecide(true)))
	mux.Handle("POST /requests/{id}/decline", h.pageFor(access.PermResolve, h.postDecide(false)))
	mux.Handle("GET /api/requests", h.apiFor(access.PermView, h.apiRequests))
	mux.Handle("POST /api/requests/{id}/approve", h.apiFor(access.PermResolve, h.apiDecide(true)))
	mux.Handle("POST /api/requests/{id}/decline", h.apiFor(access.PermResolve, h.apiDecide(false)))
	mux.Handle("GET /api/stations/{name}/refusals", h.apiFor(access.PermView, h.apiRefusals))
}

// RequestItem is a request as the pages and the API show it: the person's
// name and masked id number beside the core's fields.
type RequestItem struct {
	hub.Request
	WorkerID string `json:"worker_id"`
	Name     string `json:"name"`
	IDNumber string `json:"id_number"` // masked
}

// requestFilter reads the list's filter from a query string; the error
// names the bad parameter.
func requestFilter(q url.Values) (hub.RequestFilter, *hub.ResolveError) {
	f := hub.RequestFilter{State: strings.TrimSpace(q.Get("state")), Kind: strings.TrimSpace(q.Get("kind")),
		Station: strings.TrimSpace(q.Get("station"))}
	if f.State != "" && f.State != "all" && !slicesContains(requestStates, f.State) {
		return f, hub.InvalidRequest("state", "state 应为以下之一："+strings.Join(requestStates, "、")+"、all",
			"state must be one of: "+strings.Join(requestStates, ", ")+", all")
	}
	if f.Kind != "" && f.Kind != kindJoin && f.Kind != kindDelete {
		return f, hub.InvalidRequest("kind", "kind 应为 join 或 delete", "kind must be join or delete")
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return f, hub.InvalidRequest("limit", "limit 应为 1 至 1000 的整数", "limit must be a whole number from 1 to 1000")
		}
		f.Limit = n
	}
	return f, nil
}

// listRequests lists the requests f selects, newest first; with no state
// (or "all"), the waiting ones come first, then the others, newest first.
func (h *server) listRequests(ctx context.Context, f hub.RequestFilter) ([]RequestItem, error) {
	if f.Limit <= 0 {
		f.Limit = 200
	}
	var list []hub.Request
	if f.State != "" && f.State != "all" {
		var err error
		if list, err = h.Requests(ctx, f); err != nil {
			return nil, err
		}
	} else {
		w := f
		w.State = hub.RequestWaiting
		waiting, err := h.Requests(ctx, w)
		if err != nil {
			return nil, err
		}
		f.State = ""
		rest, err := h.Requests(ctx, f)
		if err != nil {
			return nil, err
		}
		list = waiting
		for _, r := range rest {
			if r.State != hub.RequestWaiting && len(list) < f.Limit {
				list = append(list, r)
			}
		}
	}
	return h.requestItems(ctx, list)
}

// requestItems adds each request's person: name and masked id number, read
// once a person.
func (h *server) requestItems(ctx context.Context, list []hub.Request) ([]RequestItem, error) {
	type person struct{ name, masked string }
	seen := map[ident.ID]person{}
	out := make([]RequestItem, 0, len(list))
	for _, r := range list {
		p, ok := seen[r.Worker]
		if !ok {
			rec, err := h.Worker(ctx, r.Worker)
			switch {
			case err == nil:
				p = person{hub.ValueText(rec.Fields["name"]), records.MaskIDNumber(hub.ValueText(rec.Fields["id_number"]))}
			case !errors.Is(err, replica.ErrNotFound):
				return nil, err
			}
			seen[r.Worker] = p
		}
		if r.Holders == nil {
			r.Holders = []string{}
		}
		out = append(out, RequestItem{Request: r, WorkerID: r.Worker.String(), Name: p.name, IDNumber: p.masked})
	}
	return out, nil
}

// waitingCount is how many requests wait for the county (at most 1000),
// for the navigation; 0 when it cannot be read (the pages still show).
func (h *server) waitingCount(ctx context.Context) int {
	list, err := h.Requests(ctx, hub.RequestFilter{State: hub.RequestWaiting, Limit: 1000})
	if err != nil {
		h.log.WarnContext(ctx, "count waiting requests", "err", err)
		return 0
	}
	return len(list)
}

var requestsTmpl = mustTemplate("requests", webFuncs, true)

// requestsData is the requests page's data.
type requestsData struct {
	F        hub.RequestFilter
	List     []RequestItem
	States   []string
	Stations []string
	Resolve  bool // the administrator may decide
}

func (h *server) pageRequests(w http.ResponseWriter, r *http.Request) {
	lang := langOf(w, r)
	h.showRequests(w, r, lang, http.StatusOK, "")
}

// showRequests renders the requests page, with an error when a decision was
// refused.
func (h *server) showRequests(w http.ResponseWriter, r *http.Request, lang string, status int, msg string) {
	p := h.newPage(r, lang, "requests")
	p.Error = msg
	f, ferr := requestFilter(r.URL.Query())
	d := requestsData{F: f, States: requestStates, Resolve: p.Admin != nil && p.Admin.Role.Can(access.PermResolve)}
	if ferr != nil {
		p.Error, status = ferr.Message(lang), http.StatusBadRequest
	} else {
		var err error
		if d.List, err = h.listRequests(r.Context(), f); err != nil {
			h.log.ErrorContext(r.Context(), "request list", "err", err)
			p.Error, status = tr(lang, "internal"), http.StatusInternalServerError
		}
	}
	if sts, err := h.Stations(r.Context()); err == nil {
		for _, s := range sts {
			d.Stations = append(d.Stations, s.Name)
		}
	}
	p.Data = d
	h.render(w, r, requestsTmpl, status, p)
}

// requestID reads the {id} of the path.
func requestID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// decideError is the status and message of a refused decision: 404 for an
// unknown request, 409 naming the state of one that no longer waits.
func (h *server) decideError(ctx context.Context, lang string, id int64, err error) (int, string) {
	switch {
	case errors.Is(err, replica.ErrNotFound):
		return http.StatusNotFound, msg2(lang, "找不到该请求", "no such request")
	case errors.Is(err, hub.ErrNotWaiting):
		state := ""
		if req, err := h.Request(ctx, id); err == nil {
			state = req.State
		}
		return http.StatusConflict, msg2(lang, "该请求已不在等待县级决定（当前状态："+tw("zh", "rs_"+state)+"），无需再处理",
			"the request no longer waits for a decision (its state: "+tw("en", "rs_"+state)+")")
	}
	h.log.ErrorContext(ctx, "decide request", "request", id, "err", err)
	return http.StatusInternalServerError, tr(lang, "internal")
}

func (h *server) postDecide(approve bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		lang := langOf(w, r)
		id, ok := requestID(r)
		if !ok {
			http.Error(w, msg2(lang, "找不到该请求", "no such request"), http.StatusNotFound)
			return
		}
		if err := h.DecideRequest(r.Context(), id, approve, adminActor(r)); err != nil {
			status, msg := h.decideError(r.Context(), lang, id, err)
			if status == http.StatusInternalServerError {
				http.Error(w, msg, status)
				return
			}
			h.showRequests(w, r, lang, status, msg)
			return
		}
		notice := "declined"
		if approve {
			notice = "approved"
		}
		http.Redirect(w, r, fmt.Sprintf("/requests?notice=request_%s#r%d", notice, id), http.StatusSeeOther)
	}
}

func (h *server) apiRequests(w http.ResponseWriter, r *http.Request) {
	f, ferr := requestFilter(r.URL.Query())
	if ferr != nil {
		h.writeResolveError(w, r, ferr)
		return
	}
	list, err := h.listRequests(r.Context(), f)
	if err != nil {
		h.writeResolveError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"requests": list})
}

func (h *server) apiDecide(approve bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		lang := apiLang(r)
		id, ok := requestID(r)
		if !ok {
			apiError(w, http.StatusNotFound, "id", msg2(lang, "找不到该请求", "no such request"))
			return
		}
		if err := h.DecideRequest(r.Context(), id, approve, adminActor(r)); err != nil {
			status, msg := h.decideError(r.Context(), lang, id, err)
			field := "id"
			if status == http.StatusInternalServerError {
				field = ""
			}
			apiError(w, status, field, msg)
			return
		}
		req, err := h.Request(r.Context(), id)
		if err != nil {
			h.writeResolveError(w, r, err)
			return
		}
		items, err := h.requestItems(r.Context(), []hub.Request{req})
		if err != nil {
			h.writeResolveError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, items[0])
	}
}

// refusalsLimit is how many refusals a station's page shows.
const refusalsLimit = 50

// idOrPhone finds id numbers and mobile phone numbers in a refused value,
// so that lists mask them (DESIGN "Personal data").
var idOrPhone = regexp.MustCompile(`\d{17}[\dXx]|\d{15}|1\d{10}`)

// maskRefusals masks, in place, the id numbers and phones a list of
// refusals would show.
func maskRefusals(list []hub.Refusal) {
	for i := range list {
		list[i].Value = idOrPhone.ReplaceAllStringFunc(list[i].Value, func(s string) string {
			if len(s) == 11 {
				return records.MaskPhone(s)
			}
			return records.MaskIDNumber(s)
		})
	}
}

// stationNamed finds an enrolled station by name.
func (h *server) stationNamed(ctx context.Context, name string) (hub.StationInfo, bool, error) {
	sts, err := h.Stations(ctx)
	if err != nil {
		return hub.StationInfo{}, false, err
	}
	for _, s := range sts {
		if s.Name == name {
			return s, true, nil
		}
	}
	return hub.StationInfo{}, false, nil
}

func (h *server) apiRefusals(w http.ResponseWriter, r *http.Request) {
	lang := apiLang(r)
	name := r.PathValue("name")
	if _, ok, err := h.stationNamed(r.Context(), name); err != nil {
		h.writeResolveError(w, r, err)
		return
	} else if !ok {
		apiError(w, http.StatusNotFound, "name", msg2(lang, "没有名为“"+name+"”的服务站", "no station named "+name))
		return
	}
	limit := 200
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			h.writeResolveError(w, r, hub.InvalidRequest("limit", "limit 应为 1 至 1000 的整数", "limit must be a whole number from 1 to 1000"))
			return
		}
		limit = n
	}
	list, err := h.Refusals(r.Context(), name, limit)
	if err != nil {
		h.writeResolveError(w, r, err)
		return
	}
	if list == nil {
		list = []hub.Refusal{}
	}
	maskRefusals(list)
	writeJSON(w, http.StatusOK, map[string]any{"station": name, "refusals": list})
}
