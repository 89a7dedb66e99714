package syncproto_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"fieldsync/syncproto"
)

// wsConns wires two Conns through a real WebSocket on 127.0.0.1: a is the
// dialing side (the station), b the server's (the hub).
func wsConns(t *testing.T, c *syncproto.Codec, opt syncproto.ConnOptions) (syncproto.Conn, syncproto.Conn) {
	ws1, ws2 := wsPair(t)
	return syncproto.NewWebSocketConn(ws1, c, opt), syncproto.NewWebSocketConn(ws2, c, opt)
}

func wsPair(t *testing.T) (client, server *websocket.Conn) {
	served := make(chan *websocket.Conn, 1)
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		served <- ws
	}))
	t.Cleanup(srv.Close)
	client, resp, err := websocket.DefaultDialer.DialContext(t.Context(), "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	select {
	case server = <-served:
	case <-time.After(10 * time.Second):
		t.Fatal("no WebSocket served")
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// TestWebSocketConnRefusesFrames: a text frame, or a frame over the codec's
// limit, is refused with the Error that says why.
func TestWebSocketConnRefusesFrames(t *testing.T) {
	for _, tc := range []struct {
		name  string
		frame func(ws *websocket.Conn) error
		code  syncproto.ErrCode
	}{
		{"text", func(ws *websocket.Conn) error { return ws.WriteMessage(websocket.TextMessage, []byte{4, 1}) }, syncproto.ErrCodeBadMessage},
		{"too large", func(ws *websocket.Conn) error {
			return ws.WriteMessage(websocket.BinaryMessage, make([]byte, syncproto.DefaultMaxFrame+1))
		}, syncproto.ErrCodeTooLarge},
		{"undecodable", func(ws *websocket.Conn) error { return ws.WriteMessage(websocket.BinaryMessage, []byte{4}) }, syncproto.ErrCodeBadMessage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client, server := wsPair(t)
			c := syncproto.NewWebSocketConn(server, testCodec(t), syncproto.ConnOptions{})
			go tc.frame(client)
			_, err := c.Receive()
			if e, ok := err.(*syncproto.Error); !ok || e.Code != tc.code {
				t.Fatalf("Receive = %v, want Error code %v", err, tc.code)
			}
		})
	}
}
