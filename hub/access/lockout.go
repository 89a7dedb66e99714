package access

import (
	"sync"
	"time"
)

// loginLimiter counts failed logins in memory, per user name and per remote
// address, and locks either out for a while once it has too many. A locked
// user cannot log in even with the right password, so guessing stops paying.
// Attempts in flight count against the limits too, so that parallel guesses
// cannot overrun them. The limits come from the hub's Options.
type loginLimiter struct {
	userAfter, remoteAfter int
	lockFor                time.Duration

	mu      sync.Mutex
	users   map[string]*failures
	remotes map[string]*failures
}

type failures struct {
	n       int       // failures in the current window
	first   time.Time // start of the current window
	locked  time.Time // locked out until
	pending int       // attempts being checked
}

// The outcomes of a login attempt, for finish.
type attemptResult int

const (
	attemptFailed attemptResult = iota // wrong user name or password
	attemptOK                          // logged in
	attemptError                       // not decided (a database error)
)

// maxTracked bounds the names and addresses kept before idle ones are pruned.
const maxTracked = 10000

// entry is the record of key, its window restarted when it has passed.
func (l *loginLimiter) entry(m map[string]*failures, key string, now time.Time) *failures {
	f := m[key]
	if f == nil {
		f = &failures{first: now}
		m[key] = f
	} else if now.Sub(f.first) >= l.lockFor {
		f.n, f.first = 0, now
	}
	return f
}

// begin reserves an attempt for user from remote, or returns ErrLocked.
// Every begin without an error is followed by a finish.
func (l *loginLimiter) begin(user, remote string, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.users == nil {
		l.users, l.remotes = map[string]*failures{}, map[string]*failures{}
	}
	if len(l.users)+len(l.remotes) > maxTracked {
		l.prune(now)
	}
	u, r := l.entry(l.users, user, now), l.entry(l.remotes, remote, now)
	if now.Before(u.locked) || now.Before(r.locked) ||
		u.n+u.pending >= l.userAfter || r.n+r.pending >= l.remoteAfter {
		return ErrLocked
	}
	u.pending++
	r.pending++
	return nil
}

// finish ends an attempt begun with begin. A failure is counted, and may
// lock the user or the address out (it says which); a success forgets the
// user's failures (not the address's: one good account must not let an
// address go on guessing others).
func (l *loginLimiter) finish(user, remote string, res attemptResult, now time.Time) (userLocked, remoteLocked bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	u, r := l.entry(l.users, user, now), l.entry(l.remotes, remote, now)
	u.pending--
	r.pending--
	switch res {
	case attemptOK:
		u.n = 0
	case attemptFailed:
		count := func(f *failures, after int) bool {
			f.n++
			if f.n >= after {
				f.n, f.first, f.locked = 0, now, now.Add(l.lockFor)
				return true
			}
			return false
		}
		userLocked, remoteLocked = count(u, l.userAfter), count(r, l.remoteAfter)
	}
	return userLocked, remoteLocked
}

// prune forgets the records that no longer matter: no attempt in flight, no
// lock, no failure in a current window.
func (l *loginLimiter) prune(now time.Time) {
	for _, m := range []map[string]*failures{l.users, l.remotes} {
		for k, f := range m {
			if f.pending == 0 && !now.Before(f.locked) && (f.n == 0 || now.Sub(f.first) >= l.lockFor) {
				delete(m, k)
			}
		}
	}
}
