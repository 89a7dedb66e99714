package faultproxy

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// target is a TCP server on 127.0.0.1: in echo mode it sends back what it
// reads; otherwise it counts what it reads (a sink).
type target struct {
	ln   net.Listener
	echo bool
	wg   sync.WaitGroup

	mu    sync.Mutex
	got   int64
	conns []net.Conn
}

func newTarget(t *testing.T, echo bool) *target {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tg := &target{ln: ln, echo: echo}
	tg.wg.Add(1)
	go func() {
		defer tg.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			tg.mu.Lock()
			tg.conns = append(tg.conns, c)
			tg.mu.Unlock()
			tg.wg.Add(1)
			go func() {
				defer tg.wg.Done()
				defer c.Close()
				if tg.echo {
					_, _ = io.Copy(c, c)
					return
				}
				buf := make([]byte, 32<<10)
				for {
					n, err := c.Read(buf)
					tg.mu.Lock()
					tg.got += int64(n)
					tg.mu.Unlock()
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		tg.mu.Lock()
		for _, c := range tg.conns {
			_ = c.Close()
		}
		tg.mu.Unlock()
		tg.wg.Wait()
	})
	return tg
}

func (tg *target) received() int64 {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.got
}

func newProxy(t *testing.T, target string, l Link) *Proxy {
	t.Helper()
	p, err := New(context.Background(), target, l)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	return p
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func randBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// echoRoundTrip writes msg and reads back as many bytes.
func echoRoundTrip(t *testing.T, c net.Conn, msg []byte) []byte {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		_, err := c.Write(msg)
		errc <- err
	}()
	back := make([]byte, len(msg))
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.ReadFull(c, back); err != nil {
		t.Fatalf("read back: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("write: %v", err)
	}
	return back
}

func TestPassThrough(t *testing.T) {
	tg := newTarget(t, true)
	p := newProxy(t, tg.ln.Addr().String(), Link{})
	c := dial(t, p.Addr())
	msg := randBytes(t, 1<<20)
	if back := echoRoundTrip(t, c, msg); !bytes.Equal(back, msg) {
		t.Fatal("echo through the proxy changed the bytes")
	}
	waitFor(t, func() bool { st := p.Stats(); return st.BytesUp+st.BytesDown == 2<<20 })
	st := p.Stats()
	if st.BytesUp != 1<<20 || st.BytesDown != 1<<20 || st.Conns != 1 || st.Cuts != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestRate(t *testing.T) {
	tg := newTarget(t, false)
	const rate, size = 100_000, 150_000 // 1.5 s
	p := newProxy(t, tg.ln.Addr().String(), Link{Rate: rate})
	c := dial(t, p.Addr())
	start := time.Now()
	if _, err := c.Write(randBytes(t, size)); err != nil {
		t.Fatal(err)
	}
	for tg.received() < size {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("only %d of %d bytes after 10 s", tg.received(), size)
		}
		time.Sleep(5 * time.Millisecond)
	}
	got := time.Since(start)
	want := time.Duration(float64(size) / rate * float64(time.Second))
	// Faster than the rate means the throttle is broken; slower is allowed
	// up to 3x, for a loaded machine (CI shares its cores).
	if got < want*85/100 || got > want*3 {
		t.Fatalf("%d bytes at %d B/s took %v, want %v (-15%%, +200%%)", size, rate, got, want)
	}
	t.Logf("%d bytes at %d B/s: %v (ideal %v)", size, rate, got, want)
}

func TestRateSharedByConnections(t *testing.T) {
	tg := newTarget(t, false)
	const rate, each = 100_000, 50_000 // two connections, 1 s together
	p := newProxy(t, tg.ln.Addr().String(), Link{Rate: rate})
	start := time.Now()
	for range 2 {
		c := dial(t, p.Addr())
		if _, err := c.Write(randBytes(t, each)); err != nil {
			t.Fatal(err)
		}
	}
	for tg.received() < 2*each {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("only %d bytes after 10 s", tg.received())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := time.Since(start); got < 850*time.Millisecond {
		t.Fatalf("two connections carried %d bytes in %v: the rate is not shared", 2*each, got)
	}
}

func TestDelay(t *testing.T) {
	tg := newTarget(t, true)
	const delay = 150 * time.Millisecond
	p := newProxy(t, tg.ln.Addr().String(), Link{Delay: delay, Jitter: 20 * time.Millisecond})
	c := dial(t, p.Addr())
	for range 3 {
		start := time.Now()
		echoRoundTrip(t, c, []byte("ping"))
		rtt := time.Since(start)
		// At least the delay each way; the upper bound is loose for a
		// loaded machine (CI shares its cores).
		if rtt < 2*delay || rtt > 2*delay+2*time.Second {
			t.Fatalf("round trip %v with a one-way delay of %v", rtt, delay)
		}
	}
	// Changing the delay applies to the open connection.
	p.Set(Link{})
	start := time.Now()
	echoRoundTrip(t, c, []byte("ping"))
	if rtt := time.Since(start); rtt >= 2*delay {
		t.Fatalf("round trip %v after removing the delay", rtt)
	}
}

func TestDelayKeepsOrder(t *testing.T) {
	tg := newTarget(t, true)
	p := newProxy(t, tg.ln.Addr().String(), Link{Delay: 5 * time.Millisecond, Jitter: 30 * time.Millisecond, Rate: 200_000})
	c := dial(t, p.Addr())
	msg := randBytes(t, 100_000)
	if back := echoRoundTrip(t, c, msg); !bytes.Equal(back, msg) {
		t.Fatal("jitter reordered or changed the bytes")
	}
}

func TestCutAfter(t *testing.T) {
	tg := newTarget(t, false)
	const limit = 1000
	p := newProxy(t, tg.ln.Addr().String(), Link{CutAfter: limit})
	c := dial(t, p.Addr())
	_, _ = c.Write(randBytes(t, 5000))
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("read succeeded on a connection that should be cut")
	} else if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		t.Fatal("the connection was not cut")
	}
	waitFor(t, func() bool { return p.Stats().Cuts == 1 })
	time.Sleep(50 * time.Millisecond)
	if got := tg.received(); got != limit {
		t.Fatalf("target received %d bytes, want exactly %d", got, limit)
	}
	// The next connection gets its own allowance.
	c2 := dial(t, p.Addr())
	if _, err := c2.Write(randBytes(t, 500)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return tg.received() == limit+500 })
	if st := p.Stats(); st.Conns != 2 || st.Cuts != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestCutAfterCountsBothWays(t *testing.T) {
	tg := newTarget(t, true)
	p := newProxy(t, tg.ln.Addr().String(), Link{CutAfter: 150})
	c := dial(t, p.Addr())
	echoRoundTrip(t, c, make([]byte, 70)) // 140 bytes
	if _, err := c.Write(make([]byte, 70)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _ := io.ReadFull(c, make([]byte, 70))
	if n != 0 {
		t.Fatalf("read %d bytes past the cut", n)
	}
	// A pipe counts its bytes just after writing them: wait for the count.
	waitFor(t, func() bool { st := p.Stats(); return st.Cuts == 1 && st.BytesUp+st.BytesDown == 150 })
	time.Sleep(20 * time.Millisecond)
	if st := p.Stats(); st.BytesUp+st.BytesDown != 150 {
		t.Fatalf("%d bytes crossed, want 150: %+v", st.BytesUp+st.BytesDown, st)
	}
}

func TestDownAndUp(t *testing.T) {
	tg := newTarget(t, true)
	p := newProxy(t, tg.ln.Addr().String(), Link{})
	c := dial(t, p.Addr())
	echoRoundTrip(t, c, []byte("hello"))

	p.Set(Link{Down: true})
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Fatalf("open connection survived the link going down: %v", err)
	}
	// New connections are refused while down: reset as soon as accepted,
	// which the dial itself may already see.
	if c2, err := net.DialTimeout("tcp", p.Addr(), 5*time.Second); err == nil {
		defer c2.Close()
		_ = c2.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, _ = c2.Write([]byte("x"))
		if _, err := c2.Read(make([]byte, 1)); err == nil || isTimeout(err) {
			t.Fatalf("connection through a down link: %v", err)
		}
	} else if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial through a down link: %v, want a reset", err)
	}
	waitFor(t, func() bool { return p.Stats().Refused >= 1 })

	p.Set(Link{})
	c3 := dial(t, p.Addr())
	if back := echoRoundTrip(t, c3, []byte("again")); string(back) != "again" {
		t.Fatalf("got %q", back)
	}
}

func TestCutAll(t *testing.T) {
	tg := newTarget(t, true)
	p := newProxy(t, tg.ln.Addr().String(), Link{})
	var cs []net.Conn
	for range 3 {
		c := dial(t, p.Addr())
		echoRoundTrip(t, c, []byte("x"))
		cs = append(cs, c)
	}
	p.CutAll()
	for _, c := range cs {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err == nil || isTimeout(err) {
			t.Fatalf("connection survived CutAll: %v", err)
		}
	}
	waitFor(t, func() bool { st := p.Stats(); return st.Cuts == 3 && st.Active == 0 })
	c := dial(t, p.Addr())
	echoRoundTrip(t, c, []byte("still up"))
}

func TestUnreachableTarget(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	p := newProxy(t, addr, Link{})
	c, err := net.DialTimeout("tcp", p.Addr(), 5*time.Second)
	if err != nil {
		// Reset before the handshake completed: refused as well.
		waitFor(t, func() bool { return p.Stats().Refused == 1 })
		return
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Fatalf("read through a proxy to nothing: %v", err)
	}
	waitFor(t, func() bool { return p.Stats().Refused == 1 })
}

func TestNoGoroutineLeak(t *testing.T) {
	tg := newTarget(t, true)
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, stop := range []string{"close", "context"} {
		pctx, pcancel := context.WithCancel(ctx)
		p, err := New(pctx, tg.ln.Addr().String(), Link{Delay: 20 * time.Millisecond, Rate: 1_000_000})
		if err != nil {
			t.Fatal(err)
		}
		var cs []net.Conn
		for range 5 {
			c, err := net.Dial("tcp", p.Addr())
			if err != nil {
				t.Fatal(err)
			}
			echoRoundTrip(t, c, []byte("hello"))
			// Leave data in flight.
			_, _ = c.Write(make([]byte, 10_000))
			cs = append(cs, c)
		}
		if stop == "context" {
			pcancel()
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		pcancel()
		for _, c := range cs {
			_ = c.Close()
		}
		if _, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
			t.Fatalf("%s: proxy still listening", stop)
		}
	}
	// The target's own goroutines end as the proxy's connections close.
	deadline := time.Now().Add(5 * time.Second)
	for {
		after := runtime.NumGoroutine()
		if after <= before {
			break
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines before, %d after closing:\n%s", before, after, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
