package hubweb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/records"
	"fieldsync/webkit"
)

// Labour-rights cases (劳动权益维护) at the county: the list of every
// station's cases (filtered by status, kind and station) and its .xlsx
// export, both for administrators holding access.PermRights (the owner and
// the rights officer). Everywhere else a case is hidden from those without
// it: a person's history leaves their cases out (hub.WithoutRights), the
// conflict queue and API leave out the conflicts on cases, and a case's
// conflict, history or resolution asked for by id answers 403 with the
// rights_hidden message.

func init() {
	hubText = hubText.With(rightsText)
}

var rightsText = webkit.Catalogue{
	"rights_title":    {"劳动权益维护", "Labour-rights cases"},
	"rights_open":     {"未办结", "Not closed"},
	"rights_all":      {"全部", "All"},
	"rights_worker":   {"姓名", "Name"},
	"rights_show":     {"查看", "Show"},
	"rights_count":    {"共 %d 件", "%d cases"},
	"rights_filename": {"劳动权益维护案件", "labour-rights cases"},
	"rights_outcome":  {"处理结果", "Outcome"},
}

var rightsTmpl = mustTemplate("rights", webFuncs, true)

// mayReadRights says whether the request's administrator holds PermRights.
func mayReadRights(r *http.Request) bool {
	a, ok := access.AdminFrom(r.Context())
	return ok && a.Role.Can(access.PermRights)
}

// hiddenTables are the tables whose rows the request's administrator may
// not see (for a conflict filter).
func hiddenTables(r *http.Request) []string {
	if mayReadRights(r) {
		return nil
	}
	return []string{records.RightsCases}
}

// rightsHidden says whether table's rows are hidden from the request's
// administrator.
func rightsHidden(r *http.Request, table string) bool {
	return table == records.RightsCases && !mayReadRights(r)
}

// rightsHiddenText is the rights_hidden message.
func rightsHiddenText(lang string) string { return records.Message(lang, records.KeyRightsHidden) }

// conflictHidden says whether conflict id is on a row hidden from the
// request's administrator (an unknown id is not: it answers 404 later).
func (h *server) conflictHidden(ctx context.Context, r *http.Request, id int64) bool {
	if mayReadRights(r) {
		return false
	}
	c, err := h.Conflict(ctx, id)
	return err == nil && c.Table == records.RightsCases
}

// visibleConflicts splits ids into those the request's administrator may
// resolve and refusals of the others (rights_hidden), for a bulk resolution.
func (h *server) visibleConflicts(r *http.Request, ids []int64, lang string) ([]int64, []hub.BulkResult) {
	if mayReadRights(r) {
		return ids, nil
	}
	var keep []int64
	var refused []hub.BulkResult
	for _, id := range ids {
		if h.conflictHidden(r.Context(), r, id) {
			refused = append(refused, hub.BulkResult{ID: id, Error: rightsHiddenText(lang), Field: "id"})
			continue
		}
		keep = append(keep, id)
	}
	return keep, refused
}

func (h *server) routesRights(mux *http.ServeMux) {
	mux.Handle("GET /services/rights", h.pageFor(access.PermRights, h.pageRights))
	mux.Handle("GET /services/rights.xlsx", h.pageFor(access.PermRights, h.rightsXLSX))
}

// rightsView is the list page's data.
type rightsView struct {
	F        hub.RightsFilter
	Statuses []string
	Kinds    []string
	Stations []string
	Table    listTable
	Count    string
	XLSX     string
}

func rightsFilterOf(r *http.Request) hub.RightsFilter {
	q := r.URL.Query()
	return hub.RightsFilter{Status: strings.TrimSpace(q.Get("case_status")), Kind: strings.TrimSpace(q.Get("rights_kind")),
		Station: strings.TrimSpace(q.Get("station"))}
}

// rightsTable is the list the page draws and the export writes.
func rightsTable(lang string, rows []hub.RightsCaseRow) listTable {
	t := listTable{ID: "rights-cases", Title: tw(lang, "rights_title"), Head: []string{tw(lang, "rights_worker"),
		records.FieldLabel(lang, "rights_kind"), records.FieldLabel(lang, "employer"),
		records.FieldLabel(lang, "amount_claimed"), records.FieldLabel(lang, "received_on"),
		records.FieldLabel(lang, "referral"), records.FieldLabel(lang, "case_status"),
		records.FieldLabel(lang, "closed_on"), tw(lang, "rights_outcome"),
		records.FieldLabel(lang, "amount_recovered"), tw(lang, "station")}}
	money := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	}
	for _, c := range rows {
		name := listCell{Text: c.WorkerName}
		if c.WorkerID != "" {
			name.Href = "/workers/" + c.WorkerID
		}
		t.Rows = append(t.Rows, []listCell{name, {Text: c.Kind}, {Text: c.Employer}, {Text: money(c.AmountClaimed)},
			{Text: c.ReceivedOn}, {Text: c.Referral}, {Text: c.Status, Class: "case-status"}, {Text: c.ClosedOn},
			{Text: c.Outcome}, {Text: money(c.AmountRecovered)}, stationCell(lang, c.Station)})
	}
	return t
}

func (h *server) pageRights(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r)
	p := h.newPage(r, lang, "rights_title")
	f := rightsFilterOf(r)
	v := rightsView{F: f, Statuses: records.RightsStatuses, Kinds: records.RightsKinds}
	if sts, err := h.Stations(r.Context()); err == nil {
		for _, s := range sts {
			v.Stations = append(v.Stations, s.Name)
		}
	}
	p.Data = &v
	status := http.StatusOK
	rows, err := h.RightsCases(r.Context(), f)
	var re *hub.ResolveError
	switch {
	case errors.As(err, &re):
		p.Error, status = re.Message(lang), re.Status
	case err != nil:
		h.programmeFailed(w, r, lang, err)
		return
	default:
		v.Table = rightsTable(lang, rows)
		v.Count = fmt.Sprintf(tw(lang, "rights_count"), len(rows))
		v.XLSX = "/services/rights.xlsx" + rightsQuery(f)
	}
	h.render(w, r, rightsTmpl, status, p)
}

// rightsQuery is f as a query string ("" or "?…").
func rightsQuery(f hub.RightsFilter) string {
	q := url.Values{}
	for k, v := range map[string]string{"case_status": f.Status, "rights_kind": f.Kind, "station": f.Station} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// rightsXLSX exports the list as the page shows it, every cell text; the
// download is in the audit log.
func (h *server) rightsXLSX(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r)
	f := rightsFilterOf(r)
	rows, err := h.RightsCases(r.Context(), f)
	var re *hub.ResolveError
	if errors.As(err, &re) {
		http.Error(w, re.Message(lang), re.Status)
		return
	}
	if err != nil {
		h.programmeFailed(w, r, lang, err)
		return
	}
	t := rightsTable(lang, rows)
	x := excelize.NewFile()
	defer x.Close()
	sheet := sheetName(t.Title, 0)
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		h.programmeFailed(w, r, lang, err)
		return
	}
	if err := writeSheet(x, sheet, t); err != nil {
		h.programmeFailed(w, r, lang, err)
		return
	}
	a := adminActor(r)
	h.acc.Record(r.Context(), access.AuditEntry{User: a.User, Action: access.AuditExport, Remote: a.Remote,
		Detail: fmt.Sprintf("/services/rights case_status=%s rights_kind=%s station=%s rows=%d .xlsx",
			f.Status, f.Kind, f.Station, len(rows))})
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", webkit.Attachment("rights-cases.xlsx", tw("zh", "rights_filename")+".xlsx"))
	if _, err := x.WriteTo(w); err != nil {
		h.log.ErrorContext(r.Context(), "rights export", "err", err)
	}
}
