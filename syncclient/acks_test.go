package syncclient

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fieldsync/hlc"
	"fieldsync/records"
	"fieldsync/replica"
)

// testClock is a wall clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// ackClient is a client over a real station database, with the ack
// checkpoints and nothing that dials.
func ackClient(t *testing.T, retention time.Duration) (*Client, *testClock) {
	t.Helper()
	s, err := records.NewSchema()
	if err != nil {
		t.Fatal(err)
	}
	clk := &testClock{t: time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)}
	site, _ := replica.NewSiteID()
	rep, err := replica.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), replica.Options{
		Schema: s, Site: site, Clock: hlc.NewClock(clk.now)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rep.Close() })
	return &Client{cfg: Config{Replica: rep, Now: clk.now, LogRetention: retention}, log: slog.New(slog.DiscardHandler)}, clk
}

// The checkpoints say how far the hub had acknowledged by a time, never
// further; they stay few however often acks come, survive a restart, and
// forget what a hub resuming below them no longer holds.
func TestAckCheckpoints(t *testing.T) {
	ctx := context.Background()
	const retention = 90 * 24 * time.Hour
	c, clk := ackClient(t, retention)
	start := clk.now()
	// An ack every hour for 100 days, one sequence each.
	const hours = 100 * 24
	for i := 1; i <= hours; i++ {
		c.noteAck(ctx, uint64(i))
		clk.advance(time.Hour)
	}
	list := c.ackTimes(ctx)
	if len(list) > maxAckTimes || len(list) < 50 {
		t.Fatalf("%d checkpoints", len(list))
	}
	for _, tc := range []struct {
		name    string
		before  time.Time
		atLeast uint64 // acked by then, within a checkpoint's spacing
		atMost  uint64 // acked by then
	}{
		{"before the first ack", start.Add(-time.Second), 0, 0},
		{"at the first ack", start, 0, 1},
		{"after ten days", start.Add(10 * 24 * time.Hour), 10*24 - uint64(2*ackSpacing(retention)/time.Hour), 10*24 + 1},
		{"after the last", clk.now(), hours, hours},
	} {
		got := ackedBy(list, tc.before)
		if got < tc.atLeast || got > tc.atMost {
			t.Errorf("%s: acked through %d, want %d..%d", tc.name, got, tc.atLeast, tc.atMost)
		}
	}
	// Read back after a restart.
	again := &Client{cfg: c.cfg, log: c.log}
	if got := again.ackTimes(ctx); len(got) != len(list) || got[len(got)-1] != list[len(list)-1] {
		t.Fatalf("after a restart: %d checkpoints, last %+v; want %d, %+v", len(got), got[len(got)-1], len(list), list[len(list)-1])
	}
	// A hub restored to a backup resumes at 1000: later acks are void.
	again.forgetAcksAfter(ctx, 1000)
	if got := ackedBy(again.ackTimes(ctx), clk.now()); got > 1000 {
		t.Fatalf("after a resume at 1000, acked through %d", got)
	}
	again.noteAck(ctx, 3000)
	if got := ackedBy(again.ackTimes(ctx), clk.now()); got != 3000 {
		t.Fatalf("acked again through %d, want 3000", got)
	}
	if got := ackedBy(again.ackTimes(ctx), clk.now().Add(-time.Second)); got > 1000 {
		t.Fatalf("the new ack counts from before it was made: %d", got)
	}
}
