package hub

import (
	"context"
	"fmt"
	"time"

	"fieldsync/internal/sqlitesize"
)

// What the hub's health checks and metrics read from the core (the
// adapters hubweb and hubmetrics serve them).

// Ping checks that the database answers a trivial query.
func (h *Hub) Ping(ctx context.Context) error {
	var one int
	if err := h.rep.DB().QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	return nil
}

// OpenConflictsByKind counts the open conflicts of each kind.
func (h *Hub) OpenConflictsByKind(ctx context.Context) (map[string]int, error) {
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT kind, count(*) FROM hub_conflicts WHERE status = 'open' GROUP BY kind`)
	if err != nil {
		return nil, fmt.Errorf("count open conflicts by kind: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var kind string
		var n int
		if err := rows.Scan(&kind, &n); err != nil {
			return nil, fmt.Errorf("count open conflicts by kind: %w", err)
		}
		out[kind] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count open conflicts by kind: %w", err)
	}
	return out, nil
}

// DatabaseSize is the bytes of the hub's database file and its WAL.
func (h *Hub) DatabaseSize(ctx context.Context) (sqlitesize.Sizes, error) {
	return sqlitesize.Of(ctx, h.rep.DB())
}

// LastBackup is when the newest dated backup in dir (a BackupSchedule's)
// was written, if there is one.
func LastBackup(dir string) (time.Time, bool) { return newestBackup(dir) }
