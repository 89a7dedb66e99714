package hub

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// ignoredColumns are columns whose differing heads are not queued: which
// station registered a record is bookkeeping (a person may register at the
// place they live and the place they work), scope is kept in hub_scope, and
// no administrator can settle it usefully; who entered a record
// (records.EnteredBy) differs whenever two people edit it, and names the
// author of each value instead. Stations leave both unmarked too.
var ignoredColumns = map[string]bool{"station": true, records.EnteredBy: true}

// recorder records conflicts inside one write transaction.
type recorder struct {
	h     *Hub
	tx    *replica.Tx
	now   int64
	sites map[replica.SiteID]string
	edits map[uint64]string // hub stamps -> administrator, read lazily
	// batch is the station batch the transaction applied (nil for the
	// hub's own edits): its changes are not yet in the committed log.
	batch   []replica.Change
	batchBy map[replica.Version]string // entered_by each batch change wrote, built lazily
	authors map[rowRef]*enteredBy      // rows' authors, read lazily
}

// rowRef names a row of a table.
type rowRef struct {
	table string
	row   ident.ID
}

func (h *Hub) newRecorder(tx *replica.Tx) *recorder {
	return &recorder{h: h, tx: tx, now: h.now().UnixMilli()}
}

// recordConflicts records, in the transaction that applied a station's batch,
// the field conflicts the batch raised, settles those it ended, and checks
// the merge rules on what the batch touched (rules.go).
func (h *Hub) recordConflicts(ctx context.Context, tx *replica.Tx, station string, changes []replica.Change, res replica.ApplyResult) error {
	rc := h.newRecorder(tx)
	rc.batch = changes
	for _, ref := range res.Conflicts {
		if err := rc.field(ctx, ref); err != nil {
			return fmt.Errorf("record conflict on %s.%d: %w", ref.Table, ref.Col, err)
		}
	}
	for _, ref := range res.Settled {
		if err := rc.settleField(ctx, ref, station, Resolution{How: "station_edit", Station: station}); err != nil {
			return fmt.Errorf("settle conflict on %s.%d: %w", ref.Table, ref.Col, err)
		}
	}
	if err := rc.rules(ctx, changes, station); err != nil {
		return fmt.Errorf("check merge rules: %w", err)
	}
	return nil
}

func (rc *recorder) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return rc.tx.Query(ctx, q, args...)
}

// siteName names a site, reading the station list once per transaction.
func (rc *recorder) siteName(ctx context.Context, s replica.SiteID) (string, error) {
	if rc.sites == nil {
		m, err := rc.h.siteNames(ctx, rc.query)
		if err != nil {
			return "", err
		}
		rc.sites = m
	}
	return siteName(rc.sites, s), nil
}

// editor names the administrator who made a change the hub wrote.
func (rc *recorder) editor(ctx context.Context, v replica.Version) string {
	if v.Site != rc.h.rep.Site() {
		return ""
	}
	var user string
	if err := rc.tx.QueryRow(ctx, `SELECT user FROM hub_edits WHERE hlc = ?`, int64(v.HLC)).Scan(&user); err != nil {
		return ""
	}
	return user
}

// value describes one head. By names the administrator for a value the
// hub wrote, and for a station's value the staff member who entered it when
// the batch being applied wrote it (field conflicts look further: who).
func (rc *recorder) value(ctx context.Context, i int, hd replica.Head, wins bool) (ConflictValue, error) {
	name, err := rc.siteName(ctx, hd.Version.Site)
	if err != nil {
		return ConflictValue{}, err
	}
	by := rc.editor(ctx, hd.Version)
	if hd.Version.Site != rc.h.rep.Site() {
		by = rc.batchAuthor(hd.Version)
	}
	return ConflictValue{Index: i, Value: hd.Value, Station: name, Site: hd.Version.Site.String(),
		Version: hd.Version.String(), At: hd.Version.HLC.Time(), By: by, Wins: wins}, nil
}

// batchAuthor is the entered_by that the batch's change with version v
// wrote ("" when none did).
func (rc *recorder) batchAuthor(v replica.Version) string {
	if rc.batchBy == nil {
		rc.batchBy = map[replica.Version]string{}
		for _, c := range rc.batch {
			t, ok := rc.h.rep.Schema().Table(c.Table)
			if !ok {
				continue
			}
			col, ok := t.Column(records.EnteredBy)
			if !ok {
				continue
			}
			for _, f := range c.Fields {
				if f.Col == col && f.Elem == "" && !f.Dead {
					rc.batchBy[c.Version] = ValueText(f.Value)
				}
			}
		}
	}
	return rc.batchBy[v]
}

// who names the staff member who entered a station's head of a row: the
// entered_by head written with the same version (the usual case, read from
// the heads already at hand), or else from the row's changes (enteredBy).
// Only a conflict being recorded pays for this, never an applied change.
func (rc *recorder) who(ctx context.Context, t *replica.Table, row ident.ID, heads []replica.ColumnHeads, v replica.Version) string {
	col, ok := t.Column(records.EnteredBy)
	if !ok || v.Site == rc.h.rep.Site() {
		return ""
	}
	if ch := columnHeadsOf(heads, col); ch != nil {
		for _, hd := range ch.Heads {
			if hd.Version == v {
				return ValueText(hd.Value)
			}
		}
	}
	key := rowRef{t.Name, row}
	a, ok := rc.authors[key]
	if !ok {
		// The committed log, read outside the transaction, and the batch
		// this transaction applied, which it does not hold yet.
		entries, err := rc.h.rep.History(ctx, t.Name, row)
		if err != nil {
			rc.h.log.WarnContext(ctx, "read a row's history to name who entered a value", "table", t.Name, "err", err)
		}
		changes := make([]replica.Change, 0, len(entries)+1)
		for _, e := range entries {
			changes = append(changes, e.Change)
		}
		for _, c := range rc.batch {
			if c.Table == t.Name && c.Row == row {
				changes = append(changes, c)
			}
		}
		a = newEnteredBy(t, changes)
		if rc.authors == nil {
			rc.authors = map[rowRef]*enteredBy{}
		}
		rc.authors[key] = a
	}
	return a.who(v)
}

// columnHeads returns the heads of one column of a row (nil when unwritten).
func columnHeadsOf(heads []replica.ColumnHeads, col int) *replica.ColumnHeads {
	for i := range heads {
		if heads[i].Col == col && heads[i].Elem == "" {
			return &heads[i]
		}
	}
	return nil
}

// field records or refreshes the field conflict on one column.
func (rc *recorder) field(ctx context.Context, ref replica.ColumnRef) error {
	t, ok := rc.h.rep.Schema().Table(ref.Table)
	if !ok {
		return nil
	}
	col := t.ColumnName(ref.Col)
	if ignoredColumns[col] {
		return nil
	}
	heads, err := rc.tx.Heads(ctx, ref.Table, ref.Row)
	if err != nil {
		return err
	}
	ch := columnHeadsOf(heads, ref.Col)
	if ch == nil || !ch.Conflict {
		return nil
	}
	vals := make([]ConflictValue, len(ch.Heads))
	var stations []string
	for i, hd := range ch.Heads {
		if vals[i], err = rc.value(ctx, i, hd, i == len(ch.Heads)-1); err != nil {
			return err
		}
		if vals[i].By == "" {
			vals[i].By = rc.who(ctx, t, ref.Row, heads, hd.Version)
		}
		if !slices.Contains(stations, vals[i].Station) {
			stations = append(stations, vals[i].Station)
		}
	}
	return rc.upsert(ctx, KindField, ref.Table, ref.Row, col, stations, vals)
}

// upsert opens a conflict, or refreshes the values of the open one with the
// same key.
func (rc *recorder) upsert(ctx context.Context, kind, table string, row ident.ID, col string, stations []string, vals []ConflictValue) error {
	js, err := json.Marshal(vals)
	if err != nil {
		return fmt.Errorf("encode conflict values: %w", err)
	}
	var id int64
	err = rc.tx.QueryRow(ctx, `SELECT id FROM hub_conflicts WHERE row = ? AND col = ? AND kind = ? AND tbl = ? AND status = 'open'`,
		row.String(), col, kind, table).Scan(&id)
	switch {
	case err == nil:
		_, err = rc.tx.Exec(ctx, `UPDATE hub_conflicts SET vals = ?, stations = ?, updated_ms = ? WHERE id = ?`,
			string(js), joinStations(stations), rc.now, id)
		if err != nil {
			return fmt.Errorf("update conflict %d: %w", id, err)
		}
		return nil
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("find conflict: %w", err)
	}
	lt := table
	if workerKeyed(kind) {
		lt = records.Workers // its row is the worker's
	}
	l, err := labelOf(ctx, rc.tx.Row, lt, row)
	if err != nil {
		return fmt.Errorf("label conflict: %w", err)
	}
	worker := ""
	if !l.id.IsZero() {
		worker = l.id.String()
	}
	_, err = rc.tx.Exec(ctx, `INSERT INTO hub_conflicts(kind, tbl, row, col, worker, worker_name, id_masked, label,
		stations, vals, created_ms, updated_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		kind, table, row.String(), col, worker, l.name, l.masked, l.label, joinStations(stations), string(js), rc.now, rc.now)
	if err != nil {
		return fmt.Errorf("record conflict: %w", err)
	}
	return nil
}

// settle marks the open conflict with the key resolved (no-op when none).
func (rc *recorder) settle(ctx context.Context, kind, table string, row ident.ID, col, by string, how Resolution) error {
	js, err := json.Marshal(how)
	if err != nil {
		return fmt.Errorf("encode resolution: %w", err)
	}
	_, err = rc.tx.Exec(ctx, `UPDATE hub_conflicts SET status = 'resolved', resolved_by = ?, resolved_ms = ?,
		resolution = ?, updated_ms = ? WHERE row = ? AND col = ? AND kind = ? AND tbl = ? AND status = 'open'`,
		by, rc.now, string(js), rc.now, row.String(), col, kind, table)
	if err != nil {
		return fmt.Errorf("settle conflict: %w", err)
	}
	return nil
}

// settleField marks the field conflict on a column resolved: someone who saw
// every value wrote over them.
func (rc *recorder) settleField(ctx context.Context, ref replica.ColumnRef, by string, how Resolution) error {
	t, ok := rc.h.rep.Schema().Table(ref.Table)
	if !ok {
		return nil
	}
	col := t.ColumnName(ref.Col)
	if how.Value == nil {
		if row, err := rc.tx.Row(ctx, ref.Table, ref.Row); err == nil && row != nil {
			how.Value = row[col]
		}
	}
	return rc.settle(ctx, KindField, ref.Table, ref.Row, col, by, how)
}

// settleChanges settles the field conflicts on the columns the hub's own
// changes wrote and that are no longer in conflict.
func (rc *recorder) settleChanges(ctx context.Context, chs []replica.Change, by string, how Resolution) error {
	for _, c := range chs {
		t, ok := rc.h.rep.Schema().Table(c.Table)
		if !ok {
			continue
		}
		heads, err := rc.tx.Heads(ctx, c.Table, c.Row)
		if err != nil {
			if errors.Is(err, replica.ErrNotFound) {
				continue
			}
			return err
		}
		for _, f := range c.Fields {
			if f.Elem != "" {
				continue
			}
			if ch := columnHeadsOf(heads, f.Col); ch != nil && ch.Conflict {
				continue
			}
			h := how
			h.Column = t.ColumnName(f.Col)
			if err := rc.settleField(ctx, replica.ColumnRef{Table: c.Table, Row: c.Row, Col: f.Col}, by, h); err != nil {
				return err
			}
		}
	}
	return nil
}

// settleWritten settles the field conflicts that edits the hub made (Write)
// ended, in a transaction of its own: an administrator's edit replaces every
// head the hub holds, so it settles the column everywhere.
func (h *Hub) settleWritten(ctx context.Context, chs []replica.Change) {
	if len(chs) == 0 {
		return
	}
	_, err := h.rep.Update(ctx, func(tx *replica.Tx) error {
		rc := h.newRecorder(tx)
		if err := rc.settleChanges(ctx, chs, AdminSite, Resolution{How: "settled"}); err != nil {
			return err
		}
		if err := rc.programmesWritten(ctx, chs); err != nil {
			return err
		}
		return rc.checkServices(ctx, chs, AdminSite)
	})
	if err != nil {
		h.log.ErrorContext(ctx, "settle conflicts after a hub edit", "err", err)
	}
}
