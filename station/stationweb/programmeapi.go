package stationweb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/station"
	"fieldsync/webkit"
)

// The one JSON API of the placement-programme tables (welfareapi.go and
// labourapi.go name theirs): each table's path serves GET (a page of rows),
// POST (create, 201 with the id), and GET, PATCH and DELETE /{id}. Bodies
// are decoded strictly and every write goes through station.SaveProgramme,
// so the API, the pages and an import keep one set of rules.

// programmeTable is one programme table the API serves under path.
type programmeTable struct {
	path, table string
	// newRec makes the table's record type, to decode a POST body into.
	newRec func() station.ProgrammeRecord
	// extra names the JSON keys a body may give besides the record's own
	// (shared employment's start and end, which its UnmarshalJSON takes).
	extra []string
	// list reads the rows matching the request's filters, from offset, at
	// most limit of them, and how many match in all.
	list func(r *http.Request, limit, offset int) (rows any, total int, err error)
	// get reads one row as the API shows it.
	get func(ctx context.Context, id ident.ID) (any, error)
	// load reads the stored record id (a PATCH applies its body over it).
	load recordLoader
	// ownCreate: POST and GET /{id} are served by the table's own handlers
	// (an export batch is made and read with its people).
	ownCreate bool
	// guard, when set, must allow a request before any of the table's
	// routes answers it; else 403 with denied's message and nothing of a
	// row (labour-rights cases: Server.mayReadRights).
	guard  func(*http.Request) bool
	denied string
}

// programmePage is a list's answer: a page of rows, how many match in all,
// and the page's limit (1..1000, default 50) and offset.
type programmePage struct {
	Rows   any `json:"rows"`
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

// programmeRecord is a programme's record type T through its pointer P,
// which validates and lists its columns.
type programmeRecord[T any] interface {
	*T
	station.ProgrammeRecord
}

// recordLoader reads a programme table's stored record by id (a PATCH or
// an edit form applies its fields over it).
type recordLoader func(ctx context.Context, id ident.ID) (station.ProgrammeRecord, error)

// viewRecord loads a record through the view the station reads its row as:
// get reads the row, rec returns the record it holds.
func viewRecord[T any, P programmeRecord[T], V any](get func(context.Context, ident.ID) (V, error),
	rec func(V) P) recordLoader {
	return func(ctx context.Context, id ident.ID) (station.ProgrammeRecord, error) {
		v, err := get(ctx, id)
		if err != nil {
			return nil, err
		}
		return rec(v), nil
	}
}

// viewedTable is a table whose rows the station reads as views of type V,
// each holding its record (rec returns it): list reads all rows matching the
// request's filters (the API pages them), get one row.
func viewedTable[T any, P programmeRecord[T], V any](path, table string, list func(*http.Request) ([]V, error),
	get func(context.Context, ident.ID) (V, error), rec func(V) P) programmeTable {
	return programmeTable{path: path, table: table,
		newRec: func() station.ProgrammeRecord { return P(new(T)) },
		list: func(r *http.Request, limit, offset int) (any, int, error) {
			items, err := list(r)
			if err != nil {
				return nil, 0, err
			}
			// offset+limit could overflow: count from what is left.
			from := min(offset, len(items))
			to := from + min(limit, len(items)-from)
			return append([]V{}, items[from:to]...), len(items), nil
		},
		get:  func(ctx context.Context, id ident.ID) (any, error) { return get(ctx, id) },
		load: viewRecord(get, rec),
	}
}

// routesProgrammes serves each of tables at its path (see programmeTable).
func (s *Server) routesProgrammes(mux *http.ServeMux, tables ...programmeTable) {
	for _, t := range tables {
		handle := func(pattern string, h http.HandlerFunc) { mux.HandleFunc(pattern, t.guarded(h)) }
		handle("GET "+t.path, s.apiProgrammeList(t))
		handle("PATCH "+t.path+"/{id}", s.apiProgrammePatch(t))
		handle("DELETE "+t.path+"/{id}", serveByID(s, func(r *http.Request, id ident.ID, _ *struct{}) error {
			return s.st.DeleteProgramme(r.Context(), t.table, id)
		}))
		if !t.ownCreate {
			handle("POST "+t.path, s.apiProgrammeCreate(t))
			handle("GET "+t.path+"/{id}", s.apiProgrammeGet(t))
		}
	}
}

// guarded is h behind t's guard: a request it does not allow gets 403 and
// t.denied's message, before h reads or writes anything.
func (t programmeTable) guarded(h http.HandlerFunc) http.HandlerFunc {
	if t.guard == nil {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if !t.guard(r) {
			webkit.WriteError(w, http.StatusForbidden, webkit.ErrorBody{Error: records.Message(langOf(r), t.denied)})
			return
		}
		h(w, r)
	}
}

func (s *Server) apiProgrammeList(t programmeTable) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		limit, offset, err := paging(r)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		rows, total, err := t.list(r, limit, offset)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, programmePage{Rows: rows, Total: total, Limit: limit, Offset: offset})
	}
}

func (s *Server) apiProgrammeGet(t programmeTable) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		var row any
		if err == nil {
			row, err = t.get(r.Context(), id)
		}
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, row)
	}
}

func (s *Server) apiProgrammeCreate(t programmeTable) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := readJSONBody(w, r)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		rec := t.newRec()
		if err := decodeStrict(body, rec, t.extra...); err != nil {
			s.apiError(w, r, err)
			return
		}
		id, err := s.st.SaveProgramme(r.Context(), t.table, ident.Zero, rec)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		created(w, id)
	}
}

// apiProgrammePatch applies the fields a body names over the stored record
// and writes the whole record through SaveProgramme (its rules checked
// again: it refuses a person's record moved to another person, and another
// station's county-wide row). PATCHes run one at a time (patchMu), so that
// none writes back a field another changed after it read the record.
func (s *Server) apiProgrammePatch(t programmeTable) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		var body []byte
		if err == nil {
			body, err = readJSONBody(w, r)
		}
		var rec station.ProgrammeRecord
		s.patchMu.Lock()
		if err == nil {
			rec, err = t.load(r.Context(), id)
		}
		if err == nil {
			err = decodeStrict(body, rec, t.extra...)
		}
		if err == nil {
			_, err = s.st.SaveProgramme(r.Context(), t.table, id, rec)
		}
		s.patchMu.Unlock()
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"id": id.String()})
	}
}

// decodeStrict reads a JSON object body into v: a key that is none of v's
// JSON names nor extra is refused naming it, and so is anything after the
// object. The keys are checked here, matched ignoring case as encoding/json
// does, because a type with its own UnmarshalJSON (records.SharedJob) is not
// held to the decoder's DisallowUnknownFields.
func decodeStrict(body []byte, v any, extra ...string) error {
	fields, err := jsonFields(body)
	if err != nil {
		return err
	}
	known := append(jsonKeys(reflect.TypeOf(v)), extra...)
	for _, f := range fields {
		ok := false
		for _, k := range known {
			if strings.EqualFold(f, k) {
				ok = true
				break
			}
		}
		if !ok {
			return &records.FieldError{Field: f, Key: records.KeyUnknownField}
		}
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

// jsonKeys are the JSON names of struct type t's fields (embedded ones included).
func jsonKeys(t reflect.Type) []string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []string
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			out = append(out, jsonKeys(sf.Type)...)
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "" {
			name = sf.Name
		}
		if name != "-" && sf.IsExported() {
			out = append(out, name)
		}
	}
	return out
}
