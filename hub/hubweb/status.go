package hubweb

import (
	"encoding/json"
	"html/template"
	"net/http"
	"time"

	"fieldsync/hub/access"
)

func (h *server) serveAPI(w http.ResponseWriter, r *http.Request) {
	st, err := h.Status(r.Context())
	if err != nil {
		h.log.Error("station status", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	body := map[string]any{"hub": h.Name(), "stations": st}
	if inc, ok := h.LastRestore(); ok {
		body["restored"] = inc // the database's last restore from a backup
	}
	json.NewEncoder(w).Encode(body)
}

var pageTmpl = mustTemplate("page", template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "从未"
		}
		return inZone(t).Format("2006-01-02 15:04:05")
	},
	"dur": func(d time.Duration) string { return d.Round(time.Millisecond).String() },
}, false)

func (h *server) servePage(w http.ResponseWriter, r *http.Request) {
	st, err := h.Status(r.Context())
	if err != nil {
		h.log.Error("station status", "err", err)
		http.Error(w, "内部错误", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	data := map[string]any{"Hub": h.Name(), "Stations": st}
	if inc, ok := h.LastRestore(); ok {
		data["Restored"] = inc
	}
	if a, ok := access.AdminFrom(r.Context()); ok {
		data["Admin"], data["CSRF"] = a, h.csrfToken(a)
	}
	if err := pageTmpl.Execute(w, data); err != nil {
		h.log.Warn("status page", "err", err)
	}
}
