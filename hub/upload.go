package hub

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fieldsync/replica"
	"fieldsync/syncproto"
)

// A station's upload goes through named stages, each a function of its own:
//
//	decode       the sync adapter reads and decodes a frame (syncproto)
//	authorize    Authorize: is the batch this station's at all?
//	screen       screen.run: may the station make each change (its scope,
//	             the poster of a gig, the forms' rules)? (authorize.go)
//	apply        the accepted changes, the station's cursor
//	rules and conflicts  recordUploadConflicts, in the same transaction
//	answer       screen.write: the hub's values over refused ones, the
//	             refusal rows, the requests waiting, the gigs' fill, the
//	             scope's new rows
//	commit       the transaction commits; the name index follows it
//	acknowledge  the sync adapter sends the Ack of Applied.Seq
//	wake sessions  wakeFor: the sessions whose scope the changes touched
//
// One upload at a time across stations (applyMu): a worker's scope is
// decided and applied without another station's batch in between.

// Upload is a station's changes to apply: its log through Last, read under
// its cursor, which stood at Resume.
type Upload struct {
	Station StationInfo
	Cursor  string
	Resume  uint64
	Changes []replica.Change
	Last    uint64
}

// Applied is the outcome of ApplyUpload.
type Applied struct {
	// Seq is the station's log sequence the hub committed: what to ack.
	Seq uint64
	// SnapshotsDue: workers entered the station's scope, and their
	// snapshots wait to be sent.
	SnapshotsDue bool
	// Refused counts the changes (or columns) the hub did not accept.
	Refused int
	// Joins counts the workers another station holds who entered this
	// station's scope (its registration of them, within the daily cap).
	Joins int
}

// Authorize is the stage where a batch as a whole is refused: a change
// stamped by another site, or a stamp too far ahead of the hub's clock
// (the station's PC clock must be set first). It returns the refusal, or
// nil. It reads no database, so that the sync adapter runs it as it
// decodes, while the previous batch commits. Each change's own right is
// decided by the screen stage, change by change.
func (h *Hub) Authorize(st StationInfo, changes []replica.Change) error {
	for i := range changes {
		c := &changes[i]
		if c.Version.Site != st.Site {
			return syncproto.NewError(syncproto.ErrCodeWrongSite,
				"change %d of the batch is stamped by site %s, not by this station (%s)", i, c.Version.Site, st.Site)
		}
		if err := h.rep.Clock().Check(c.Version.HLC, h.opt.MaxSkew); err != nil {
			return syncproto.NewError(syncproto.ErrCodeClockAhead, "%v: set this PC's date and time, then sync again", err)
		}
		h.precheck(st, c)
	}
	return nil
}

// ApplyUpload screens and applies a station's changes, its log through
// up.Last, with the station's cursor, in one transaction, and wakes the
// sessions of the stations whose scope they touched.
func (h *Hub) ApplyUpload(ctx context.Context, up Upload) (Applied, error) {
	h.applyMu.Lock()
	defer h.applyMu.Unlock()
	seq := max(up.Last, up.Resume)
	var s *screen
	var res replica.ApplyResult
	var names []nameUpdate
	_, err := h.rep.Update(ctx, func(tx *replica.Tx) error {
		s = h.newScreen(tx, up.Station)
		if err := s.run(ctx, up.Changes); err != nil {
			return err
		}
		// Before the commit, so that no relay reading the log in between
		// skips the rows (forgotten if the commit fails).
		s.add.remember(h.scope)
		var err error
		if res, err = tx.ApplyChecked(ctx, s.accepted); err != nil {
			return err
		}
		if err := tx.SetCursor(ctx, up.Cursor, seq); err != nil {
			return err
		}
		if err := h.recordUploadConflicts(ctx, tx, up.Station.Name, s.accepted, res); err != nil {
			return err
		}
		if err := s.write(ctx); err != nil {
			return err
		}
		if err := s.add.store(ctx, tx.Exec); err != nil {
			return err
		}
		// Last, when the rows are written: their values are then kept.
		if err := tx.Flush(ctx); err != nil {
			return err
		}
		names, err = nameUpdates(ctx, tx, s.accepted)
		return err
	})
	if err != nil {
		if s != nil {
			s.add.forget(h.scope)
			for _, w := range s.waitingAdded {
				h.requests.done(up.Station.Name, w)
			}
		}
		for _, bad := range []error{replica.ErrBadValue, replica.ErrUnknownTable, replica.ErrUnknownCol,
			replica.ErrBadRowID, replica.ErrAppendOnly} {
			if errors.Is(err, bad) {
				return Applied{}, syncproto.NewError(syncproto.ErrCodeBadMessage, "%v", err)
			}
		}
		return Applied{}, fmt.Errorf("apply station batch: %w", err)
	}
	h.names.set(names) // before the next batch's rules, under applyMu
	h.uploadAt.Store(time.Now().UnixNano())
	for _, q := range res.Seqs {
		h.noteSeq(q)
	}
	answered := len(s.refusals) > 0 || len(s.supersede) > 0 || len(s.placedIn) > 0 ||
		len(s.holds) > 0 || len(s.deletes) > 0 // their refusal rows, state waiting
	if answered {
		if last, err := h.rep.MaxSeq(ctx); err == nil {
			h.noteSeq(last)
		}
	}
	h.wakeFor(ctx, s.accepted, res.New, up.Station.Name)
	switch {
	case len(s.placedIn) > 0: // gig_fill is county-wide
		h.sessions.Wake(nil, true)
	case answered:
		h.sessions.Wake([]string{up.Station.Name}, false)
	}
	return Applied{Seq: seq, SnapshotsDue: s.add.anyPending(), Refused: len(s.refusals) + s.more,
		Joins: len(s.joins)}, nil
}

// recordUploadConflicts is the rules-and-conflicts stage: it puts the
// conflicts a batch made or settled in the queue, inside a savepoint of the
// batch's transaction: a failure there (a bug in a rule, say) is logged and
// undone, and the batch still applies, so that one record can never stop a
// station from syncing. The values themselves stay as heads in every
// replica whatever the queue holds.
func (h *Hub) recordUploadConflicts(ctx context.Context, tx *replica.Tx, station string, changes []replica.Change, res replica.ApplyResult) error {
	if _, err := tx.Exec(ctx, `SAVEPOINT conflicts`); err != nil {
		return fmt.Errorf("record conflicts: %w", err)
	}
	if err := h.recordConflicts(ctx, tx, station, changes, res); err != nil {
		if ctx.Err() != nil {
			return err
		}
		h.log.ErrorContext(ctx, "record conflicts: the batch applies without them", "station", station, "err", err)
		if _, err := tx.Exec(ctx, `ROLLBACK TO conflicts`); err != nil {
			return fmt.Errorf("record conflicts: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `RELEASE conflicts`); err != nil {
		return fmt.Errorf("record conflicts: %w", err)
	}
	return nil
}
