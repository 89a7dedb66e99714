package hubsync_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/internal/hubtest"
	"fieldsync/syncproto"
)

// The sync endpoint: no token, another station's token, a revoked token, a
// handshake replayed after revocation or re-enrollment: all refused with
// the authentication error, and the hub applies nothing.
func TestHostileSyncHandshakes(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	ea := h.Enroll("站A")
	eb := h.Enroll("站B")
	ec := h.Enroll("站C")

	refused := func(name string, hello func(r *hubtest.RawStation)) {
		t.Helper()
		r := hubtest.DialRaw(t, h, ea)
		hello(r)
		if got := r.Refusal(); got != syncproto.ErrCodeAuth {
			t.Errorf("%s: refused with %v, want %v", name, got, syncproto.ErrCodeAuth)
		}
	}
	noToken := ea
	noToken.Token = ""
	refused("no token", func(r *hubtest.RawStation) { r.Hello(noToken) })
	wrong := ea
	wrong.Token = eb.Token // B's token for A's name and site
	refused("another station's token", func(r *hubtest.RawStation) { r.Hello(wrong) })
	wrongSite := eb
	wrongSite.Site = ea.Site // B's credentials claiming A's site
	refused("another station's site", func(r *hubtest.RawStation) { r.Hello(wrongSite) })
	garbage := ea
	garbage.Token = strings.Repeat("A", 256)
	refused("a made-up token", func(r *hubtest.RawStation) { r.Hello(garbage) })

	// A valid handshake works: the baseline for the replays below.
	r := hubtest.DialRaw(t, h, ec)
	r.Hello(ec)
	r.WS.SetReadDeadline(time.Now().Add(10 * time.Second))
	if m := hubtest.ReadMessage(t, r); m.Type() != syncproto.TypeWelcome {
		t.Fatalf("valid hello answered %v", m.Type())
	}
	r.WS.Close()

	// Revoked: the same handshake replayed is refused.
	if err := h.Hub.RevokeStation(context.Background(), "站C"); err != nil {
		t.Fatal(err)
	}
	refused("replayed after revocation", func(r *hubtest.RawStation) { r.Hello(ec) })

	// Re-enrolled: the old token's handshake replayed is refused.
	if _, err := h.Hub.AddStation(context.Background(), "站B", "150421001001", true); err != nil {
		t.Fatal(err)
	}
	refused("replayed after re-enrollment", func(r *hubtest.RawStation) { r.Hello(eb) })

	// Nothing from these sessions reached the hub's data.
	var n int
	h.Hub.Replica().DB().QueryRow(`SELECT count(*) FROM workers`).Scan(&n)
	if n != 0 {
		t.Fatalf("the hub holds %d workers after refused handshakes", n)
	}
}
