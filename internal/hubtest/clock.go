package hubtest

import (
	"bytes"
	"sync"
	"time"
)

// Administrator access, tested against a real hub on 127.0.0.1 with a real
// SQLite database, a clock the test moves, and logs captured in a buffer.

// FakeClock is a wall clock the test moves by hand.
type FakeClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewFakeClock is a FakeClock standing at the present.
func NewFakeClock() *FakeClock { return &FakeClock{t: time.Now()} }

// Now is the clock's time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock by d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// LogBuffer collects a hub's logs for assertions; it is written from the
// Hub's goroutines.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write adds to the buffer.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String is everything written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
