package hubweb_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/internal/hubtest"
)

// Every administrator endpoint refuses a request without credentials, with a
// station's sync token, or with a made-up token; pages send the browser to
// the login form.
func TestHostileHubEndpointsRefuseWithoutCredentials(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	e := h.Enroll("站A")
	api := []string{"/api/stations", "/api/dashboard", "/api/report.xlsx", "/api/report.csv", "/api/audit",
		"/api/conflicts", "/api/conflicts/1", "/api/workers", "/api/workers/00000000000000000000000000000000",
		"/api/workers/00000000000000000000000000000000/history", "/api/history/workers/00000000000000000000000000000000"}
	pages := []string{"/", "/dashboard", "/dashboard/report.xlsx", "/dashboard/report.csv", "/conflicts", "/conflicts/1", "/stations"}
	noRedirect := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	for _, auth := range []string{"", "Bearer " + e.Token, "Bearer " + strings.Repeat("x", 43), "Basic " + e.Token} {
		for _, p := range api {
			resp := get(t, noRedirect, h.URL()+p, auth)
			if resp != http.StatusUnauthorized {
				t.Errorf("GET %s with %q: %d, want 401", p, hubtest.Short(auth), resp)
			}
		}
		for _, p := range pages {
			if resp := get(t, noRedirect, h.URL()+p, auth); resp != http.StatusSeeOther && resp != http.StatusUnauthorized {
				t.Errorf("GET %s with %q: %d, want a redirect to the login", p, hubtest.Short(auth), resp)
			}
		}
	}
	// POSTs without a session or token: refused too.
	for _, p := range []string{"/api/conflicts/1/resolve", "/api/conflicts/resolve", "/api/logout"} {
		req, _ := http.NewRequest(http.MethodPost, h.URL()+p, strings.NewReader(`{}`))
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

// Oversized and deeply nested JSON to the hub's login: a clear 4xx, and the
// hub keeps serving.
func TestHostileHubJSONBodies(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	c := h.Client()
	c.Timeout = time.Minute // 8 MB through the race detector on a loaded machine
	for name, body := range map[string]string{
		"oversized": `{"user":"` + strings.Repeat("a", 8<<20) + `","password":"x"}`,
		"nested":    strings.Repeat(`{"user":`, 100_000) + `"x"` + strings.Repeat(`}`, 100_000),
		"array":     strings.Repeat("[", 1_000_000),
		"not json":  "\x00\xff\xfe<script>",
	} {
		resp, err := c.Post(h.URL()+"/api/login", "application/json", strings.NewReader(body))
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
	if st, _ := h.APILogin("nobody", "whatever-password"); st != http.StatusUnauthorized {
		t.Fatalf("the hub no longer answers logins: %d", st)
	}
}
