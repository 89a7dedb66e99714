package stationweb

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/station"
	"fieldsync/webkit"
)

// Corrections (更正, 作废, 离岗/取消, 标记离开) through the JSON API and the
// pages: each a thin adapter over the station's own operations
// (station/corrections.go).

var correctionText = webkit.Catalogue{
	"correct":                  {"更正", "Correct"},
	"void":                     {"作废", "Void"},
	"voided":                   {"已作废", "Void"},
	"restore":                  {"撤销作废", "Restore"},
	"void_record":              {"作废记录", "Void a record"},
	"correct_record":           {"更正记录", "Correct a record"},
	"end_placement":            {"离岗 / 取消安排", "End a placement"},
	"end":                      {"离岗/取消", "End"},
	"leave":                    {"标记离开", "Mark as left"},
	"worker_left":              {"已离开", "Left"},
	"return":                   {"恢复", "Bring back"},
	"leave_worker":             {"标记人员离开", "Mark a person as left"},
	"skip_" + station.SkipLeft: {"已离开", "has left"},
}

// correctionKinds maps the path names of the API and of the pages to the
// tables whose records staff correct and void.
var correctionKinds = map[string]struct {
	table string
	spec  func() []fieldSpec
}{
	"monthly-status": {records.MonthlyStatus, func() []fieldSpec { return editSpec(monthFields) }},
	"unemployment-registrations": {records.Unemployment, func() []fieldSpec {
		return editSpec(append(unempFields[:len(unempFields):len(unempFields)], deregFields...))
	}},
	"jobseeker-registrations": {records.Jobseeker, func() []fieldSpec { return editSpec(jobseekerFields) }},
	"followups":               {records.Followups, func() []fieldSpec { return editSpec(followupFields) }},
}

// editSpec is a record's form without what a correction cannot change:
// whose record it is and a status's month.
func editSpec(spec []fieldSpec) []fieldSpec {
	out := make([]fieldSpec, 0, len(spec))
	for _, f := range spec {
		if f.Name != "worker_id" && f.Name != "month" {
			if f.Name == "deregistered_on" || f.Name == "deregistration_reason" {
				f.Required = false // an open registration has neither
			}
			out = append(out, f)
		}
	}
	return out
}

var (
	voidFields  = []fieldSpec{f("void_reason", "text", true)}
	leaveFields = []fieldSpec{{Name: "left_reason", Kind: "select", Required: true, Options: records.LeaveReasons},
		f("left_on", "date", true), f("left_to", "text", false)}
	endFields = []fieldSpec{{Name: "status", Kind: "select", Required: true,
		Options: []string{records.PlacementLeft, records.PlacementCancelled}}, f("ended_on", "date", true)}
)

func (s *Server) routesCorrections(mux *http.ServeMux) {
	for kind := range correctionKinds {
		mux.HandleFunc("PATCH /api/"+kind+"/{id}", s.apiCorrect(kind))
		mux.HandleFunc("POST /api/"+kind+"/{id}/void", s.apiVoid(kind))
		mux.HandleFunc("POST /api/"+kind+"/{id}/restore", s.apiRestore(kind))
		page := s.pageCorrect(kind)
		mux.HandleFunc("GET /records/"+kind+"/{id}/edit", page)
		mux.HandleFunc("POST /records/"+kind+"/{id}/edit", page)
		void := s.pageVoid(kind)
		mux.HandleFunc("GET /records/"+kind+"/{id}/void", void)
		mux.HandleFunc("POST /records/"+kind+"/{id}/void", void)
		mux.HandleFunc("POST /records/"+kind+"/{id}/restore", s.postRestore(kind))
	}
	mux.HandleFunc("PATCH /api/placements/{id}", serveByID(s, s.apiEndPlacement))
	mux.HandleFunc("POST /api/workers/{id}/leave", serveByID(s, s.apiLeave))
	mux.HandleFunc("POST /api/workers/{id}/return", serveByID(s, s.apiReturn))
	mux.HandleFunc("GET /placements/{id}/end", s.pageEndPlacement)
	mux.HandleFunc("POST /placements/{id}/end", s.pageEndPlacement)
	mux.HandleFunc("GET /workers/{id}/leave", s.pageLeave)
	mux.HandleFunc("POST /workers/{id}/leave", s.pageLeave)
	mux.HandleFunc("POST /workers/{id}/return", s.postReturn)
}

// apiCorrect serves PATCH /api/{kind}/{id}: the fields named are written,
// the others left alone (so a conflict on them stays).
func (s *Server) apiCorrect(kind string) http.HandlerFunc {
	table := correctionKinds[kind].table
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err == nil {
			var apply func(rec any) ([]string, error)
			if apply, err = patchBody(w, r); err == nil {
				err = s.st.CorrectRecord(r.Context(), table, id, apply)
			}
		}
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"id": id.String()})
	}
}

// voidBody is what POST …/void takes.
type voidBody struct {
	Reason string `json:"reason"`
}

func (s *Server) apiVoid(kind string) http.HandlerFunc {
	table := correctionKinds[kind].table
	return serveByID(s, func(r *http.Request, id ident.ID, in *voidBody) error {
		return s.st.VoidRecord(r.Context(), table, id, in.Reason)
	})
}

func (s *Server) apiRestore(kind string) http.HandlerFunc {
	table := correctionKinds[kind].table
	return serveByID(s, func(r *http.Request, id ident.ID, _ *struct{}) error {
		return s.st.RestoreRecord(r.Context(), table, id)
	})
}

// decodeEmpty reads a body that may be empty or {}.
func decodeEmpty(w http.ResponseWriter, r *http.Request) error {
	body, err := readJSONBody(w, r)
	if err != nil || len(bytes.TrimSpace(body)) == 0 {
		return err
	}
	var in struct{}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return decodeInto(dec, &in)
}

// endBody is what PATCH /api/placements/{id} takes.
type endBody struct {
	Status  string `json:"status"`
	EndedOn string `json:"ended_on"`
}

// leaveBody is what POST /api/workers/{id}/leave takes.
type leaveBody struct {
	Reason string `json:"reason"`
	Date   string `json:"date"`
	To     string `json:"to"`
}

func (s *Server) apiEndPlacement(r *http.Request, id ident.ID, in *endBody) error {
	return s.st.EndPlacement(r.Context(), id, in.Status, in.EndedOn)
}

func (s *Server) apiLeave(r *http.Request, id ident.ID, in *leaveBody) error {
	return s.st.Leave(r.Context(), id, records.Leave{LeftReason: in.Reason, LeftOn: in.Date, LeftTo: in.To})
}

func (s *Server) apiReturn(r *http.Request, id ident.ID, _ *struct{}) error {
	return s.st.Return(r.Context(), id)
}

// recordOfPath reads, for a page, the record of table the path's id
// names and its person's id; on an error it shows the error page and
// returns false.
func (s *Server) recordOfPath(w http.ResponseWriter, r *http.Request, table string) (ident.ID, any, string, bool) {
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return id, nil, "", false
	}
	rec, wid, err := s.st.CorrectableRecord(r.Context(), table, id)
	if err != nil {
		s.webError(w, r, err)
		return id, nil, "", false
	}
	return id, rec, wid, true
}

// pageCorrect is a record's correction form (更正), filled with the record
// as stored; saving writes the fields the form changed and goes back to
// the person's page.
func (s *Server) pageCorrect(kind string) http.HandlerFunc {
	k := correctionKinds[kind]
	return func(w http.ResponseWriter, r *http.Request) {
		id, rec, wid, ok := s.recordOfPath(w, r, k.table)
		if !ok {
			return
		}
		conf, err := s.st.Conflicts(r.Context(), k.table, id)
		if err != nil {
			s.webError(w, r, err)
			return
		}
		spec := k.spec()
		fv := formView{Action: "/records/" + kind + "/" + id.String() + "/edit", Back: "/workers/" + wid}
		stored := encodeForm(spec, rec)
		if r.Method == http.MethodGet {
			s.showForm(w, r, http.StatusOK, "correct_record", fv, spec, stored, nil, conf)
			return
		}
		changed := changedFields(spec, stored, r.PostForm)
		err = s.st.CorrectRecord(r.Context(), k.table, id, func(rec any) ([]string, error) {
			if err := decodeForm(spec, r.PostForm, rec); err != nil {
				return nil, err
			}
			return changed, nil
		})
		if err != nil {
			s.showForm(w, r, formStatus(err), "correct_record", fv, spec, r.PostForm, err, conf)
			return
		}
		http.Redirect(w, r, "/workers/"+wid, http.StatusSeeOther)
	}
}

// pageVoid asks the reason of a void (作废) and voids the record.
func (s *Server) pageVoid(kind string) http.HandlerFunc {
	k := correctionKinds[kind]
	return func(w http.ResponseWriter, r *http.Request) {
		id, _, wid, ok := s.recordOfPath(w, r, k.table)
		if !ok {
			return
		}
		fv := formView{Action: "/records/" + kind + "/" + id.String() + "/void", Back: "/workers/" + wid}
		if r.Method == http.MethodGet {
			s.showForm(w, r, http.StatusOK, "void_record", fv, voidFields, url.Values{}, nil, nil)
			return
		}
		if err := s.st.VoidRecord(r.Context(), k.table, id, r.PostFormValue("void_reason")); err != nil {
			s.showForm(w, r, formStatus(err), "void_record", fv, voidFields, r.PostForm, err, nil)
			return
		}
		http.Redirect(w, r, "/workers/"+wid, http.StatusSeeOther)
	}
}

func (s *Server) postRestore(kind string) http.HandlerFunc {
	k := correctionKinds[kind]
	return func(w http.ResponseWriter, r *http.Request) {
		id, _, wid, ok := s.recordOfPath(w, r, k.table)
		if !ok {
			return
		}
		if err := s.st.RestoreRecord(r.Context(), k.table, id); err != nil {
			s.webError(w, r, err)
			return
		}
		http.Redirect(w, r, "/workers/"+wid, http.StatusSeeOther)
	}
}

// pageEndPlacement ends a placement (离岗 or 取消) on a date.
func (s *Server) pageEndPlacement(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	wid, err := s.st.PlacementWorker(r.Context(), id)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	fv := formView{Action: "/placements/" + id.String() + "/end", Back: "/workers/" + wid}
	if r.Method == http.MethodGet {
		s.showForm(w, r, http.StatusOK, "end_placement", fv, endFields,
			url.Values{"status": {records.PlacementLeft}, "ended_on": {s.st.Today()}}, nil, nil)
		return
	}
	if err := s.st.EndPlacement(r.Context(), id, r.PostFormValue("status"), r.PostFormValue("ended_on")); err != nil {
		s.showForm(w, r, formStatus(err), "end_placement", fv, endFields, r.PostForm, err, nil)
		return
	}
	http.Redirect(w, r, "/workers/"+wid, http.StatusSeeOther)
}

// pageLeave marks a person as having left (迁出, 死亡, 其他).
func (s *Server) pageLeave(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	if _, err := s.st.Worker(r.Context(), id); err != nil {
		s.webError(w, r, err)
		return
	}
	fv := formView{Action: "/workers/" + id.String() + "/leave", Back: "/workers/" + id.String()}
	if r.Method == http.MethodGet {
		s.showForm(w, r, http.StatusOK, "leave_worker", fv, leaveFields, url.Values{"left_on": {s.st.Today()}}, nil, nil)
		return
	}
	l := records.Leave{LeftReason: strings.TrimSpace(r.PostFormValue("left_reason")),
		LeftOn: strings.TrimSpace(r.PostFormValue("left_on")), LeftTo: strings.TrimSpace(r.PostFormValue("left_to"))}
	if err := s.st.Leave(r.Context(), id, l); err != nil {
		s.showForm(w, r, formStatus(err), "leave_worker", fv, leaveFields, r.PostForm, err, nil)
		return
	}
	http.Redirect(w, r, "/workers/"+id.String(), http.StatusSeeOther)
}

func (s *Server) postReturn(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	if err := s.st.Return(r.Context(), id); err != nil {
		s.webError(w, r, err)
		return
	}
	http.Redirect(w, r, "/workers/"+id.String(), http.StatusSeeOther)
}

// columnsOf lists the columns of a records type (e.g. *records.Followup).
func columnsOf(rec any) []replica.ColumnValue {
	if c, ok := rec.(interface{ Columns() []replica.ColumnValue }); ok {
		return c.Columns()
	}
	return nil
}

// recActions is what the worker page's 更正/作废 cell of a record needs.
type recActions struct {
	V    *view
	Kind string // correctionKinds
	Rec  map[string]any
}

func newRecActions(v *view, kind string, rec map[string]any) recActions {
	return recActions{V: v, Kind: kind, Rec: rec}
}
