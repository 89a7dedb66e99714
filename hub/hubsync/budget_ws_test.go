package hubsync_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"fieldsync/hub"
	"fieldsync/hub/hubsync"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// uploader is an enrolled station that sends the hub its log in batches of
// its own making, as fast as the hub reads them.
type uploader struct {
	name   string
	raw    *hubtest.RawStation
	frames [][]byte
	last   uint64
}

// newUploader enrolls a station, writes n workers at it, per in each
// transaction (one log row each, which the station sends as one batch), then
// connects and says Hello.
func newUploader(t *testing.T, h *hubtest.Server, name string, base, n, per int) *uploader {
	t.Helper()
	e := h.Enroll(name)
	s := hubtest.NewStation(t, e, syncclient.Config{})
	edits := make([]replica.Edit, n)
	for i := range edits {
		edits[i] = hubtest.WorkerEdit(e.Key, hubtest.IDNumber(base+i), "预算"+name, "")
	}
	for i := 0; i < n; i += per {
		s.Write(edits[i:min(i+per, n)]...)
	}
	entries, _, err := s.Rep.ReadLog(context.Background(), 0, replica.LogQuery{Site: e.Site, Limit: n + 1})
	if err != nil || len(entries) != n {
		t.Fatalf("station log: %d entries, %v", len(entries), err)
	}
	u := &uploader{name: name, raw: hubtest.DialRaw(t, h, e), last: entries[n-1].Seq}
	for i := 0; i < n; i += per {
		part := entries[i:min(i+per, n)]
		b := &syncproto.Batch{First: part[0].Seq, Last: part[len(part)-1].Seq}
		for _, en := range part {
			if en.Seq != b.First {
				t.Fatalf("log row %d holds %d changes", b.First, i+per)
			}
			b.Changes = append(b.Changes, en.Change)
		}
		f, err := u.raw.Codec.Encode(nil, b)
		if err != nil {
			t.Fatal(err)
		}
		u.frames = append(u.frames, f)
	}
	u.raw.Hello(e)
	u.raw.Welcome()
	return u
}

// send writes the frames on its own goroutine (the hub's back-pressure
// holds it), reporting the first error.
func (u *uploader) send() <-chan error {
	errc := make(chan error, 1)
	go func() {
		for _, f := range u.frames {
			if err := u.raw.WS.WriteMessage(websocket.BinaryMessage, f); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	return errc
}

// acked reads the hub's acks until the station's whole log is acked.
func (u *uploader) acked(t *testing.T) {
	t.Helper()
	for {
		if seq := u.raw.Ack(); seq >= u.last {
			return
		}
	}
}

// largestCharge is the largest decode charge of the uploaders' frames.
func largestCharge(ups ...*uploader) int64 {
	var most int
	for _, u := range ups {
		for _, f := range u.frames {
			most = max(most, first(u.raw.Codec.DecodeCost(f)))
		}
	}
	return int64(most)
}

func first(a, _ int) int { return a }

const (
	testBudget     = 8 << 20
	testPerSession = 2 << 20
)

// Twelve stations uploading large batches at once through a small budget:
// every change is applied, what the decoded batches are charged never
// exceeds the budget, no session holds more than its share (or one frame),
// and everything is given back once the sessions end.
func TestDecodeBudgetBoundsSessions(t *testing.T) {
	// A frame of 100 workers is charged about 560 KiB: one session decodes
	// at a time, each one batch at a time.
	h := hubtest.NewServerWith(t, "http", hub.Options{}, hubtest.Adapters{
		Sync: hubsync.Options{MaxDecodedBytes: 1 << 20, MaxDecodedPerSession: 256 << 10}})
	const stations, workers, per = 12, 400, 100
	ups := make([]*uploader, stations)
	for i := range ups {
		ups[i] = newUploader(t, h, "站"+string(rune('A'+i)), i*1000, workers, per)
	}
	peak := largestCharge(ups...)
	var wg sync.WaitGroup
	for _, u := range ups {
		errc := u.send()
		wg.Go(func() {
			if err := <-errc; err != nil {
				t.Errorf("%s: send: %v", u.name, err)
			}
		})
	}
	for _, u := range ups {
		u.acked(t)
	}
	wg.Wait()
	if n := hubtest.RowCount(t, h.Hub.Replica(), records.Workers); n != stations*workers {
		t.Fatalf("hub holds %d workers, want %d", n, stations*workers)
	}
	for _, u := range ups {
		u.raw.WS.Close()
	}
	hubtest.WaitFor(t, 10*time.Second, "the sessions to end", func() bool { return len(h.Sync.Sessions()) == 0 })
	st := h.Sync.DecodeBudget()
	t.Logf("largest frame charge %d bytes; budget %+v", peak, st)
	if st.InUse != 0 || st.Waiting != 0 {
		t.Fatalf("after the sessions: %+v", st)
	}
	if st.MostWaiting < 2 {
		t.Error("no session ever waited for the budget: the test proves nothing")
	}
	if st.Peak > st.Limit || st.Peak == 0 {
		t.Fatalf("peak %d, limit %d", st.Peak, st.Limit)
	}
	if st.SessionPeak > max(st.PerSession, peak) {
		t.Fatalf("a session held %d, share %d, frame %d", st.SessionPeak, st.PerSession, peak)
	}
}

// A station that uploads without pause holds no more than its share: the
// others' batches are applied while it still sends.
func TestDecodeBudgetGreedyStation(t *testing.T) {
	h := hubtest.NewServerWith(t, "http", hub.Options{}, hubtest.Adapters{
		Sync: hubsync.Options{MaxDecodedBytes: testBudget, MaxDecodedPerSession: testPerSession}})
	greedy := newUploader(t, h, "贪站", 90000, 6000, 100)
	others := make([]*uploader, 6)
	for i := range others {
		others[i] = newUploader(t, h, "站"+string(rune('A'+i)), i*1000, 200, 100)
	}
	greedyErr := greedy.send()
	hubtest.WaitFor(t, 10*time.Second, "the greedy station's first batches", func() bool {
		i, ok := h.Sync.Session("贪站")
		return ok && i.AckedUp > 0
	})
	for _, u := range others {
		u.send()
	}
	for _, u := range others {
		u.acked(t)
	}
	i, _ := h.Sync.Session("贪站")
	if i.AckedUp >= greedy.last {
		t.Fatalf("the greedy station finished (%d of %d) before the others: the test proves nothing", i.AckedUp, greedy.last)
	}
	t.Logf("others done while the greedy station was at %d of %d", i.AckedUp, greedy.last)
	greedy.acked(t)
	if err := <-greedyErr; err != nil {
		t.Fatal(err)
	}
	st := h.Sync.DecodeBudget()
	peak := largestCharge(append(others, greedy)...)
	if st.SessionPeak > max(st.PerSession, peak) || st.Peak > st.Limit {
		t.Fatalf("budget %+v, frame %d", st, peak)
	}
}

// A session waiting for the budget when it is ended gives back what it
// held, and what it waited for; the next session uploads.
func TestDecodeBudgetSessionEndedWhileWaiting(t *testing.T) {
	h := hubtest.NewServerWith(t, "http", hub.Options{}, hubtest.Adapters{
		Sync: hubsync.Options{MaxDecodedBytes: testBudget, MaxDecodedPerSession: testPerSession}})
	u := newUploader(t, h, "站A", 0, 200, 100)
	release := h.Sync.HoldDecodeBudget(testBudget)
	u.send()
	hubtest.WaitFor(t, 10*time.Second, "the session to wait for the budget", func() bool {
		return h.Sync.DecodeBudget().Waiting == 1
	})
	h.Sync.End("站A")
	hubtest.WaitFor(t, 10*time.Second, "the session to end", func() bool { return len(h.Sync.Sessions()) == 0 })
	if st := h.Sync.DecodeBudget(); st.Waiting != 0 || st.InUse != testBudget {
		t.Fatalf("after the waiting session ended: %+v", st)
	}
	release()
	if st := h.Sync.DecodeBudget(); st.InUse != 0 {
		t.Fatalf("after release: %+v", st)
	}
	v := newUploader(t, h, "站B", 1000, 200, 100)
	v.send()
	v.acked(t)
	hubtest.WaitFor(t, 10*time.Second, "the budget back", func() bool { return h.Sync.DecodeBudget().InUse == 0 })
}
