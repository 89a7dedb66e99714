package syncclient

import (
	"context"
	"fmt"
	"time"

	"fieldsync/replica"
	"fieldsync/syncproto"
)

// A station whose clock ran ahead stamped changes the hub refuses
// (ErrCodeClockAhead), and its clock, which never goes back, keeps stamping
// new ones as far ahead. The hub applied none of them, so they exist only
// here: once the station's corrected clock agrees with the hub's again, the
// station stamps them again (replica.Restamp: order and links kept) and
// sends them in the same session. Nothing waits for real time to catch up
// (DESIGN "Edges"). The clock offset measured against the hub at every
// connection corrects the PC's calendar, so the clock is right again at the
// first connection after the refusal, whether or not staff fixed the
// calendar.

// clockRefusedState is set when the hub refused this station's changes for
// being stamped ahead of its clock, until they are stamped again.
const clockRefusedState = "sync.clock_refused"

// restampNote is what the station tells staff about changes it stamped
// again.
type restampNote struct {
	changes int    // stamped again since the client started
	through uint64 // the last log row rewritten
	sent    bool   // the hub acknowledged through it
}

// noteClockRefusal remembers a clock-ahead refusal, across restarts.
func (c *Client) noteClockRefusal(ctx context.Context, code int) {
	if syncproto.ErrCode(code) != syncproto.ErrCodeClockAhead {
		return
	}
	// Stored even as the client stops: the session that was refused is over.
	if err := c.cfg.Replica.SetState(context.WithoutCancel(ctx), clockRefusedState, []byte("1")); err != nil {
		c.log.Warn("remember the hub's clock-ahead refusal", "err", err)
	}
}

// recoverClock runs after the handshake: when the hub refused this
// station's changes for being ahead and the corrected clock is now within
// the hub's tolerance of the hub's time, it stamps again the unacknowledged
// own changes stamped ahead of the hub's time, so that this session sends
// them.
func (c *Client) recoverClock(ctx context.Context, w *syncproto.Welcome) error {
	rep := c.cfg.Replica
	b, err := rep.State(ctx, clockRefusedState)
	if err != nil {
		return err
	}
	c.mu.Lock()
	refused := b != nil || c.st.ErrorCode == int(syncproto.ErrCodeClockAhead) // the stored refusal, as loaded
	c.mu.Unlock()
	if !refused {
		return nil
	}
	hubNow := w.Now.Time()
	tolerance := time.Duration(w.MaxSkew) * time.Millisecond
	if d := rep.Clock().Wall().Sub(hubNow); d > tolerance || d < -tolerance {
		c.log.Warn("the hub refused changes stamped ahead, and this station's clock still differs from the hub's",
			"by", d.Round(time.Millisecond), "tolerance", tolerance)
		return nil
	}
	res, err := rep.Restamp(ctx, replica.RestampOptions{After: w.Resume, AheadOf: hubNow})
	if err != nil {
		return fmt.Errorf("stamp again the changes the hub refused for being ahead: %w", err)
	}
	if err := rep.SetState(ctx, clockRefusedState, nil); err != nil {
		c.log.Warn("forget the hub's clock-ahead refusal", "err", err)
	}
	if res.Changes == 0 {
		c.log.Info("the clock is right again; no unsent change is stamped ahead of the hub's time")
		return nil
	}
	if res.Clock.Time().After(hubNow.Add(tolerance)) {
		// Stamped above a version received from elsewhere that is itself
		// ahead: the hub will refuse them again.
		c.log.Error("changes stamped again are still ahead of the hub's time: a version this station received is ahead",
			"clock", res.Clock, "hub_time", hubNow)
	}
	c.log.Warn("the clock is right again: changes the hub refused for being ahead were stamped again and are being sent",
		"changes", res.Changes, "log_rows", res.Rows, "first_seq", res.First, "last_seq", res.Last, "clock", res.Clock)
	c.mu.Lock()
	c.restamped.changes += res.Changes
	c.restamped.through = max(c.restamped.through, res.Last)
	c.restamped.sent = false
	c.mu.Unlock()
	return nil
}

// restampAcked notes the hub's acknowledgement of the changes stamped again.
func (c *Client) restampAcked(seq uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.restamped.changes > 0 && !c.restamped.sent && seq >= c.restamped.through {
		c.restamped.sent = true
		c.log.Info("the hub acknowledged the changes stamped again", "changes", c.restamped.changes)
	}
}

// clockNote is the line Status adds to its Warning ("" when nothing was
// stamped again). Called with c.mu held.
func (c *Client) clockNote() string {
	n := c.restamped
	if n.changes == 0 {
		return ""
	}
	if n.sent {
		return fmt.Sprintf("本机时间已改正，%d 条修改已重新盖时间戳并上传。 The clock is right again: %d changes were stamped again and sent to the hub.",
			n.changes, n.changes)
	}
	return fmt.Sprintf("本机时间已改正，%d 条修改已重新盖时间戳，正在上传。 The clock is right again: %d changes were stamped again and are being sent.",
		n.changes, n.changes)
}
