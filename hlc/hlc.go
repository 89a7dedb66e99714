// Package hlc is the hybrid logical clock that stamps every change in fieldsync:
// 48 bits of physical milliseconds and a 16-bit counter packed into one uint64,
// advanced on every send and every receive so that causality is never inverted,
// even on station PCs whose wall clock is wrong or jumps backwards.
package hlc

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// Timestamp is a hybrid logical time: milliseconds since the Unix epoch in the
// high 48 bits and a logical counter in the low 16. Timestamps order as integers.
type Timestamp uint64

const (
	counterBits = 16
	counterMask = 1<<counterBits - 1
	// MaxMillis is the largest physical time a Timestamp can hold (year 10889).
	MaxMillis = 1<<48 - 1
)

// New packs physical milliseconds and a counter into a Timestamp.
func New(ms int64, counter uint16) Timestamp {
	return Timestamp(uint64(ms)<<counterBits | uint64(counter))
}

// Millis is the physical part: milliseconds since the Unix epoch.
func (t Timestamp) Millis() int64 { return int64(t >> counterBits) }

// Counter is the logical part.
func (t Timestamp) Counter() uint16 { return uint16(t & counterMask) }

// Time is the physical part as a time.Time in UTC.
func (t Timestamp) Time() time.Time { return time.UnixMilli(t.Millis()).UTC() }

func (t Timestamp) String() string {
	return fmt.Sprintf("%s+%d", t.Time().Format("2006-01-02T15:04:05.000Z"), t.Counter())
}

// AheadError is returned when a remote timestamp is further ahead of the local
// corrected clock than the tolerance allows. Stations show it to staff: it almost
// always means the sending PC's calendar is wrong.
type AheadError struct {
	Remote    Timestamp
	Local     time.Time
	Tolerance time.Duration
}

func (e *AheadError) Error() string {
	return fmt.Sprintf("timestamp %s is %s ahead of local time %s (tolerance %s)",
		e.Remote, e.Ahead().Round(time.Millisecond), e.Local.UTC().Format(time.RFC3339), e.Tolerance)
}

// Ahead is how far the remote stamp is ahead of local time.
func (e *AheadError) Ahead() time.Duration {
	return time.Duration(e.Remote.Millis()-e.Local.UnixMilli()) * time.Millisecond
}

// ErrExhausted is returned when the clock cannot advance: the logical time has
// reached MaxMillis. It cannot happen with a sane clock before year 10889, but a
// hostile peer could try to push us there; Check refuses such stamps first.
var ErrExhausted = errors.New("hlc: clock exhausted")

// Clock is a hybrid logical clock. The zero value is not usable; use NewClock.
// It is safe for concurrent use.
type Clock struct {
	now func() time.Time

	mu     sync.Mutex
	last   Timestamp
	offset time.Duration
}

// NewClock returns a clock reading physical time from now (time.Now when nil).
func NewClock(now func() time.Time) *Clock {
	if now == nil {
		now = time.Now
	}
	return &Clock{now: now}
}

// SetOffset sets the correction added to the wall clock, as measured against
// the hub at the last connection. Stations keep using it while offline.
func (c *Clock) SetOffset(d time.Duration) {
	c.mu.Lock()
	c.offset = d
	c.mu.Unlock()
}

// Offset is the correction currently applied to the wall clock.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// Wall is the corrected physical time.
func (c *Clock) Wall() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wallLocked()
}

func (c *Clock) wallLocked() time.Time { return c.now().Add(c.offset) }

// Now returns a timestamp greater than every timestamp this clock has issued or
// received (the send rule). When the wall clock goes backwards the counter
// advances instead; when the counter overflows it carries into the millisecond.
func (c *Clock) Now() (Timestamp, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tickLocked()
}

func (c *Clock) tickLocked() (Timestamp, error) {
	pt := c.wallLocked().UnixMilli()
	if pt < 0 {
		pt = 0
	}
	if pt > c.last.Millis() && pt <= MaxMillis {
		c.last = New(pt, 0)
		return c.last, nil
	}
	if c.last >= New(MaxMillis, counterMask) {
		return 0, ErrExhausted
	}
	// Counter overflow carries into the millisecond: the packing makes +1 do it.
	c.last++
	return c.last, nil
}

// Last is the greatest timestamp issued or received so far.
func (c *Clock) Last() Timestamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// Rewind sets the greatest timestamp issued or received to t, even below
// what the clock has issued. It is for one case only: a replica whose clock
// ran ahead has just stamped again every change it stamped above t (DESIGN
// "Edges": a clock that was wrong recovers as soon as it is right again), so
// that nothing it holds is above t and new stamps follow real time again.
// Anywhere else it would break the send rule.
func (c *Clock) Rewind(t Timestamp) {
	c.mu.Lock()
	c.last = t
	c.mu.Unlock()
}

// Observe applies the receive rule: afterwards every timestamp this clock issues
// is greater than remote. It does not check how far ahead remote is; call Check
// first for stamps from untrusted peers.
func (c *Clock) Observe(remote Timestamp) {
	c.mu.Lock()
	if remote > c.last {
		c.last = remote
	}
	c.mu.Unlock()
}

// Check returns an *AheadError if remote is more than tolerance ahead of the
// corrected wall clock.
func (c *Clock) Check(remote Timestamp, tolerance time.Duration) error {
	c.mu.Lock()
	wall := c.wallLocked()
	c.mu.Unlock()
	if remote.Millis()-wall.UnixMilli() > tolerance.Milliseconds() {
		return &AheadError{Remote: remote, Local: wall, Tolerance: tolerance}
	}
	return nil
}
