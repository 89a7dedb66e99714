package hubweb_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/internal/hubtest"
)

// A page of another site whose name an attacker rebinds to the hub's
// address gets nothing: a request naming a host the hub is not is refused
// with 421, pages and API alike, with or without credentials.
func TestHostRebindingRefused(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	tok := h.AdminToken("viewer", access.RoleViewer)
	for _, p := range []string{"/", "/login", "/api/stations", "/static/hub.css", "/sync"} {
		for _, host := range []string{"rebind.example", "rebind.example:" + port(t, h.URL())} {
			req, _ := http.NewRequest(http.MethodGet, h.URL()+p, nil)
			req.Host = host
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := h.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusMisdirectedRequest {
				t.Errorf("GET %s with Host %s: %d %q, want 421", p, host, resp.StatusCode, b)
			}
		}
	}
	// The names the hub answers to: its address, and the host of its URL.
	for _, host := range []string{"127.0.0.1:" + port(t, h.URL()), "localhost:" + port(t, h.URL())} {
		req, _ := http.NewRequest(http.MethodGet, h.URL()+"/api/stations", nil)
		req.Host = host
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := h.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET /api/stations with Host %s: %d, want 200", host, resp.StatusCode)
		}
	}
}

// The guard's refusals speak the hub's language and shape: JSON with an
// error under /api/, text on pages, Chinese unless English is asked for.
func TestGuardRefusalLanguage(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	for _, c := range []struct{ path, want, ctype string }{
		{"/login", "拒绝访问", "text/plain"},
		{"/login?lang=en", "Refused", "text/plain"},
		{"/api/stations", `{"error":"拒绝访问`, "application/json"},
		{"/api/stations?lang=en", `{"error":"Refused`, "application/json"},
	} {
		req, _ := http.NewRequest(http.MethodGet, h.URL()+c.path, nil)
		req.Host = "rebind.example"
		resp, err := h.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusMisdirectedRequest || !strings.HasPrefix(string(b), c.want) ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), c.ctype) {
			t.Errorf("%s: %d %s %q, want 421 %s %q…", c.path, resp.StatusCode, resp.Header.Get("Content-Type"), b, c.ctype, c.want)
		}
	}
}

// A page of another site posting to the hub's forms from an administrator's
// browser is refused (403) even with everything else right (the session
// cookie and the form's CSRF token, which a browser would send along); the
// same form posted by the hub's own page goes through.
func TestCrossOriginPostRefused(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	h.AddAdmin("boss", access.RoleOwner)
	cross := map[string]func(*http.Request){
		"Origin":         func(r *http.Request) { r.Header.Set("Origin", "https://evil.example") },
		"Sec-Fetch-Site": func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") },
	}
	post := func(c *http.Client, path string, form url.Values, set func(*http.Request)) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, h.URL()+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if set != nil {
			set(req)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	csrfOf := func(c *http.Client, path string) string {
		t.Helper()
		_, _, body := hubtest.Page(t, c, h.URL()+path)
		m := hubtest.CSRFPattern.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s without a CSRF token", path)
		}
		return m[1]
	}
	noFollow := func(c *http.Client) *http.Client {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		return c
	}
	for name, set := range cross {
		// The login form, with the right password and the form's token.
		c := noFollow(h.Client())
		form := url.Values{"csrf": {csrfOf(c, "/login")}, "user": {"boss"}, "password": {hubtest.Password("boss")}}
		if st := post(c, "/login", form, set); st != http.StatusForbidden {
			t.Errorf("cross-origin login (%s): %d, want 403", name, st)
		}
		if st := post(c, "/login", form, nil); st != http.StatusSeeOther {
			t.Fatalf("same-origin login: %d, want 303", st)
		}
		// Logging out, from a live session with its token.
		logout := url.Values{"csrf": {csrfOf(c, "/")}}
		if st := post(c, "/logout", logout, set); st != http.StatusForbidden {
			t.Errorf("cross-origin logout (%s): %d, want 403", name, st)
		}
		if st := post(c, "/logout", logout, nil); st != http.StatusSeeOther {
			t.Errorf("same-origin logout: %d, want 303", st)
		}
	}
}

func port(t *testing.T, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return p.Port()
}
