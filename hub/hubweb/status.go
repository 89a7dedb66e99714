package hubweb

import (
	"encoding/json"
	"fmt"
	"net/http"

	"fieldsync/hub"
)

// serveAPI answers /api/stations: every station's health (hub.StationHealth:
// its status, its place's names, the counts that say whether it needs
// attention), in the overview's order.
func (h *server) serveAPI(w http.ResponseWriter, r *http.Request) {
	st, err := h.StationsHealth(r.Context())
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

var pageTmpl = mustTemplate("page", namedFuncs, true)

// overviewData is the overview's data.
type overviewData struct {
	Stations []healthRow
	// Restored is the database's last restore from a backup, if any.
	Restored *hub.Incarnation
	// Counts for the summary line.
	Online, Silent, Attention, OpenConflicts int
	MaxSkew                                  string
}

// servePage is the county's station health overview. It reloads itself
// (the Refresh header, to /?auto=1: a page refreshing itself does not keep
// the session alive).
func (h *server) servePage(w http.ResponseWriter, r *http.Request) {
	lang := langOf(w, r)
	st, err := h.StationsHealth(r.Context())
	if err != nil {
		h.log.ErrorContext(r.Context(), "station health", "err", err)
		http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
		return
	}
	d := overviewData{Stations: healthRows(lang, h.now(), st), MaxSkew: offset(h.Options().MaxSkew)[1:]}
	if inc, ok := h.LastRestore(); ok {
		d.Restored = &inc
	}
	for _, s := range st {
		if s.Online {
			d.Online++
		}
		if s.Silent && !s.Revoked {
			d.Silent++
		}
		if len(s.Attention) > 0 {
			d.Attention++
		}
	}
	if n, err := h.OpenConflictCount(r.Context()); err == nil {
		d.OpenConflicts = n
	}
	p := h.newPage(r, lang, "health")
	p.Data = d
	w.Header().Set("Refresh", fmt.Sprintf("%d; url=/?auto=1", int(healthRefresh.Seconds())))
	h.render(w, r, pageTmpl, http.StatusOK, p)
}
