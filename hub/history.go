package hub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// The history of a record: every value every field has had, when, from
// which station or administrator, read from the hub's change log through its
// history index (replica.Options.History), and the conflicts on the record.

// HistoryField is one value a change gave one column (or set element).
type HistoryField struct {
	Column   string   `json:"column"`
	Elem     string   `json:"elem,omitempty"`
	Value    any      `json:"value"`
	Replaces []string `json:"replaces,omitempty"` // the versions it replaced
	Dead     bool     `json:"replaced_on_arrival,omitempty"`
	Current  bool     `json:"current"` // still a head: shows now (or is in conflict)
}

// HistoryEntry is one change of a record.
type HistoryEntry struct {
	Seq     uint64         `json:"seq"`
	Version string         `json:"version"`
	At      time.Time      `json:"at"`
	Station string         `json:"station"`      // station name, or AdminSite
	By      string         `json:"by,omitempty"` // the administrator, or the station's staff member (entered_by)
	Fields  []HistoryField `json:"fields"`
}

// RecordHistory is a record's history.
type RecordHistory struct {
	Table     string         `json:"table"`
	Row       string         `json:"row"`
	Label     string         `json:"label,omitempty"`
	Entries   []HistoryEntry `json:"entries"`
	Conflicts []Conflict     `json:"conflicts,omitempty"`
}

// WorkerHistory is a worker's history with the records that belong to them.
type WorkerHistory struct {
	RecordHistory
	Children []RecordHistory `json:"children"`
}

// historyNames resolves site names and hub editors for histories.
type historyNames struct {
	sites   map[replica.SiteID]string
	editors map[int64]string
}

func (h *Hub) historyNames(ctx context.Context) (*historyNames, error) {
	sites, err := h.siteNames(ctx, h.rep.DB().QueryContext)
	if err != nil {
		return nil, err
	}
	return &historyNames{sites: sites}, nil
}

// editor names the administrator of a hub change: one look-up in hub_edits
// per change, remembered for the page (the table grows with every edit the
// hub ever made, so it is never read whole).
func (n *historyNames) editor(ctx context.Context, h *Hub, v replica.Version) (string, error) {
	if v.Site != h.rep.Site() {
		return "", nil
	}
	if n.editors == nil {
		n.editors = map[int64]string{}
	}
	t := int64(v.HLC)
	if u, ok := n.editors[t]; ok {
		return u, nil
	}
	var u string
	err := h.rep.DB().QueryRowContext(ctx, `SELECT user FROM hub_edits WHERE hlc = ?`, t).Scan(&u)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("read hub editor: %w", err)
	}
	n.editors[t] = u
	return u, nil
}

// enteredBy tells, from the changes of one row, who entered each of them: a
// station writes records.EnteredBy (the staff member's name) in the same
// change as the fields it changes, unless the name is already the one value
// its replica holds there (the replica writes no unchanged column). So the
// author of a change is the entered_by it wrote, or else the entered_by its
// writer held: the greatest of those the writer is known to have seen, its
// own site's earlier ones and, through the versions its fields replaced, the
// authors of the changes it saw.
type enteredBy struct {
	changes map[replica.Version]*replica.Change
	wrote   map[replica.Version]string           // the entered_by each change wrote
	sites   map[replica.SiteID][]replica.Version // versions that wrote entered_by, ascending, by site
	memo    map[replica.Version]enteredBySource
}

type enteredBySource struct {
	v  replica.Version
	ok bool
}

// maxEnteredByDepth bounds how far back along replaced versions who looks.
const maxEnteredByDepth = 64

// newEnteredBy indexes the changes of one row of t; nil when t has no
// entered_by column.
func newEnteredBy(t *replica.Table, changes []replica.Change) *enteredBy {
	col, ok := t.Column(records.EnteredBy)
	if !ok {
		return nil
	}
	e := &enteredBy{changes: make(map[replica.Version]*replica.Change, len(changes)),
		wrote: map[replica.Version]string{}, sites: map[replica.SiteID][]replica.Version{},
		memo: map[replica.Version]enteredBySource{}}
	for i := range changes {
		c := &changes[i]
		if _, dup := e.changes[c.Version]; dup {
			continue
		}
		e.changes[c.Version] = c
		for _, f := range c.Fields {
			if f.Col == col && f.Elem == "" && !f.Dead {
				e.wrote[c.Version] = ValueText(f.Value)
				e.sites[c.Version.Site] = append(e.sites[c.Version.Site], c.Version)
			}
		}
	}
	for _, vs := range e.sites {
		slices.SortFunc(vs, replica.Version.Compare)
	}
	return e
}

// who names the staff member who entered the change with version v ("" when
// unknown: a change made before stations recorded it, or by the hub).
func (e *enteredBy) who(v replica.Version) string {
	if e == nil {
		return ""
	}
	if src, ok := e.source(v, 0); ok {
		return e.wrote[src]
	}
	return ""
}

// source finds the version whose entered_by names the author of v.
func (e *enteredBy) source(v replica.Version, depth int) (replica.Version, bool) {
	if _, ok := e.wrote[v]; ok {
		return v, true
	}
	if s, ok := e.memo[v]; ok {
		return s.v, s.ok
	}
	var best replica.Version
	found := false
	consider := func(w replica.Version) {
		if !found || best.Less(w) {
			best, found = w, true
		}
	}
	vs := e.sites[v.Site]
	if i, _ := slices.BinarySearchFunc(vs, v, replica.Version.Compare); i > 0 {
		consider(vs[i-1]) // the writer's own latest before v
	}
	if c := e.changes[v]; c != nil && depth < maxEnteredByDepth {
		for _, f := range c.Fields {
			for _, r := range f.Replaces {
				if w, ok := e.source(r, depth+1); ok {
					consider(w)
				}
			}
		}
	}
	e.memo[v] = enteredBySource{best, found}
	return best, found
}

// History returns a record's history, oldest change first, with its conflicts.
func (h *Hub) History(ctx context.Context, table string, id ident.ID) (RecordHistory, error) {
	names, err := h.historyNames(ctx)
	if err != nil {
		return RecordHistory{}, err
	}
	rh, err := h.history(ctx, names, table, id)
	if err != nil {
		return rh, err
	}
	if rh.Conflicts, err = h.ConflictsOf(ctx, id); err != nil {
		return rh, err
	}
	return rh, nil
}

func (h *Hub) history(ctx context.Context, names *historyNames, table string, id ident.ID) (RecordHistory, error) {
	rh := RecordHistory{Table: table, Row: id.String(), Entries: []HistoryEntry{}}
	t, ok := h.rep.Schema().Table(table)
	if !ok {
		return rh, fmt.Errorf("history: %w: %s", replica.ErrUnknownTable, table)
	}
	log, err := h.rep.History(ctx, table, id)
	if err != nil {
		return rh, fmt.Errorf("history of %s %s: %w", table, id, err)
	}
	heads, err := h.rep.Heads(ctx, table, id)
	if err != nil && len(log) > 0 {
		return rh, fmt.Errorf("history of %s %s: %w", table, id, err)
	}
	live := map[string]bool{} // col/elem/version of every head
	for _, ch := range heads {
		for _, hd := range ch.Heads {
			live[fmt.Sprintf("%d/%s/%s", ch.Col, ch.Elem, hd.Version)] = true
		}
	}
	changes := make([]replica.Change, len(log))
	for i := range log {
		changes[i] = log[i].Change
	}
	authors := newEnteredBy(t, changes)
	ebCol, hasEB := t.Column(records.EnteredBy)
	for _, e := range log {
		c := &e.Change
		by, err := names.editor(ctx, h, c.Version)
		if err != nil {
			return rh, err
		}
		if c.Version.Site != h.rep.Site() {
			by = authors.who(c.Version)
		}
		he := HistoryEntry{Seq: e.Seq, Version: c.Version.String(), At: c.Version.HLC.Time(),
			Station: siteName(names.sites, c.Version.Site), By: by}
		for _, f := range c.Fields {
			if hasEB && f.Col == ebCol {
				continue // shown as the entry's by
			}
			hf := HistoryField{Column: t.ColumnName(f.Col), Elem: f.Elem, Value: f.Value, Dead: f.Dead,
				Current: live[fmt.Sprintf("%d/%s/%s", f.Col, f.Elem, c.Version)]}
			if t.ColumnType(f.Col) == replica.Set {
				hf.Value = f.Value == int64(1) // present or removed
			}
			for _, r := range f.Replaces {
				hf.Replaces = append(hf.Replaces, r.String())
			}
			he.Fields = append(he.Fields, hf)
		}
		if len(he.Fields) == 0 && len(c.Fields) > 0 {
			continue // entered_by alone: nothing a reader would see
		}
		rh.Entries = append(rh.Entries, he)
	}
	return rh, nil
}

// childQueries list a worker's records in each child table, oldest first.
var childQueries = []struct{ table, query string }{
	{records.MonthlyStatus, `SELECT id FROM monthly_status WHERE worker_id = ? ORDER BY month`},
	{records.Unemployment, `SELECT id FROM unemployment_registrations WHERE worker_id = ? ORDER BY registered_on`},
	{records.Jobseeker, `SELECT id FROM jobseeker_registrations WHERE worker_id = ? ORDER BY registered_on`},
	{records.Followups, `SELECT id FROM followups WHERE worker_id = ? ORDER BY date`},
	{records.Placements, `SELECT id FROM placements WHERE worker_id = ? ORDER BY placed_on`},
	// Labour-rights cases: the web adapter takes them out for a reader
	// without access.PermRights (WithoutRights, RecordWithoutRights).
	{records.RightsCases, `SELECT id FROM rights_cases WHERE worker_id = ? ORDER BY received_on`},
}

// maxChildren bounds the child records a worker's history lists.
const maxChildren = 500

// WorkerHistoryOf returns the history of a worker's record and of each of
// their child records (monthly statuses, registrations, follow-ups,
// placements), with every conflict on them.
func (h *Hub) WorkerHistoryOf(ctx context.Context, worker ident.ID) (WorkerHistory, error) {
	names, err := h.historyNames(ctx)
	if err != nil {
		return WorkerHistory{}, err
	}
	var wh WorkerHistory
	if wh.RecordHistory, err = h.history(ctx, names, records.Workers, worker); err != nil {
		return wh, err
	}
	if len(wh.Entries) == 0 {
		return wh, fmt.Errorf("worker %s: %w", worker, replica.ErrNotFound)
	}
	if wh.Conflicts, err = h.ConflictsOf(ctx, worker); err != nil {
		return wh, err
	}
	wh.Children = []RecordHistory{}
	for _, cq := range childQueries {
		ids, err := h.rowIDs(ctx, cq.query, worker.String())
		if err != nil {
			return wh, fmt.Errorf("records of worker %s in %s: %w", worker, cq.table, err)
		}
		for _, id := range ids {
			if len(wh.Children) >= maxChildren {
				break
			}
			rh, err := h.history(ctx, names, cq.table, id)
			if err != nil {
				return wh, err
			}
			rh.Label = childLabel(cq.table, rh)
			if err := h.markVoid(ctx, cq.table, id, &rh); err != nil {
				return wh, err
			}
			wh.Children = append(wh.Children, rh)
		}
	}
	return wh, nil
}

// voidTables are the child tables whose records may be void (作废).
var voidTables = map[string]bool{records.MonthlyStatus: true, records.Unemployment: true, records.Jobseeker: true,
	records.Followups: true}

// markVoid adds to a void record's label that it is void, and why: it
// stays in the history, out of every list and count.
func (h *Hub) markVoid(ctx context.Context, table string, id ident.ID, rh *RecordHistory) error {
	if !voidTables[table] {
		return nil
	}
	var reason sql.NullString
	err := h.rep.DB().QueryRowContext(ctx, `SELECT void_reason FROM `+table+` WHERE id = ?`, id[:]).Scan(&reason)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read void of %s %s: %w", table, id, err)
	}
	if reason.String != "" {
		rh.Label = strings.TrimSpace(rh.Label + " （已作废：" + reason.String + "）")
	}
	return nil
}

// childLabel summarises a child record from its first change: the month, the
// date or the registration day.
func childLabel(table string, rh RecordHistory) string {
	want := map[string]string{records.MonthlyStatus: "month", records.Unemployment: "registered_on",
		records.Jobseeker: "registered_on", records.Followups: "date", records.Placements: "placed_on",
		records.RightsCases: "received_on"}[table]
	for _, e := range rh.Entries {
		for _, f := range e.Fields {
			if f.Column == want && f.Value != nil {
				return strings.TrimSpace(ValueText(f.Value))
			}
		}
	}
	return ""
}

// rowIDs runs a query selecting row ids.
func (h *Hub) rowIDs(ctx context.Context, query string, args ...any) ([]ident.ID, error) {
	rows, err := h.rep.DB().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ident.ID
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		var id ident.ID
		copy(id[:], b)
		out = append(out, id)
	}
	return out, rows.Err()
}
