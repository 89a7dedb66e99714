package station

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"

	"fieldsync/privfile"
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
	return privfile.WriteFile(u.path, append(b, '\n'))
}

// Check verifies a user's password. An unknown user costs what a known one
// does (a dummy bcrypt compare of the same cost), so timing does not tell
// which names exist.
func (u *Users) Check(name, password string) bool {
	ok, _ := u.CheckKnown(name, password)
	return ok
}

// CheckKnown is Check, also saying whether the name is an account (for the
// log of failed logins, never for the answer).
func (u *Users) CheckKnown(name, password string) (ok, known bool) {
	u.mu.Lock()
	h, known := u.hash[name]
	u.mu.Unlock()
	return u.pw.Check(h, known, password), known
}
