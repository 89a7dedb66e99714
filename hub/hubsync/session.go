package hubsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"fieldsync/hlc"
	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/replica"
	"fieldsync/syncproto"
)

// Relay batch bounds: a batch stays small enough for a 2G link to carry in
// seconds, and large enough that its framing costs little.
const (
	relayLimit    = 1000
	relayMaxBytes = 512 << 10
	snapshotMax   = 64 // workers per round of snapshots
	// snapshotMaxFields bounds the fields (and replaced versions) of one
	// snapshot batch: half of what a station accepts
	// (syncproto.DefaultMaxTotalFields).
	snapshotMaxFields = syncproto.DefaultMaxTotalFields / 2
	// emptyEvery: when the relay filter skipped this many log entries, a
	// batch without changes moves the station's cursor past them.
	emptyEvery = 5000
	// A station's batches that arrive while the previous ones commit are
	// applied together, in one transaction, up to these bounds: a commit
	// writes every page the batch touched (the workers' id index and the
	// history index are keyed at random), so five batches cost little more
	// than one. queuedUp is how many decoded batches wait for the commit.
	groupBatches = 8
	groupChanges = 8192
	queuedUp     = 4
)

// session is one station's sync session at the hub. Once the handshake is
// done, a syncproto.Window runs it: relay is its Source (the writing
// goroutine's), upload its Receiver (the committing goroutine's).
type session struct {
	h       *Server
	conn    syncproto.Conn
	id      uint64
	station hub.StationInfo // set by the handshake, before the window runs
	// schemaAt is the schema version the station runs, set by the
	// handshake: the hub's, or one behind (what the station does not know
	// is left out of what it is sent).
	schemaAt int
	log      *slog.Logger
	upAt     atomic.Int64 // when the last station batch was applied (unix ns)
	relay    relay
	upload   upload
	leave    func() // gives back the handshake slot, once authenticated

	// The session's part of the decode budget: admit charges a batch frame
	// before it is decoded (pending, until Check sees the batch), the
	// upload gives each batch's charge back once committed, and whatever is
	// left goes back when the session ends.
	share    *share
	admitCtx context.Context // ends when the conn closes
	pending  charge          // the reading goroutine's
}

// charge is what a received batch frame was charged: n bytes, for a body of
// body bytes.
type charge struct{ n, body int64 }

// refusal is the Error a session ends with, for a cause err.
func refusal(err error) *syncproto.Error {
	var pe *syncproto.Error
	if errors.As(err, &pe) {
		return pe
	}
	return syncproto.NewError(syncproto.CodeOf(err), "%v", err)
}

// ServeHTTP serves /sync: it upgrades the request to a WebSocket and runs the
// station's session.
func (h *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	leave, ok := h.shakes.enter(r.RemoteAddr)
	if !ok {
		// Too many stations are between connecting and authenticating:
		// the rest wait, and cannot make the hub hold their frames.
		w.Header().Set("Retry-After", "5")
		http.Error(w, "too many sync handshakes in flight: retry later", http.StatusServiceUnavailable)
		return
	}
	done, ok := h.Enter()
	if !ok {
		leave()
		http.Error(w, "hub shutting down", http.StatusServiceUnavailable)
		return
	}
	ws, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		leave()
		done()
		return // the upgrader answered with an HTTP error
	}
	// The session runs on its own goroutine, registered with the hub core
	// (Enter: Close waits for its done), and the handler returns: net/http
	// then drops its goroutine, request and write buffer, which an idle
	// station would otherwise hold for days.
	remote := r.RemoteAddr
	go func() {
		defer done()
		ctx, cancel := context.WithCancel(h.Context())
		defer cancel()
		s := &session{h: h, id: h.sessionID.Add(1), log: h.log.With("remote", remote), share: h.decoded.share()}
		// After the window has ended (run returned): nothing is charged any
		// more.
		defer s.share.close()
		var endAdmit context.CancelFunc
		s.admitCtx, endAdmit = context.WithCancel(ctx)
		defer endAdmit()
		s.conn = &admitConn{endAdmit: endAdmit, Conn: syncproto.NewWebSocketConn(ws, h.codec, syncproto.ConnOptions{
			WriteTimeout: h.opt.WriteTimeout, Sent: s.sent, Received: s.received, Admit: s.admit})}
		stop := context.AfterFunc(ctx, func() { s.conn.Close() })
		defer stop()
		defer s.conn.Close()
		s.leave = leave
		defer leave()
		s.run(ctx, cancel, remote)
	}()
}

// sent counts a frame written to the station (into the station's
// session once it is known).
func (s *session) sent(n int) {
	s.h.metrics.BytesSent.Add(n)
	if s.station.Name != "" {
		s.h.reg.update(s.station.Name, s.id, func(i *hub.SessionInfo) { i.BytesOut += int64(n) })
	}
}

// received counts a frame read from the station (into the station's
// session once it is known).
func (s *session) received(n int) {
	s.h.metrics.BytesReceived.Add(n)
	if s.station.Name != "" {
		s.h.reg.update(s.station.Name, s.id, func(i *hub.SessionInfo) {
			i.BytesIn += int64(n)
			i.LastSeen = s.h.now()
		})
	}
}

// admit charges a batch frame's decode cost to the session's share of the
// decode budget before the frame is decoded, waiting (and reading nothing
// more) while the session holds its share or the hub's budget is spent.
// Only batch frames are charged: they come after the handshake, and the
// others decode to a few hundred bytes.
func (s *session) admit(frame []byte) error {
	if len(frame) == 0 || syncproto.MsgType(frame[0]) != syncproto.TypeBatch {
		return nil
	}
	peak, body := s.h.codec.DecodeCost(frame)
	n, err := s.share.acquire(s.admitCtx, int64(peak))
	if err != nil {
		return err
	}
	s.pending = charge{n: s.pending.n + n, body: int64(body)}
	return nil
}

// admitConn is the session's conn: closing it, as the window does when it
// ends, also ends a wait for the decode budget.
type admitConn struct {
	syncproto.Conn
	endAdmit context.CancelFunc
}

func (c *admitConn) Close() error {
	c.endAdmit()
	return c.Conn.Close()
}

// LimitSend passes the station's largest frame on (syncproto.SendLimiter).
func (c *admitConn) LimitSend(n int) {
	if l, ok := c.Conn.(syncproto.SendLimiter); ok {
		l.LimitSend(n)
	}
}

func (c *admitConn) Refuse(e *syncproto.Error) error {
	c.endAdmit()
	return syncproto.Refuse(c.Conn, e)
}

func (s *session) handshake(ctx context.Context) (*syncproto.Hello, error) {
	s.conn.SetReadDeadline(time.Now().Add(s.h.opt.HandshakeTimeout))
	// One small frame, and only a Hello is decoded (PROTOCOL.md, "Before
	// authentication").
	hello, err := s.conn.ReceiveHello()
	if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
		return nil, syncproto.NewError(syncproto.ErrCodeBadMessage, "no Hello within %s", s.h.opt.HandshakeTimeout)
	}
	if err != nil {
		return nil, err
	}
	if err := syncproto.CheckVersion(hello.Version); err != nil {
		return nil, syncproto.NewError(syncproto.ErrCodeProtocolVersion, "%v", err)
	}
	v, err := stationSchema(s.h.Replica().Schema(), hello.Schema)
	if err != nil {
		return nil, err
	}
	s.schemaAt = v
	st, err := s.h.Authenticate(ctx, hello)
	if err != nil {
		return nil, err
	}
	s.station = st
	return hello, nil
}

// stationSchema is the schema version a station's fingerprint names: the
// hub's own, or the one before it (stations are upgraded one by one, after
// the hub: DESIGN "Edges"). Any other is refused, saying which side is
// older where that can be told.
func stationSchema(sch *replica.Schema, fp uint64) (int, error) {
	v := sch.Version()
	if fp == sch.Fingerprint() {
		return v, nil
	}
	if v > 1 && fp == sch.FingerprintAt(v-1) {
		return v - 1, nil
	}
	return 0, syncproto.NewError(syncproto.ErrCodeSchema,
		"station schema %016x is neither the hub's (version %d, %016x) nor the one before: "+
			"upgrade the station (or, if it is newer, the hub) / 本站数据结构与县级平台不符，请升级较旧的一方",
		fp, v, sch.Fingerprint())
}

// forStation drops from changes what a station one schema version behind
// does not know (changes is reused).
func (s *session) forStation(changes []replica.Change) []replica.Change {
	sch := s.h.Replica().Schema()
	if s.schemaAt >= sch.Version() {
		return changes
	}
	out := changes[:0]
	for _, c := range changes {
		if c, ok := sch.ChangeAt(s.schemaAt, c); ok {
			out = append(out, c)
		}
	}
	return out
}

// forStationLog is forStation for log entries.
func (s *session) forStationLog(entries []replica.LogEntry) []replica.LogEntry {
	sch := s.h.Replica().Schema()
	if s.schemaAt >= sch.Version() {
		return entries
	}
	out := entries[:0]
	for _, e := range entries {
		if c, ok := sch.ChangeAt(s.schemaAt, e.Change); ok {
			e.Change = c
			out = append(out, e)
		}
	}
	return out
}

func (s *session) run(ctx context.Context, cancel context.CancelFunc, remote string) {
	h := s.h
	hello, err := s.handshake(ctx)
	s.leave()
	if err != nil {
		pe := refusal(err)
		s.log.Info("sync refused", "code", pe.Code, "reason", pe.Message)
		if s.station.Name != "" {
			h.NoteSession(s.station.Name, h.now(), 0, pe.Error())
		}
		syncproto.Refuse(s.conn, pe)
		return
	}
	name := s.station.Name
	s.log = s.log.With("station", name)
	if err := h.NoteSoftware(ctx, name, hello.Software); err != nil {
		s.log.Warn("note the station's software", "err", err)
	}
	up := &s.upload
	*up = upload{s: s, cursor: "up:" + s.station.Site.String(), charges: map[*syncproto.Batch]int64{}}
	if up.resume, err = h.Replica().Cursor(ctx, up.cursor); err != nil {
		s.log.Error("read cursor", "err", err)
		syncproto.Refuse(s.conn, syncproto.NewError(syncproto.ErrCodeInternal, "hub database unavailable"))
		return
	}
	up.through = up.resume
	wall := h.Replica().Clock().Wall()
	offset := time.Duration(hello.Now.Millis()-wall.UnixMilli()) * time.Millisecond
	h.claim(name, s.id, cancel)
	defer h.release(name, s.id)
	h.reg.put(hub.SessionInfo{Station: name, ID: s.id, Since: h.now(), Remote: remote,
		AckedUp: up.resume, AckedDown: hello.Cursor, ClockOffset: offset, LastSeen: h.now(),
		PendingDown: h.LastSeq() - min(hello.Cursor, h.LastSeq())})
	defer h.reg.remove(name, s.id)
	s.log.Info("station connected", "resume", up.resume, "cursor", hello.Cursor)

	// After a restore from a backup: a station that cannot tell by itself
	// is told to download again from the start (LogEnd 0, below its
	// cursor), or refused if its release reads no Welcome trailer.
	distrust, err := h.ServeIncarnation(ctx, name, hello)
	if err != nil {
		pe := refusal(err)
		s.log.Warn("sync refused", "code", pe.Code, "reason", pe.Message)
		h.NoteSession(name, h.now(), offset, pe.Error())
		syncproto.Refuse(s.conn, pe)
		return
	}
	logEnd := h.LastSeq()
	if distrust {
		s.log.Info("station synced before the hub's restore: its download starts again", "cursor", hello.Cursor)
		logEnd = 0
	}
	welcome := &syncproto.Welcome{Version: syncproto.ProtocolVersion, Site: h.Replica().Site(),
		Now: hlc.New(wall.UnixMilli(), 0), Resume: up.resume, MaxSkew: uint32(h.opt.MaxSkew.Milliseconds()),
		// A station of an earlier release sends no trailer and reads none.
		Extended: hello.Software != "", Incarnation: h.Incarnation().ID, LogEnd: logEnd}
	var nextPin string
	if welcome.Extended && hello.Features&syncproto.FeatureHubPins != 0 {
		// The keys' pins, the next one ahead of the switch (hub/tls.go).
		if welcome.Pins, nextPin, err = h.PublishedPins(ctx); err != nil {
			s.log.Warn("read the hub's pins", "err", err)
			welcome.Pins, nextPin = nil, ""
		}
	}
	if err := s.conn.Send(welcome); err != nil {
		s.log.Info("station disconnected before the welcome", "err", err)
		h.NoteSession(name, h.now(), offset, "")
		return
	}
	if nextPin != "" {
		if err := h.NoteNextPinSent(ctx, name, nextPin); err != nil {
			s.log.Warn("note the next pin sent", "err", err)
		}
	}
	s.relay = newRelay(ctx, s, hello)
	if l, ok := s.conn.(syncproto.SendLimiter); ok && hello.MaxBatchLen > 0 {
		// A batch over the station's frame (one transaction of long
		// records) goes in parts.
		l.LimitSend(int(hello.MaxBatchLen))
	}
	w := syncproto.NewWindow(s.conn, &s.relay, up, syncproto.WindowConfig{
		Resume: hello.Cursor, Size: h.opt.Window,
		GroupBatches: groupBatches, GroupChanges: groupChanges, Queue: queuedUp,
		Idle: h.opt.IdleTimeout, Poll: h.opt.Poll, Refuse: true,
	})
	up.window = w
	err = w.Run(ctx)
	msg := ""
	var pe *syncproto.Error
	switch {
	case syncproto.IsPeerError(err):
		// The station's own Error (it refused the hub's resume point, say):
		// not sent back, kept as the station's last error.
		msg = "station: " + err.Error()
		s.log.Warn("station ended the session", "err", err)
	case errors.As(err, &pe):
		// The window sent the refusal.
		msg = pe.Error()
		s.log.Warn("sync refused", "code", pe.Code, "reason", pe.Message)
	case h.Context().Err() != nil:
		syncproto.Refuse(s.conn, syncproto.NewError(syncproto.ErrCodeShutdown, "hub shutting down"))
	default:
		s.log.Info("station disconnected", "err", err)
	}
	h.NoteSession(name, h.now(), offset, msg)
}

// upload is the session's Receiver: it checks the station's batches as they
// are read and applies them, each group in one transaction with the
// station's cursor.
type upload struct {
	s      *session
	window *syncproto.Window // kicked when snapshots become due
	cursor string            // the hub's cursor for the station's log
	resume uint64            // last station log seq the hub committed
	// through is the station's log seq the batches checked so far reach
	// (the reading goroutine's).
	through uint64

	mu      sync.Mutex
	charges map[*syncproto.Batch]int64 // decode budget held by each batch checked and not yet committed
}

// Check runs as each batch is decoded, while the previous ones commit: the
// batch must follow the station's log where the hub holds it
// (syncproto.Follows: no empty batch moving the cursor; no gap either once
// the hub requires contiguous uploads), then the core's authorize stage.
func (u *upload) Check(b *syncproto.Batch) error {
	u.hold(b)
	u.s.h.metrics.BatchChanges.Observe(uint64(len(b.Changes)))
	through, err := syncproto.Follows(u.through, b, !u.s.h.sopt.ContiguousUploads)
	if err != nil {
		return err
	}
	if err := u.s.h.Authorize(u.s.station, b.Changes); err != nil {
		return err
	}
	u.through = through
	return nil
}

// Commit applies batches that arrived one after another in one transaction
// with the station's cursor. If that fails, it applies them one at a time,
// so that the batches before a bad one still commit and the bad one's own
// error ends the session. It returns the station's log sequence to ack.
func (u *upload) Commit(ctx context.Context, group []*syncproto.Batch) (uint64, error) {
	defer u.free(group)
	if len(group) == 1 {
		return u.resume, u.apply(ctx, group[0].Changes, group[0].Last)
	}
	n := 0
	for _, b := range group {
		n += len(b.Changes)
	}
	changes := make([]replica.Change, 0, n)
	for _, b := range group {
		changes = append(changes, b.Changes...)
	}
	err := u.apply(ctx, changes, group[len(group)-1].Last)
	if err == nil || ctx.Err() != nil {
		return u.resume, err
	}
	for _, b := range group {
		if err := u.apply(ctx, b.Changes, b.Last); err != nil {
			return u.resume, err
		}
	}
	return u.resume, nil
}

// hold keeps the charge of a decoded batch until it is committed, shrunk
// from the decode's bound to what the batch holds.
func (u *upload) hold(b *syncproto.Batch) {
	s := u.s
	c := s.pending
	s.pending = charge{}
	held := min(c.n, int64(syncproto.HeldBytes(b, int(c.body))))
	s.share.release(c.n - held)
	u.mu.Lock()
	u.charges[b] += held
	u.mu.Unlock()
}

// free gives back the charges of committed batches (or of batches whose
// commit failed, which ends the session).
func (u *upload) free(group []*syncproto.Batch) {
	var n int64
	u.mu.Lock()
	for _, b := range group {
		n += u.charges[b]
		delete(u.charges, b)
	}
	u.mu.Unlock()
	u.s.share.release(n)
}

// apply applies authorized changes, the station's log through last, with
// the station's cursor, in one transaction (hub.ApplyUpload).
func (u *upload) apply(ctx context.Context, changes []replica.Change, last uint64) error {
	s := u.s
	h := s.h
	h.reg.update(s.station.Name, s.id, func(i *hub.SessionInfo) { i.PendingUp = len(changes) })
	start := time.Now()
	a, err := h.ApplyUpload(ctx, hub.Upload{Station: s.station, Cursor: u.cursor, Resume: u.resume,
		Changes: changes, Last: last})
	if err != nil {
		return err
	}
	h.metrics.ObserveApply(len(changes), a.Refused, a.Joins, time.Since(start))
	u.resume = a.Seq
	s.upAt.Store(h.now().UnixNano())
	h.reg.update(s.station.Name, s.id, func(i *hub.SessionInfo) { i.AckedUp, i.PendingUp = a.Seq, 0 })
	if a.SnapshotsDue {
		// Workers entered the scope: their snapshots go next.
		u.window.Kick()
	}
	return nil
}

// relay is the session's Source: the hub's log in the station's scope,
// after the station's cursor, and the snapshots of workers entering the
// scope. The window calls it from its writing goroutine only.
type relay struct {
	s        *session
	q        replica.LogQuery
	cursor   uint64 // relay position: log entries up to here are sent or out of scope
	sentLast uint64 // the station's cursor once everything sent is committed
	// parts are the snapshot batches still to send, one at a time, for the
	// workers snapped (the last part's note).
	parts    [][]replica.Change
	partsFor []ident.ID
}

func newRelay(ctx context.Context, s *session, hello *syncproto.Hello) relay {
	q := replica.LogQuery{Limit: relayLimit, MaxBytes: relayMaxBytes, Filter: s.h.RelayFilter(ctx, s.station.Name),
		MarkReplaced: true, SkipLiveFrom: s.station.Site}
	if n := int(hello.MaxBatchLen); n > 0 && n/2 < q.MaxBytes {
		q.MaxBytes = max(n/2, 1024)
	}
	return relay{s: s, q: q, cursor: hello.Cursor, sentLast: hello.Cursor}
}

// Next returns a snapshot batch when nothing is in flight and workers wait
// for theirs, else the next batches of the log in the station's scope. Log
// entries out of scope are skipped, with an empty batch to move the
// station's cursor every emptyEvery of them.
//
// A snapshot goes in parts within the station's limits, none moving its
// cursor, each alone in flight: every part's last sequence is the cursor,
// so an ack of it says which part the station committed only if one was
// in flight. The last part's note is the workers (its ack says the
// station holds them all).
func (r *relay) Next(ctx context.Context, inFlight int) ([]*syncproto.Batch, any, error) {
	h, name := r.s.h, r.s.station.Name
	for {
		if inFlight == 0 && len(r.parts) == 0 {
			if ws := h.PendingSnapshots(name, snapshotMax); len(ws) > 0 {
				var chs []replica.Change
				for _, w := range ws {
					c, err := h.Snapshot(ctx, w)
					if err != nil {
						return nil, nil, err
					}
					chs = append(chs, r.s.forStation(c)...)
				}
				r.parts = syncproto.SplitChanges(chs, relayLimit, snapshotMaxFields, r.q.MaxBytes)
				r.partsFor = ws
			}
		}
		if inFlight == 0 && len(r.parts) > 0 {
			p := r.parts[0]
			r.parts[0] = nil
			r.parts = r.parts[1:]
			r.sentLast = r.cursor
			var note any
			if len(r.parts) == 0 {
				note, r.partsFor = r.partsFor, nil
			}
			return []*syncproto.Batch{{First: r.cursor, Last: r.cursor, Changes: p}}, note, nil
		}
		entries, scanned, err := h.ReadRelay(ctx, r.cursor, r.q)
		if err != nil {
			return nil, nil, fmt.Errorf("relay: %w", err)
		}
		entries = r.s.forStationLog(entries)
		if scanned <= r.cursor {
			return nil, nil, nil
		}
		if len(entries) == 0 && scanned-r.sentLast < emptyEvery {
			r.cursor = scanned
			continue
		}
		bs := syncproto.Batches(entries, r.cursor, scanned, relayLimit)
		r.cursor, r.sentLast = scanned, scanned
		return bs, nil, nil
	}
}

// Acked records the snapshots the station committed and its progress. More
// is to send only if snapshots were committed, or wait for an empty window:
// the window itself refills when it was what stopped the last fill, and new
// changes wake the session. (While a station uploads, its acks of the hub's
// batches thus never make the hub read back what it applied.)
func (r *relay) Acked(ctx context.Context, seq uint64, done []syncproto.Flight, inFlight int) (bool, error) {
	s := r.s
	h, name := s.h, s.station.Name
	snapped := false
	for _, f := range done {
		if ws, _ := f.Note.([]ident.ID); len(ws) > 0 {
			if err := h.SnapshotsDone(ctx, name, ws); err != nil {
				return false, err
			}
			snapped = true
		}
	}
	last := h.LastSeq()
	h.reg.update(name, s.id, func(i *hub.SessionInfo) {
		i.AckedDown = seq
		i.PendingDown = last - min(seq, last)
	})
	return snapped || inFlight == 0 && (len(r.parts) > 0 || len(h.PendingSnapshots(name, 1)) > 0), nil
}

// Wake is ready when changes in the station's scope were applied
// (Server.Wake).
func (r *relay) Wake() <-chan struct{} { return r.s.h.reg.watch(r.s.station.Name) }

// Poll checks that the station is still enrolled, and looks for work
// nobody woke the session for: only the station's own changes coming back,
// which waits while it uploads.
func (r *relay) Poll(ctx context.Context) (bool, error) {
	s := r.s
	if err := s.h.StillEnrolled(ctx, s.station.Name, s.station.Site); err != nil {
		return false, err
	}
	return s.h.now().Sub(time.Unix(0, s.upAt.Load())) > s.h.opt.Poll, nil
}
