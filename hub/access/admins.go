package access

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Errors of administrator management, for errors.Is.
var (
	ErrAdminExists  = errors.New("administrator already exists")
	ErrAdminUnknown = errors.New("no such administrator")
	ErrBadPassword  = errors.New("unacceptable password")
)

// MinAdminPassword is the shortest administrator password, in characters.
const MinAdminPassword = 10

// maxAdminPassword is bcrypt's limit, in bytes.
const maxAdminPassword = 72

// accessSchema holds the hub's own (never replicated) tables for
// administrators, their sessions and the audit log. Sessions keep only the
// SHA-256 of their token: a copy of the database does not let anyone in.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS hub_admins (name TEXT PRIMARY KEY, role TEXT NOT NULL,
		password_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,
		created_ms INTEGER NOT NULL, created_by TEXT NOT NULL DEFAULT '') STRICT`,
	// kind: web (a cookie, idle timeout) or api (a bearer token, fixed expiry).
	`CREATE TABLE IF NOT EXISTS hub_sessions (token_hash BLOB PRIMARY KEY, user TEXT NOT NULL,
		kind TEXT NOT NULL, created_ms INTEGER NOT NULL, seen_ms INTEGER NOT NULL,
		expires_ms INTEGER NOT NULL) STRICT`,
	`CREATE INDEX IF NOT EXISTS hub_sessions_user ON hub_sessions(user)`,
	// Secrets of the hub's web adapter (name "csrf": the CSRF secret).
	`CREATE TABLE IF NOT EXISTS hub_secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL) STRICT`,
	`CREATE TABLE IF NOT EXISTS hub_audit (id INTEGER PRIMARY KEY, at INTEGER NOT NULL,
		user TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '',
		remote TEXT NOT NULL DEFAULT '') STRICT`,
}

// Tables returns the statements that create the access tables, for the
// hub's layout ladder (they are idempotent).
func Tables() []string { return append([]string(nil), schema...) }

// AdminInfo is an administrator account, without its password.
type AdminInfo struct {
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Disabled  bool      `json:"disabled"`
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"created_by"`
}

var adminNameRE = regexp.MustCompile(`^[\p{L}\p{N}_.-]{1,32}$`)

// CheckAdminPassword says why a password is not acceptable, or nil.
func CheckAdminPassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinAdminPassword {
		return fmt.Errorf("%w: at least %d characters", ErrBadPassword, MinAdminPassword)
	}
	if len(pw) > maxAdminPassword {
		return fmt.Errorf("%w: at most %d bytes", ErrBadPassword, maxAdminPassword)
	}
	return nil
}

// AddAdmin creates an administrator account with a bcrypt hash of its
// password, and records who made it in the audit log.
func (s *Store) AddAdmin(ctx context.Context, by Actor, name string, role Role, password string) error {
	if !adminNameRE.MatchString(name) {
		return fmt.Errorf("add administrator: name %q: 1 to 32 letters, digits, _ . or -", name)
	}
	if _, err := ParseRole(string(role)); err != nil {
		return fmt.Errorf("add administrator %s: %w", name, err)
	}
	if err := CheckAdminPassword(password); err != nil {
		return fmt.Errorf("add administrator %s: %w", name, err)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.passwordCost())
	if err != nil {
		return fmt.Errorf("add administrator %s: hash password: %w", name, err)
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO hub_admins(name, role, password_hash, created_ms, created_by)
		VALUES(?, ?, ?, ?, ?) ON CONFLICT(name) DO NOTHING`, name, string(role), string(hash), s.now().UnixMilli(), by.User)
	if err != nil {
		return fmt.Errorf("add administrator %s: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("add administrator %s: %w", name, ErrAdminExists)
	}
	s.Record(ctx, AuditEntry{User: by.User, Action: AuditAdminAdd, Detail: name + " (" + string(role) + ")", Remote: by.Remote})
	s.log.InfoContext(ctx, "administrator added", "admin", name, "role", role, "by", by.User)
	return nil
}

// DisableAdmin stops an administrator from logging in and ends their web
// sessions and API tokens at once.
func (s *Store) DisableAdmin(ctx context.Context, by Actor, name string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("disable administrator %s: %w", name, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE hub_admins SET disabled = 1 WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("disable administrator %s: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("disable administrator %s: %w", name, ErrAdminUnknown)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM hub_sessions WHERE user = ?`, name); err != nil {
		return fmt.Errorf("disable administrator %s: end sessions: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("disable administrator %s: %w", name, err)
	}
	s.Record(ctx, AuditEntry{User: by.User, Action: AuditAdminDisable, Detail: name, Remote: by.Remote})
	s.log.InfoContext(ctx, "administrator disabled", "admin", name, "by", by.User)
	return nil
}

// Admins lists the administrator accounts by name.
func (s *Store) Admins(ctx context.Context) ([]AdminInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, role, disabled, created_ms, created_by
		FROM hub_admins ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list administrators: %w", err)
	}
	defer rows.Close()
	var out []AdminInfo
	for rows.Next() {
		var a AdminInfo
		var created int64
		if err := rows.Scan(&a.Name, &a.Role, &a.Disabled, &created, &a.CreatedBy); err != nil {
			return nil, fmt.Errorf("list administrators: %w", err)
		}
		a.Created = time.UnixMilli(created).UTC()
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list administrators: %w", err)
	}
	return out, nil
}

func (s *Store) passwordCost() int {
	if s.opt.PasswordCost != 0 {
		return s.opt.PasswordCost
	}
	return bcrypt.DefaultCost
}

// dummyHashes hold, by bcrypt cost, a hash that makes checking an unknown or
// disabled user cost what checking a real one costs, so that timing does not
// tell which names exist.
var dummyHashes sync.Map // int -> []byte

func dummyPasswordHash(cost int) []byte {
	if b, ok := dummyHashes.Load(cost); ok {
		return b.([]byte)
	}
	b, _ := bcrypt.GenerateFromPassword([]byte("no such administrator here"), cost)
	dummyHashes.Store(cost, b)
	return b
}

// checkPassword returns the role of an enabled administrator whose password
// matches. Every failure is ErrLoginFailed; known says whether the name is an
// account's (so that a password typed into the name field is not recorded).
func (s *Store) checkPassword(ctx context.Context, name, password string) (role Role, known bool, err error) {
	var hash string
	var disabled bool
	err = s.db.QueryRowContext(ctx, `SELECT role, password_hash, disabled FROM hub_admins WHERE name = ?`,
		name).Scan(&role, &hash, &disabled)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", false, fmt.Errorf("check password: %w", err)
	}
	known = err == nil
	if !known || disabled {
		_ = bcrypt.CompareHashAndPassword(dummyPasswordHash(s.passwordCost()), []byte(password))
		return "", known, ErrLoginFailed
	}
	// bcrypt compares the hashes in constant time.
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return "", true, ErrLoginFailed
	}
	return role, true, nil
}
