package hub

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"fieldsync/syncproto"
)

// A hub database's incarnation (DESIGN "Edges") names its life: made at the
// first open, and made anew by Restore. Stations that meet a new one, or a
// log shorter than their cursor, sync again from what they hold instead of
// trusting cursors the restored database never gave them.

// incarnationSchema: every incarnation the database had, the last one
// current; and the incarnation each station was last served under (local
// to the hub: it is how a station of an earlier release, which cannot read
// the incarnation, is stopped from trusting its cursor after a restore).
var incarnationSchema = []string{
	`CREATE TABLE IF NOT EXISTS hub_incarnations (incarnation INTEGER NOT NULL, started_ms INTEGER NOT NULL,
		restored_from TEXT NOT NULL DEFAULT '') STRICT`,
	`CREATE TABLE IF NOT EXISTS hub_station_incarnations (station TEXT PRIMARY KEY,
		incarnation INTEGER NOT NULL) STRICT`,
}

// Incarnation is one life of the hub's database.
type Incarnation struct {
	ID      uint64    `json:"id"`
	Started time.Time `json:"started"`
	// RestoredFrom is the backup file (its name) the life started from; ""
	// for the first.
	RestoredFrom string `json:"restored_from,omitempty"`
}

// incarnations is the hub's current incarnation and its last restore.
type incarnations struct {
	current  Incarnation
	restored Incarnation // zero if the database was never restored
}

// newIncarnationID is a random non-zero id.
func newIncarnationID() (uint64, error) {
	for {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return 0, fmt.Errorf("new incarnation: %w", err)
		}
		if id := binary.BigEndian.Uint64(b[:]); id != 0 {
			return id, nil
		}
	}
}

// sqlExecer is a database or a transaction.
type sqlExecer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// startIncarnation records a new incarnation (from is the backup restored,
// "" for a database's first).
func startIncarnation(ctx context.Context, db sqlExecer, now time.Time, from string) (Incarnation, error) {
	for _, s := range incarnationSchema {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return Incarnation{}, fmt.Errorf("create incarnation tables: %w", err)
		}
	}
	id, err := newIncarnationID()
	if err != nil {
		return Incarnation{}, err
	}
	inc := Incarnation{ID: id, Started: time.UnixMilli(now.UnixMilli()), RestoredFrom: from}
	if _, err := db.ExecContext(ctx, `INSERT INTO hub_incarnations(incarnation, started_ms, restored_from) VALUES(?, ?, ?)`,
		int64(id), now.UnixMilli(), from); err != nil {
		return Incarnation{}, fmt.Errorf("record the incarnation: %w", err)
	}
	return inc, nil
}

// loadIncarnations reads the current incarnation, making the first one for
// a database that has none (made before incarnations, or new).
func loadIncarnations(ctx context.Context, db *sql.DB, now time.Time) (incarnations, error) {
	var inc incarnations
	read := func(q string) (Incarnation, error) {
		var id, ms int64
		var from string
		err := db.QueryRowContext(ctx, q).Scan(&id, &ms, &from)
		if errors.Is(err, sql.ErrNoRows) {
			return Incarnation{}, nil
		}
		if err != nil {
			return Incarnation{}, fmt.Errorf("read the incarnation: %w", err)
		}
		return Incarnation{ID: uint64(id), Started: time.UnixMilli(ms), RestoredFrom: from}, nil
	}
	var err error
	if inc.current, err = read(`SELECT incarnation, started_ms, restored_from FROM hub_incarnations ORDER BY rowid DESC LIMIT 1`); err != nil {
		return inc, err
	}
	if inc.current.ID == 0 {
		if inc.current, err = startIncarnation(ctx, db, now, ""); err != nil {
			return inc, err
		}
	}
	inc.restored, err = read(`SELECT incarnation, started_ms, restored_from FROM hub_incarnations
		WHERE restored_from != '' ORDER BY rowid DESC LIMIT 1`)
	return inc, err
}

// Incarnation is the hub database's current incarnation; stations receive
// its id in the Welcome.
func (h *Hub) Incarnation() Incarnation { return h.inc.current }

// LastRestore is the incarnation the last restore from a backup started,
// and false if the database was never restored.
func (h *Hub) LastRestore() (Incarnation, bool) {
	return h.inc.restored, h.inc.restored.ID != 0
}

// ServeIncarnation decides how the hub may serve a station's session under
// its incarnation. A station whose Hello carried its release reads the
// Welcome's incarnation and log end and checks its cursor itself; but a
// station that has not synced since a restore and has stored no
// incarnation yet (it was upgraded since) cannot tell: for it, distrust is
// true, and the session tells it to start its download again (the Welcome's
// LogEnd 0). A station of an earlier release cannot be told: it is refused,
// with a message asking to upgrade it, until it is. A station the hub knows
// served under the current incarnation, or that starts from the beginning
// of the hub's log, is served, and recorded.
func (h *Hub) ServeIncarnation(ctx context.Context, station string, hello *syncproto.Hello) (distrust bool, err error) {
	cur := h.inc.current.ID
	var prev int64
	err = h.rep.DB().QueryRowContext(ctx, `SELECT incarnation FROM hub_station_incarnations WHERE station = ?`, station).Scan(&prev)
	known := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, syncproto.NewError(syncproto.ErrCodeInternal, "hub database unavailable")
	}
	if known && uint64(prev) == cur {
		return false, nil
	}
	// Not recorded: the station never synced with this release of the hub
	// (trusted, unless the database was restored since it could have).
	stale := known || h.inc.restored.ID != 0
	if stale && hello.Cursor > 0 {
		if hello.Software == "" {
			return false, syncproto.NewError(syncproto.ErrCodeProtocolVersion,
				"县级集线器已从备份恢复，本站软件版本过旧，无法安全地继续同步，请先升级本站软件。"+
					" The county hub was restored from a backup and this station's release cannot tell: upgrade the station's software, then it syncs again.")
		}
		// Recorded once the station comes back from the start of the log.
		return true, nil
	}
	if _, err := h.rep.DB().ExecContext(ctx, `INSERT INTO hub_station_incarnations(station, incarnation) VALUES(?, ?)
		ON CONFLICT(station) DO UPDATE SET incarnation = excluded.incarnation`, station, int64(cur)); err != nil {
		h.log.Error("record the station's incarnation", "err", err)
		return false, syncproto.NewError(syncproto.ErrCodeInternal, "hub database unavailable")
	}
	return false, nil
}
