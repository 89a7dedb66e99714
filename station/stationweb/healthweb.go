package stationweb

import (
	"net/http"
	"net/url"

	"fieldsync/records"
	"fieldsync/station"
	"fieldsync/webkit"
)

// Health checks and older workers (职业健康体检, 大龄劳动力): the form
// recording a person's latest check (/workers/{id}/health-check, written to
// the worker's row alone), the older workers' page (/services/older, each
// one's last check and 体检到期 when due, ?due=1 for the due ones only) and
// GET /api/older-workers (?due=1) answering the same.

func init() {
	uiText = uiText.With(healthText)
	pageNames = append(pageNames, "older")
}

var healthText = webkit.Catalogue{
	"health_check":      {"职业健康体检", "Occupational health check"},
	"record_check":      {"登记体检", "Record a check"},
	"health_check_due":  {"体检到期", "Check due"},
	"health_never":      {"未体检", "Never checked"},
	"older_note":        {"本站登记的大龄劳动力（男性 %d 岁及以上、女性 %d 岁及以上），职业健康体检满一年或从未体检的标为体检到期。", "This station's older workers (men from %d, women from %d); a check a year old or never done is due."},
	"older_due_only":    {"只看体检到期", "Due only"},
	"older_all":         {"全部", "All"},
	"older_summary":     {"大龄劳动力 %d 人，体检到期 %d 人", "%d older workers, %d due a check"},
	"last_health_check": {"最近一次体检", "Last check"},
}

var healthFields = []fieldSpec{
	f("health_check_on", "date", true),
	{Name: "health_check_result", Kind: "select", Required: true, Options: records.HealthResults},
}

func (s *Server) routesHealthWeb(mux *http.ServeMux) {
	mux.HandleFunc("GET /workers/{id}/health-check", s.pageHealthCheck)
	mux.HandleFunc("POST /workers/{id}/health-check", s.pageHealthCheck)
	mux.HandleFunc("GET /services/older", s.pageOlder)
}

func (s *Server) pageHealthCheck(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	back := "/workers/" + id.String()
	fv := formView{Action: back + "/health-check", Back: back}
	if r.Method == http.MethodGet {
		hc, err := s.st.HealthCheckOf(r.Context(), id)
		if err != nil {
			s.webError(w, r, err)
			return
		}
		vals := url.Values{"health_check_on": {hc.On}, "health_check_result": {hc.Result}}
		if hc.On == "" {
			vals.Set("health_check_on", s.st.Today())
		}
		s.showForm(w, r, http.StatusOK, "health_check", fv, healthFields, vals, nil, nil)
		return
	}
	var hc records.HealthCheck
	err = decodeForm(healthFields, r.PostForm, &hc)
	if err == nil {
		err = s.st.SaveHealthCheck(r.Context(), id, hc)
	}
	if err != nil {
		s.showForm(w, r, formStatus(err), "health_check", fv, healthFields, r.PostForm, err, nil)
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// olderData is the older workers' page.
type olderData struct {
	People  []station.OlderWorker
	DueOnly bool
	Due     int
	All     int
	Male    int
	Female  int
}

func (s *Server) pageOlder(w http.ResponseWriter, r *http.Request) {
	dueOnly := r.URL.Query().Get("due") == "1"
	list, all, due, err := s.st.OlderWorkers(r.Context(), dueOnly)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	o := s.st.Config().Older
	s.render(w, r, http.StatusOK, "older", "older_title", olderData{People: list, DueOnly: dueOnly, Due: due, All: all,
		Male: o.Male, Female: o.Female})
}

func (s *Server) apiOlderWorkers(w http.ResponseWriter, r *http.Request) {
	list, all, due, err := s.st.OlderWorkers(r.Context(), r.URL.Query().Get("due") == "1")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	for i := range list {
		list[i].IDNumber = records.MaskIDNumber(list[i].IDNumber)
	}
	writeJSON(w, http.StatusOK, map[string]any{"rows": list, "total": len(list), "older": all, "due": due})
}
