package stationweb

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"fieldsync/glossary"
	"fieldsync/records"
	"fieldsync/station"
	"fieldsync/webkit"
)

// The month's worklist (本月待核实): its JSON API, the page that confirms
// many unchanged people at once, and the one-person-per-screen mode for
// working down a phone list (station.Worklist, station.ConfirmUnchanged).

func init() {
	// The worklist's words join the station's (i18n.go) here, so that the
	// catalogue there stays as it is.
	uiText = uiText.With(worklistText)
}

var worklistText = webkit.Catalogue{
	"worklist":          {"本月待核实", "To verify this month"},
	"worklist_one":      {"逐人核实", "One by one"},
	"worklist_progress": {"本月核实进度", "Verified this month"},
	"wl_done":           {"已核实", "Verified"},
	"wl_total":          {"应核实", "To verify"},
	"wl_last":           {"上月状态", "Last month"},
	"wl_this":           {"本月状态", "This month"},
	"wl_select_undone":  {"全选未核实", "Select all not verified"},
	"wl_confirm":        {"确认无变化", "Confirm unchanged"},
	"wl_unchanged":      {"无变化", "Unchanged"},
	"wl_changed":        {"有变化", "Changed"},
	"wl_skip":           {"跳过", "Skip"},
	"wl_change":         {"修改", "Change"},
	"wl_new":            {"填报", "Enter"},
	"wl_confirmed":      {"已确认无变化", "Confirmed unchanged"},
	"wl_skipped":        {"未确认", "Not confirmed"},
	"wl_all_done":       {"本月人员已全部核实", "Everyone is verified this month"},
	"wl_none_selected":  {"请先勾选人员", "Select people first"},
	"wl_phone":          {"联系电话", "Phone"},
	"wl_left":           {"剩余", "Left"},

	// Why a confirm left a person alone (station.Skip*).
	"skip_" + station.SkipNoLast:     {"上月无状态", "no status last month"},
	"skip_" + station.SkipDone:       {"本月已核实", "already verified this month"},
	"skip_" + station.SkipNotOwn:     {"非本站人员", "registered at another station"},
	"skip_" + station.SkipUnknown:    {"无此人员", "no such person"},
	"skip_" + station.SkipDuplicated: {"重复", "named twice"},
	"skip_" + station.SkipBadLast:    {"上月状态不完整，请逐项填报", "last month's status is incomplete; enter it in full"},
}

func (s *Server) routesWorklist(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/worklist", s.apiWorklist)
	mux.HandleFunc("POST /api/worklist/confirm", s.apiWorklistConfirm)
	mux.HandleFunc("GET /worklist", s.pageWorklist)
	mux.HandleFunc("POST /worklist/confirm", s.postWorklistConfirm)
	mux.HandleFunc("GET /worklist/one", s.pageWorklistOne)
	mux.HandleFunc("GET /worklist/change", s.worklistChange)
}

// worklistMonth reads ?month= (default: this month in the station's zone).
func (s *Server) worklistMonth(r *http.Request) (string, error) {
	month := strings.TrimSpace(r.URL.Query().Get("month"))
	if month == "" {
		return s.st.ThisMonth(), nil
	}
	if !records.ValidMonth(month) {
		return "", &records.FieldError{Field: "month", Key: records.KeyMonth}
	}
	return month, nil
}

func (s *Server) apiWorklist(w http.ResponseWriter, r *http.Request) {
	month, err := s.worklistMonth(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	wl, err := s.st.Worklist(r.Context(), month)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wl)
}

// confirmView is a confirm's answer with each reason in the request's language.
type confirmView struct {
	Confirmed int           `json:"confirmed"`
	Skipped   []skippedView `json:"skipped"`
}

type skippedView struct {
	WorkerID string `json:"worker_id"`
	Reason   string `json:"reason"`
	Code     string `json:"code"`
}

func viewConfirm(lang string, res *station.ConfirmResult) confirmView {
	out := confirmView{Confirmed: res.Confirmed, Skipped: make([]skippedView, 0, len(res.Skipped))}
	for _, sk := range res.Skipped {
		out.Skipped = append(out.Skipped, skippedView{WorkerID: sk.WorkerID, Reason: tr(lang, "skip_"+sk.Reason), Code: sk.Reason})
	}
	return out
}

func (s *Server) apiWorklistConfirm(w http.ResponseWriter, r *http.Request) {
	var in station.Confirm
	if err := decodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	res, err := s.st.ConfirmUnchanged(r.Context(), in)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewConfirm(langOf(r), res))
}

type worklistData struct {
	List  *station.Worklist
	Prev  string
	Next  string
	Today string
	// By is who verifies: the logged-in user, else the station's contact.
	By      string
	Methods []string
	Method  string
	Result  *confirmView
	Error   string
	// SelectUndone ticks every person not verified who has last month's
	// status (全选未核实: a link, as the station's pages run no script).
	SelectUndone bool
	// Rows are the people as the page's table shows them, summed up here
	// so that 3,000 rows render quickly.
	Rows []worklistRow
}

// worklistRow is one person of the worklist page.
type worklistRow struct {
	ID, Name   string
	Done, Last bool
	LastText   string
	ThisText   string
	Change     string // the link of 有变化/修改/填报 (worklistChange)
}

// statusLine sums a status up on one line: list · scope · form · income.
func statusLine(v *station.StatusView, verified bool) string {
	if v == nil {
		return "—"
	}
	var b strings.Builder
	b.WriteString(glossary.Display(v.ListType))
	if v.WillingAway {
		b.WriteString("+" + records.ListWillingAway)
	}
	for _, x := range []string{v.WorkScope, v.EmploymentForm} {
		if x != "" {
			b.WriteString(" · ")
			b.WriteString(glossary.Display(x))
		}
	}
	if in := v.MonthlyIncome; in != nil && (*in != 0 || v.ListType == records.ListEmployed) {
		b.WriteString(" · ")
		b.WriteString(strconv.FormatFloat(*in, 'f', -1, 64))
	}
	if verified {
		b.WriteString(" (" + glossary.Display(v.VerifiedByMethod) + " " + v.VerifiedAt + ")")
	}
	return b.String()
}

func worklistRows(wl *station.Worklist) []worklistRow {
	out := make([]worklistRow, len(wl.People))
	for i, p := range wl.People {
		out[i] = worklistRow{ID: p.WorkerID, Name: p.Name, Done: p.Status != nil, Last: p.Last != nil,
			LastText: statusLine(p.Last, false), ThisText: statusLine(p.Status, true),
			Change: "/worklist/change?month=" + wl.Month + "&worker=" + p.WorkerID}
	}
	return out
}

// worklistChange opens the monthly-status form of one person pre-filled
// (FormURL): the worklist's rows link here, which keeps each row short.
func (s *Server) worklistChange(w http.ResponseWriter, r *http.Request) {
	d, ok := s.worklistPage(w, r)
	if !ok {
		return
	}
	id := r.URL.Query().Get("worker")
	for _, p := range d.List.People {
		if p.WorkerID == id {
			http.Redirect(w, r, d.FormURL(p), http.StatusSeeOther)
			return
		}
	}
	s.webError(w, r, station.ErrNotFound)
}

func (s *Server) verifier(r *http.Request) string {
	if u := station.LoggedIn(r.Context()); u != "" {
		return u
	}
	return s.cfg.Name
}

// worklistPage reads the worklist of the month a page asks for, answering
// the error page itself when it cannot (ok false).
func (s *Server) worklistPage(w http.ResponseWriter, r *http.Request) (d *worklistData, ok bool) {
	month, err := s.worklistMonth(r)
	if err == nil {
		d, err = s.worklistData(r, month)
	}
	if err != nil {
		s.webError(w, r, err)
		return nil, false
	}
	return d, true
}

func (s *Server) worklistData(r *http.Request, month string) (*worklistData, error) {
	wl, err := s.st.Worklist(r.Context(), month)
	if err != nil {
		return nil, err
	}
	return &worklistData{List: wl, Prev: station.PrevMonth(month), Next: nextMonth(month), Today: s.st.Today(),
		By: s.verifier(r), Methods: records.VerifyMethods, Method: records.VerifyMethods[0]}, nil
}

func nextMonth(month string) string {
	t, err := time.Parse(records.MonthLayout, month)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 1, 0).Format(records.MonthLayout)
}

func (s *Server) pageWorklist(w http.ResponseWriter, r *http.Request) {
	d, ok := s.worklistPage(w, r)
	if !ok {
		return
	}
	d.SelectUndone = r.URL.Query().Get("select") == "undone"
	d.Rows = worklistRows(d.List)
	s.render(w, r, http.StatusOK, "worklist", "worklist", d)
}

// postWorklistConfirm confirms the people ticked on the worklist page (or the
// one person of the one-person page, which then moves on).
func (s *Server) postWorklistConfirm(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	in := station.Confirm{Month: f.Get("month"), WorkerIDs: f["worker_id"], VerifiedByMethod: f.Get("verified_by_method"),
		VerifiedBy: f.Get("verified_by"), VerifiedAt: f.Get("verified_at")}
	one := f.Get("one") != ""
	res, err := s.st.ConfirmUnchanged(r.Context(), in)
	if err == nil && one {
		q := url.Values{"month": {in.Month}, "after": {f.Get("after")}}
		http.Redirect(w, r, "/worklist/one?"+q.Encode(), http.StatusSeeOther)
		return
	}
	month := in.Month
	if !records.ValidMonth(month) {
		month = s.st.ThisMonth()
	}
	d, derr := s.worklistData(r, month)
	if derr != nil {
		s.webError(w, r, derr)
		return
	}
	status := http.StatusOK
	lang := langOf(r)
	if err != nil {
		status, _, d.Error = errorStatus(err, lang)
		if status >= 500 {
			s.webError(w, r, err)
			return
		}
		d.By, d.Today, d.Method = in.VerifiedBy, in.VerifiedAt, in.VerifiedByMethod
	} else {
		v := viewConfirm(lang, res)
		d.Result = &v
	}
	d.Rows = worklistRows(d.List)
	s.render(w, r, status, "worklist", "worklist", d)
}

type worklistOneData struct {
	*worklistData
	Person *station.WorklistPerson
	Left   int
	// After is the person shown: 跳过 moves past them.
	After string
}

// nextUndone picks, in name order, the first person not verified after the
// one whose id is after (wrapping round to the first), and counts those left.
func nextUndone(people []station.WorklistPerson, after string) (*station.WorklistPerson, int) {
	key := func(p *station.WorklistPerson) string { return p.Name + "\x00" + p.WorkerID }
	var afterKey string
	for i := range people {
		if people[i].WorkerID == after {
			afterKey = key(&people[i])
		}
	}
	var first, next *station.WorklistPerson
	left := 0
	for i := range people {
		p := &people[i]
		if p.Status != nil {
			continue
		}
		left++
		if first == nil || key(p) < key(first) {
			first = p
		}
		if afterKey != "" && key(p) > afterKey && (next == nil || key(p) < key(next)) {
			next = p
		}
	}
	if next == nil {
		next = first
	}
	return next, left
}

// pageWorklistOne shows the next person not verified, after the one named by
// ?after= (a worker id: the one skipped or confirmed last), wrapping round.
func (s *Server) pageWorklistOne(w http.ResponseWriter, r *http.Request) {
	d, ok := s.worklistPage(w, r)
	if !ok {
		return
	}
	od := worklistOneData{worklistData: d}
	od.Person, od.Left = nextUndone(d.List.People, r.URL.Query().Get("after"))
	if od.Person != nil {
		od.After = od.Person.WorkerID
	}
	s.render(w, r, http.StatusOK, "worklist_one", "worklist_one", od)
}

// FormURL is the monthly-status form of a person, pre-filled with this
// month's status, else last month's (with today's verification).
func (d *worklistData) FormURL(p station.WorklistPerson) string {
	q := url.Values{"month": {d.List.Month}, "verified_by": {d.By}, "verified_at": {d.Today}}
	src := p.Status
	if src == nil {
		src = p.Last
	}
	if src != nil {
		q.Set("list_type", src.ListType)
		if src.WillingAway {
			q.Set("willing_away", "1")
		}
		for k, v := range map[string]string{"work_scope": src.WorkScope, "place": src.Place, "industry": src.Industry,
			"employment_form": src.EmploymentForm, "monthly_income": incomeText(src.MonthlyIncome, "")} {
			if v != "" {
				q.Set(k, v)
			}
		}
		if p.Status != nil {
			q.Set("verified_by_method", src.VerifiedByMethod)
		}
	}
	return "/workers/" + p.WorkerID + "/monthly-status?" + q.Encode()
}

// NameOf names a person of the list by id ("" when not on it).
func (d *worklistData) NameOf(workerID string) string {
	for _, p := range d.List.People {
		if p.WorkerID == workerID {
			return p.Name
		}
	}
	return workerID
}
