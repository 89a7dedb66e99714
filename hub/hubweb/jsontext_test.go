package hubweb_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/internal/hubtest"
)

// The hub's JSON endpoints refuse text that encoding/json would silently
// replace with U+FFFD (invalid UTF-8 bytes, an escaped lone surrogate):
// 400 naming the field, instead of acting on a value nobody typed.
func TestHubJSONInvalidUTF8(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	resolver := h.AdminToken("resolver1", access.RoleResolver)
	post := func(path, token, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", h.URL()+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := h.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	cases := []struct{ path, token, body, field string }{
		{"/api/login", "", "{\"user\":\"a\xffb\",\"password\":\"x\"}", "user"},
		{"/api/login", "", `{"user":"x","password":"a\udc00"}`, "password"},
		{"/api/conflicts/1/resolve", resolver, "{\"value\":\"\xe9\x95\"}", "value"},
		{"/api/conflicts/1/resolve", resolver, `{"choose":"\ud800"}`, "choose"},
		{"/api/conflicts/resolve", resolver, "{\"ids\":[1],\"value\":\"a\xff\"}", "value"},
		{"/api/conflicts/resolve", resolver, "[\"\xff\"]", ""},
	}
	for _, c := range cases {
		st, body := post(c.path, c.token, c.body)
		msg, _ := body["error"].(string)
		field, _ := body["field"].(string)
		if st != http.StatusBadRequest || field != c.field || !strings.Contains(msg, "UTF-8") {
			t.Errorf("POST %s %q: %d %v, want 400 naming %q", c.path, c.body, st, body, c.field)
		}
	}
	// A valid surrogate pair is not refused as bad text.
	if st, body := post("/api/login", "", `{"user":"\ud840\udc00","password":"whatever-password"}`); st != http.StatusUnauthorized {
		t.Errorf("login with a surrogate pair: %d %v, want 401", st, body)
	}
}
