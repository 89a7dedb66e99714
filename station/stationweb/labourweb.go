package stationweb

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/station"
	"fieldsync/webkit"
)

// The pages of the labour programmes: the index of every programme
// (/programmes, with 公益性岗位 and 帮扶车间 linking to their own pages), 共享用工
// (/programmes/shared), 以工代赈 (/programmes/work-relief: projects, a
// project's people and pay), 有组织劳务输出 and 劳务协作 (/programmes/export:
// batches, a batch's people of this station, partner regions). Forms are
// the shared form template; a person is named by id number (or picked
// with the person search), a place with the place picker.

func init() {
	uiText = uiText.With(labourText)
	pageNames = append(pageNames, "programmes", "shared", "relief", "relief_project", "export", "export_batch")
}

var labourText = webkit.Catalogue{
	"programmes":           {"帮扶项目", "Programmes"},
	"programmes_note":      {"各项目的记录只列出本站持有的人员。", "People's records list only the people this station holds."},
	"programme":            {"项目", "Programme"},
	"records_here":         {"本站记录", "Records here"},
	"welfare_posts_title":  {"乡村公益性岗位", "Village public-welfare posts"},
	"workshops_title":      {"就业帮扶车间", "Employment-support workshops"},
	"shared_title":         {"共享用工", "Shared employment"},
	"relief_title":         {"以工代赈", "Work relief"},
	"export_title":         {"有组织劳务输出", "Organised labour export"},
	"regions_title":        {"劳务协作地区", "Partner regions"},
	"posts_placements":     {"岗位 %d 个，在岗安置记录 %d 条", "%d posts, %d placements"},
	"workshops_jobs":       {"车间 %d 个，务工记录 %d 条", "%d workshops, %d jobs"},
	"shared_counts":        {"协议 %d 份，今日在共享 %d 份", "%d agreements, %d running today"},
	"relief_counts":        {"项目 %d 个，务工 %d 人，劳务报酬 %s 元", "%d projects, %d people, %s yuan paid"},
	"export_counts":        {"批次 %d 个，本站输出 %d 人", "%d batches, %d people sent from here"},
	"regions_counts":       {"协作地区 %d 个", "%d partner regions"},
	"new_shared":           {"新增共享用工协议", "New shared-employment agreement"},
	"new_relief_project":   {"新建以工代赈项目", "New work-relief project"},
	"new_relief_job":       {"新增务工人员", "Add a person to the project"},
	"new_export_batch":     {"新建输出批次", "New export batch"},
	"new_partner_region":   {"新增协作地区", "New partner region"},
	"edit_relief_project":  {"修改以工代赈项目", "Edit work-relief project"},
	"edit_export_batch":    {"修改输出批次", "Edit export batch"},
	"relief_project":       {"以工代赈项目", "Work-relief project"},
	"export_batch":         {"输出批次", "Export batch"},
	"person_idn":           {"人员（身份证号）", "Person (ID number)"},
	"people_idns":          {"输出人员（身份证号，每行一个，可不填）", "People sent (ID numbers, one a line; optional)"},
	"project_name":         {"项目名称", "Project name"},
	"region_name":          {"地区名称", "Region name"},
	"people_count":         {"人数", "People"},
	"pay_total":            {"劳务报酬合计（元）", "Pay in total (yuan)"},
	"term":                 {"期限", "Term"},
	"batch_people":         {"本站输出人员", "People sent from this station"},
	"batch_people_note":    {"只列出本站持有的人员；其他站点的输出人员不在此显示。", "Only people this station holds are listed; other stations' people are not shown."},
	"find_people":          {"查找人员", "Find people"},
	"send_person":          {"加入本批次", "Add to batch"},
	"already_sent":         {"已在本批次", "In this batch"},
	"remove":               {"移出", "Remove"},
	"add_job":              {"安排到本项目", "Add to project"},
	"batches":              {"输出批次", "Batches"},
	"maker":                {"录入单位", "Made by"},
	"person_refused":       {"第%d人（%s）：%s", "person %d (%s): %s"},
	"welfare_link":         {"乡村公益性岗位 →", "Welfare posts →"},
	"batch_people_section": {"输出人员", "People sent"},
}

// Forms of the labour programmes. A person is typed as an id number (or
// comes filled from the person search); worker_id is resolved on save.
var (
	sharedFields = []fieldSpec{
		{Name: "worker_id", Kind: "text", Required: true, Text: "person_idn"},
		f("original_employer", "text", true), f("contract_end", "date", true), f("host_employer", "text", true),
		f("start_on", "date", true), f("end_on", "date", true), f("notes", "textarea", false),
	}
	reliefProjectFields = []fieldSpec{
		{Name: "name", Kind: "text", Required: true, Text: "project_name"}, placeField("place", placeLevels, true),
		f("owner", "text", false), f("start_on", "date", true), f("end_on", "date", false),
		f("pay_budget", "number", false), f("notes", "textarea", false),
	}
	reliefJobFields = []fieldSpec{
		f("project_id", "hidden", true), {Name: "worker_id", Kind: "text", Required: true, Text: "person_idn"},
		f("start_on", "date", true), f("end_on", "date", false), f("pay", "number", true), f("paid_on", "date", false),
	}
	exportBatchFields = []fieldSpec{
		f("sent_on", "date", true), f("destination", "text", true), f("employer", "text", false),
		{Name: "partner_region_id", Kind: "select"}, f("labour_brand", "text", false), f("notes", "textarea", false),
		{Name: "people", Kind: "textarea", Text: "people_idns"},
	}
	// exportBatchEditFields: the partner region and the people are not
	// edited on the batch's form (the people on its page).
	exportBatchEditFields = []fieldSpec{
		f("sent_on", "date", true), f("destination", "text", true), f("employer", "text", false),
		f("labour_brand", "text", false), f("notes", "textarea", false),
	}
	partnerRegionFields = []fieldSpec{
		{Name: "name", Kind: "text", Required: true, Text: "region_name"},
		{Name: "kind", Kind: "select", Required: true, Options: records.PartnerKinds}, f("notes", "textarea", false),
	}
)

func (s *Server) routesLabourWeb(mux *http.ServeMux) {
	mux.HandleFunc("GET /programmes", s.pageProgrammes)
	mux.HandleFunc("GET /programmes/shared", s.pageShared)
	mux.HandleFunc("GET /programmes/shared/new", s.pageNewShared)
	mux.HandleFunc("POST /programmes/shared/new", s.pageNewShared)
	mux.HandleFunc("GET /programmes/work-relief", s.pageRelief)
	mux.HandleFunc("GET /programmes/work-relief/new", s.pageNewReliefProject)
	mux.HandleFunc("POST /programmes/work-relief/new", s.pageNewReliefProject)
	mux.HandleFunc("GET /programmes/work-relief/{id}", s.pageReliefProject)
	editProject := s.serveEdit(s.programmeEdit(records.WorkReliefProjects, "edit_relief_project",
		"/programmes/work-relief/", reliefProjectFields, s.labourRecord(records.WorkReliefProjects,
			func() station.ProgrammeRecord { return &records.WorkReliefProject{} })))
	mux.HandleFunc("GET /programmes/work-relief/{id}/edit", editProject)
	mux.HandleFunc("POST /programmes/work-relief/{id}/edit", editProject)
	mux.HandleFunc("GET /programmes/work-relief/{id}/jobs/new", s.pageNewReliefJob)
	mux.HandleFunc("POST /programmes/work-relief/{id}/jobs/new", s.pageNewReliefJob)
	mux.HandleFunc("GET /programmes/export", s.pageExport)
	mux.HandleFunc("GET /programmes/export/batches/new", s.pageNewExportBatch)
	mux.HandleFunc("POST /programmes/export/batches/new", s.pageNewExportBatch)
	mux.HandleFunc("GET /programmes/export/batches/{id}", s.pageExportBatch)
	editBatch := s.serveEdit(s.programmeEdit(records.ExportBatches, "edit_export_batch",
		"/programmes/export/batches/", exportBatchEditFields, s.labourRecord(records.ExportBatches,
			func() station.ProgrammeRecord { return &records.ExportBatch{} })))
	mux.HandleFunc("GET /programmes/export/batches/{id}/edit", editBatch)
	mux.HandleFunc("POST /programmes/export/batches/{id}/edit", editBatch)
	mux.HandleFunc("POST /programmes/export/batches/{id}/people", s.postExportPerson)
	mux.HandleFunc("POST /programmes/export/batches/{id}/people/{worker}/remove", s.postRemoveExportPerson)
	mux.HandleFunc("GET /programmes/export/regions/new", s.pageNewPartnerRegion)
	mux.HandleFunc("POST /programmes/export/regions/new", s.pageNewPartnerRegion)
}

// labourIndexLine is one programme on the index: its title, where it lives,
// what the station holds of it, and its Excel export.
type labourIndexLine struct {
	ID, Title, Href, Counts, XLSX string
}

func (s *Server) pageProgrammes(w http.ResponseWriter, r *http.Request) {
	c, err := s.st.LabourIndex(r.Context())
	if err != nil {
		s.webError(w, r, err)
		return
	}
	lang := langOf(r)
	n := func(t string) int { return c.Tables[t] }
	line := func(id, title, href, table, format string, args ...any) labourIndexLine {
		l := labourIndexLine{ID: id, Title: tr(lang, title), Href: href, Counts: fmt.Sprintf(tr(lang, format), args...)}
		if table != "" {
			l.XLSX = "/programmes/export/" + table + ".xlsx"
		}
		return l
	}
	lines := []labourIndexLine{
		line("prog-welfare", "welfare_posts_title", "/programmes/welfare", records.WelfarePlacements, "posts_placements",
			n(records.WelfarePosts), n(records.WelfarePlacements)),
		line("prog-workshops", "workshops_title", "/programmes/workshops", records.WorkshopJobs, "workshops_jobs",
			n(records.Workshops), n(records.WorkshopJobs)),
		line("prog-shared", "shared_title", "/programmes/shared", records.SharedEmployment, "shared_counts",
			n(records.SharedEmployment), c.SharedActive),
		line("prog-relief", "relief_title", "/programmes/work-relief", records.WorkReliefJobs, "relief_counts",
			n(records.WorkReliefProjects), c.ReliefPeople, strconv.FormatFloat(c.ReliefPay, 'f', -1, 64)),
		line("prog-export", "export_title", "/programmes/export", records.ExportMembers, "export_counts",
			n(records.ExportBatches), c.PeopleSent),
		line("prog-regions", "regions_title", "/programmes/export#regions", records.PartnerRegions, "regions_counts",
			n(records.PartnerRegions)),
	}
	s.render(w, r, http.StatusOK, "programmes", "programmes", lines)
}

// labourListData is a programme's list page: a page of its rows and the pager.
type labourListData struct {
	Page       *station.LabourPage
	Prev, Next string
	// Regions, on the export page, are the partner regions.
	Regions *station.LabourPage
	XLSX    string
}

// labourList reads the page of table the request asks for (?offset=).
func (s *Server) labourList(r *http.Request, table, path string) (labourListData, error) {
	_, offset, err := paging(r)
	if err != nil {
		return labourListData{}, err
	}
	const per = 100
	page, err := s.st.LabourRows(r.Context(), station.LabourQuery{Table: table, Limit: per, Offset: offset})
	if err != nil {
		return labourListData{}, err
	}
	d := labourListData{Page: page, XLSX: "/programmes/export/" + table + ".xlsx"}
	if offset > 0 {
		d.Prev = path + "?offset=" + strconv.Itoa(max(offset-per, 0))
	}
	if offset+per < page.Total {
		d.Next = path + "?offset=" + strconv.Itoa(offset+per)
	}
	return d, nil
}

func (s *Server) pageShared(w http.ResponseWriter, r *http.Request) {
	d, err := s.labourList(r, records.SharedEmployment, "/programmes/shared")
	if err != nil {
		s.webError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "shared", "shared_title", d)
}

// labourPersonDefault fills a form's person from ?worker= (a worker id): the
// person's id number, as staff would type it.
func (s *Server) labourPersonDefault(r *http.Request, vals url.Values) {
	id, err := ident.ParseID(strings.TrimSpace(r.URL.Query().Get("worker")))
	if err != nil {
		return
	}
	if wv, err := s.st.Worker(r.Context(), id); err == nil {
		vals.Set("worker_id", wv.IDNumber)
	}
}

// saveLabourForm decodes form into rec, resolves its person (worker_id,
// typed as an id number or a worker id) when it has one, and saves it.
func (s *Server) saveLabourForm(r *http.Request, table string, spec []fieldSpec, form url.Values,
	rec station.ProgrammeRecord, person *string) (ident.ID, error) {
	if err := decodeForm(spec, form, rec); err != nil {
		return ident.Zero, err
	}
	if person != nil {
		id, err := s.st.PersonNamed(r.Context(), "worker_id", *person)
		if err != nil {
			return ident.Zero, err
		}
		*person = id.String()
	}
	return s.st.SaveProgramme(r.Context(), table, ident.Zero, rec)
}

func (s *Server) pageNewShared(w http.ResponseWriter, r *http.Request) {
	fv := formView{Action: "/programmes/shared/new", Back: "/programmes/shared"}
	if r.Method == http.MethodGet {
		vals := url.Values{"start_on": {s.st.Today()}}
		s.labourPersonDefault(r, vals)
		s.showForm(w, r, http.StatusOK, "new_shared", fv, sharedFields, vals, nil, nil)
		return
	}
	var rec records.SharedJob
	if _, err := s.saveLabourForm(r, records.SharedEmployment, sharedFields, r.PostForm, &rec, &rec.WorkerID); err != nil {
		s.showForm(w, r, formStatus(err), "new_shared", fv, sharedFields, r.PostForm, err, nil)
		return
	}
	http.Redirect(w, r, "/programmes/shared", http.StatusSeeOther)
}

func (s *Server) pageRelief(w http.ResponseWriter, r *http.Request) {
	d, err := s.labourList(r, records.WorkReliefProjects, "/programmes/work-relief")
	if err != nil {
		s.webError(w, r, err)
		return
	}
	d.XLSX = "/programmes/export/" + records.WorkReliefJobs + ".xlsx"
	s.render(w, r, http.StatusOK, "relief", "relief_title", d)
}

func (s *Server) pageNewReliefProject(w http.ResponseWriter, r *http.Request) {
	fv := formView{Action: "/programmes/work-relief/new", Back: "/programmes/work-relief"}
	if r.Method == http.MethodGet {
		s.showForm(w, r, http.StatusOK, "new_relief_project", fv, reliefProjectFields,
			url.Values{"start_on": {s.st.Today()}}, nil, nil)
		return
	}
	var rec records.WorkReliefProject
	id, err := s.saveLabourForm(r, records.WorkReliefProjects, reliefProjectFields, r.PostForm, &rec, nil)
	if err != nil {
		s.showForm(w, r, formStatus(err), "new_relief_project", fv, reliefProjectFields, r.PostForm, err, nil)
		return
	}
	http.Redirect(w, r, "/programmes/work-relief/"+id.String(), http.StatusSeeOther)
}

// labourRecordData is a programme record's page: the record, its people
// (this station's), and the people a search found.
type labourRecordData struct {
	Rec    map[string]any
	People *station.LabourPage
	Q      string
	Found  []foundPerson
	Error  string
}

// findLabourPeople is the person search of a record's page (?q=); member marks
// those already in the record's people.
func (s *Server) findLabourPeople(r *http.Request, d *labourRecordData) error {
	d.Q = strings.TrimSpace(r.URL.Query().Get("q"))
	if d.Q == "" {
		return nil
	}
	found, err := s.personSearch(r.Context(), d.Q)
	if err != nil {
		return err
	}
	in := map[string]bool{}
	for _, m := range d.People.Rows {
		in[strings.ToLower(rowText(m["worker_id"]))] = true
	}
	for _, p := range found {
		d.Found = append(d.Found, foundPerson{W: p, Member: in[p.ID.String()]})
	}
	return nil
}

// rowText is a row value as text ("" for NULL or another type).
func rowText(v any) string {
	s, _ := v.(string)
	return s
}

func (s *Server) pageReliefProject(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	d := labourRecordData{}
	if d.Rec, err = s.st.LabourRow(r.Context(), records.WorkReliefProjects, id); err == nil {
		d.People, err = s.st.LabourRows(r.Context(), station.LabourQuery{Table: records.WorkReliefJobs,
			ProjectID: id.String(), Limit: station.MaxLimit})
	}
	if err == nil {
		err = s.findLabourPeople(r, &d)
	}
	if err != nil {
		s.webError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "relief_project", "relief_project", d)
}

func (s *Server) pageNewReliefJob(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		_, err = s.st.LabourRow(r.Context(), records.WorkReliefProjects, id)
	}
	if err != nil {
		s.webError(w, r, err)
		return
	}
	back := "/programmes/work-relief/" + id.String()
	fv := formView{Action: back + "/jobs/new", Back: back}
	if r.Method == http.MethodGet {
		vals := url.Values{"project_id": {id.String()}, "start_on": {s.st.Today()}}
		s.labourPersonDefault(r, vals)
		s.showForm(w, r, http.StatusOK, "new_relief_job", fv, reliefJobFields, vals, nil, nil)
		return
	}
	form := r.PostForm
	form.Set("project_id", id.String())
	var rec records.WorkReliefJob
	if _, err := s.saveLabourForm(r, records.WorkReliefJobs, reliefJobFields, form, &rec, &rec.WorkerID); err != nil {
		s.showForm(w, r, formStatus(err), "new_relief_job", fv, reliefJobFields, form, err, nil)
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (s *Server) pageExport(w http.ResponseWriter, r *http.Request) {
	d, err := s.labourList(r, records.ExportBatches, "/programmes/export")
	if err == nil {
		d.Regions, err = s.st.LabourRows(r.Context(), station.LabourQuery{Table: records.PartnerRegions, Limit: station.MaxLimit})
	}
	if err != nil {
		s.webError(w, r, err)
		return
	}
	d.XLSX = "/programmes/export/" + records.ExportMembers + ".xlsx"
	s.render(w, r, http.StatusOK, "export", "export_title", d)
}

// exportBatchSpec is the batch form with the partner regions to choose
// from (by name; the form's value is the name).
func (s *Server) exportBatchSpec(r *http.Request) ([]fieldSpec, map[string]string, error) {
	regions, err := s.st.LabourRows(r.Context(), station.LabourQuery{Table: records.PartnerRegions, Limit: station.MaxLimit})
	if err != nil {
		return nil, nil, err
	}
	spec := make([]fieldSpec, len(exportBatchFields))
	copy(spec, exportBatchFields)
	ids := map[string]string{}
	for i := range spec {
		if spec[i].Name != "partner_region_id" {
			continue
		}
		for _, m := range regions.Rows {
			name := rowText(m["name"])
			if _, dup := ids[name]; !dup {
				ids[name] = rowText(m["id"])
				spec[i].Options = append(spec[i].Options, name)
			}
		}
	}
	return spec, ids, nil
}

// batchPersonFormError is a refused person as the form shows it, on the people
// field. (records.Message answers a key it does not know with the key
// itself: the key is the message, already in the form's language.)
func batchPersonFormError(lang string, err error) error {
	var pe *station.BatchPersonError
	if !errors.As(err, &pe) {
		return err
	}
	st, msg := batchPersonMessage(lang, pe)
	if st >= 500 {
		return pe.Err
	}
	return &records.FieldError{Field: "people", Key: msg}
}

func (s *Server) pageNewExportBatch(w http.ResponseWriter, r *http.Request) {
	fv := formView{Action: "/programmes/export/batches/new", Back: "/programmes/export"}
	spec, regionIDs, err := s.exportBatchSpec(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	if r.Method == http.MethodGet {
		s.showForm(w, r, http.StatusOK, "new_export_batch", fv, spec, url.Values{"sent_on": {s.st.Today()}}, nil, nil)
		return
	}
	var rec records.ExportBatch
	err = decodeForm(spec[:len(spec)-1], r.PostForm, &rec)
	var id ident.ID
	if err == nil {
		if name := rec.PartnerRegionID; name != "" {
			rec.PartnerRegionID = regionIDs[name]
			if rec.PartnerRegionID == "" {
				err = &records.FieldError{Field: "partner_region_id", Key: records.KeyNoProgrammeRow}
			}
		}
	}
	if err == nil {
		id, _, err = s.st.SaveExportBatch(r.Context(), ident.Zero, &rec, station.SplitList(r.PostFormValue("people")))
	}
	if err != nil {
		err = batchPersonFormError(langOf(r), err)
		s.showForm(w, r, formStatus(err), "new_export_batch", fv, spec, r.PostForm, err, nil)
		return
	}
	http.Redirect(w, r, "/programmes/export/batches/"+id.String(), http.StatusSeeOther)
}

func (s *Server) pageExportBatch(w http.ResponseWriter, r *http.Request) {
	s.showExportBatch(w, r, http.StatusOK, "")
}

// showExportBatch renders a batch's page, with what went wrong when an
// action on it failed.
func (s *Server) showExportBatch(w http.ResponseWriter, r *http.Request, status int, msg string) {
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	d := labourRecordData{Error: msg}
	if d.Rec, err = s.st.LabourRow(r.Context(), records.ExportBatches, id); err == nil {
		d.People, err = s.st.LabourRows(r.Context(), station.LabourQuery{Table: records.ExportMembers,
			BatchID: id.String(), Limit: station.MaxLimit})
	}
	if err == nil {
		err = s.findLabourPeople(r, &d)
	}
	if err != nil {
		s.webError(w, r, err)
		return
	}
	s.render(w, r, status, "export_batch", "export_batch", d)
}

// exportActionFailed shows the batch again with the refusal; a batch not
// held is the error page.
func (s *Server) exportActionFailed(w http.ResponseWriter, r *http.Request, err error) {
	var status int
	var msg string
	if pe := (*station.BatchPersonError)(nil); errors.As(err, &pe) {
		status, msg = batchPersonMessage(langOf(r), pe)
	} else {
		status, _, msg = errorStatus(err, langOf(r))
	}
	if status >= 500 || status == http.StatusNotFound {
		s.webError(w, r, err)
		return
	}
	s.showExportBatch(w, r, status, msg)
}

func (s *Server) postExportPerson(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	if _, err := s.st.AddExportPeople(r.Context(), id, []string{r.PostFormValue("worker_id")}); err != nil {
		s.exportActionFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/programmes/export/batches/"+id.String(), http.StatusSeeOther)
}

func (s *Server) postRemoveExportPerson(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	wid, err := ident.ParseID(r.PathValue("worker"))
	if err == nil {
		err = s.st.RemoveExportPerson(r.Context(), id, wid)
	}
	if err != nil {
		s.webError(w, r, err)
		return
	}
	http.Redirect(w, r, "/programmes/export/batches/"+id.String(), http.StatusSeeOther)
}

func (s *Server) pageNewPartnerRegion(w http.ResponseWriter, r *http.Request) {
	fv := formView{Action: "/programmes/export/regions/new", Back: "/programmes/export#regions"}
	if r.Method == http.MethodGet {
		s.showForm(w, r, http.StatusOK, "new_partner_region", fv, partnerRegionFields, url.Values{}, nil, nil)
		return
	}
	var rec records.PartnerRegion
	if _, err := s.saveLabourForm(r, records.PartnerRegions, partnerRegionFields, r.PostForm, &rec, nil); err != nil {
		s.showForm(w, r, formStatus(err), "new_partner_region", fv, partnerRegionFields, r.PostForm, err, nil)
		return
	}
	http.Redirect(w, r, "/programmes/export#regions", http.StatusSeeOther)
}
