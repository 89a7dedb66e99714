package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
)

// controlChars holds every C0 control character, inside a value (white space
// at the ends is trimmed by design).
func controlChars() string {
	var b strings.Builder
	b.WriteString("c")
	for c := 0; c < 0x20; c++ {
		b.WriteByte(byte(c))
	}
	b.WriteString("d")
	return b.String()
}

// Hostile strings through the whole path: SQL, HTML, every control
// character, right-to-left marks and overrides, the longest notes allowed:
// written at station A through its JSON API, synced to the hub, read back
// unchanged in the hub's replica and API and at station B (whose scope the
// county extends to these workers; gigs are county-wide), and rendered
// escaped in both stations' worker pages and the hub's worker page and
// search. Longer notes and invalid UTF-8 are refused with a 400 naming the
// field.
func TestHostileStringsThroughSync(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	a := newAPIStation(t, h.Server, "站A")
	b := newAPIStation(t, h.Server, "站B")
	values := []string{
		`'; DROP TABLE workers;--`,
		`" OR 1=1; DELETE FROM fs_meta WHERE '1'='1`,
		`<script>alert(1)</script>`,
		`<img src=x onerror=alert(1)>"'&`,
		controlChars(),
		"\u202eRTL override\u202c, \u200fmark\u200e, \u2067isolate\u2069",
		"emoji 🐑 and 𠀀, a typed \ufffd",
		strings.Repeat("长", 2000), // notes: at most 2,000 characters
	}
	type written struct {
		value, worker, followup, gig string
		name                         string
	}
	var ws []written
	for i, v := range values {
		if strings.TrimSpace(v) != v {
			t.Fatalf("value %d: would be trimmed", i)
		}
		name := v
		if utf8.RuneCountInString(name) > 50 {
			name = fmt.Sprintf("长值%d", i)
		}
		body := apiWorkerBody(hubtest.IDNumber(5000+i), name)
		body["notes"] = v
		w := written{value: v, name: name}
		w.worker = a.mustCreate("/api/workers", body)
		w.followup = a.mustCreate("/api/followups", map[string]any{"worker_id": w.worker, "date": "2026-11-10",
			"method": "上门", "service_type": "岗位推荐", "content": v, "staff": name})
		w.gig = a.mustCreate("/api/gigs", map[string]any{"title": name, "occupation": "采摘", "headcount": 5,
			"wage": 150, "wage_unit": "元/天", "settlement": "日结", "place": "150421100", "address": name,
			"start_date": "2026-11-20", "employer": name, "contact": "13800138000"})
		ws = append(ws, w)
	}
	// Refused, naming the field: notes beyond 2,000 characters, invalid UTF-8.
	long := apiWorkerBody(hubtest.IDNumber(5100), "太长")
	long["notes"] = strings.Repeat("长", 10_000)
	if st, out := a.api("POST", "/api/workers", long); st != http.StatusBadRequest || out["field"] != "notes" {
		t.Errorf("10,000-character notes: %d %v, want 400 naming notes", st, out)
	}
	bad := strings.Replace(hubtest.MustJSONString(apiWorkerBody(hubtest.IDNumber(5101), "无效")), `"无效"`, "\"in\xffvalid\"", 1)
	if st, out := a.api("POST", "/api/workers", bad); st != http.StatusBadRequest || out["field"] != "name" {
		t.Errorf("invalid UTF-8: %d %v, want 400 naming name", st, out)
	}

	hubtest.WaitFor(t, 30*time.Second, "A's records at the hub", func() bool {
		return inSync(t, h.Server, a)
	})
	var ids []ident.ID
	for _, w := range ws {
		ids = append(ids, mustParseID(t, w.worker))
	}
	if err := h.Hub.AddToScope(context.Background(), "站B", ids); err != nil {
		t.Fatal(err)
	}
	b.client.Kick()
	hubtest.WaitFor(t, 30*time.Second, "B to hold the workers", func() bool {
		return inSync(t, h.Server, b) && hubtest.RowCount(t, b.rep, records.Workers) == len(ws)
	})

	text := func(r *replica.Replica, table, id, col string) string {
		t.Helper()
		row := mustParseID(t, id)
		var s string
		if err := r.DB().QueryRow(`SELECT `+col+` FROM `+table+` WHERE id = ?`, row[:]).Scan(&s); err != nil {
			t.Fatalf("%s %s.%s: %v", id, table, col, err)
		}
		return s
	}
	viewer := h.AdminToken("viewer1", access.RoleViewer)
	web := h.LoggedIn("viewer2", access.RoleViewer)
	for i, w := range ws {
		// Unchanged in every replica.
		for _, at := range []struct {
			name string
			r    *replica.Replica
		}{{"A", a.rep}, {"hub", h.Hub.Replica()}, {"B", b.rep}} {
			if got := text(at.r, records.Workers, w.worker, "notes"); got != w.value {
				t.Errorf("value %d: notes at %s = %q, want %q", i, at.name, hubtest.Short(got), hubtest.Short(w.value))
			}
			if got := text(at.r, records.Workers, w.worker, "name"); got != w.name {
				t.Errorf("value %d: name at %s = %q", i, at.name, hubtest.Short(got))
			}
			if got := text(at.r, records.Followups, w.followup, "content"); got != w.value {
				t.Errorf("value %d: follow-up content at %s = %q", i, at.name, hubtest.Short(got))
			}
			for _, col := range []string{"title", "address", "employer"} {
				if got := text(at.r, records.Gigs, w.gig, col); got != w.name {
					t.Errorf("value %d: gig %s at %s = %q", i, col, at.name, hubtest.Short(got))
				}
			}
		}
		// Unchanged through B's API and the hub's.
		if st, out := b.api("GET", "/api/workers/"+w.worker, nil); st != http.StatusOK || out["notes"] != w.value || out["name"] != w.name {
			t.Errorf("value %d: B's API: %d notes %q", i, st, hubtest.Short(fmt.Sprint(out["notes"])))
		}
		st, out := h.Call("GET", "/api/workers/"+w.worker, viewer)
		if f, _ := out["fields"].(map[string]any); st != http.StatusOK || f["notes"] != w.value || f["name"] != w.name {
			t.Errorf("value %d: the hub's API: %d %v", i, st, hubtest.Short(fmt.Sprint(out["fields"])))
		}
		// Rendered escaped.
		pages := map[string]string{}
		for _, s := range []*apiStation{a, b} {
			for _, p := range []string{"/workers/" + w.worker, "/workers?q=" + url.QueryEscape(w.name), "/gigs/" + w.gig, "/gigs"} {
				code, body := s.page(p)
				if code != http.StatusOK {
					t.Errorf("value %d: %s %s: %d", i, s.name, p, code)
				}
				pages[s.name+" "+p] = body
			}
		}
		for _, p := range []string{"/workers/" + w.worker, "/workers?q=" + url.QueryEscape(w.name)} {
			code, _, body := hubtest.Page(t, web, h.URL()+p)
			if code != http.StatusOK {
				t.Errorf("value %d: hub %s: %d", i, p, code)
			}
			pages["hub "+p] = body
		}
		for where, body := range pages {
			for _, raw := range []string{"<script>alert", "<img src=x", "onerror=alert(1)>"} {
				if strings.Contains(body, raw) {
					t.Errorf("value %d: %s renders %q unescaped", i, where, raw)
				}
			}
			if strings.HasPrefix(w.value, "<script>") && !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("value %d: %s does not show the value, escaped", i, where)
			}
		}
	}
}
