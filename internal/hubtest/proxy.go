package hubtest

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// Proxy forwards TCP connections to target; the first connection is cut
// after cutAfter bytes (both directions together), the later ones pass.
type Proxy struct {
	ln       net.Listener
	target   string
	cutAfter int64
	Bytes    atomic.Int64 // payload bytes, both directions, all connections
	Conns    atomic.Int32
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    []net.Conn
}

// NewProxy listens on 127.0.0.1 and forwards to target until the test ends.
func NewProxy(t testing.TB, target string, cutAfter int64) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target, cutAfter: cutAfter}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

// Addr is where the proxy listens.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		u, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, u)
		p.mu.Unlock()
		limit := int64(-1)
		if p.Conns.Add(1) == 1 {
			limit = p.cutAfter
		}
		var used atomic.Int64
		pipe := func(dst, src net.Conn) {
			defer p.wg.Done()
			defer dst.Close()
			defer src.Close()
			buf := make([]byte, 4096)
			for {
				n, err := src.Read(buf)
				if n > 0 {
					if limit >= 0 {
						left := limit - used.Add(int64(n)) + int64(n)
						if left <= 0 {
							return
						}
						if int64(n) > left {
							dst.Write(buf[:left])
							p.Bytes.Add(left)
							return
						}
					}
					if _, err := dst.Write(buf[:n]); err != nil {
						return
					}
					p.Bytes.Add(int64(n))
				}
				if err != nil {
					return
				}
			}
		}
		p.wg.Add(2)
		go pipe(u, c)
		go pipe(c, u)
	}
}

// Close stops the proxy, cuts its connections and waits for its goroutines.
func (p *Proxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
