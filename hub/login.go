package hub

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
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
	kind   string // sessionWeb or sessionAPI
	hash   []byte // the token's SHA-256: identifies the session
}

// Actor is the administrator as the audit log names them.
func (a *Admin) Actor() Actor { return Actor{User: a.Name, Remote: a.Remote} }

type ctxAdminKey struct{}

// AdminFrom returns the administrator a protected handler runs for.
func AdminFrom(ctx context.Context) (*Admin, bool) {
	a, ok := ctx.Value(ctxAdminKey{}).(*Admin)
	return a, ok
}

// Kinds of administrator sessions.
const (
	sessionWeb = "web" // a cookie; ends after Options.AdminIdle without use
	sessionAPI = "api" // a bearer token; ends Options.TokenTTL after login
)

var (
	errLoginFailed = errors.New("wrong user name or password")
	errLocked      = errors.New("too many failed logins: try again later")
	errNoSession   = errors.New("not logged in, or the session has ended")
)

// newToken makes a session token: 256 random bits.
func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// remoteHost is the address failed logins are counted against: the peer's
// IP (the hub trusts no forwarding header).
func remoteHost(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// login checks a user's password, within the lock-out rules, and opens a
// session of the given kind. It returns the session's token, which only the
// client keeps, and when it expires.
func (h *Hub) login(ctx context.Context, name, password, remote, kind string) (token string, expires time.Time, role Role, err error) {
	if err := h.limiter.begin(name, remote, h.now()); err != nil {
		h.log.WarnContext(ctx, "login refused: locked out", "remote", remote)
		return "", time.Time{}, "", err
	}
	role, known, err := h.checkPassword(ctx, name, password)
	switch {
	case errors.Is(err, errLoginFailed):
		userLocked, remoteLocked := h.limiter.finish(name, remote, attemptFailed, h.now())
		who, detail := name, kind
		if !known {
			// The name may be a password typed in the wrong field: keep it out.
			who, detail = "", kind+", unknown user"
		}
		h.log.WarnContext(ctx, "failed administrator login", "known", known, "remote", remote)
		h.audit(ctx, AuditEntry{User: who, Action: AuditLoginFailed, Detail: detail, Remote: remote})
		if userLocked {
			h.log.WarnContext(ctx, "administrator locked out", "known", known, "remote", remote, "for", h.opt.LockFor)
			h.audit(ctx, AuditEntry{User: who, Action: AuditLockout,
				Detail: fmt.Sprintf("user, %d failed logins, for %s", h.opt.LockAfter, h.opt.LockFor), Remote: remote})
		}
		if remoteLocked {
			h.log.WarnContext(ctx, "address locked out", "remote", remote, "for", h.opt.LockFor)
			h.audit(ctx, AuditEntry{User: who, Action: AuditLockout,
				Detail: fmt.Sprintf("address, %d failed logins, for %s", h.opt.RemoteLockAfter, h.opt.LockFor), Remote: remote})
		}
		return "", time.Time{}, "", err
	case err != nil:
		h.limiter.finish(name, remote, attemptError, h.now())
		return "", time.Time{}, "", err
	}
	h.limiter.finish(name, remote, attemptOK, h.now())
	if token, err = newToken(); err != nil {
		return "", time.Time{}, "", err
	}
	now := h.now()
	expires = now.Add(h.opt.AdminIdle)
	if kind == sessionAPI {
		expires = now.Add(h.opt.TokenTTL)
	}
	_, err = h.rep.DB().ExecContext(ctx, `INSERT INTO hub_sessions(token_hash, user, kind, created_ms, seen_ms, expires_ms)
		VALUES(?, ?, ?, ?, ?, ?)`, tokenHash(token), name, kind, now.UnixMilli(), now.UnixMilli(), expires.UnixMilli())
	if err != nil {
		return "", time.Time{}, "", fmt.Errorf("open session: %w", err)
	}
	// Sessions that ended are removed now and then, here.
	if _, err := h.rep.DB().ExecContext(ctx, `DELETE FROM hub_sessions WHERE expires_ms <= ?`, now.UnixMilli()); err != nil {
		h.log.WarnContext(ctx, "remove ended sessions", "err", err)
	}
	h.log.InfoContext(ctx, "administrator logged in", "admin", name, "kind", kind, "remote", remote)
	h.audit(ctx, AuditEntry{User: name, Action: AuditLogin, Detail: kind, Remote: remote})
	return token, expires, role, nil
}

// session finds the live session of a token of the given kind, and its
// enabled administrator. The token is looked up by its SHA-256, so the
// lookup's timing tells nothing about stored tokens. A web session's idle
// timer restarts unless touch is false (a page refreshing itself is not
// the administrator at work).
func (h *Hub) session(ctx context.Context, token, kind string, touch bool) (*Admin, error) {
	if token == "" {
		return nil, errNoSession
	}
	hash := tokenHash(token)
	var a Admin
	var seen, expires int64
	var disabled bool
	err := h.rep.DB().QueryRowContext(ctx, `SELECT s.user, s.seen_ms, s.expires_ms, a.role, a.disabled
		FROM hub_sessions s JOIN hub_admins a ON a.name = s.user WHERE s.token_hash = ? AND s.kind = ?`,
		hash, kind).Scan(&a.Name, &seen, &expires, &a.Role, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	now := h.now()
	if disabled || now.UnixMilli() >= expires {
		return nil, errNoSession
	}
	a.kind, a.hash = kind, hash
	// Restart the idle timer, at most every few seconds to spare the disk.
	if kind == sessionWeb && touch && now.UnixMilli()-seen >= (5*time.Second).Milliseconds() {
		_, err := h.rep.DB().ExecContext(ctx, `UPDATE hub_sessions SET seen_ms = ?, expires_ms = ? WHERE token_hash = ?`,
			now.UnixMilli(), now.Add(h.opt.AdminIdle).UnixMilli(), hash)
		if err != nil {
			h.log.WarnContext(ctx, "touch session", "err", err)
		}
	}
	return &a, nil
}

// logout ends a session and records it.
func (h *Hub) logout(ctx context.Context, a *Admin) error {
	if _, err := h.rep.DB().ExecContext(ctx, `DELETE FROM hub_sessions WHERE token_hash = ?`, a.hash); err != nil {
		return fmt.Errorf("log out: %w", err)
	}
	h.log.InfoContext(ctx, "administrator logged out", "admin", a.Name, "kind", a.kind, "remote", a.Remote)
	h.audit(ctx, AuditEntry{User: a.Name, Action: AuditLogout, Detail: a.kind, Remote: a.Remote})
	return nil
}

// csrfToken is the CSRF token of a web session: derived from the session's
// token hash, so it needs no storage and dies with the session.
func csrfToken(a *Admin) string {
	m := sha256.Sum256(append([]byte("fieldsync hub csrf\x00"), a.hash...))
	return hex.EncodeToString(m[:16])
}
