package webkit

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// Passwords hashes and checks passwords with bcrypt. A check for a user that
// does not exist compares against a dummy hash of the same cost, so that an
// unknown name takes as long as a known one and timing does not tell which
// names exist.
type Passwords struct {
	// Cost is bcrypt's cost (default bcrypt.DefaultCost).
	Cost int
	// Compare checks a password against a hash (default
	// bcrypt.CompareHashAndPassword); tests count its calls.
	Compare func(hash, password []byte) error

	once  sync.Once
	dummy []byte
}

// MaxPassword is bcrypt's limit, in bytes.
const MaxPassword = 72

func (p *Passwords) cost() int {
	if p.Cost == 0 {
		return bcrypt.DefaultCost
	}
	return p.Cost
}

// Hash returns the bcrypt hash of password.
func (p *Passwords) Hash(password string) (string, error) {
	if len(password) > MaxPassword {
		return "", errors.New("password: at most 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), p.cost())
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// DummyHash is the hash an unknown user's password is compared against.
func (p *Passwords) DummyHash() []byte {
	p.once.Do(func() {
		p.dummy, _ = bcrypt.GenerateFromPassword([]byte("fieldsync: not any user's password"), p.cost())
	})
	return p.dummy
}

// Check reports whether password matches hash; known false (no such user)
// spends the same time and reports false.
func (p *Passwords) Check(hash string, known bool, password string) bool {
	cmp := p.Compare
	if cmp == nil {
		cmp = bcrypt.CompareHashAndPassword
	}
	if !known {
		_ = cmp(p.DummyHash(), []byte(password))
		return false
	}
	return cmp([]byte(hash), []byte(password)) == nil
}

// LogLogin records a login attempt with its remote address, the way it came
// (web, api) and its outcome; never the password. The user name is logged
// only when it names an account: an unknown "name" is often a password typed
// in the wrong box.
func LogLogin(ctx context.Context, log *slog.Logger, r *http.Request, via, user string, known bool, o Outcome) {
	if !known {
		user = "(unknown)"
	}
	args := []any{"remote", RemoteKey(r), "via", via, "user", user, "outcome", o.String()}
	if o == Succeeded {
		log.InfoContext(ctx, "login", args...)
		return
	}
	log.WarnContext(ctx, "login failed", args...)
}

// LogLocked records a login refused by the Limiter.
func LogLocked(ctx context.Context, log *slog.Logger, r *http.Request, via string) {
	log.WarnContext(ctx, "login refused: locked out", "remote", RemoteKey(r), "via", via)
}
