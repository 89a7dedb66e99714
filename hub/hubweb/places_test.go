package hubweb_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/internal/hubtest"
	"fieldsync/places/placesweb"
)

// GET /api/places on the hub: places for any signed-in administrator (the
// least role, a viewer, is enough); nothing without a token; errors naming q.
func TestAPIPlaces(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	viewer := h.AdminToken("viewer1", access.RoleViewer)
	path := "/api/places?q=" + url.QueryEscape("乌兰")
	for _, tok := range []string{"", "not-a-token"} {
		if st, body := h.Call("GET", path, tok); st != http.StatusUnauthorized || body["error"] == nil {
			t.Errorf("token %q: %d %v", tok, st, body)
		}
	}
	resp, raw := h.Get(path, viewer)
	var got []struct{ Code, Name, Level, Path string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &got) != nil {
		t.Fatalf("viewer: %d %.300s", resp.StatusCode, raw)
	}
	if len(got) != placesweb.Limit || got[0].Code != "1509" || got[0].Name != "乌兰察布市" || got[1].Path != "兴安盟 / 乌兰浩特市" {
		t.Fatalf("viewer: %+v", got)
	}
	resp, raw = h.Get("/api/places?level="+url.QueryEscape("嘎查村")+"&q="+url.QueryEscape("武川县"), viewer)
	if resp.StatusCode != http.StatusOK || strings.Count(string(raw), `"level":"嘎查村"`) != 2 {
		t.Fatalf("villages: %d %s", resp.StatusCode, raw)
	}
	for _, c := range []struct{ path, want string }{
		{"/api/places?q=", "查询不能为空"},
		{"/api/places?q=&lang=en", "query is required"},
		{"/api/places?q=" + strings.Repeat("x", 51), "查询过长"},
		{"/api/places?q=%FF", "查询的值无法识别"},
	} {
		st, body := h.Call("GET", c.path, viewer)
		if msg, _ := body["error"].(string); st != http.StatusBadRequest || body["field"] != "q" || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %d %v, want 400 naming q: %s", c.path, st, body, c.want)
		}
	}
}
