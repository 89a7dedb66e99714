package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
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

// NewToken makes a session token: 256 random bits.
func NewToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Login checks a user's password and opens a session of the given kind. It
// returns the session's token, which only the client keeps, and when it
// expires; known says whether name is an account's (for the caller's log: a
// name that is not may be a password typed into the wrong field). A failure
// is recorded in the audit log. The lock-out after failed logins is the web
// adapter's (it knows the addresses): it asks before calling Login and
// records a lock with RecordLockout.
func (s *Store) Login(ctx context.Context, name, password, remote, kind string) (token string, expires time.Time, role Role, known bool, err error) {
	role, known, err = s.checkPassword(ctx, name, password)
	switch {
	case errors.Is(err, ErrLoginFailed):
		who, detail := name, kind
		if !known {
			// The name may be a password typed in the wrong field: keep it out.
			who, detail = "", kind+", unknown user"
		}
		s.Record(ctx, AuditEntry{User: who, Action: AuditLoginFailed, Detail: detail, Remote: remote})
		return "", time.Time{}, "", known, err
	case err != nil:
		return "", time.Time{}, "", known, err
	}
	if token, err = NewToken(); err != nil {
		return "", time.Time{}, "", true, err
	}
	now := s.now()
	expires = now.Add(s.opt.AdminIdle)
	if kind == SessionAPI {
		expires = now.Add(s.opt.TokenTTL)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO hub_sessions(token_hash, user, kind, created_ms, seen_ms, expires_ms)
		VALUES(?, ?, ?, ?, ?, ?)`, tokenHash(token), name, kind, now.UnixMilli(), now.UnixMilli(), expires.UnixMilli())
	if err != nil {
		return "", time.Time{}, "", true, fmt.Errorf("open session: %w", err)
	}
	// Sessions that ended are removed now and then, here.
	if _, err := s.db.ExecContext(ctx, `DELETE FROM hub_sessions WHERE expires_ms <= ?`, now.UnixMilli()); err != nil {
		s.log.WarnContext(ctx, "remove ended sessions", "err", err)
	}
	s.Record(ctx, AuditEntry{User: name, Action: AuditLogin, Detail: kind, Remote: remote})
	return token, expires, role, true, nil
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

// Session finds the live session of a token of the given kind, and its
// enabled administrator. The token is looked up by its SHA-256, so the
// lookup's timing tells nothing about stored tokens. A web session's idle
// timer restarts unless touch is false (a page refreshing itself is not
// the administrator at work).
func (s *Store) Session(ctx context.Context, token, kind string, touch bool) (*Admin, error) {
	if token == "" {
		return nil, ErrNoSession
	}
	hash := tokenHash(token)
	var a Admin
	var seen, expires int64
	var disabled bool
	err := s.db.QueryRowContext(ctx, `SELECT s.user, s.seen_ms, s.expires_ms, a.role, a.disabled
		FROM hub_sessions s JOIN hub_admins a ON a.name = s.user WHERE s.token_hash = ? AND s.kind = ?`,
		hash, kind).Scan(&a.Name, &seen, &expires, &a.Role, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	now := s.now()
	if disabled || now.UnixMilli() >= expires {
		return nil, ErrNoSession
	}
	a.kind, a.hash = kind, hash
	// Restart the idle timer, at most every few seconds to spare the disk.
	if kind == SessionWeb && touch && now.UnixMilli()-seen >= (5*time.Second).Milliseconds() {
		_, err := s.db.ExecContext(ctx, `UPDATE hub_sessions SET seen_ms = ?, expires_ms = ? WHERE token_hash = ?`,
			now.UnixMilli(), now.Add(s.opt.AdminIdle).UnixMilli(), hash)
		if err != nil {
			s.log.WarnContext(ctx, "touch session", "err", err)
		}
	}
	return &a, nil
}

// Logout ends a session and records it.
func (s *Store) Logout(ctx context.Context, a *Admin) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM hub_sessions WHERE token_hash = ?`, a.hash); err != nil {
		return fmt.Errorf("log out: %w", err)
	}
	s.log.InfoContext(ctx, "administrator logged out", "admin", a.Name, "kind", a.kind, "remote", a.Remote)
	s.Record(ctx, AuditEntry{User: a.Name, Action: AuditLogout, Detail: a.kind, Remote: a.Remote})
	return nil
}

// CSRFToken is the CSRF token of a web session: derived from the session's
// token hash, so it needs no storage and dies with the session.
func CSRFToken(a *Admin) string {
	m := sha256.Sum256(append([]byte("fieldsync hub csrf\x00"), a.hash...))
	return hex.EncodeToString(m[:16])
}

// tokenHash is what the database keeps of a session token.
func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// EndSession ends the session of token if it is one of the given kind (a
// browser's earlier session when it logs in again: one browser, one
// session).
func (s *Store) EndSession(ctx context.Context, token, kind string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM hub_sessions WHERE token_hash = ? AND kind = ?`,
		tokenHash(token), kind); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}
