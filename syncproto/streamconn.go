package syncproto

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// A stream conn frames messages on a byte stream (net.Pipe in tests), the
// way a WebSocket does on the wire: each frame is a 4-byte big-endian header
// and, for a message, its bytes. A header with the top bit clear is the
// length of the message that follows (1 … the codec's MaxFrame); the top bit
// set marks a keep-alive: streamPing, answered by streamPong.
const (
	streamControl = 1 << 31
	streamPing    = streamControl | 1
	streamPong    = streamControl | 2
)

// streamConn is a Conn over a net.Conn.
type streamConn struct {
	nc    net.Conn
	r     *bufio.Reader
	codec *Codec
	opt   ConnOptions
	max   int
	// sendMax is the peer's largest frame (LimitSend; 0: the codec's).
	sendMax int

	keepAlive atomic.Int64 // time.Duration; 0: keep-alives do not move the read deadline

	wmu  sync.Mutex // one frame at a time: Send, Ping, and the reader's pongs
	wbuf []byte
}

// NewStreamConn returns a Conn that frames messages on nc with a length
// prefix, for tests that wire two peers with net.Pipe.
func NewStreamConn(nc net.Conn, codec *Codec, opt ConnOptions) Conn {
	return &streamConn{nc: nc, r: bufio.NewReader(nc), codec: codec, opt: opt.withDefaults(), max: codec.maxFrame()}
}

func (c *streamConn) Send(m Message) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	frame, err := encodeFrame(c.codec, append(c.wbuf[:0], 0, 0, 0, 0), m, c.sendMax)
	if err != nil {
		return err
	}
	binary.BigEndian.PutUint32(frame, uint32(len(frame)-4))
	if err := c.write(frame); err != nil {
		return fmt.Errorf("write %v: %w", m.Type(), err)
	}
	if c.opt.Sent != nil {
		c.opt.Sent(len(frame) - 4)
	}
	if cap(frame) <= 64<<10 {
		c.wbuf = frame // small buffers are kept; a large one would stay with an idle session
	}
	return nil
}

// write writes b with the write timeout; c.wmu is held.
func (c *streamConn) write(b []byte) error {
	c.nc.SetWriteDeadline(time.Now().Add(c.opt.WriteTimeout))
	_, err := c.nc.Write(b)
	return err
}

func (c *streamConn) control(h uint32) error {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], h)
	return c.write(b[:])
}

func (c *streamConn) Receive() (Message, error) {
	for {
		h, frame, err := readStreamFrame(c.r, c.max)
		if err != nil {
			return nil, err
		}
		switch h {
		case streamPing:
			c.extend()
			// Answered only when no frame is being written: that frame
			// tells the peer as well that this side is alive, and a reader
			// that waited for the writer could deadlock two peers.
			if c.wmu.TryLock() {
				err := c.control(streamPong)
				c.wmu.Unlock()
				if err != nil {
					return nil, fmt.Errorf("pong: %w", err)
				}
			}
			continue
		case streamPong:
			c.extend()
			continue
		}
		if c.opt.Received != nil {
			c.opt.Received(len(frame))
		}
		if c.opt.Admit != nil {
			if err := c.opt.Admit(frame); err != nil {
				return nil, err
			}
		}
		return decodeFrame(c.codec, frame)
	}
}

func (c *streamConn) ReceiveHello() (*Hello, error) {
	for {
		h, frame, err := readStreamFrame(c.r, MaxHelloFrame)
		if err != nil {
			return nil, err
		}
		if h == streamPing || h == streamPong {
			continue
		}
		return helloOnly(c.codec, frame)
	}
}

func (c *streamConn) extend() {
	if d := time.Duration(c.keepAlive.Load()); d > 0 {
		c.nc.SetReadDeadline(time.Now().Add(d))
	}
}

// readStreamFrame reads one frame of at most max bytes: its header, and the
// message for a length header (a keep-alive has none). A frame breaking the
// format is refused with a *Error before anything is allocated for it.
func readStreamFrame(r io.Reader, max int) (header uint32, frame []byte, err error) {
	var b [4]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, nil, fmt.Errorf("read: %w", err)
	}
	h := binary.BigEndian.Uint32(b[:])
	switch {
	case h == streamPing || h == streamPong:
		return h, nil, nil
	case h&streamControl != 0:
		return 0, nil, NewError(ErrCodeBadMessage, "unknown stream control %#x", h)
	case h == 0:
		return 0, nil, NewError(ErrCodeBadMessage, "empty frame")
	case int64(h) > int64(max):
		return 0, nil, NewError(ErrCodeTooLarge, "frame exceeds %d bytes", max)
	}
	frame = make([]byte, h)
	if _, err := io.ReadFull(r, frame); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, fmt.Errorf("read: %w", err)
	}
	return h, frame, nil
}

func (c *streamConn) SetReadDeadline(t time.Time) error { return c.nc.SetReadDeadline(t) }

func (c *streamConn) KeepAlive(d time.Duration) { c.keepAlive.Store(int64(max(d, 0))) }

func (c *streamConn) Ping() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.control(streamPing); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

func (c *streamConn) Close() error { return c.nc.Close() }

// LimitSend implements SendLimiter.
func (c *streamConn) LimitSend(n int) { c.sendMax = n }
