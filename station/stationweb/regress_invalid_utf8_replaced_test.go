package stationweb

import (
	"net/http"
	"strings"
	"testing"
)

// Found by the hostile-input suite: a JSON string holding invalid UTF-8 is
// neither refused nor kept: encoding/json silently replaces each bad byte
// with U+FFFD, so the station stores (and syncs) a value nobody typed. It
// should answer 400 naming the field (or keep the bytes).
func TestRegressInvalidUTF8Replaced(t *testing.T) {
	f := newFixture(t, nil)
	body := workerBody(idNumber("19800101", 11))
	// json.Marshal would itself replace the bad bytes: splice them in.
	body["notes"] = "PLACEHOLDER"
	raw := strings.Replace(mustJSON(body), "PLACEHOLDER", "invalid \xff\xfe utf-8", 1)
	r := f.api("POST", "/api/workers", raw)
	if r.status != http.StatusBadRequest || r.body["field"] != "notes" {
		t.Fatalf("invalid UTF-8: %d %s, want 400 naming notes", r.status, r.raw)
	}
	if msg, _ := r.body["error"].(string); !strings.Contains(msg, "备注") || !strings.Contains(msg, "UTF-8") {
		t.Errorf("message %q does not name the field and the problem", msg)
	}
	var n int
	if err := f.r.DB().QueryRow(`SELECT count(*) FROM workers`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d workers stored (%v), want none", n, err)
	}
}

// Every JSON endpoint refuses text that encoding/json would replace with
// U+FFFD: invalid bytes in a string or in a list, and an escaped lone UTF-16
// surrogate; a proper surrogate pair and a typed U+FFFD are kept.
func TestInvalidUTF8RefusedEverywhere(t *testing.T) {
	f := newFixture(t, nil)
	wid := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	gid := f.mustCreate("/api/gigs", gigBody())
	uid := f.mustCreate("/api/unemployment-registrations", map[string]any{
		"worker_id": wid, "place_type": "户籍地", "registered_on": "2026-11-01", "reason": "合同到期"})
	endpoints := []struct{ method, path, field string }{
		{"POST", "/api/workers", "name"}, {"PATCH", "/api/workers/" + wid, "name"},
		{"POST", "/api/monthly-status", "place"}, {"POST", "/api/unemployment-registrations", "reason"},
		{"PATCH", "/api/unemployment-registrations/" + uid, "deregistration_reason"},
		{"POST", "/api/jobseeker-registrations", "intended_work"}, {"POST", "/api/followups", "content"},
		{"POST", "/api/gigs", "title"}, {"PATCH", "/api/gigs/" + gid, "title"}, {"POST", "/api/placements", "worker_id"},
	}
	for _, ep := range endpoints {
		for name, bad := range map[string]string{
			"bytes":          "\"a\xffb\"",
			"truncated rune": `"长` + "\xe9\x95" + `"`,
			"lone high":      `"a\ud800b"`,
			"lone low":       `"a\udc00b"`,
			"high at end":    `"a\ud800"`,
		} {
			body := `{"` + ep.field + `":` + bad + `}`
			r := f.api(ep.method, ep.path, body)
			if r.status != http.StatusBadRequest || r.body["field"] != ep.field || r.body["error"] == "" {
				t.Errorf("%s %s with %s: %d %s, want 400 naming %s", ep.method, ep.path, name, r.status, r.raw, ep.field)
			}
		}
	}
	// In a list: refused, naming the field.
	r := f.api("POST", "/api/workers", "{\"skills\":[\"电焊\",\"\xff\"]}")
	if r.status != http.StatusBadRequest || r.body["field"] != "skills" {
		t.Errorf("bad element: %d %s", r.status, r.raw)
	}
	// Not an object: refused, naming no field.
	r = f.api("POST", "/api/workers", "[\"\xff\"]")
	if r.status != http.StatusBadRequest || r.body["field"] != nil || r.body["error"] == "" {
		t.Errorf("bad text outside an object: %d %s", r.status, r.raw)
	}
	// English.
	r = f.api("POST", "/api/workers?lang=en", "{\"name\":\"\xff\"}")
	if msg, _ := r.body["error"].(string); !strings.Contains(msg, "name") || !strings.Contains(msg, "UTF-8") {
		t.Errorf("English message: %s", r.raw)
	}
	// Valid text is kept exactly: a surrogate pair, an escaped backslash
	// before a u, a typed replacement character.
	body := workerBody(idNumber("19800101", 22))
	body["notes"] = "PLACEHOLDER"
	want := "羊 𠀀 \\ud800 \ufffd"
	raw := strings.Replace(mustJSON(body), `"PLACEHOLDER"`, `"羊 \ud840\udc00 \\ud800 \ufffd"`, 1)
	id := f.mustCreate("/api/workers", raw)
	if g := f.api("GET", "/api/workers/"+id, nil); g.body["notes"] != want {
		t.Errorf("valid text read back as %q, want %q", g.body["notes"], want)
	}
}
