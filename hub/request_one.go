package hub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"fieldsync/replica"
)

// Request reads one join or deletion request (as Requests lists them);
// replica.ErrNotFound when there is none. The county's pages use it to
// name the state of a request that no longer waits.
func (h *Hub) Request(ctx context.Context, id int64) (Request, error) {
	r := Request{ID: id}
	var w []byte
	var at, dec int64
	err := h.rep.DB().QueryRowContext(ctx, `SELECT kind, station, worker, at_ms, state, decided_by, decided_ms
		FROM hub_requests WHERE id = ?`, id).Scan(&r.Kind, &r.Station, &w, &at, &r.State, &r.DecidedBy, &dec)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("request %d: %w", id, replica.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("request %d: %w", id, err)
	}
	copy(r.Worker[:], w)
	r.At = time.UnixMilli(at).In(h.zone)
	if dec > 0 {
		r.DecidedAt = time.UnixMilli(dec).In(h.zone)
	}
	r.Holders = append([]string(nil), h.scope.stationsOf(r.Worker)...)
	return r, nil
}
