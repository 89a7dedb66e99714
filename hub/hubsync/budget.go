package hubsync

import (
	"container/list"
	"context"
	"fmt"
	"sync"
)

// Default sizes of the decode budget (Options.MaxDecodedBytes and
// MaxDecodedPerSession).
const (
	DefaultMaxDecodedBytes = 256 << 20
	defaultSessionShares   = 4 // one session may hold a quarter by default
)

// DecodeBudget is the state of the memory budget that the decoded station
// batches of all sessions share (Options.MaxDecodedBytes).
type DecodeBudget struct {
	Limit      int64 // MaxDecodedBytes
	PerSession int64 // MaxDecodedPerSession
	InUse      int64 // bytes charged now
	Peak       int64 // the most ever charged at once
	// SessionPeak is the most one session ever held at once: at most
	// PerSession, or one frame's charge when that is larger.
	SessionPeak int64
	Waiting     int // sessions waiting for budget
	MostWaiting int // the most sessions ever waiting at once
}

// budget is the memory budget of decoded station batches: a weighted
// semaphore of bytes shared by all sessions, with a cap per session.
type budget struct {
	sem        *weighted
	perSession int64

	mu          sync.Mutex
	sessionPeak int64
}

func newBudget(limit, perSession int64) *budget {
	return &budget{sem: newWeighted(limit), perSession: perSession}
}

func (b *budget) state() DecodeBudget {
	inUse, peak, waiting := b.sem.state()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sem.mu.Lock()
	most := b.sem.mostWaiting
	b.sem.mu.Unlock()
	return DecodeBudget{Limit: b.sem.size, PerSession: b.perSession, InUse: inUse, Peak: peak,
		SessionPeak: b.sessionPeak, Waiting: waiting, MostWaiting: most}
}

func (b *budget) noteHeld(n int64) {
	b.mu.Lock()
	b.sessionPeak = max(b.sessionPeak, n)
	b.mu.Unlock()
}

// share is one session's part of the budget. One goroutine acquires (the
// session's reader); any may release.
type share struct {
	b     *budget
	mu    sync.Mutex
	held  int64
	freed chan struct{} // signalled when held shrinks
}

func (b *budget) share() *share { return &share{b: b, freed: make(chan struct{}, 1)} }

// acquire charges n bytes to the session, waiting while the session holds
// its share or the budget is spent, and returns what it charged: n, or the
// whole budget when n exceeds it (such a frame is then decoded alone). A
// session holding nothing may always take one frame past its share, so
// that it progresses. On error (ctx ended) nothing is charged.
func (s *share) acquire(ctx context.Context, n int64) (int64, error) {
	n = min(max(n, 0), s.b.sem.size)
	for {
		s.mu.Lock()
		ok := s.held == 0 || s.held+n <= s.b.perSession
		s.mu.Unlock()
		if ok {
			break // held only shrinks until this goroutine charges more
		}
		select {
		case <-s.freed:
		case <-ctx.Done():
			return 0, fmt.Errorf("wait for the session's decode budget: %w", ctx.Err())
		}
	}
	if err := s.b.sem.acquire(ctx, n); err != nil {
		return 0, fmt.Errorf("wait for the hub's decode budget: %w", err)
	}
	s.mu.Lock()
	s.held += n
	held := s.held
	s.mu.Unlock()
	s.b.noteHeld(held)
	return n, nil
}

// release gives back n of the bytes the session holds.
func (s *share) release(n int64) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	n = min(n, s.held)
	s.held -= n
	s.mu.Unlock()
	s.b.sem.release(n)
	select {
	case s.freed <- struct{}{}:
	default:
	}
}

// close gives back everything the session holds, once it has ended.
func (s *share) close() {
	s.mu.Lock()
	n := s.held
	s.mu.Unlock()
	s.release(n)
}

// weighted is a semaphore of size units: acquirers wait first in, first
// out, so that a large request is not overtaken forever by small ones.
type weighted struct {
	size    int64
	mu      sync.Mutex
	cur     int64
	peak    int64
	waiters list.List // of *waiter, in arrival order
	// mostWaiting is the longest the queue has been.
	mostWaiting int
}

type waiter struct {
	n     int64
	ready chan struct{} // closed when granted
}

func newWeighted(size int64) *weighted { return &weighted{size: size} }

// acquire takes n units, waiting until they are free and every earlier
// waiter is served, or ctx ends (then it takes nothing and returns
// ctx.Err()). n must not exceed the size.
func (w *weighted) acquire(ctx context.Context, n int64) error {
	w.mu.Lock()
	if n > w.size {
		w.mu.Unlock()
		return fmt.Errorf("acquire %d of a semaphore of %d", n, w.size)
	}
	if w.waiters.Len() == 0 && w.cur+n <= w.size {
		w.take(n)
		w.mu.Unlock()
		return nil
	}
	if err := ctx.Err(); err != nil {
		w.mu.Unlock()
		return err
	}
	wt := &waiter{n: n, ready: make(chan struct{})}
	e := w.waiters.PushBack(wt)
	w.mostWaiting = max(w.mostWaiting, w.waiters.Len())
	w.mu.Unlock()
	select {
	case <-wt.ready:
		return nil
	case <-ctx.Done():
	}
	w.mu.Lock()
	select {
	case <-wt.ready:
		// Granted as ctx ended: give it back.
		w.cur -= n
	default:
		w.waiters.Remove(e)
	}
	// Leaving the head of the queue, or giving back, may let others in.
	w.grant()
	w.mu.Unlock()
	return ctx.Err()
}

// release gives back n units.
func (w *weighted) release(n int64) {
	w.mu.Lock()
	w.cur -= n
	w.grant()
	w.mu.Unlock()
}

// grant serves the waiters at the head of the queue that fit.
func (w *weighted) grant() {
	for e := w.waiters.Front(); e != nil; e = w.waiters.Front() {
		wt := e.Value.(*waiter)
		if w.cur+wt.n > w.size {
			return
		}
		w.take(wt.n)
		w.waiters.Remove(e)
		close(wt.ready)
	}
}

func (w *weighted) take(n int64) {
	w.cur += n
	w.peak = max(w.peak, w.cur)
}

// state returns the units taken, the most ever taken, and how many wait.
func (w *weighted) state() (cur, peak int64, waiting int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.cur, w.peak, w.waiters.Len()
}
