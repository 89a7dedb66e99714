package hubweb

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"fieldsync/hub/access"
	"fieldsync/webkit"
)

// sessionStore is the hub's SQLite sessions (hub/access, which imports no
// HTTP) as a webkit.SessionStore.
type sessionStore struct{ acc *access.Store }

func (st sessionStore) CreateSession(ctx context.Context, s webkit.Session) error {
	return st.acc.CreateSession(ctx, access.SessionRecord{Hash: s.Hash, User: s.User, Kind: s.Kind,
		Created: s.Created, Seen: s.Seen, Expires: s.Expires})
}

func (st sessionStore) Session(ctx context.Context, hash []byte) (webkit.Session, error) {
	r, err := st.acc.SessionByHash(ctx, hash)
	if errors.Is(err, access.ErrNoSession) {
		return webkit.Session{}, webkit.ErrNoSession
	}
	if err != nil {
		return webkit.Session{}, err
	}
	return webkit.Session{Hash: r.Hash, User: r.User, Kind: r.Kind, Created: r.Created, Seen: r.Seen, Expires: r.Expires}, nil
}

func (st sessionStore) TouchSession(ctx context.Context, hash []byte, seen, expires time.Time) error {
	return st.acc.TouchSession(ctx, hash, seen, expires)
}

func (st sessionStore) DeleteSession(ctx context.Context, hash []byte) error {
	return st.acc.DeleteSession(ctx, hash)
}

func (st sessionStore) DeleteUserSessions(ctx context.Context, user string) error {
	return st.acc.DeleteUserSessions(ctx, user)
}

// newSessions and newCSRF build the web sessions over the hub's database and
// the CSRF checker under the secret kept there (a restart keeps open forms
// valid). Should the secret not be readable, forms are bound to a secret of
// this process only (logged).
func newSessions(acc *access.Store, now func() time.Time) *webkit.Sessions {
	s, _ := webkit.NewSessions(webkit.SessionOptions{Store: sessionStore{acc}, Cookie: sessionCookie,
		Idle: acc.Options().AdminIdle, Now: now}) // fails only without a store
	return s
}

func newCSRF(acc *access.Store, log *slog.Logger) *webkit.CSRF {
	secret, err := acc.CSRFSecret(context.Background())
	if err != nil || len(secret) < 32 {
		log.ErrorContext(context.Background(), "CSRF secret: forms expire at restart", "err", err)
		secret = webkit.NewCSRFSecret()
	}
	c, _ := webkit.NewCSRF(secret, loginCSRF) // the secret has 32 bytes
	return c
}

// session finds the live session of tok of the kind and its enabled
// administrator: access.ErrNoSession when there is none. touch records the
// use (a web session's idle timer restarts).
func (h *server) session(ctx context.Context, tok, kind string, touch bool) (*access.Admin, error) {
	look := h.sessions.LookupToken
	if !touch {
		look = h.sessions.Peek
	}
	s, err := look(ctx, tok)
	if errors.Is(err, webkit.ErrNoSession) {
		return nil, access.ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	return h.acc.SessionAdmin(ctx, access.SessionRecord{Hash: s.Hash, User: s.User, Kind: s.Kind,
		Created: s.Created, Seen: s.Seen, Expires: s.Expires}, kind)
}

// csrfToken is the CSRF token of an administrator's web session's forms.
func (h *server) csrfToken(a *access.Admin) string { return h.csrf.Token(a.SessionHash()) }

// cookieToken is the session token in the request's cookie ("" when none).
func cookieToken(r *http.Request) string {
	tok, _ := webkit.CookieToken(r, sessionCookie)
	return tok
}
