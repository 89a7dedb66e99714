package station

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"fieldsync/webkit"
)

// Users are the station's staff accounts, kept in DIR/users.json with
// bcrypt-hashed passwords. They are local to the station, never synced.
type Users struct {
	path string
	pw   webkit.Passwords
	mu   sync.Mutex
	hash map[string]string
}

var userRE = regexp.MustCompile(`^[\p{L}\p{N}_.-]{1,32}$`)

// MinPassword is the shortest password accepted.
const MinPassword = 8

// LoadUsers reads DIR/users.json (no file: no accounts).
func LoadUsers(dir string) (*Users, error) {
	u := &Users{path: filepath.Join(dir, UsersFile), hash: map[string]string{}}
	b, err := os.ReadFile(u.path)
	if errors.Is(err, os.ErrNotExist) {
		return u, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read users: %w", err)
	}
	if err := json.Unmarshal(b, &u.hash); err != nil {
		return nil, fmt.Errorf("read users %s: %w", u.path, err)
	}
	return u, nil
}

// Len counts the accounts.
func (u *Users) Len() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.hash)
}

// Set creates or replaces an account and saves the file.
func (u *Users) Set(name, password string) error {
	if !userRE.MatchString(name) {
		return errors.New("user name: 1 to 32 letters, digits, _ . or -")
	}
	if len([]rune(password)) < MinPassword {
		return fmt.Errorf("password: at least %d characters", MinPassword)
	}
	h, err := u.pw.Hash(password)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.hash[name] = h
	b, err := json.MarshalIndent(u.hash, "", "  ")
	if err != nil {
		return fmt.Errorf("encode users: %w", err)
	}
	return webkit.WriteFilePrivate(u.path, append(b, '\n'))
}

// Check verifies a user's password. An unknown user costs what a known one
// does (a dummy bcrypt compare of the same cost), so timing does not tell
// which names exist.
func (u *Users) Check(name, password string) bool {
	ok, _ := u.check(name, password)
	return ok
}

// check is Check, also saying whether the name is an account.
func (u *Users) check(name, password string) (ok, known bool) {
	u.mu.Lock()
	h, known := u.hash[name]
	u.mu.Unlock()
	return u.pw.Check(h, known, password), known
}

// SessionTTL is how long a login lasts without use.
const SessionTTL = 12 * time.Hour

const (
	sessionCookie = "fs_session"
	csrfCookie    = "fs_csrf"
)

func (s *Server) newSession(ctx context.Context, w http.ResponseWriter, r *http.Request, user string) error {
	_, err := s.sessions.Start(ctx, w, r, user)
	return err
}

func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	if err := s.sessions.End(r.Context(), w, r); err != nil {
		s.log.WarnContext(r.Context(), "end session", "err", err)
	}
}

// login checks a user name and password against the lock-out and the
// accounts, and logs the outcome: 0 when they are right, else 401 (wrong)
// or 429 (locked out).
func (s *Server) checkLogin(r *http.Request, via, name, password string) int {
	remote := webkit.RemoteKey(r)
	if err := s.limiter.Begin(name, remote); err != nil {
		webkit.LogLocked(r.Context(), s.log, r, via)
		return http.StatusTooManyRequests
	}
	ok, known := s.users.check(name, password)
	outcome := webkit.Failed
	if ok {
		outcome = webkit.Succeeded
	}
	s.limiter.Finish(name, remote, outcome)
	if !ok {
		webkit.LogLogin(r.Context(), s.log, r, via, name, known, outcome)
		return http.StatusUnauthorized
	}
	return 0
}

// authenticate finds the staff member behind a request: its session (sess,
// already looked up), or for the API also HTTP basic authentication. status
// is 0 when found, else 401 or 429 (locked out).
func (s *Server) authenticate(r *http.Request, sess *webkit.Session, api bool) (user string, status int) {
	if sess != nil {
		return sess.User, 0
	}
	if api && s.users != nil {
		if name, pw, ok := r.BasicAuth(); ok {
			if st := s.checkLogin(r, "api", name, pw); st != 0 {
				return "", st
			}
			return name, 0
		}
	}
	return "", http.StatusUnauthorized
}
