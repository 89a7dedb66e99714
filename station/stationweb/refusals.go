package stationweb

import (
	"context"
	"net/http"
	"strings"

	"fieldsync/ident"
	"fieldsync/places"
	"fieldsync/places/placename"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/station"
)

// refusalPageLimit bounds the refusals the page lists (the newest).
const refusalPageLimit = 200

// refusalView is a refusal as the page and GET /api/refusals show it: the
// hub's row with its labels, state and reason in the request's language.
type refusalView struct {
	ID        string `json:"id"`
	RefusedAt string `json:"refused_at"`
	// Time is RefusedAt in the station's zone, to the minute.
	Time       string `json:"time"`
	State      string `json:"state"`
	StateLabel string `json:"state_label"`
	Open       bool   `json:"open"`
	Table      string `json:"table"`
	TableLabel string `json:"table_label"`
	RowID      string `json:"row_id"`
	// Link is the page of the worker or gig, when the station holds it.
	Link        string `json:"link,omitempty"`
	Column      string `json:"column"`
	ColumnLabel string `json:"column_label"`
	Value       string `json:"value"`
	// Place is Value as the page shows it when the column holds a division
	// code some place has.
	Place     *places.Label `json:"-"`
	ReasonKey string        `json:"reason_key"`
	Reason    string        `json:"reason"`
	Version   string        `json:"version"`
}

// tableKeys names each table with a UI string.
var tableKeys = map[string]string{
	records.Workers:       "worker",
	records.MonthlyStatus: "month_status",
	records.Unemployment:  "unemployment",
	records.Jobseeker:     "jobseeker",
	records.Followups:     "followups",
	records.Gigs:          "gigs",
	records.Placements:    "placements",
	records.Stations:      "station_directory",
}

// tableLabel names a table in lang; an unknown one is named as given.
func tableLabel(lang, table string) string {
	if k, ok := tableKeys[table]; ok {
		return tr(lang, k)
	}
	return table
}

// columnLabel names a column in lang: a record's field by its label, the
// bookkeeping columns and a deletion by the UI's words, "" (the whole
// change) as such.
func columnLabel(lang, column string) string {
	switch column {
	case "":
		return tr(lang, "whole_change")
	case "station":
		return tr(lang, "station")
	case records.EnteredBy:
		return tr(lang, "entered_by")
	case replica.DeletedColumn:
		return tr(lang, "deletion")
	}
	return records.FieldLabel(lang, column)
}

// refusalReason is the reason in lang: the message of the hub's key with
// the column's label, else (a key this station does not know, or one whose
// message wants more than the label) the hub's own text.
func refusalReason(lang string, rf *station.Refusal, label string) string {
	if rf.ReasonKey != "" {
		msg := records.Message(lang, rf.ReasonKey, label)
		if msg != rf.ReasonKey && !strings.Contains(msg, "%!") {
			return msg
		}
	}
	if rf.Reason != "" {
		return rf.Reason
	}
	return rf.ReasonKey
}

// refusalViews lists the refusals as the pages show them; hideRights
// leaves out those of labour-rights cases (a viewer without the permission
// sees nothing of a case, its refused values included).
func (s *Server) refusalViews(ctx context.Context, lang string, limit int, hideRights bool) ([]refusalView, error) {
	rfs, err := s.st.Refusals(ctx, limit)
	if err != nil {
		return nil, err
	}
	out := make([]refusalView, 0, len(rfs))
	for i := range rfs {
		rf := &rfs[i]
		if hideRights && rf.Table == records.RightsCases {
			continue
		}
		v := refusalView{ID: rf.ID.String(), RefusedAt: rf.RefusedAt, Time: rf.RefusedAt, State: rf.State,
			StateLabel: rf.State, Open: rf.Open(), Table: rf.Table, TableLabel: tableLabel(lang, rf.Table),
			RowID: rf.RowID, Column: rf.Column, ColumnLabel: columnLabel(lang, rf.Column), Value: rf.Value,
			ReasonKey: rf.ReasonKey, Version: rf.Version}
		if t := rf.Time(); !t.IsZero() {
			v.Time = s.dates.DateTime(t)
		}
		if l := places.LabelOf(rf.Value); l.Known && len(placename.ColumnLevels(rf.Table, rf.Column)) > 0 {
			v.Place = &l
		}
		switch rf.State {
		case records.RefusalRefused, records.RefusalWaiting, records.RefusalApproved, records.RefusalDeclined:
			v.StateLabel = tr(lang, "refusal_"+rf.State)
		}
		if id, err := ident.ParseID(rf.RowID); err == nil && rf.Held {
			switch rf.Table {
			case records.Workers:
				v.Link = "/workers/" + id.String()
			case records.Gigs:
				v.Link = "/gigs/" + id.String()
			}
		}
		label := v.ColumnLabel
		if rf.Column == "" {
			label = v.TableLabel
		}
		v.Reason = refusalReason(lang, rf, label)
		out = append(out, v)
	}
	return out, nil
}

func (s *Server) pageRefusals(w http.ResponseWriter, r *http.Request) {
	list, err := s.refusalViews(r.Context(), langOf(r), refusalPageLimit, !s.mayReadRights(r))
	if err != nil {
		s.webError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "refusals", "refusals", list)
}

// apiRefusals lists the refusals, newest first; limit as other lists.
func (s *Server) apiRefusals(w http.ResponseWriter, r *http.Request) {
	limit, _, err := paging(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	list, err := s.refusalViews(r.Context(), langOf(r), limit, !s.mayReadRights(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"refusals": list, "total": len(list)})
}

// openRefusals is the count the navigation shows; a failure to count is
// logged and shows none, rather than failing the page around it.
func (s *Server) openRefusals(r *http.Request) int {
	n, err := s.st.OpenRefusals(r.Context())
	if err != nil {
		s.log.WarnContext(r.Context(), "count refusals", "err", err)
		return 0
	}
	return n
}
