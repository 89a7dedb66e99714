package hub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// A station's scope is the county-wide tables and the workers registered at or
// touched by the station, with their child records (DESIGN "Sync").

// countyWide lists the tables every station receives whole. None names a
// person: a gig's placements reach other stations only as its count
// (gig_fill), never whom (DESIGN "Trust").
var countyWide = func() map[string]bool {
	m := map[string]bool{records.Gigs: true, records.GigFill: true, records.Stations: true}
	for _, t := range records.CountyWideTables {
		m[t] = true
	}
	return m
}()

// childTables lists the tables whose rows belong to a worker, named by their
// worker_id column; they follow the worker into a station's scope.
var childTables = append([]string{records.MonthlyStatus, records.Unemployment, records.Jobseeker, records.Followups,
	records.Placements, records.Households}, records.PersonRecordTables...)

// hubOnly lists the tables only the hub writes.
var hubOnly = map[string]bool{records.Stations: true, records.Refusals: true, records.GigFill: true}

// scopeSet holds, in memory, which workers are in which station's scope, and
// whether the station still has to receive the worker's snapshot. hub_scope
// holds the same durably.
type scopeSet struct {
	mu        sync.RWMutex
	byStation map[string]map[ident.ID]bool // worker -> snapshot pending
	byWorker  map[ident.ID][]string
	pend      map[string]map[ident.ID]bool // the pending entries of byStation
}

func newScopeSet() *scopeSet {
	return &scopeSet{byStation: map[string]map[ident.ID]bool{}, byWorker: map[ident.ID][]string{},
		pend: map[string]map[ident.ID]bool{}}
}

func (s *scopeSet) setPendingLocked(station string, w ident.ID, p bool) {
	s.byStation[station][w] = p
	if p {
		if s.pend[station] == nil {
			s.pend[station] = map[ident.ID]bool{}
		}
		s.pend[station][w] = true
	} else {
		delete(s.pend[station], w)
	}
}

func (s *scopeSet) has(station string, w ident.ID) bool {
	s.mu.RLock()
	_, ok := s.byStation[station][w]
	s.mu.RUnlock()
	return ok
}

func (s *scopeSet) stationsOf(w ident.ID) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.byWorker[w]
}

func (s *scopeSet) add(station string, w ident.ID, pending bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.byStation[station]
	if m == nil {
		m = map[ident.ID]bool{}
		s.byStation[station] = m
	}
	if _, ok := m[w]; !ok {
		// A new slice each time: readers hold the old one without a lock.
		s.byWorker[w] = append(s.byWorker[w][:len(s.byWorker[w]):len(s.byWorker[w])], station)
	}
	s.setPendingLocked(station, w, pending)
}

// pending returns up to max workers whose snapshot the station still needs.
func (s *scopeSet) pending(station string, max int) []ident.ID {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []ident.ID
	for w := range s.pend[station] {
		out = append(out, w)
		if len(out) == max {
			break
		}
	}
	return out
}

// remove takes workers out of a station's scope: additions remembered for a
// transaction that did not commit.
func (s *scopeSet) remove(station string, ws []ident.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range ws {
		if _, ok := s.byStation[station][w]; !ok {
			continue
		}
		delete(s.byStation[station], w)
		delete(s.pend[station], w)
		// A new slice: readers hold the old one without a lock.
		s.byWorker[w] = slices.DeleteFunc(slices.Clone(s.byWorker[w]), func(st string) bool { return st == station })
		if len(s.byWorker[w]) == 0 {
			delete(s.byWorker, w)
		}
	}
}

func (s *scopeSet) done(station string, ws []ident.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range ws {
		if _, ok := s.byStation[station][w]; ok {
			s.setPendingLocked(station, w, false)
		}
	}
}

func (s *scopeSet) clearPending(station string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for w := range s.pend[station] {
		s.byStation[station][w] = false
	}
	delete(s.pend, station)
}

func (h *Hub) loadScope(ctx context.Context) error {
	if err := h.loadScopeRows(ctx, `SELECT station, worker FROM hub_scope_entries`, false); err != nil {
		return err
	}
	return h.loadScopeRows(ctx, `SELECT station, worker FROM hub_scope_pending`, true)
}

func (h *Hub) loadScopeRows(ctx context.Context, query string, pending bool) error {
	rows, err := h.rep.DB().QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("load scopes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var w []byte
		if err := rows.Scan(&st, &w); err != nil {
			return fmt.Errorf("load scopes: %w", err)
		}
		var id ident.ID
		copy(id[:], w)
		h.scope.add(st, id, pending)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load scopes: %w", err)
	}
	return nil
}

// workerOf names the worker a row belongs to: the row itself for workers, the
// worker_id of a child record (from the change when it sets it, else from the
// hub's copy of the row).
func (h *Hub) workerOf(ctx context.Context, t *replica.Table, row ident.ID, fields []replica.Field) (ident.ID, bool, error) {
	if t.Name == records.Workers {
		return row, true, nil
	}
	col, ok := h.workerCol[t.Name]
	if !ok {
		return ident.ID{}, false, nil
	}
	for _, f := range fields {
		if f.Col == col && !f.Dead {
			s, _ := f.Value.(string)
			id, err := ident.ParseID(s)
			return id, err == nil, nil
		}
	}
	h.childMu.Lock()
	w, ok := h.childOwner[row]
	h.childMu.Unlock()
	if ok {
		return w, true, nil
	}
	var s sql.NullString
	err := h.rep.DB().QueryRowContext(ctx, `SELECT worker_id FROM `+t.Name+` WHERE id = ?`, row[:]).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return ident.ID{}, false, nil
	}
	if err != nil {
		return ident.ID{}, false, fmt.Errorf("read worker of %s row: %w", t.Name, err)
	}
	id, err := ident.ParseID(s.String)
	if err != nil {
		return ident.ID{}, false, nil
	}
	h.childMu.Lock()
	if len(h.childOwner) > 1<<20 {
		clear(h.childOwner) // a cache: bounded, refilled from the database
	}
	h.childOwner[row] = id
	h.childMu.Unlock()
	return id, true, nil
}

// scopeFilter is the relay filter of a station: ReadLog calls it for every
// log entry it examines.
func (h *Hub) scopeFilter(ctx context.Context, station string) func(t *replica.Table, row ident.ID) bool {
	return func(t *replica.Table, row ident.ID) bool {
		if countyWide[t.Name] {
			return true
		}
		if t.Name == records.Refusals {
			st, ok := h.refusalStation(ctx, row)
			return ok && st == station
		}
		w, ok, err := h.workerOf(ctx, t, row, nil)
		return err == nil && ok && h.scope.has(station, w)
	}
}

// scopeAdd is a change to a station's scope: workers entering it, and
// whether the station needs each one's snapshot.
type scopeAdd struct {
	station string
	workers []ident.ID
	pending []bool
}

func (a *scopeAdd) anyPending() bool {
	for _, p := range a.pending {
		if p {
			return true
		}
	}
	return false
}

func (h *Hub) planScope(ctx context.Context, station string, ws []ident.ID) (*scopeAdd, error) {
	a := &scopeAdd{station: station}
	var check []any // workers no station holds: does the hub have them?
	for _, w := range ws {
		if h.scope.has(station, w) {
			continue
		}
		a.workers = append(a.workers, w)
		if len(h.scope.stationsOf(w)) == 0 {
			check = append(check, w[:])
		}
	}
	atHub := map[ident.ID]bool{}
	for len(check) > 0 {
		part := check[:min(len(check), 500)]
		check = check[len(part):]
		rows, err := h.rep.DB().QueryContext(ctx, `SELECT id FROM `+records.Workers+` WHERE id IN (?`+
			strings.Repeat(",?", len(part)-1)+`)`, part...)
		if err != nil {
			return nil, fmt.Errorf("extend scope: %w", err)
		}
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				rows.Close()
				return nil, fmt.Errorf("extend scope: %w", err)
			}
			if len(b) == len(ident.ID{}) {
				atHub[ident.ID(b)] = true
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("extend scope: %w", err)
		}
	}
	a.pending = make([]bool, len(a.workers))
	for i, w := range a.workers {
		a.pending[i] = atHub[w] || len(h.scope.stationsOf(w)) > 0
	}
	return a, nil
}

// execer runs a statement in a transaction: *sql.Tx and *replica.Tx.
type execer func(ctx context.Context, query string, args ...any) (sql.Result, error)

// store writes the additions to hub_scope_entries and hub_scope_pending in
// the caller's transaction, scopeRowsPerStmt rows a statement.
func (a *scopeAdd) store(ctx context.Context, exec execer) error {
	args := make([]any, 0, 2*min(len(a.workers), scopeRowsPerStmt))
	var pend []any
	for i := 0; i < len(a.workers); i += scopeRowsPerStmt {
		part := a.workers[i:min(i+scopeRowsPerStmt, len(a.workers))]
		args = args[:0]
		for j, w := range part {
			args = append(args, a.station, w[:])
			if a.pending[i+j] {
				pend = append(pend, a.station, w[:])
			}
		}
		_, err := exec(ctx, `INSERT INTO hub_scope_entries(station, worker) VALUES (?, ?)`+
			strings.Repeat(", (?, ?)", len(part)-1), args...)
		if err != nil {
			return fmt.Errorf("extend scope: %w", err)
		}
	}
	for len(pend) > 0 {
		part := pend[:min(len(pend), 2*scopeRowsPerStmt)]
		pend = pend[len(part):]
		_, err := exec(ctx, `INSERT OR IGNORE INTO hub_scope_pending(station, worker) VALUES (?, ?)`+
			strings.Repeat(", (?, ?)", len(part)/2-1), part...)
		if err != nil {
			return fmt.Errorf("extend scope: %w", err)
		}
	}
	return nil
}

// scopeRowsPerStmt is how many scope rows one INSERT writes (two parameters
// each, well under SQLite's limit of 32,766).
const scopeRowsPerStmt = 500

// remember puts the additions in the in-memory scope. It runs before they
// commit, so that no relay reading the log in between skips their rows; if
// the commit fails, forget takes them out again (a relay in between may
// have sent a little more than the scope).
func (a *scopeAdd) remember(s *scopeSet) {
	for i, w := range a.workers {
		s.add(a.station, w, a.pending[i])
	}
}

// forget undoes remember for additions whose transaction did not commit:
// otherwise the station's resent batch would find them in scope, store
// nothing, and lose them from hub_scope_entries at the next restart.
func (a *scopeAdd) forget(s *scopeSet) {
	s.remove(a.station, a.workers)
}

// AddToScope puts workers (registered at the hub, or moved) into a station's
// scope; the station receives them and their records at its next sync.
func (h *Hub) AddToScope(ctx context.Context, station string, workers []ident.ID) error {
	h.applyMu.Lock()
	defer h.applyMu.Unlock()
	_, err := h.extendScope(ctx, station, workers, nil)
	return err
}

// extendScope puts workers into a station's scope, running also (when not
// nil) in the same transaction, so that both commit or neither does, and
// wakes the station when it has snapshots to receive. It reports whether
// any worker was not in the scope yet. The caller holds applyMu.
func (h *Hub) extendScope(ctx context.Context, station string, workers []ident.ID, also func(*sql.Tx) error) (bool, error) {
	a, err := h.planScope(ctx, station, workers)
	if err != nil || len(a.workers) == 0 {
		return false, err
	}
	a.remember(h.scope)
	if err := a.commit(ctx, h.rep.DB(), also); err != nil {
		a.forget(h.scope)
		return false, err
	}
	if a.anyPending() {
		h.sessions.Wake([]string{station}, false)
	}
	return true, nil
}

// commit stores the additions, and runs also (when not nil), in one
// transaction of their own.
func (a *scopeAdd) commit(ctx context.Context, db *sql.DB, also func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("extend scope: %w", err)
	}
	defer tx.Rollback()
	if err := a.store(ctx, tx.ExecContext); err != nil {
		return err
	}
	if also != nil {
		if err := also(tx); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("extend scope: %w", err)
	}
	return nil
}

// snapshotDone records that the station committed the snapshots of ws.
func (h *Hub) snapshotDone(ctx context.Context, station string, ws []ident.ID) error {
	tx, err := h.rep.DB().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record snapshots: %w", err)
	}
	defer tx.Rollback()
	for _, w := range ws {
		if _, err := tx.ExecContext(ctx, `DELETE FROM hub_scope_pending WHERE station = ? AND worker = ?`,
			station, w[:]); err != nil {
			return fmt.Errorf("record snapshots: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record snapshots: %w", err)
	}
	h.scope.done(station, ws)
	return nil
}

// snapshot returns the current state of a worker and its child records, as
// changes a station applies to hold exactly the hub's heads for them.
func (h *Hub) snapshot(ctx context.Context, w ident.ID) ([]replica.Change, error) {
	out, err := h.rep.Snapshot(ctx, records.Workers, w)
	if err != nil {
		return nil, err
	}
	for _, name := range childTables {
		rows, err := h.rep.DB().QueryContext(ctx, `SELECT id FROM `+name+` WHERE worker_id = ?`, w.String())
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", name, err)
		}
		var ids []ident.ID
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				rows.Close()
				return nil, fmt.Errorf("snapshot %s: %w", name, err)
			}
			var id ident.ID
			copy(id[:], b)
			ids = append(ids, id)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", name, err)
		}
		for _, id := range ids {
			chs, err := h.rep.Snapshot(ctx, name, id)
			if err != nil {
				return nil, err
			}
			out = append(out, chs...)
		}
	}
	return out, nil
}

// ScopeFilter reports which rows are in a station's scope: what the station
// should hold, no more.
func (h *Hub) ScopeFilter(station string) func(t *replica.Table, row ident.ID) bool {
	return h.scopeFilter(context.Background(), station)
}
