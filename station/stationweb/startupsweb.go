package stationweb

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/station"
	"fieldsync/webkit"
)

// The services to people at the station (返乡入乡创业, 返乡, 招聘会, 职业健康体检):
// their JSON API, each table on the programmes' one CRUD mechanism
// (programmeapi.go): /api/experts, /api/startups, /api/startup-support,
// /api/returns and /api/job-fairs; the month's returnees
// (/api/returnees?month=) and a person's health check
// (PUT /api/workers/{id}/health-check). This file also serves the services'
// index (/services) and the pages of experts, start-ups and their support.

func init() {
	uiText = uiText.With(servicesText)
	pageNames = append(pageNames, "services", "experts", "startups", "startup")
}

var servicesText = webkit.Catalogue{
	"services":        {"服务", "Services"},
	"services_note":   {"返乡入乡创业、返乡人员、招聘活动和大龄劳动力服务。人员的记录只列出本站持有的人员。", "Start-ups, returnees, recruitment events and older workers. People's records list only the people this station holds."},
	"experts_title":   {"创业服务专家", "Start-up experts"},
	"startups_title":  {"返乡入乡创业", "Start-ups"},
	"returns_title":   {"返乡人员", "Returnees"},
	"job_fairs_title": {"招聘活动", "Recruitment events"},
	"older_title":     {"大龄劳动力", "Older workers"},
	"new_expert":      {"新增创业服务专家", "New expert"},
	"edit_expert":     {"修改创业服务专家", "Edit expert"},
	"new_startup":     {"登记创业项目", "New start-up"},
	"edit_startup":    {"修改创业项目", "Edit start-up"},
	"startup":         {"创业项目", "Start-up"},
	"new_support":     {"登记创业扶持", "New start-up support"},
	"edit_support":    {"修改创业扶持", "Edit start-up support"},
	"support_title":   {"创业扶持", "Start-up support"},
	"guidance_count":  {"指导次数", "Guidance given"},
	"support_count":   {"扶持记录", "Support"},
	"expert_pick":     {"创业服务专家（指导时选择）", "Expert (for guidance)"},
	"startup_pick":    {"创业项目（可不选）", "Start-up (optional)"},
	"services_counts": {"%d 条", "%d"},
	"person_services": {"创业与返乡", "Start-ups and returns"},
	"person_startups": {"创业项目", "Start-ups"},
	"person_support":  {"创业扶持", "Start-up support"},
	"person_returns":  {"返乡记录", "Returns"},
	"add_startup":     {"登记创业", "Add start-up"},
	"add_support":     {"登记扶持", "Add support"},
	"add_return":      {"登记返乡", "Add return"},
	"edit_row":        {"修改", "Edit"},
}

// Forms of start-up support. A person is typed as an id number (or comes
// filled from the person's page); worker_id is resolved on save.
var (
	expertFields = []fieldSpec{
		f("name", "text", true), {Name: "expert_field", Kind: "select", Required: true, Options: records.ExpertFields},
		f("organisation", "text", false), f("phone", "text", false), f("notes", "textarea", false),
	}
	startupFields = []fieldSpec{
		{Name: "worker_id", Kind: "text", Required: true, Text: "person_idn"},
		f("business", "text", true), f("sector", "text", false), f("started_on", "date", true),
		placeField("place", placeLevels, true), f("jobs_created", "int", false), f("incubator", "text", false),
		f("notes", "textarea", false),
	}
	startupEditFields = startupFields[1:]
	// supportFields: startup_id and expert_id are chosen by name (the form's
	// value is the name; supportSpec maps it to the row).
	supportFields = []fieldSpec{
		{Name: "worker_id", Kind: "text", Required: true, Text: "person_idn"},
		{Name: "startup_id", Kind: "select", Text: "startup_pick"},
		{Name: "support_kind", Kind: "select", Required: true, Options: records.SupportKinds},
		f("amount", "number", false), f("lender", "text", false), f("start_on", "date", true), f("end_on", "date", false),
		{Name: "expert_id", Kind: "select", Text: "expert_pick"}, f("advice", "textarea", false),
		f("notes", "textarea", false),
	}
)

func (s *Server) routesServicesAPI(mux *http.ServeMux) {
	s.routesProgrammes(mux,
		s.labourTable("/api/experts", records.Experts, func() station.ProgrammeRecord { return &records.Expert{} }),
		s.labourTable("/api/startups", records.Startups, func() station.ProgrammeRecord { return &records.Startup{} }),
		s.labourTable("/api/startup-support", records.StartupSupport,
			func() station.ProgrammeRecord { return &records.Support{} }),
		s.labourTable("/api/returns", records.Returns, func() station.ProgrammeRecord { return &records.Return{} }),
		s.labourTable("/api/job-fairs", records.JobFairs, func() station.ProgrammeRecord { return &records.JobFair{} }))
	mux.HandleFunc("GET /api/returnees", s.apiReturnees)
	mux.HandleFunc("GET /api/job-fairs/{id}/postings", s.apiJobFairPostings)
	mux.HandleFunc("PUT /api/workers/{id}/health-check", serveByID(s, func(r *http.Request, id ident.ID,
		in *records.HealthCheck) error {
		return s.st.SaveHealthCheck(r.Context(), id, *in)
	}))
	mux.HandleFunc("GET /api/older-workers", s.apiOlderWorkers)
}

func (s *Server) routesServicesWeb(mux *http.ServeMux) {
	mux.HandleFunc("GET /services", s.pageServices)
	mux.HandleFunc("GET /services/experts", s.pageExperts)
	mux.HandleFunc("GET /services/experts/new", s.pageNewExpert)
	mux.HandleFunc("POST /services/experts/new", s.pageNewExpert)
	// An expert has no page of its own: the edit form goes back to the list.
	mux.HandleFunc("GET /services/experts/{id}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/services/experts", http.StatusSeeOther)
	})
	s.serviceEdit(mux, records.Experts, "edit_expert", "/services/experts/", expertFields,
		func() station.ProgrammeRecord { return &records.Expert{} })
	mux.HandleFunc("GET /services/startups", s.pageStartups)
	mux.HandleFunc("GET /services/startups/new", s.pageNewStartup)
	mux.HandleFunc("POST /services/startups/new", s.pageNewStartup)
	mux.HandleFunc("GET /services/startups/{id}", s.pageStartup)
	s.serviceEdit(mux, records.Startups, "edit_startup", "/services/startups/", startupEditFields,
		func() station.ProgrammeRecord { return &records.Startup{} })
	mux.HandleFunc("GET /services/support/new", s.pageNewSupport)
	mux.HandleFunc("POST /services/support/new", s.pageNewSupport)
	s.routesReturnsWeb(mux)
	s.routesJobFairsWeb(mux)
	s.routesHealthWeb(mux)
}

// serviceEdit serves the edit form of a service table's row at
// base{id}/edit, going back to base{id} (or, with no page of its own, to
// the list: back).
func (s *Server) serviceEdit(mux *http.ServeMux, table, title, base string, spec []fieldSpec,
	newRec func() station.ProgrammeRecord) {
	edit := s.serveEdit(s.programmeEdit(table, title, base, spec, s.labourRecord(table, newRec)))
	mux.HandleFunc("GET "+base+"{id}/edit", edit)
	mux.HandleFunc("POST "+base+"{id}/edit", edit)
}

// serviceLink is one service on the index: its title, where it lives, what
// the station holds of it.
type serviceLink struct {
	ID, Title, Href, Counts string
}

// serviceLinks are the services the index lists, in order: element id,
// link, title key, the table counted (people's rows of the people held).
var serviceLinks = []struct{ id, href, title, table string }{
	{"svc-trainings", "/services/trainings", "trainings", ""},
	{"svc-startups", "/services/startups", "startups_title", records.Startups},
	{"svc-experts", "/services/experts", "experts_title", records.Experts},
	{"svc-returns", "/services/returns", "returns_title", records.Returns},
	{"svc-job-fairs", "/services/job-fairs", "job_fairs_title", records.JobFairs},
	{"svc-older", "/services/older", "older_title", ""},
}

func (s *Server) pageServices(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	var out []serviceLink
	links := serviceLinks
	if s.mayReadRights(r) {
		// Only to staff who may read the cases: to the others the
		// register does not show at all.
		links = append(slices.Clone(links), struct{ id, href, title, table string }{
			"svc-rights", "/services/rights", "rights_cases", ""})
	}
	for _, l := range links {
		sl := serviceLink{ID: l.id, Title: tr(lang, l.title), Href: l.href}
		if l.table != "" {
			page, err := s.st.LabourRows(r.Context(), station.LabourQuery{Table: l.table, Limit: 1})
			if err != nil {
				s.webError(w, r, err)
				return
			}
			sl.Counts = fmt.Sprintf(tr(lang, "services_counts"), page.Total)
		}
		out = append(out, sl)
	}
	s.render(w, r, http.StatusOK, "services", "services", out)
}

func (s *Server) pageExperts(w http.ResponseWriter, r *http.Request) {
	d, err := s.labourList(r, records.Experts, "/services/experts")
	if err != nil {
		s.webError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "experts", "experts_title", d)
}

func (s *Server) pageNewExpert(w http.ResponseWriter, r *http.Request) {
	fv := formView{Action: "/services/experts/new", Back: "/services/experts"}
	if r.Method == http.MethodGet {
		s.showForm(w, r, http.StatusOK, "new_expert", fv, expertFields, url.Values{}, nil, nil)
		return
	}
	var rec records.Expert
	if _, err := s.saveLabourForm(r, records.Experts, expertFields, r.PostForm, &rec, nil); err != nil {
		s.showForm(w, r, formStatus(err), "new_expert", fv, expertFields, r.PostForm, err, nil)
		return
	}
	http.Redirect(w, r, "/services/experts", http.StatusSeeOther)
}

func (s *Server) pageStartups(w http.ResponseWriter, r *http.Request) {
	d, err := s.labourList(r, records.Startups, "/services/startups")
	if err != nil {
		s.webError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "startups", "startups_title", d)
}

func (s *Server) pageNewStartup(w http.ResponseWriter, r *http.Request) {
	fv := formView{Action: "/services/startups/new", Back: "/services/startups"}
	if r.Method == http.MethodGet {
		vals := url.Values{"started_on": {s.st.Today()}}
		s.labourPersonDefault(r, vals)
		s.showForm(w, r, http.StatusOK, "new_startup", fv, startupFields, vals, nil, nil)
		return
	}
	var rec records.Startup
	id, err := s.saveLabourForm(r, records.Startups, startupFields, r.PostForm, &rec, &rec.WorkerID)
	if err != nil {
		s.showForm(w, r, formStatus(err), "new_startup", fv, startupFields, r.PostForm, err, nil)
		return
	}
	http.Redirect(w, r, "/services/startups/"+id.String(), http.StatusSeeOther)
}

func (s *Server) pageStartup(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	d := labourRecordData{}
	if d.Rec, err = s.st.LabourRow(r.Context(), records.Startups, id); err == nil {
		// The start-up's support: its person's, naming it.
		d.People, err = s.st.LabourRows(r.Context(), station.LabourQuery{Table: records.StartupSupport,
			WorkerID: rowText(d.Rec["worker_id"]), Limit: station.MaxLimit})
	}
	if err != nil {
		s.webError(w, r, err)
		return
	}
	var mine []map[string]any
	for _, m := range d.People.Rows {
		if strings.EqualFold(rowText(m["startup_id"]), id.String()) {
			mine = append(mine, m)
		}
	}
	d.People.Rows, d.People.Total = mine, len(mine)
	s.render(w, r, http.StatusOK, "startup", "startup", d)
}

// supportSpec is the support form with the start-ups of the person (when
// known: worker, a hex id) and the county's experts to choose from, by
// name; names maps a chosen name to its row's id (the start-ups' under
// "startup_id", the experts' under "expert_id").
func (s *Server) supportSpec(r *http.Request, worker string) ([]fieldSpec, map[string]map[string]string, error) {
	spec := make([]fieldSpec, len(supportFields))
	copy(spec, supportFields)
	names := map[string]map[string]string{"startup_id": {}, "expert_id": {}}
	experts, err := s.st.LabourRows(r.Context(), station.LabourQuery{Table: records.Experts, Limit: station.MaxLimit})
	if err != nil {
		return nil, nil, err
	}
	var startups *station.LabourPage
	if worker != "" {
		if startups, err = s.st.LabourRows(r.Context(), station.LabourQuery{Table: records.Startups, WorkerID: worker,
			Limit: station.MaxLimit}); err != nil {
			return nil, nil, err
		}
	}
	for i := range spec {
		var rows []map[string]any
		label := func(m map[string]any) string {
			return rowText(m["business"]) + "（" + rowText(m["started_on"]) + "）"
		}
		switch spec[i].Name {
		case "startup_id":
			if startups != nil {
				rows = startups.Rows
			}
		case "expert_id":
			rows = experts.Rows
			label = func(m map[string]any) string { return rowText(m["name"]) + "（" + rowText(m["expert_field"]) + "）" }
		default:
			continue
		}
		for _, m := range rows {
			name := label(m)
			if _, dup := names[spec[i].Name][name]; !dup {
				names[spec[i].Name][name] = rowText(m["id"])
				spec[i].Options = append(spec[i].Options, name)
			}
		}
	}
	return spec, names, nil
}

// supportWorker is the person a support form is for: ?worker= (a worker
// id) on GET, the typed person on POST (a worker id or an id number), as
// a hex id; "" when not known.
func (s *Server) supportWorker(r *http.Request) string {
	v := r.URL.Query().Get("worker")
	if r.Method == http.MethodPost {
		v = r.PostFormValue("worker_id")
	}
	if strings.TrimSpace(v) == "" {
		return ""
	}
	id, err := s.st.PersonNamed(r.Context(), "worker_id", v)
	if err != nil {
		return ""
	}
	return id.String()
}

func (s *Server) pageNewSupport(w http.ResponseWriter, r *http.Request) {
	fv := formView{Action: "/services/support/new", Back: "/services/startups"}
	worker := s.supportWorker(r)
	if worker != "" {
		fv.Back = "/workers/" + worker
	}
	spec, names, err := s.supportSpec(r, worker)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	if r.Method == http.MethodGet {
		vals := url.Values{"start_on": {s.st.Today()}}
		s.labourPersonDefault(r, vals)
		if st := r.URL.Query().Get("startup"); st != "" {
			for name, id := range names["startup_id"] {
				if id == st {
					vals.Set("startup_id", name)
				}
			}
		}
		s.showForm(w, r, http.StatusOK, "new_support", fv, spec, vals, nil, nil)
		return
	}
	var rec records.Support
	err = decodeForm(spec, r.PostForm, &rec)
	for _, ref := range []struct {
		field string
		v     *string
	}{{"startup_id", &rec.StartupID}, {"expert_id", &rec.ExpertID}} {
		if err != nil || *ref.v == "" {
			continue
		}
		if *ref.v = names[ref.field][*ref.v]; *ref.v == "" {
			err = &records.FieldError{Field: ref.field, Key: records.KeyNoProgrammeRow}
		}
	}
	if err == nil {
		var id ident.ID
		if id, err = s.st.PersonNamed(r.Context(), "worker_id", rec.WorkerID); err == nil {
			rec.WorkerID = id.String()
			_, err = s.st.SaveProgramme(r.Context(), records.StartupSupport, ident.Zero, &rec)
		}
	}
	if err != nil {
		s.showForm(w, r, formStatus(err), "new_support", fv, spec, r.PostForm, err, nil)
		return
	}
	http.Redirect(w, r, fv.Back, http.StatusSeeOther)
}

// personServices is the person page's block of start-ups and returns: the
// person's start-ups, the support they got, their returns, and their latest
// health check (due or not).
type personServices struct {
	WorkerID  string
	Startups  []map[string]any
	Support   []map[string]any
	Returns   []map[string]any
	Health    records.HealthCheck
	HealthDue bool
}

func (s *Server) personServices(ctx context.Context, id ident.ID) (*personServices, error) {
	p := &personServices{WorkerID: id.String()}
	for _, t := range []struct {
		table string
		rows  *[]map[string]any
	}{{records.Startups, &p.Startups}, {records.StartupSupport, &p.Support}, {records.Returns, &p.Returns}} {
		page, err := s.st.LabourRows(ctx, station.LabourQuery{Table: t.table, WorkerID: id.String(), Limit: station.MaxLimit})
		if err != nil {
			return nil, err
		}
		*t.rows = page.Rows
	}
	var err error
	if p.Health, err = s.st.HealthCheckOf(ctx, id); err != nil {
		return nil, err
	}
	p.HealthDue = records.HealthCheckDue(p.Health.On, s.st.Now())
	return p, nil
}
