package hubweb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/webkit"
)

// routesConflicts adds the conflict queue, worker search and history, for
// the API (bearer tokens) and the web UI (sessions with CSRF tokens):
//
//	GET  /api/conflicts?status=&type=&station=&table=&age=&limit=&offset=   view
//	GET  /api/conflicts/{id}                                               view
//	POST /api/conflicts/{id}/resolve                                       resolve
//	POST /api/conflicts/resolve  {"ids": [...], ...}                       resolve
//	GET  /api/workers?q=  GET /api/workers/{id}  GET /api/workers/{id}/history   view
func (h *server) routesConflicts(mux *http.ServeMux) {
	mux.Handle("GET /api/conflicts", h.apiFor(access.PermView, h.apiConflicts))
	mux.Handle("GET /api/conflicts/{id}", h.apiFor(access.PermView, h.apiConflict))
	mux.Handle("POST /api/conflicts/{id}/resolve", h.apiFor(access.PermResolve, h.apiResolve))
	mux.Handle("POST /api/conflicts/resolve", h.apiFor(access.PermResolve, h.apiResolveMany))
	mux.Handle("GET /api/workers", h.apiFor(access.PermView, h.apiWorkers))
	mux.Handle("GET /api/workers/{id}", h.apiFor(access.PermView, h.apiWorker))
	mux.Handle("GET /api/workers/{id}/history", h.apiFor(access.PermView, h.apiWorkerHistory))
	mux.Handle("GET /api/history/{table}/{id}", h.apiFor(access.PermView, h.apiRecordHistory))
	h.routesConflictPages(mux)
	h.routesWorkerPages(mux)
	h.routesStationPages(mux)
}

// apiError answers {"error": message, "field": field}.
func apiError(w http.ResponseWriter, status int, field, msg string) {
	webkit.WriteError(w, status, webkit.ErrorBody{Error: msg, Field: field})
}

// msg2 picks the Chinese or English text.
func msg2(lang, zh, en string) string {
	if lang == "en" {
		return en
	}
	return zh
}

// writeResolveError answers a refused resolution or an internal error.
func (h *server) writeResolveError(w http.ResponseWriter, r *http.Request, err error) {
	lang := apiLang(r)
	var re *hub.ResolveError
	if errors.As(err, &re) {
		apiError(w, re.Status, re.Field, re.Message(lang))
		return
	}
	h.log.ErrorContext(r.Context(), "conflicts api", "path", r.URL.Path, "err", err)
	apiError(w, http.StatusInternalServerError, "", tr(lang, "internal"))
}

// conflictFilter reads the queue's filter from a query string; the error
// names the bad parameter.
func conflictFilter(q map[string][]string) (hub.ConflictFilter, *hub.ResolveError) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	f := hub.ConflictFilter{Status: get("status"), Kind: get("type"), Station: get("station"), Table: get("table")}
	switch f.Status {
	case "", hub.StatusOpen, hub.StatusResolved, "all":
	default:
		return f, hub.InvalidRequest("status", "status 应为 open、resolved 或 all", "status must be open, resolved or all")
	}
	if f.Kind != "" && !slicesContains(hub.ConflictKinds, f.Kind) {
		return f, hub.InvalidRequest("type", "type 应为以下之一："+strings.Join(hub.ConflictKinds, "、"),
			"type must be one of: "+strings.Join(hub.ConflictKinds, ", "))
	}
	if a := get("age"); a != "" {
		d, err := strconv.Atoi(a)
		if err != nil || d < 0 {
			return f, hub.InvalidRequest("age", "age 应为天数（非负整数）", "age must be a number of days (0 or more)")
		}
		f.MinAge = time.Duration(d) * 24 * time.Hour
	}
	for k, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if v := get(k); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return f, hub.InvalidField(&records.FieldError{Field: k, Key: records.KeyInteger})
			}
			*dst = n
		}
	}
	return f, nil
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func (h *server) apiConflicts(w http.ResponseWriter, r *http.Request) {
	f, ferr := conflictFilter(r.URL.Query())
	if ferr != nil {
		h.writeResolveError(w, r, ferr)
		return
	}
	f.HideTables = hiddenTables(r)
	list, total, err := h.Conflicts(r.Context(), f)
	if err == nil {
		err = h.NameConflicts(r.Context(), list)
	}
	if err != nil {
		h.writeResolveError(w, r, err)
		return
	}
	hub.MaskForList(list)
	writeJSON(w, http.StatusOK, map[string]any{"conflicts": list, "total": total})
}

// conflictID reads the {id} of the path; it answers 404 and returns false
// when it is not a number.
func conflictID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		lang := apiLang(r)
		apiError(w, http.StatusNotFound, "id", msg2(lang, "找不到该冲突", "no such conflict"))
		return 0, false
	}
	return id, true
}

func (h *server) apiConflict(w http.ResponseWriter, r *http.Request) {
	id, ok := conflictID(w, r)
	if !ok {
		return
	}
	if h.conflictHidden(r.Context(), r, id) {
		apiError(w, http.StatusForbidden, "id", rightsHiddenText(apiLang(r)))
		return
	}
	d, err := h.ConflictWithHistory(r.Context(), id)
	if errors.Is(err, hub.ErrConflictNotFound) {
		apiError(w, http.StatusNotFound, "id", msg2(apiLang(r), "找不到该冲突", "no such conflict"))
		return
	}
	if err != nil {
		h.writeResolveError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// decodeBody decodes a JSON body strictly; it answers 400 naming the
// unknown field or the malformed body and returns false.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	body, ok := readJSONText(w, r, 256<<10)
	if !ok {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		lang := apiLang(r)
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			f = strings.Trim(f, `"`)
			apiError(w, http.StatusBadRequest, f, records.Message(lang, records.KeyUnknownField, f))
			return false
		}
		apiError(w, http.StatusBadRequest, "", records.Message(lang, records.KeyBadJSON))
		return false
	}
	return true
}

func (h *server) apiResolve(w http.ResponseWriter, r *http.Request) {
	id, ok := conflictID(w, r)
	if !ok {
		return
	}
	var req hub.ResolveRequest
	if !decodeBody(w, r, &req) {
		return
	}
	if h.conflictHidden(r.Context(), r, id) {
		apiError(w, http.StatusForbidden, "id", rightsHiddenText(apiLang(r)))
		return
	}
	a, _ := access.AdminFrom(r.Context())
	c, err := h.ResolveConflict(r.Context(), a.Actor(), id, req)
	if err != nil {
		h.writeResolveError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// BulkRequest is the body of POST /api/conflicts/resolve: the conflicts and
// the one resolution for all of them.
type BulkRequest struct {
	IDs []int64 `json:"ids"`
	hub.ResolveRequest
}

// maxBulk bounds the conflicts of one bulk resolution.
const maxBulk = 1000

func (h *server) apiResolveMany(w http.ResponseWriter, r *http.Request) {
	var req BulkRequest
	if !decodeBody(w, r, &req) {
		return
	}
	lang := apiLang(r)
	if len(req.IDs) == 0 || len(req.IDs) > maxBulk {
		apiError(w, http.StatusBadRequest, "ids", msg2(lang, "ids 应列出 1 至 1000 个冲突编号",
			"ids must list 1 to 1000 conflict ids"))
		return
	}
	a, _ := access.AdminFrom(r.Context())
	ids, refused := h.visibleConflicts(r, req.IDs, lang)
	var res []hub.BulkResult
	if len(ids) > 0 {
		res = h.resolveMany(r.Context(), a.Actor(), ids, req.ResolveRequest, lang)
	}
	res = append(res, refused...)
	n := 0
	for _, x := range res {
		if x.Error == "" {
			n++
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": res, "resolved": n})
}

func (h *server) apiWorkers(w http.ResponseWriter, r *http.Request) {
	list, err := h.SearchWorkers(r.Context(), r.URL.Query().Get("q"))
	if err != nil {
		h.writeResolveError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"workers": list})
}

// workerID reads the {id} of the path; it answers 404 and returns false
// when it is not a row id.
func workerID(w http.ResponseWriter, r *http.Request) (ident.ID, bool) {
	id, err := ident.ParseID(r.PathValue("id"))
	if err != nil {
		apiError(w, http.StatusNotFound, "id", records.Message(apiLang(r), records.KeyNoWorker))
		return id, false
	}
	return id, true
}

func (h *server) apiWorker(w http.ResponseWriter, r *http.Request) {
	serveWorkerJSON(h, w, r, func(ctx context.Context, id ident.ID) (hub.WorkerRecord, error) {
		wr, err := h.Worker(ctx, id)
		if !mayReadRights(r) {
			hub.RecordWithoutRights(&wr)
		}
		return wr, err
	})
}

func (h *server) apiWorkerHistory(w http.ResponseWriter, r *http.Request) {
	serveWorkerJSON(h, w, r, func(ctx context.Context, id ident.ID) (hub.WorkerHistory, error) {
		wh, err := h.WorkerHistoryOf(ctx, id)
		if !mayReadRights(r) {
			hub.WithoutRights(&wh)
		}
		return wh, err
	})
}

// serveWorkerJSON answers with what get gives for the worker the path
// names: 404 for a malformed or unknown id.
func serveWorkerJSON[T any](h *server, w http.ResponseWriter, r *http.Request, get func(context.Context, ident.ID) (T, error)) {
	id, ok := workerID(w, r)
	if !ok {
		return
	}
	v, err := get(r.Context(), id)
	if errors.Is(err, replica.ErrNotFound) {
		apiError(w, http.StatusNotFound, "id", records.Message(apiLang(r), records.KeyNoWorker))
		return
	}
	if err != nil {
		h.writeResolveError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (h *server) apiRecordHistory(w http.ResponseWriter, r *http.Request) {
	table := r.PathValue("table")
	if _, ok := h.Replica().Schema().Table(table); !ok {
		apiError(w, http.StatusNotFound, "table", msg2(apiLang(r), "未知的表："+table, "unknown table: "+table))
		return
	}
	if rightsHidden(r, table) {
		apiError(w, http.StatusForbidden, "table", rightsHiddenText(apiLang(r)))
		return
	}
	id, err := ident.ParseID(r.PathValue("id"))
	if err != nil {
		apiError(w, http.StatusNotFound, "id", msg2(apiLang(r), "找不到该记录", "no such record"))
		return
	}
	rh, err := h.History(r.Context(), table, id)
	if err != nil {
		h.writeResolveError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rh)
}

// resolveMany is the core's ResolveMany, its refusals in lang.
func (h *server) resolveMany(ctx context.Context, who access.Actor, ids []int64, req hub.ResolveRequest, lang string) []hub.BulkResult {
	res := h.ResolveMany(ctx, who, ids, req)
	for i := range res {
		res[i].Localize(lang, tr(lang, "internal"))
	}
	return res
}
