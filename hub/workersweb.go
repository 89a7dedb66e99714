package hub

import (
	"errors"
	"fieldsync/hub/access"
	"html/template"
	"net/http"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// The worker search and the worker page with the record's history.

var workersTmpl = template.Must(template.New("workers").Funcs(webFuncs).Parse(layoutTmpl + `{{template "top" .}}{{$l := .Lang}}
{{with .Data}}<form method="get" action="/workers" id="search"><input name="q" value="{{.Q}}" placeholder="{{tw $l "search_hint"}}" size="30" autofocus>
<button type="submit">{{tw $l "search"}}</button></form>
{{if .Q}}<table id="workers"><tr><th>{{tw $l "name"}}</th><th>{{tw $l "id_number"}}</th><th>{{tw $l "phone"}}</th><th>{{tw $l "station"}}</th></tr>
{{range .List}}<tr><td><a href="/workers/{{.ID}}">{{.Name}}</a></td><td class="mono">{{.IDNumber}}</td><td class="mono">{{.Phone}}</td><td>{{.Station}}</td></tr>
{{else}}<tr><td colspan="4">{{tw $l "none"}}</td></tr>{{end}}</table>{{end}}{{end}}{{template "bottom"}}`))

var workerTmpl = template.Must(template.New("worker").Funcs(webFuncs).Parse(layoutTmpl + `{{template "top" .}}{{$l := .Lang}}
{{with .Data}}<table id="worker">{{range .Columns}}<tr{{if index $.Data.Rec.Conflicts .}} class="err"{{end}}><th>{{label $l .}}</th><td>{{val (index $.Data.Rec.Fields .)}}
{{with index $.Data.Rec.Conflicts .}} — {{tw $l "in_conflict"}}：{{range $i, $v := .}}{{if $i}} / {{end}}{{val $v}}{{end}}{{end}}</td></tr>{{end}}</table>
{{if .Rec.Queue}}<h2>{{tw $l "conflicts"}}</h2><table id="worker-conflicts"><tr><th>#</th><th>{{tw $l "type"}}</th><th>{{tw $l "column"}}</th><th>{{tw $l "values"}}</th><th>{{tw $l "status"}}</th></tr>
{{range .Rec.Queue}}<tr><td><a href="/conflicts/{{.ID}}">{{.ID}}</a></td><td>{{tw $l (printf "k_%s" .Kind)}}</td><td>{{if eq .Kind "field"}}{{.Table}}.{{label $l .Column}}{{else}}{{.Table}}{{end}}</td>
<td>{{range $i, $v := .Values}}{{if $i}} / {{end}}{{val $v.Value}}（{{$v.Station}}）{{end}}</td><td>{{tw $l .Status}}</td></tr>{{end}}</table>{{end}}
<h2>{{tw $l "history"}}</h2>{{template "hist" (arr $l .Hist.RecordHistory)}}
<h2>{{tw $l "children"}}</h2>{{range .Hist.Children}}<h3>{{.Table}} {{.Label}}</h3>{{template "hist" (arr $l .)}}{{else}}<p>{{tw $l "none"}}</p>{{end}}
{{end}}{{template "bottom"}}
{{define "hist"}}{{$l := index . 0}}{{with index . 1}}<table class="history"><tr><th>{{tw $l "at"}}</th><th>{{tw $l "station"}}</th><th>{{tw $l "column"}}</th><th>{{tw $l "value"}}</th></tr>
{{range .Entries}}{{$e := .}}{{range .Fields}}<tr><td>{{when $e.At}}</td><td>{{$e.Station}}{{with $e.By}}（{{.}}）{{end}}</td><td>{{label $l .Column}}{{with .Elem}} {{.}}{{end}}</td>
<td{{if not .Current}} class="dead"{{end}}>{{if .Dead}}—{{else}}{{val .Value}}{{end}}</td></tr>{{end}}{{end}}</table>{{end}}{{end}}`))

// workerColumns are the worker fields the page shows, in order.
var workerColumns = []string{"name", "id_number", "phone", "ethnicity", "hukou_village", "residence_village",
	"education", "labour_ability", "tags", "monitor_type", "skills", "willing_away", "notes", "station"}

// routesWorkerPages adds the worker search and the worker page.
func (h *Hub) routesWorkerPages(mux *http.ServeMux) {
	mux.Handle("GET /workers", h.pageFor(access.PermView, h.pageWorkers))
	mux.Handle("GET /workers/{id}", h.pageFor(access.PermView, h.pageWorker))
}

func (h *Hub) pageWorkers(w http.ResponseWriter, r *http.Request) {
	lang := langOf(w, r)
	p := h.newPage(r, lang, "nav_workers")
	q := r.URL.Query().Get("q")
	list, err := h.SearchWorkers(r.Context(), q)
	status := http.StatusOK
	var re *ResolveError
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

func (h *Hub) pageWorker(w http.ResponseWriter, r *http.Request) {
	lang := langOf(w, r)
	id, err := ident.ParseID(r.PathValue("id"))
	if err != nil {
		http.Error(w, records.Message(lang, records.KeyNoWorker), http.StatusNotFound)
		return
	}
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
	p := h.newPage(r, lang, "worker")
	p.Title += " · " + str(rec.Fields["name"])
	p.Data = map[string]any{"Rec": rec, "Hist": hist, "Columns": workerColumns}
	h.render(w, r, workerTmpl, http.StatusOK, p)
}
