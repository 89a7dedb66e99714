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
//	authorize    Authorize: may this station make each change?
//	plan scope   planUpload: the workers the changes bring into its scope
//	apply        applyUpload: the changes, the station's cursor, the scope rows
//	rules and conflicts  recordUploadConflicts, in the same transaction
//	commit       the transaction commits; the name index follows it
//	acknowledge  the sync adapter sends the Ack of Applied.Seq
//	wake sessions  wakeFor: the sessions whose scope the changes touched
//
// One upload at a time across stations (applyMu): a worker's scope is
// planned and applied without another station's batch in between.

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
}

// Authorize is the stage where a station's right to make each change is
// decided: it returns the refusal of the first change the authenticated
// station may not send (stamped by another site, a table only the hub
// writes, a stamp too far ahead of the hub's clock), or nil. It reads no
// database, so that the sync adapter runs it as it decodes, while the
// previous batch commits.
func (h *Hub) Authorize(st StationInfo, changes []replica.Change) error {
	for i := range changes {
		c := &changes[i]
		if c.Version.Site != st.Site {
			return syncproto.NewError(syncproto.ErrCodeWrongSite,
				"change %d of the batch is stamped by site %s, not by this station (%s)", i, c.Version.Site, st.Site)
		}
		if hubOnly[c.Table] {
			return syncproto.NewError(syncproto.ErrCodeForbiddenTable, "stations may not write table %s", c.Table)
		}
		if err := h.rep.Clock().Check(c.Version.HLC, h.opt.MaxSkew); err != nil {
			return syncproto.NewError(syncproto.ErrCodeClockAhead, "%v: set this PC's date and time, then sync again", err)
		}
	}
	return nil
}

// ApplyUpload applies authorized changes, the station's log through
// up.Last, with the station's cursor, in one transaction, and wakes the
// sessions of the stations whose scope they touched.
func (h *Hub) ApplyUpload(ctx context.Context, up Upload) (Applied, error) {
	h.applyMu.Lock()
	defer h.applyMu.Unlock()
	add, err := h.planUpload(ctx, up)
	if err != nil {
		return Applied{}, err
	}
	seq := max(up.Last, up.Resume)
	res, names, err := h.applyUpload(ctx, up, seq, add)
	if err != nil {
		add.forget(h.scope)
		return Applied{}, err
	}
	h.names.set(names) // before the next batch's rules, under applyMu
	h.uploadAt.Store(time.Now().UnixNano())
	for _, q := range res.Seqs {
		h.noteSeq(q)
	}
	h.wakeFor(ctx, up.Changes, res.New, up.Station.Name)
	return Applied{Seq: seq, SnapshotsDue: add.anyPending()}, nil
}

// planUpload is the plan-scope stage: the workers the changes bring into
// the station's scope, remembered at once (forgotten if the apply fails).
func (h *Hub) planUpload(ctx context.Context, up Upload) (*scopeAdd, error) {
	add, err := h.scopeFor(ctx, up.Station.Name, up.Changes)
	if err != nil {
		return nil, fmt.Errorf("apply station batch: %w", err)
	}
	add.remember(h.scope)
	return add, nil
}

// applyUpload is the apply, rules-and-conflicts and commit stages: one
// transaction holds the changes, the station's cursor at seq, the conflicts
// they made or settled, the scope rows and the rows' name updates.
func (h *Hub) applyUpload(ctx context.Context, up Upload, seq uint64, add *scopeAdd) (replica.ApplyResult, []nameUpdate, error) {
	var res replica.ApplyResult
	var names []nameUpdate
	_, err := h.rep.Update(ctx, func(tx *replica.Tx) error {
		var err error
		if res, err = tx.Apply(ctx, up.Changes); err != nil {
			return err
		}
		if err := tx.SetCursor(ctx, up.Cursor, seq); err != nil {
			return err
		}
		if err := h.recordUploadConflicts(ctx, tx, up.Station.Name, up.Changes, res); err != nil {
			return err
		}
		if err := add.store(ctx, tx.Exec); err != nil {
			return err
		}
		// Last, when the rows are written: their values are then kept.
		if err := tx.Flush(ctx); err != nil {
			return err
		}
		names, err = nameUpdates(ctx, tx, up.Changes)
		return err
	})
	if err != nil {
		for _, bad := range []error{replica.ErrBadValue, replica.ErrUnknownTable, replica.ErrUnknownCol,
			replica.ErrBadRowID, replica.ErrAppendOnly} {
			if errors.Is(err, bad) {
				return res, nil, syncproto.NewError(syncproto.ErrCodeBadMessage, "%v", err)
			}
		}
		return res, nil, fmt.Errorf("apply station batch: %w", err)
	}
	return res, names, nil
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
