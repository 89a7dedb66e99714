package hub

import (
	"context"
	"time"

	"fieldsync/ident"
	"fieldsync/replica"
	"fieldsync/syncproto"
)

// Sessions is what the core asks of the adapter that serves stations
// (hub/hubsync), set with SetSessions: the core tells it what changed and
// reads the live state of a station's session, without knowing how
// sessions run.
type Sessions interface {
	// Wake wakes the sessions of the given stations (all connected ones
	// when all is set): changes in their scope were applied.
	Wake(stations []string, all bool)
	// Session is the live state of a station's session, if it has one.
	Session(station string) (SessionInfo, bool)
	// End ends the session of a station, if it has one (it was revoked or
	// re-enrolled).
	End(station string)
}

// noSessions is the Sessions of a hub that serves no station.
type noSessions struct{}

func (noSessions) Wake([]string, bool)                {}
func (noSessions) Session(string) (SessionInfo, bool) { return SessionInfo{}, false }
func (noSessions) End(string)                         {}

// SetSessions connects the adapter serving stations. Call it once, before
// serving.
func (h *Hub) SetSessions(s Sessions) { h.sessions = s }

// Enter registers a goroutine of an adapter (a station's session) with the
// hub, unless the hub is closing: Close waits for its done.
func (h *Hub) Enter() (done func(), ok bool) {
	if !h.enter() {
		return nil, false
	}
	return h.wg.Done, true
}

// LastSeq is the last sequence of the hub's log.
func (h *Hub) LastSeq() uint64 { return h.lastSeq.Load() }

// RelayFilter is the relay filter of a station: ReadLog calls it for every
// log entry it examines.
func (h *Hub) RelayFilter(ctx context.Context, station string) func(t *replica.Table, row ident.ID) bool {
	return h.scopeFilter(ctx, station)
}

// ReadRelay reads the hub's log after a station's relay position: the
// shared read of the log's tail when woken sessions read the same, else a
// read of its own (within relayReaders).
func (h *Hub) ReadRelay(ctx context.Context, after uint64, q replica.LogQuery) ([]replica.LogEntry, uint64, error) {
	entries, scanned, shared, err := h.readTail(ctx, after, q)
	if err == nil && !shared {
		entries, scanned, err = h.readLog(ctx, after, q)
	}
	return entries, scanned, err
}

// PendingSnapshots returns up to max workers whose snapshot the station
// still needs.
func (h *Hub) PendingSnapshots(station string, max int) []ident.ID {
	return h.scope.pending(station, max)
}

// Snapshot is the changes that give a station a worker entering its scope:
// the worker's row and the rows that hang off it.
func (h *Hub) Snapshot(ctx context.Context, w ident.ID) ([]replica.Change, error) {
	return h.snapshot(ctx, w)
}

// SnapshotsDone records that the station committed the snapshots of ws.
func (h *Hub) SnapshotsDone(ctx context.Context, station string, ws []ident.ID) error {
	return h.snapshotDone(ctx, station, ws)
}

// SessionInfo is the live state of one connected station, as the registry
// holds it. Up is station → hub, down is hub → station.
type SessionInfo struct {
	Station     string        `json:"station"`
	ID          uint64        `json:"-"`
	Since       time.Time     `json:"since"`
	Remote      string        `json:"remote"`
	AckedUp     uint64        `json:"acked_up"`   // last station log seq the hub committed
	AckedDown   uint64        `json:"acked_down"` // last hub log seq the station committed
	BytesIn     int64         `json:"bytes_in"`
	BytesOut    int64         `json:"bytes_out"`
	PendingUp   int           `json:"pending_up"`   // changes received, not yet committed
	PendingDown uint64        `json:"pending_down"` // hub log entries after AckedDown (at most)
	ClockOffset time.Duration `json:"clock_offset_ns"`
	LastSeen    time.Time     `json:"last_seen"`
}

// Codec encodes and decodes the frames of the hub's sync sessions.
func (h *Hub) Codec() *syncproto.Codec { return h.codec }
