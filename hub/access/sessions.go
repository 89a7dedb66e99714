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
	ErrLocked      = errors.New("too many failed logins: try again later")
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

// Login checks a user's password, within the lock-out rules, and opens a
// session of the given kind. It returns the session's token, which only the
// client keeps, and when it expires.
func (s *Store) Login(ctx context.Context, name, password, remote, kind string) (token string, expires time.Time, role Role, err error) {
	if err := s.limiter.begin(name, remote, s.now()); err != nil {
		s.log.WarnContext(ctx, "login refused: locked out", "remote", remote)
		return "", time.Time{}, "", err
	}
	role, known, err := s.checkPassword(ctx, name, password)
	switch {
	case errors.Is(err, ErrLoginFailed):
		userLocked, remoteLocked := s.limiter.finish(name, remote, attemptFailed, s.now())
		who, detail := name, kind
		if !known {
			// The name may be a password typed in the wrong field: keep it out.
			who, detail = "", kind+", unknown user"
		}
		s.log.WarnContext(ctx, "failed administrator login", "known", known, "remote", remote)
		s.Record(ctx, AuditEntry{User: who, Action: AuditLoginFailed, Detail: detail, Remote: remote})
		if userLocked {
			s.log.WarnContext(ctx, "administrator locked out", "known", known, "remote", remote, "for", s.opt.LockFor)
			s.Record(ctx, AuditEntry{User: who, Action: AuditLockout,
				Detail: fmt.Sprintf("user, %d failed logins, for %s", s.opt.LockAfter, s.opt.LockFor), Remote: remote})
		}
		if remoteLocked {
			s.log.WarnContext(ctx, "address locked out", "remote", remote, "for", s.opt.LockFor)
			s.Record(ctx, AuditEntry{User: who, Action: AuditLockout,
				Detail: fmt.Sprintf("address, %d failed logins, for %s", s.opt.RemoteLockAfter, s.opt.LockFor), Remote: remote})
		}
		return "", time.Time{}, "", err
	case err != nil:
		s.limiter.finish(name, remote, attemptError, s.now())
		return "", time.Time{}, "", err
	}
	s.limiter.finish(name, remote, attemptOK, s.now())
	if token, err = NewToken(); err != nil {
		return "", time.Time{}, "", err
	}
	now := s.now()
	expires = now.Add(s.opt.AdminIdle)
	if kind == SessionAPI {
		expires = now.Add(s.opt.TokenTTL)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO hub_sessions(token_hash, user, kind, created_ms, seen_ms, expires_ms)
		VALUES(?, ?, ?, ?, ?, ?)`, tokenHash(token), name, kind, now.UnixMilli(), now.UnixMilli(), expires.UnixMilli())
	if err != nil {
		return "", time.Time{}, "", fmt.Errorf("open session: %w", err)
	}
	// Sessions that ended are removed now and then, here.
	if _, err := s.db.ExecContext(ctx, `DELETE FROM hub_sessions WHERE expires_ms <= ?`, now.UnixMilli()); err != nil {
		s.log.WarnContext(ctx, "remove ended sessions", "err", err)
	}
	s.log.InfoContext(ctx, "administrator logged in", "admin", name, "kind", kind, "remote", remote)
	s.Record(ctx, AuditEntry{User: name, Action: AuditLogin, Detail: kind, Remote: remote})
	return token, expires, role, nil
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
