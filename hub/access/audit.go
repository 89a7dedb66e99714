package access

import (
	"context"
	"fmt"
	"time"
)

// AuditEntry is one line of the audit log: who did what, when, from where.
// Detail never holds a password or a token.
type AuditEntry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	User   string    `json:"user"`
	Action string    `json:"action"`
	Detail string    `json:"detail,omitempty"`
	Remote string    `json:"remote,omitempty"`
}

// Actions recorded in the audit log.
const (
	AuditLogin         = "login"
	AuditLoginFailed   = "login_failed"
	AuditLockout       = "lockout"
	AuditLogout        = "logout"
	AuditAdminAdd      = "admin_add"
	AuditAdminDisable  = "admin_disable"
	AuditStationAdd    = "station_add"
	AuditStationRevoke = "station_revoke"
)

// CLIUser is the user the audit log names for actions taken with the `hub`
// command on the hub's machine.
const CLIUser = "cli"

// Audit appends an entry to the audit log (At is set when zero). The log is
// the hub's own: it is not replicated to stations.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	return s.AuditIn(ctx, s.db.ExecContext, e)
}

// AuditIn writes an audit entry through exec: in the transaction of the
// action it records, so that the two commit together.
func (s *Store) AuditIn(ctx context.Context, exec Exec, e AuditEntry) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	_, err := exec(ctx, `INSERT INTO hub_audit(at, user, action, detail, remote)
		VALUES(?, ?, ?, ?, ?)`, e.At.UnixMilli(), e.User, e.Action, e.Detail, e.Remote)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// Record is Audit for handlers: a failure to write the log is logged, not
// returned, so that it does not hide the outcome of the action itself.
func (s *Store) Record(ctx context.Context, e AuditEntry) {
	if err := s.Audit(context.WithoutCancel(ctx), e); err != nil {
		s.log.Error("audit", "action", e.Action, "err", err)
	}
}

// AuditLog returns the latest entries of the audit log, newest first, at
// most limit (1 to 1000; other values mean 100).
func (s *Store) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, user, action, detail, remote FROM hub_audit
		ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.User, &e.Action, &e.Detail, &e.Remote); err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
		e.At = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}
