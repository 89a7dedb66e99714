package stationweb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"fieldsync/ident"
	"fieldsync/internal/jsontext"
	"fieldsync/places/placesweb"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/station"
	"fieldsync/syncproto"
	"fieldsync/webkit"
)

func (s *Server) routesAPI(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/workers", createHandler(s, s.st.CreateWorker))
	mux.HandleFunc("GET /api/workers", s.apiListWorkers)
	mux.HandleFunc("GET /api/workers/{id}", s.apiGetWorker)
	mux.HandleFunc("PATCH /api/workers/{id}", s.apiPatchWorker)
	mux.HandleFunc("GET /api/workers/{id}/matches", s.apiWorkerMatches)
	mux.HandleFunc("POST /api/monthly-status", s.apiMonthStatus)
	mux.HandleFunc("POST /api/unemployment-registrations", createHandler(s, s.st.AddUnemployment))
	mux.HandleFunc("POST /api/jobseeker-registrations", createHandler(s, s.st.AddJobseeker))
	mux.HandleFunc("POST /api/followups", createHandler(s, s.st.AddFollowup))
	mux.HandleFunc("POST /api/gigs", createHandler(s, s.st.CreateGig))
	mux.HandleFunc("GET /api/gigs", s.apiListGigs)
	mux.HandleFunc("GET /api/gigs/{id}", s.apiGetGig)
	mux.HandleFunc("PATCH /api/gigs/{id}", s.apiPatchGig)
	mux.HandleFunc("GET /api/gigs/{id}/matches", s.apiGigMatches)
	mux.HandleFunc("POST /api/placements", createHandler(s, s.st.Place))
	mux.HandleFunc("GET /api/lists", s.apiListCounts)
	mux.HandleFunc("GET /api/sync", s.apiSync)
	mux.HandleFunc("GET /api/refusals", s.apiRefusals)
	mux.Handle("GET /api/places", placesweb.Handler(langOf))
	s.routesCorrections(mux)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": tr(langOf(r), "not_found")})
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) { webkit.WriteJSON(w, status, v) }

// apiError writes err as {"error": message, "field": name} with its status.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	status, field, msg := errorStatus(err, langOf(r))
	if status >= 500 {
		s.logFailure(r, "api request failed", status, err)
	}
	body := webkit.ErrorBody{Error: msg, Field: field}
	var ce *station.ConflictError
	if errors.As(err, &ce) && !ce.ID.IsZero() {
		body.ID = ce.ID.String()
	}
	webkit.WriteError(w, status, body)
}

const maxJSONBody = 1 << 20

// readJSONBody reads a JSON request body of at most maxJSONBody bytes and
// refuses text that is not valid UTF-8 (a *textError naming the field),
// which encoding/json would otherwise silently replace with U+FFFD. Every
// JSON endpoint reads its body here.
func readJSONBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil {
		return nil, err
	}
	if bad, field := jsontext.Bad(body); bad {
		return nil, &textError{Field: field}
	}
	return body, nil
}

// decodeJSON reads a JSON object into v, naming the offending field in its errors.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := readJSONBody(w, r)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := decodeInto(dec, v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &records.FieldError{Key: records.KeyBadJSON}
	}
	return nil
}

// jsonFields lists the keys of a JSON object (which fields a PATCH names).
func jsonFields(body []byte) ([]string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, &records.FieldError{Key: records.KeyBadJSON}
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out, nil
}

// columnsNamed maps the names of a PATCH body to the columns encoding/json
// decoded them into. It matches names ignoring case, as encoding/json does
// (its rule is bytes.EqualFold's), so that {"NAME": ...} writes name instead
// of being decoded, then not written, and answered 200.
func columnsNamed(fields []string, cols []replica.ColumnValue) []string {
	out := make([]string, 0, len(fields))
	for _, f := range fields {
		for _, c := range cols {
			if strings.EqualFold(f, c.Column) {
				out = append(out, c.Column)
			}
		}
	}
	return out
}

func pathID(r *http.Request) (ident.ID, error) {
	id, err := ident.ParseID(r.PathValue("id"))
	if err != nil {
		return id, fmt.Errorf("%w: %v", station.ErrNotFound, err)
	}
	return id, nil
}

// paging reads limit (1..1000, default 50) and offset.
func paging(r *http.Request) (limit, offset int, err error) {
	q := r.URL.Query()
	limit, offset = 50, 0
	if v := q.Get("limit"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 || n > station.MaxLimit {
			return 0, 0, &records.FieldError{Field: "limit", Key: records.KeyTooMany, Args: []any{station.MaxLimit}}
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 0 {
			return 0, 0, &records.FieldError{Field: "offset", Key: records.KeyInteger}
		}
		offset = n
	}
	return limit, offset, nil
}

func created(w http.ResponseWriter, id ident.ID) {
	writeJSON(w, http.StatusCreated, map[string]string{"id": id.String()})
}

// createHandler serves a POST that creates one record: the JSON body decoded
// into T, validated and written by add, 201 with the new id.
func createHandler[T any](s *Server, add func(context.Context, T) (ident.ID, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in T
		if err := decodeJSON(w, r, &in); err != nil {
			s.apiError(w, r, err)
			return
		}
		id, err := add(r.Context(), in)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		created(w, id)
	}
}

// maskedWorker is a worker as lists show it: id number and phone partly hidden.
func maskedWorker(v *station.WorkerView) *station.WorkerView {
	c := *v
	c.IDNumber = records.MaskIDNumber(v.IDNumber)
	c.Phone = records.MaskPhone(v.Phone)
	return &c
}

func (s *Server) apiListWorkers(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := paging(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	q := r.URL.Query()
	wq := station.WorkerQuery{Q: q.Get("q"), Limit: limit, Offset: offset, After: q.Get("after"),
		Category: strings.TrimSpace(q.Get("category"))}
	if l := q.Get("list"); l != "" {
		if wq.List = records.NormalizeList(l); wq.List == "" {
			s.apiError(w, r, &records.FieldError{Field: "list_type", Key: records.KeyEnum,
				Args: []any{"employed、unemployed、willing_away"}})
			return
		}
		wq.Month = q.Get("month")
		if wq.Month == "" {
			wq.Month = s.now().Format(records.MonthLayout)
		}
		if !records.ValidMonth(wq.Month) {
			s.apiError(w, r, &records.FieldError{Field: "month", Key: records.KeyMonth})
			return
		}
	}
	page, err := s.st.Workers(r.Context(), wq)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	for i, v := range page.Workers {
		page.Workers[i] = maskedWorker(v)
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) apiGetWorker(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	v, err := s.st.Worker(r.Context(), id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	recs, err := s.st.Records(r.Context(), id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	conf, err := s.st.Conflicts(r.Context(), records.Workers, id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if conf == nil {
		conf = map[string][]any{}
	}
	writeJSON(w, http.StatusOK, struct {
		*station.WorkerView
		MonthlyStatus []map[string]any `json:"monthly_status"`
		Unemployment  []map[string]any `json:"unemployment_registrations"`
		Jobseeker     []map[string]any `json:"jobseeker_registrations"`
		Followups     []map[string]any `json:"followups"`
		Placements    []map[string]any `json:"placements"`
		Conflicts     map[string][]any `json:"conflicts"`
	}{v, recs.Statuses, recs.Unemployment, recs.Jobseeker, recs.Followups, recs.Placements, conf})
}

func (s *Server) apiPatchWorker(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var apply func(rec any) ([]string, error)
		if apply, err = patchBody(w, r); err == nil {
			err = s.st.UpdateWorker(r.Context(), id, func(wk *records.Worker) ([]string, error) {
				before := wk.IDNumber
				fields, err := apply(wk)
				if err != nil {
					return nil, err
				}
				if n, err := ident.NormalizeIDNumber(wk.IDNumber); err != nil || n != before {
					return nil, &records.FieldError{Field: "id_number", Key: records.KeyUnknownField}
				}
				return fields, nil
			})
		}
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": id.String()})
}

// decodeInto decodes with the field-naming errors of decodeJSON.
func decodeInto(dec *json.Decoder, v any) error {
	err := dec.Decode(v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.As(err, &te):
		key := records.KeyBadJSON
		switch te.Type.Kind().String() {
		case "float64":
			key = records.KeyNumber
		case "int64":
			key = records.KeyInteger
		}
		return &records.FieldError{Field: te.Field, Key: key}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &records.FieldError{Field: f, Key: records.KeyUnknownField}
	}
	return &records.FieldError{Key: records.KeyBadJSON}
}

func (s *Server) apiWorkerMatches(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	m, err := s.st.WorkerMatches(r.Context(), id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"matches": m, "total": len(m)})
}

func (s *Server) apiMonthStatus(w http.ResponseWriter, r *http.Request) {
	var in records.MonthStatus
	if err := decodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	id, isNew, err := s.st.SetMonthStatus(r.Context(), in)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if !isNew {
		writeJSON(w, http.StatusOK, map[string]string{"id": id.String()})
		return
	}
	created(w, id)
}

func (s *Server) apiListGigs(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := paging(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	status := r.URL.Query().Get("status")
	if status != "" && status != records.GigOpen && status != records.GigFilled && status != records.GigClosed {
		s.apiError(w, r, &records.FieldError{Field: "status", Key: records.KeyEnum, Args: []any{"open、filled、closed"}})
		return
	}
	q, err := gigQuery(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	q.Status, q.Limit, q.Offset = status, limit, offset
	page, err := s.st.FindGigs(r.Context(), q)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) apiGetGig(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	g, err := s.st.Gig(r.Context(), id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, g)
}

func (s *Server) apiPatchGig(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	body, err := readJSONBody(w, r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	fields, err := jsonFields(body)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	err = s.st.UpdateGig(r.Context(), id, func(g *records.Gig) ([]string, error) {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := decodeInto(dec, g); err != nil {
			return nil, err
		}
		return columnsNamed(fields, g.Columns()), nil
	})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": id.String()})
}

func (s *Server) apiGigMatches(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	limit, _, err := paging(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	m, err := s.st.GigMatches(r.Context(), id, limit)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	for i := range m {
		m[i].Worker = maskedWorker(m[i].Worker)
	}
	if m == nil {
		m = []station.Match{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"matches": m, "total": len(m)})
}

func (s *Server) apiListCounts(w http.ResponseWriter, r *http.Request) {
	month := r.URL.Query().Get("month")
	if month == "" {
		month = s.now().Format(records.MonthLayout)
	}
	if !records.ValidMonth(month) {
		s.apiError(w, r, &records.FieldError{Field: "month", Key: records.KeyMonth})
		return
	}
	c, err := s.st.ListCounts(r.Context(), month)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := map[string]any{"month": month}
	for l, n := range c {
		out[records.ListCode(l)] = n
	}
	writeJSON(w, http.StatusOK, out)
}

// SyncView is what GET /api/sync reports.
type SyncView struct {
	Connected     bool       `json:"connected"`
	Enrolled      bool       `json:"enrolled"`
	Pending       int        `json:"pending"`
	LastSync      *time.Time `json:"last_sync"`
	ClockOffsetMS int64      `json:"clock_offset_ms"`
	LastError     string     `json:"last_error,omitempty"`
	Warning       string     `json:"warning,omitempty"` // for the county: e.g. the hub lost acknowledged changes
	ClockWarning  bool       `json:"clock_warning"`
	HubRestoredAt *time.Time `json:"hub_restored_at,omitempty"` // when the station last found the hub restored from a backup
	// Restored says when this station was restored from a backup, and from
	// which (nil: never).
	Restored *station.RestoreNote `json:"restored,omitempty"`
}

// ClockWarnOffset is the clock offset from which the station warns staff;
// it also warns when the hub refused changes stamped ahead of its clock.
const ClockWarnOffset = 2 * time.Minute

func (s *Server) syncView(r *http.Request) (SyncView, error) {
	v, err := s.syncState(r)
	if err != nil {
		return v, err
	}
	v.Restored, err = s.st.Restored(r.Context())
	return v, err
}

func (s *Server) syncState(r *http.Request) (SyncView, error) {
	if s.sync == nil {
		n, err := s.r.CountSince(r.Context(), 0, s.r.Site())
		return SyncView{Pending: n}, err
	}
	st := s.sync.Status()
	v := SyncView{Connected: st.Connected, Enrolled: true, Pending: st.PendingUp,
		ClockOffsetMS: st.ClockOffset.Milliseconds(), LastError: st.LastError, Warning: st.Warning}
	if !st.LastSync.IsZero() {
		t := st.LastSync.UTC()
		v.LastSync = &t
	}
	if !st.HubRestoredAt.IsZero() {
		t := st.HubRestoredAt.UTC()
		v.HubRestoredAt = &t
	}
	off := st.ClockOffset
	if off < 0 {
		off = -off
	}
	v.ClockWarning = off > ClockWarnOffset || st.ErrorCode == int(syncproto.ErrCodeClockAhead)
	return v, nil
}

func (s *Server) apiSync(w http.ResponseWriter, r *http.Request) {
	v, err := s.syncView(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}
