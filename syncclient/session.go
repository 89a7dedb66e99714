package syncclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"fieldsync/hlc"
	"fieldsync/replica"
	"fieldsync/syncproto"
)

// Cursors in the station's database.
const (
	downCursor = "hub"    // last hub log seq committed here
	upCursor   = "hub-up" // last own log seq the hub acknowledged (for Status)
)

// Upload batch bounds.
const (
	upLimit    = 1000
	upMaxBytes = 512 << 10
)

// conn is one open session's WebSocket with the codec.
type conn struct {
	c     *Client
	ws    *websocket.Conn
	limit int
}

func (k *conn) send(m syncproto.Message) error {
	frame, err := k.c.codec.Encode(nil, m)
	if err != nil {
		return fmt.Errorf("encode %v: %w", m.Type(), err)
	}
	k.ws.SetWriteDeadline(time.Now().Add(2 * time.Minute))
	if err := k.ws.WriteMessage(websocket.BinaryMessage, frame); err != nil {
		return fmt.Errorf("write %v: %w", m.Type(), err)
	}
	return nil
}

func (k *conn) read() (syncproto.Message, error) {
	mt, data, err := k.ws.ReadMessage()
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if mt != websocket.BinaryMessage {
		return nil, errors.New("the hub sent a text frame")
	}
	m, err := k.c.codec.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("decode the hub's message: %w", err)
	}
	return m, nil
}

// session runs one connection to the hub until it fails or ctx ends.
// welcomed says whether the hub accepted the station.
func (c *Client) session(ctx context.Context) (welcomed bool, err error) {
	rep, e := c.cfg.Replica, c.cfg.Enrollment
	url, err := e.SyncURL()
	if err != nil {
		return false, err
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
		return false, fmt.Errorf("connect to the hub: %w", err)
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
	ws.SetReadLimit(int64(limit))
	k := &conn{c: c, ws: ws, limit: limit}

	cursor, err := rep.Cursor(ctx, downCursor)
	if err != nil {
		return false, err
	}
	t0 := c.cfg.Now()
	hello := &syncproto.Hello{Version: syncproto.ProtocolVersion, Schema: rep.Schema().Fingerprint(),
		Site: rep.Site(), Station: e.StationID, Token: e.Token, Cursor: cursor,
		Now: hlc.New(rep.Clock().Wall().UnixMilli(), 0), MaxBatchLen: uint32(limit)}
	if err := k.send(hello); err != nil {
		return false, err
	}
	ws.SetReadDeadline(time.Now().Add(c.cfg.HandshakeTimeout))
	m, err := k.read()
	if err != nil {
		return false, err
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
	// The offset is measured against the raw wall clock, halfway through the
	// exchange, and corrects every stamp made from now on, offline too.
	t1 := c.cfg.Now()
	mid := t0.Add(t1.Sub(t0) / 2)
	offset := time.Duration(welcome.Now.Millis()-mid.UnixMilli()) * time.Millisecond
	rep.Clock().SetOffset(offset)
	if err := rep.SetState(ctx, clockOffsetState, []byte(strconv.FormatInt(offset.Milliseconds(), 10))); err != nil {
		c.log.Warn("store clock offset", "err", err)
	}
	c.mu.Lock()
	c.st.Connected, c.st.ClockOffset = true, offset
	if c.st.ErrorCode == 0 || syncproto.ErrCode(c.st.ErrorCode).Temporary() {
		// A link error, or the hub's "retry later", is over once connected.
		c.st.LastError, c.st.ErrorCode = "", 0
	}
	c.mu.Unlock()
	c.log.Info("connected to the hub", "resume", welcome.Resume, "cursor", cursor, "offset", offset)
	c.checkResume(ctx, welcome.Resume)
	c.trimLog(ctx, welcome.Resume)

	ackOut := make(chan uint64, 64)
	ackIn := make(chan uint64, 64)
	readErr := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		readErr <- c.readLoop(ctx, k, cursor, ackOut, ackIn)
	}()
	err = c.writeLoop(ctx, k, welcome.Resume, ackOut, ackIn, readErr)
	cancel()
	ws.Close()
	wg.Wait()
	return true, err
}

// readLoop applies the hub's batches, each with the cursor in the same
// transaction, and hands acks to the writer.
func (c *Client) readLoop(ctx context.Context, k *conn, cursor uint64, ackOut, ackIn chan<- uint64) error {
	deadline := func() { k.ws.SetReadDeadline(time.Now().Add(3 * c.cfg.PingInterval)) }
	k.ws.SetPongHandler(func(string) error { deadline(); return nil })
	for {
		deadline()
		m, err := k.read()
		if err != nil {
			return err
		}
		var out chan<- uint64
		var seq uint64
		switch m := m.(type) {
		case *syncproto.Batch:
			cursor = max(cursor, m.Last)
			_, err := c.cfg.Replica.Apply(ctx, m.Changes, downCursor, cursor)
			if err != nil {
				return fmt.Errorf("apply the hub's batch: %w", err)
			}

			c.mu.Lock()
			c.st.LastSync = c.cfg.Now()
			c.mu.Unlock()
			out, seq = ackOut, m.Last
		case *syncproto.Ack:
			out, seq = ackIn, m.Seq
		case *syncproto.Error:
			return m
		default:
			return fmt.Errorf("the hub sent an unexpected %v", m.Type())
		}
		select {
		case out <- seq:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// writeLoop owns the session's writes: it streams the station's own changes
// after the hub's resume point with a window of batches in flight, sends
// acks, and pings.
func (c *Client) writeLoop(ctx context.Context, k *conn, resume uint64, ackOut, ackIn <-chan uint64, readErr <-chan error) error {
	rep := c.cfg.Replica
	type flight struct {
		last uint64
		n    int
	}
	var (
		sent     = resume
		acked    = resume
		inflight []flight
		drained  bool // the last read found nothing more to send
	)
	q := replica.LogQuery{Site: rep.Site(), Limit: upLimit, MaxBytes: min(upMaxBytes, k.limit/4)}
	ping := time.NewTicker(c.cfg.PingInterval)
	defer ping.Stop()
	poll := time.NewTicker(c.cfg.Poll)
	defer poll.Stop()
	defer func() {
		// Keep the last ack for Status, even if the context has ended.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		rep.SetCursor(sctx, upCursor, acked)
	}()
	pending := func() {
		n := 0
		for _, f := range inflight {
			n += f.n
		}
		if !drained {
			// Not read yet: count the own log rows' changes, cheaply.
			m, err := rep.CountSince(ctx, sent, rep.Site())
			if err != nil {
				return
			}
			n += m
		}
		c.setPending(n)
	}
	for {
		drained = false
		for len(inflight) < c.cfg.Window {
			entries, scanned, err := rep.ReadLog(ctx, sent, q)
			if err != nil {
				return err
			}
			if len(entries) == 0 {
				sent, drained = max(sent, scanned), true
				break
			}
			for _, b := range syncproto.Batches(entries, sent, entries[len(entries)-1].Seq, upLimit) {
				if err := k.send(b); err != nil {
					return err
				}
				sent = b.Last
				inflight = append(inflight, flight{last: b.Last, n: len(b.Changes)})
			}
			sent = entries[len(entries)-1].Seq
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			return err
		case seq := <-ackOut:
			if err := k.send(&syncproto.Ack{Seq: seq}); err != nil {
				return err
			}
		case seq := <-ackIn:
			for len(inflight) > 0 && inflight[0].last <= seq {
				inflight = inflight[1:]
			}
			acked = seq
			// The hub's ack position is only for Status while offline: it
			// is stored when all is sent, not after every batch.
			if len(inflight) == 0 {
				if err := rep.SetCursor(ctx, upCursor, acked); err != nil {
					return err
				}
				c.trimLog(ctx, acked)
			}
			c.progress(ctx)
			pending()
		case <-ping.C:
			if err := k.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(30*time.Second)); err != nil {
				return fmt.Errorf("ping: %w", err)
			}
		case <-c.kick:
			pending()
		case <-poll.C:
		}
	}
}
