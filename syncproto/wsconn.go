package syncproto

import (
	"errors"
	"fmt"
	"time"

	"github.com/gorilla/websocket"
)

// wsConn is a Conn over a WebSocket: one binary frame per message, as
// PROTOCOL.md specifies.
type wsConn struct {
	ws    *websocket.Conn
	codec *Codec
	opt   ConnOptions
	max   int
	// sendMax is the peer's largest frame (LimitSend; 0: the codec's).
	sendMax int
}

// NewWebSocketConn returns a Conn over ws, whose read limit it sets to the
// codec's largest frame. A text frame, or one over the limit, is refused
// with a *Error.
func NewWebSocketConn(ws *websocket.Conn, codec *Codec, opt ConnOptions) Conn {
	c := &wsConn{ws: ws, codec: codec, opt: opt.withDefaults(), max: codec.maxFrame()}
	ws.SetReadLimit(int64(c.max))
	return c
}

func (c *wsConn) Send(m Message) error {
	return c.sendWithin(m, c.opt.WriteTimeout)
}

func (c *wsConn) sendWithin(m Message, d time.Duration) error {
	frame, err := encodeFrame(c.codec, nil, m, c.sendMax)
	if err != nil {
		return err
	}
	c.ws.SetWriteDeadline(time.Now().Add(d))
	if err := c.ws.WriteMessage(websocket.BinaryMessage, frame); err != nil {
		return fmt.Errorf("write %v: %w", m.Type(), err)
	}
	if c.opt.Sent != nil {
		c.opt.Sent(len(frame))
	}
	return nil
}

func (c *wsConn) Receive() (Message, error) {
	mt, data, err := c.ws.ReadMessage()
	if err != nil {
		if errors.Is(err, websocket.ErrReadLimit) {
			return nil, NewError(ErrCodeTooLarge, "frame exceeds %d bytes", c.max)
		}
		return nil, fmt.Errorf("read: %w", err)
	}
	if c.opt.Received != nil {
		c.opt.Received(len(data))
	}
	if mt != websocket.BinaryMessage {
		return nil, NewError(ErrCodeBadMessage, "text frame: want binary frames")
	}
	if c.opt.Admit != nil {
		if err := c.opt.Admit(data); err != nil {
			return nil, err
		}
	}
	return decodeFrame(c.codec, data)
}

func (c *wsConn) ReceiveHello() (*Hello, error) {
	c.ws.SetReadLimit(MaxHelloFrame)
	defer c.ws.SetReadLimit(int64(c.max))
	mt, data, err := c.ws.ReadMessage()
	if err != nil {
		if errors.Is(err, websocket.ErrReadLimit) {
			return nil, NewError(ErrCodeTooLarge, "first frame exceeds %d bytes: want Hello", MaxHelloFrame)
		}
		return nil, fmt.Errorf("read: %w", err)
	}
	if mt != websocket.BinaryMessage {
		return nil, NewError(ErrCodeBadMessage, "text frame: want binary frames")
	}
	return helloOnly(c.codec, data)
}

func (c *wsConn) SetReadDeadline(t time.Time) error { return c.ws.SetReadDeadline(t) }

func (c *wsConn) KeepAlive(d time.Duration) {
	if d <= 0 {
		c.ws.SetPingHandler(nil)
		c.ws.SetPongHandler(nil)
		return
	}
	extend := func() { c.ws.SetReadDeadline(time.Now().Add(d)) }
	c.ws.SetPingHandler(func(data string) error {
		extend()
		err := c.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(10*time.Second))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		return err
	})
	c.ws.SetPongHandler(func(string) error { extend(); return nil })
}

func (c *wsConn) Ping() error {
	if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(30*time.Second)); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

func (c *wsConn) Close() error { return c.ws.Close() }

// Refuse sends e, giving a peer that does not read a few seconds only, then
// a close frame, and closes the WebSocket.
func (c *wsConn) Refuse(e *Error) error {
	err := c.sendWithin(e, 5*time.Second)
	if err == nil {
		c.ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.ClosePolicyViolation, ""), time.Now().Add(time.Second))
	}
	c.ws.Close()
	return err
}

// LimitSend implements SendLimiter.
func (c *wsConn) LimitSend(n int) { c.sendMax = n }
