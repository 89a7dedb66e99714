package hub_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"fieldsync/hlc"
	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// rawStation is a hand-driven WebSocket client speaking syncproto, to send
// the hub what a real station never would.
type rawStation struct {
	t     *testing.T
	ws    *websocket.Conn
	codec *syncproto.Codec
}

func dialRaw(t *testing.T, h *testHub, e syncproto.Enrollment) *rawStation {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+h.addr+"/sync", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	s, _ := records.NewSchema()
	return &rawStation{t: t, ws: ws, codec: &syncproto.Codec{Schema: s, Key: e.Key}}
}

func (r *rawStation) send(m syncproto.Message) {
	r.t.Helper()
	b, err := r.codec.Encode(nil, m)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.ws.WriteMessage(websocket.BinaryMessage, b); err != nil {
		r.t.Fatal(err)
	}
}

// refusal reads until the hub's Error, and checks that the hub then closes.
func (r *rawStation) refusal() syncproto.ErrCode {
	r.t.Helper()
	r.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var code syncproto.ErrCode
	for {
		mt, b, err := r.ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if code == 0 && errors.As(err, &ce) && ce.Code == websocket.CloseMessageTooBig {
				return syncproto.ErrCodeTooLarge
			}
			if code == 0 {
				r.t.Fatalf("closed without an Error: %v", err)
			}
			return code
		}
		if mt != websocket.BinaryMessage {
			continue
		}
		m, err := r.codec.Decode(b)
		if err != nil {
			r.t.Fatal(err)
		}
		if e, ok := m.(*syncproto.Error); ok {
			code = e.Code
		}
	}
}

func (r *rawStation) hello(e syncproto.Enrollment) {
	s, _ := records.NewSchema()
	r.send(&syncproto.Hello{Version: syncproto.ProtocolVersion, Schema: s.Fingerprint(), Site: e.Site,
		Station: e.StationID, Token: e.Token, Now: hlc.New(time.Now().UnixMilli(), 0), MaxBatchLen: 1 << 20})
}

// A station that sends another site's changes, or writes the station
// directory, is refused and closed; the other stations keep syncing.
func TestBadStationRefusedOthersContinue(t *testing.T) {
	h := newTestHub(t, "http", hub.Options{})
	ea := h.enroll("站A")
	b := newTestStation(t, h.enroll("站B"), syncclient.Config{})
	c := newTestStation(t, h.enroll("站C"), syncclient.Config{})
	b.start()
	c.start()

	for _, tc := range []struct {
		name   string
		change func(site replica.SiteID) replica.Change
		want   syncproto.ErrCode
	}{
		{"other site", func(site replica.SiteID) replica.Change {
			return replica.Change{Table: records.Gigs, Row: gigEdit(t, "x").Row,
				Version: replica.Version{HLC: hlc.New(time.Now().UnixMilli(), 0), Site: site + 1},
				Fields:  []replica.Field{{Col: 0, Value: "冒名的零工"}}}
		}, syncproto.ErrCodeWrongSite},
		{"station directory", func(site replica.SiteID) replica.Change {
			return replica.Change{Table: records.Stations, Row: gigEdit(t, "x").Row,
				Version: replica.Version{HLC: hlc.New(time.Now().UnixMilli(), 0), Site: site},
				Fields:  []replica.Field{{Col: 0, Value: "假站"}}}
		}, syncproto.ErrCodeForbiddenTable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := dialRaw(t, h, ea)
			r.hello(ea)
			r.send(&syncproto.Batch{First: 1, Last: 1, Changes: []replica.Change{tc.change(ea.Site)}})
			if got := r.refusal(); got != tc.want {
				t.Fatalf("refused with %v, want %v", got, tc.want)
			}
			b.write(gigEdit(t, "B照常 "+tc.name))
			waitFor(t, 5*time.Second, "B's gig to reach C", func() bool {
				var n int
				c.rep.DB().QueryRow(`SELECT count(*) FROM gigs WHERE title = ?`, "B照常 "+tc.name).Scan(&n)
				return n == 1
			})
		})
	}
	var n int
	h.hub.Replica().DB().QueryRow(`SELECT count(*) FROM gigs WHERE title = '冒名的零工'`).Scan(&n)
	if n != 0 {
		t.Fatal("the hub applied a change stamped with another site")
	}
	st, _ := h.hub.Stations(context.Background())
	for _, s := range st {
		if s.Name == "站A" && !strings.Contains(s.LastError, "forbidden") && !strings.Contains(s.LastError, "not writable") {
			t.Fatalf("the hub did not keep A's last error: %q", s.LastError)
		}
	}
}

// Garbage, text, oversized and slow frames are refused with a reason, and
// leave no goroutine behind.
func TestHostileInputRefused(t *testing.T) {
	base := runtime.NumGoroutine()
	h := newTestHub(t, "http", hub.Options{HandshakeTimeout: 300 * time.Millisecond,
		Limits: syncproto.Limits{MaxFrame: 64 << 10}})
	e := h.enroll("站A")

	r := dialRaw(t, h, e)
	r.ws.WriteMessage(websocket.BinaryMessage, []byte{0xff, 1, 2, 3})
	if got := r.refusal(); got != syncproto.ErrCodeBadMessage {
		t.Fatalf("garbage: %v", got)
	}
	r = dialRaw(t, h, e)
	r.ws.WriteMessage(websocket.TextMessage, []byte("hello"))
	if got := r.refusal(); got != syncproto.ErrCodeBadMessage {
		t.Fatalf("text frame: %v", got)
	}
	r = dialRaw(t, h, e)
	r.ws.WriteMessage(websocket.BinaryMessage, make([]byte, 100<<10))
	if got := r.refusal(); got != syncproto.ErrCodeTooLarge {
		t.Fatalf("oversized frame: %v", got)
	}
	r = dialRaw(t, h, e)
	r.hello(e)
	r.ws.WriteMessage(websocket.BinaryMessage, []byte{byte(syncproto.TypeBatch), 0xff, 0xff})
	if got := r.refusal(); got != syncproto.ErrCodeBadMessage {
		t.Fatalf("garbage batch: %v", got)
	}
	r = dialRaw(t, h, e)
	r.send(&syncproto.Hello{Version: syncproto.ProtocolVersion + 1})
	if got := r.refusal(); got != syncproto.ErrCodeProtocolVersion {
		t.Fatalf("protocol version: %v", got)
	}

	// Slow loris: an upgraded connection that never says Hello, and an HTTP
	// request whose headers never end, are both cut after the handshake
	// timeout.
	start := time.Now()
	r = dialRaw(t, h, e)
	if got := r.refusal(); got != syncproto.ErrCodeBadMessage {
		t.Fatalf("silent connection: %v", got)
	}
	conn, err := net.Dial("tcp", h.addr)
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
	h.stop()
	goroutinesBack(t, base)
}

// With TLS, a station holding the hub certificate's pin syncs; one with a
// wrong pin refuses to talk to the hub.
func TestTLSPinnedCertificate(t *testing.T) {
	h := newTestHub(t, "https", hub.Options{})
	e := h.enroll("站A")
	if e.CertPin == "" {
		t.Fatal("enrollment without a certificate pin")
	}
	a := newTestStation(t, e, syncclient.Config{})
	a.write(gigEdit(t, "加密传输"))
	a.start()
	waitFor(t, 10*time.Second, "A to sync over TLS", func() bool { return converged(t, h.hub, a) })

	bad := h.enroll("站B")
	bad.CertPin = strings.Repeat("0", 64)
	b := newTestStation(t, bad, syncclient.Config{})
	b.write(gigEdit(t, "不该送达"))
	b.start()
	waitFor(t, 10*time.Second, "B to refuse the hub", func() bool {
		return strings.Contains(b.client.Status().LastError, "pin")
	})
	if b.client.Status().Connected {
		t.Fatal("B connected to a hub whose certificate does not match its pin")
	}
	var n int
	h.hub.Replica().DB().QueryRow(`SELECT count(*) FROM gigs WHERE title = '不该送达'`).Scan(&n)
	if n != 0 {
		t.Fatal("B's change reached the hub")
	}
}

// Batches that arrive back to back are applied together; when one of them is
// bad, the ones before it still commit and are acknowledged, and the bad
// one ends the session.
func TestGroupedBatchesCommitBeforeBadOne(t *testing.T) {
	h := newTestHub(t, "http", hub.Options{})
	ea := h.enroll("站A")
	s := newTestStation(t, ea, syncclient.Config{})
	const good = 6
	for i := range good {
		s.write(workerEdit(ea.Key, idNumber(100+i), "成组", ""))
	}
	entries, _, err := s.rep.ReadLog(context.Background(), 0, replica.LogQuery{Site: ea.Site, Limit: 100})
	if err != nil || len(entries) != good {
		t.Fatalf("station log: %d entries, %v", len(entries), err)
	}
	r := dialRaw(t, h, ea)
	r.hello(ea)
	for _, e := range entries {
		r.send(&syncproto.Batch{First: e.Seq, Last: e.Seq, Changes: []replica.Change{e.Change}})
	}
	last := entries[len(entries)-1].Seq
	// A worker whose row id is not the one its id number derives.
	bad := entries[0].Change
	bad.Version.HLC++
	bad.Row = ident.ID{0: 1, 15: 7}
	r.send(&syncproto.Batch{First: last + 1, Last: last + 1, Changes: []replica.Change{bad}})
	if got := r.refusal(); got != syncproto.ErrCodeBadMessage {
		t.Fatalf("refused with %v, want %v", got, syncproto.ErrCodeBadMessage)
	}
	if n := rowCount(t, h.hub.Replica(), records.Workers); n != good {
		t.Fatalf("hub holds %d workers, want the %d of the good batches", n, good)
	}
	if c, err := h.hub.Replica().Cursor(context.Background(), "up:"+ea.Site.String()); err != nil || c != last {
		t.Fatalf("hub's cursor for the station = %d, %v; want %d", c, err, last)
	}
}
