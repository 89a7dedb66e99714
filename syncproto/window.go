package syncproto

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Source is what one peer sends: its log after the other peer's resume
// point. The hub's is the tail of its log in a station's scope, and
// snapshots; a station's is its own log. A Window calls its methods from one
// goroutine.
type Source interface {
	// Next returns the next batches to send, in log order, or none when
	// there is nothing to send now. inFlight is how many batches sent
	// await the peer's ack (a batch sent in parts counts as its parts).
	// note, if not nil, is handed back to Acked with the last of the
	// batches once the peer acknowledges it.
	Next(ctx context.Context, inFlight int) (batches []*Batch, note any, err error)
	// Acked tells the source that the peer committed every batch through
	// seq: done are the flights this ack settled (valid during the call
	// only), inFlight how many remain. more asks for Next again even if the
	// window had room when Next last returned none.
	Acked(ctx context.Context, seq uint64, done []Flight, inFlight int) (more bool, err error)
	// Wake returns a channel that is ready when there may be more to send
	// (nil: never). It is taken before each round of Next calls, so that a
	// wake during the round is not lost.
	Wake() <-chan struct{}
}

// Poller is implemented by a Source that wants to be called every
// WindowConfig.Poll (the hub checks that the station is still enrolled).
// Without it, each poll calls Next.
type Poller interface {
	Poll(ctx context.Context) (more bool, err error)
}

// Flight is a batch sent and not yet acknowledged.
type Flight struct {
	Last    uint64 // the batch's Last
	Changes int    // how many changes it carries
	Note    any    // what Source.Next attached to it
}

// Receiver commits the peer's batches.
type Receiver interface {
	// Commit durably commits batches that arrived back to back (at most
	// WindowConfig.GroupBatches of them, more changes than GroupChanges only
	// in the last) and returns the sequence to acknowledge, normally the last
	// batch's Last. The ack is sent after Commit returns. Commit runs on its
	// own goroutine, concurrently with the Source's methods.
	Commit(ctx context.Context, group []*Batch) (ack uint64, err error)
}

// Checker is implemented by a Receiver that checks each batch as it is
// read, before it waits for Commit (the hub refuses a change a station may
// not make). It runs on the reading goroutine.
type Checker interface {
	Check(b *Batch) error
}

// WindowConfig configures a Window. Zero fields take the defaults.
type WindowConfig struct {
	// Resume is the peer's resume point: the last sequence of this side's
	// log that the peer has committed (Welcome.Resume at the station,
	// Hello.Cursor at the hub). Acks are checked against it.
	Resume uint64
	// Size is how many batches may await the peer's ack (default 8). The
	// batches one Next returns are all sent, so that many more may be.
	Size int
	// GroupBatches and GroupChanges bound how many batches that arrived back
	// to back go to one Commit (default 1 batch; GroupChanges default
	// unbounded).
	GroupBatches, GroupChanges int
	// Queue is how many decoded batches may wait for Commit (default 4).
	Queue int
	// Idle ends the session when nothing came from the peer, not even a
	// keep-alive, for so long (0: never).
	Idle time.Duration
	// Ping is how often a keep-alive is sent (0: never).
	Ping time.Duration
	// Poll is how often the Source is polled (0: never).
	Poll time.Duration
	// Refuse sends this side's *Error that ends the session (an Ack beyond
	// what was sent, a refused batch) to the peer before closing.
	Refuse bool
}

// Window runs the send/ack window of one session, the same loop at both
// peers: it sends the Source's batches while at most Size await the peer's
// cumulative acks, hands the peer's batches to the Receiver and acks what it
// committed, and checks the peer's acks both ways: an ack beyond the last
// batch sent, or going back, is refused with ErrCodeBadMessage.
type Window struct {
	conn Conn
	src  Source
	recv Receiver
	cfg  WindowConfig
	kick chan struct{}
}

// NewWindow returns a window over conn after the handshake. Run starts it.
func NewWindow(conn Conn, src Source, recv Receiver, cfg WindowConfig) *Window {
	if cfg.Size <= 0 {
		cfg.Size = 8
	}
	if cfg.GroupBatches <= 0 {
		cfg.GroupBatches = 1
	}
	if cfg.GroupChanges <= 0 {
		cfg.GroupChanges = int(^uint(0) >> 1)
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 4
	}
	return &Window{conn: conn, src: src, recv: recv, cfg: cfg, kick: make(chan struct{}, 1)}
}

// Kick makes the window ask its Source for more, from any goroutine (a
// Receiver whose commit gave the Source something to send).
func (w *Window) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run runs the session until the peer closes, a frame fails, the Source or
// Receiver fails, or ctx ends, then closes the conn and returns once its
// goroutines have ended. It returns ctx.Err() if ctx ended, a *PeerError if
// the peer sent an Error, a *Error if this side refused the peer, or the
// failure.
func (w *Window) Run(ctx context.Context) error {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Closing the conn is what ends a Receive or Send in progress.
	stop := context.AfterFunc(ctx, func() { w.conn.Close() })
	defer stop()
	r := &run{Window: w, batches: make(chan *Batch, w.cfg.Queue), failed: make(chan struct{}),
		ackOut: newLatest(), ackIn: newLatest()}
	r.commitIdle = sync.NewCond(&r.commitMu)
	r.sent.Store(w.cfg.Resume)
	if w.cfg.Idle > 0 {
		w.conn.KeepAlive(w.cfg.Idle)
	}
	// The first failure is the session's end. A refusal to send waits for
	// the writer, which sends it; any other failure closes the conn at once,
	// which ends a Send the peer is not reading.
	fail := func(err error) {
		r.once.Do(func() {
			r.err = err
			var pe *Error
			if !w.cfg.Refuse || !errors.As(err, &pe) || IsPeerError(err) {
				cancel()
			}
			close(r.failed)
		})
	}
	r.fail = fail
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		fail(r.read(ctx))
	}()
	werr := r.write(ctx)
	var own *Error
	if werr != nil && ctx.Err() == nil && !errors.As(werr, &own) {
		// A write that failed because the peer closed races the peer's
		// Error, which the reader may not have read yet; the Error says
		// why (a station shows its staff the hub's refusal), so it wins
		// if it comes at once.
		t := time.NewTimer(peerErrorGrace)
		select {
		case <-r.failed:
		case <-t.C:
		}
		t.Stop()
	}
	fail(werr)
	var pe *Error
	if parent.Err() == nil && ctx.Err() == nil && errors.As(r.err, &pe) {
		// Only a refusal leaves ctx alive (see fail). What was committed
		// before it is acknowledged first.
		if seq, ok := r.ackOut.unsent(); ok {
			w.conn.Send(&Ack{Seq: seq})
		}
		Refuse(w.conn, pe)
	}
	cancel()
	w.conn.Close()
	r.wg.Wait()
	if parent.Err() != nil {
		return parent.Err()
	}
	return r.err
}

// peerErrorGrace is how long a failed write waits for the reader to report
// the peer's Error, which explains the failure better than a broken pipe.
const peerErrorGrace = 2 * time.Second

// run is the state of one Run.
type run struct {
	*Window
	batches chan *Batch   // decoded, checked, for commit
	failed  chan struct{} // closed at the first failure, r.err
	once    sync.Once
	err     error
	ackOut  *latest // committed: to acknowledge
	ackIn   *latest // the peer's checked acks
	sent    atomic.Uint64

	// The committer runs only while batches wait: an idle session (most
	// of a hub's thousands) keeps two goroutines, not three.
	wg           sync.WaitGroup // the reader and the committer
	fail         func(error)
	commitMu     sync.Mutex
	committing   bool       // a committer runs; it clears this when it finds r.batches empty
	commitFailed bool       // the committer ended with an error
	commitIdle   *sync.Cond // on commitMu: committing cleared or commitFailed set
}

// settle waits until every queued batch is committed or the committer has
// failed (which a cancelled ctx makes it do).
func (r *run) settle() {
	r.commitMu.Lock()
	defer r.commitMu.Unlock()
	for r.committing && !r.commitFailed {
		r.commitIdle.Wait()
	}
}

// read reads the peer's frames: batches for commit, acks checked against
// what was sent.
func (r *run) read(ctx context.Context) error {
	check, _ := r.recv.(Checker)
	acked := r.cfg.Resume
	for {
		if r.cfg.Idle > 0 {
			r.conn.SetReadDeadline(time.Now().Add(r.cfg.Idle))
		}
		m, err := r.conn.Receive()
		if err != nil {
			return err
		}
		switch m := m.(type) {
		case *Batch:
			if check != nil {
				if err := check.Check(m); err != nil {
					// The batches before this one are the peer's to keep:
					// they commit, and their ack goes before the refusal.
					r.settle()
					return err
				}
			}
			select {
			case r.batches <- m:
			case <-ctx.Done():
				return ctx.Err()
			}
			r.startCommitter(ctx)
		case *Ack:
			// The sender publishes a batch's Last before it writes it, so
			// an ack of it cannot arrive first.
			if sent := r.sent.Load(); m.Seq > sent {
				return NewError(ErrCodeBadMessage, "ack %d is beyond the last batch sent (%d)", m.Seq, sent)
			}
			if m.Seq < acked {
				return NewError(ErrCodeBadMessage, "ack %d goes back from %d", m.Seq, acked)
			}
			acked = m.Seq
			r.ackIn.put(m.Seq)
		case *Error:
			return &PeerError{Err: m}
		default:
			return NewError(ErrCodeBadMessage, "unexpected %v", m.Type())
		}
	}
}

// startCommitter starts a committer unless one runs. The reader calls it
// after each batch it queues; a committer stops only when it finds the
// queue empty under commitMu, so every queued batch has one to take it.
func (r *run) startCommitter(ctx context.Context) {
	r.commitMu.Lock()
	defer r.commitMu.Unlock()
	if r.committing {
		return
	}
	r.committing = true
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if err := r.commit(ctx); err != nil {
			// committing stays set: no other committer starts after a
			// failed commit, so nothing commits past it.
			r.commitMu.Lock()
			r.commitFailed = true
			r.commitIdle.Broadcast()
			r.commitMu.Unlock()
			r.fail(err)
		}
	}()
}

// take returns the next queued batch, or nil, having marked the committer
// stopped, when none waits.
func (r *run) take() *Batch {
	r.commitMu.Lock()
	defer r.commitMu.Unlock()
	select {
	case b := <-r.batches:
		return b
	default:
		r.committing = false
		r.commitIdle.Broadcast()
		return nil
	}
}

// commit hands the peer's batches to the Receiver, those that wait together,
// and passes the ack to the writer, until none waits. It never waits for the
// writer, so that two peers whose writers both wait for the other's reader
// still progress.
func (r *run) commit(ctx context.Context) error {
	group := make([]*Batch, 0, r.cfg.GroupBatches)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := r.take()
		if b == nil {
			return nil
		}
		group, n := append(group[:0], b), len(b.Changes)
	more:
		for len(group) < r.cfg.GroupBatches && n < r.cfg.GroupChanges {
			select {
			case b := <-r.batches:
				group, n = append(group, b), n+len(b.Changes)
			default:
				break more
			}
		}
		ack, err := r.recv.Commit(ctx, group)
		if err != nil {
			return err
		}
		clear(group) // the batches are garbage once committed
		r.ackOut.put(ack)
	}
}

// write owns the session's writes: the Source's batches while the window
// has room, acks of what was committed, keep-alives.
func (r *run) write(ctx context.Context) error {
	var (
		flights []Flight
		ping    <-chan time.Time
		poll    <-chan time.Time
		wake    <-chan struct{}
		refill  = true
		full    bool // the last fill stopped at a full window, not for want of batches
	)
	if r.cfg.Ping > 0 {
		t := time.NewTicker(r.cfg.Ping)
		defer t.Stop()
		ping = t.C
	}
	if r.cfg.Poll > 0 {
		t := time.NewTicker(r.cfg.Poll)
		defer t.Stop()
		poll = t.C
	}
	poller, _ := r.src.(Poller)
	fill := func() error {
		for len(flights) < r.cfg.Size {
			bs, note, err := r.src.Next(ctx, len(flights))
			if err != nil {
				return err
			}
			if len(bs) == 0 {
				return nil
			}
			for i, b := range bs {
				var n any
				if i == len(bs)-1 {
					n = note
				}
				var err error
				if flights, err = r.send(b, n, flights); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for {
		if refill {
			wake = r.src.Wake()
			if err := fill(); err != nil {
				return err
			}
			full = len(flights) >= r.cfg.Size
		}
		refill = false
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.failed:
			return nil // the first failure is the session's error
		case <-r.ackOut.ready:
			if err := r.conn.Send(&Ack{Seq: r.ackOut.take()}); err != nil {
				return err
			}
		case <-r.ackIn.ready:
			seq := r.ackIn.take()
			n := 0
			for n < len(flights) && flights[n].Last <= seq {
				n++
			}
			more, err := r.src.Acked(ctx, seq, flights[:n], len(flights)-n)
			if err != nil {
				return err
			}
			clear(flights[:n]) // drop the notes
			flights = flights[n:]
			refill = full || more
		case <-wake:
			refill = true
		case <-r.kick:
			refill = true
		case <-ping:
			if err := r.conn.Ping(); err != nil {
				return err
			}
		case <-poll:
			refill = true
			if poller != nil {
				more, err := poller.Poll(ctx)
				if err != nil {
					return err
				}
				refill = more
			}
		}
	}
}

// send sends b as one flight, or, when its frame would break this side's
// limits (the codec refuses it before writing anything), in parts: the
// first ones carry half the changes each and move no cursor (first = last
// = the previous batch's last, as Batches says of a cut inside a
// transaction), the last one is b with the rest of the changes and the
// note. A single change too large for a frame is an error.
func (r *run) send(b *Batch, note any, flights []Flight) ([]Flight, error) {
	prev := r.sent.Load()
	r.sent.Store(max(prev, b.Last))
	return r.sendParts(prev, b, note, flights)
}

func (r *run) sendParts(prev uint64, b *Batch, note any, flights []Flight) ([]Flight, error) {
	err := r.conn.Send(b)
	if err == nil {
		return append(flights, Flight{Last: b.Last, Changes: len(b.Changes), Note: note}), nil
	}
	if !errors.Is(err, ErrTooLarge) || len(b.Changes) < 2 {
		return flights, err
	}
	k := len(b.Changes) / 2
	if flights, err = r.sendParts(prev, &Batch{First: prev, Last: prev, Changes: b.Changes[:k:k]}, nil, flights); err != nil {
		return flights, err
	}
	return r.sendParts(prev, &Batch{First: b.First, Last: b.Last, Changes: b.Changes[k:]}, note, flights)
}

// latest passes the newest of a series of cumulative sequences to another
// goroutine: a newer one replaces one not yet taken, so the sender never
// waits.
type latest struct {
	mu    sync.Mutex
	seq   uint64
	ready chan struct{}
}

func newLatest() *latest { return &latest{ready: make(chan struct{}, 1)} }

func (l *latest) put(seq uint64) {
	l.mu.Lock()
	l.seq = seq
	l.mu.Unlock()
	select {
	case l.ready <- struct{}{}:
	default:
	}
}

// unsent returns the newest sequence if it was put since the last take.
func (l *latest) unsent() (uint64, bool) {
	select {
	case <-l.ready:
		return l.take(), true
	default:
		return 0, false
	}
}

// take returns the newest sequence, after ready said there is one.
func (l *latest) take() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seq
}
