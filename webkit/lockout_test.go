package webkit

import (
	"errors"
	"net/http/httptest"
	"testing"
	"time"
)

func TestLimiterBackoff(t *testing.T) {
	clk := &testClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := NewLimiter(LimiterOptions{UserFree: 3, RemoteFree: 100, Base: 10 * time.Second, Max: 40 * time.Second,
		Forget: time.Hour, Now: clk.now})
	fail := func() error {
		if err := l.Begin("anna", "10.0.0.1"); err != nil {
			return err
		}
		l.Finish("anna", "10.0.0.1", Failed)
		return nil
	}
	for i := range 3 {
		if err := fail(); err != nil {
			t.Fatalf("free failure %d refused: %v", i, err)
		}
	}
	// Locked: 10 s, then 20 s, then 40 s (the cap), then 40 s.
	for _, lock := range []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 40 * time.Second} {
		var le *LockedError
		if err := l.Begin("anna", "10.0.0.2"); !errors.As(err, &le) || !le.Until.Equal(clk.t.Add(lock)) {
			t.Fatalf("want a lock of %v, got %v", lock, err)
		}
		clk.t = clk.t.Add(lock - time.Second)
		if err := l.Begin("anna", "10.0.0.3"); err == nil {
			t.Fatalf("attempt a second before the %v lock ends", lock)
		}
		clk.t = clk.t.Add(time.Second)
		if err := fail(); err != nil {
			t.Fatalf("attempt after the %v lock: %v", lock, err)
		}
	}
	// A success clears the user; the right password works once unlocked.
	clk.t = clk.t.Add(40 * time.Second)
	if err := l.Begin("anna", "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	l.Finish("anna", "10.0.0.1", Succeeded)
	for i := range 3 {
		if err := fail(); err != nil {
			t.Fatalf("after success, free failure %d refused: %v", i, err)
		}
	}
}

func TestLimiterParallelAndRemote(t *testing.T) {
	clk := &testClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := NewLimiter(LimiterOptions{UserFree: 2, RemoteFree: 3, Now: clk.now})
	// Attempts in flight count: a third parallel guess is refused.
	if l.Begin("a", "r") != nil || l.Begin("a", "r") != nil {
		t.Fatal("free attempts refused")
	}
	if l.Begin("a", "r") == nil {
		t.Fatal("a third attempt in flight accepted")
	}
	l.Finish("a", "r", Undecided)
	l.Finish("a", "r", Undecided)
	// Undecided attempts are not counted.
	if l.Begin("a", "r") != nil {
		t.Fatal("undecided attempts counted")
	}
	l.Finish("a", "r", Failed)
	// One address guessing many names is locked by its own count.
	for _, u := range []string{"b", "c"} {
		if err := l.Begin(u, "r"); err != nil {
			t.Fatal(err)
		}
		l.Finish(u, "r", Failed)
	}
	if l.Begin("d", "r") == nil {
		t.Fatal("address past its failures not locked")
	}
	if l.Begin("d", "other") != nil {
		t.Fatal("another address locked")
	}
	l.Finish("d", "other", Succeeded)
	// Forgotten after Forget.
	clk.t = clk.t.Add(2 * time.Hour)
	if l.Begin("d", "r") != nil {
		t.Fatal("lock not forgotten")
	}
}

func TestRemoteKey(t *testing.T) {
	for _, c := range []struct{ addr, want string }{
		{"192.0.2.1:1234", "192.0.2.1"},
		{"[2001:db8::1]:1234", "2001:db8::/64"},
		{"[2001:db8::2]:99", "2001:db8::/64"},
		{"junk", "junk"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.addr
		if got := RemoteKey(r); got != c.want {
			t.Errorf("%s: %s", c.addr, got)
		}
	}
}
