package stationweb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/station"
	"fieldsync/webkit"
)

// The JSON API of the labour programmes: 共享用工 (/api/shared-employment),
// 以工代赈 (/api/work-relief-projects, /api/work-relief-jobs), 有组织劳务输出
// (/api/export-batches, with the people sent) and 劳务协作
// (/api/partner-regions), each a programmeTable (programmeapi.go) whose rows
// the station reads as column maps; an export batch is created with its
// people in one transaction, and read with the people this station holds.

func (s *Server) routesLabourAPI(mux *http.ServeMux) {
	s.routesProgrammes(mux,
		s.labourTable("/api/shared-employment", records.SharedEmployment,
			func() station.ProgrammeRecord { return &records.SharedJob{} }, "start", "end"),
		s.labourTable("/api/work-relief-projects", records.WorkReliefProjects,
			func() station.ProgrammeRecord { return &records.WorkReliefProject{} }),
		s.labourTable("/api/work-relief-jobs", records.WorkReliefJobs,
			func() station.ProgrammeRecord { return &records.WorkReliefJob{} }),
		s.labourTable("/api/export-batches", records.ExportBatches,
			func() station.ProgrammeRecord { return &records.ExportBatch{} }),
		s.labourTable("/api/partner-regions", records.PartnerRegions,
			func() station.ProgrammeRecord { return &records.PartnerRegion{} }))
	mux.HandleFunc("POST /api/export-batches", s.apiCreateExportBatch)
	mux.HandleFunc("GET /api/export-batches/{id}", s.apiGetExportBatch)
	mux.HandleFunc("POST /api/export-batches/{id}/people", s.apiAddExportPeople)
	mux.HandleFunc("DELETE /api/export-batches/{id}/people/{worker}", s.apiRemoveExportPerson)
}

// labourTable is a labour table, its rows read as column maps (the id
// numbers masked): its lists filter by worker_id (a worker id or id number)
// and project_id. extra as in programmeTable.
func (s *Server) labourTable(path, table string, newRec func() station.ProgrammeRecord, extra ...string) programmeTable {
	return programmeTable{path: path, table: table, newRec: newRec, extra: extra,
		ownCreate: table == records.ExportBatches,
		list: func(r *http.Request, limit, offset int) (any, int, error) {
			q := station.LabourQuery{Table: table, Limit: limit, Offset: offset,
				ProjectID: strings.TrimSpace(r.URL.Query().Get("project_id"))}
			if v := strings.TrimSpace(r.URL.Query().Get("worker_id")); v != "" {
				id, err := s.st.PersonNamed(r.Context(), "worker_id", v)
				if err != nil {
					return nil, 0, err
				}
				q.WorkerID = id.String()
			}
			page, err := s.st.LabourRows(r.Context(), q)
			if err != nil {
				return nil, 0, err
			}
			maskLabourRows(page.Rows)
			return append([]map[string]any{}, page.Rows...), page.Total, nil
		},
		get: func(ctx context.Context, id ident.ID) (any, error) {
			row, err := s.st.LabourRow(ctx, table, id)
			if err != nil {
				return nil, err
			}
			maskLabourRows([]map[string]any{row})
			return row, nil
		},
		load: s.labourRecord(table, newRec),
	}
}

// labourRecord loads a labour table's record (newRec's type) by id.
func (s *Server) labourRecord(table string, newRec func() station.ProgrammeRecord) recordLoader {
	return func(ctx context.Context, id ident.ID) (station.ProgrammeRecord, error) {
		rec := newRec()
		if err := s.st.LoadLabourRecord(ctx, table, id, rec); err != nil {
			return nil, err
		}
		return rec, nil
	}
}

// maskLabourRows hides the id numbers a page of a person's rows shows.
func maskLabourRows(rows []map[string]any) {
	for _, m := range rows {
		if v, ok := m["worker_id_number"].(string); ok {
			m["worker_id_number"] = records.MaskIDNumber(v)
		}
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
	if err := decodeStrict(body, &in); err != nil {
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
