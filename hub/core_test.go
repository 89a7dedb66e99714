package hub_test

import (
	"context"
	"testing"

	"fieldsync/hub"
)

// coreHub is a hub core opened on a temporary folder, without its adapters:
// the core's tests reach it through its own API, with no sockets.
type coreHub struct {
	t   *testing.T
	dir string
	hub *hub.Hub
}

// newCoreHub initialises a hub in a temporary folder and opens it; the
// test's cleanup closes it.
func newCoreHub(t *testing.T) *coreHub {
	t.Helper()
	h := &coreHub{t: t, dir: t.TempDir()}
	if err := hub.Init(h.dir, "测试县", "http://127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	h.open()
	t.Cleanup(h.close)
	return h
}

// open opens the hub's database (again, after close).
func (h *coreHub) open() {
	h.t.Helper()
	hb, err := hub.Open(context.Background(), hub.Options{Dir: h.dir, Synchronous: "NORMAL"})
	if err != nil {
		h.t.Fatal(err)
	}
	h.hub = hb
}

// close closes the hub; closing a closed one does nothing.
func (h *coreHub) close() {
	if h.hub == nil {
		return
	}
	if err := h.hub.Close(); err != nil {
		h.t.Error(err)
	}
	h.hub = nil
}

// enroll adds a station.
func (h *coreHub) enroll(name string) {
	h.t.Helper()
	if _, err := h.hub.AddStation(context.Background(), name, "150421001001", false); err != nil {
		h.t.Fatal(err)
	}
}
