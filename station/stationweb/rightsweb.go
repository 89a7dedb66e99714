package stationweb

import (
	"net/http"
	"net/url"
	"strings"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/station"
	"fieldsync/webkit"
)

// Labour-rights cases (劳动权益维护): the JSON API /api/rights-cases on the
// programme tables' one mechanism (programmeapi.go), and the pages under
// /services/rights: the list (filtered by status and kind, a person search
// to open a case), the form, a case's page with its edit form (closing a
// case needs its day and outcome: records.RightsCase). Every route answers
// only a request that may read the cases (Server.mayReadRights); any other
// gets 403 and the rights_hidden message, and nothing of a case: not its
// existence, not a count. A person's page shows their cases to those who
// may read them and nothing at all to the others.

func init() {
	uiText = uiText.With(rightsText)
	programmePages = append(programmePages, "rights", "rights_case")
}

var rightsText = webkit.Catalogue{
	"rights_cases":       {"劳动权益维护", "Labour-rights cases"},
	"rights_case":        {"劳动权益维护案件", "Labour-rights case"},
	"new_rights_case":    {"登记劳动权益维护案件", "New labour-rights case"},
	"edit_rights_case":   {"修改劳动权益维护案件（含办结）", "Edit labour-rights case (and close it)"},
	"rights_open":        {"未办结", "Not closed"},
	"rights_for_person":  {"为此人登记维权案件", "Open a case for this person"},
	"rights_person_none": {"暂无维权案件", "No cases"},
	"rights_outcome":     {"处理结果", "Outcome"},
}

var rightsFields = []fieldSpec{
	f("worker_id", "hidden", true),
	{Name: "rights_kind", Kind: "select", Required: true, Options: records.RightsKinds},
	f("employer", "text", true), f("amount_claimed", "number", false), f("received_on", "date", true),
	{Name: "referral", Kind: "select", Options: records.RightsReferrals},
	{Name: "case_status", Kind: "select", Required: true, Options: records.RightsStatuses},
	f("closed_on", "date", false), {Name: "case_outcome", Kind: "textarea", Text: "rights_outcome"},
	f("amount_recovered", "number", false),
	f("notes", "textarea", false),
}

// rightsEditFields: a case stays with its person.
var rightsEditFields = rightsFields[1:]

func rightsRecord(v *station.RightsCaseView) *records.RightsCase { return &v.RightsCase }

func (s *Server) routesRights(mux *http.ServeMux) {
	t := viewedTable("/api/rights-cases", records.RightsCases,
		func(r *http.Request) ([]*station.RightsCaseView, error) {
			return s.st.RightsCases(r.Context(), rightsQuery(r))
		},
		s.st.RightsCase, rightsRecord)
	t.guard, t.denied = s.mayReadRights, records.KeyRightsHidden
	s.routesProgrammes(mux, t)

	page := func(pattern string, h http.HandlerFunc) { mux.HandleFunc(pattern, s.rightsOnly(h)) }
	page("GET /services/rights", s.pageRights)
	page("GET /services/rights/new", s.pageNewRightsCase)
	page("POST /services/rights/new", s.pageNewRightsCase)
	page("GET /services/rights/{id}", s.pageRightsCase)
	edit := s.serveEdit(s.programmeEdit(records.RightsCases, "edit_rights_case", "/services/rights/",
		rightsEditFields, viewRecord(s.st.RightsCase, rightsRecord)))
	page("GET /services/rights/{id}/edit", edit)
	page("POST /services/rights/{id}/edit", edit)
}

// rightsOnly serves h to a request that may read labour-rights cases, and
// 403 with the rights_hidden message to any other.
func (s *Server) rightsOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.mayReadRights(r) {
			s.render(w, r, http.StatusForbidden, "error", "rights_cases", records.Message(langOf(r), records.KeyRightsHidden))
			return
		}
		h(w, r)
	}
}

// rightsQuery reads a list's filters: worker_id, case_status (a status, or
// "open" for every case not closed) and rights_kind.
func rightsQuery(r *http.Request) station.RightsQuery {
	q := r.URL.Query()
	return station.RightsQuery{WorkerID: strings.TrimSpace(q.Get("worker_id")),
		Status: strings.TrimSpace(q.Get("case_status")), Kind: strings.TrimSpace(q.Get("rights_kind"))}
}

type rightsData struct {
	Cases    []*station.RightsCaseView
	Query    station.RightsQuery
	Statuses []string
	Kinds    []string
	Q        string
	Found    []*station.WorkerView
}

func (s *Server) pageRights(w http.ResponseWriter, r *http.Request) {
	d := rightsData{Query: rightsQuery(r), Statuses: records.RightsStatuses, Kinds: records.RightsKinds,
		Q: strings.TrimSpace(r.URL.Query().Get("q"))}
	var err error
	if d.Cases, err = s.st.RightsCases(r.Context(), d.Query); err == nil {
		d.Found, err = s.personSearch(r.Context(), d.Q)
	}
	if err != nil {
		s.webError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "rights", "rights_cases", d)
}

// pageNewRightsCase is the form of a new case for the person ?worker_id=
// names (on POST, the form's), received today.
func (s *Server) pageNewRightsCase(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	pid, person, ok := s.formPerson(w, r)
	if !ok {
		return
	}
	title := tr(langOf(r), "new_rights_case") + "：" + person.Name
	fv := formView{Action: "/services/rights/new", Back: "/workers/" + pid.String()}
	if r.Method == http.MethodGet {
		vals := url.Values{"worker_id": {pid.String()}, "received_on": {s.today()}, "case_status": {records.RightsStatuses[0]}}
		s.showForm(w, r, http.StatusOK, title, fv, rightsFields, vals, nil, nil)
		return
	}
	var c records.RightsCase
	var id ident.ID
	err := decodeForm(rightsFields, r.PostForm, &c)
	if err == nil {
		id, err = s.st.SaveProgramme(ctx, records.RightsCases, ident.Zero, &c)
	}
	if err != nil {
		s.showForm(w, r, formStatus(err), title, fv, rightsFields, r.PostForm, err, nil)
		return
	}
	http.Redirect(w, r, "/services/rights/"+id.String(), http.StatusSeeOther)
}

func (s *Server) pageRightsCase(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var c *station.RightsCaseView
	if err == nil {
		c, err = s.st.RightsCase(r.Context(), id)
	}
	if err != nil {
		s.webError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "rights_case", "rights_case", c)
}

// rightsBlock is what a person's page shows of their labour-rights cases:
// nil (nothing at all, not even that there are any) for a request that may
// not read them.
type rightsBlock struct {
	WorkerID string
	Cases    []*station.RightsCaseView
}

func (s *Server) personRights(r *http.Request, id ident.ID) (*rightsBlock, error) {
	if !s.mayReadRights(r) {
		return nil, nil
	}
	cases, err := s.st.RightsCases(r.Context(), station.RightsQuery{WorkerID: id.String()})
	if err != nil {
		return nil, err
	}
	return &rightsBlock{WorkerID: id.String(), Cases: cases}, nil
}
