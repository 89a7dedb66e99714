package hubweb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/hub/hubweb"
	"fieldsync/internal/hubtest"
	"fieldsync/webkit"
)

// getWith makes a GET with extra headers and returns the status and body.
func getWith(t *testing.T, c *http.Client, u string, hdr map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHealthAndReady(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	c := h.Client()
	if st, body := getWith(t, c, h.URL()+"/healthz", nil); st != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz: %d %q", st, body)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, body := getWith(t, c, h.URL()+"/readyz", nil)
		if st == http.StatusOK && body == "ok\n" {
			break
		}
		if st != http.StatusServiceUnavailable || !strings.Contains(body, "loading") || time.Now().After(deadline) {
			t.Fatalf("/readyz: %d %q", st, body)
		}
		time.Sleep(20 * time.Millisecond) // polling the hub's load
	}
	// A database that no longer answers: 503 with the reason.
	if err := h.Hub.Replica().DB().Close(); err != nil {
		t.Fatal(err)
	}
	st, body := getWith(t, c, h.URL()+"/healthz", nil)
	if st != http.StatusServiceUnavailable || !strings.HasPrefix(body, "database: ") {
		t.Errorf("/healthz with the database closed: %d %q", st, body)
	}
}

func TestMetricsNeedAnAdministrator(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	c := h.Client()
	if st, _ := getWith(t, c, h.URL()+"/metrics", nil); st != http.StatusUnauthorized {
		t.Errorf("/metrics without login: %d, want 401", st)
	}
	if st, _ := getWith(t, c, h.URL()+"/metrics", map[string]string{"Authorization": "Bearer nonsense"}); st != http.StatusUnauthorized {
		t.Errorf("/metrics with a bad token: %d, want 401", st)
	}
	tok := h.AdminToken("ops", access.RoleViewer)
	st, body := getWith(t, c, h.URL()+"/metrics", map[string]string{"Authorization": "Bearer " + tok})
	if st != http.StatusOK {
		t.Fatalf("/metrics with a token: %d %s", st, body)
	}
	for _, want := range []string{"fieldsync_hub_sessions_connected 0", "fieldsync_hub_database_bytes ",
		"fieldsync_hub_wal_bytes ", "fieldsync_hub_changes_applied_total 0", "fieldsync_hub_apply_seconds_count 0"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
	// A web session (cookie) will do too.
	web := h.LoggedIn("watcher", access.RoleViewer)
	if st, _ := getWith(t, web, h.URL()+"/metrics", nil); st != http.StatusOK {
		t.Errorf("/metrics with a web session: %d", st)
	}
}

func TestMetricsElsewhere(t *testing.T) {
	h := hubtest.NewServerWith(t, "http", hub.Options{}, hubtest.Adapters{Web: hubweb.HandlerOptions{MetricsElsewhere: true}})
	tok := h.AdminToken("ops", access.RoleOwner)
	if st, _ := getWith(t, h.Client(), h.URL()+"/metrics", map[string]string{"Authorization": "Bearer " + tok}); st != http.StatusNotFound {
		t.Errorf("/metrics on the main address with --metrics-addr: %d, want 404", st)
	}
}

// Twenty failed logins from one client behind a trusted proxy lock out that
// client only: another client behind the same proxy still logs in, and a
// client that sends X-Forwarded-For straight to the hub is counted by its
// own address.
func TestLockoutBehindTrustedProxy(t *testing.T) {
	tp, err := webkit.ParseTrustedProxies("127.0.0.1/32")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	h := hubtest.NewAccessServerWith(t, "http", hub.Options{RemoteLockAfter: 20}, hubtest.Adapters{
		Web: hubweb.HandlerOptions{TrustedProxies: tp, AccessLog: slog.New(slog.NewJSONHandler(&logs, nil))}})
	h.AddAdmin("carol", access.RoleViewer)
	login := func(client, user, pw string) int {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"user": user, "password": pw})
		req, _ := http.NewRequest(http.MethodPost, h.URL()+"/api/login", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", "10.9.9.9, "+client) // the left entry is the client's own claim
		resp, err := h.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range 20 {
		// A new name each time: the user's own lock-out (5) stays out of it.
		if st := login("198.51.100.7", "guess"+string(rune('a'+i)), "wrong password"); st != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, st)
		}
	}
	if st := login("198.51.100.7", "carol", hubtest.Password("carol")); st != http.StatusTooManyRequests {
		t.Errorf("the guessing client with the right password: %d, want 429", st)
	}
	if st := login("198.51.100.8", "carol", hubtest.Password("carol")); st != http.StatusOK {
		t.Errorf("another client behind the same proxy: %d, want 200", st)
	}
	entries, err := h.Hub.Access().AuditLog(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	remotes := map[string]bool{}
	for _, e := range entries {
		remotes[e.Remote] = true
	}
	if !remotes["198.51.100.7"] || !remotes["198.51.100.8"] || remotes["127.0.0.1"] || remotes["10.9.9.9"] {
		t.Errorf("audit addresses %v: want the clients', not the proxy's or a claimed one", remotes)
	}
	if !strings.Contains(logs.String(), `"client":"198.51.100.7"`) {
		t.Errorf("the access log does not name the client:\n%s", logs.String())
	}
}
