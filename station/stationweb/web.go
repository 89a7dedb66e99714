package stationweb

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"fieldsync/glossary"
	"fieldsync/ident"
	"fieldsync/places/placename"
	"fieldsync/places/placesweb"
	"fieldsync/records"
	"fieldsync/release"
	"fieldsync/replica"
	"fieldsync/station"
	"fieldsync/webkit"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

var pageNames = []string{"home", "workers", "worker", "form", "lists", "gigs", "gig", "import", "refusals", "login", "error", "backup"}

// programmePages are the page templates of the placement programmes, each
// programme's file adding its own in init.
var programmePages []string

func parsePages(dates webkit.Dates) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"datetime":  dates.DateTime,
		"mask":      records.MaskIDNumber,
		"maskPhone": records.MaskPhone,
		"join":      func(ss []string) string { return strings.Join(ss, "、") },
		"money":     func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) },
		"income":    func(v *float64) string { return incomeText(v, records.IncomeNotReported) },
		"storedIncome": func(v any) string { // a row's monthly_income: NULL is 未填报
			if v == nil {
				return records.IncomeNotReported
			}
			return displayValue(v)
		},
		"val":          displayValue,
		"add":          func(a, b int) int { return a + b },
		"listCode":     records.ListCode,
		"restoredLine": restoredLine(dates),
		"release":      release.Short,
		"place":        placeOf,
		"recActions":   newRecActions,
	}
	maps.Copy(funcs, glossary.Funcs())
	out := map[string]*template.Template{}
	for _, n := range slices.Concat(pageNames, []string{"worklist", "worklist_one", "followups_due", "households", "household"},
		programmePages) {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/parts_*.html", "templates/"+n+".html")
		if err == nil {
			_, err = t.New("kit-header").Parse(webkit.HeaderTemplate())
		}
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", n, err)
		}
		out[n] = t
	}
	return out, nil
}

// view is what every page template gets.
type view struct {
	Lang  string
	Title string
	CSRF  string
	User  string
	// Station is the station's name, for the header.
	Station string
	Path    string
	Login   bool
	// Fingerprint is the served certificate's, for staff to compare;
	// Insecure warns that the station serves plain HTTP on the network.
	Fingerprint string
	Insecure    bool
	// Refusals counts the changes the county did not accept that still
	// ask something of staff (station.Refusal.Open), for the navigation.
	Refusals int
	Data     any
}

// T translates a UI string.
func (v *view) T(key string) string { return tr(v.Lang, key) }

// L names a field.
func (v *view) L(field string) string { return records.FieldLabel(v.Lang, field) }

// LangURL is the current page in the other language.
func (v *view) LangURL() string { return webkit.OtherLangURL(v.Path, v.Lang) }

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, titleKey string, data any) {
	lang := langOf(r)
	v := &view{Lang: lang, Title: tr(lang, titleKey), Path: r.URL.RequestURI(), Login: s.login, Data: data,
		Fingerprint: s.tlsFP, Insecure: s.insecure, Station: s.cfg.Name}
	v.CSRF, _ = r.Context().Value(ctxCSRF).(string)
	v.User = station.LoggedIn(r.Context())
	if !s.login || v.User != "" {
		v.Refusals = s.openRefusals(r)
	}
	var buf bytes.Buffer
	if err := s.pages[name].Execute(&buf, v); err != nil {
		s.log.ErrorContext(r.Context(), "render page", "page", name, "err", err)
		http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) webError(w http.ResponseWriter, r *http.Request, err error) {
	status, _, msg := errorStatus(err, langOf(r))
	if status >= 500 {
		s.logFailure(r, "page failed", status, err)
	}
	s.render(w, r, status, "error", "error", msg)
}

func (s *Server) routesWeb(mux *http.ServeMux) {
	sub, _ := fs.Sub(staticFS, "static") // the embedded directory exists
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(sub)))
	mux.Handle("GET "+webkit.StylesheetPath, webkit.Stylesheet())
	mux.Handle("GET "+placesweb.PickerPath, placesweb.Picker())
	mux.HandleFunc("GET /{$}", s.pageHome)
	s.routesBackup(mux)
	s.routesWorklist(mux)
	s.routesDue(mux)
	s.routesLedger(mux)
	s.routesHouseholds(mux)
	mux.HandleFunc("GET /login", s.pageLogin)
	mux.HandleFunc("POST /login", s.postLogin)
	mux.HandleFunc("POST /logout", s.postLogout)
	mux.HandleFunc("GET /workers", s.pageWorkers)
	mux.HandleFunc("GET /workers/new", s.pageNewWorker)
	mux.HandleFunc("POST /workers/new", s.pageNewWorker)
	mux.HandleFunc("GET /workers/{id}", s.pageWorker)
	editWorker := s.serveEdit(s.editWorker())
	mux.HandleFunc("GET /workers/{id}/edit", editWorker)
	mux.HandleFunc("POST /workers/{id}/edit", editWorker)
	mux.HandleFunc("GET /workers/{id}/{kind}", s.pageAddRecord)
	mux.HandleFunc("POST /workers/{id}/{kind}", s.pageAddRecord)
	mux.HandleFunc("GET /unemployment/{id}/deregister", s.pageDeregister)
	mux.HandleFunc("POST /unemployment/{id}/deregister", s.pageDeregister)
	mux.HandleFunc("GET /lists", s.pageLists)
	mux.HandleFunc("GET /lists/export", s.exportList)
	mux.HandleFunc("GET /gigs", s.pageGigs)
	mux.HandleFunc("GET /gigs/export", s.exportGigs)
	mux.HandleFunc("GET /gigs/new", s.pageNewGig)
	mux.HandleFunc("POST /gigs/new", s.pageNewGig)
	mux.HandleFunc("GET /gigs/{id}", s.pageGig)
	mux.HandleFunc("GET /gigs/{id}/edit", s.serveGigEdit)
	mux.HandleFunc("POST /gigs/{id}/edit", s.serveGigEdit)
	mux.HandleFunc("POST /gigs/{id}/place", s.postPlace)
	mux.HandleFunc("GET /import", s.pageImport)
	mux.HandleFunc("POST /import", s.postImport)
	mux.HandleFunc("POST /import/monthly", s.postMonthImport)
	mux.HandleFunc("GET /refusals", s.pageRefusals)
}

type homeData struct {
	Name   string
	Admin  bool // may back the station up
	Sync   SyncView
	Counts station.Counts
	Month  string
	Lists  map[string]int
	// Worklist is the month's verification progress (已核实 n / 应核实 m).
	Worklist station.Worklist
}

func (s *Server) pageHome(w http.ResponseWriter, r *http.Request) {
	sv, err := s.syncView(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	c, err := s.st.StationCounts(r.Context())
	if err != nil {
		s.webError(w, r, err)
		return
	}
	month := s.now().Format(records.MonthLayout)
	lc, err := s.st.ListCounts(r.Context(), month)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	wl := station.Worklist{Month: s.st.ThisMonth()}
	wl.Done, wl.Total, err = s.st.WorklistProgress(r.Context(), wl.Month)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "home", "home", homeData{Name: s.cfg.Name, Admin: s.isAdmin(r), Sync: sv, Counts: c, Month: month, Lists: lc, Worklist: wl})
}

func (s *Server) pageLogin(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", "login", "")
}

func (s *Server) postLogin(w http.ResponseWriter, r *http.Request) {
	if s.users == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("user"))
	switch s.checkLogin(r, "web", name, r.PostFormValue("password")) {
	case http.StatusTooManyRequests:
		s.render(w, r, http.StatusTooManyRequests, "login", "login", tr(langOf(r), "locked"))
		return
	case http.StatusUnauthorized:
		s.render(w, r, http.StatusUnauthorized, "login", "login", tr(langOf(r), "login_failed"))
		return
	}
	if err := s.newSession(r.Context(), w, r, name); err != nil {
		s.webError(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) postLogout(w http.ResponseWriter, r *http.Request) {
	s.endSession(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

type workersData struct {
	Q string
	// Category is the 人员类别 chosen (?category=), one of Categories.
	Category   string
	Categories []string
	Page       *station.WorkerPage
	Prev       string
	Next       string
	// Households marks the page's people who are in a household.
	Households map[ident.ID]*station.HouseholdMark
}

// pageLinks makes the pager's links: back to the first page, and on to the
// page after the cursor next.
func pageLinks(base url.Values, path string, notFirst bool, next string) (first, after string) {
	if notFirst {
		first = path + "?" + base.Encode()
	}
	if next != "" {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		q.Set("after", next)
		after = path + "?" + q.Encode()
	}
	return first, after
}

func (s *Server) pageWorkers(w http.ResponseWriter, r *http.Request) {
	_, offset, err := paging(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	after := r.URL.Query().Get("after")
	category := strings.TrimSpace(r.URL.Query().Get("category"))
	page, err := s.st.Workers(r.Context(), station.WorkerQuery{Q: q, Category: category, Limit: 50, Offset: offset, After: after})
	if err != nil {
		s.webError(w, r, err)
		return
	}
	d := workersData{Q: q, Category: category, Categories: station.WorkerCategories(), Page: page}
	base := url.Values{"q": {q}}
	if category != "" {
		base.Set("category", category)
	}
	if d.Households, err = s.householdMarks(r.Context(), page.Workers); err != nil {
		s.webError(w, r, err)
		return
	}
	d.Prev, d.Next = pageLinks(base, "/workers", after != "" || offset > 0, page.Next)
	s.render(w, r, http.StatusOK, "workers", "workers", d)
}

// showForm renders a record form with the values typed and the error to fix.
func (s *Server) showForm(w http.ResponseWriter, r *http.Request, status int, titleKey string, fv formView, spec []fieldSpec,
	vals url.Values, err error, conflicts map[string][]any) {
	lang := langOf(r)
	fv.Title = tr(lang, titleKey)
	fv.Fields = buildForm(lang, spec, vals, err, conflicts)
	if err != nil {
		fe, ok := records.AsFieldError(err)
		var ce *station.ConflictError
		if errors.As(err, &ce) {
			fe, ok = ce.FieldError(), true
			if !ce.ID.IsZero() && ce.Field == "id_number" {
				fv.Existing = "/workers/" + ce.ID.String()
			}
		}
		var pe *placename.Error
		if errors.As(err, &pe) {
			fe, ok = &records.FieldError{Field: pe.Field}, true // its message is on the field
		}
		if !ok {
			s.webError(w, r, err)
			return
		}
		fv.Error = tr(lang, "fix_errors")
		visible := false
		for _, f := range spec {
			if f.Name == fe.Field && f.Kind != "hidden" {
				visible = true
			}
		}
		if !visible {
			fv.Error = fe.Message(lang)
		}
	}
	s.render(w, r, status, "form", titleKey, fv)
}

func formStatus(err error) int {
	st, _, _ := errorStatus(err, "zh")
	return st
}

func (s *Server) pageNewWorker(w http.ResponseWriter, r *http.Request) {
	fv := formView{Action: "/workers/new", Back: "/workers"}
	if r.Method == http.MethodGet {
		s.showForm(w, r, http.StatusOK, "new_worker", fv, workerFields, url.Values{}, nil, nil)
		return
	}
	var in records.Worker
	err := decodeForm(workerFields, r.PostForm, &in)
	var id ident.ID
	if err == nil {
		id, err = s.st.CreateWorker(r.Context(), in)
	}
	if err != nil {
		s.showForm(w, r, formStatus(err), "new_worker", fv, workerFields, r.PostForm, err, nil)
		return
	}
	http.Redirect(w, r, "/workers/"+id.String(), http.StatusSeeOther)
}

type workerData struct {
	W         *station.WorkerView
	Recs      *station.WorkerRecords
	Conflicts map[string][]any
	Settled   map[string]*settledMark
	Matches   []station.Match
	// Trainings are the person's courses, with the certificates earned.
	Trainings []*station.EnrolmentView
	Month     string
	// Household is the person's household, nil when none.
	Household *station.HouseholdView
	// People is the person's start-ups, support, returns and health check
	// (startupsweb.go's block).
	People *personServices
	// Rights are the person's labour-rights cases, nil to a request that
	// may not read them (rightsweb.go).
	Rights *rightsBlock
}

// settledMark marks a field the county hub settled, with the values it
// replaced that the station's log still holds.
type settledMark struct {
	Lang   string
	Values []any
}

// settledByCounty finds the columns of a row whose only value the county hub
// wrote over versions a station recorded, and the values it replaced. The
// hub's site is the writer of the station directory, which only the hub writes.
func (s *Server) settledByCounty(ctx context.Context, lang, table string, id ident.ID) (map[string]*settledMark, error) {
	var dir []byte
	err := s.r.DB().QueryRowContext(ctx, `SELECT id FROM stations LIMIT 1`).Scan(&dir)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find the hub's site: %w", err)
	}
	var dirID ident.ID
	copy(dirID[:], dir)
	dh, err := s.r.Heads(ctx, records.Stations, dirID)
	if err != nil || len(dh) == 0 || len(dh[0].Heads) == 0 {
		return nil, err
	}
	hub := dh[0].Heads[0].Version.Site
	heads, err := s.r.Heads(ctx, table, id)
	if errors.Is(err, replica.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read heads: %w", err)
	}
	repl, err := s.r.Replaced(ctx, table, id)
	if err != nil {
		return nil, fmt.Errorf("read replaced versions: %w", err)
	}
	out := map[string]*settledMark{}
	for _, c := range repl {
		var h *replica.ColumnHeads
		for i := range heads {
			if heads[i].Col == c.Col && heads[i].Elem == "" {
				h = &heads[i]
			}
		}
		if c.Elem != "" || records.Bookkeeping(c.Column) || h == nil || len(h.Heads) != 1 || h.Heads[0].Version.Site != hub {
			continue
		}
		var others []replica.Version
		for _, v := range c.Replaced {
			if v.Site != hub {
				others = append(others, v)
			}
		}
		if len(others) == 0 && len(c.Replaced) < 2 {
			continue
		}
		vals, err := s.r.LoggedValues(ctx, table, id, c.Col, others)
		if err != nil {
			return nil, err
		}
		m := &settledMark{Lang: lang}
		for _, v := range others {
			if x, ok := vals[v]; ok && !slices.ContainsFunc(m.Values, func(y any) bool { return y == x }) {
				m.Values = append(m.Values, x)
			}
		}
		out[c.Column] = m
	}
	return out, nil
}

func (s *Server) pageWorker(w http.ResponseWriter, r *http.Request) {
	d, err := s.workerPage(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "worker", "workers", d)
}

// workerPage gathers what the worker page shows.
func (s *Server) workerPage(r *http.Request) (d workerData, err error) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return d, err
	}
	d.Month = s.now().Format(records.MonthLayout)
	if d.W, err = s.st.Worker(ctx, id); err != nil {
		return d, err
	}
	if d.Recs, err = s.st.Records(ctx, id); err != nil {
		return d, err
	}
	if d.Conflicts, err = s.st.Conflicts(ctx, "workers", id); err != nil {
		return d, err
	}
	if d.Settled, err = s.settledByCounty(ctx, langOf(r), records.Workers, id); err != nil {
		return d, err
	}
	if d.Household, err = s.st.HouseholdOf(ctx, id); err != nil {
		return d, err
	}
	if d.Trainings, err = s.st.Enrolments(ctx, station.EnrolmentQuery{WorkerID: id.String()}); err != nil {
		return d, err
	}
	if d.People, err = s.personServices(ctx, id); err != nil {
		return d, err
	}
	if d.Rights, err = s.personRights(r, id); err != nil {
		return d, err
	}
	d.Matches, err = s.st.WorkerMatches(ctx, id)
	return d, err
}

// editPage is the edit form of one kind of record: GET shows it filled
// with the record as stored, POST saves the columns the form changed and
// goes back to the record's page.
type editPage struct {
	table, title, base string // the records table, the form's title key, the record's page
	spec               []fieldSpec
	load               func(ctx context.Context, id ident.ID) (any, error)
	save               func(ctx context.Context, id ident.ID, fields []string, form url.Values) error
}

func (s *Server) serveEdit(p editPage) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			s.webError(w, r, err)
			return
		}
		rec, err := p.load(r.Context(), id)
		if err != nil {
			s.webError(w, r, err)
			return
		}
		conf, err := s.st.Conflicts(r.Context(), p.table, id)
		if err != nil {
			s.webError(w, r, err)
			return
		}
		fv := formView{Action: p.base + id.String() + "/edit", Back: p.base + id.String()}
		stored := encodeForm(p.spec, rec)
		if r.Method == http.MethodGet {
			s.showForm(w, r, http.StatusOK, p.title, fv, p.spec, stored, nil, conf)
			return
		}
		if err := p.save(r.Context(), id, changedFields(p.spec, stored, r.PostForm), r.PostForm); err != nil {
			s.showForm(w, r, formStatus(err), p.title, fv, p.spec, r.PostForm, err, conf)
			return
		}
		http.Redirect(w, r, p.base+id.String(), http.StatusSeeOther)
	}
}

// editWorker is the worker's edit form. The id number never changes: it
// derives the row id.
func (s *Server) editWorker() editPage {
	spec := workerFields[1:]
	return editPage{table: records.Workers, title: "edit_worker", base: "/workers/", spec: spec,
		load: func(ctx context.Context, id ident.ID) (any, error) {
			wv, err := s.st.Worker(ctx, id)
			if err != nil {
				return nil, err
			}
			return wv.Worker, nil
		},
		save: func(ctx context.Context, id ident.ID, fields []string, form url.Values) error {
			return s.st.UpdateWorker(ctx, id, func(wk *records.Worker) ([]string, error) {
				idn := wk.IDNumber
				if err := decodeForm(spec, form, wk); err != nil {
					return nil, err
				}
				wk.IDNumber = idn
				return fields, nil
			})
		}}
}

// pageAddRecord serves the forms of the records hanging off a worker.
func (s *Server) pageAddRecord(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	kind := r.PathValue("kind")
	var spec []fieldSpec
	var title string
	defaults := url.Values{"worker_id": {id.String()}}
	today := s.st.Today()
	switch kind {
	case "monthly-status":
		spec, title = monthFields, "month_status"
		defaults.Set("month", s.now().Format(records.MonthLayout))
		defaults.Set("verified_at", today)
		user := station.LoggedIn(r.Context())
		defaults.Set("verified_by", user)
	case "unemployment":
		spec, title = unempFields, "unemployment"
		defaults.Set("registered_on", today)
	case "jobseeker":
		spec, title = jobseekerFields, "jobseeker"
		defaults.Set("registered_on", today)
	case "followups":
		spec, title = followupFields, "followups"
		defaults.Set("date", today)
	default:
		s.webError(w, r, station.ErrNotFound)
		return
	}
	if _, err := s.st.Worker(r.Context(), id); err != nil {
		s.webError(w, r, err)
		return
	}
	fv := formView{Action: "/workers/" + id.String() + "/" + kind, Back: "/workers/" + id.String()}
	if r.Method == http.MethodGet {
		if l, willing := records.NormalizeListFlag(r.URL.Query().Get("list")); l != "" {
			defaults.Set("list_type", l)
			if willing {
				defaults.Set("willing_away", "1")
			}
		}
		for _, f := range spec { // pre-filled from the link (the worklist's last month)
			if v := r.URL.Query().Get(f.Name); v != "" && f.Name != "worker_id" {
				defaults.Set(f.Name, v)
			}
		}
		s.showForm(w, r, http.StatusOK, title, fv, spec, defaults, nil, nil)
		return
	}
	form := r.PostForm
	form.Set("worker_id", id.String())
	ctx := r.Context()
	switch kind {
	case "monthly-status":
		var in records.MonthStatus
		if err = decodeForm(spec, form, &in); err == nil {
			_, _, err = s.st.SetMonthStatus(ctx, in)
		}
	case "unemployment":
		var in records.UnemploymentRegistration
		if err = decodeForm(spec, form, &in); err == nil {
			_, err = s.st.AddUnemployment(ctx, in)
		}
	case "jobseeker":
		var in records.JobseekerRegistration
		if err = decodeForm(spec, form, &in); err == nil {
			_, err = s.st.AddJobseeker(ctx, in)
		}
	case "followups":
		var in records.Followup
		if err = decodeForm(spec, form, &in); err == nil {
			_, err = s.st.AddFollowup(ctx, in)
		}
	}
	if err != nil {
		s.showForm(w, r, formStatus(err), title, fv, spec, form, err, nil)
		return
	}
	http.Redirect(w, r, "/workers/"+id.String(), http.StatusSeeOther)
}

func (s *Server) pageDeregister(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	var wid string
	if err := s.r.DB().QueryRowContext(r.Context(), `SELECT worker_id FROM unemployment_registrations
		WHERE id = ? AND fs_deleted = 0`, id[:]).Scan(&wid); err != nil {
		s.webError(w, r, fmt.Errorf("registration %s: %w", id, station.ErrNotFound))
		return
	}
	fv := formView{Action: "/unemployment/" + id.String() + "/deregister", Back: "/workers/" + wid}
	if r.Method == http.MethodGet {
		s.showForm(w, r, http.StatusOK, "deregister", fv, deregFields, url.Values{"deregistered_on": {s.st.Today()}}, nil, nil)
		return
	}
	err = s.st.Deregister(r.Context(), id, strings.TrimSpace(r.PostFormValue("deregistered_on")),
		strings.TrimSpace(r.PostFormValue("deregistration_reason")))
	if err != nil {
		s.showForm(w, r, formStatus(err), "deregister", fv, deregFields, r.PostForm, err, nil)
		return
	}
	http.Redirect(w, r, "/workers/"+wid, http.StatusSeeOther)
}

type listsData struct {
	Month  string
	List   string
	Lists  []string
	Counts map[string]int
	Page   *station.ListPage
	Prev   string
	Next   string
}

func (s *Server) pageLists(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	month := q.Get("month")
	if month == "" {
		month = s.now().Format(records.MonthLayout)
	}
	if !records.ValidMonth(month) {
		s.webError(w, r, &records.FieldError{Field: "month", Key: records.KeyMonth})
		return
	}
	list := records.NormalizeList(q.Get("list"))
	if list == "" {
		list = records.ListEmployed
	}
	_, offset, err := paging(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	counts, err := s.st.ListCounts(r.Context(), month)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	after := q.Get("after")
	page, err := s.st.ListEntriesCounted(r.Context(), month, list, 50, offset, after, counts[list])
	if err != nil {
		s.webError(w, r, err)
		return
	}
	d := listsData{Month: month, List: list, Lists: records.ListTypes, Counts: counts, Page: page}
	d.Prev, d.Next = pageLinks(url.Values{"month": {month}, "list": {records.ListCode(list)}}, "/lists", after != "" || offset > 0, page.Next)
	s.render(w, r, http.StatusOK, "lists", "lists", d)
}

type gigsData struct {
	Status     string
	Kind       string
	SuitsOlder bool
	Kinds      []string
	Page       *station.GigPage
	Prev       string
	Next       string
}

func (s *Server) pageGigs(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("status")
	if status != records.GigOpen && status != records.GigFilled && status != records.GigClosed {
		status = ""
	}
	_, offset, err := paging(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	q, err := gigQuery(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	q.Status, q.Limit, q.Offset = status, 50, offset
	page, err := s.st.FindGigs(r.Context(), q)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	d := gigsData{Status: status, Kind: q.Kind, SuitsOlder: q.SuitsOlder, Kinds: records.GigKinds, Page: page}
	base := url.Values{"status": {status}}
	if q.Kind != "" {
		base.Set("kind", q.Kind)
	}
	if q.SuitsOlder {
		base.Set("suits_older", "1")
	}
	if offset > 0 {
		d.Prev = "/gigs?" + base.Encode()
	}
	if offset+page.Limit < page.Total {
		base.Set("offset", strconv.Itoa(offset+page.Limit))
		d.Next = "/gigs?" + base.Encode()
	}
	s.render(w, r, http.StatusOK, "gigs", "gigs", d)
}

// gigSpec is the gig form with the job fairs the station holds offered
// for job_fair_id.
func (s *Server) gigSpec(ctx context.Context) ([]fieldSpec, error) {
	fairs, err := s.st.JobFairOptions(ctx)
	if err != nil {
		return nil, err
	}
	spec := slices.Clone(gigFields)
	for i := range spec {
		if spec[i].Name != "job_fair_id" {
			continue
		}
		spec[i].OptionLabels = map[string]string{}
		for _, f := range fairs {
			spec[i].Options = append(spec[i].Options, f.ID.String())
			spec[i].OptionLabels[f.ID.String()] = f.HeldOn + " " + f.Title
		}
	}
	return spec, nil
}

func (s *Server) pageNewGig(w http.ResponseWriter, r *http.Request) {
	fv := formView{Action: "/gigs/new", Back: "/gigs"}
	spec, err := s.gigSpec(r.Context())
	if err != nil {
		s.webError(w, r, err)
		return
	}
	if r.Method == http.MethodGet {
		s.showForm(w, r, http.StatusOK, "new_gig", fv, spec,
			url.Values{"status": {records.GigOpen}, "start_date": {s.st.Today()}, "headcount": {"1"},
				"kind": {records.GigKindCasual}}, nil, nil)
		return
	}
	var in records.Gig
	err = decodeForm(spec, r.PostForm, &in)
	var id ident.ID
	if err == nil {
		id, err = s.st.CreateGig(r.Context(), in)
	}
	if err != nil {
		s.showForm(w, r, formStatus(err), "new_gig", fv, spec, r.PostForm, err, nil)
		return
	}
	http.Redirect(w, r, "/gigs/"+id.String(), http.StatusSeeOther)
}

// serveGigEdit serves the gig's edit form (editGig), its job fairs read
// at each request.
func (s *Server) serveGigEdit(w http.ResponseWriter, r *http.Request) {
	spec, err := s.gigSpec(r.Context())
	if err != nil {
		s.webError(w, r, err)
		return
	}
	s.serveEdit(s.editGig(spec))(w, r)
}

// editGig is the gig's edit form of the fields spec.
func (s *Server) editGig(spec []fieldSpec) editPage {
	return editPage{table: records.Gigs, title: "edit_gig", base: "/gigs/", spec: spec,
		load: func(ctx context.Context, id ident.ID) (any, error) {
			g, err := s.st.Gig(ctx, id)
			if err != nil {
				return nil, err
			}
			return g.Gig, nil
		},
		save: func(ctx context.Context, id ident.ID, fields []string, form url.Values) error {
			return s.st.UpdateGig(ctx, id, func(gg *records.Gig) ([]string, error) {
				*gg = records.Gig{}
				return fields, decodeForm(spec, form, gg)
			})
		}}
}

type gigData struct {
	G       *station.GigView
	Matches []station.Match
	Error   string
	// JobFair is the job fair the posting was published at, if the
	// station holds it.
	JobFair *station.JobFairOption
}

func (s *Server) pageGig(w http.ResponseWriter, r *http.Request) {
	s.showGig(w, r, http.StatusOK, "")
}

func (s *Server) showGig(w http.ResponseWriter, r *http.Request, status int, msg string) {
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	g, err := s.st.Gig(r.Context(), id)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	m, err := s.st.GigMatches(r.Context(), id, 50)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	d := gigData{G: g, Matches: m, Error: msg}
	if g.JobFairID != "" {
		fairs, err := s.st.JobFairOptions(r.Context())
		if err != nil {
			s.webError(w, r, err)
			return
		}
		for i := range fairs {
			if fairs[i].ID.String() == g.JobFairID {
				d.JobFair = &fairs[i]
			}
		}
	}
	s.render(w, r, status, "gig", "gigs", d)
}

func (s *Server) postPlace(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	_, err = s.st.Place(r.Context(), records.Placement{GigID: id.String(), WorkerID: r.PostFormValue("worker_id")})
	if err != nil {
		st, _, msg := errorStatus(err, langOf(r))
		if st >= 500 {
			s.webError(w, r, err)
			return
		}
		s.showGig(w, r, st, msg)
		return
	}
	http.Redirect(w, r, "/gigs/"+id.String(), http.StatusSeeOther)
}
