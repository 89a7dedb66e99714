package station

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Users are the station's staff accounts, kept in DIR/users.json with
// bcrypt-hashed passwords. They are local to the station, never synced.
type Users struct {
	path string
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
	if len(password) > 72 {
		return errors.New("password: at most 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.hash[name] = string(h)
	b, err := json.MarshalIndent(u.hash, "", "  ")
	if err != nil {
		return fmt.Errorf("encode users: %w", err)
	}
	return writeFileAtomic(u.path, append(b, '\n'))
}

// dummyHash makes a check for an unknown user cost what a real one costs.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a password at all"), bcrypt.MinCost)

// Check verifies a user's password.
func (u *Users) Check(name, password string) bool {
	u.mu.Lock()
	h, ok := u.hash[name]
	u.mu.Unlock()
	if !ok {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(h), []byte(password)) == nil
}

type session struct {
	user    string
	expires time.Time
}

// SessionTTL is how long a login lasts without use.
const SessionTTL = 12 * time.Hour

const sessionCookie = "fs_session"

func (s *Server) newSession(w http.ResponseWriter, user string) {
	tok := randomToken()
	s.smu.Lock()
	now := s.now()
	for k, v := range s.sessions {
		if now.After(v.expires) {
			delete(s.sessions, k)
		}
	}
	s.sessions[tok] = session{user: user, expires: now.Add(SessionTTL)}
	s.smu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode})
}

func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.smu.Lock()
		delete(s.sessions, c.Value)
		s.smu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode})
}

// authenticate finds the staff member behind a request: a session cookie, or
// for the API also HTTP basic authentication.
func (s *Server) authenticate(r *http.Request, api bool) (string, bool) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.smu.Lock()
		defer s.smu.Unlock()
		se, ok := s.sessions[c.Value]
		now := s.now()
		if ok && now.Before(se.expires) {
			se.expires = now.Add(SessionTTL)
			s.sessions[c.Value] = se
			return se.user, true
		}
		return "", false
	}
	if api {
		if name, pw, ok := r.BasicAuth(); ok && s.users.Check(name, pw) {
			return name, true
		}
	}
	return "", false
}
