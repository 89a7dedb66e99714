package hubsync

import (
	"context"
	"errors"
	"testing"
	"time"
)

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func waiting(w *weighted) int { _, _, n := w.state(); return n }

// Waiters are served first in, first out: a small request does not
// overtake a large one ahead of it.
func TestWeightedFIFO(t *testing.T) {
	w := newWeighted(10)
	ctx := context.Background()
	if err := w.acquire(ctx, 8); err != nil {
		t.Fatal(err)
	}
	order := make(chan int, 2)
	go func() { w.acquire(ctx, 6); order <- 6 }()
	waitFor(t, "the large waiter", func() bool { return waiting(w) == 1 })
	go func() { w.acquire(ctx, 1); order <- 1 }()
	waitFor(t, "the small waiter", func() bool { return waiting(w) == 2 })
	// 2 are free: enough for the small one, but the large one is first.
	select {
	case n := <-order:
		t.Fatalf("%d served out of turn", n)
	case <-time.After(20 * time.Millisecond):
	}
	w.release(4) // 6 free: the large one, first in, takes them all
	if n := <-order; n != 6 {
		t.Fatalf("served %d first, want 6", n)
	}
	select {
	case n := <-order:
		t.Fatalf("%d served with nothing free", n)
	case <-time.After(20 * time.Millisecond):
	}
	w.release(6)
	if n := <-order; n != 1 {
		t.Fatalf("served %d second, want 1", n)
	}
	w.release(4 + 1)
	if cur, peak, n := w.state(); cur != 0 || peak != 10 || n != 0 {
		t.Fatalf("cur %d, peak %d, waiting %d", cur, peak, n)
	}
}

// A waiter whose context ends takes nothing, and leaving the head of the
// queue lets those behind it in.
func TestWeightedCancel(t *testing.T) {
	w := newWeighted(10)
	bg := context.Background()
	w.acquire(bg, 9)
	ctx, cancel := context.WithCancel(bg)
	errc := make(chan error, 1)
	go func() { errc <- w.acquire(ctx, 5) }()
	waitFor(t, "the large waiter", func() bool { return waiting(w) == 1 })
	small := make(chan error, 1)
	go func() { small <- w.acquire(bg, 1) }()
	waitFor(t, "the small waiter", func() bool { return waiting(w) == 2 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled acquire: %v", err)
	}
	if err := <-small; err != nil {
		t.Fatal(err)
	}
	w.release(10)
	if cur, _, n := w.state(); cur != 0 || n != 0 {
		t.Fatalf("after cancel: cur %d, waiting %d", cur, n)
	}
	if err := w.acquire(bg, 11); err == nil {
		t.Fatal("acquired more than the size")
	}
}

// Many goroutines acquiring, cancelling and releasing at once never exceed
// the size, and leave nothing taken.
func TestWeightedNoLeak(t *testing.T) {
	w := newWeighted(100)
	done := make(chan struct{})
	for i := range 32 {
		go func() {
			defer func() { done <- struct{}{} }()
			for j := range 200 {
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(j%3)*time.Microsecond)
				n := int64(1 + (i+j)%40)
				if w.acquire(ctx, n) == nil {
					if cur, _, _ := w.state(); cur > 100 {
						t.Errorf("%d taken of 100", cur)
					}
					w.release(n)
				}
				cancel()
			}
		}()
	}
	for range 32 {
		<-done
	}
	if cur, peak, n := w.state(); cur != 0 || peak > 100 || n != 0 {
		t.Fatalf("cur %d, peak %d, waiting %d", cur, peak, n)
	}
}

// A session past its share waits for its own batches to commit even when
// the budget has room; one holding nothing may take one frame larger than
// its share, or than the whole budget.
func TestShareCap(t *testing.T) {
	b := newBudget(100, 30)
	ctx := context.Background()
	s := b.share()
	if n, err := s.acquire(ctx, 250); err != nil || n != 100 {
		t.Fatalf("frame larger than the budget: charged %d, %v", n, err)
	}
	s.release(100)
	if _, err := s.acquire(ctx, 20); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() { _, err := s.acquire(ctx, 20); got <- err }()
	select {
	case err := <-got:
		t.Fatalf("took 40 with a share of 30: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	other := b.share()
	if _, err := other.acquire(ctx, 30); err != nil {
		t.Fatal(err)
	}
	s.release(20)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	// A session ended while waiting for the budget gives back all it holds.
	third := b.share()
	if _, err := third.acquire(ctx, 50); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(ctx)
	go func() { _, err := s.acquire(wctx, 5); got <- err }()
	waitFor(t, "the session to wait", func() bool { return b.state().Waiting == 1 })
	cancel()
	if err := <-got; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	s.close()
	other.close()
	third.close()
	if st := b.state(); st.InUse != 0 || st.Waiting != 0 || st.Peak != 100 || st.SessionPeak != 100 {
		t.Fatalf("state %+v", st)
	}
}
