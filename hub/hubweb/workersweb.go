package hubweb

import (
	"errors"
	"net/http"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// The worker search and the worker page with the record's history.

var workersTmpl = mustTemplate("workers", webFuncs, true)

var workerTmpl = mustTemplate("worker", namedFuncs, true)

// workerColumns are the worker fields the page shows, in order.
var workerColumns = []string{"name", "id_number", "phone", "ethnicity", "hukou_village", "residence_village",
	"education", "labour_ability", "tags", "monitor_type", "skills", "willing_away", "notes", "station"}

// routesWorkerPages adds the worker search and the worker page.
func (h *server) routesWorkerPages(mux *http.ServeMux) {
	mux.Handle("GET /workers", h.pageFor(access.PermView, h.pageWorkers))
	mux.Handle("GET /workers/{id}", h.pageFor(access.PermView, h.pageWorker))
	h.routesAssign(mux)
}

func (h *server) pageWorkers(w http.ResponseWriter, r *http.Request) {
	lang := langOf(w, r)
	p := h.newPage(r, lang, "nav_workers")
	q := r.URL.Query().Get("q")
	list, err := h.SearchWorkers(r.Context(), q)
	status := http.StatusOK
	var re *hub.ResolveError
	switch {
	case errors.As(err, &re):
		p.Error, status = re.Message(lang), re.Status
	case err != nil:
		h.log.ErrorContext(r.Context(), "worker search", "err", err)
		p.Error, status = tr(lang, "internal"), http.StatusInternalServerError
	}
	p.Data = map[string]any{"Q": q, "List": list}
	h.render(w, r, workersTmpl, status, p)
}

func (h *server) pageWorker(w http.ResponseWriter, r *http.Request) {
	lang := langOf(w, r)
	id, err := ident.ParseID(r.PathValue("id"))
	if err != nil {
		http.Error(w, records.Message(lang, records.KeyNoWorker), http.StatusNotFound)
		return
	}
	h.showWorker(w, r, lang, id, http.StatusOK, "")
}

// showWorker renders the worker page, with an error when an action on it
// was refused.
func (h *server) showWorker(w http.ResponseWriter, r *http.Request, lang string, id ident.ID, status int, msg string) {
	rec, err := h.Worker(r.Context(), id)
	if errors.Is(err, replica.ErrNotFound) {
		http.Error(w, records.Message(lang, records.KeyNoWorker), http.StatusNotFound)
		return
	}
	if err != nil {
		h.log.ErrorContext(r.Context(), "worker page", "err", err)
		http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
		return
	}
	hist, err := h.WorkerHistoryOf(r.Context(), id)
	if err != nil && !errors.Is(err, replica.ErrNotFound) {
		h.log.ErrorContext(r.Context(), "worker history", "err", err)
		http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
		return
	}
	if !mayReadRights(r) {
		hub.RecordWithoutRights(&rec)
		hub.WithoutRights(&hist)
	}
	p := h.newPage(r, lang, "worker")
	p.Title += " · " + hub.ValueText(rec.Fields["name"])
	p.Error = msg
	if n := assignNotice(lang, r.URL.Query()); n != "" {
		p.Notice = n
	}
	holders, choices := h.assignData(r, id, p.Admin)
	household, err := h.HouseholdOf(r.Context(), id)
	if err != nil {
		h.log.ErrorContext(r.Context(), "worker household", "err", err)
		http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
		return
	}
	p.Data = map[string]any{"Rec": rec, "Hist": hist, "Columns": workerColumns, "Holders": holders, "AssignTo": choices,
		"Household": household}
	h.render(w, r, workerTmpl, status, p)
}
