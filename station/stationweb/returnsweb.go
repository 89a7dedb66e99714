package stationweb

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"fieldsync/records"
	"fieldsync/station"
	"fieldsync/webkit"
)

// The returnees' pages (返乡人员): the month's returnee list
// (/services/returns?month=, who came back that month, from where, why and
// what they mean to do, with those still to verify this month marked), its
// export (CSV or Excel, like the station's other lists), and the return
// form. The month's returnees also answer GET /api/returnees?month=.

func init() {
	uiText = uiText.With(returnsText)
	pageNames = append(pageNames, "returns")
}

var returnsText = webkit.Catalogue{
	"new_return":                   {"登记返乡", "New return"},
	"returns_month":                {"返乡月份", "Month"},
	"returns_note":                 {"本月返乡人员的就业状态已随返乡改变：请在本月清单中逐一核实并录入本月状态，不能按上月状态确认。", "Returnees' status changed when they came back: enter this month's status for each one on the worklist, not last month's confirmed."},
	"returns_to_verify":            {"本月返乡人员待核实", "Returned this month, to verify"},
	"status_done":                  {"本月状态已录入", "Status entered"},
	"status_todo":                  {"待核实", "To verify"},
	"enter_status":                 {"录入本月状态", "Enter this month's status"},
	"wl_returned_note":             {"本月返乡人员的状态已改变，需逐一录入本月状态（不能按上月确认）", "people back home this month: enter their status, it cannot be confirmed from last month's"},
	"skip_" + station.SkipReturned: {"本月返乡，状态已改变，请逐项填报", "came back home this month: enter the changed status in full"},
	"returns_summary":              {"返乡 %d 人次，其中待核实 %d 人次，有再次外出意向 %d 人次", "%d returns, %d to verify, %d meaning to go out again"},
}

var returnFields = []fieldSpec{
	{Name: "worker_id", Kind: "text", Required: true, Text: "person_idn"},
	f("returned_on", "date", true), f("from_place", "text", true),
	{Name: "return_reason", Kind: "select", Required: true, Options: records.ReturnReasons},
	{Name: "intention", Kind: "select", Required: true, Options: records.ReturnIntentions},
	f("notes", "textarea", false),
}

// ReturneeHeader is the header row of the exported returnee list.
var ReturneeHeader = []string{"序号", "姓名", "公民身份号码", "联系电话", "返乡日期", "返乡前务工地", "返乡原因", "返乡后意向",
	"有意愿外出", "本月状态已录入", "备注"}

func (s *Server) routesReturnsWeb(mux *http.ServeMux) {
	mux.HandleFunc("GET /services/returns", s.pageReturns)
	mux.HandleFunc("GET /services/returns/export", s.exportReturns)
	mux.HandleFunc("GET /services/returns/new", s.pageNewReturn)
	mux.HandleFunc("POST /services/returns/new", s.pageNewReturn)
	// A return has no page of its own: its edit form goes back to its
	// month's list.
	mux.HandleFunc("GET /services/returns/{id}", s.pageReturnMonth)
	s.serviceEdit(mux, records.Returns, "edit_return", "/services/returns/", returnFields[1:],
		func() station.ProgrammeRecord { return &records.Return{} })
}

// pageReturnMonth sends a return's address to the list of its month.
func (s *Server) pageReturnMonth(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var row map[string]any
	if err == nil {
		row, err = s.st.LabourRow(r.Context(), records.Returns, id)
	}
	if err != nil {
		s.webError(w, r, err)
		return
	}
	month := rowText(row["returned_on"])
	if len(month) >= 7 {
		month = month[:7]
	}
	http.Redirect(w, r, "/services/returns?month="+url.QueryEscape(month), http.StatusSeeOther)
}

// returnsMonth is the month a returnee list asks for (?month=, default
// the station's this month).
func (s *Server) returnsMonth(r *http.Request) string {
	if m := strings.TrimSpace(r.URL.Query().Get("month")); m != "" {
		return m
	}
	return s.st.ThisMonth()
}

// returnsData is the month's returnee list page.
type returnsData struct {
	Month     string
	Rows      []returneeRow
	Summary   string
	ThisMonth bool
}

// returneeRow is a returnee as the page shows it (id number and phone
// masked).
type returneeRow struct {
	ID, WorkerID, Name, IDNumber, ReturnedOn, FromPlace, Reason, Intention, Notes string
	StatusDone, WillingAway                                                       bool
}

func (s *Server) pageReturns(w http.ResponseWriter, r *http.Request) {
	month := s.returnsMonth(r)
	list, err := s.st.Returnees(r.Context(), month)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	d := returnsData{Month: month, ThisMonth: month == s.st.ThisMonth()}
	todo, away := 0, 0
	for _, e := range list {
		if !e.StatusDone {
			todo++
		}
		if e.Intention == records.IntentAway {
			away++
		}
		d.Rows = append(d.Rows, returneeRow{ID: e.ID, WorkerID: e.WorkerID, Name: e.Name,
			IDNumber: records.MaskIDNumber(e.IDNumber), ReturnedOn: e.ReturnedOn, FromPlace: e.FromPlace, Reason: e.Reason,
			Intention: e.Intention, Notes: e.Notes, StatusDone: e.StatusDone, WillingAway: e.WillingAway})
	}
	d.Summary = fmt.Sprintf(tr(langOf(r), "returns_summary"), len(list), todo, away)
	s.render(w, r, http.StatusOK, "returns", "returns_title", d)
}

func (s *Server) exportReturns(w http.ResponseWriter, r *http.Request) {
	month := s.returnsMonth(r)
	list, err := s.st.Returnees(r.Context(), month)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	rows := make([][]any, 0, len(list))
	for i, e := range list {
		rows = append(rows, []any{i + 1, e.Name, e.IDNumber, e.Phone, e.ReturnedOn, e.FromPlace, e.Reason, e.Intention,
			yesNo(e.WillingAway), yesNo(e.StatusDone), e.Notes})
	}
	name := fmt.Sprintf("%s-返乡人员名单-%s", s.cfg.Name, month)
	if err := writeTable(w, r.URL.Query().Get("format"), name, ReturneeHeader, rows); err != nil {
		s.log.WarnContext(r.Context(), "export returnees", "err", err)
	}
}

func (s *Server) apiReturnees(w http.ResponseWriter, r *http.Request) {
	month := s.returnsMonth(r)
	list, err := s.st.Returnees(r.Context(), month)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	for i := range list {
		list[i].IDNumber = records.MaskIDNumber(list[i].IDNumber)
	}
	writeJSON(w, http.StatusOK, map[string]any{"month": month, "rows": list, "total": len(list)})
}

func (s *Server) pageNewReturn(w http.ResponseWriter, r *http.Request) {
	fv := formView{Action: "/services/returns/new", Back: "/services/returns"}
	if r.Method == http.MethodGet {
		vals := url.Values{"returned_on": {s.st.Today()}}
		s.labourPersonDefault(r, vals)
		s.showForm(w, r, http.StatusOK, "new_return", fv, returnFields, vals, nil, nil)
		return
	}
	var rec records.Return
	if _, err := s.saveLabourForm(r, records.Returns, returnFields, r.PostForm, &rec, &rec.WorkerID); err != nil {
		s.showForm(w, r, formStatus(err), "new_return", fv, returnFields, r.PostForm, err, nil)
		return
	}
	http.Redirect(w, r, "/services/returns?month="+url.QueryEscape(rec.ReturnedOn[:7]), http.StatusSeeOther)
}
