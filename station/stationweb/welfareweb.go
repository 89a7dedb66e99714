package stationweb

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/station"
	"fieldsync/webkit"
)

// The pages of 乡村公益性岗位 and 就业帮扶车间: the posts with who holds
// them, a post's page (its placements, a person search to place someone),
// the placement form (the one-year contract, the insurance), a placement's
// page with its monthly assessments; the workshops with who works there,
// and a person's job in one. Every form writes through SaveProgramme, so a
// refusal is the rule's, shown on the field it names.

func init() {
	uiText = uiText.With(welfareText)
	programmePages = append(programmePages, "welfare", "welfare_post", "welfare_placement", "workshops", "workshop")
}

var welfareText = webkit.Catalogue{
	"welfare_posts":          {"乡村公益性岗位", "Village public-welfare posts"},
	"welfare_post":           {"乡村公益性岗位", "Welfare post"},
	"new_welfare_post":       {"新建乡村公益性岗位", "New welfare post"},
	"edit_welfare_post":      {"修改乡村公益性岗位", "Edit welfare post"},
	"post_name":              {"岗位名称", "Post"},
	"post_headcount":         {"定员人数", "Headcount"},
	"placed_now":             {"在岗人数", "Holding it now"},
	"welfare_placements":     {"岗位安置", "Placements"},
	"welfare_place":          {"安置上岗", "Place in post"},
	"welfare_placement":      {"岗位安置记录", "Welfare placement"},
	"edit_welfare_placement": {"修改岗位安置（含退出）", "Edit placement (and exit)"},
	"contracts_ending":       {"本月合同到期", "Contracts ending this month"},
	"placement_active":       {"在岗", "In post"},
	"placement_ended":        {"已离岗", "Left"},
	"state_all":              {"全部", "All"},
	"find_person":            {"查找人员", "Find a person"},
	"find_person_hint":       {"姓名、身份证号或手机号", "name, ID number or phone"},
	"assessments":            {"考核记录", "Assessments"},
	"add_assessment":         {"添加月度考核", "Add a month's assessment"},
	"workshops":              {"就业帮扶车间", "Employment-assistance workshops"},
	"workshop":               {"就业帮扶车间", "Workshop"},
	"new_workshop":           {"新建就业帮扶车间", "New workshop"},
	"edit_workshop":          {"修改就业帮扶车间", "Edit workshop"},
	"workshop_name":          {"车间名称", "Workshop"},
	"workshop_people":        {"车间人员", "People working here"},
	"working_now":            {"在岗人数", "Working now"},
	"lifted_now":             {"其中脱贫人口", "Of them lifted out of poverty"},
	"workshop_add":           {"加入车间", "Add to workshop"},
	"edit_workshop_job":      {"修改车间用工", "Edit workshop job"},
	"programme_list_note":    {"人员上岗后，本月尚无就业状态的，自动记为本月就业。", "A person placed this month who has no status for it is recorded as employed this month."},
}

var (
	welfarePostFields = []fieldSpec{
		{Name: "name", Kind: "text", Required: true, Text: "post_name"}, placeField("village", villageLevels, true),
		{Name: "kind", Kind: "select", Required: true, Options: records.WelfarePostKinds},
		{Name: "headcount", Kind: "int", Required: true, Text: "post_headcount"}, f("subsidy", "number", true),
		f("part_time", "bool", false), f("employer", "text", true), f("start_on", "date", false),
		f("end_on", "date", false), f("notes", "textarea", false),
	}
	placementFields = []fieldSpec{
		f("worker_id", "hidden", true), f("post_id", "hidden", true),
		{Name: "contract_kind", Kind: "select", Required: true, Options: records.ContractKinds},
		f("contract_start", "date", true), f("contract_end", "date", true),
		{Name: "insurance_kind", Kind: "select", Required: true, Options: records.InsuranceKinds},
		f("insurance_policy", "text", false), f("insurance_start", "date", true), f("insurance_end", "date", true),
		f("part_time", "bool", false),
	}
	placementEditFields = append(placementFields[2:len(placementFields):len(placementFields)], f("exit_on", "date", false),
		fieldSpec{Name: "exit_reason", Kind: "select", Options: records.WelfareExitReasons})
	assessmentFields = []fieldSpec{
		f("month", "month", true), {Name: "result", Kind: "select", Required: true, Options: records.AssessmentResults},
		f("other_income", "number", false), f("notes", "textarea", false),
	}
	workshopFields = []fieldSpec{
		{Name: "name", Kind: "text", Required: true, Text: "workshop_name"}, placeField("village", villageLevels, true),
		f("operator", "text", false), f("industry", "text", false), f("recognised_on", "date", false),
		f("contact", "text", false), f("notes", "textarea", false),
	}
	workshopJobFields = []fieldSpec{
		f("worker_id", "hidden", true), f("workshop_id", "hidden", true), f("start_on", "date", true),
		f("end_on", "date", false), f("monthly_wage", "number", false),
	}
	workshopJobEditFields = workshopJobFields[2:]
)

func (s *Server) routesWelfareWeb(mux *http.ServeMux) {
	mux.HandleFunc("GET /programmes/welfare", s.pageWelfare)
	newPost := serveNewProgramme[records.WelfarePost](s, newProgramme{table: records.WelfarePosts,
		title: "new_welfare_post", action: "/programmes/welfare/posts/new", back: "/programmes/welfare",
		base: "/programmes/welfare/posts/", spec: welfarePostFields})
	mux.HandleFunc("GET /programmes/welfare/posts/new", newPost)
	mux.HandleFunc("POST /programmes/welfare/posts/new", newPost)
	mux.HandleFunc("GET /programmes/welfare/posts/{id}", s.pageWelfarePost)
	editPost := s.serveEdit(s.programmeEdit(records.WelfarePosts, "edit_welfare_post", "/programmes/welfare/posts/",
		welfarePostFields, viewRecord(s.st.WelfarePost, postRecord)))
	mux.HandleFunc("GET /programmes/welfare/posts/{id}/edit", editPost)
	mux.HandleFunc("POST /programmes/welfare/posts/{id}/edit", editPost)
	mux.HandleFunc("GET /programmes/welfare/posts/{id}/place", s.pagePlace)
	mux.HandleFunc("POST /programmes/welfare/posts/{id}/place", s.pagePlace)
	mux.HandleFunc("GET /programmes/welfare/placements/{id}", s.pageWelfarePlacement)
	mux.HandleFunc("POST /programmes/welfare/placements/{id}/assess", s.postAssessment)
	editPlacement := s.serveEdit(s.programmeEdit(records.WelfarePlacements, "edit_welfare_placement",
		"/programmes/welfare/placements/", placementEditFields, viewRecord(s.st.WelfarePlacement, placementRecord)))
	mux.HandleFunc("GET /programmes/welfare/placements/{id}/edit", editPlacement)
	mux.HandleFunc("POST /programmes/welfare/placements/{id}/edit", editPlacement)

	mux.HandleFunc("GET /programmes/workshops", s.pageWorkshops)
	newWorkshop := serveNewProgramme[records.Workshop](s, newProgramme{table: records.Workshops, title: "new_workshop",
		action: "/programmes/workshops/new", back: "/programmes/workshops", base: "/programmes/workshops/",
		spec: workshopFields})
	mux.HandleFunc("GET /programmes/workshops/new", newWorkshop)
	mux.HandleFunc("POST /programmes/workshops/new", newWorkshop)
	mux.HandleFunc("GET /programmes/workshops/{id}", s.pageWorkshop)
	editWorkshop := s.serveEdit(s.programmeEdit(records.Workshops, "edit_workshop", "/programmes/workshops/",
		workshopFields, viewRecord(s.st.Workshop, workshopRecord)))
	mux.HandleFunc("GET /programmes/workshops/{id}/edit", editWorkshop)
	mux.HandleFunc("POST /programmes/workshops/{id}/edit", editWorkshop)
	mux.HandleFunc("GET /programmes/workshops/{id}/add", s.pageWorkshopAdd)
	mux.HandleFunc("POST /programmes/workshops/{id}/add", s.pageWorkshopAdd)
	editJob := s.serveEdit(s.programmeEdit(records.WorkshopJobs, "edit_workshop_job", "/programmes/workshop-jobs/",
		workshopJobEditFields, viewRecord(s.st.WorkshopJob, workshopJobRecord)))
	mux.HandleFunc("GET /programmes/workshop-jobs/{id}/edit", editJob)
	mux.HandleFunc("POST /programmes/workshop-jobs/{id}/edit", editJob)
	mux.HandleFunc("GET /programmes/workshop-jobs/{id}", s.pageWorkshopJob)
}

// newProgramme is the form of a new county-wide programme row (a post, a
// workshop): saved, it opens the row's page at base+id.
type newProgramme struct {
	table, title, action, back, base string
	spec                             []fieldSpec
}

func serveNewProgramme[T any, P programmeRecord[T]](s *Server, p newProgramme) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		fv := formView{Action: p.action, Back: p.back}
		if r.Method == http.MethodGet {
			s.showForm(w, r, http.StatusOK, p.title, fv, p.spec, url.Values{}, nil, nil)
			return
		}
		rec := P(new(T))
		var id ident.ID
		err := decodeForm(p.spec, r.PostForm, rec)
		if err == nil {
			id, err = s.st.SaveProgramme(r.Context(), p.table, ident.Zero, rec)
		}
		if err != nil {
			s.showForm(w, r, formStatus(err), p.title, fv, p.spec, r.PostForm, err, nil)
			return
		}
		http.Redirect(w, r, p.base+id.String(), http.StatusSeeOther)
	}
}

// programmeEdit is the edit form of a programme row: the fields of spec
// decoded over the stored record load reads, the whole record written again
// through SaveProgramme (its rules checked again: another station's
// county-wide row is refused, naming station).
func (s *Server) programmeEdit(table, title, base string, spec []fieldSpec, load recordLoader) editPage {
	return editPage{table: table, title: title, base: base, spec: spec,
		load: func(ctx context.Context, id ident.ID) (any, error) { return load(ctx, id) },
		save: func(ctx context.Context, id ident.ID, _ []string, form url.Values) error {
			rec, err := load(ctx, id)
			if err != nil {
				return err
			}
			if err := decodeForm(spec, form, rec); err != nil {
				return err
			}
			_, err = s.st.SaveProgramme(ctx, table, id, rec)
			return err
		}}
}

// personSearch finds people for a programme record's page (?q=): a post, a
// workshop, a work-relief project, an export batch.
func (s *Server) personSearch(ctx context.Context, q string) ([]*station.WorkerView, error) {
	if q == "" {
		return nil, nil
	}
	page, err := s.st.Workers(ctx, station.WorkerQuery{Q: q, Limit: 20})
	if err != nil {
		return nil, err
	}
	return page.Workers, nil
}

type welfareData struct {
	Posts  []*station.WelfarePostView
	Ending []*station.WelfarePlacementView
	Month  string
}

func (s *Server) pageWelfare(w http.ResponseWriter, r *http.Request) {
	posts, err := s.st.WelfarePosts(r.Context())
	if err != nil {
		s.webError(w, r, err)
		return
	}
	ending, err := s.st.WelfarePlacements(r.Context(), station.PlacementQuery{EndingThisMonth: true})
	if err != nil {
		s.webError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "welfare", "welfare_posts", welfareData{Posts: posts, Ending: ending, Month: s.st.Month()})
}

type welfarePostData struct {
	P          *station.WelfarePostView
	Placements []*station.WelfarePlacementView
	State      string
	Q          string
	Found      []*station.WorkerView
}

func (s *Server) pageWelfarePost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	d := welfarePostData{State: r.URL.Query().Get("state"), Q: strings.TrimSpace(r.URL.Query().Get("q"))}
	if d.P, err = s.st.WelfarePost(ctx, id); err == nil {
		d.Placements, err = s.st.WelfarePlacements(ctx, station.PlacementQuery{PostID: id.String(), State: d.State})
	}
	if err == nil {
		d.Found, err = s.personSearch(ctx, d.Q)
	}
	if err != nil {
		s.webError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "welfare_post", "welfare_post", d)
}

// pagePlace is the placement form of a post for the person ?worker_id=
// names (on POST, the form's): the term filled in as a year from today.
func (s *Server) pagePlace(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	post, err := s.st.WelfarePost(ctx, id)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	pid, person, ok := s.formPerson(w, r)
	if !ok {
		return
	}
	title := tr(langOf(r), "welfare_place") + "：" + person.Name + " → " + post.Name
	fv := formView{Action: "/programmes/welfare/posts/" + id.String() + "/place", Back: "/programmes/welfare/posts/" + id.String()}
	if r.Method == http.MethodGet {
		today := s.today()
		last := records.LastContractDay(today)
		vals := url.Values{"worker_id": {pid.String()}, "post_id": {id.String()}, "contract_start": {today},
			"contract_end": {last}, "insurance_start": {today}, "insurance_end": {last}}
		if post.PartTime {
			vals.Set("part_time", "1")
		}
		s.showForm(w, r, http.StatusOK, title, fv, placementFields, vals, nil, nil)
		return
	}
	form := r.PostForm
	form.Set("post_id", id.String())
	var p records.WelfarePlacement
	var newID ident.ID
	err = decodeForm(placementFields, form, &p)
	if err == nil {
		newID, err = s.st.SaveProgramme(ctx, records.WelfarePlacements, ident.Zero, &p)
	}
	if err != nil {
		s.showForm(w, r, formStatus(err), title, fv, placementFields, form, err, nil)
		return
	}
	http.Redirect(w, r, "/programmes/welfare/placements/"+newID.String(), http.StatusSeeOther)
}

type welfarePlacementData struct {
	P           *station.WelfarePlacementView
	Assessments []*station.WelfareAssessmentView
	Form        []fieldView
	Error       string
}

func (s *Server) pageWelfarePlacement(w http.ResponseWriter, r *http.Request) {
	s.showPlacement(w, r, http.StatusOK, url.Values{"month": {s.st.Month()}}, nil)
}

// showPlacement renders a placement's page with its assessments and the
// assessment form (vals typed, err to show on its field).
func (s *Server) showPlacement(w http.ResponseWriter, r *http.Request, status int, vals url.Values, err error) {
	ctx := r.Context()
	id, perr := pathID(r)
	if perr != nil {
		s.webError(w, r, perr)
		return
	}
	d := welfarePlacementData{Form: buildForm(langOf(r), assessmentFields, vals, err, nil)}
	if err != nil {
		d.Error = tr(langOf(r), "fix_errors")
		if fe, ok := records.AsFieldError(err); ok && !hasField(assessmentFields, fe.Field) {
			d.Error = fe.Message(langOf(r))
		}
	}
	var lerr error
	if d.P, lerr = s.st.WelfarePlacement(ctx, id); lerr == nil {
		d.Assessments, lerr = s.st.WelfareAssessments(ctx, id.String())
	}
	if lerr != nil {
		s.webError(w, r, lerr)
		return
	}
	s.render(w, r, status, "welfare_placement", "welfare_placement", d)
}

func hasField(spec []fieldSpec, name string) bool {
	for _, f := range spec {
		if f.Name == name {
			return true
		}
	}
	return false
}

func (s *Server) postAssessment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	p, err := s.st.WelfarePlacement(ctx, id)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	a := records.WelfareAssessment{WorkerID: p.WorkerID, PlacementID: id.String()}
	err = decodeForm(assessmentFields, r.PostForm, &a)
	if err == nil {
		a.WorkerID, a.PlacementID = p.WorkerID, id.String()
		_, err = s.st.SaveProgramme(ctx, records.WelfareAssessments, ident.Zero, &a)
	}
	if err != nil {
		if st := formStatus(err); st >= 500 {
			s.webError(w, r, err)
			return
		}
		s.showPlacement(w, r, formStatus(err), r.PostForm, err)
		return
	}
	http.Redirect(w, r, "/programmes/welfare/placements/"+id.String(), http.StatusSeeOther)
}

type workshopsData struct {
	Workshops []*station.WorkshopView
}

func (s *Server) pageWorkshops(w http.ResponseWriter, r *http.Request) {
	ws, err := s.st.Workshops(r.Context())
	if err != nil {
		s.webError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "workshops", "workshops", workshopsData{Workshops: ws})
}

type workshopData struct {
	K     *station.WorkshopView
	Jobs  []*station.WorkshopJobView
	State string
	Q     string
	Found []*station.WorkerView
}

func (s *Server) pageWorkshop(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	d := workshopData{State: r.URL.Query().Get("state"), Q: strings.TrimSpace(r.URL.Query().Get("q"))}
	if d.K, err = s.st.Workshop(ctx, id); err == nil {
		d.Jobs, err = s.st.WorkshopJobs(ctx, station.WorkshopJobQuery{WorkshopID: id.String(), State: d.State})
	}
	if err == nil {
		d.Found, err = s.personSearch(ctx, d.Q)
	}
	if err != nil {
		s.webError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "workshop", "workshop", d)
}

// pageWorkshopJob opens the workshop a job is in.
func (s *Server) pageWorkshopJob(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	j, err := s.st.WorkshopJob(r.Context(), id)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	http.Redirect(w, r, "/programmes/workshops/"+j.WorkshopID, http.StatusSeeOther)
}

// pageWorkshopAdd is the form adding the person ?worker_id= names to a
// workshop, from today.
func (s *Server) pageWorkshopAdd(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	k, err := s.st.Workshop(ctx, id)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	pid, person, ok := s.formPerson(w, r)
	if !ok {
		return
	}
	title := tr(langOf(r), "workshop_add") + "：" + person.Name + " → " + k.Name
	back := "/programmes/workshops/" + id.String()
	fv := formView{Action: back + "/add", Back: back}
	if r.Method == http.MethodGet {
		vals := url.Values{"worker_id": {pid.String()}, "workshop_id": {id.String()}, "start_on": {s.today()}}
		s.showForm(w, r, http.StatusOK, title, fv, workshopJobFields, vals, nil, nil)
		return
	}
	form := r.PostForm
	form.Set("workshop_id", id.String())
	var j records.WorkshopJob
	err = decodeForm(workshopJobFields, form, &j)
	if err == nil {
		_, err = s.st.SaveProgramme(ctx, records.WorkshopJobs, ident.Zero, &j)
	}
	if err != nil {
		s.showForm(w, r, formStatus(err), title, fv, workshopJobFields, form, err, nil)
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// formPerson reads the person a "add this person" form is for: ?worker_id=
// on GET, the form's worker_id on POST. It answers the request itself
// (not found) and reports false when there is no such person.
func (s *Server) formPerson(w http.ResponseWriter, r *http.Request) (ident.ID, *station.WorkerView, bool) {
	wid := r.URL.Query().Get("worker_id")
	if r.Method == http.MethodPost {
		wid = r.PostFormValue("worker_id")
	}
	pid, err := ident.ParseID(strings.TrimSpace(wid))
	if err != nil {
		s.webError(w, r, station.ErrNotFound)
		return pid, nil, false
	}
	person, err := s.st.Worker(r.Context(), pid)
	if err != nil {
		s.webError(w, r, err)
		return pid, nil, false
	}
	return pid, person, true
}
