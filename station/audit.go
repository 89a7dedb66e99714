package station

import (
	"context"
	"database/sql"
	"time"
)

// The station's own audit log: a table beside the replicated ones (never
// sent to the hub) of the actions on the station's data as a whole, backups
// and restores; what it says names files and sites, never personal data.

// Actions in the station's audit log.
const (
	AuditBackup  = "backup"
	AuditRestore = "restore"
)

const auditSchema = `CREATE TABLE IF NOT EXISTS station_audit (id INTEGER PRIMARY KEY,
	at_ms INTEGER NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL) STRICT`

// AuditEntry is one line of the station's audit log.
type AuditEntry struct {
	At     time.Time `json:"at"`
	User   string    `json:"user"`
	Action string    `json:"action"`
	Detail string    `json:"detail"`
}

func (s *Station) audit(ctx context.Context, user, action, detail string) {
	if err := audit(ctx, s.r.DB(), s.base(), user, action, detail); err != nil {
		s.log.Error("station audit", "action", action, "err", err)
	}
}

func audit(ctx context.Context, db *sql.DB, at time.Time, user, action, detail string) error {
	ctx = context.WithoutCancel(ctx)
	if _, err := db.ExecContext(ctx, auditSchema); err != nil {
		return err
	}
	_, err := db.ExecContext(ctx, `INSERT INTO station_audit(at_ms, user, action, detail) VALUES(?, ?, ?, ?)`,
		at.UnixMilli(), user, action, detail)
	return err
}

// AuditLog reads the station's audit log, newest first, at most limit entries.
func (s *Station) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	if _, err := s.r.DB().ExecContext(ctx, auditSchema); err != nil {
		return nil, err
	}
	rows, err := s.r.DB().QueryContext(ctx, `SELECT at_ms, user, action, detail FROM station_audit ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&at, &e.User, &e.Action, &e.Detail); err != nil {
			return nil, err
		}
		e.At = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
