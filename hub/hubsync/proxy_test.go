package hubsync_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"fieldsync/hub"
	"fieldsync/hub/hubsync"
	"fieldsync/hub/hubweb"
	"fieldsync/internal/hubtest"
	"fieldsync/webkit"
)

// Behind a trusted reverse proxy, the handshakes in flight are counted per
// client (X-Forwarded-For), not per proxy: one client holding its share
// does not turn away another behind the same proxy.
func TestHandshakesPerClientBehindProxy(t *testing.T) {
	tp, err := webkit.ParseTrustedProxies("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	h := hubtest.NewServerWith(t, "http", hub.Options{HandshakeTimeout: 30 * time.Second}, hubtest.Adapters{
		Sync: hubsync.Options{MaxHandshakesPerAddr: 2}, Web: hubweb.HandlerOptions{TrustedProxies: tp}})
	dial := func(client string) int {
		t.Helper()
		hdr := http.Header{"X-Forwarded-For": {client}}
		ws, resp, err := websocket.DefaultDialer.Dial("ws://"+h.Addr+"/sync", hdr)
		if err == nil {
			// Sends no Hello: the handshake slot stays taken.
			t.Cleanup(func() { ws.Close() })
		}
		if resp == nil {
			t.Fatalf("dial as %s: %v", client, err)
		}
		return resp.StatusCode
	}
	for i := range 2 {
		if st := dial("198.51.100.1"); st != http.StatusSwitchingProtocols {
			t.Fatalf("handshake %d of the first client: %d", i, st)
		}
	}
	if st := dial("198.51.100.1"); st != http.StatusServiceUnavailable {
		t.Errorf("a third handshake of the first client: %d, want 503", st)
	}
	if st := dial("198.51.100.2"); st != http.StatusSwitchingProtocols {
		t.Errorf("another client behind the same proxy: %d, want 101", st)
	}
}
