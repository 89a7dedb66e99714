package stationweb

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/station"
	"fieldsync/webkit"
)

// Households (家庭户): their JSON API, the list of the station's
// households, a household's page with its members (adding them by search,
// removing them), and its forms (station.CreateHousehold). 监测对象 and
// 零就业家庭 set on a household show on each member's page and in the
// worker list.

func init() {
	uiText = uiText.With(householdText)
}

var householdText = webkit.Catalogue{
	"households":             {"家庭户", "Households"},
	"household":              {"家庭户", "Household"},
	"new_household":          {"新建家庭户", "New household"},
	"edit_household":         {"修改家庭户", "Edit household"},
	"household_head":         {"户主", "Head of household"},
	"household_members":      {"家庭成员", "Members"},
	"household_count":        {"成员人数", "Members"},
	"household_none":         {"未加入家庭户", "In no household"},
	"household_create":       {"以本人为户主新建家庭户", "New household with this person as head"},
	"household_open":         {"查看家庭户", "Open household"},
	"household_add":          {"加入本户", "Add to household"},
	"household_remove":       {"移出本户", "Remove"},
	"household_find":         {"查找人员加入本户", "Find people to add"},
	"household_find_hint":    {"姓名、身份证号或手机号", "name, ID number or phone"},
	"household_in_other":     {"已属其他家庭户", "In another household"},
	"household_member":       {"已是本户成员", "Member"},
	"households_total":       {"家庭户总数", "Households"},
	"households_zero":        {"零就业家庭户数", "Zero-employment households"},
	"households_monitor":     {"监测对象户数", "Monitored households"},
	"household_monitor":      {"监测对象", "Monitored"},
	"household_not_held":     {"（户主不在本站）", "(head not held here)"},
	"household_members_note": {"只列出本站登记的成员。", "Only the members this station holds are listed."},
}

var (
	householdFields = []fieldSpec{
		f("worker_id", "hidden", true), placeField("village", villageLevels, false),
		{Name: "monitor_type", Kind: "select", Options: records.MonitorTypes},
		f("zero_employment", "bool", false), f("notes", "textarea", false),
	}
	householdEditFields = householdFields[1:]
)

func (s *Server) routesHouseholds(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/households", createHandler(s, s.st.CreateHousehold))
	mux.HandleFunc("GET /api/households", s.apiListHouseholds)
	mux.HandleFunc("GET /api/households/{id}", s.apiGetHousehold)
	mux.HandleFunc("PATCH /api/households/{id}", s.apiPatchHousehold)
	mux.HandleFunc("POST /api/households/{id}/members", s.apiAddMember)
	mux.HandleFunc("DELETE /api/households/{id}/members/{worker}", s.apiRemoveMember)
	mux.HandleFunc("GET /households", s.pageHouseholds)
	mux.HandleFunc("GET /households/new", s.pageNewHousehold)
	mux.HandleFunc("POST /households/new", s.pageNewHousehold)
	mux.HandleFunc("GET /households/{id}", s.pageHousehold)
	edit := s.serveEdit(s.editHousehold())
	mux.HandleFunc("GET /households/{id}/edit", edit)
	mux.HandleFunc("POST /households/{id}/edit", edit)
	mux.HandleFunc("POST /households/{id}/members", s.postAddMember)
	mux.HandleFunc("POST /households/{id}/members/{worker}/remove", s.postRemoveMember)
}

func (s *Server) apiListHouseholds(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := paging(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	page, err := s.st.Households(r.Context(), limit, offset)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) apiGetHousehold(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	h, err := s.st.Household(r.Context(), id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	for i, m := range h.Members {
		h.Members[i] = maskedWorker(m) // as lists show people; the full record is the worker's
	}
	writeJSON(w, http.StatusOK, h)
}

func (s *Server) apiPatchHousehold(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var apply func(rec any) ([]string, error)
		if apply, err = patchBody(w, r); err == nil {
			err = s.st.UpdateHousehold(r.Context(), id, func(h *records.Household) ([]string, error) { return apply(h) })
		}
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": id.String()})
}

func (s *Server) apiAddMember(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var in struct {
		WorkerID string `json:"worker_id"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	if strings.TrimSpace(in.WorkerID) == "" {
		s.apiError(w, r, &records.FieldError{Field: "worker_id", Key: records.KeyRequired})
		return
	}
	if err := s.st.AddHouseholdMember(r.Context(), id, in.WorkerID); err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": id.String(), "worker_id": strings.TrimSpace(in.WorkerID)})
}

func (s *Server) apiRemoveMember(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	wid, err := ident.ParseID(r.PathValue("worker"))
	if err != nil {
		s.apiError(w, r, station.ErrNotFound)
		return
	}
	if err := s.st.RemoveHouseholdMember(r.Context(), id, wid); err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": id.String(), "worker_id": wid.String()})
}

type householdsData struct {
	Page *station.HouseholdPage
	Prev string
	Next string
}

func (s *Server) pageHouseholds(w http.ResponseWriter, r *http.Request) {
	_, offset, err := paging(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	const per = 100
	page, err := s.st.Households(r.Context(), per, offset)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	d := householdsData{Page: page}
	if offset > 0 {
		d.Prev = "/households?offset=" + strconv.Itoa(max(offset-per, 0))
	}
	if offset+per < page.Total {
		d.Next = "/households?offset=" + strconv.Itoa(offset+per)
	}
	s.render(w, r, http.StatusOK, "households", "households", d)
}

// householdData is what a household's page shows: the household, and the
// people a search for new members found.
type householdData struct {
	H     *station.HouseholdView
	Q     string
	Found []foundPerson
	Error string
}

// foundPerson is a search result on the household page, with where they
// stand: already a member, in another household, or free to add.
type foundPerson struct {
	W       *station.WorkerView
	Member  bool
	InOther bool
}

func (s *Server) pageHousehold(w http.ResponseWriter, r *http.Request) {
	s.showHousehold(w, r, http.StatusOK, "")
}

// showHousehold renders a household's page, with an error message when an
// action on it failed.
func (s *Server) showHousehold(w http.ResponseWriter, r *http.Request, status int, msg string) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	h, err := s.st.Household(ctx, id)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	d := householdData{H: h, Q: strings.TrimSpace(r.URL.Query().Get("q")), Error: msg}
	if d.Q != "" {
		page, err := s.st.Workers(ctx, station.WorkerQuery{Q: d.Q, Limit: 20})
		if err != nil {
			s.webError(w, r, err)
			return
		}
		ids := make([]ident.ID, len(page.Workers))
		for i, p := range page.Workers {
			ids[i] = p.ID
		}
		marks, err := s.st.HouseholdMarks(ctx, ids)
		if err != nil {
			s.webError(w, r, err)
			return
		}
		for _, p := range page.Workers {
			m := marks[p.ID]
			d.Found = append(d.Found, foundPerson{W: p, Member: m != nil && m.ID == id, InOther: m != nil && m.ID != id})
		}
	}
	s.render(w, r, status, "household", "household", d)
}

func (s *Server) postAddMember(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	if err := s.st.AddHouseholdMember(r.Context(), id, r.PostFormValue("worker_id")); err != nil {
		s.householdActionFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/households/"+id.String(), http.StatusSeeOther)
}

func (s *Server) postRemoveMember(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	wid, err := ident.ParseID(r.PathValue("worker"))
	if err != nil {
		s.webError(w, r, station.ErrNotFound)
		return
	}
	if err := s.st.RemoveHouseholdMember(r.Context(), id, wid); err != nil {
		s.householdActionFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/households/"+id.String(), http.StatusSeeOther)
}

// householdActionFailed shows the household again with what went wrong
// (a refused member); a household not held is the error page.
func (s *Server) householdActionFailed(w http.ResponseWriter, r *http.Request, err error) {
	status, _, msg := errorStatus(err, langOf(r))
	if status >= 500 || (errors.Is(err, station.ErrNotFound) && r.PathValue("worker") == "") {
		s.webError(w, r, err)
		return
	}
	s.showHousehold(w, r, status, msg)
}

func (s *Server) pageNewHousehold(w http.ResponseWriter, r *http.Request) {
	head := r.URL.Query().Get("head")
	if r.Method == http.MethodPost {
		head = r.PostFormValue("worker_id")
	}
	hid, err := ident.ParseID(strings.TrimSpace(head))
	if err != nil {
		s.webError(w, r, station.ErrNotFound)
		return
	}
	hw, err := s.st.Worker(r.Context(), hid)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	fv := formView{Action: "/households/new", Back: "/workers/" + hid.String()}
	if r.Method == http.MethodGet {
		vals := url.Values{"worker_id": {hid.String()}, "village": {hw.ResidenceVillage}}
		if hw.ResidenceVillage == "" {
			vals.Set("village", hw.HukouVillage)
		}
		vals.Set("monitor_type", hw.MonitorType)
		s.showForm(w, r, http.StatusOK, "new_household", fv, householdFields, vals, nil, nil)
		return
	}
	var in station.HouseholdInput
	err = decodeForm(householdFields, r.PostForm, &in.Household)
	var id ident.ID
	if err == nil {
		id, err = s.st.CreateHousehold(r.Context(), in)
	}
	if err != nil {
		var ce *station.ConflictError
		if errors.As(err, &ce) && !ce.ID.IsZero() {
			fv.Existing = "/households/" + ce.ID.String()
		}
		s.showForm(w, r, formStatus(err), "new_household", fv, householdFields, r.PostForm, err, nil)
		return
	}
	http.Redirect(w, r, "/households/"+id.String(), http.StatusSeeOther)
}

// editHousehold is a household's edit form (the head never changes).
func (s *Server) editHousehold() editPage {
	return editPage{table: records.Households, title: "edit_household", base: "/households/", spec: householdEditFields,
		load: func(ctx context.Context, id ident.ID) (any, error) {
			h, err := s.st.Household(ctx, id)
			if err != nil {
				return nil, err
			}
			return h.Household, nil
		},
		save: func(ctx context.Context, id ident.ID, fields []string, form url.Values) error {
			return s.st.UpdateHousehold(ctx, id, func(h *records.Household) ([]string, error) {
				head := h.WorkerID
				if err := decodeForm(householdEditFields, form, h); err != nil {
					return nil, err
				}
				h.WorkerID = head
				return fields, nil
			})
		}}
}

// householdMarks reads the households of a page of workers (for the badge).
func (s *Server) householdMarks(ctx context.Context, ws []*station.WorkerView) (map[ident.ID]*station.HouseholdMark, error) {
	ids := make([]ident.ID, len(ws))
	for i, w := range ws {
		ids[i] = w.ID
	}
	return s.st.HouseholdMarks(ctx, ids)
}
