package syncclient

import (
	"context"
	"errors"
	"fieldsync/release"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/websocket"

	"fieldsync/hlc"
	"fieldsync/replica"
	"fieldsync/syncproto"
)

// Cursors in the station's database.
const (
	downCursor = HubLogCursor
	upCursor   = AckedCursor
)

// Upload batch bounds.
const (
	upLimit    = 1000
	upMaxBytes = 512 << 10
)

// session runs one connection to the hub until it fails or ctx ends.
// welcomed says whether the hub accepted the station.
func (c *Client) session(ctx context.Context) (welcomed bool, err error) {
	rep, e := c.cfg.Replica, c.cfg.Enrollment
	if err := c.resendRestored(ctx); err != nil {
		return false, err
	}
	ws, err := c.dial(ctx)
	if err != nil {
		return false, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { ws.Close() })
	defer stop()
	defer ws.Close()
	limit := c.cfg.Limits.MaxFrame
	if limit <= 0 {
		limit = syncproto.DefaultMaxFrame
	}
	k := syncproto.NewWebSocketConn(ws, c.codec, syncproto.ConnOptions{WriteTimeout: 2 * time.Minute})

	cursor, err := rep.Cursor(ctx, downCursor)
	if err != nil {
		return false, err
	}
	t0 := c.cfg.Now()
	hello := &syncproto.Hello{Version: syncproto.ProtocolVersion, Schema: rep.Schema().Fingerprint(),
		Site: rep.Site(), Station: e.StationID, Token: e.Token, Cursor: cursor,
		Now: hlc.New(rep.Clock().Wall().UnixMilli(), 0), MaxBatchLen: uint32(limit),
		Software: release.String(), Features: syncproto.FeatureHubPins}
	hello.Restored = c.cfg.Restored
	if err := k.Send(hello); err != nil {
		return false, err
	}
	k.SetReadDeadline(time.Now().Add(c.cfg.HandshakeTimeout))
	m, err := k.Receive()
	if err != nil {
		return false, fromHub(err)
	}
	var welcome *syncproto.Welcome
	switch m := m.(type) {
	case *syncproto.Welcome:
		welcome = m
	case *syncproto.Error:
		return false, m
	default:
		return false, fmt.Errorf("the hub sent %v instead of Welcome", m.Type())
	}
	if err := syncproto.CheckVersion(welcome.Version); err != nil {
		return false, syncproto.NewError(syncproto.ErrCodeProtocolVersion, "%v", err)
	}
	c.adoptPins(ws, welcome)
	offset := c.measureOffset(ctx, t0, welcome)
	c.mu.Lock()
	c.st.Connected, c.st.ClockOffset = true, offset
	if c.st.ErrorCode == 0 || syncproto.ErrCode(c.st.ErrorCode).Temporary() {
		// A link error, or the hub's "retry later", is over once connected.
		c.st.LastError, c.st.ErrorCode = "", 0
	}
	c.mu.Unlock()
	c.log.Info("connected to the hub", "resume", welcome.Resume, "cursor", cursor, "offset", offset)
	if err := c.checkResumeInLog(ctx, welcome.Resume); err != nil {
		// Nothing is trimmed or skipped on such a resume point: the hub
		// is told why the session ends, and records it.
		syncproto.Refuse(k, syncproto.NewError(syncproto.ErrCodeCursor, "%v", err))
		return false, err
	}
	if err := c.checkHubLife(ctx, welcome, cursor); err != nil {
		return true, err
	}
	c.checkResume(ctx, welcome.Resume)
	c.forgetAcksAfter(ctx, welcome.Resume)
	c.noteAck(ctx, welcome.Resume)
	c.trimLog(ctx, welcome.Resume)
	if err := c.recoverClock(ctx, welcome); err != nil {
		return true, err
	}

	up := &upload{c: c, sent: welcome.Resume, acked: welcome.Resume,
		q: replica.LogQuery{Site: rep.Site(), Limit: upLimit, MaxBytes: min(upMaxBytes, limit/4)}}
	down := &download{c: c, cursor: cursor}
	w := syncproto.NewWindow(k, up, down, syncproto.WindowConfig{
		Resume: welcome.Resume, Size: c.cfg.Window,
		Idle: 3 * c.cfg.PingInterval, Ping: c.cfg.PingInterval, Poll: c.cfg.Poll,
	})
	err = w.Run(ctx)
	// Keep the last ack for Status, even if the context has ended.
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer scancel()
	rep.SetCursor(sctx, upCursor, up.acked)
	return true, fromHub(err)
}

// measureOffset sets the clock offset from the hub's time in a Welcome to
// a Hello sent at t0: measured against the raw wall clock, halfway through
// the exchange, it corrects every stamp made from now on, offline too.
func (c *Client) measureOffset(ctx context.Context, t0 time.Time, w *syncproto.Welcome) time.Duration {
	rep := c.cfg.Replica
	t1 := c.cfg.Now()
	mid := t0.Add(t1.Sub(t0) / 2)
	offset := time.Duration(w.Now.Millis()-mid.UnixMilli()) * time.Millisecond
	rep.Clock().SetOffset(offset)
	if err := rep.SetState(ctx, clockOffsetState, []byte(strconv.FormatInt(offset.Milliseconds(), 10))); err != nil {
		c.log.Warn("store clock offset", "err", err)
	}
	return offset
}

// dial opens the WebSocket to the hub's /sync.
func (c *Client) dial(ctx context.Context) (*websocket.Conn, error) {
	url, err := c.cfg.Enrollment.SyncURL()
	if err != nil {
		return nil, err
	}
	dialer := websocket.Dialer{
		HandshakeTimeout: c.cfg.HandshakeTimeout,
		TLSClientConfig:  c.tlsConfig(),
		ReadBufferSize:   16 << 10, WriteBufferSize: 16 << 10,
		// Some county networks reach the hub only through a proxy.
		Proxy: http.ProxyFromEnvironment,
	}
	dctx, dcancel := context.WithTimeout(ctx, c.cfg.HandshakeTimeout)
	ws, resp, err := dialer.DialContext(dctx, url, nil)
	dcancel()
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("connect to the hub: %w", err)
	}
	return ws, nil
}

// fromHub keeps a refusal for the hub's own Error messages: a frame of the
// hub's that this station could not use is a link error, retried.
func fromHub(err error) error {
	var pe *syncproto.Error
	if err == nil || !errors.As(err, &pe) || syncproto.IsPeerError(err) {
		return err
	}
	return fmt.Errorf("the hub's message: %s", pe.Message)
}

// upload is the station's side of the window that sends: its own log after
// the hub's resume point.
type upload struct {
	c       *Client
	q       replica.LogQuery
	sent    uint64 // own log read through here
	acked   uint64 // the hub's last ack
	flying  int    // changes sent, not yet acknowledged
	drained bool   // the last read found nothing more to send
}

func (u *upload) Next(ctx context.Context, inFlight int) ([]*syncproto.Batch, any, error) {
	rep := u.c.cfg.Replica
	if u.drained {
		// Called again after a wake: staff may have written changes.
		u.pending(ctx)
	}
	entries, scanned, err := rep.ReadLog(ctx, u.sent, u.q)
	if err != nil {
		return nil, nil, err
	}
	if len(entries) == 0 {
		u.sent, u.drained = max(u.sent, scanned), true
		return nil, nil, nil
	}
	last := entries[len(entries)-1].Seq
	bs := syncproto.Batches(entries, u.sent, last, upLimit)
	u.sent, u.drained = last, false
	for _, b := range bs {
		u.flying += len(b.Changes)
	}
	return bs, nil, nil
}

func (u *upload) Acked(ctx context.Context, seq uint64, done []syncproto.Flight, inFlight int) (bool, error) {
	c := u.c
	for _, f := range done {
		u.flying -= f.Changes
	}
	u.acked = seq
	// The hub's ack position is only for Status while offline: it is
	// stored when all is sent, not after every batch.
	if inFlight == 0 {
		if err := c.cfg.Replica.SetCursor(ctx, upCursor, seq); err != nil {
			return false, err
		}
		c.noteAck(ctx, seq)
		c.trimLog(ctx, seq)
	}
	c.progress(ctx)
	c.restampAcked(seq)
	u.pending(ctx)
	return true, nil
}

func (u *upload) Wake() <-chan struct{} { return u.c.kick }

// pending shows staff how many own changes the hub has not acknowledged.
func (u *upload) pending(ctx context.Context) {
	rep := u.c.cfg.Replica
	n := u.flying
	if !u.drained {
		// Not read yet: count the own log rows' changes, cheaply.
		m, err := rep.CountSince(ctx, u.sent, rep.Site())
		if err != nil {
			return
		}
		n += m
	}
	u.c.setPending(n)
}

// download is the station's side of the window that receives: it applies
// the hub's batches, each with the cursor in the same transaction.
type download struct {
	c      *Client
	cursor uint64 // last hub log seq committed here
}

func (d *download) Commit(ctx context.Context, group []*syncproto.Batch) (uint64, error) {
	c := d.c
	for _, b := range group {
		d.cursor = max(d.cursor, b.Last)
		if _, err := c.cfg.Replica.Apply(ctx, b.Changes, downCursor, d.cursor); err != nil {
			return 0, fmt.Errorf("apply the hub's batch: %w", err)
		}
		c.mu.Lock()
		c.st.LastSync = c.cfg.Now()
		c.mu.Unlock()
	}
	return d.cursor, nil
}
