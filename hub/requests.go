package hub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncproto"
)

// Requests are what the county decides about a station's changes (DESIGN
// "Trust"): a join (a station registering a person another station holds)
// is recorded and shown to the county, and past the day's cap waits for an
// administrator's approval; the deletion of a person other stations hold
// waits for the county's confirmation. The changes waiting are kept, as the
// station sent them, until the decision: approved, they apply as if the
// station sent them then; declined, they are dropped, and the station's
// refusal row says so.

// Kinds and states of a request.
const (
	requestJoin   = "join"
	requestDelete = "delete"

	// RequestAccepted is a join within the day's cap: recorded, not waiting.
	RequestAccepted = "accepted"
	RequestWaiting  = records.RefusalWaiting
	RequestApproved = records.RefusalApproved
	RequestDeclined = records.RefusalDeclined
)

// Audit actions of requests.
const (
	AuditJoin          = "station_join"
	AuditRequestDecide = "request_decide"
)

var requestSchema = []string{
	`CREATE TABLE IF NOT EXISTS hub_requests (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, station TEXT NOT NULL,
		worker BLOB NOT NULL, at_ms INTEGER NOT NULL, state TEXT NOT NULL, decided_by TEXT NOT NULL DEFAULT '',
		decided_ms INTEGER NOT NULL DEFAULT 0, refusal BLOB) STRICT`,
	`CREATE INDEX IF NOT EXISTS hub_requests_station ON hub_requests(station, kind, at_ms)`,
	`CREATE INDEX IF NOT EXISTS hub_requests_state ON hub_requests(state, id)`,
	// The changes a waiting request holds, as a batch encoded by the codec.
	`CREATE TABLE IF NOT EXISTS hub_held_changes (request INTEGER NOT NULL, batch BLOB NOT NULL) STRICT`,
	`CREATE INDEX IF NOT EXISTS hub_held_changes_request ON hub_held_changes(request)`,
}

// requestSet remembers the joins waiting, by station and worker, so that a
// station's later changes to the person wait with them.
type requestSet struct {
	mu      sync.Mutex
	waiting map[string]map[ident.ID]int64
}

func newRequestSet() *requestSet { return &requestSet{waiting: map[string]map[ident.ID]int64{}} }

func (r *requestSet) waitingJoin(station string, w ident.ID) (int64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id, ok := r.waiting[station][w]
	return id, ok
}

func (r *requestSet) setWaiting(station string, w ident.ID, id int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.waiting[station]
	if m == nil {
		m = map[ident.ID]int64{}
		r.waiting[station] = m
	}
	m[w] = id
}

func (r *requestSet) done(station string, w ident.ID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.waiting[station], w)
}

func (h *Hub) initRequests(ctx context.Context) error {
	for _, s := range requestSchema {
		if _, err := h.rep.DB().ExecContext(ctx, s); err != nil {
			return fmt.Errorf("create request tables: %w", err)
		}
	}
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT id, station, worker FROM hub_requests WHERE kind = ? AND state = ?`,
		requestJoin, RequestWaiting)
	if err != nil {
		return fmt.Errorf("load waiting joins: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var st string
		var w []byte
		if err := rows.Scan(&id, &st, &w); err != nil {
			return fmt.Errorf("load waiting joins: %w", err)
		}
		h.requests.setWaiting(st, ident.ID(w), id)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load waiting joins: %w", err)
	}
	return nil
}

// joinsSince counts a station's joins (accepted or waiting) since t.
func (r *requestSet) joinsSince(ctx context.Context, tx *replica.Tx, station string, t time.Time) (int, error) {
	var n int
	err := tx.QueryRow(ctx, `SELECT count(*) FROM hub_requests WHERE station = ? AND kind = ? AND at_ms >= ?`,
		station, requestJoin, t.UnixMilli()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count joins: %w", err)
	}
	return n, nil
}

// recordJoin records a join within the cap, with its audit entry.
func (r *requestSet) recordJoin(ctx context.Context, tx *replica.Tx, h *Hub, station string, w ident.ID, now time.Time) error {
	if _, err := tx.Exec(ctx, `INSERT INTO hub_requests(kind, station, worker, at_ms, state) VALUES (?, ?, ?, ?, ?)`,
		requestJoin, station, w[:], now.UnixMilli(), RequestAccepted); err != nil {
		return fmt.Errorf("record join: %w", err)
	}
	return h.acc.AuditIn(ctx, tx.Exec, access.AuditEntry{User: "station:" + station, Action: AuditJoin,
		Detail: "worker " + w.String(), At: now})
}

// dayStart is the start of the hub's day holding t.
func (h *Hub) dayStart(t time.Time) time.Time {
	t = t.In(h.zone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, h.zone)
}

func (h *Hub) joinsPerDay() int {
	if h.opt.JoinsPerDay > 0 {
		return h.opt.JoinsPerDay
	}
	return DefaultJoinsPerDay
}

// writeHeld stores the batch's waiting requests: new ones with their
// refusal row (state waiting), or more changes of one already waiting.
func (s *screen) writeHeld(ctx context.Context) error {
	reqs := append([]*heldRequest(nil), s.deletes...)
	for _, req := range s.holds {
		reqs = append(reqs, req)
	}
	for _, req := range reqs {
		if req.id == 0 {
			key := records.KeyJoinWaiting
			if req.kind == requestDelete {
				key = records.KeyDeleteWaiting
			}
			ref := refusal{table: records.Workers, row: req.worker.String(), key: key, state: records.RefusalWaiting,
				reason: records.Message("zh", key), version: req.changes[0].Version}
			if t, ok := s.h.rep.Schema().Table(req.changes[0].Table); ok {
				ref.value = summary(t, req.changes[0].Fields)
			}
			refID, err := s.h.writeRefusal(ctx, s.tx, s.st.Name, ref, s.now)
			if err != nil {
				return err
			}
			res, err := s.tx.Exec(ctx, `INSERT INTO hub_requests(kind, station, worker, at_ms, state, refusal) VALUES (?, ?, ?, ?, ?, ?)`,
				req.kind, s.st.Name, req.worker[:], s.now.UnixMilli(), RequestWaiting, refID[:])
			if err != nil {
				return fmt.Errorf("record request: %w", err)
			}
			if req.id, err = res.LastInsertId(); err != nil {
				return fmt.Errorf("record request: %w", err)
			}
			if req.kind == requestJoin {
				s.h.requests.setWaiting(s.st.Name, req.worker, req.id)
				s.waitingAdded = append(s.waitingAdded, req.worker)
			}
		}
		frame, err := s.h.codec.Encode(nil, &syncproto.Batch{Changes: req.changes})
		if err != nil {
			return fmt.Errorf("keep held changes: %w", err)
		}
		if _, err := s.tx.Exec(ctx, `INSERT INTO hub_held_changes(request, batch) VALUES (?, ?)`, req.id, frame); err != nil {
			return fmt.Errorf("keep held changes: %w", err)
		}
	}
	return nil
}

// Request is a join or a deletion the county sees and decides.
type Request struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"` // "join" or "delete"
	Station   string    `json:"station"`
	Worker    ident.ID  `json:"worker"`
	Holders   []string  `json:"holders"` // the stations holding the person now
	At        time.Time `json:"at"`
	State     string    `json:"state"` // accepted, waiting, approved, declined
	DecidedBy string    `json:"decided_by,omitempty"`
	DecidedAt time.Time `json:"decided_at,omitzero"`
}

// RequestFilter selects requests: by station, kind and state ("" for any).
type RequestFilter struct {
	Station, Kind, State string
	Limit                int // default 200
}

// Requests lists joins and deletions, newest first.
func (h *Hub) Requests(ctx context.Context, f RequestFilter) ([]Request, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT `+requestColumns+`
		FROM hub_requests WHERE (? = '' OR station = ?) AND (? = '' OR kind = ?) AND (? = '' OR state = ?)
		ORDER BY id DESC LIMIT ?`, f.Station, f.Station, f.Kind, f.Kind, f.State, f.State, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		r, err := h.scanRequest(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("list requests: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	return out, nil
}

// requestColumns are the columns scanRequest reads.
const requestColumns = `id, kind, station, worker, at_ms, state, decided_by, decided_ms`

// scanRequest reads a row of requestColumns.
func (h *Hub) scanRequest(scan func(dest ...any) error) (Request, error) {
	var r Request
	var w []byte
	var at, dec int64
	if err := scan(&r.ID, &r.Kind, &r.Station, &w, &at, &r.State, &r.DecidedBy, &dec); err != nil {
		return r, err
	}
	copy(r.Worker[:], w)
	r.At = time.UnixMilli(at).In(h.zone)
	if dec > 0 {
		r.DecidedAt = time.UnixMilli(dec).In(h.zone)
	}
	r.Holders = append([]string(nil), h.scope.stationsOf(r.Worker)...)
	return r, nil
}

// Request reads one join or deletion request (as Requests lists them);
// replica.ErrNotFound when there is none. The county's pages use it to
// name the state of a request that no longer waits.
func (h *Hub) Request(ctx context.Context, id int64) (Request, error) {
	r, err := h.scanRequest(h.rep.DB().QueryRowContext(ctx, `SELECT `+requestColumns+` FROM hub_requests WHERE id = ?`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("request %d: %w", id, replica.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("request %d: %w", id, err)
	}
	return r, nil
}

// ErrNotWaiting is returned when deciding a request that does not wait.
var ErrNotWaiting = errors.New("the request is not waiting for a decision")

// DecideRequest approves or declines a waiting request, as the
// administrator who: approved, a join brings the person into the
// station's scope and applies what the station sent for them, and a
// deletion deletes the person county-wide; declined, the changes are
// dropped (a deletion's station gets the person back). Either way the
// station's refusal row says so, and the audit log records it.
func (h *Hub) DecideRequest(ctx context.Context, id int64, approve bool, who access.Actor) error {
	h.applyMu.Lock()
	defer h.applyMu.Unlock()
	var kind, station, state string
	var w, refID []byte
	err := h.rep.DB().QueryRowContext(ctx, `SELECT kind, station, worker, state, refusal FROM hub_requests WHERE id = ?`, id).
		Scan(&kind, &station, &w, &state, &refID)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("decide request %d: %w", id, replica.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("decide request %d: %w", id, err)
	}
	if state != RequestWaiting {
		return fmt.Errorf("decide request %d: %w", id, ErrNotWaiting)
	}
	worker := ident.ID(w)
	held, err := h.heldChanges(ctx, id)
	if err != nil {
		return err
	}
	newState := RequestDeclined
	if approve {
		newState = RequestApproved
	}
	var add *scopeAdd
	var applied []replica.Change
	var names []nameUpdate
	chs, err := h.rep.Update(ctx, func(tx *replica.Tx) error {
		switch {
		case approve && kind == requestJoin:
			add = &scopeAdd{station: station, workers: []ident.ID{worker}, pending: []bool{true}}
			add.remember(h.scope)
			if err := add.store(ctx, tx.Exec); err != nil {
				return err
			}
			// What the station sent, applied as it would have been: screened
			// again, now that the person is in its scope.
			s := h.newScreen(tx, StationInfo{Name: station})
			s.added[worker] = true
			if err := s.run(ctx, held); err != nil {
				return err
			}
			if _, err := tx.ApplyChecked(ctx, s.accepted); err != nil {
				return err
			}
			if err := s.write(ctx); err != nil {
				return err
			}
			if err := tx.Flush(ctx); err != nil {
				return err
			}
			applied = s.accepted
			var err error
			if names, err = nameUpdates(ctx, tx, applied); err != nil {
				return err
			}
		case kind == requestDelete:
			// Confirmed, the hub deletes the person over the station's
			// delete; refused, it keeps the person over it.
			t, _ := h.rep.Schema().Table(records.Workers)
			for _, c := range held {
				if _, err := tx.Supersede(ctx, records.Workers, worker, []replica.Superseding{
					{Col: t.DeletedCol(), Refused: c.Version, Value: int64(1), Keep: !approve}}); err != nil {
					return err
				}
			}
		}
		if len(refID) == len(ident.ID{}) {
			if _, err := tx.Edit(ctx, replica.Edit{Table: records.Refusals, Row: ident.ID(refID),
				Set: []replica.ColumnValue{{Column: "state", Value: newState}}}); err != nil {
				return fmt.Errorf("decide request %d: %w", id, err)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE hub_requests SET state = ?, decided_by = ?, decided_ms = ? WHERE id = ?`,
			newState, who.User, h.now().UnixMilli(), id); err != nil {
			return fmt.Errorf("decide request %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM hub_held_changes WHERE request = ?`, id); err != nil {
			return fmt.Errorf("decide request %d: %w", id, err)
		}
		return h.acc.AuditIn(ctx, tx.Exec, access.AuditEntry{User: who.User, Action: AuditRequestDecide,
			Detail: fmt.Sprintf("request %d %s %s worker %s: %s", id, kind, station, worker, newState), Remote: who.Remote})
	})
	if err != nil {
		if add != nil {
			add.forget(h.scope)
		}
		return fmt.Errorf("decide request %d: %w", id, err)
	}
	if kind == requestJoin {
		h.requests.done(station, worker)
	}
	h.names.set(names)
	h.afterHubWrite(ctx, append(chs, applied...))
	h.sessions.Wake([]string{station}, false)
	h.log.InfoContext(ctx, "request decided", "request", id, "kind", kind, "station", station, "state", newState, "admin", who.User)
	return nil
}

// heldChanges reads the changes a request holds, in the order they came.
func (h *Hub) heldChanges(ctx context.Context, id int64) ([]replica.Change, error) {
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT batch FROM hub_held_changes WHERE request = ? ORDER BY rowid`, id)
	if err != nil {
		return nil, fmt.Errorf("read held changes: %w", err)
	}
	defer rows.Close()
	var out []replica.Change
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("read held changes: %w", err)
		}
		m, err := h.codec.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("read held changes: %w", err)
		}
		if bt, ok := m.(*syncproto.Batch); ok {
			out = append(out, bt.Changes...)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read held changes: %w", err)
	}
	return out, nil
}
