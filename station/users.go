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
// bcrypt-hashed passwords and each account's permissions. They are local to
// the station, never synced.
//
// The file maps each name to {"hash": ..., "rights": true|false}; a file
// written before permissions existed maps each name to its hash alone, and
// is read as accounts without them (it is rewritten in the new form at the
// next change).
type Users struct {
	path string
	pw   webkit.Passwords
	mu   sync.Mutex
	acct map[string]account
}

// account is one staff account as users.json keeps it.
type account struct {
	Hash string `json:"hash"`
	// Rights: the account may read and write labour-rights cases
	// (劳动权益维护), which everyone else sees masked.
	Rights bool `json:"rights,omitempty"`
}

// UnmarshalJSON reads an account, also in the old form (its hash alone).
func (a *account) UnmarshalJSON(b []byte) error {
	var h string
	if err := json.Unmarshal(b, &h); err == nil {
		*a = account{Hash: h}
		return nil
	}
	type plain account
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if p.Hash == "" {
		return errors.New("account without a password hash")
	}
	*a = account(p)
	return nil
}

var userRE = regexp.MustCompile(`^[\p{L}\p{N}_.-]{1,32}$`)

// MinPassword is the shortest password accepted.
const MinPassword = 8

// ErrNoAccount: no staff account has the name.
var ErrNoAccount = errors.New("no such staff account")

// LoadUsers reads DIR/users.json (no file: no accounts).
func LoadUsers(dir string) (*Users, error) {
	u := &Users{path: filepath.Join(dir, UsersFile), acct: map[string]account{}}
	b, err := os.ReadFile(u.path)
	if errors.Is(err, os.ErrNotExist) {
		return u, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read users: %w", err)
	}
	if err := json.Unmarshal(b, &u.acct); err != nil {
		return nil, fmt.Errorf("read users %s: %w", u.path, err)
	}
	return u, nil
}

// Len counts the accounts.
func (u *Users) Len() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.acct)
}

// Set creates or replaces an account's password and saves the file; an
// account's permissions stay as they were (a new one has none).
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
	a := u.acct[name]
	a.Hash = h
	u.acct[name] = a
	return u.saveLocked()
}

// SetRights grants (or revokes) an account's permission to read and write
// labour-rights cases, and saves the file.
func (u *Users) SetRights(name string, rights bool) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	a, ok := u.acct[name]
	if !ok {
		return fmt.Errorf("%w: %q", ErrNoAccount, name)
	}
	a.Rights = rights
	u.acct[name] = a
	return u.saveLocked()
}

// Has says whether name is an account.
func (u *Users) Has(name string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	_, ok := u.acct[name]
	return ok
}

// HasRights says whether the account name may read and write labour-rights
// cases (an unknown name may not).
func (u *Users) HasRights(name string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.acct[name].Rights
}

func (u *Users) saveLocked() error {
	b, err := json.MarshalIndent(u.acct, "", "  ")
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
	a, known := u.acct[name]
	u.mu.Unlock()
	return u.pw.Check(a.Hash, known, password), known
}
