package syncproto_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fieldsync/syncproto"
	"fieldsync/syncproto/internal/sampledata"
)

// A transport wires two peers' Conns: net.Pipe with length-prefixed frames,
// or a real WebSocket on 127.0.0.1 (window_ws_test.go).
type transport func(t *testing.T, c *syncproto.Codec, opt syncproto.ConnOptions) (a, b syncproto.Conn)

func pipeConns(t *testing.T, c *syncproto.Codec, opt syncproto.ConnOptions) (syncproto.Conn, syncproto.Conn) {
	x, y := net.Pipe()
	t.Cleanup(func() { x.Close(); y.Close() })
	return syncproto.NewStreamConn(x, c, opt), syncproto.NewStreamConn(y, c, opt)
}

func testCodec(t testing.TB) *syncproto.Codec {
	c, err := syncproto.NewCodec(testSchema(t), testKey, syncproto.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// waitFor polls cond until it holds, failing the test after 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// noLeak checks, once the test and its other cleanups are done, that every
// goroutine started since has ended.
func noLeak(t *testing.T) {
	base := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(10 * time.Second)
		for runtime.NumGoroutine() > base {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				t.Fatalf("%d goroutines left, %d before:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
			}
			time.Sleep(time.Millisecond)
		}
	})
}

// logBatches returns n batches covering sequences after `after`, ten each;
// with workers, each carries that many real changes.
func logBatches(t testing.TB, n int, after uint64, workers int) []*syncproto.Batch {
	out := make([]*syncproto.Batch, n)
	for i := range out {
		b := &syncproto.Batch{First: after + uint64(i)*10 + 1, Last: after + uint64(i+1)*10}
		if workers > 0 {
			b.Changes = sampledata.Workers(workers, int64(i), testKey)
		}
		out[i] = b
	}
	return out
}

// logSource sends fixed batches, per at a time, and records what the window
// told it.
type logSource struct {
	mu          sync.Mutex
	batches     []*syncproto.Batch
	next        int
	per         int
	wake        chan struct{}
	acks        []uint64 // every Acked seq
	done        int      // batches acknowledged
	sent        int      // batches returned by Next
	maxInFlight int      // most batches in flight at once
	notes       []any    // notes handed back
}

func newSource(bs []*syncproto.Batch) *logSource {
	return &logSource{batches: bs, per: 1, wake: make(chan struct{}, 1)}
}

func (s *logSource) Next(_ context.Context, inFlight int) ([]*syncproto.Batch, any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if inFlight != s.sent-s.done {
		return nil, nil, fmt.Errorf("Next told %d in flight, %d are", inFlight, s.sent-s.done)
	}
	n := min(s.per, len(s.batches)-s.next)
	bs := s.batches[s.next : s.next+n]
	s.next += n
	s.sent += n
	s.maxInFlight = max(s.maxInFlight, s.sent-s.done)
	var note any
	if n > 0 {
		note = bs[n-1].Last
	}
	return bs, note, nil
}

func (s *logSource) Acked(_ context.Context, seq uint64, done []syncproto.Flight, inFlight int) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acks = append(s.acks, seq)
	s.done += len(done)
	for _, f := range done {
		if f.Last > seq {
			return false, fmt.Errorf("flight %d settled by ack %d", f.Last, seq)
		}
		if f.Note != nil {
			s.notes = append(s.notes, f.Note)
		}
	}
	if inFlight != s.sent-s.done {
		return false, fmt.Errorf("Acked told %d in flight, %d are", inFlight, s.sent-s.done)
	}
	return false, nil
}

func (s *logSource) Wake() <-chan struct{} { return s.wake }

// add appends batches and wakes the window, as a commit at the hub does.
func (s *logSource) add(bs ...*syncproto.Batch) {
	s.mu.Lock()
	s.batches = append(s.batches, bs...)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *logSource) state() (sent, done int, acks []uint64, maxInFlight int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent, s.done, append([]uint64(nil), s.acks...), s.maxInFlight
}

// logReceiver commits batches in memory; with a gate, each Commit waits for
// a token.
type logReceiver struct {
	entered atomic.Int32 // Commit calls begun
	mu      sync.Mutex
	gate    chan struct{}
	groups  []int // batches per Commit
	n       int   // batches committed
	last    uint64
	check   func(*syncproto.Batch) error
}

func (r *logReceiver) Commit(ctx context.Context, group []*syncproto.Batch) (uint64, error) {
	r.entered.Add(1)
	if r.gate != nil {
		select {
		case <-r.gate:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range group {
		if b.First <= r.last && b.First != 0 {
			return 0, fmt.Errorf("batch %d..%d after %d: out of order", b.First, b.Last, r.last)
		}
		r.last = b.Last
	}
	r.groups = append(r.groups, len(group))
	r.n += len(group)
	return r.last, nil
}

func (r *logReceiver) committed() (n int, last uint64, groups []int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n, r.last, append([]int(nil), r.groups...)
}

// checkingReceiver is a logReceiver that is also a Checker.
type checkingReceiver struct{ *logReceiver }

func (r checkingReceiver) Check(b *syncproto.Batch) error { return r.check(b) }

// runWindow runs w on its own goroutine; the returned channel gets Run's
// result.
func runWindow(ctx context.Context, w *syncproto.Window) <-chan error {
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	return done
}

func result(t *testing.T, what string, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: Run did not return", what)
		return nil
	}
}

var transports = []struct {
	name string
	wire transport
}{
	{"pipe", pipeConns},
	{"websocket", wsConns},
}

// eachTransport runs f over net.Pipe, then over a real WebSocket.
func eachTransport(t *testing.T, f func(t *testing.T, wire transport)) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) { f(t, tr.wire) })
	}
}

// TestWindowLimit: with the receiver stalled, the sender stops at Size
// batches in flight; released, everything arrives, in order, and the window
// never held more than Size.
func TestWindowLimit(t *testing.T) {
	eachTransport(t, func(t *testing.T, wire transport) {
		for _, tc := range []struct{ size, per, batches int }{
			{1, 1, 10},
			{3, 1, 20},
			{8, 1, 40},
			{3, 2, 20}, // a Next of two batches may pass Size by one
		} {
			t.Run(fmt.Sprintf("size%d_per%d", tc.size, tc.per), func(t *testing.T) {
				noLeak(t)
				ctx, cancel := context.WithCancel(t.Context())
				a, b := wire(t, testCodec(t), syncproto.ConnOptions{})
				src := newSource(logBatches(t, tc.batches, 100, 2))
				src.per = tc.per
				recv := &logReceiver{gate: make(chan struct{})}
				sender := runWindow(ctx, syncproto.NewWindow(a, src, &logReceiver{}, syncproto.WindowConfig{Resume: 100, Size: tc.size}))
				receiver := runWindow(ctx, syncproto.NewWindow(b, newSource(nil), recv, syncproto.WindowConfig{Queue: 16}))

				limit := tc.size + tc.per - 1
				waitFor(t, "a full window", func() bool { sent, _, _, _ := src.state(); return sent >= tc.size })
				if sent, _, _, _ := src.state(); sent > limit {
					t.Fatalf("sent %d batches with no ack, window %d", sent, tc.size)
				}
				close(recv.gate)
				waitFor(t, "every batch committed", func() bool { n, _, _ := recv.committed(); return n == tc.batches })
				waitFor(t, "every ack", func() bool { _, done, _, _ := src.state(); return done == tc.batches })
				_, _, acks, most := src.state()
				if most > limit || most < tc.size {
					t.Errorf("at most %d batches in flight, want %d … %d", most, tc.size, limit)
				}
				if last := acks[len(acks)-1]; last != 100+uint64(tc.batches)*10 {
					t.Errorf("last ack %d", last)
				}
				cancel()
				for _, w := range []<-chan error{sender, receiver} {
					if err := result(t, "end", w); !errors.Is(err, context.Canceled) {
						t.Errorf("Run = %v, want context.Canceled", err)
					}
				}
			})
		}
	})
}

// TestWindowGroupAck: batches that wait while one commits go to one Commit
// (at most GroupBatches), with one cumulative ack that settles all their
// flights.
func TestWindowGroupAck(t *testing.T) {
	eachTransport(t, func(t *testing.T, wire transport) {
		noLeak(t)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		a, b := wire(t, testCodec(t), syncproto.ConnOptions{})
		all := logBatches(t, 9, 0, 0)
		src := newSource(all[:1])
		var received atomic.Int32
		recv := &logReceiver{gate: make(chan struct{})}
		sender := runWindow(ctx, syncproto.NewWindow(a, src, &logReceiver{}, syncproto.WindowConfig{Size: 9}))
		b = countReceived(b, &received)
		receiver := runWindow(ctx, syncproto.NewWindow(b, newSource(nil), recv, syncproto.WindowConfig{GroupBatches: 4, Queue: 8}))

		// The first commit holds while the other eight arrive.
		waitFor(t, "the first commit", func() bool { return recv.entered.Load() == 1 })
		src.add(all[1:]...)
		waitFor(t, "nine batches received", func() bool { return received.Load() == 9 })
		close(recv.gate)
		waitFor(t, "every ack", func() bool { _, done, _, _ := src.state(); return done == 9 })
		_, _, groups := recv.committed()
		most := 0
		for _, n := range groups {
			most = max(most, n)
		}
		if groups[0] != 1 || most < 2 || most > 4 {
			t.Errorf("commits of %v batches, want 1 then groups of 2 … 4", groups)
		}
		_, _, acks, _ := src.state()
		if len(acks) > len(groups) {
			t.Errorf("%d acks for %d commits", len(acks), len(groups))
		}
		for i := 1; i < len(acks); i++ {
			if acks[i] < acks[i-1] {
				t.Errorf("acks %v go back", acks)
			}
		}
		if acks[len(acks)-1] != 90 {
			t.Errorf("last ack %d, want 90", acks[len(acks)-1])
		}
		src.mu.Lock()
		notes := len(src.notes)
		src.mu.Unlock()
		if notes != 9 {
			t.Errorf("%d notes handed back, want 9", notes)
		}
		cancel()
		result(t, "sender", sender)
		result(t, "receiver", receiver)
	})
}

// countReceived counts the messages c receives.
func countReceived(c syncproto.Conn, n *atomic.Int32) syncproto.Conn {
	return &countingConn{Conn: c, n: n}
}

type countingConn struct {
	syncproto.Conn
	n *atomic.Int32
}

func (c *countingConn) Receive() (syncproto.Message, error) {
	m, err := c.Conn.Receive()
	if err == nil {
		c.n.Add(1)
	}
	return m, err
}

// TestWindowBothWays: both peers send at once through small windows and a
// short queue, the batches carrying real changes, without deadlock: a
// committer never waits for its writer.
func TestWindowBothWays(t *testing.T) {
	eachTransport(t, func(t *testing.T, wire transport) {
		noLeak(t)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		a, b := wire(t, testCodec(t), syncproto.ConnOptions{})
		// a sends its log from 0, b its own from 1000; recvA is what a
		// receives.
		srcA, srcB := newSource(logBatches(t, 30, 0, 50)), newSource(logBatches(t, 30, 1000, 50))
		recvA, recvB := &logReceiver{}, &logReceiver{}
		runA := runWindow(ctx, syncproto.NewWindow(a, srcA, recvA, syncproto.WindowConfig{Size: 2, Queue: 1}))
		runB := runWindow(ctx, syncproto.NewWindow(b, srcB, recvB, syncproto.WindowConfig{Resume: 1000, Size: 2, Queue: 1}))
		waitFor(t, "both logs across", func() bool {
			na, _, _ := recvA.committed()
			nb, _, _ := recvB.committed()
			return na == 30 && nb == 30
		})
		waitFor(t, "both acked", func() bool {
			_, da, _, _ := srcA.state()
			_, db, _, _ := srcB.state()
			return da == 30 && db == 30
		})
		// A source added to later, as new changes are committed, is woken.
		srcA.add(logBatches(t, 2, 300, 1)...)
		waitFor(t, "the woken batches", func() bool { n, _, _ := recvB.committed(); return n == 32 })
		cancel()
		result(t, "a", runA)
		result(t, "b", runB)
	})
}

// receiveType receives one message at the test's end of a Conn.
func receiveType(t *testing.T, c syncproto.Conn) syncproto.Message {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	m, err := c.Receive()
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	return m
}

// TestWindowRefusesAck: an ack beyond the last batch sent, or going back,
// ends the session with ErrCodeBadMessage, which the peer receives.
func TestWindowRefusesAck(t *testing.T) {
	eachTransport(t, func(t *testing.T, wire transport) {
		for _, tc := range []struct {
			name    string
			resume  uint64
			batches int      // sent by the window before the acks
			acks    []uint64 // from the peer
		}{
			{"beyond, none sent", 5, 0, []uint64{6}},
			{"beyond the sent", 5, 2, []uint64{26}},
			{"beyond after a good one", 5, 2, []uint64{15, 26}},
			{"below resume", 5, 0, []uint64{4}},
			{"back", 5, 2, []uint64{25, 15}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				noLeak(t)
				a, peer := wire(t, testCodec(t), syncproto.ConnOptions{})
				src := newSource(logBatches(t, tc.batches, tc.resume, 0))
				run := runWindow(t.Context(), syncproto.NewWindow(a, src, &logReceiver{},
					syncproto.WindowConfig{Resume: tc.resume, Refuse: true}))
				for range tc.batches {
					if m := receiveType(t, peer); m.Type() != syncproto.TypeBatch {
						t.Fatalf("got %v, want Batch", m.Type())
					}
				}
				for _, seq := range tc.acks {
					if err := peer.Send(&syncproto.Ack{Seq: seq}); err != nil {
						t.Fatal(err)
					}
				}
				m := receiveType(t, peer)
				if e, ok := m.(*syncproto.Error); !ok || e.Code != syncproto.ErrCodeBadMessage {
					t.Fatalf("peer got %#v, want the Error", m)
				}
				err := result(t, "window", run)
				var pe *syncproto.Error
				if !errors.As(err, &pe) || pe.Code != syncproto.ErrCodeBadMessage || syncproto.IsPeerError(err) {
					t.Fatalf("Run = %v, want this side's BadMessage", err)
				}
				peer.Close()
			})
		}
	})
}

// TestWindowEnds: every way a session ends returns from Run with its cause
// and leaves no goroutine behind.
func TestWindowEnds(t *testing.T) {
	eachTransport(t, func(t *testing.T, wire transport) {
		for _, tc := range []struct {
			name  string
			end   func(peer syncproto.Conn, cancel context.CancelFunc)
			check func(err error) bool
		}{
			{"peer closes mid-window", func(p syncproto.Conn, _ context.CancelFunc) { p.Close() },
				func(err error) bool { return err != nil && !errors.Is(err, context.Canceled) }},
			{"context ends", func(_ syncproto.Conn, cancel context.CancelFunc) { cancel() },
				func(err error) bool { return errors.Is(err, context.Canceled) }},
			{"peer refuses", func(p syncproto.Conn, _ context.CancelFunc) {
				syncproto.Refuse(p, syncproto.NewError(syncproto.ErrCodeAuth, "revoked"))
			}, func(err error) bool {
				var pe *syncproto.Error
				return syncproto.IsPeerError(err) && errors.As(err, &pe) && pe.Code == syncproto.ErrCodeAuth
			}},
			{"peer sends Hello", func(p syncproto.Conn, _ context.CancelFunc) {
				p.Send(&syncproto.Hello{Version: syncproto.ProtocolVersion, Site: 1})
			}, func(err error) bool {
				var pe *syncproto.Error
				return errors.As(err, &pe) && pe.Code == syncproto.ErrCodeBadMessage && !syncproto.IsPeerError(err)
			}},
			{"peer's batch refused by the checker", func(p syncproto.Conn, _ context.CancelFunc) {
				p.Send(&syncproto.Batch{First: 1, Last: 1})
			}, func(err error) bool {
				var pe *syncproto.Error
				return errors.As(err, &pe) && pe.Code == syncproto.ErrCodeWrongSite
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				noLeak(t)
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				a, peer := wire(t, testCodec(t), syncproto.ConnOptions{})
				src := newSource(logBatches(t, 20, 0, 1))
				recv := checkingReceiver{&logReceiver{check: func(*syncproto.Batch) error {
					return syncproto.NewError(syncproto.ErrCodeWrongSite, "not yours")
				}}}
				run := runWindow(ctx, syncproto.NewWindow(a, src, recv, syncproto.WindowConfig{Size: 4}))
				for range 2 {
					receiveType(t, peer)
				}
				tc.end(peer, cancel)
				if err := result(t, "window", run); !tc.check(err) {
					t.Fatalf("Run = %v", err)
				}
				peer.Close()
			})
		}
	})
}

// TestWindowKeepAlive: a session whose peer sends nothing lives on pings and
// their answers past its idle timeout, and ends at it without them.
func TestWindowKeepAlive(t *testing.T) {
	eachTransport(t, func(t *testing.T, wire transport) {
		const idle = 150 * time.Millisecond
		for _, tc := range []struct {
			name  string
			ping  time.Duration
			lives bool
		}{
			{"pinging", idle / 5, true},
			{"silent", 0, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				noLeak(t)
				ctx, cancel := context.WithCancel(t.Context())
				a, b := wire(t, testCodec(t), syncproto.ConnOptions{})
				start := time.Now()
				station := runWindow(ctx, syncproto.NewWindow(a, newSource(nil), &logReceiver{},
					syncproto.WindowConfig{Idle: idle, Ping: tc.ping}))
				hub := runWindow(ctx, syncproto.NewWindow(b, newSource(nil), &logReceiver{},
					syncproto.WindowConfig{Idle: idle}))
				if tc.lives {
					// Five idle timeouts pass with both still running.
					for time.Since(start) < 5*idle {
						select {
						case err := <-station:
							t.Fatalf("station ended after %v: %v", time.Since(start), err)
						case err := <-hub:
							t.Fatalf("hub ended after %v: %v", time.Since(start), err)
						case <-time.After(idle / 10):
						}
					}
				} else if err := result(t, "silent", station); err == nil {
					t.Fatal("a silent session did not end")
				}
				cancel()
				result(t, "hub", hub)
				if tc.lives {
					result(t, "station", station)
				}
			})
		}
	})
}

// TestWindowRefusalAfterCommits: when the Checker refuses a batch while
// the ones before it still commit, those commit and are acknowledged
// before the refusal is sent (the peer keeps its cursor, and the hub's log
// holds what it acknowledged).
func TestWindowRefusalAfterCommits(t *testing.T) {
	eachTransport(t, func(t *testing.T, wire transport) {
		noLeak(t)
		a, peer := wire(t, testCodec(t), syncproto.ConnOptions{})
		refused := make(chan struct{})
		recv := &logReceiver{gate: make(chan struct{})}
		recv.check = func(b *syncproto.Batch) error {
			if b.First > 20 {
				close(refused)
				return syncproto.NewError(syncproto.ErrCodeWrongSite, "batch %d refused", b.First)
			}
			return nil
		}
		run := runWindow(t.Context(), syncproto.NewWindow(a, newSource(nil), checkingReceiver{recv},
			syncproto.WindowConfig{Refuse: true, GroupBatches: 1, Queue: 4}))
		for _, b := range logBatches(t, 3, 0, 0) {
			if err := peer.Send(b); err != nil {
				t.Fatal(err)
			}
		}
		<-refused
		// The commits run late, after the refusal was decided.
		time.Sleep(20 * time.Millisecond)
		close(recv.gate)
		var acked uint64
		for {
			m := receiveType(t, peer)
			if ack, ok := m.(*syncproto.Ack); ok {
				acked = ack.Seq
				continue
			}
			if e, ok := m.(*syncproto.Error); !ok || e.Code != syncproto.ErrCodeWrongSite {
				t.Fatalf("peer got %#v, want the refusal", m)
			}
			break
		}
		if n, last, _ := recv.committed(); n != 2 || last != 20 {
			t.Fatalf("when the refusal arrived: %d batches committed through %d, want 2 through 20", n, last)
		}
		if acked != 20 {
			t.Fatalf("acknowledged %d before the refusal, want 20", acked)
		}
		var pe *syncproto.Error
		if err := result(t, "window", run); !errors.As(err, &pe) || pe.Code != syncproto.ErrCodeWrongSite {
			t.Fatalf("Run = %v, want the refusal", err)
		}
		peer.Close()
	})
}
