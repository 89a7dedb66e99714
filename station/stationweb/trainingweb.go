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

// Training at the station (培训): the JSON API of courses
// (/api/trainings) and enrolments (/api/training-enrolments), each a
// programmeTable (programmeapi.go); the pages: the courses, a course's page
// (who is enrolled, whether they completed it and the certificate they
// earned, a person search to enrol someone), the course and enrolment
// forms. Every write goes through SaveProgramme, so a refusal is the
// rule's, shown on the field it names.

func init() {
	uiText = uiText.With(trainingText)
	programmePages = append(programmePages, "trainings", "training")
}

var trainingText = webkit.Catalogue{
	"trainings":           {"职业技能培训", "Training"},
	"training":            {"培训课程", "Course"},
	"new_training":        {"新建培训课程", "New course"},
	"edit_training":       {"修改培训课程", "Edit course"},
	"training_kind":       {"培训类型", "Kind of training"},
	"training_enrolled":   {"参训人数", "Enrolled"},
	"training_completed":  {"结业人数", "Completed"},
	"training_certified":  {"取得证书人数", "Certificates"},
	"training_people":     {"参训人员", "People on the course"},
	"training_enrol":      {"报名参训", "Enrol"},
	"edit_enrolment":      {"修改参训记录（结业、证书、补贴）", "Edit enrolment (completion, certificate, subsidy)"},
	"worker_trainings":    {"培训与证书", "Training and certificates"},
	"trained_skills":      {"培训取得", "through training"},
	"training_filter":     {"筛选", "Filter"},
	"gig_kind":            {"用工类型", "Kind of posting"},
	"gig_filter":          {"筛选", "Filter"},
	"training_all_kinds":  {"全部类型", "All kinds"},
	"training_no_subsidy": {"无", "none"},
	"training_subsidy":    {"培训补贴标准（元/人）", "subsidy standard (yuan a person)"},
}

var (
	trainingFields = []fieldSpec{
		f("course", "text", true),
		{Name: "kind", Kind: "select", Required: true, Options: records.TrainingKinds, Text: "training_kind"},
		f("skill", "text", false), f("provider", "text", false), f("start_on", "date", true),
		f("end_on", "date", false), f("place", "text", false),
		{Name: "subsidy", Kind: "number", Text: "training_subsidy"},
		f("notes", "textarea", false),
	}
	enrolmentFields = []fieldSpec{
		f("worker_id", "hidden", true), f("training_id", "hidden", true),
		f("completed", "bool", false), f("completed_on", "date", false),
		{Name: "certificate_kind", Kind: "select", Options: records.CertificateKinds},
		f("certificate_no", "text", false),
		{Name: "certificate_level", Kind: "select", Options: records.CertificateLevels},
		f("subsidy_paid", "number", false), f("paid_on", "date", false),
	}
	enrolmentEditFields = enrolmentFields[2:]
)

// routesTraining serves the training API and pages.
func (s *Server) routesTraining(mux *http.ServeMux) {
	s.routesProgrammes(mux,
		viewedTable("/api/trainings", records.Trainings,
			func(r *http.Request) ([]*station.TrainingView, error) {
				q := r.URL.Query()
				return s.st.Trainings(r.Context(), station.TrainingQuery{Kind: strings.TrimSpace(q.Get("kind")),
					Skill: strings.TrimSpace(q.Get("skill"))})
			},
			s.st.Training, trainingRecord),
		viewedTable("/api/training-enrolments", records.TrainingEnrolments,
			func(r *http.Request) ([]*station.EnrolmentView, error) {
				q, err := s.enrolmentQuery(r)
				if err != nil {
					return nil, err
				}
				return s.st.Enrolments(r.Context(), q)
			},
			s.st.Enrolment, enrolmentRecord))

	mux.HandleFunc("GET /services/trainings", s.pageTrainings)
	newTraining := serveNewProgramme[records.Training](s, newProgramme{table: records.Trainings,
		title: "new_training", action: "/services/trainings/new", back: "/services/trainings",
		base: "/services/trainings/", spec: trainingFields})
	mux.HandleFunc("GET /services/trainings/new", newTraining)
	mux.HandleFunc("POST /services/trainings/new", newTraining)
	mux.HandleFunc("GET /services/trainings/{id}", s.pageTraining)
	editTraining := s.serveEdit(s.programmeEdit(records.Trainings, "edit_training", "/services/trainings/",
		trainingFields, viewRecord(s.st.Training, trainingRecord)))
	mux.HandleFunc("GET /services/trainings/{id}/edit", editTraining)
	mux.HandleFunc("POST /services/trainings/{id}/edit", editTraining)
	mux.HandleFunc("GET /services/trainings/{id}/enrol", s.pageEnrol)
	mux.HandleFunc("POST /services/trainings/{id}/enrol", s.pageEnrol)
	editEnrolment := s.serveEdit(s.programmeEdit(records.TrainingEnrolments, "edit_enrolment",
		"/services/training-enrolments/", enrolmentEditFields, viewRecord(s.st.Enrolment, enrolmentRecord)))
	mux.HandleFunc("GET /services/training-enrolments/{id}/edit", editEnrolment)
	mux.HandleFunc("POST /services/training-enrolments/{id}/edit", editEnrolment)
	mux.HandleFunc("GET /services/training-enrolments/{id}", s.pageEnrolment)
}

// The records the training views hold.
func trainingRecord(v *station.TrainingView) *records.Training { return &v.Training }
func enrolmentRecord(v *station.EnrolmentView) *records.TrainingEnrolment {
	return &v.TrainingEnrolment
}

// enrolmentQuery reads an enrolment list's filters: training_id, worker_id
// (a worker id or id number) and completed=1.
func (s *Server) enrolmentQuery(r *http.Request) (station.EnrolmentQuery, error) {
	v := r.URL.Query()
	q := station.EnrolmentQuery{TrainingID: strings.TrimSpace(v.Get("training_id"))}
	if w := strings.TrimSpace(v.Get("worker_id")); w != "" {
		id, err := s.st.PersonNamed(r.Context(), "worker_id", w)
		if err != nil {
			return q, err
		}
		q.WorkerID = id.String()
	}
	switch strings.TrimSpace(v.Get("completed")) {
	case "", "0", "false":
	case "1", "true":
		q.Completed = true
	default:
		return q, &records.FieldError{Field: "completed", Key: records.KeyEnum, Args: []any{"1、0"}}
	}
	return q, nil
}

type trainingsData struct {
	Trainings []*station.TrainingView
	Kind      string
	Kinds     []string
}

func (s *Server) pageTrainings(w http.ResponseWriter, r *http.Request) {
	kind := strings.TrimSpace(r.URL.Query().Get("kind"))
	ts, err := s.st.Trainings(r.Context(), station.TrainingQuery{Kind: kind})
	if err != nil {
		s.webError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "trainings", "trainings",
		trainingsData{Trainings: ts, Kind: kind, Kinds: records.TrainingKinds})
}

type trainingData struct {
	T      *station.TrainingView
	People []*station.EnrolmentView
	Q      string
	Found  []*station.WorkerView
}

func (s *Server) pageTraining(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	d := trainingData{Q: strings.TrimSpace(r.URL.Query().Get("q"))}
	if d.T, err = s.st.Training(ctx, id); err == nil {
		d.People, err = s.st.Enrolments(ctx, station.EnrolmentQuery{TrainingID: id.String()})
	}
	if err == nil {
		d.Found, err = s.personSearch(ctx, d.Q)
	}
	if err != nil {
		s.webError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "training", "training", d)
}

// pageEnrol is the form enrolling the person ?worker_id= names (on POST,
// the form's) on a course.
func (s *Server) pageEnrol(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	t, err := s.st.Training(ctx, id)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	pid, person, ok := s.formPerson(w, r)
	if !ok {
		return
	}
	title := tr(langOf(r), "training_enrol") + "：" + person.Name + " → " + t.Course
	back := "/services/trainings/" + id.String()
	fv := formView{Action: back + "/enrol", Back: back}
	if r.Method == http.MethodGet {
		vals := url.Values{"worker_id": {pid.String()}, "training_id": {id.String()}}
		s.showForm(w, r, http.StatusOK, title, fv, enrolmentFields, vals, nil, nil)
		return
	}
	form := r.PostForm
	form.Set("training_id", id.String())
	var e records.TrainingEnrolment
	err = decodeForm(enrolmentFields, form, &e)
	if err == nil {
		_, err = s.st.SaveProgramme(ctx, records.TrainingEnrolments, ident.Zero, &e)
	}
	if err != nil {
		s.showForm(w, r, formStatus(err), title, fv, enrolmentFields, form, err, nil)
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// pageEnrolment opens the course an enrolment is on.
func (s *Server) pageEnrolment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	e, err := s.st.Enrolment(r.Context(), id)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	http.Redirect(w, r, "/services/trainings/"+e.TrainingID, http.StatusSeeOther)
}
