package syncclient

import (
	"context"
	"encoding/json"
	"time"
)

// The log's retention counts from the hub's acknowledgement (DESIGN
// "Edges"), not from when a change was written: a station offline for
// months keeps what it wrote for the whole retention after the hub first
// has it, so that a hub restored from a backup of those days gets it back.
// The station records when acks advanced as a few checkpoints: (seq, at)
// says the hub had acknowledged everything through seq by at.

// ackTimesState holds the checkpoints, oldest first.
const ackTimesState = "sync.ack_times"

// maxAckTimes bounds the checkpoints; ackSpacing(retention) spaces them.
// Dropping the oldest only makes rows wait for a later checkpoint: they
// are kept longer, never trimmed early.
const maxAckTimes = 256

// ackTime is a checkpoint: everything through Seq acknowledged by At
// (unix ns, the hub-corrected clock).
type ackTime struct {
	Seq uint64 `json:"s"`
	At  int64  `json:"t"`
}

// ackSpacing is the least time between kept checkpoints (the last one
// always moves with the newest ack).
func ackSpacing(retention time.Duration) time.Duration {
	return max(retention/128, time.Minute)
}

// ackTimes reads the checkpoints (cached).
func (c *Client) ackTimes(ctx context.Context) []ackTime {
	c.mu.Lock()
	if c.acksLoaded {
		defer c.mu.Unlock()
		return c.acks
	}
	c.mu.Unlock()
	var list []ackTime
	if b, err := c.cfg.Replica.State(ctx, ackTimesState); err == nil && b != nil {
		if err := json.Unmarshal(b, &list); err != nil {
			c.log.Warn("read ack times", "err", err)
			list = nil
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.acks, c.acksLoaded = list, true
	return list
}

func (c *Client) saveAckTimes(ctx context.Context, list []ackTime) {
	b, err := json.Marshal(list)
	if err == nil {
		err = c.cfg.Replica.SetState(ctx, ackTimesState, b)
	}
	if err != nil {
		c.log.Warn("store ack times", "err", err)
		return
	}
	c.mu.Lock()
	c.acks, c.acksLoaded = list, true
	c.mu.Unlock()
}

// noteAck records that the hub has acknowledged the station's log through
// seq, now.
func (c *Client) noteAck(ctx context.Context, seq uint64) {
	if c.cfg.LogRetention < 0 || seq == 0 {
		return
	}
	list := c.ackTimes(ctx)
	if n := len(list); n > 0 && seq <= list[n-1].Seq {
		return
	}
	now := c.cfg.Replica.Clock().Wall().UnixNano()
	list = append([]ackTime(nil), list...)
	e := ackTime{Seq: seq, At: now}
	if n := len(list); n >= 2 && time.Duration(now-list[n-2].At) < ackSpacing(c.cfg.LogRetention) {
		list[n-1] = e
	} else {
		list = append(list, e)
	}
	if len(list) > maxAckTimes {
		list = list[len(list)-maxAckTimes:]
	}
	c.saveAckTimes(ctx, list)
}

// forgetAcksAfter drops the checkpoints beyond resume: a hub resuming below
// them (restored from a backup) no longer holds what they say it
// acknowledged, and counts anew when it acknowledges it again.
func (c *Client) forgetAcksAfter(ctx context.Context, resume uint64) {
	list := c.ackTimes(ctx)
	n := len(list)
	for n > 0 && list[n-1].Seq > resume {
		n--
	}
	if n < len(list) {
		c.saveAckTimes(ctx, append([]ackTime(nil), list[:n]...))
	}
}

// ackedBy is the highest sequence the hub had acknowledged by before (0 if
// none).
func ackedBy(list []ackTime, before time.Time) uint64 {
	var seq uint64
	for _, a := range list {
		if a.At <= before.UnixNano() {
			seq = max(seq, a.Seq)
		}
	}
	return seq
}
