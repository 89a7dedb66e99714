// Package faultproxy is a TCP proxy on 127.0.0.1 that stands in front of a
// target address and degrades the link between a client and that target on
// command: it throttles throughput, adds one-way delay and jitter, cuts
// connections after a number of bytes, or takes the link down altogether.
//
// The fault simulator (internal/fieldsim) puts one in front of every
// station's sync link; benchmarks use it to measure sync over a 2G-like link.
// Every setting can change at runtime with Set, and applies at once to the
// connections already open as well as to new ones.
//
// Each accepted connection is forwarded by two pipes (client→target "up",
// target→client "down"). A pipe reads what its source sends, stamps each
// chunk with the time it may be delivered (read time + Delay + a random
// extra in [0, Jitter), never before the chunk ahead of it, so order is
// kept), and writes it to its destination at that time, paced so that each
// direction of the link carries at most Rate bytes a second (shared by all
// the proxy's connections, as one physical link would be).
//
// Every goroutine the proxy starts belongs to it and has ended when Close
// returns; cancelling the context given to New shuts the proxy down as Close
// does (call Close to wait for it).
package faultproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Link is the state of the simulated link. The zero Link is a perfect one.
type Link struct {
	// Rate is the throughput of each direction in bytes per second, shared
	// by all connections; 0 is unlimited.
	Rate int
	// Delay is the one-way latency added to every byte; Jitter adds a random
	// extra in [0, Jitter) per chunk (order is preserved).
	Delay, Jitter time.Duration
	// CutAfter cuts each connection (a TCP reset to both ends) once this
	// many bytes, both directions together, have crossed it; 0 never cuts.
	CutAfter int64
	// Down refuses new connections (accepted and reset at once) and cuts
	// the open ones.
	Down bool
}

// Stats counts what crossed the proxy since New.
type Stats struct {
	// BytesUp went from clients to the target, BytesDown back.
	BytesUp, BytesDown int64
	// Conns is the number of connections forwarded to the target; Cuts the
	// number of them cut by CutAfter, CutAll or Down.
	Conns, Cuts int
	// Refused is the number of connections reset at once because the link
	// was down or the target could not be reached; Active the connections
	// open now.
	Refused, Active int
}

// Proxy forwards connections from Addr to the target through a simulated
// link. Its methods are safe for concurrent use.
type Proxy struct {
	target string
	ln     net.Listener
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	log    *slog.Logger

	mu    sync.Mutex
	link  Link
	conns map[*proxyConn]struct{}
	stats Stats
	rnd   *rand.Rand
	// up and down pace each direction to link.Rate.
	up, down pacer

	closeOnce sync.Once
	closeErr  error
}

// dialTimeout bounds the connection to the target.
const dialTimeout = 5 * time.Second

// New listens on a free port of 127.0.0.1 and forwards every connection to
// target through a link in state l, until Close or until ctx ends.
func New(ctx context.Context, target string, l Link) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	ictx, cancel := context.WithCancel(ctx)
	p := &Proxy{
		target: target,
		ln:     ln,
		ctx:    ictx,
		cancel: cancel,
		log:    slog.Default().With("faultproxy", ln.Addr().String(), "target", target),
		link:   l,
		conns:  map[*proxyConn]struct{}{},
		rnd:    rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x9e3779b97f4a7c15)),
	}
	p.wg.Add(2)
	go p.watch()
	go p.acceptLoop()
	return p, nil
}

// Addr is the proxy's listening address, host:port on 127.0.0.1.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Target is the address the proxy forwards to.
func (p *Proxy) Target() string { return p.target }

// Link returns the link's current state.
func (p *Proxy) Link() Link {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.link
}

// Set changes the link. It applies at once to open connections too: taking
// the link down cuts them.
func (p *Proxy) Set(l Link) {
	p.mu.Lock()
	p.link = l
	var victims []*proxyConn
	if l.Down {
		victims = p.openConns()
	}
	p.mu.Unlock()
	for _, c := range victims {
		c.kill(true)
	}
}

// CutAll cuts every open connection (a TCP reset to both ends). New
// connections are accepted as the link allows.
func (p *Proxy) CutAll() {
	p.mu.Lock()
	victims := p.openConns()
	p.mu.Unlock()
	for _, c := range victims {
		c.kill(true)
	}
}

// Stats returns the counters.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	s.Active = len(p.conns)
	return s
}

// Close stops listening, cuts every connection and waits for all the
// proxy's goroutines to end. It may be called more than once.
func (p *Proxy) Close() error {
	p.closeOnce.Do(func() {
		p.cancel()
		p.wg.Wait()
		if err := p.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			p.closeErr = fmt.Errorf("faultproxy: close listener: %w", err)
		}
	})
	return p.closeErr
}

// openConns lists the open connections; p.mu must be held.
func (p *Proxy) openConns() []*proxyConn {
	out := make([]*proxyConn, 0, len(p.conns))
	for c := range p.conns {
		out = append(out, c)
	}
	return out
}

// watch tears everything down when the proxy's context ends (Close or the
// caller's context).
func (p *Proxy) watch() {
	defer p.wg.Done()
	<-p.ctx.Done()
	_ = p.ln.Close()
	p.mu.Lock()
	victims := p.openConns()
	p.mu.Unlock()
	for _, c := range victims {
		c.kill(false)
	}
}

func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		cc, err := p.ln.Accept()
		if err != nil {
			if p.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			p.log.Warn("faultproxy: accept", "err", err)
			select {
			case <-p.ctx.Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		p.mu.Lock()
		down := p.link.Down
		if down {
			p.stats.Refused++
		}
		p.mu.Unlock()
		if down {
			reset(cc)
			continue
		}
		p.wg.Add(1)
		go p.serve(cc)
	}
}

// serve dials the target for one accepted client and forwards between them
// until either side ends or the connection is cut.
func (p *Proxy) serve(cc net.Conn) {
	defer p.wg.Done()
	d := net.Dialer{Timeout: dialTimeout}
	sc, err := d.DialContext(p.ctx, "tcp", p.target)
	if err != nil {
		p.mu.Lock()
		p.stats.Refused++
		p.mu.Unlock()
		reset(cc)
		return
	}
	c := &proxyConn{p: p, client: cc, server: sc, done: make(chan struct{})}
	p.mu.Lock()
	if p.ctx.Err() != nil || p.link.Down {
		// Closed or taken down while dialling.
		p.stats.Refused++
		p.mu.Unlock()
		reset(cc)
		reset(sc)
		return
	}
	p.conns[c] = struct{}{}
	p.stats.Conns++
	p.mu.Unlock()

	var pipes sync.WaitGroup
	pipes.Add(2)
	go func() { defer pipes.Done(); c.pipe(cc, sc, true) }()
	go func() { defer pipes.Done(); c.pipe(sc, cc, false) }()
	pipes.Wait()
	c.kill(false)
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// reset closes a connection with a TCP reset rather than an orderly close.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

// proxyConn is one forwarded connection.
type proxyConn struct {
	p              *Proxy
	client, server net.Conn
	// total counts the bytes forwarded both ways, for CutAfter.
	total atomic.Int64
	once  sync.Once
	done  chan struct{}
}

// kill closes both ends once; cut marks it as a fault (reset, counted).
func (c *proxyConn) kill(cut bool) {
	c.once.Do(func() {
		if cut {
			c.p.mu.Lock()
			c.p.stats.Cuts++
			c.p.mu.Unlock()
			reset(c.client)
			reset(c.server)
		} else {
			_ = c.client.Close()
			_ = c.server.Close()
		}
		close(c.done)
	})
}

// chunk is a piece of the stream waiting for its delivery time; a nil data
// with eof set marks the end of the source's stream.
type chunk struct {
	data []byte
	due  time.Time
	eof  bool
}

// queueLen bounds the chunks in flight in one direction of one connection.
const queueLen = 256

// pipe forwards src to dst: a reader goroutine stamps chunks with their
// delivery time, this goroutine delivers them.
func (c *proxyConn) pipe(src, dst net.Conn, up bool) {
	q := make(chan chunk, queueLen)
	var rd sync.WaitGroup
	rd.Add(1)
	go func() {
		defer rd.Done()
		c.read(src, q)
	}()
	defer rd.Wait()
	c.write(dst, q, up)
}

// read reads src into q until EOF, an error or the connection's end.
func (c *proxyConn) read(src net.Conn, q chan<- chunk) {
	var last time.Time
	for {
		buf := make([]byte, chunkSize(c.p.Link().Rate))
		n, err := src.Read(buf)
		l := c.p.Link() // the link as it is when the bytes arrive
		if n > 0 && n < cap(buf)/4 {
			buf = append([]byte(nil), buf[:n]...) // do not hold a large buffer for a few bytes
		}
		if n > 0 {
			due := time.Now().Add(l.Delay)
			if l.Jitter > 0 {
				c.p.mu.Lock()
				due = due.Add(time.Duration(c.p.rnd.Int64N(int64(l.Jitter))))
				c.p.mu.Unlock()
			}
			if due.Before(last) {
				due = last
			}
			last = due
			select {
			case q <- chunk{data: buf[:n], due: due}:
			case <-c.done:
				return
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				select {
				case q <- chunk{eof: true, due: last}:
				case <-c.done:
				}
			} else {
				// A reset or a local close: the whole connection ends.
				c.kill(false)
			}
			return
		}
	}
}

// chunkSize keeps chunks small on slow links, so pacing stays smooth.
func chunkSize(rate int) int {
	const maxChunk = 32 << 10
	if rate <= 0 {
		return maxChunk
	}
	return min(max(rate/50, 256), maxChunk)
}

// write delivers the chunks of q to dst at their time and at the link's
// rate, enforcing CutAfter.
func (c *proxyConn) write(dst net.Conn, q <-chan chunk, up bool) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	wait := func(d time.Duration) bool {
		if d <= 0 {
			return true
		}
		timer.Reset(d)
		select {
		case <-timer.C:
			return true
		case <-c.done:
			return false
		}
	}
	for {
		var ch chunk
		select {
		case ch = <-q:
		case <-c.done:
			return
		}
		if !wait(time.Until(ch.due)) {
			return
		}
		if ch.eof {
			if tc, ok := dst.(*net.TCPConn); ok {
				_ = tc.CloseWrite()
			}
			return
		}
		l := c.p.Link()
		if l.Rate > 0 {
			pc := &c.p.down
			if up {
				pc = &c.p.up
			}
			if !wait(pc.reserve(len(ch.data), l.Rate)) {
				return
			}
		}
		data, cut := ch.data, false
		if l.CutAfter > 0 {
			prev := c.total.Add(int64(len(data))) - int64(len(data))
			if allowed := l.CutAfter - prev; allowed < int64(len(data)) {
				data, cut = data[:max(allowed, 0)], true
			}
		}
		if len(data) > 0 {
			n, err := dst.Write(data)
			c.p.count(up, n)
			if err != nil {
				c.kill(false)
				return
			}
		}
		if cut {
			c.kill(true)
			return
		}
	}
}

func (p *Proxy) count(up bool, n int) {
	p.mu.Lock()
	if up {
		p.stats.BytesUp += int64(n)
	} else {
		p.stats.BytesDown += int64(n)
	}
	p.mu.Unlock()
}

// pacer spaces the writes of one direction of the link so that it carries
// at most rate bytes a second.
type pacer struct {
	mu   sync.Mutex
	next time.Time
}

// reserve books n bytes on the link and returns how long to wait before
// sending them.
func (pc *pacer) reserve(n, rate int) time.Duration {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	now := time.Now()
	if pc.next.Before(now) {
		pc.next = now
	}
	// The bytes are on the wire until next: wait for that, as a sender
	// waits for its modem to clock them out.
	pc.next = pc.next.Add(time.Duration(float64(n) / float64(rate) * float64(time.Second)))
	return pc.next.Sub(now)
}
