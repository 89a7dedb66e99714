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

	"github.com/gorilla/websocket"

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
	snapshotMax   = 64 // workers per snapshot batch
	// emptyEvery: when the relay filter skipped this many log entries, a
	// batch without changes moves the station's cursor past them.
	emptyEvery = 5000
	// A station's batches that arrive while the previous ones commit are
	// applied together, in one transaction, up to these bounds: a commit
	// writes every page the batch touched (the workers' id index and the
	// history index are keyed at random), so five batches cost little more
	// than one. queuedUp is how many decoded batches wait for the writer.
	groupBatches = 8
	groupChanges = 8192
	queuedUp     = 4
)

// session is one station's sync session at the hub.
type session struct {
	h       *Server
	conn    *websocket.Conn
	id      uint64
	station hub.StationInfo
	log     *slog.Logger
	cursor  string       // the hub's cursor for the station's log
	resume  uint64       // last station log seq the hub committed
	upAt    atomic.Int64 // when the last station batch was applied (unix ns)
	// snapshotsDue: workers entered the scope with the last batch applied;
	// the writer (which applied it) sends their snapshots next.
	snapshotsDue bool

	ackIn chan uint64 // acks of hub batches, from the reader
}

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
	done, ok := h.Enter()
	if !ok {
		http.Error(w, "hub shutting down", http.StatusServiceUnavailable)
		return
	}
	conn, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		done()
		return // the upgrader answered with an HTTP error
	}
	// The session runs on its own goroutine, owned by the hub (h.wg), and the
	// handler returns: net/http then drops its goroutine, request and write
	// buffer, which an idle station would otherwise hold for days.
	remote := r.RemoteAddr
	go func() {
		defer done()
		ctx, cancel := context.WithCancel(h.Context())
		defer cancel()
		stop := context.AfterFunc(ctx, func() { conn.Close() })
		defer stop()
		defer conn.Close()
		conn.SetReadLimit(int64(h.maxFrame()))
		s := &session{h: h, conn: conn, id: h.sessionID.Add(1), log: h.log.With("remote", remote),
			ackIn: make(chan uint64, 64)}
		s.run(ctx, cancel, remote)
	}()
}

func (h *Server) maxFrame() int {
	if h.opt.Limits.MaxFrame > 0 {
		return h.opt.Limits.MaxFrame
	}
	return syncproto.DefaultMaxFrame
}

// send writes one message.
func (s *session) send(m syncproto.Message) error {
	return s.sendWithin(m, s.h.opt.WriteTimeout)
}

func (s *session) sendWithin(m syncproto.Message, d time.Duration) error {
	frame, err := s.h.codec.Encode(nil, m)
	if err != nil {
		return fmt.Errorf("encode %v: %w", m.Type(), err)
	}
	s.conn.SetWriteDeadline(time.Now().Add(d))
	if err := s.conn.WriteMessage(websocket.BinaryMessage, frame); err != nil {
		return fmt.Errorf("write %v: %w", m.Type(), err)
	}
	if s.station.Name != "" {
		s.h.reg.update(s.station.Name, s.id, func(i *hub.SessionInfo) { i.BytesOut += int64(len(frame)) })
	}
	return nil
}

// refuse tells the station why the session ends, then closes the WebSocket.
// A station that does not read gets a few seconds, so that Close never
// waits long for it.
func (s *session) refuse(e *syncproto.Error) {
	if err := s.sendWithin(e, 5*time.Second); err == nil {
		s.conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.ClosePolicyViolation, ""), time.Now().Add(time.Second))
	}
}

// read reads one binary frame and decodes it.
func (s *session) read() (syncproto.Message, error) {
	mt, data, err := s.conn.ReadMessage()
	if err != nil {
		if errors.Is(err, websocket.ErrReadLimit) {
			return nil, syncproto.NewError(syncproto.ErrCodeTooLarge, "frame exceeds %d bytes", s.h.maxFrame())
		}
		return nil, fmt.Errorf("read: %w", err)
	}
	if s.station.Name != "" {
		s.h.reg.update(s.station.Name, s.id, func(i *hub.SessionInfo) {
			i.BytesIn += int64(len(data))
			i.LastSeen = s.h.now()
		})
	}
	if mt != websocket.BinaryMessage {
		return nil, syncproto.NewError(syncproto.ErrCodeBadMessage, "text frame: want binary frames")
	}
	m, err := s.h.codec.Decode(data)
	if err != nil {
		return nil, syncproto.NewError(syncproto.CodeOf(err), "%v", err)
	}
	return m, nil
}

func (s *session) handshake(ctx context.Context) (*syncproto.Hello, error) {
	s.conn.SetReadDeadline(time.Now().Add(s.h.opt.HandshakeTimeout))
	m, err := s.read()
	if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
		return nil, syncproto.NewError(syncproto.ErrCodeBadMessage, "no Hello within %s", s.h.opt.HandshakeTimeout)
	}
	if err != nil {
		return nil, err
	}
	hello, ok := m.(*syncproto.Hello)
	if !ok {
		return nil, syncproto.NewError(syncproto.ErrCodeBadMessage, "got %v, want Hello", m.Type())
	}
	if err := syncproto.CheckVersion(hello.Version); err != nil {
		return nil, syncproto.NewError(syncproto.ErrCodeProtocolVersion, "%v", err)
	}
	if fp := s.h.Replica().Schema().Fingerprint(); hello.Schema != fp {
		return nil, syncproto.NewError(syncproto.ErrCodeSchema,
			"station schema %016x, hub schema %016x: update the older side", hello.Schema, fp)
	}
	st, err := s.h.Authenticate(ctx, hello)
	if err != nil {
		return nil, err
	}
	s.station = st
	return hello, nil
}

func (s *session) run(ctx context.Context, cancel context.CancelFunc, remote string) {
	h := s.h
	hello, err := s.handshake(ctx)
	if err != nil {
		pe := refusal(err)
		s.log.Info("sync refused", "code", pe.Code, "reason", pe.Message)
		if s.station.Name != "" {
			h.NoteSession(s.station.Name, h.now(), 0, pe.Error())
		}
		s.refuse(pe)
		return
	}
	name := s.station.Name
	s.log = s.log.With("station", name)
	s.cursor = "up:" + s.station.Site.String()
	if s.resume, err = h.Replica().Cursor(ctx, s.cursor); err != nil {
		s.log.Error("read cursor", "err", err)
		s.refuse(syncproto.NewError(syncproto.ErrCodeInternal, "hub database unavailable"))
		return
	}
	wall := h.Replica().Clock().Wall()
	offset := time.Duration(hello.Now.Millis()-wall.UnixMilli()) * time.Millisecond
	h.claim(name, s.id, cancel)
	defer h.release(name, s.id)
	h.reg.put(hub.SessionInfo{Station: name, ID: s.id, Since: h.now(), Remote: remote,
		AckedUp: s.resume, AckedDown: hello.Cursor, ClockOffset: offset, LastSeen: h.now(),
		PendingDown: h.LastSeq() - min(hello.Cursor, h.LastSeq())})
	defer h.reg.remove(name, s.id)
	s.log.Info("station connected", "resume", s.resume, "cursor", hello.Cursor)

	welcome := &syncproto.Welcome{Version: syncproto.ProtocolVersion, Site: h.Replica().Site(),
		Now: hlc.New(wall.UnixMilli(), 0), Resume: s.resume, MaxSkew: uint32(h.opt.MaxSkew.Milliseconds())}
	if err := s.send(welcome); err != nil {
		h.NoteSession(name, h.now(), offset, "")
		return
	}
	// The reader decodes and checks the next batch while the writer
	// commits the previous one.
	readErr := make(chan error, 1)
	batches := make(chan *syncproto.Batch, queuedUp)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		readErr <- s.readLoop(ctx, batches)
	}()
	err = s.writeLoop(ctx, hello, batches, readErr)
	msg := ""
	var pe *syncproto.Error
	switch {
	case errors.As(err, &pe):
		msg = pe.Error()
		s.log.Warn("sync refused", "code", pe.Code, "reason", pe.Message)
		s.refuse(pe)
	case h.Context().Err() != nil:
		s.refuse(syncproto.NewError(syncproto.ErrCodeShutdown, "hub shutting down"))
	default:
		s.log.Info("station disconnected", "err", err)
	}
	cancel()
	s.conn.Close()
	wg.Wait()
	h.NoteSession(name, h.now(), offset, msg)
}

// readLoop reads the station's frames: batches, checked, for the writer to
// apply, and acks of the hub's batches.
func (s *session) readLoop(ctx context.Context, batches chan<- *syncproto.Batch) error {
	s.conn.SetPingHandler(func(data string) error {
		s.conn.SetReadDeadline(time.Now().Add(s.h.opt.IdleTimeout))
		err := s.conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(10*time.Second))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		return err
	})
	for {
		s.conn.SetReadDeadline(time.Now().Add(s.h.opt.IdleTimeout))
		m, err := s.read()
		if err != nil {
			return err
		}
		switch m := m.(type) {
		case *syncproto.Batch:
			if err := s.h.Authorize(s.station, m.Changes); err != nil {
				return err
			}
			select {
			case batches <- m:
			case <-ctx.Done():
				return ctx.Err()
			}
		case *syncproto.Ack:
			select {
			case s.ackIn <- m.Seq:
			case <-ctx.Done():
				return ctx.Err()
			}
		case *syncproto.Error:
			return fmt.Errorf("station ended the session: %v", m)
		default:
			return syncproto.NewError(syncproto.ErrCodeBadMessage, "unexpected %v", m.Type())
		}
	}
}

// applyGroup applies checked batches that arrived one after another in one
// transaction with the station's cursor. If that fails, it applies them one
// at a time, so that the batches before a bad one still commit and the bad
// one's own error ends the session.
func (s *session) applyGroup(ctx context.Context, group []*syncproto.Batch) error {
	if len(group) == 1 {
		return s.applyUp(ctx, group[0].Changes, group[0].Last)
	}
	n := 0
	for _, b := range group {
		n += len(b.Changes)
	}
	changes := make([]replica.Change, 0, n)
	for _, b := range group {
		changes = append(changes, b.Changes...)
	}
	err := s.applyUp(ctx, changes, group[len(group)-1].Last)
	if err == nil || ctx.Err() != nil {
		return err
	}
	for _, b := range group {
		if err := s.applyUp(ctx, b.Changes, b.Last); err != nil {
			return err
		}
	}
	return nil
}

// applyUp applies authorized changes, the station's log through last, with
// the station's cursor, in one transaction (hub.ApplyUpload).
func (s *session) applyUp(ctx context.Context, changes []replica.Change, last uint64) error {
	h := s.h
	h.reg.update(s.station.Name, s.id, func(i *hub.SessionInfo) { i.PendingUp = len(changes) })
	a, err := h.ApplyUpload(ctx, hub.Upload{Station: s.station, Cursor: s.cursor, Resume: s.resume,
		Changes: changes, Last: last})
	if err != nil {
		return err
	}
	s.resume = a.Seq
	s.upAt.Store(h.now().UnixNano())
	h.reg.update(s.station.Name, s.id, func(i *hub.SessionInfo) { i.AckedUp, i.PendingUp = a.Seq, 0 })
	s.snapshotsDue = s.snapshotsDue || a.SnapshotsDue
	return nil
}

// flight is a batch sent to the station and not yet acknowledged.
type flight struct {
	last uint64
	snap []ident.ID // workers whose snapshot the batch carries
}

// writeLoop owns the session's writes: it relays the hub's log in the
// station's scope, keeping a window of batches in flight, sends the snapshots
// of workers entering the scope, and applies the station's batches and
// acknowledges each once committed.
func (s *session) writeLoop(ctx context.Context, hello *syncproto.Hello, batches <-chan *syncproto.Batch, readErr <-chan error) error {
	h := s.h
	name := s.station.Name
	var (
		cursor   = hello.Cursor // relay position: log entries up to here are sent or out of scope
		sentLast = hello.Cursor // the station's cursor once everything sent is committed
		inflight []flight
	)
	q := replica.LogQuery{Limit: relayLimit, MaxBytes: relayMaxBytes, Filter: h.RelayFilter(ctx, name),
		MarkReplaced: true, SkipLiveFrom: s.station.Site}
	if n := int(hello.MaxBatchLen); n > 0 && n/2 < q.MaxBytes {
		q.MaxBytes = max(n/2, 1024)
	}
	poll := time.NewTicker(h.opt.Poll)
	defer poll.Stop()
	fill := func() error {
		for len(inflight) < h.opt.Window {
			if len(inflight) == 0 {
				// A snapshot goes alone, so that its ack is unambiguous.
				if ws := h.PendingSnapshots(name, snapshotMax); len(ws) > 0 {
					var chs []replica.Change
					for _, w := range ws {
						c, err := h.Snapshot(ctx, w)
						if err != nil {
							return err
						}
						chs = append(chs, c...)
					}
					if err := s.send(&syncproto.Batch{First: cursor, Last: cursor, Changes: chs}); err != nil {
						return err
					}
					sentLast = cursor
					inflight = append(inflight, flight{last: cursor, snap: ws})
					continue
				}
			}
			entries, scanned, err := h.ReadRelay(ctx, cursor, q)
			if err != nil {
				return fmt.Errorf("relay: %w", err)
			}
			if scanned <= cursor {
				return nil
			}
			if len(entries) == 0 && scanned-sentLast < emptyEvery {
				cursor = scanned
				continue
			}
			for _, b := range syncproto.Batches(entries, cursor, scanned, relayLimit) {
				if err := s.send(b); err != nil {
					return err
				}
				inflight = append(inflight, flight{last: b.Last})
			}
			cursor, sentLast = scanned, scanned
		}
		return nil
	}
	refill := true
	full := false // the last fill stopped at a full window, not at the end of the log
	var wake <-chan struct{}
	for {
		if refill {
			// Watch before looking, so that a wake during the look is not
			// lost; without a look, the last watch still holds.
			wake = h.reg.watch(name)
			if err := fill(); err != nil {
				return err
			}
			full = len(inflight) >= h.opt.Window
		}
		// Acking the station's batches needs no relay: while a station
		// uploads, the hub does not read back what it just applied.
		refill = true
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			return err
		case b := <-batches:
			group, n := []*syncproto.Batch{b}, len(b.Changes)
		more:
			for len(group) < groupBatches && n < groupChanges {
				select {
				case b := <-batches:
					group, n = append(group, b), n+len(b.Changes)
				default:
					break more
				}
			}
			if err := s.applyGroup(ctx, group); err != nil {
				return err
			}
			if err := s.send(&syncproto.Ack{Seq: s.resume}); err != nil {
				return err
			}
			refill, s.snapshotsDue = s.snapshotsDue, false
		case seq := <-s.ackIn:
			snapped := false
			for len(inflight) > 0 && inflight[0].last <= seq {
				if ws := inflight[0].snap; len(ws) > 0 {
					if err := h.SnapshotsDone(ctx, name, ws); err != nil {
						return err
					}
					snapped = true
				}
				inflight = inflight[1:]
			}
			// More to send only if the window was what stopped the last
			// fill, or snapshots wait for an empty window; new changes
			// wake the session. (While a station uploads, its acks of the
			// hub's batches thus never make the hub read back what it
			// applied.)
			refill = full || snapped || len(inflight) == 0 && len(h.PendingSnapshots(name, 1)) > 0
			last := h.LastSeq()
			h.reg.update(name, s.id, func(i *hub.SessionInfo) {
				i.AckedDown = seq
				i.PendingDown = last - min(seq, last)
			})
		case <-wake:
		case <-poll.C:
			if err := h.StillEnrolled(ctx, name, s.station.Site); err != nil {
				return err
			}
			// The poll only finds the station's own changes coming back
			// (others' wake the session): that waits while it uploads.
			refill = h.now().Sub(time.Unix(0, s.upAt.Load())) > h.opt.Poll
		}
	}
}
