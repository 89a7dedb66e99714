package hub

import (
	"context"
	"sync"

	"fieldsync/replica"
)

// When a county-wide change (a gig, a placement) is applied, every connected
// session wakes and reads the hub's log from the same cursor: the sequence
// before the change. A thousand sessions reading, decoding and looking up
// the same log rows, two at a time (relayReaders), is what made a gig slow
// to reach every station. tailReads shares one read of the log's tail per
// cursor among the sessions, each applying its own scope filter and
// own-echo skip to the shared result.

// tailMaxChanges and tailMaxBytes bound the reads worth sharing: a session
// this close to the end of the log is an idle one woken by a new change.
const (
	tailMaxChanges = 256
	tailMaxBytes   = 64 << 10
)

// tailRead is one shared read of the log after a sequence: the changes
// marked as the relay rule says (MarkReplaced), unfiltered, up to the end of
// the log as it was.
type tailRead struct {
	done    chan struct{}
	entries []replica.LogEntry // shared: never modified once done
	scanned uint64
	err     error
}

// tailReads holds the recent shared reads by cursor.
type tailReads struct {
	mu    sync.Mutex
	reads map[uint64]*tailRead
	order []uint64 // oldest first, at most tailKeep
}

// tailKeep is how many cursors' reads are kept.
const tailKeep = 8

// read returns the shared read after a sequence, making it (once, whoever
// asks first) with readAll.
func (t *tailReads) read(ctx context.Context, after uint64,
	readAll func(ctx context.Context, after uint64) ([]replica.LogEntry, uint64, error)) *tailRead {
	t.mu.Lock()
	if t.reads == nil {
		t.reads = map[uint64]*tailRead{}
	}
	if tr, ok := t.reads[after]; ok {
		t.mu.Unlock()
		select {
		case <-tr.done:
			return tr
		case <-ctx.Done():
			return &tailRead{err: ctx.Err()}
		}
	}
	tr := &tailRead{done: make(chan struct{})}
	t.reads[after] = tr
	t.order = append(t.order, after)
	if len(t.order) > tailKeep {
		delete(t.reads, t.order[0])
		t.order = t.order[1:]
	}
	t.mu.Unlock()
	// Not the first asker's context: its station hanging up must not fail
	// the read for every session waiting on it (the read is small).
	tr.entries, tr.scanned, tr.err = readAll(context.WithoutCancel(ctx), after)
	close(tr.done)
	if tr.err != nil || tr.scanned <= after {
		// A failed read, or one that found nothing yet: a session woken by
		// the next change must read again, not be told "nothing" from here.
		t.forget(after, tr)
	}
	return tr
}

// forget drops a read that failed, so that the next asker tries again.
func (t *tailReads) forget(after uint64, tr *tailRead) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.reads[after] == tr {
		delete(t.reads, after)
	}
}

// readTail is readLog for a session near the end of the log: it shares one
// read per cursor among sessions and applies q's filter and own-echo skip to
// it. ok is false when the shared read cannot stand for q (the tail is
// longer than tailMaxChanges, or q asks for something else); the caller then
// reads for itself.
func (h *Hub) readTail(ctx context.Context, after uint64, q replica.LogQuery) (entries []replica.LogEntry, scanned uint64, ok bool, err error) {
	if !q.MarkReplaced || q.Site != 0 || q.Limit < tailMaxChanges || q.MaxBytes < tailMaxBytes ||
		h.lastSeq.Load()-min(after, h.lastSeq.Load()) > tailMaxChanges {
		return nil, after, false, nil
	}
	tr := h.tails.read(ctx, after, func(ctx context.Context, after uint64) ([]replica.LogEntry, uint64, error) {
		return h.readLog(ctx, after, replica.LogQuery{Limit: tailMaxChanges + 1, MaxBytes: tailMaxBytes, MarkReplaced: true})
	})
	if tr.err != nil {
		return nil, after, false, tr.err
	}
	if tr.scanned <= after || len(tr.entries) > tailMaxChanges {
		return nil, after, false, nil
	}
	for _, e := range tr.entries {
		t, _ := h.rep.Schema().Table(e.Change.Table)
		if q.Filter != nil && (t == nil || !q.Filter(t, e.Change.Row)) {
			continue
		}
		if q.SkipLiveFrom != 0 && e.Change.Version.Site == q.SkipLiveFrom {
			// What ReadLog's SkipLiveFrom does: the fields that site wrote
			// and that are still heads (not marked replaced) stay home.
			var fields []replica.Field
			for _, f := range e.Change.Fields {
				if f.Dead {
					fields = append(fields, f)
				}
			}
			if len(fields) == 0 {
				continue
			}
			e.Change.Fields = fields
		}
		entries = append(entries, e)
	}
	return entries, tr.scanned, true, nil
}
