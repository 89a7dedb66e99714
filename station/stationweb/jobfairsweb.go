package stationweb

import (
	"context"
	"net/http"
	"net/url"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/station"
	"fieldsync/webkit"
)

// The recruitment events' pages (招聘活动, county-wide): the list
// (/services/job-fairs), the form, and a fair's page listing the postings
// published there (the gigs and regular jobs naming it) with their kind and
// whether they suit older workers. GET /api/job-fairs/{id}/postings
// answers the same postings.

func init() {
	uiText = uiText.With(jobFairsText)
	pageNames = append(pageNames, "job_fairs", "job_fair")
}

var jobFairsText = webkit.Catalogue{
	"new_job_fair":     {"新增招聘活动", "New recruitment event"},
	"edit_job_fair":    {"修改招聘活动", "Edit recruitment event"},
	"job_fair":         {"招聘活动", "Recruitment event"},
	"fair_title":       {"活动名称", "Title"},
	"fair_postings":    {"发布的岗位", "Postings published"},
	"fair_posted":      {"已发布岗位", "Posted here"},
	"fair_postings_no": {"尚无岗位标明发布于本活动。发布零工或全职岗位时选择本活动即可列在此处。", "No posting names this event yet: choose it when posting a gig or job."},
	"posting_kind":     {"岗位类型", "Kind"},
	"suits_older_yes":  {"适合大龄", "Suits older workers"},
}

var jobFairFields = []fieldSpec{
	{Name: "title", Kind: "text", Required: true, Text: "fair_title"},
	{Name: "fair_kind", Kind: "select", Required: true, Options: records.JobFairKinds},
	f("held_on", "date", true), f("end_on", "date", false), f("place", "text", true), f("organiser", "text", false),
	f("employers", "int", false), f("postings", "int", false), f("attendees", "int", false),
	f("agreements", "int", false), f("notes", "textarea", false),
}

func (s *Server) routesJobFairsWeb(mux *http.ServeMux) {
	mux.HandleFunc("GET /services/job-fairs", s.pageJobFairs)
	mux.HandleFunc("GET /services/job-fairs/new", s.pageNewJobFair)
	mux.HandleFunc("POST /services/job-fairs/new", s.pageNewJobFair)
	mux.HandleFunc("GET /services/job-fairs/{id}", s.pageJobFair)
	s.serviceEdit(mux, records.JobFairs, "edit_job_fair", "/services/job-fairs/", jobFairFields,
		func() station.ProgrammeRecord { return &records.JobFair{} })
}

func (s *Server) pageJobFairs(w http.ResponseWriter, r *http.Request) {
	d, err := s.labourList(r, records.JobFairs, "/services/job-fairs")
	if err != nil {
		s.webError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "job_fairs", "job_fairs_title", d)
}

func (s *Server) pageNewJobFair(w http.ResponseWriter, r *http.Request) {
	fv := formView{Action: "/services/job-fairs/new", Back: "/services/job-fairs"}
	if r.Method == http.MethodGet {
		s.showForm(w, r, http.StatusOK, "new_job_fair", fv, jobFairFields, url.Values{"held_on": {s.st.Today()}}, nil, nil)
		return
	}
	var rec records.JobFair
	id, err := s.saveLabourForm(r, records.JobFairs, jobFairFields, r.PostForm, &rec, nil)
	if err != nil {
		s.showForm(w, r, formStatus(err), "new_job_fair", fv, jobFairFields, r.PostForm, err, nil)
		return
	}
	http.Redirect(w, r, "/services/job-fairs/"+id.String(), http.StatusSeeOther)
}

// jobFairData is a fair's page: the fair and its postings.
type jobFairData struct {
	Rec      map[string]any
	Postings []map[string]any
	// Mine: this station made the fair (only its maker edits it).
	Mine bool
}

// jobFair reads a fair and the postings naming it.
func (s *Server) jobFair(ctx context.Context, id ident.ID) (jobFairData, error) {
	var d jobFairData
	var err error
	if d.Rec, err = s.st.LabourRow(ctx, records.JobFairs, id); err != nil {
		return d, err
	}
	d.Mine = rowText(d.Rec["station"]) == s.cfg.Name
	d.Postings, err = s.st.JobFairPostings(ctx, id)
	return d, err
}

func (s *Server) pageJobFair(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var d jobFairData
	if err == nil {
		d, err = s.jobFair(r.Context(), id)
	}
	if err != nil {
		s.webError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "job_fair", "job_fair", d)
}

func (s *Server) apiJobFairPostings(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var d jobFairData
	if err == nil {
		d, err = s.jobFair(r.Context(), id)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	for _, m := range d.Postings {
		m["suits_older"] = m["suits_older"] == int64(1)
	}
	writeJSON(w, http.StatusOK, map[string]any{"rows": d.Postings, "total": len(d.Postings)})
}
