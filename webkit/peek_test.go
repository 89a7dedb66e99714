package webkit

import (
	"context"
	"testing"
	"time"
)

// Peek finds a live session without restarting its idle timer, and no
// expired one.
func TestPeekDoesNotTouch(t *testing.T) {
	now := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	m, err := NewSessions(SessionOptions{Store: &MemoryStore{Now: clock}, Idle: 10 * time.Minute, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	tok := NewToken()
	s := Session{Hash: TokenHash(tok), User: "u", Kind: KindWeb, Created: now, Seen: now, Expires: now.Add(10 * time.Minute)}
	if err := m.store.CreateSession(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	now = now.Add(9 * time.Minute)
	if got, err := m.Peek(context.Background(), tok); err != nil || got.User != "u" {
		t.Fatalf("peek a live session: %v %v", got, err)
	}
	now = now.Add(time.Minute)
	if _, err := m.Peek(context.Background(), tok); err != ErrNoSession {
		t.Fatalf("peek after the idle timeout (the peek did not count as use): %v", err)
	}
	if _, err := m.Peek(context.Background(), "not a token"); err != ErrNoSession {
		t.Fatalf("peek a malformed token: %v", err)
	}
}
