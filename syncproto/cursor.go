package syncproto

// Follows checks that batch b follows a receiver that holds the sender's
// log through seq (committed, or checked and waiting for commit), and
// returns the receiver's new position. PROTOCOL.md, "Cursors", states the
// rule: b starts at most one past seq (a batch that starts before is a
// resend: applying is idempotent, and the position never goes back), and a
// batch without changes may not move the position (a station sends only
// batches of its own changes: an empty one that moves the cursor would make
// the hub acknowledge changes it never saw). It is O(1).
//
// gaps allows a batch to start beyond seq+1. Stations before this release
// start each batch at their first own change, skipping the entries of the
// hub's batches in their log, so a hub refuses gaps only once every station
// runs a release whose batches cover its log (PROTOCOL.md, "Cursors").
func Follows(seq uint64, b *Batch, gaps bool) (uint64, error) {
	if b.First > seq+1 && !gaps {
		return seq, NewError(ErrCodeCursor,
			"batch %d..%d leaves a gap: the receiver holds this log through %d, so the next batch starts at %d or before",
			b.First, b.Last, seq, seq+1)
	}
	if b.Last <= seq {
		return seq, nil // a resend: it changes nothing the position says
	}
	if len(b.Changes) == 0 {
		return seq, NewError(ErrCodeCursor,
			"empty batch %d..%d would move the cursor from %d without a change", b.First, b.Last, seq)
	}
	return b.Last, nil
}
