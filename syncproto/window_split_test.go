package syncproto_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"

	"fieldsync/syncproto"
	"fieldsync/syncproto/internal/sampledata"
)

// partsReceiver records the batches it commits, as a receiver does: a
// batch moves its cursor when it starts right after it, and none when
// first = last = its cursor.
type partsReceiver struct {
	mu      sync.Mutex
	cursor  uint64
	parts   []*syncproto.Batch
	changes int
	err     error
}

func (r *partsReceiver) Commit(_ context.Context, group []*syncproto.Batch) (uint64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range group {
		switch {
		case b.First == r.cursor+1 && b.Last >= b.First:
			r.cursor = b.Last
		case b.First == r.cursor && b.Last == r.cursor:
		default:
			r.err = errors.New("a batch that does not follow the cursor")
			return 0, r.err
		}
		r.parts = append(r.parts, b)
		r.changes += len(b.Changes)
	}
	return r.cursor, nil
}

func (r *partsReceiver) state() (cursor uint64, parts []*syncproto.Batch, changes int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cursor, append([]*syncproto.Batch(nil), r.parts...), r.changes, r.err
}

// oneBatch sends one batch with a note, and records the note handed back.
type oneBatch struct {
	mu   sync.Mutex
	b    *syncproto.Batch
	sent bool
	note any
}

func (s *oneBatch) Next(context.Context, int) ([]*syncproto.Batch, any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sent {
		return nil, nil, nil
	}
	s.sent = true
	return []*syncproto.Batch{s.b}, "the note", nil
}

func (s *oneBatch) Acked(_ context.Context, seq uint64, done []syncproto.Flight, _ int) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range done {
		if f.Note != nil {
			s.note = f.Note
		}
	}
	return false, nil
}

func (s *oneBatch) Wake() <-chan struct{} { return nil }

func (s *oneBatch) noted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.note != nil
}

// A batch the sender's codec refuses as too large goes in parts within its
// limits: the first ones move no cursor, the last is the batch with the
// rest of the changes and carries the note. Before, the window's Run
// failed with the codec's error, on every session.
func TestWindowSplitsOversizedBatch(t *testing.T) {
	noLeak(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	small, err := syncproto.NewCodec(testSchema(t), testKey, syncproto.Limits{MaxChanges: 3})
	if err != nil {
		t.Fatal(err)
	}
	x, y := net.Pipe()
	t.Cleanup(func() { x.Close(); y.Close() })
	a := syncproto.NewStreamConn(x, small, syncproto.ConnOptions{})
	b := syncproto.NewStreamConn(y, testCodec(t), syncproto.ConnOptions{})

	batch := &syncproto.Batch{First: 101, Last: 110, Changes: sampledata.Workers(10, 1, testKey)}
	src := &oneBatch{b: batch}
	recv := &partsReceiver{cursor: 100}
	sender := runWindow(ctx, syncproto.NewWindow(a, src, &logReceiver{}, syncproto.WindowConfig{Resume: 100, Size: 4}))
	receiver := runWindow(ctx, syncproto.NewWindow(b, newSource(nil), recv, syncproto.WindowConfig{Queue: 16}))

	waitFor(t, "the batch's note back", func() bool { return src.noted() })
	cursor, parts, changes, err := recv.state()
	if err != nil || cursor != 110 || changes != 10 {
		t.Fatalf("receiver at %d with %d changes (%v), want 110 with 10", cursor, changes, err)
	}
	var got []syncproto.Batch
	for i, p := range parts {
		got = append(got, syncproto.Batch{First: p.First, Last: p.Last})
		if len(p.Changes) > 3 {
			t.Errorf("part %d: %d changes, over the sender's limit", i, len(p.Changes))
		}
		last := i == len(parts)-1
		if !last && (p.First != 100 || p.Last != 100) || last && (p.First != 101 || p.Last != 110) {
			t.Errorf("part %d of %d covers %d…%d", i, len(parts), p.First, p.Last)
		}
	}
	if len(parts) < 4 {
		t.Errorf("%d parts (%v), want at least 4 of at most 3 changes", len(parts), got)
	}
	cancel()
	for _, w := range []<-chan error{sender, receiver} {
		if err := result(t, "end", w); !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
	}
}
