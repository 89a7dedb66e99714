package hub

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncproto"
)

// Errors of station management, for errors.Is.
var (
	ErrStationExists  = errors.New("station already enrolled")
	ErrStationUnknown = errors.New("no such station")
)

// StationInfo is what the hub knows of an enrolled station, for the command
// line and the status page.
type StationInfo struct {
	Name         string         `json:"name"`
	Site         replica.SiteID `json:"-"`
	SiteHex      string         `json:"site"`
	DivisionCode string         `json:"division_code,omitempty"`
	Created      time.Time      `json:"created"`
	Revoked      bool           `json:"revoked"`
	LastSeen     time.Time      `json:"last_seen,omitzero"`
	LastError    string         `json:"last_error,omitempty"`
	ClockOffset  time.Duration  `json:"clock_offset_ns"`
	// Software is the release the station last said it runs ("" before it
	// first connected, or for a release before 0.6.0, which does not say).
	Software string `json:"software,omitempty"`
}

// Private (not replicated) tables of the hub, in the hub's database.
var storeSchema = []string{
	`CREATE TABLE IF NOT EXISTS hub_stations (
		name TEXT PRIMARY KEY, site INTEGER NOT NULL, token_hash BLOB NOT NULL,
		division_code TEXT NOT NULL DEFAULT '', created_ms INTEGER NOT NULL,
		revoked INTEGER NOT NULL DEFAULT 0, last_seen_ms INTEGER NOT NULL DEFAULT 0,
		last_error TEXT NOT NULL DEFAULT '', clock_offset_ms INTEGER NOT NULL DEFAULT 0) STRICT`,
	// (station, worker): the worker is in the station's scope. Only ever
	// appended, in the order workers enter scopes, so that an upload of
	// 100,000 new workers appends to the table's last pages instead of
	// rewriting pages all over a B-tree keyed by (random) worker ids; the
	// in-memory scope keeps out duplicates, and loading tolerates them.
	`CREATE TABLE IF NOT EXISTS hub_scope_entries (station TEXT NOT NULL, worker BLOB NOT NULL) STRICT`,
	// The workers whose snapshot a station has yet to receive: few, and
	// each deleted once the station committed it.
	`CREATE TABLE IF NOT EXISTS hub_scope_pending (station TEXT NOT NULL, worker BLOB NOT NULL,
		PRIMARY KEY (station, worker)) WITHOUT ROWID, STRICT`,
}

// migrateScope moves the scopes of a hub database made before
// hub_scope_entries (one hub_scope table keyed by station and worker).
func migrateScope(ctx context.Context, db *sql.DB) error {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'hub_scope'`).Scan(&n); err != nil {
		return fmt.Errorf("migrate scopes: %w", err)
	}
	if n == 0 {
		return nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate scopes: %w", err)
	}
	defer tx.Rollback()
	for _, s := range []string{
		`INSERT INTO hub_scope_entries(station, worker) SELECT station, worker FROM hub_scope`,
		`INSERT OR IGNORE INTO hub_scope_pending(station, worker) SELECT station, worker FROM hub_scope WHERE pending`,
		`DROP TABLE hub_scope`,
	} {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("migrate scopes: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate scopes: %w", err)
	}
	return nil
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func checkStationName(name string) error {
	if name == "" || len(name) > syncproto.MaxStationIDBytes || !utf8.ValidString(name) ||
		strings.ContainsAny(name, " \t\r\n,") {
		// No commas: the conflict queue keeps a conflict's stations as a
		// comma-separated list.
		return fmt.Errorf("station name %q: want 1 to %d bytes without spaces or commas", name, syncproto.MaxStationIDBytes)
	}
	if name == records.County {
		// The county's own programme rows carry this name.
		return fmt.Errorf("station name %q: the county's own name, which no station may take", name)
	}
	return nil
}

// AddStation enrols a station and returns its enrollment. The token is shown
// only here: the hub keeps its hash. With reenroll, a station whose data was
// lost gets a new site id and token under its old name and keeps its scope; its
// old token stops working.
func (h *Hub) AddStation(ctx context.Context, name, divisionCode string, reenroll bool) (syncproto.Enrollment, error) {
	if err := checkStationName(name); err != nil {
		return syncproto.Enrollment{}, err
	}
	site, err := replica.NewSiteID()
	if err != nil {
		return syncproto.Enrollment{}, err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return syncproto.Enrollment{}, fmt.Errorf("make token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	db := h.rep.DB()
	var exists int
	var oldSite int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM hub_stations WHERE name = ?`, name).Scan(&exists); err != nil {
		return syncproto.Enrollment{}, fmt.Errorf("add station: %w", err)
	}
	switch {
	case exists > 0 && !reenroll:
		return syncproto.Enrollment{}, fmt.Errorf("add station %s: %w (use re-enrollment for a station that lost its data)", name, ErrStationExists)
	case exists == 0 && reenroll:
		return syncproto.Enrollment{}, fmt.Errorf("re-enroll station %s: %w", name, ErrStationUnknown)
	case exists > 0:
		var oldDivision string
		if err := db.QueryRowContext(ctx, `SELECT site, division_code FROM hub_stations WHERE name = ?`, name).Scan(&oldSite, &oldDivision); err != nil {
			return syncproto.Enrollment{}, fmt.Errorf("re-enroll station %s: %w", name, err)
		}
		if divisionCode == "" {
			divisionCode = oldDivision
		}
		_, err = db.ExecContext(ctx, `UPDATE hub_stations SET site = ?, token_hash = ?, division_code = ?, revoked = 0,
			last_error = '' WHERE name = ?`, int64(site), tokenHash(token), divisionCode, name)
		if err == nil {
			// The new replica starts empty: a relay from the start of the
			// hub's log gives it its whole scope, so no snapshot is pending.
			_, err = db.ExecContext(ctx, `DELETE FROM hub_scope_pending WHERE station = ?`, name)
		}
		h.scope.clearPending(name)
		h.sessions.End(name)
		if err == nil {
			err = noteSite(ctx, db.ExecContext, name, site, replica.SiteID(oldSite), SiteReenrolled, h.now())
		}
	default:
		_, err = db.ExecContext(ctx, `INSERT INTO hub_stations(name, site, token_hash, division_code, created_ms)
			VALUES(?, ?, ?, ?, ?)`, name, int64(site), tokenHash(token), divisionCode, h.now().UnixMilli())
		if err == nil {
			err = noteSite(ctx, db.ExecContext, name, site, 0, SiteEnrolled, h.now())
		}
	}
	if err != nil {
		return syncproto.Enrollment{}, fmt.Errorf("add station %s: %w", name, err)
	}
	// The station directory is a replicated, county-wide table only the hub writes.
	edit := replica.Edit{Table: records.Stations, Row: h.cfg.key.Derive(records.Stations, name),
		Set: []replica.ColumnValue{{Column: "name", Value: name}}}
	if divisionCode != "" {
		edit.Set = append(edit.Set, replica.ColumnValue{Column: "division_code", Value: divisionCode})
	}
	if _, err := h.Write(ctx, edit); err != nil {
		return syncproto.Enrollment{}, fmt.Errorf("add station %s to the directory: %w", name, err)
	}
	pins, err := h.codePins(ctx)
	if err != nil {
		return syncproto.Enrollment{}, err
	}
	return syncproto.Enrollment{HubURL: h.cfg.URL, StationID: name, Site: site, Token: token,
		Key: h.cfg.key, Pins: pins}, nil
}

// StationCode issues a new enrollment line for a station that keeps its
// data (a moved or renamed hub, a new key, a lost line): the hub's address
// and pins now and a new token, under the station's current site; its
// scope is untouched and its old token stops working (its live session
// ends). A revoked station gets none: re-enroll it (AddStation).
func (h *Hub) StationCode(ctx context.Context, name string) (syncproto.Enrollment, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return syncproto.Enrollment{}, fmt.Errorf("make token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	var site int64
	var revoked bool
	err := h.rep.DB().QueryRowContext(ctx, `SELECT site, revoked FROM hub_stations WHERE name = ?`, name).Scan(&site, &revoked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return syncproto.Enrollment{}, fmt.Errorf("station code %s: %w", name, ErrStationUnknown)
	case err != nil:
		return syncproto.Enrollment{}, fmt.Errorf("station code %s: %w", name, err)
	case revoked:
		return syncproto.Enrollment{}, fmt.Errorf("station code %s: the station is revoked: re-enroll it (hub station add --reenroll)", name)
	}
	pins, err := h.codePins(ctx)
	if err != nil {
		return syncproto.Enrollment{}, err
	}
	res, err := h.rep.DB().ExecContext(ctx, `UPDATE hub_stations SET token_hash = ? WHERE name = ? AND site = ? AND revoked = 0`,
		tokenHash(token), name, site)
	if err != nil {
		return syncproto.Enrollment{}, fmt.Errorf("station code %s: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return syncproto.Enrollment{}, fmt.Errorf("station code %s: re-enrolled or revoked meanwhile: try again", name)
	}
	h.sessions.End(name)
	return syncproto.Enrollment{HubURL: h.cfg.URL, StationID: name, Site: replica.SiteID(site), Token: token,
		Key: h.cfg.key, Pins: pins}, nil
}

// RevokeStation makes a station's token stop working and ends its session.
func (h *Hub) RevokeStation(ctx context.Context, name string) error {
	res, err := h.rep.DB().ExecContext(ctx, `UPDATE hub_stations SET revoked = 1 WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("revoke station %s: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("revoke station %s: %w", name, ErrStationUnknown)
	}
	h.sessions.End(name)
	return nil
}

// Stations lists the enrolled stations by name.
func (h *Hub) Stations(ctx context.Context) ([]StationInfo, error) {
	rows, err := h.rep.DB().QueryContext(ctx, `SELECT name, site, division_code, created_ms, revoked,
		last_seen_ms, last_error, clock_offset_ms, software FROM hub_stations ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list stations: %w", err)
	}
	defer rows.Close()
	var out []StationInfo
	for rows.Next() {
		var s StationInfo
		var site, created, seen, offset int64
		if err := rows.Scan(&s.Name, &site, &s.DivisionCode, &created, &s.Revoked, &seen, &s.LastError, &offset, &s.Software); err != nil {
			return nil, fmt.Errorf("list stations: %w", err)
		}
		s.Site, s.SiteHex = replica.SiteID(site), replica.SiteID(site).String()
		s.Created = time.UnixMilli(created).UTC()
		if seen != 0 {
			s.LastSeen = time.UnixMilli(seen).UTC()
		}
		s.ClockOffset = time.Duration(offset) * time.Millisecond
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list stations: %w", err)
	}
	return out, nil
}

// Authenticate finds the station a Hello names and checks its token in
// constant time. Every failure gives the same answer, so that a caller cannot
// learn which station names exist.
func (h *Hub) Authenticate(ctx context.Context, m *syncproto.Hello) (StationInfo, error) {
	var s StationInfo
	var site int64
	var hash []byte
	err := h.rep.DB().QueryRowContext(ctx, `SELECT name, site, token_hash, revoked FROM hub_stations WHERE name = ?`,
		m.Station).Scan(&s.Name, &site, &hash, &s.Revoked)
	if errors.Is(err, sql.ErrNoRows) {
		hash = make([]byte, sha256.Size) // compare anyway: same time as a known name
	} else if err != nil {
		return s, fmt.Errorf("authenticate: %w", err)
	}
	s.Site = replica.SiteID(site)
	ok := subtle.ConstantTimeCompare(tokenHash(m.Token), hash) == 1
	if err != nil || !ok || s.Revoked {
		return s, syncproto.NewError(syncproto.ErrCodeAuth, "unknown or revoked station token")
	}
	if s.Name == records.County {
		// Enrolled before AddStation refused the county's own name: as
		// 县级 it would pass the maker rule on the county's rows.
		return s, syncproto.NewError(syncproto.ErrCodeAuth,
			"station name %s is the county's own: re-enroll the station under another name", s.Name)
	}
	if m.Site != s.Site {
		if m.Restored == 0 || m.Restored != s.Site {
			return s, syncproto.NewError(syncproto.ErrCodeAuth,
				"this station's database belongs to another enrollment (site %s): re-enroll it", m.Site)
		}
		// Restored from its own backup: the station left the enrolled
		// site for a new one, so that none of its sequence numbers or
		// versions can repeat ones the hub already holds.
		if err := h.moveRestored(ctx, s.Name, s.Site, m.Site); err != nil {
			return s, err
		}
		s.Site = m.Site
	}
	return s, nil
}

// NoteSession stores, after a session, when the station was last seen, its
// clock offset and the error that ended the session.
func (h *Hub) NoteSession(name string, seen time.Time, offset time.Duration, lastErr string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := h.rep.DB().ExecContext(ctx, `UPDATE hub_stations SET last_seen_ms = ?, clock_offset_ms = ?,
		last_error = ? WHERE name = ?`, seen.UnixMilli(), offset.Milliseconds(), lastErr, name)
	if err != nil {
		h.log.Warn("store station status", "station", name, "err", err)
	}
}

// NoteSoftware stores the release a station said it runs ("" from a
// release before 0.6.0), for the station page.
func (h *Hub) NoteSoftware(ctx context.Context, name, software string) error {
	if _, err := h.rep.DB().ExecContext(ctx, `UPDATE hub_stations SET software = ? WHERE name = ? AND software != ?`,
		software, name, software); err != nil {
		return fmt.Errorf("store station %s's software: %w", name, err)
	}
	return nil
}

// StillEnrolled checks, during a session, that the station was not revoked or
// re-enrolled meanwhile (perhaps by `hub station revoke` in another process).
func (h *Hub) StillEnrolled(ctx context.Context, name string, site replica.SiteID) error {
	var cur int64
	var revoked bool
	err := h.rep.DB().QueryRowContext(ctx, `SELECT site, revoked FROM hub_stations WHERE name = ?`, name).Scan(&cur, &revoked)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("check enrollment: %w", err)
	}
	if err != nil || revoked || replica.SiteID(cur) != site {
		return syncproto.NewError(syncproto.ErrCodeAuth, "unknown or revoked station token")
	}
	return nil
}
