package hubtest

import (
	"errors"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"fieldsync/hlc"
	"fieldsync/records"
	"fieldsync/syncproto"
)

// RawStation is a hand-driven WebSocket client speaking syncproto, to send
// the hub what a real station never would.
type RawStation struct {
	t     testing.TB
	WS    *websocket.Conn
	Codec *syncproto.Codec
}

// DialRaw opens a WebSocket to the hub's /sync, closed when the test ends;
// e gives the codec its key.
func DialRaw(t *testing.T, h *Server, e syncproto.Enrollment) *RawStation {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+h.Addr+"/sync", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	s, _ := records.NewSchema()
	return &RawStation{t: t, WS: ws, Codec: &syncproto.Codec{Schema: s, Key: e.Key}}
}

// Send encodes and sends one message.
func (r *RawStation) Send(m syncproto.Message) {
	r.t.Helper()
	b, err := r.Codec.Encode(nil, m)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.WS.WriteMessage(websocket.BinaryMessage, b); err != nil {
		r.t.Fatal(err)
	}
}

// Refusal reads until the hub's Error, and checks that the hub then closes.
func (r *RawStation) Refusal() syncproto.ErrCode {
	r.t.Helper()
	r.WS.SetReadDeadline(time.Now().Add(10 * time.Second))
	var code syncproto.ErrCode
	for {
		mt, b, err := r.WS.ReadMessage()
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
		m, err := r.Codec.Decode(b)
		if err != nil {
			r.t.Fatal(err)
		}
		if e, ok := m.(*syncproto.Error); ok {
			code = e.Code
		}
	}
}

// Hello sends the handshake a station with enrollment e would send.
func (r *RawStation) Hello(e syncproto.Enrollment) {
	s, _ := records.NewSchema()
	r.Send(&syncproto.Hello{Version: syncproto.ProtocolVersion, Schema: s.Fingerprint(), Site: e.Site,
		Station: e.StationID, Token: e.Token, Now: hlc.New(time.Now().UnixMilli(), 0), MaxBatchLen: 1 << 20})
}

// ReadMessage reads the next syncproto message from the hub.
func ReadMessage(t testing.TB, r *RawStation) syncproto.Message {
	t.Helper()
	for {
		mt, b, err := r.WS.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		if mt != websocket.BinaryMessage {
			continue
		}
		m, err := r.Codec.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
}

// Welcome reads the hub's answer to the Hello, failing the test on anything
// else.
func (r *RawStation) Welcome() *syncproto.Welcome {
	r.t.Helper()
	r.WS.SetReadDeadline(time.Now().Add(10 * time.Second))
	m := ReadMessage(r.t, r)
	w, ok := m.(*syncproto.Welcome)
	if !ok {
		r.t.Fatalf("got %v, want Welcome (%v)", m.Type(), m)
	}
	return w
}

// Ack reads the hub's messages, skipping its batches, until an Ack, and
// returns its sequence; an Error fails the test.
func (r *RawStation) Ack() uint64 {
	r.t.Helper()
	r.WS.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		switch m := ReadMessage(r.t, r).(type) {
		case *syncproto.Ack:
			return m.Seq
		case *syncproto.Error:
			r.t.Fatalf("refused: %v", m)
		}
	}
}
