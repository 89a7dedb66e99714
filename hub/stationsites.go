package hub

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"fieldsync/hub/access"
	"fieldsync/replica"
	"fieldsync/syncproto"
)

// A station's site id names every change it makes: a site that two
// databases used would make the hub's acknowledgements ambiguous. The hub
// keeps every site each station ever had, so that a station restored from
// its own backup (DESIGN.md, "Edges") can move to a new site only once, from
// the site it holds now, to one nobody ever used.

// stationSitesSchema is the hub-local history of stations' sites: one row a
// site, from when it was taken (enrolment, re-enrolment or a restore) until
// it was left (0 while current).
const stationSitesSchema = `CREATE TABLE IF NOT EXISTS hub_station_sites (
	site INTEGER PRIMARY KEY, station TEXT NOT NULL, how TEXT NOT NULL,
	since_ms INTEGER NOT NULL, until_ms INTEGER NOT NULL DEFAULT 0, from_site INTEGER NOT NULL DEFAULT 0) STRICT`

// How a station took a site.
const (
	SiteEnrolled   = "enrolled"
	SiteReenrolled = "reenrolled"
	SiteRestored   = "restored"
)

// AuditStationRestored is the audit action of a station that moved to a new
// site after a restore from its own backup.
const AuditStationRestored = "station_restored"

// SiteMove is one site a station took after its first.
type SiteMove struct {
	At      time.Time      `json:"at"`
	How     string         `json:"how"` // SiteReenrolled or SiteRestored
	From    replica.SiteID `json:"-"`
	To      replica.SiteID `json:"-"`
	FromHex string         `json:"from_site"`
	ToHex   string         `json:"to_site"`
}

// noteSite records that station took site at t (leaving from, 0 for the
// first), closing the row of the site it leaves.
func noteSite(ctx context.Context, exec access.Exec, station string, site, from replica.SiteID, how string, t time.Time) error {
	if from != 0 {
		// A station enrolled before the history was kept: its first site
		// enters it as it is left.
		if _, err := exec(ctx, `INSERT OR IGNORE INTO hub_station_sites(site, station, how, since_ms)
			VALUES(?, ?, ?, 0)`, int64(from), station, SiteEnrolled); err != nil {
			return fmt.Errorf("site history of %s: %w", station, err)
		}
		if _, err := exec(ctx, `UPDATE hub_station_sites SET until_ms = ? WHERE site = ?`, t.UnixMilli(), int64(from)); err != nil {
			return fmt.Errorf("site history of %s: %w", station, err)
		}
	}
	if _, err := exec(ctx, `INSERT INTO hub_station_sites(site, station, how, since_ms, from_site) VALUES(?, ?, ?, ?, ?)`,
		int64(site), station, how, t.UnixMilli(), int64(from)); err != nil {
		return fmt.Errorf("site history of %s: %w", station, err)
	}
	return nil
}

// siteUsed says whether anybody ever used site: the hub itself, a station
// now or before (its history, or a cursor the hub kept for its uploads,
// which covers sites left before the history was kept).
func (h *Hub) siteUsed(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, site replica.SiteID) (bool, error) {
	if site == 0 || site == h.rep.Site() {
		return true, nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM hub_stations WHERE site = ?)
		+ (SELECT count(*) FROM hub_station_sites WHERE site = ?)
		+ (SELECT count(*) FROM fs_cursor WHERE name = ?)`, int64(site), int64(site), "up:"+site.String()).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check site %s: %w", site, err)
	}
	return n > 0, nil
}

// moveRestored moves a station restored from its own backup from the site it
// is enrolled under (from) to a new one (to): only from the current site, only
// to a site never used, once. The station's enrolment then names the new
// site, its relay starts again from the beginning of the hub's log (so no
// snapshot is pending), and the audit log records the move.
func (h *Hub) moveRestored(ctx context.Context, name string, from, to replica.SiteID) error {
	refuse := func(why string) error {
		return syncproto.NewError(syncproto.ErrCodeAuth,
			"this station was restored from a backup of site %s, but %s: re-enroll it", from, why)
	}
	tx, err := h.rep.DB().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("move station %s to a new site: %w", name, err)
	}
	defer tx.Rollback()
	used, err := h.siteUsed(ctx, tx, to)
	if err != nil {
		return err
	}
	if used {
		return refuse("its new site " + to.String() + " was used before")
	}
	now := h.now()
	res, err := tx.ExecContext(ctx, `UPDATE hub_stations SET site = ?, last_error = '' WHERE name = ? AND site = ? AND revoked = 0`,
		int64(to), name, int64(from))
	if err != nil {
		return fmt.Errorf("move station %s to a new site: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return refuse("the hub no longer enrolls it under that site")
	}
	if err := noteSite(ctx, tx.ExecContext, name, to, from, SiteRestored, now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM hub_scope_pending WHERE station = ?`, name); err != nil {
		return fmt.Errorf("move station %s to a new site: %w", name, err)
	}
	if err := h.acc.AuditIn(ctx, tx.ExecContext, access.AuditEntry{At: now, User: name, Action: AuditStationRestored,
		Detail: fmt.Sprintf("%s: site %s -> %s", name, from, to)}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("move station %s to a new site: %w", name, err)
	}
	// The restored station asks for the hub's whole log again (its cursor
	// is 0): everything in its scope reaches it by the relay.
	h.scope.clearPending(name)
	h.log.Warn("station restored from a backup: moved to a new site", "station", name, "from", from, "to", to)
	return nil
}

// SiteMoves lists the sites a station took after its first (re-enrolments
// and restores), newest first.
func (h *Hub) SiteMoves(ctx context.Context, name string) ([]SiteMove, error) {
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT since_ms, how, from_site, site FROM hub_station_sites
		WHERE station = ? AND from_site != 0 ORDER BY since_ms DESC, rowid DESC`, name)
	if err != nil {
		return nil, fmt.Errorf("site history of %s: %w", name, err)
	}
	defer rows.Close()
	var out []SiteMove
	for rows.Next() {
		var at, from, to int64
		var m SiteMove
		if err := rows.Scan(&at, &m.How, &from, &to); err != nil {
			return nil, fmt.Errorf("site history of %s: %w", name, err)
		}
		m.At, m.From, m.To = time.UnixMilli(at).UTC(), replica.SiteID(from), replica.SiteID(to)
		m.FromHex, m.ToHex = m.From.String(), m.To.String()
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("site history of %s: %w", name, err)
	}
	return out, nil
}
