package syncclient

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"

	"fieldsync/replica"
	"fieldsync/syncproto"
)

// A hub restored from a backup (DESIGN "Edges") holds less than this
// station's cursors say: its log ends below the station's download cursor,
// or will hand out again sequence numbers the cursor has passed, and it
// lacks what the station sent after the backup. The Welcome of a hub of
// this release names its incarnation, which a restore changes, and its
// log's end. On meeting either sign the station downloads the hub's log
// again from the start (merging is idempotent) and sends its own log again
// from the hub's Resume, which the window already starts from.

// State kept across restarts.
const (
	hubIncarnationState = "sync.hub_incarnation"    // the incarnation this station last synced with
	hubRestoredState    = "sync.hub_restored_at_ms" // when it last found the hub restored
)

// errHubRestored ends a session whose Welcome showed a restored hub, once
// the download cursor is reset: the next session, at once, starts the
// download from the beginning of the hub's log.
var errHubRestored = errors.New("the hub was restored from a backup: syncing again from the start of its log")

// checkHubLife compares the Welcome with the incarnation this station last
// synced with and with its download cursor. A new incarnation (when one
// was stored), or a log ending below the cursor, resets the cursor to 0 and
// returns errHubRestored. Otherwise it stores the incarnation if new.
func (c *Client) checkHubLife(ctx context.Context, w *syncproto.Welcome, cursor uint64) error {
	if !w.Extended {
		return nil // a hub of an earlier release says nothing
	}
	rep := c.cfg.Replica
	b, err := rep.State(ctx, hubIncarnationState)
	if err != nil {
		return err
	}
	var stored uint64
	if len(b) == 8 {
		stored = binary.BigEndian.Uint64(b)
	}
	restored := stored != 0 && stored != w.Incarnation || w.LogEnd < cursor
	if !restored {
		if stored != w.Incarnation {
			if err := rep.SetState(ctx, hubIncarnationState, binary.BigEndian.AppendUint64(nil, w.Incarnation)); err != nil {
				return err
			}
		}
		return nil
	}
	now := c.cfg.Now()
	c.log.Warn("the hub was restored from a backup: downloading its log again from the start, and sending this station's log again from the hub's resume point",
		"incarnation", fmt.Sprintf("%016x", w.Incarnation), "stored", fmt.Sprintf("%016x", stored),
		"log_end", w.LogEnd, "cursor", cursor, "resume", w.Resume)
	// The cursor first: a crash before the incarnation is stored finds the
	// restore again and resets again, which costs a download, not data.
	if err := rep.SetCursor(ctx, downCursor, 0); err != nil {
		return fmt.Errorf("reset the download cursor: %w", err)
	}
	if err := rep.SetState(ctx, hubRestoredState, []byte(strconv.FormatInt(now.UnixMilli(), 10))); err != nil {
		return err
	}
	if err := rep.SetState(ctx, hubIncarnationState, binary.BigEndian.AppendUint64(nil, w.Incarnation)); err != nil {
		return err
	}
	c.mu.Lock()
	c.st.HubRestoredAt = now
	c.mu.Unlock()
	return errHubRestored
}

// loadHubRestored reads when this station last found the hub restored.
func (c *Client) loadHubRestored(ctx context.Context) time.Time {
	b, err := c.cfg.Replica.State(ctx, hubRestoredState)
	if err != nil || b == nil {
		return time.Time{}
	}
	ms, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// The sync client's cursors in the station's database (replica.Cursor),
// named for code that reads or resets them without a client (a station
// restore).
const (
	HubLogCursor = "hub"    // last hub log seq committed here
	AckedCursor  = "hub-up" // last own log seq the hub acknowledged (for Status)
)

// ForgetHub makes a station database restored from a backup trust nothing
// the sync client knew of the hub: both cursors from 0 (the hub's log again
// from its start; the new site's log, none acknowledged), no trim mark, no
// last refusal.
func ForgetHub(ctx context.Context, r *replica.Replica) error {
	if _, err := r.Update(ctx, func(tx *replica.Tx) error {
		if err := tx.SetCursor(ctx, HubLogCursor, 0); err != nil {
			return err
		}
		return tx.SetCursor(ctx, AckedCursor, 0)
	}); err != nil {
		return fmt.Errorf("reset the sync cursors: %w", err)
	}
	for _, k := range []string{trimmedState, lastErrorState} {
		if err := r.SetState(ctx, k, nil); err != nil {
			return fmt.Errorf("reset %s: %w", k, err)
		}
	}
	return nil
}
