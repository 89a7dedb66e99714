package stationweb

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"fieldsync/records"
)

// householdPeople registers n people and returns their ids.
func householdPeople(t *testing.T, f *fixture, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		b := workerBody(idNumber("19800101", 300+i))
		b["name"] = []string{"巴特尔", "乌云", "其其格", "苏和", "萨仁", "额尔敦", "娜仁"}[i%7]
		ids[i] = f.mustCreate("/api/workers", b)
	}
	return ids
}

// householdOf reads a worker's household_id as stored.
func householdOf(t *testing.T, f *fixture, worker string) string {
	t.Helper()
	var hid *string
	if err := f.r.DB().QueryRowContext(context.Background(),
		`SELECT household_id FROM workers WHERE lower(hex(id)) = ?`, worker).Scan(&hid); err != nil {
		t.Fatal(err)
	}
	if hid == nil {
		return ""
	}
	return *hid
}

func TestHouseholdAPI(t *testing.T) {
	f := newFixture(t, nil)
	p := householdPeople(t, f, 6)
	hid := f.mustCreate("/api/households", map[string]any{"worker_id": p[0], "village": "150421100201",
		"monitor_type": records.MonitorTypes[0], "zero_employment": true, "notes": "牧户", "member_ids": []string{p[1], p[2]}})
	for _, m := range p[:3] {
		if got := householdOf(t, f, m); got != hid {
			t.Fatalf("member %s: household_id %q, want %q", m, got, hid)
		}
	}

	missing := "0123456789abcdef0123456789abcdef"
	cases := []struct {
		name       string
		method     string
		path       string
		body       any
		status     int
		field      string
		msgContain string
	}{
		{"head required", "POST", "/api/households", map[string]any{"village": "150421100201"}, 400, "worker_id", "人员"},
		{"head unknown", "POST", "/api/households", map[string]any{"worker_id": missing}, 422, "worker_id", "人员"},
		{"bad village", "POST", "/api/households", map[string]any{"worker_id": p[3], "village": "1504"}, 400, "village", "嘎查村"},
		{"bad monitor type", "POST", "/api/households", map[string]any{"worker_id": p[3], "monitor_type": "富裕户"}, 400, "monitor_type", "监测对象类型"},
		{"unknown field", "POST", "/api/households", map[string]any{"worker_id": p[3], "size": 3}, 400, "size", ""},
		{"member unknown", "POST", "/api/households", map[string]any{"worker_id": p[3], "member_ids": []string{missing}}, 422, "member_ids", "人员"},
		{"member not an id", "POST", "/api/households", map[string]any{"worker_id": p[3], "member_ids": []string{"x"}}, 422, "member_ids", "人员"},
		{"member in another household", "POST", "/api/households", map[string]any{"worker_id": p[3], "member_ids": []string{p[1]}}, 409, "member_ids", "另一家庭户"},
		{"head in another household", "POST", "/api/households", map[string]any{"worker_id": p[2]}, 409, "worker_id", "另一家庭户"},
		{"head heads one", "POST", "/api/households", map[string]any{"worker_id": p[0]}, 409, "worker_id", "户主"},
		{"patch the head", "PATCH", "/api/households/" + hid, map[string]any{"worker_id": p[3]}, 400, "worker_id", ""},
		{"patch bad type", "PATCH", "/api/households/" + hid, map[string]any{"monitor_type": "x"}, 400, "monitor_type", "监测对象类型"},
		{"patch unknown", "PATCH", "/api/households/" + missing, map[string]any{"notes": "x"}, 404, "", ""},
		{"get unknown", "GET", "/api/households/" + missing, nil, 404, "", ""},
		{"add member required", "POST", "/api/households/" + hid + "/members", map[string]any{}, 400, "worker_id", "人员"},
		{"add member unknown", "POST", "/api/households/" + hid + "/members", map[string]any{"worker_id": missing}, 422, "worker_id", "人员"},
		{"add member to unknown household", "POST", "/api/households/" + missing + "/members", map[string]any{"worker_id": p[3]}, 404, "", ""},
		{"remove the head", "DELETE", "/api/households/" + hid + "/members/" + p[0], nil, 400, "worker_id", "户主"},
		{"remove a non-member", "DELETE", "/api/households/" + hid + "/members/" + p[4], nil, 404, "", ""},
		{"worker joins unknown household", "PATCH", "/api/workers/" + p[4], map[string]any{"household_id": missing}, 400, "household_id", "家庭户"},
		{"worker moves out of household", "PATCH", "/api/workers/" + p[1], map[string]any{"household_id": missing}, 400, "household_id", "家庭户"},
		{"head leaves by patch", "PATCH", "/api/workers/" + p[0], map[string]any{"household_id": nil}, 400, "household_id", "户主"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before int
			_ = f.r.DB().QueryRow(`SELECT count(*) FROM households`).Scan(&before)
			r := f.api(c.method, c.path, c.body)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.raw)
			}
			if c.field != "" && r.body["field"] != c.field {
				t.Fatalf("field %v, want %s: %s", r.body["field"], c.field, r.raw)
			}
			if msg, _ := r.body["error"].(string); c.msgContain != "" && !strings.Contains(msg, c.msgContain) {
				t.Fatalf("error %q does not contain %q", msg, c.msgContain)
			}
			var after int
			_ = f.r.DB().QueryRow(`SELECT count(*) FROM households`).Scan(&after)
			if after != before {
				t.Fatalf("a refused request left %d households, was %d", after, before)
			}
		})
	}
	// Nothing half-written: the refused households left no member pointing anywhere.
	for _, m := range p[3:] {
		if got := householdOf(t, f, m); got != "" {
			t.Fatalf("worker %s has household_id %q after refused requests", m, got)
		}
	}

	// Members come and go; the designations are edited on the household.
	if r := f.api("POST", "/api/households/"+hid+"/members", map[string]any{"worker_id": p[3]}); r.status != 200 {
		t.Fatalf("add member: %d %s", r.status, r.raw)
	}
	if r := f.api("DELETE", "/api/households/"+hid+"/members/"+p[1], nil); r.status != 200 {
		t.Fatalf("remove member: %d %s", r.status, r.raw)
	}
	if got := householdOf(t, f, p[1]); got != "" {
		t.Fatalf("removed member still has household_id %q", got)
	}
	// A person out of every household joins through the worker's PATCH too.
	if r := f.api("PATCH", "/api/workers/"+p[1], map[string]any{"household_id": hid}); r.status != 200 {
		t.Fatalf("patch household_id: %d %s", r.status, r.raw)
	}
	if r := f.api("PATCH", "/api/households/"+hid, map[string]any{"zero_employment": false, "monitor_type": ""}); r.status != 200 {
		t.Fatalf("patch household: %d %s", r.status, r.raw)
	}
	g := f.api("GET", "/api/households/"+hid, nil)
	if g.status != 200 || g.body["zero_employment"] != false || g.body["monitor_type"] != "" || g.body["notes"] != "牧户" {
		t.Fatalf("household after patch: %d %s", g.status, g.raw)
	}
	members := g.body["members"].([]any)
	if len(members) != 4 || g.body["member_count"].(float64) != 4 {
		t.Fatalf("members: %s", g.raw)
	}
	first := members[0].(map[string]any)
	if first["id"] != p[0] {
		t.Fatalf("the head is not listed first: %v", first["id"])
	}
	if idn, _ := first["id_number"].(string); !strings.Contains(idn, "*") {
		t.Fatalf("member id number not masked: %q", idn)
	}

	// The list and its counts.
	f.mustCreate("/api/households", map[string]any{"worker_id": p[4], "zero_employment": true, "monitor_type": records.MonitorTypes[1]})
	l := f.api("GET", "/api/households", nil)
	counts := l.body["counts"].(map[string]any)
	if l.status != 200 || l.body["total"].(float64) != 2 || counts["zero_employment"].(float64) != 1 || counts["monitored"].(float64) != 1 {
		t.Fatalf("list: %d %s", l.status, l.raw)
	}
}

func TestHouseholdPages(t *testing.T) {
	f := newFixture(t, nil)
	p := householdPeople(t, f, 3)
	b := f.browser()

	// From the worker's page: no household yet, a link to make one.
	w := b.get("/workers/" + p[0])
	if w.status != 200 || !strings.Contains(w.raw, `href="/households/new?head=`+p[0]+`"`) {
		t.Fatalf("worker page without household: %d", w.status)
	}
	nf := b.get("/households/new?head=" + p[0])
	if nf.status != 200 || !strings.Contains(nf.raw, `class="place-picker"`) || !strings.Contains(nf.raw, "150421100201") {
		t.Fatalf("new household form: %d %s", nf.status, nf.raw)
	}
	bad := b.post("/households/new", url.Values{"worker_id": {p[0]}, "village": {"150421100201"}, "monitor_type": {"富裕户"}})
	if bad.status != 400 || !strings.Contains(bad.raw, "监测对象类型") {
		t.Fatalf("bad household form: %d", bad.status)
	}
	r := b.post("/households/new", url.Values{"worker_id": {p[0]}, "village": {"150421100201"},
		"monitor_type": {records.MonitorTypes[0]}, "zero_employment": {"1"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create household: %d %s", r.status, r.raw)
	}
	loc := r.header.Get("Location")
	hid := strings.TrimPrefix(loc, "/households/")

	// Adding a member by search.
	h := b.get(loc + "?q=" + url.QueryEscape("乌云"))
	if h.status != 200 || !strings.Contains(h.raw, `name="worker_id" value="`+p[1]+`"`) {
		t.Fatalf("household search: %d %s", h.status, h.raw)
	}
	if r := b.post(loc+"/members", url.Values{"worker_id": {p[1]}}); r.status != http.StatusSeeOther {
		t.Fatalf("add member: %d %s", r.status, r.raw)
	}
	h = b.get(loc)
	if !strings.Contains(h.raw, `href="/workers/`+p[1]+`"`) || !strings.Contains(h.raw, "零就业家庭") ||
		!strings.Contains(h.raw, records.MonitorTypes[0]) {
		t.Fatalf("household page lacks the member or its designations: %s", h.raw)
	}
	if strings.Contains(h.raw, "<script>") {
		t.Fatal("inline script on the household page")
	}

	// The member's page and the worker list show the designations.
	w = b.get("/workers/" + p[1])
	if !strings.Contains(w.raw, `href="/households/`+hid+`"`) || !strings.Contains(w.raw, "零就业家庭") {
		t.Fatalf("member page lacks the household: %s", w.raw)
	}
	list := b.get("/workers")
	if strings.Count(list.raw, `class="tag zero-employment"`) != 2 {
		t.Fatalf("worker list: want 2 零就业家庭 badges, got %d", strings.Count(list.raw, `class="tag zero-employment"`))
	}

	// Removing the head is refused on the page, naming why.
	rm := b.post(loc+"/members/"+p[0]+"/remove", url.Values{})
	if rm.status != 400 || !strings.Contains(rm.raw, "户主不能移出本户") {
		t.Fatalf("remove head: %d", rm.status)
	}
	if r := b.post(loc+"/members/"+p[1]+"/remove", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("remove member: %d %s", r.status, r.raw)
	}

	// Edit, and the list with its counts.
	if r := b.post(loc+"/edit", url.Values{"village": {"150421100201"}, "monitor_type": {""}, "notes": {"已脱贫"}}); r.status != http.StatusSeeOther {
		t.Fatalf("edit household: %d %s", r.status, r.raw)
	}
	hl := b.get("/households")
	if hl.status != 200 || !strings.Contains(hl.raw, `href="/households/`+hid+`"`) ||
		!strings.Contains(hl.raw, `<td id="count-zero">0</td>`) || !strings.Contains(hl.raw, `<td id="count-households">1</td>`) {
		t.Fatalf("households page: %d %s", hl.status, hl.raw)
	}
}
