package hub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// The county assigns a person to a station (DESIGN "Trust": a station's
// scope is the people it registered, the people the county assigned to it,
// and their records): an administrator's action, audited in the
// transaction that extends the scope.

// AuditAssign is the audit action of an assignment.
const AuditAssign = "worker_assign"

// ErrStationRevoked is returned when assigning a person to a revoked station.
var ErrStationRevoked = errors.New("station revoked")

// AssignWorker puts a worker into a station's scope, as the administrator
// who: the station receives the person and their records (a snapshot) at
// once if it is connected, else at its next sync. The station must be
// enrolled (ErrStationUnknown) and not revoked (ErrStationRevoked); the worker
// must be at the hub and not deleted (replica.ErrNotFound). A worker already
// in the station's scope is no error, and nothing is written: no audit
// entry either. Otherwise the scope and the audit entry commit together.
func (h *Hub) AssignWorker(ctx context.Context, station string, worker ident.ID, who access.Actor) error {
	h.applyMu.Lock()
	defer h.applyMu.Unlock()
	db := h.rep.DB()
	var revoked bool
	err := db.QueryRowContext(ctx, `SELECT revoked FROM hub_stations WHERE name = ?`, station).Scan(&revoked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("assign worker %s to station %s: %w", worker, station, ErrStationUnknown)
	case err != nil:
		return fmt.Errorf("assign worker %s to station %s: %w", worker, station, err)
	case revoked:
		return fmt.Errorf("assign worker %s to station %s: %w", worker, station, ErrStationRevoked)
	}
	var deleted int64
	err = db.QueryRowContext(ctx, `SELECT `+replica.DeletedColumn+` FROM `+records.Workers+` WHERE id = ?`,
		worker[:]).Scan(&deleted)
	switch {
	case errors.Is(err, sql.ErrNoRows) || err == nil && deleted != 0:
		return fmt.Errorf("assign worker %s to station %s: %w", worker, station, replica.ErrNotFound)
	case err != nil:
		return fmt.Errorf("assign worker %s to station %s: %w", worker, station, err)
	}
	entry := access.AuditEntry{User: who.User, Action: AuditAssign,
		Detail: fmt.Sprintf("station %s worker %s", station, worker), Remote: who.Remote}
	added, err := h.extendScope(ctx, station, []ident.ID{worker},
		func(tx *sql.Tx) error { return h.acc.AuditIn(ctx, tx.ExecContext, entry) })
	if err != nil {
		return fmt.Errorf("assign worker %s to station %s: %w", worker, station, err)
	}
	if !added {
		return nil // in the station's scope already
	}
	h.log.InfoContext(ctx, "worker assigned", "station", station, "admin", who.User) // no worker id: DESIGN "Personal data"
	return nil
}

// Holders lists the stations whose scope holds the worker, in the order
// the worker entered them (empty, not nil, when none does).
func (h *Hub) Holders(worker ident.ID) []string {
	return append([]string{}, h.scope.stationsOf(worker)...)
}

// AssignableStations lists the enrolled stations, not revoked, a worker may
// be assigned to: those whose scope does not hold it yet, by name.
func (h *Hub) AssignableStations(ctx context.Context, worker ident.ID) ([]string, error) {
	sts, err := h.Stations(ctx)
	if err != nil {
		return nil, err
	}
	holders := h.scope.stationsOf(worker)
	var out []string
	for _, s := range sts {
		if !s.Revoked && !slices.Contains(holders, s.Name) {
			out = append(out, s.Name)
		}
	}
	return out, nil
}
