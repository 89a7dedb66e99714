// Package access holds who may do what at the hub: the roles and their
// permissions, administrator accounts, login sessions and bearer tokens,
// the lock-out's settings and records, and the audit log, over the hub's database.
// It follows the hub's core/adapter split: no HTTP here; the web adapter
// carries tokens in cookies and headers and asks this package about them.
package access

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"log/slog"
	"time"
)

// Defaults of the access options.
const (
	DefaultAdminIdle       = 30 * time.Minute
	DefaultTokenTTL        = 12 * time.Hour
	DefaultLockAfter       = 5
	DefaultRemoteLockAfter = 20
	DefaultLockFor         = 15 * time.Minute
)

// Options configure New. Zero values take the defaults.
type Options struct {
	// AdminIdle ends an administrator's web session unused for so long
	// (default 30 minutes).
	AdminIdle time.Duration
	// TokenTTL is how long an API bearer token lasts (default 12 hours).
	TokenTTL time.Duration
	// LockAfter failed logins for one user name lock the name out
	// (default 5); RemoteLockAfter failures from one address lock the
	// address out (default 20). The first lock lasts a minute (LockFor if
	// shorter); each further failure doubles it, up to LockFor (default 15
	// minutes). Failures are forgotten an hour (LockFor if longer) after the
	// last one. The web adapter keeps
	// the count (webkit.Limiter) and records locks with RecordLockout.
	LockAfter       int
	RemoteLockAfter int
	LockFor         time.Duration
	// PasswordCost is the bcrypt cost of new administrator passwords
	// (default bcrypt.DefaultCost; tests lower it).
	PasswordCost int
}

// WithDefaults returns o with its zero values replaced by the defaults.
func (o Options) WithDefaults() Options {
	if o.AdminIdle <= 0 {
		o.AdminIdle = DefaultAdminIdle
	}
	if o.TokenTTL <= 0 {
		o.TokenTTL = DefaultTokenTTL
	}
	if o.LockAfter <= 0 {
		o.LockAfter = DefaultLockAfter
	}
	if o.RemoteLockAfter <= 0 {
		o.RemoteLockAfter = DefaultRemoteLockAfter
	}
	if o.LockFor <= 0 {
		o.LockFor = DefaultLockFor
	}
	return o
}

// Exec runs a statement: *sql.DB's and *sql.Tx's ExecContext, and a
// replica transaction's Exec, so that an audit entry can commit with the
// action it records.
type Exec func(ctx context.Context, query string, args ...any) (sql.Result, error)

// Store is the hub's access control over its database. Its methods are safe
// for concurrent use.
type Store struct {
	db  *sql.DB
	now func() time.Time
	log *slog.Logger
	opt Options
}

// New returns the access control over db (the hub's database; Init makes its
// tables). now is the wall clock.
func New(db *sql.DB, now func() time.Time, log *slog.Logger, opt Options) *Store {
	opt = opt.WithDefaults()
	return &Store{db: db, now: now, log: log, opt: opt}
}

// Options are the options in force (with the defaults filled in).
func (s *Store) Options() Options { return s.opt }

// Init creates the tables of accounts, sessions and the audit log.
func (s *Store) Init(ctx context.Context) error {
	for _, q := range schema {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("create access tables: %w", err)
		}
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret) // crypto/rand.Read never fails on supported platforms
	if _, err := s.db.ExecContext(ctx, `INSERT INTO hub_secrets(name, value) VALUES('csrf', ?)
		ON CONFLICT(name) DO NOTHING`, secret); err != nil {
		return fmt.Errorf("create the CSRF secret: %w", err)
	}
	return nil
}
