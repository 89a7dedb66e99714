package hlc

import (
	"errors"
	"testing"
	"time"
)

type manual struct{ t time.Time }

func (m *manual) now() time.Time { return m.t }

func TestSendIsMonotonicWhenWallClockGoesBack(t *testing.T) {
	m := &manual{t: time.UnixMilli(1_000_000)}
	c := NewClock(m.now)
	a, _ := c.Now()
	m.t = m.t.Add(-time.Hour) // someone fixes the PC's calendar backwards
	b, _ := c.Now()
	if b <= a {
		t.Fatalf("clock went backwards: %v then %v", a, b)
	}
	if b.Millis() != a.Millis() || b.Counter() != a.Counter()+1 {
		t.Fatalf("want the counter to advance: %v then %v", a, b)
	}
	m.t = m.t.Add(2 * time.Hour)
	d, _ := c.Now()
	if d.Counter() != 0 || d.Millis() != m.t.UnixMilli() {
		t.Fatalf("want physical time once it passes: %v", d)
	}
}

func TestReceiveRule(t *testing.T) {
	m := &manual{t: time.UnixMilli(5_000)}
	c := NewClock(m.now)
	remote := New(9_000, 7)
	c.Observe(remote)
	got, _ := c.Now()
	if got <= remote {
		t.Fatalf("stamp after receive %v not above remote %v", got, remote)
	}
	c.Observe(New(1, 0)) // older remote stamps change nothing
	if next, _ := c.Now(); next != got+1 {
		t.Fatalf("older receive moved the clock: %v", next)
	}
}

func TestCounterOverflowCarries(t *testing.T) {
	m := &manual{t: time.UnixMilli(42)}
	c := NewClock(m.now)
	c.Observe(New(42, counterMask))
	got, err := c.Now()
	if err != nil {
		t.Fatal(err)
	}
	if got.Millis() != 43 || got.Counter() != 0 {
		t.Fatalf("overflow gave %v, want 43ms+0", got)
	}
	c.Observe(New(MaxMillis, counterMask))
	if _, err := c.Now(); !errors.Is(err, ErrExhausted) {
		t.Fatalf("exhausted clock: %v", err)
	}
}

func TestCheckFarFuture(t *testing.T) {
	m := &manual{t: time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)}
	c := NewClock(m.now)
	tol := 10 * time.Minute
	tests := []struct {
		name  string
		ahead time.Duration
		ok    bool
	}{
		{"behind", -time.Hour, true},
		{"now", 0, true},
		{"within", 9 * time.Minute, true},
		{"beyond", 11 * time.Minute, false},
		{"a year", 365 * 24 * time.Hour, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := c.Check(New(m.t.Add(tc.ahead).UnixMilli(), 0), tol)
			var ae *AheadError
			if tc.ok != (err == nil) || (!tc.ok && !errors.As(err, &ae)) {
				t.Fatalf("Check = %v", err)
			}
			if ae != nil && ae.Ahead() != tc.ahead {
				t.Fatalf("Ahead = %v, want %v", ae.Ahead(), tc.ahead)
			}
		})
	}
	// The offset measured against the hub counts.
	c.SetOffset(time.Hour)
	if err := c.Check(New(m.t.Add(30*time.Minute).UnixMilli(), 0), tol); err != nil {
		t.Fatalf("with offset: %v", err)
	}
	if got, _ := c.Now(); got.Millis() != m.t.Add(time.Hour).UnixMilli() {
		t.Fatalf("offset not applied: %v", got)
	}
}

func TestPacking(t *testing.T) {
	ts := New(1_700_000_000_000, 513)
	if ts.Millis() != 1_700_000_000_000 || ts.Counter() != 513 {
		t.Fatalf("round trip: %d %d", ts.Millis(), ts.Counter())
	}
	if New(1, 0) <= New(0, counterMask) {
		t.Fatal("millis must dominate the counter")
	}
}

// A clock that ran ahead and is rewound stamps from real time again, and
// still never below what it was rewound to.
func TestRewind(t *testing.T) {
	m := &manual{t: time.UnixMilli(1_000_000)}
	c := NewClock(m.now)
	c.Observe(New(1_000_000+365*24*3600_000, 3)) // a year ahead
	if ts, _ := c.Now(); ts.Millis() < 1_000_000+365*24*3600_000 {
		t.Fatalf("before rewinding: %v, want a year ahead", ts)
	}
	c.Rewind(New(999_000, 5))
	if got := c.Last(); got != New(999_000, 5) {
		t.Fatalf("Last after Rewind = %v", got)
	}
	ts, _ := c.Now()
	if ts != New(1_000_000, 0) {
		t.Fatalf("after rewinding: %v, want the wall clock", ts)
	}
	c.Rewind(New(2_000_000, 0))
	if ts, _ := c.Now(); ts != New(2_000_000, 1) {
		t.Fatalf("rewound above the wall clock: %v, want the counter to advance", ts)
	}
}
