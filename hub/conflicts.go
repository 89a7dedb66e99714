package hub

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// The conflict queue (DESIGN "Conflicts"): field conflicts, a column whose
// heads hold different values, and rule conflicts, a merge that broke a rule
// no single station broke. Both are recorded in the hub's own table
// hub_conflicts, in the transaction that applied the batch that raised them,
// and stay there once resolved, with who resolved them, when and how.

// Kinds of conflicts.
const (
	KindField       = "field"                  // two or more heads with different values
	KindTwoOpen     = "two_open_registrations" // open unemployment registrations from two stations
	KindOverfilled  = "gig_overfilled"         // more placements than the gig's headcount
	KindWelfareAway = "welfare_and_away"       // 公益性岗位 and 区外 in the same month
	KindIdentity    = "identity_mismatch"      // one person registered under two id numbers
)

// ConflictKinds lists the kinds, in the order the UI offers them.
var ConflictKinds = []string{KindField, KindTwoOpen, KindOverfilled, KindWelfareAway, KindIdentity,
	KindTwoWelfare, KindWelfareAwayMonth, KindExportInWelfare}

// Statuses of a conflict.
const (
	StatusOpen     = "open"
	StatusResolved = "resolved"
)

// AdminSite is how a value the hub wrote names its author when the
// administrator is not known.
const AdminSite = "县级管理员/admin"

// conflictSchema holds the hub's own tables of the conflict queue, created
// with the other hub tables at Open.
//
// hub_conflicts: one row per conflict; (row, col, kind, tbl) identifies an
// open one (a rule conflict names its worker, gig or status row in row, and
// for identity the other worker in col). vals is the JSON of the values.
// hub_edits: which administrator made each change the hub wrote, by stamp,
// for the history.
var conflictSchema = []string{
	`CREATE TABLE IF NOT EXISTS hub_conflicts (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, tbl TEXT NOT NULL,
		row TEXT NOT NULL, col TEXT NOT NULL DEFAULT '', worker TEXT NOT NULL DEFAULT '',
		worker_name TEXT NOT NULL DEFAULT '', id_masked TEXT NOT NULL DEFAULT '', label TEXT NOT NULL DEFAULT '',
		stations TEXT NOT NULL DEFAULT '', vals TEXT NOT NULL DEFAULT '[]', status TEXT NOT NULL DEFAULT 'open',
		created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, resolved_by TEXT NOT NULL DEFAULT '',
		resolved_ms INTEGER NOT NULL DEFAULT 0, resolution TEXT NOT NULL DEFAULT '') STRICT`,
	`CREATE UNIQUE INDEX IF NOT EXISTS hub_conflicts_open ON hub_conflicts(row, col, kind, tbl) WHERE status = 'open'`,
	`CREATE INDEX IF NOT EXISTS hub_conflicts_status ON hub_conflicts(status, id)`,
	`CREATE INDEX IF NOT EXISTS hub_conflicts_worker ON hub_conflicts(worker) WHERE worker != ''`,
	`CREATE INDEX IF NOT EXISTS hub_conflicts_other ON hub_conflicts(col) WHERE kind = 'identity_mismatch'`,
	`CREATE TABLE IF NOT EXISTS hub_edits (hlc INTEGER PRIMARY KEY, user TEXT NOT NULL,
		conflict INTEGER NOT NULL DEFAULT 0) STRICT`,
	// The worker search and the identity rule find people by name with
	// records.HubIndexes' workers(name, station).
}

// initConflicts creates the conflict queue's tables.
func (h *Hub) initConflicts(ctx context.Context) error {
	for _, s := range conflictSchema {
		if _, err := h.rep.DB().ExecContext(ctx, s); err != nil {
			return fmt.Errorf("create conflict tables: %w", err)
		}
	}
	return nil
}

// ConflictValue is one value of a conflict: for a field conflict a head of
// the column, for a rule conflict one of the records that break the rule.
type ConflictValue struct {
	Index   int       `json:"index"`
	Value   any       `json:"value"`
	Column  string    `json:"column,omitempty"` // rule conflicts: the column the value is of
	Row     string    `json:"row,omitempty"`    // rule conflicts: the record (registration, placement, worker)
	Station string    `json:"station"`          // station name, or AdminSite
	Site    string    `json:"site,omitempty"`
	Version string    `json:"version,omitempty"`
	At      time.Time `json:"at,omitzero"`  // when it was written (the stamp's wall time)
	By      string    `json:"by,omitempty"` // who entered it: the administrator, or the station's staff member (entered_by)
	Wins    bool      `json:"wins"`         // the value the record shows now
	Note    string    `json:"note,omitempty"`
}

// Resolution says how a conflict was resolved.
type Resolution struct {
	How     string `json:"how"` // choose, value, close_registration, remove_placement, set, dismiss, station_edit, cleared, settled
	Value   any    `json:"value,omitempty"`
	Station string `json:"station,omitempty"`
	Column  string `json:"column,omitempty"`
	Row     string `json:"row,omitempty"`
	Note    string `json:"note,omitempty"`
}

// Conflict is one entry of the queue.
type Conflict struct {
	ID         int64           `json:"id"`
	Kind       string          `json:"type"`
	Table      string          `json:"table"`
	Row        string          `json:"row"`
	Column     string          `json:"column,omitempty"`
	WorkerID   string          `json:"worker_id,omitempty"`
	WorkerName string          `json:"worker_name,omitempty"`
	IDNumber   string          `json:"id_number,omitempty"` // masked
	Label      string          `json:"label,omitempty"`
	Village    string          `json:"village,omitempty"` // the person's residence village (division code): NameConflicts
	Stations   []string        `json:"stations"`
	Values     []ConflictValue `json:"values"`
	Status     string          `json:"status"`
	Created    time.Time       `json:"created"`
	Updated    time.Time       `json:"updated"`
	ResolvedBy string          `json:"resolved_by,omitempty"`
	ResolvedAt time.Time       `json:"resolved_at,omitzero"`
	Resolution *Resolution     `json:"resolution,omitempty"`
}

// conflictCols is the column list scanConflict reads.
const conflictCols = `id, kind, tbl, row, col, worker, worker_name, id_masked, label, stations, vals, status,
	created_ms, updated_ms, resolved_by, resolved_ms, resolution`

// scanConflict reads a row of conflictCols.
func scanConflict(scan func(...any) error) (Conflict, error) {
	var c Conflict
	var stations, vals, resolution string
	var created, updated, resolved int64
	if err := scan(&c.ID, &c.Kind, &c.Table, &c.Row, &c.Column, &c.WorkerID, &c.WorkerName, &c.IDNumber,
		&c.Label, &stations, &vals, &c.Status, &created, &updated, &c.ResolvedBy, &resolved, &resolution); err != nil {
		return c, err
	}
	c.Stations = splitStations(stations)
	if err := json.Unmarshal([]byte(vals), &c.Values); err != nil {
		return c, fmt.Errorf("conflict %d: values: %w", c.ID, err)
	}
	c.Created, c.Updated = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	if resolved != 0 {
		c.ResolvedAt = time.UnixMilli(resolved).UTC()
	}
	if resolution != "" {
		c.Resolution = &Resolution{}
		if err := json.Unmarshal([]byte(resolution), c.Resolution); err != nil {
			return c, fmt.Errorf("conflict %d: resolution: %w", c.ID, err)
		}
	}
	return c, nil
}

// joinStations stores station names as ",a,b," so that a filter is one instr().
func joinStations(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return "," + strings.Join(names, ",") + ","
}

func splitStations(s string) []string {
	s = strings.Trim(s, ",")
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// ConflictFilter selects conflicts for the queue.
type ConflictFilter struct {
	Status  string // open (default), resolved or all
	Kind    string
	Station string
	Table   string
	// MinAge keeps the conflicts recorded at least so long ago.
	MinAge time.Duration
	// HideTables leaves out the conflicts on these tables (a reader who may
	// not see their rows: labour-rights cases without access.PermRights).
	HideTables []string
	Limit      int // 1 to 1000, default 100
	Offset     int
}

// ErrConflictNotFound is returned for an unknown conflict id.
var ErrConflictNotFound = errors.New("no such conflict")

// Conflicts lists the conflicts f selects, newest first, and how many there
// are in all.
func (h *Hub) Conflicts(ctx context.Context, f ConflictFilter) ([]Conflict, int, error) {
	var where []string
	var args []any
	switch f.Status {
	case "", StatusOpen:
		where = append(where, "status = 'open'")
	case StatusResolved:
		where = append(where, "status = 'resolved'")
	}
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	if f.Table != "" {
		where, args = append(where, "tbl = ?"), append(args, f.Table)
	}
	if f.Station != "" {
		where, args = append(where, "instr(stations, ?) > 0"), append(args, ","+f.Station+",")
	}
	if f.MinAge > 0 {
		where, args = append(where, "created_ms <= ?"), append(args, h.now().Add(-f.MinAge).UnixMilli())
	}
	for _, t := range f.HideTables {
		where, args = append(where, "tbl != ?"), append(args, t)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	db := h.rep.DB()
	var total int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM hub_conflicts`+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count conflicts: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT `+conflictCols+` FROM hub_conflicts`+cond+
		` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("list conflicts: %w", err)
	}
	defer rows.Close()
	out := []Conflict{}
	for rows.Next() {
		c, err := scanConflict(rows.Scan)
		if err != nil {
			return nil, 0, fmt.Errorf("list conflicts: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list conflicts: %w", err)
	}
	return out, total, nil
}

// Conflict reads one conflict.
func (h *Hub) Conflict(ctx context.Context, id int64) (Conflict, error) {
	c, err := scanConflict(h.rep.DB().QueryRowContext(ctx, `SELECT `+conflictCols+` FROM hub_conflicts WHERE id = ?`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("conflict %d: %w", id, ErrConflictNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("read conflict %d: %w", id, err)
	}
	return c, nil
}

// ConflictsOf lists the conflicts, open and resolved, of a worker (its own
// record and its child records) or of any other row, newest first.
func (h *Hub) ConflictsOf(ctx context.Context, row ident.ID) ([]Conflict, error) {
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT `+conflictCols+` FROM hub_conflicts
		WHERE worker = ?1 UNION SELECT `+conflictCols+` FROM hub_conflicts WHERE row = ?1
		UNION SELECT `+conflictCols+` FROM hub_conflicts WHERE col = ?1 AND kind = 'identity_mismatch'
		ORDER BY id DESC LIMIT 1000`,
		row.String())
	if err != nil {
		return nil, fmt.Errorf("conflicts of %s: %w", row, err)
	}
	defer rows.Close()
	out := []Conflict{}
	for rows.Next() {
		c, err := scanConflict(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("conflicts of %s: %w", row, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// OpenConflictCount is how many conflicts are open.
func (h *Hub) OpenConflictCount(ctx context.Context) (int, error) {
	var n int
	err := h.rep.DB().QueryRowContext(ctx, `SELECT count(*) FROM hub_conflicts WHERE status = 'open'`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count open conflicts: %w", err)
	}
	return n, nil
}

// OpenConflictsByStation counts, for each station, the open conflicts that
// hold a value it recorded: the dashboard's station figures.
func (h *Hub) OpenConflictsByStation(ctx context.Context) (map[string]int, error) {
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT stations FROM hub_conflicts WHERE status = 'open'`)
	if err != nil {
		return nil, fmt.Errorf("count open conflicts by station: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var list string
		if err := rows.Scan(&list); err != nil {
			return nil, fmt.Errorf("count open conflicts by station: %w", err)
		}
		for name := range strings.SplitSeq(list, ",") {
			if name != "" && name != AdminSite {
				out[name]++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count open conflicts by station: %w", err)
	}
	return out, nil
}

// siteNames maps the site ids of enrolled stations to their names, and the
// hub's own site to AdminSite.
func (h *Hub) siteNames(ctx context.Context, query func(ctx context.Context, q string, args ...any) (*sql.Rows, error)) (map[replica.SiteID]string, error) {
	rows, err := query(ctx, `SELECT name, site FROM hub_stations`)
	if err != nil {
		return nil, fmt.Errorf("read station sites: %w", err)
	}
	defer rows.Close()
	m := map[replica.SiteID]string{h.rep.Site(): AdminSite}
	for rows.Next() {
		var name string
		var site int64
		if err := rows.Scan(&name, &site); err != nil {
			return nil, fmt.Errorf("read station sites: %w", err)
		}
		m[replica.SiteID(site)] = name
	}
	return m, rows.Err()
}

// siteName names a site: a station, AdminSite, or its hex id for a site no
// longer enrolled (a station re-enrolled since).
func siteName(m map[replica.SiteID]string, s replica.SiteID) string {
	if n, ok := m[s]; ok {
		return n
	}
	return s.String()
}

// ValueText reads a text column value.
func ValueText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case nil:
		return ""
	default:
		return fmt.Sprint(x)
	}
}

// workerLabel is how a record names its person: the worker row id, name and
// masked id number.
type workerLabel struct {
	id     ident.ID
	name   string
	masked string
	label  string // the record's own label when it is not a person's (a gig's title)
}

// rowReader reads a row's current values by column name (nil when absent).
type rowReader func(ctx context.Context, table string, id ident.ID) (map[string]any, error)

// labelOf finds the person (or gig) a record belongs to, so that the queue
// shows a name and a masked id number rather than a row id.
func labelOf(ctx context.Context, read rowReader, table string, id ident.ID) (workerLabel, error) {
	var l workerLabel
	row, err := read(ctx, table, id)
	if err != nil || row == nil {
		return l, err
	}
	worker := ident.Zero
	switch table {
	case records.Workers:
		worker = id
	case records.Gigs:
		l.label = ValueText(row["title"])
		return l, nil
	case records.Stations:
		l.label = ValueText(row["name"])
		return l, nil
	default:
		if w, err := ident.ParseID(ValueText(row["worker_id"])); err == nil {
			worker = w
		}
		if table == records.Placements {
			if g, err := ident.ParseID(ValueText(row["gig_id"])); err == nil {
				if gr, err := read(ctx, records.Gigs, g); err == nil && gr != nil {
					l.label = ValueText(gr["title"])
				}
			}
		}
	}
	if worker.IsZero() {
		return l, nil
	}
	wr := row
	if table != records.Workers {
		if wr, err = read(ctx, records.Workers, worker); err != nil || wr == nil {
			return l, err
		}
	}
	l.id, l.name, l.masked = worker, ValueText(wr["name"]), records.MaskIDNumber(ValueText(wr["id_number"]))
	return l, nil
}

// MaskForList masks, in place, the phone numbers and id numbers a list of
// conflicts would show (DESIGN "Personal data": lists mask them; the full
// values are on the conflict's own page): values of a phone or id_number
// column, an identity conflict's phones (Note), and a resolution's value.
func MaskForList(list []Conflict) {
	mask := func(col string, v any) any {
		s, ok := v.(string)
		if !ok {
			return v
		}
		switch col {
		case "phone":
			return records.MaskPhone(s)
		case "id_number":
			return records.MaskIDNumber(s)
		}
		return v
	}
	for i := range list {
		c := &list[i]
		vals := make([]ConflictValue, len(c.Values))
		for j, v := range c.Values {
			col := v.Column
			if col == "" {
				col = c.Column
			}
			v.Value = mask(col, v.Value)
			if c.Kind == KindIdentity && v.Note != "" {
				v.Note = records.MaskPhone(v.Note)
			}
			vals[j] = v
		}
		c.Values = vals
		if c.Resolution != nil {
			r := *c.Resolution
			col := r.Column
			if col == "" {
				col = c.Column
			}
			r.Value = mask(col, r.Value)
			c.Resolution = &r
		}
	}
}
