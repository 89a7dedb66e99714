package webkit

import (
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Outcome is how a login attempt ended.
type Outcome int

const (
	Failed    Outcome = iota // wrong user name or password
	Succeeded                // logged in
	Undecided                // not decided (a storage error): not counted
)

func (o Outcome) String() string {
	switch o {
	case Failed:
		return "failed"
	case Succeeded:
		return "ok"
	}
	return "undecided"
}

// LockedError refuses a login attempt until Until.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return fmt.Sprintf("too many failed logins: locked until %s", e.Until.Format(time.RFC3339))
}

// LimiterOptions configure a Limiter.
type LimiterOptions struct {
	// UserFree and RemoteFree are the failures a user name or a remote
	// address may have before it is locked (default 5 and 20).
	UserFree, RemoteFree int
	// Base is the first lock; each failure after it doubles the lock, up to
	// Max (default 30 s and 15 min).
	Base, Max time.Duration
	// Forget clears a record this long after its last failure (default 1 h).
	Forget time.Duration
	Now    func() time.Time
}

// Limiter counts failed logins in memory, per user name and per remote
// address, and locks either out with a growing delay once it has too many: a
// locked user cannot log in even with the right password, so guessing stops
// paying. Attempts in flight count too, so parallel guesses cannot overrun
// the limits.
type Limiter struct {
	o       LimiterOptions
	mu      sync.Mutex
	users   map[string]*failures
	remotes map[string]*failures
}

type failures struct {
	n       int       // failures since the record was last cleared
	last    time.Time // the last failure
	locked  time.Time // locked until
	pending int       // attempts being checked
}

// maxTracked bounds the names and addresses kept before idle ones are pruned.
const maxTracked = 10000

// NewLimiter fills in o's defaults.
func NewLimiter(o LimiterOptions) *Limiter {
	if o.UserFree <= 0 {
		o.UserFree = 5
	}
	if o.RemoteFree <= 0 {
		o.RemoteFree = 20
	}
	if o.Base <= 0 {
		o.Base = 30 * time.Second
	}
	if o.Max < o.Base {
		o.Max = max(15*time.Minute, o.Base)
	}
	if o.Forget <= 0 {
		o.Forget = time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Limiter{o: o, users: map[string]*failures{}, remotes: map[string]*failures{}}
}

func (l *Limiter) entry(m map[string]*failures, key string, now time.Time) *failures {
	f := m[key]
	if f == nil {
		f = &failures{}
		m[key] = f
	} else if f.pending == 0 && !now.Before(f.locked) && now.Sub(f.last) >= l.o.Forget {
		*f = failures{}
	}
	return f
}

func (l *Limiter) refuses(f *failures, free int, now time.Time) bool {
	if now.Before(f.locked) {
		return true
	}
	if f.n >= free {
		return f.pending > 0 // past the free failures, one attempt at a time
	}
	return f.n+f.pending >= free
}

// Begin reserves an attempt for user from remote, or returns a *LockedError.
// Every Begin without an error is followed by a Finish.
func (l *Limiter) Begin(user, remote string) error {
	now := l.o.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.users)+len(l.remotes) > maxTracked {
		l.prune(now)
	}
	u, r := l.entry(l.users, user, now), l.entry(l.remotes, remote, now)
	if l.refuses(u, l.o.UserFree, now) || l.refuses(r, l.o.RemoteFree, now) {
		until := u.locked
		if r.locked.After(until) {
			until = r.locked
		}
		if until.Before(now) {
			until = now
		}
		return &LockedError{Until: until}
	}
	u.pending++
	r.pending++
	return nil
}

// Finish ends an attempt begun with Begin. A failure is counted and, past
// the free ones, locks the user or the address for a delay that doubles with
// each further failure (it says which it locked); a success forgets the
// user's failures (not the address's: one good account must not let an
// address go on guessing others).
func (l *Limiter) Finish(user, remote string, o Outcome) (userLocked, remoteLocked bool) {
	now := l.o.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	u, r := l.entry(l.users, user, now), l.entry(l.remotes, remote, now)
	u.pending = max(0, u.pending-1)
	r.pending = max(0, r.pending-1)
	switch o {
	case Succeeded:
		*u = failures{pending: u.pending}
	case Failed:
		userLocked, remoteLocked = l.fail(u, l.o.UserFree, now), l.fail(r, l.o.RemoteFree, now)
	}
	return userLocked, remoteLocked
}

func (l *Limiter) fail(f *failures, free int, now time.Time) bool {
	f.n++
	f.last = now
	if f.n < free {
		return false
	}
	f.locked = now.Add(l.Delay(f.n - free))
	return true
}

// Delay is the lock after the k-th failure past the free ones (k from 0):
// Base doubled k times, at most Max.
func (l *Limiter) Delay(k int) time.Duration {
	d := l.o.Base
	for range k {
		if d >= l.o.Max/2 {
			return l.o.Max
		}
		d *= 2
	}
	return min(d, l.o.Max)
}

func (l *Limiter) prune(now time.Time) {
	for _, m := range []map[string]*failures{l.users, l.remotes} {
		for k, f := range m {
			if f.pending == 0 && !now.Before(f.locked) && now.Sub(f.last) >= l.o.Forget {
				delete(m, k)
			}
		}
	}
}

// RemoteKey is the address a request's failures count against: its
// client's IP (behind a trusted proxy, the one X-Forwarded-For names: see
// TrustedProxies.Handler), or for IPv6 its /64 (one host usually holds a
// whole /64).
func RemoteKey(r *http.Request) string {
	host := ClientHost(r)
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}
