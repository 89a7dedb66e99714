package hub_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"fieldsync/hub"
	"fieldsync/syncproto"
)

// Every administrator endpoint refuses a request without credentials, with a
// station's sync token, or with a made-up token; pages send the browser to
// the login form.
func TestHostileHubEndpointsRefuseWithoutCredentials(t *testing.T) {
	h := newTestHub(t, "http", hub.Options{})
	e := h.enroll("站A")
	api := []string{"/api/stations", "/api/dashboard", "/api/report.xlsx", "/api/report.csv", "/api/audit",
		"/api/conflicts", "/api/conflicts/1", "/api/workers", "/api/workers/00000000000000000000000000000000",
		"/api/workers/00000000000000000000000000000000/history", "/api/history/workers/00000000000000000000000000000000"}
	pages := []string{"/", "/dashboard", "/dashboard/report.xlsx", "/dashboard/report.csv", "/conflicts", "/conflicts/1", "/stations"}
	noRedirect := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	for _, auth := range []string{"", "Bearer " + e.Token, "Bearer " + strings.Repeat("x", 43), "Basic " + e.Token} {
		for _, p := range api {
			resp := get(t, noRedirect, h.url()+p, auth)
			if resp != http.StatusUnauthorized {
				t.Errorf("GET %s with %q: %d, want 401", p, short(auth), resp)
			}
		}
		for _, p := range pages {
			if resp := get(t, noRedirect, h.url()+p, auth); resp != http.StatusSeeOther && resp != http.StatusUnauthorized {
				t.Errorf("GET %s with %q: %d, want a redirect to the login", p, short(auth), resp)
			}
		}
	}
	// POSTs without a session or token: refused too.
	for _, p := range []string{"/api/conflicts/1/resolve", "/api/conflicts/resolve", "/api/logout"} {
		req, _ := http.NewRequest(http.MethodPost, h.url()+p, strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST %s without a token: %d, want 401", p, resp.StatusCode)
		}
	}
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12] + "…"
	}
	return s
}

func get(t *testing.T, c *http.Client, url, auth string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// The sync endpoint: no token, another station's token, a revoked token, a
// handshake replayed after revocation or re-enrollment: all refused with
// the authentication error, and the hub applies nothing.
func TestHostileSyncHandshakes(t *testing.T) {
	h := newTestHub(t, "http", hub.Options{})
	ea := h.enroll("站A")
	eb := h.enroll("站B")
	ec := h.enroll("站C")

	refused := func(name string, hello func(r *rawStation)) {
		t.Helper()
		r := dialRaw(t, h, ea)
		hello(r)
		if got := r.refusal(); got != syncproto.ErrCodeAuth {
			t.Errorf("%s: refused with %v, want %v", name, got, syncproto.ErrCodeAuth)
		}
	}
	noToken := ea
	noToken.Token = ""
	refused("no token", func(r *rawStation) { r.hello(noToken) })
	wrong := ea
	wrong.Token = eb.Token // B's token for A's name and site
	refused("another station's token", func(r *rawStation) { r.hello(wrong) })
	wrongSite := eb
	wrongSite.Site = ea.Site // B's credentials claiming A's site
	refused("another station's site", func(r *rawStation) { r.hello(wrongSite) })
	garbage := ea
	garbage.Token = strings.Repeat("A", 256)
	refused("a made-up token", func(r *rawStation) { r.hello(garbage) })

	// A valid handshake works: the baseline for the replays below.
	r := dialRaw(t, h, ec)
	r.hello(ec)
	r.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if m := readMessage(t, r); m.Type() != syncproto.TypeWelcome {
		t.Fatalf("valid hello answered %v", m.Type())
	}
	r.ws.Close()

	// Revoked: the same handshake replayed is refused.
	if err := h.hub.RevokeStation(context.Background(), "站C"); err != nil {
		t.Fatal(err)
	}
	refused("replayed after revocation", func(r *rawStation) { r.hello(ec) })

	// Re-enrolled: the old token's handshake replayed is refused.
	if _, err := h.hub.AddStation(context.Background(), "站B", "150421001001", true); err != nil {
		t.Fatal(err)
	}
	refused("replayed after re-enrollment", func(r *rawStation) { r.hello(eb) })

	// Nothing from these sessions reached the hub's data.
	var n int
	h.hub.Replica().DB().QueryRow(`SELECT count(*) FROM workers`).Scan(&n)
	if n != 0 {
		t.Fatalf("the hub holds %d workers after refused handshakes", n)
	}
}

func readMessage(t *testing.T, r *rawStation) syncproto.Message {
	t.Helper()
	for {
		mt, b, err := r.ws.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		if mt != websocket.BinaryMessage {
			continue
		}
		m, err := r.codec.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
}

// Oversized and deeply nested JSON to the hub's login: a clear 4xx, and the
// hub keeps serving.
func TestHostileHubJSONBodies(t *testing.T) {
	h := newTestHub(t, "http", hub.Options{})
	c := h.client()
	c.Timeout = time.Minute // 8 MB through the race detector on a loaded machine
	for name, body := range map[string]string{
		"oversized": `{"user":"` + strings.Repeat("a", 8<<20) + `","password":"x"}`,
		"nested":    strings.Repeat(`{"user":`, 100_000) + `"x"` + strings.Repeat(`}`, 100_000),
		"array":     strings.Repeat("[", 1_000_000),
		"not json":  "\x00\xff\xfe<script>",
	} {
		resp, err := c.Post(h.url()+"/api/login", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("%s: %d %s, want a 4xx", name, resp.StatusCode, b)
		}
		if !strings.Contains(string(b), `"error"`) {
			t.Errorf("%s: no error message in %q", name, b)
		}
	}
	if st, _ := h.apiLogin("nobody", "whatever-password"); st != http.StatusUnauthorized {
		t.Fatalf("the hub no longer answers logins: %d", st)
	}
}
