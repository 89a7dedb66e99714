package stationweb

import (
	"net/http"
	"strconv"
	"strings"

	"fieldsync/station"
	"fieldsync/webkit"
)

// Due follow-ups (到期待跟进): their JSON API and the page that lists them,
// each row opening the follow-up form pre-filled for that person
// (station.DueFollowups).

func init() {
	uiText = uiText.With(dueText)
}

var dueText = webkit.Catalogue{
	"due_within":     {"提前天数", "Days ahead"},
	"due_date":       {"应跟进日期", "Due"},
	"due_overdue":    {"逾期天数", "Days overdue"},
	"due_last":       {"上次跟进", "Last follow-up"},
	"due_fill":       {"填写跟进", "Enter follow-up"},
	"due_none":       {"没有到期待跟进的人员", "No one is due for a follow-up"},
	"due_bad_within": {"within（提前天数）应为0至90之间的整数", "within (days ahead) must be a whole number from 0 to 90"},
}

func (s *Server) routesDue(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/followups/due", s.apiDueFollowups)
	mux.HandleFunc("GET /followups/due", s.pageDueFollowups)
}

// dueWithin reads ?within= (days ahead, default 0); ok false when it is not
// a whole number within 0..station.MaxDueWithin.
func dueWithin(r *http.Request) (within int, ok bool) {
	v := strings.TrimSpace(r.URL.Query().Get("within"))
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > station.MaxDueWithin {
		return 0, false
	}
	return n, true
}

// dueList is GET /api/followups/due's answer.
type dueList struct {
	AsOf   string              `json:"as_of"`
	People []station.DuePerson `json:"people"`
}

func (s *Server) apiDueFollowups(w http.ResponseWriter, r *http.Request) {
	within, ok := dueWithin(r)
	if !ok {
		webkit.WriteError(w, http.StatusBadRequest, webkit.ErrorBody{Error: tr(langOf(r), "due_bad_within"), Field: "within"})
		return
	}
	today := s.st.Today()
	people, err := s.st.DueFollowups(r.Context(), today, within)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, dueList{AsOf: today, People: people})
}

type dueData struct {
	AsOf   string
	Within int
	People []station.DuePerson
}

func (s *Server) pageDueFollowups(w http.ResponseWriter, r *http.Request) {
	within, ok := dueWithin(r)
	if !ok {
		s.render(w, r, http.StatusBadRequest, "error", "error", tr(langOf(r), "due_bad_within"))
		return
	}
	today := s.st.Today()
	people, err := s.st.DueFollowups(r.Context(), today, within)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "followups_due", "followups_due", dueData{AsOf: today, Within: within, People: people})
}
