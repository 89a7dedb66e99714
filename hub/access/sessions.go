package access

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Actor is who performs an administrative action, for the audit log: a
// logged-in administrator and their address, or CLIUser on the hub's machine.
type Actor struct {
	User   string
	Remote string
}

// Admin is the administrator behind a request, found from a session cookie or
// a bearer token.
type Admin struct {
	Name   string
	Role   Role
	Remote string
	kind   string // SessionWeb or SessionAPI
	hash   []byte // the token's SHA-256: identifies the session
}

// SessionHash is the SHA-256 of the administrator's session token: what
// identifies the session, and what a form's CSRF token is bound to.
func (a *Admin) SessionHash() []byte { return a.hash }

// Kind is the kind of the administrator's session (SessionWeb, SessionAPI).
func (a *Admin) Kind() string { return a.kind }

// Actor is the administrator as the audit log names them.
func (a *Admin) Actor() Actor { return Actor{User: a.Name, Remote: a.Remote} }

type ctxAdminKey struct{}

// WithAdmin returns ctx carrying the administrator a request runs for.
func WithAdmin(ctx context.Context, a *Admin) context.Context {
	return context.WithValue(ctx, ctxAdminKey{}, a)
}

// AdminFrom returns the administrator a protected handler runs for.
func AdminFrom(ctx context.Context) (*Admin, bool) {
	a, ok := ctx.Value(ctxAdminKey{}).(*Admin)
	return a, ok
}

// Kinds of administrator sessions.
const (
	SessionWeb = "web" // a cookie; ends after Options.AdminIdle without use
	SessionAPI = "api" // a bearer token; ends Options.TokenTTL after login
)

// Errors of Login and Session.
var (
	ErrLoginFailed = errors.New("wrong user name or password")
	ErrNoSession   = errors.New("not logged in, or the session has ended")
)

// Login checks a user's password. It returns the role; known says whether
// name is an account's (for the caller's log: a name that is not may be a
// password typed into the wrong field). A failure is recorded in the audit
// log; the caller opens the session (kind: how the login came) and then
// records it with RecordLogin. The lock-out after failed logins is the web
// adapter's (it knows the addresses): it asks before calling Login and
// records a lock with RecordLockout.
func (s *Store) Login(ctx context.Context, name, password, remote, kind string) (role Role, known bool, err error) {
	role, known, err = s.checkPassword(ctx, name, password)
	if errors.Is(err, ErrLoginFailed) {
		who, detail := name, kind
		if !known {
			// The name may be a password typed in the wrong field: keep it out.
			who, detail = "", kind+", unknown user"
		}
		s.Record(ctx, AuditEntry{User: who, Action: AuditLoginFailed, Detail: detail, Remote: remote})
	}
	return role, known, err
}

// RecordLogin records in the audit log that an administrator logged in.
func (s *Store) RecordLogin(ctx context.Context, name, kind, remote string) {
	s.Record(ctx, AuditEntry{User: name, Action: AuditLogin, Detail: kind, Remote: remote})
}

// RecordLockout records in the audit log that failed logins locked out a user
// name (user) or an address (address), or both; an unknown name is left out.
func (s *Store) RecordLockout(ctx context.Context, name string, known bool, remote string, user, address bool) {
	if !known {
		name = ""
	}
	if user {
		s.Record(ctx, AuditEntry{User: name, Action: AuditLockout,
			Detail: fmt.Sprintf("user, %d failed logins, locked for up to %s", s.opt.LockAfter, s.opt.LockFor), Remote: remote})
	}
	if address {
		s.Record(ctx, AuditEntry{User: name, Action: AuditLockout,
			Detail: fmt.Sprintf("address, %d failed logins, locked for up to %s", s.opt.RemoteLockAfter, s.opt.LockFor), Remote: remote})
	}
}

// SessionRecord is a stored login: the SHA-256 of its token (never the
// token), its administrator and kind, and its times.
type SessionRecord struct {
	Hash                   []byte
	User, Kind             string
	Created, Seen, Expires time.Time
}

// CreateSession stores a new session, and removes the sessions that ended.
func (s *Store) CreateSession(ctx context.Context, r SessionRecord) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO hub_sessions(token_hash, user, kind, created_ms, seen_ms, expires_ms)
		VALUES(?, ?, ?, ?, ?, ?)`, r.Hash, r.User, r.Kind, r.Created.UnixMilli(), r.Seen.UnixMilli(), r.Expires.UnixMilli())
	if err != nil {
		return fmt.Errorf("open session: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM hub_sessions WHERE expires_ms <= ?`, s.now().UnixMilli()); err != nil {
		s.log.WarnContext(ctx, "remove ended sessions", "err", err)
	}
	return nil
}

// SessionByHash finds a stored session, or ErrNoSession. The token is looked
// up by its SHA-256, so the lookup's timing tells nothing about stored tokens.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (SessionRecord, error) {
	r := SessionRecord{Hash: hash}
	var created, seen, expires int64
	err := s.db.QueryRowContext(ctx, `SELECT user, kind, created_ms, seen_ms, expires_ms FROM hub_sessions
		WHERE token_hash = ?`, hash).Scan(&r.User, &r.Kind, &created, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return SessionRecord{}, ErrNoSession
	}
	if err != nil {
		return SessionRecord{}, fmt.Errorf("find session: %w", err)
	}
	r.Created, r.Seen, r.Expires = time.UnixMilli(created), time.UnixMilli(seen), time.UnixMilli(expires)
	return r, nil
}

// TouchSession records a session's use and its new end.
func (s *Store) TouchSession(ctx context.Context, hash []byte, seen, expires time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE hub_sessions SET seen_ms = ?, expires_ms = ? WHERE token_hash = ?`,
		seen.UnixMilli(), expires.UnixMilli(), hash); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM hub_sessions WHERE token_hash = ?`, hash); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of an administrator.
func (s *Store) DeleteUserSessions(ctx context.Context, name string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM hub_sessions WHERE user = ?`, name); err != nil {
		return fmt.Errorf("end sessions of %s: %w", name, err)
	}
	return nil
}

// SessionAdmin is the enabled administrator of a live session of the kind
// (found by the caller), or ErrNoSession.
func (s *Store) SessionAdmin(ctx context.Context, r SessionRecord, kind string) (*Admin, error) {
	if r.Kind != kind {
		return nil, ErrNoSession
	}
	a := Admin{Name: r.User, kind: kind, hash: r.Hash}
	var disabled bool
	err := s.db.QueryRowContext(ctx, `SELECT role, disabled FROM hub_admins WHERE name = ?`, r.User).Scan(&a.Role, &disabled)
	if errors.Is(err, sql.ErrNoRows) || err == nil && disabled {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	return &a, nil
}

// RecordLogout records in the audit log that an administrator logged out
// (the caller ended the session).
func (s *Store) RecordLogout(ctx context.Context, a *Admin) {
	s.Record(ctx, AuditEntry{User: a.Name, Action: AuditLogout, Detail: a.kind, Remote: a.Remote})
}

// CSRFSecret is the secret the web adapter's CSRF tokens are made under,
// kept in the database so that a restart does not expire open forms. Init
// makes it.
func (s *Store) CSRFSecret(ctx context.Context) ([]byte, error) {
	var b []byte
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM hub_secrets WHERE name = 'csrf'`).Scan(&b); err != nil {
		return nil, fmt.Errorf("read the CSRF secret: %w", err)
	}
	return b, nil
}
