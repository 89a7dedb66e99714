package stationweb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/station"
	"fieldsync/webkit"
)

// The JSON API of the labour programmes: 共享用工 (/api/shared-employment),
// 以工代赈 (/api/work-relief-projects, /api/work-relief-jobs), 有组织劳务输出
// (/api/export-batches, with the people sent) and 劳务协作
// (/api/partner-regions). Each is GET list, POST create (201 with the id),
// GET, PATCH and DELETE /{id}, decoded strictly and written through
// station.SaveProgramme; an export batch is created with its people in one
// transaction, and lists only the people this station holds.

// labourResource is one programme table served under path.
type labourResource struct {
	path, table string
	// newRec makes the table's record type to decode into.
	newRec func() station.ProgrammeRecord
	// extra names the JSON keys besides the record's own it takes
	// (shared employment's start and end).
	extra []string
}

var labourResources = []labourResource{
	{"/api/shared-employment", records.SharedEmployment, func() station.ProgrammeRecord { return &records.SharedJob{} },
		[]string{"start", "end"}},
	{"/api/work-relief-projects", records.WorkReliefProjects, func() station.ProgrammeRecord { return &records.WorkReliefProject{} }, nil},
	{"/api/work-relief-jobs", records.WorkReliefJobs, func() station.ProgrammeRecord { return &records.WorkReliefJob{} }, nil},
	{"/api/export-batches", records.ExportBatches, func() station.ProgrammeRecord { return &records.ExportBatch{} }, nil},
	{"/api/partner-regions", records.PartnerRegions, func() station.ProgrammeRecord { return &records.PartnerRegion{} }, nil},
}

// labourJSONKeys are the JSON names of struct type t's fields (embedded ones included).
func labourJSONKeys(t reflect.Type) []string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []string
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			out = append(out, labourJSONKeys(sf.Type)...)
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name != "" && name != "-" && sf.IsExported() {
			out = append(out, name)
		}
	}
	return out
}

// labourCheckKeys refuses (naming it) a key of a JSON object body that is none of
// known, matched ignoring case as encoding/json does. A record type with its
// own UnmarshalJSON (records.SharedJob) is not held to DisallowUnknownFields
// by the decoder: this holds it.
func labourCheckKeys(body []byte, known []string) error {
	fields, err := jsonFields(body)
	if err != nil {
		return err
	}
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
	return nil
}

// decodeLabour reads a JSON object body into v strictly: unknown keys
// refused, one object only.
func decodeLabour(body []byte, v any, known []string) error {
	if err := labourCheckKeys(body, known); err != nil {
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

func (res labourResource) known(rec any) []string {
	return append(labourJSONKeys(reflect.TypeOf(rec)), res.extra...)
}

// maskLabourRows hides the id numbers a page of a person's rows shows.
func maskLabourRows(rows []map[string]any) {
	for _, m := range rows {
		if v, ok := m["worker_id_number"].(string); ok {
			m["worker_id_number"] = records.MaskIDNumber(v)
		}
	}
}

func (s *Server) apiLabourList(res labourResource) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		limit, offset, err := paging(r)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		q := station.LabourQuery{Table: res.table, Limit: limit, Offset: offset,
			ProjectID: strings.TrimSpace(r.URL.Query().Get("project_id"))}
		if v := strings.TrimSpace(r.URL.Query().Get("worker_id")); v != "" {
			id, err := s.st.PersonNamed(r.Context(), "worker_id", v)
			if err != nil {
				s.apiError(w, r, err)
				return
			}
			q.WorkerID = id.String()
		}
		page, err := s.st.LabourRows(r.Context(), q)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		maskLabourRows(page.Rows)
		writeJSON(w, http.StatusOK, page)
	}
}

func (s *Server) apiLabourGet(res labourResource) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		row, err := s.st.LabourRow(r.Context(), res.table, id)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		maskLabourRows([]map[string]any{row})
		writeJSON(w, http.StatusOK, row)
	}
}

func (s *Server) apiLabourCreate(res labourResource) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := readJSONBody(w, r)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		rec := res.newRec()
		if err := decodeLabour(body, rec, res.known(rec)); err != nil {
			s.apiError(w, r, err)
			return
		}
		id, err := s.st.SaveProgramme(r.Context(), res.table, ident.Zero, rec)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		created(w, id)
	}
}

// apiLabourPatch applies the fields a body names over the stored record
// and writes it through SaveProgramme (which refuses a person's record
// moved to another person, and another station's county-wide row).
func (s *Server) apiLabourPatch(res labourResource) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
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
		rec := res.newRec()
		if err := s.st.LoadLabourRecord(r.Context(), res.table, id, rec); err != nil {
			s.apiError(w, r, err)
			return
		}
		if err := decodeLabour(body, rec, res.known(rec)); err != nil {
			s.apiError(w, r, err)
			return
		}
		if _, err := s.st.SaveProgramme(r.Context(), res.table, id, rec); err != nil {
			s.apiError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"id": id.String()})
	}
}

func (s *Server) apiLabourDelete(res labourResource) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err == nil {
			err = decodeEmpty(w, r)
		}
		if err == nil {
			err = s.st.DeleteProgramme(r.Context(), res.table, id)
		}
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"id": id.String()})
	}
}

// exportBatchIn is POST /api/export-batches: the batch and the people sent
// in it (worker ids or id numbers).
type exportBatchIn struct {
	records.ExportBatch
	People []string `json:"people"`
}

// exportPeopleIn is POST /api/export-batches/{id}/people.
type exportPeopleIn struct {
	People []string `json:"people"`
}

// decodeExportBatch reads POST /api/export-batches's body.
func decodeExportBatch(body []byte) (*exportBatchIn, error) {
	var in exportBatchIn
	if err := decodeLabour(body, &in, labourJSONKeys(reflect.TypeOf(in))); err != nil {
		return nil, err
	}
	return &in, nil
}

func (s *Server) apiCreateExportBatch(w http.ResponseWriter, r *http.Request) {
	body, err := readJSONBody(w, r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	in, err := decodeExportBatch(body)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	id, added, err := s.st.SaveExportBatch(r.Context(), ident.Zero, &in.ExportBatch, in.People)
	if err != nil {
		s.labourError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": id.String(), "added": len(added)})
}

func (s *Server) apiGetExportBatch(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	row, err := s.st.LabourRow(r.Context(), records.ExportBatches, id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	people, err := s.st.LabourRows(r.Context(), station.LabourQuery{Table: records.ExportMembers, BatchID: id.String(),
		Limit: station.MaxLimit})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	maskLabourRows(people.Rows)
	row["people"] = people.Rows
	writeJSON(w, http.StatusOK, row)
}

func (s *Server) apiAddExportPeople(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var in exportPeopleIn
	if err := decodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	if len(in.People) == 0 {
		s.apiError(w, r, &records.FieldError{Field: "people", Key: records.KeyRequired})
		return
	}
	added, err := s.st.AddExportPeople(r.Context(), id, in.People)
	if err != nil {
		s.labourError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id.String(), "added": len(added)})
}

func (s *Server) apiRemoveExportPerson(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var wid ident.ID
	if err == nil {
		wid, err = s.st.PersonNamed(r.Context(), "worker_id", r.PathValue("worker"))
	}
	if err == nil {
		err = s.st.RemoveExportPerson(r.Context(), id, wid)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": id.String(), "worker_id": wid.String()})
}

// personErrorBody is the answer to a batch refused for one of its people:
// the field is people, the message says which person and why.
type personErrorBody struct {
	webkit.ErrorBody
	// Person is the refused person's place in the list given, from 1.
	Person int `json:"person"`
}

// batchPersonMessage says which person of a list was refused and why.
func batchPersonMessage(lang string, pe *station.BatchPersonError) (int, string) {
	status, _, msg := errorStatus(pe.Err, lang)
	who := strings.TrimSpace(pe.Person)
	if _, err := ident.NormalizeIDNumber(who); err == nil {
		who = records.MaskIDNumber(who)
	}
	if len([]rune(who)) > 40 {
		who = string([]rune(who)[:40]) + "…"
	}
	return status, fmt.Sprintf(tr(lang, "person_refused"), pe.Index, who, msg)
}

// labourError answers an error of the labour API: a refused person as
// people's error (personErrorBody), anything else as apiError does.
func (s *Server) labourError(w http.ResponseWriter, r *http.Request, err error) {
	var pe *station.BatchPersonError
	if !errors.As(err, &pe) {
		s.apiError(w, r, err)
		return
	}
	status, msg := batchPersonMessage(langOf(r), pe)
	if status >= 500 {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, status, personErrorBody{ErrorBody: webkit.ErrorBody{Error: msg, Field: "people"}, Person: pe.Index})
}
