package syncproto

import (
	"errors"
	"fmt"
	"time"
)

// Conn carries whole protocol messages between two peers: a WebSocket in
// production (NewWebSocketConn), a plain stream in tests (NewStreamConn over
// net.Pipe). Receive and Send may run at the same time, on two goroutines;
// each of them, and Ping, must not run concurrently with itself. Close may be
// called at any time and makes pending calls fail.
type Conn interface {
	// Send writes one message, failing after the conn's write timeout.
	Send(m Message) error
	// Receive reads the next message. A frame that breaks the protocol (one
	// too large, not decodable, a text frame) fails with a *Error saying why;
	// an Error message from the peer is returned as a message.
	Receive() (Message, error)
	// ReceiveHello reads the first frame of a session at the hub, before
	// the station has authenticated: at most MaxHelloFrame bytes, and only a
	// Hello, decoded; any other type is refused with a *Error without being
	// decoded (nothing is decompressed before authentication).
	ReceiveHello() (*Hello, error)
	// SetReadDeadline bounds the pending and following Receive calls (zero:
	// no bound).
	SetReadDeadline(t time.Time) error
	// KeepAlive makes keep-alive traffic from the peer (its pings, the
	// answers to ours) push the read deadline to d from then; 0 stops it.
	// Call it before Receive runs on another goroutine.
	KeepAlive(d time.Duration)
	// Ping sends a keep-alive that the peer's conn answers by itself.
	Ping() error
	// Close closes the connection.
	Close() error
}

// Refuser is implemented by a Conn that ends a session with an Error in its
// own way (the WebSocket conn adds a close frame). Without it, Send the Error
// and Close.
type Refuser interface {
	Refuse(e *Error) error
}

// Refuse tells the peer why the session ends and closes c.
func Refuse(c Conn, e *Error) error {
	if r, ok := c.(Refuser); ok {
		return r.Refuse(e)
	}
	err := c.Send(e)
	c.Close()
	return err
}

// ConnOptions configure a Conn. Zero fields take the defaults.
type ConnOptions struct {
	// WriteTimeout bounds the write of one frame (default 2 minutes: a 2G
	// link).
	WriteTimeout time.Duration
	// Sent and Received, if set, are told the size of every frame written
	// and read (a session's traffic counters). Received is called from the
	// goroutine that Receives.
	Sent, Received func(frameBytes int)
	// Admit, if set, is called by Receive with each frame read, before it
	// is decoded, on the goroutine that Receives; an error fails the
	// Receive. The hub charges the frame's DecodeCost to its memory budget
	// there, waiting while the budget is spent.
	Admit func(frame []byte) error
}

// DefaultWriteTimeout is ConnOptions.WriteTimeout when it is zero.
const DefaultWriteTimeout = 2 * time.Minute

func (o ConnOptions) withDefaults() ConnOptions {
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	return o
}

// maxFrame is the largest frame c decodes.
func (c *Codec) maxFrame() int {
	return c.Limits.withDefaults().MaxFrame
}

// PeerError is returned when the peer ended the session with an Error
// message. errors.As finds the message in it; it is not this side's refusal,
// so it is not sent back.
type PeerError struct {
	Err *Error
}

// Error reports the peer's Error message.
func (e *PeerError) Error() string { return e.Err.Error() }

// Unwrap returns the peer's Error message.
func (e *PeerError) Unwrap() error { return e.Err }

// IsPeerError reports whether err is, or wraps, an Error message the peer
// sent (and not one this side made).
func IsPeerError(err error) bool {
	var pe *PeerError
	return errors.As(err, &pe)
}

// decodeFrame decodes a received frame, turning a decoding failure into the
// Error that refuses it.
func decodeFrame(c *Codec, frame []byte) (Message, error) {
	m, err := c.Decode(frame)
	if err != nil {
		return nil, NewError(CodeOf(err), "%v", err)
	}
	return m, nil
}

func encodeFrame(c *Codec, dst []byte, m Message, sendMax int) ([]byte, error) {
	start := len(dst)
	frame, err := c.Encode(dst, m)
	if err != nil {
		return nil, fmt.Errorf("encode %v: %w", m.Type(), err)
	}
	if n := len(frame) - start; sendMax > 0 && n > sendMax {
		return nil, fmt.Errorf("encode %v: %w: frame of %d bytes exceeds the peer's %d", m.Type(), ErrTooLarge, n, sendMax)
	}
	return frame, nil
}

// SendLimiter is a Conn that can be told the largest frame the peer takes
// (the Hello's max batch, at the hub): Send then refuses a larger frame
// with ErrTooLarge before writing anything, as for its own codec's limit,
// and the Window sends such a batch in parts. Call it before the Window
// runs.
type SendLimiter interface {
	LimitSend(n int)
}

// MaxHelloFrame is the largest first frame a hub reads: the largest Hello
// (a 64-byte station id, a 256-byte token, every varint at its longest) is
// 375 bytes.
const MaxHelloFrame = 1 << 10

// helloOnly decodes a first frame if it is a Hello.
func helloOnly(c *Codec, frame []byte) (*Hello, error) {
	if len(frame) == 0 || MsgType(frame[0]) != TypeHello {
		t := MsgType(0)
		if len(frame) > 0 {
			t = MsgType(frame[0])
		}
		return nil, NewError(ErrCodeBadMessage, "first frame is %v: want Hello", t)
	}
	m, err := decodeFrame(c, frame)
	if err != nil {
		return nil, err
	}
	return m.(*Hello), nil
}
