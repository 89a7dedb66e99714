package hubsync_test

import (
	"bufio"
	"context"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"fieldsync/hub"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// Garbage, text, oversized and slow frames are refused with a reason, and
// leave no goroutine behind.
func TestHostileInputRefused(t *testing.T) {
	base := runtime.NumGoroutine()
	h := hubtest.NewServer(t, "http", hub.Options{HandshakeTimeout: 300 * time.Millisecond,
		Limits: syncproto.Limits{MaxFrame: 64 << 10}})
	e := h.Enroll("站A")

	r := hubtest.DialRaw(t, h, e)
	r.WS.WriteMessage(websocket.BinaryMessage, []byte{0xff, 1, 2, 3})
	if got := r.Refusal(); got != syncproto.ErrCodeBadMessage {
		t.Fatalf("garbage: %v", got)
	}
	r = hubtest.DialRaw(t, h, e)
	r.WS.WriteMessage(websocket.TextMessage, []byte("hello"))
	if got := r.Refusal(); got != syncproto.ErrCodeBadMessage {
		t.Fatalf("text frame: %v", got)
	}
	r = hubtest.DialRaw(t, h, e)
	r.WS.WriteMessage(websocket.BinaryMessage, make([]byte, 100<<10))
	if got := r.Refusal(); got != syncproto.ErrCodeTooLarge {
		t.Fatalf("oversized frame: %v", got)
	}
	r = hubtest.DialRaw(t, h, e)
	r.Hello(e)
	r.WS.WriteMessage(websocket.BinaryMessage, []byte{byte(syncproto.TypeBatch), 0xff, 0xff})
	if got := r.Refusal(); got != syncproto.ErrCodeBadMessage {
		t.Fatalf("garbage batch: %v", got)
	}
	r = hubtest.DialRaw(t, h, e)
	r.Send(&syncproto.Hello{Version: syncproto.ProtocolVersion + 1})
	if got := r.Refusal(); got != syncproto.ErrCodeProtocolVersion {
		t.Fatalf("protocol version: %v", got)
	}

	// Slow loris: an upgraded connection that never says Hello, and an HTTP
	// request whose headers never end, are both cut after the handshake
	// timeout.
	start := time.Now()
	r = hubtest.DialRaw(t, h, e)
	if got := r.Refusal(); got != syncproto.ErrCodeBadMessage {
		t.Fatalf("silent connection: %v", got)
	}
	conn, err := net.Dial("tcp", h.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("GET /sync HTTP/1.1\r\nHost: x\r\n"))
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := bufio.NewReader(conn).ReadString('\n'); err == nil {
		// The server may answer 408 before closing; either way it must end.
		if _, err := conn.Read(make([]byte, 1)); err == nil {
			t.Fatal("slow headers not cut")
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("slow connections cut after %s", d)
	}
	h.Stop()
	hubtest.GoroutinesBack(t, base)
}

// Batches that arrive back to back are applied together; when one of them is
// bad, the ones before it still commit and are acknowledged, and the bad
// one ends the session.
func TestGroupedBatchesCommitBeforeBadOne(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	ea := h.Enroll("站A")
	s := hubtest.NewStation(t, ea, syncclient.Config{})
	const good = 6
	for i := range good {
		s.Write(hubtest.WorkerEdit(ea.Key, hubtest.IDNumber(100+i), "成组", ""))
	}
	entries, _, err := s.Rep.ReadLog(context.Background(), 0, replica.LogQuery{Site: ea.Site, Limit: 100})
	if err != nil || len(entries) != good {
		t.Fatalf("station log: %d entries, %v", len(entries), err)
	}
	r := hubtest.DialRaw(t, h, ea)
	r.Hello(ea)
	for _, e := range entries {
		r.Send(&syncproto.Batch{First: e.Seq, Last: e.Seq, Changes: []replica.Change{e.Change}})
	}
	last := entries[len(entries)-1].Seq
	// A change stamped by another site: the whole batch is refused (a
	// change the station may not make is refused alone, its batch applied).
	// It registers a seventh worker, valid but for its stamp.
	s.Write(hubtest.WorkerEdit(ea.Key, hubtest.IDNumber(100+good), "成组", ""))
	next, _, err := s.Rep.ReadLog(context.Background(), last, replica.LogQuery{Site: ea.Site, Limit: 100})
	if err != nil || len(next) != 1 {
		t.Fatalf("station log after %d: %d entries, %v", last, len(next), err)
	}
	bad := next[0].Change
	bad.Version.Site = ea.Site + 1
	r.Send(&syncproto.Batch{First: last + 1, Last: last + 1, Changes: []replica.Change{bad}})
	if got := r.Refusal(); got != syncproto.ErrCodeWrongSite {
		t.Fatalf("refused with %v, want %v", got, syncproto.ErrCodeWrongSite)
	}
	if n := hubtest.RowCount(t, h.Hub.Replica(), records.Workers); n != good {
		t.Fatalf("hub holds %d workers, want the %d of the good batches", n, good)
	}
	if c, err := h.Hub.Replica().Cursor(context.Background(), "up:"+ea.Site.String()); err != nil || c != last {
		t.Fatalf("hub's cursor for the station = %d, %v; want %d", c, err, last)
	}
}
