package webkit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// ErrNoSession is returned for a token that names no live session.
var ErrNoSession = errors.New("no such session")

// Kinds of session.
const (
	KindWeb = "web" // a browser's cookie; ends after Idle without use
	KindAPI = "api" // a bearer token; ends at a fixed time
)

// Session is a login. Stores key it by Hash, the SHA-256 of its token: the
// token itself is never stored.
type Session struct {
	Hash    []byte
	User    string
	Kind    string
	Created time.Time
	Seen    time.Time
	Expires time.Time
}

// SessionStore keeps sessions: in memory (MemoryStore) for a station, in
// its database for the hub.
type SessionStore interface {
	CreateSession(ctx context.Context, s Session) error
	// Session returns the session with hash, or ErrNoSession.
	Session(ctx context.Context, hash []byte) (Session, error)
	TouchSession(ctx context.Context, hash []byte, seen, expires time.Time) error
	DeleteSession(ctx context.Context, hash []byte) error
	// DeleteUserSessions revokes every session of user.
	DeleteUserSessions(ctx context.Context, user string) error
}

// SessionOptions configure Sessions.
type SessionOptions struct {
	Store SessionStore
	// Cookie names the session cookie (default "session").
	Cookie string
	// Idle ends a web session unused this long (default 12 hours).
	Idle time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Sessions creates, finds, ends and revokes logins: web sessions in a
// cookie, API sessions as bearer tokens.
type Sessions struct {
	store  SessionStore
	cookie string
	idle   time.Duration
	now    func() time.Time
}

// touchEvery limits how often a session's last use is written back.
const touchEvery = time.Minute

// NewSessions checks o and builds the manager.
func NewSessions(o SessionOptions) (*Sessions, error) {
	if o.Store == nil {
		return nil, errors.New("webkit sessions: no store")
	}
	m := &Sessions{store: o.Store, cookie: o.Cookie, idle: o.Idle, now: o.Now}
	if m.cookie == "" {
		m.cookie = "session"
	}
	if m.idle <= 0 {
		m.idle = 12 * time.Hour
	}
	if m.now == nil {
		m.now = time.Now
	}
	return m, nil
}

// Cookie is the name of the session cookie.
func (m *Sessions) Cookie() string { return m.cookie }

// Start logs user in on this browser: a new web session and its cookie. A
// session the request already carried is ended first (no fixation).
func (m *Sessions) Start(ctx context.Context, w http.ResponseWriter, r *http.Request, user string) (Session, error) {
	if tok, ok := CookieToken(r, m.cookie); ok {
		if err := m.store.DeleteSession(ctx, TokenHash(tok)); err != nil {
			return Session{}, fmt.Errorf("start session: %w", err)
		}
	}
	tok := NewToken()
	now := m.now()
	s := Session{Hash: TokenHash(tok), User: user, Kind: KindWeb, Created: now, Seen: now, Expires: now.Add(m.idle)}
	if err := m.store.CreateSession(ctx, s); err != nil {
		return Session{}, fmt.Errorf("start session: %w", err)
	}
	SetCookie(w, r, m.cookie, tok, 0)
	return s, nil
}

// Issue makes an API session for user lasting ttl and returns its bearer token.
func (m *Sessions) Issue(ctx context.Context, user string, ttl time.Duration) (string, Session, error) {
	tok := NewToken()
	now := m.now()
	s := Session{Hash: TokenHash(tok), User: user, Kind: KindAPI, Created: now, Seen: now, Expires: now.Add(ttl)}
	if err := m.store.CreateSession(ctx, s); err != nil {
		return "", Session{}, fmt.Errorf("issue token: %w", err)
	}
	return tok, s, nil
}

// requestToken is the session token a request carries: the session cookie,
// else an "Authorization: Bearer" header.
func (m *Sessions) requestToken(r *http.Request) (string, bool) {
	if tok, ok := CookieToken(r, m.cookie); ok {
		return tok, true
	}
	if tok, ok := BearerToken(r); ok {
		return tok, true
	}
	return "", false
}

// BearerToken reads "Authorization: Bearer TOKEN" with a token of
// NewToken's shape.
func BearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	const p = "Bearer "
	if len(h) <= len(p) || !strings.EqualFold(h[:len(p)], p) {
		return "", false
	}
	tok := h[len(p):]
	return tok, ValidToken(tok)
}

// Lookup finds the live session a request carries and records its use (a
// web session's idle timeout starts again). ErrNoSession: none, or expired.
func (m *Sessions) Lookup(ctx context.Context, r *http.Request) (Session, error) {
	tok, ok := m.requestToken(r)
	if !ok {
		return Session{}, ErrNoSession
	}
	return m.LookupToken(ctx, tok)
}

// LookupToken is Lookup for a token already read.
func (m *Sessions) LookupToken(ctx context.Context, tok string) (Session, error) {
	if !ValidToken(tok) {
		return Session{}, ErrNoSession
	}
	h := TokenHash(tok)
	s, err := m.store.Session(ctx, h)
	if err != nil {
		return Session{}, err
	}
	now := m.now()
	if !now.Before(s.Expires) {
		if err := m.store.DeleteSession(ctx, h); err != nil {
			return Session{}, fmt.Errorf("end expired session: %w", err)
		}
		return Session{}, ErrNoSession
	}
	if s.Kind == KindWeb && now.Sub(s.Seen) >= touchEvery {
		s.Seen, s.Expires = now, now.Add(m.idle)
		if err := m.store.TouchSession(ctx, h, s.Seen, s.Expires); err != nil {
			return Session{}, fmt.Errorf("touch session: %w", err)
		}
	}
	return s, nil
}

// End logs the request's session out and deletes its cookie.
func (m *Sessions) End(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	ClearCookie(w, r, m.cookie)
	tok, ok := m.requestToken(r)
	if !ok {
		return nil
	}
	if err := m.store.DeleteSession(ctx, TokenHash(tok)); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// Revoke ends every session of user (a password reset, a disabled account).
func (m *Sessions) Revoke(ctx context.Context, user string) error {
	if err := m.store.DeleteUserSessions(ctx, user); err != nil {
		return fmt.Errorf("revoke sessions of %s: %w", user, err)
	}
	return nil
}

// MemoryStore keeps sessions in memory: they end when the process does.
type MemoryStore struct {
	mu sync.Mutex
	m  map[string]Session
	// Now is the clock expired sessions are pruned by (default time.Now).
	Now func() time.Time
}

// maxMemorySessions is the size past which CreateSession prunes expired
// sessions (live ones stay, so a MemoryStore may grow beyond it).
const maxMemorySessions = 1000

// CreateSession implements SessionStore.
func (st *MemoryStore) CreateSession(_ context.Context, s Session) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.m == nil {
		st.m = map[string]Session{}
	}
	if len(st.m) >= maxMemorySessions {
		now := time.Now
		if st.Now != nil {
			now = st.Now
		}
		t := now()
		for k, v := range st.m {
			if !t.Before(v.Expires) {
				delete(st.m, k)
			}
		}
	}
	st.m[string(s.Hash)] = s
	return nil
}

// Session implements SessionStore.
func (st *MemoryStore) Session(_ context.Context, hash []byte) (Session, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.m[string(hash)]
	if !ok {
		return Session{}, ErrNoSession
	}
	return s, nil
}

// TouchSession implements SessionStore.
func (st *MemoryStore) TouchSession(_ context.Context, hash []byte, seen, expires time.Time) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.m[string(hash)]
	if !ok {
		return ErrNoSession
	}
	s.Seen, s.Expires = seen, expires
	st.m[string(hash)] = s
	return nil
}

// DeleteSession implements SessionStore.
func (st *MemoryStore) DeleteSession(_ context.Context, hash []byte) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.m, string(hash))
	return nil
}

// DeleteUserSessions implements SessionStore.
func (st *MemoryStore) DeleteUserSessions(_ context.Context, user string) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	for k, s := range st.m {
		if s.User == user {
			delete(st.m, k)
		}
	}
	return nil
}
