package stationweb

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// hubWrites writes edits at hub (a replica standing for the county hub: its
// own site) and applies them to f, as the hub sends its own changes.
func (f *fixture) hubWrites(hub *fixture, edits ...replica.Edit) {
	f.t.Helper()
	ctx := context.Background()
	changes, err := hub.r.Update(ctx, func(tx *replica.Tx) error {
		for _, e := range edits {
			if _, err := tx.Edit(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.r.Apply(ctx, changes, "", 0); err != nil {
		f.t.Fatal(err)
	}
}

// refusalEdit is the row the hub writes for a refused column of a change.
func refusalEdit(t testing.TB, table, row, column, value, key, reason, state, at string) replica.Edit {
	t.Helper()
	id, err := ident.NewTimeOrdered(testNow)
	if err != nil {
		t.Fatal(err)
	}
	return replica.Edit{Table: records.Refusals, Row: id, Set: []replica.ColumnValue{
		{Column: "station", Value: "红旗嘎查"}, {Column: "table_name", Value: table}, {Column: "row_id", Value: row},
		{Column: "column_name", Value: column}, {Column: "value", Value: value}, {Column: "reason_key", Value: key},
		{Column: "reason", Value: reason}, {Column: "state", Value: state}, {Column: "refused_at", Value: at},
		{Column: "version", Value: "v1"},
	}}
}

// TestRefusalsPage: the changes the hub did not accept are listed newest
// first, in Chinese (the record's and the field's labels, the state, the
// reason from its key, else the hub's text), the values escaped, the held
// records linked; the navigation counts those refused or waiting; the API
// lists the same.
func TestRefusalsPage(t *testing.T) {
	f := newFixture(t, nil)
	hub := f.peer("县级平台")
	b := f.browser()
	r := b.get("/refusals")
	if r.status != 200 || !strings.Contains(r.raw, `id="refusals-none"`) || !strings.Contains(r.raw, "没有需要处理的记录") ||
		!strings.Contains(r.raw, `href="/refusals"`) || strings.Contains(r.raw, `id="refusal-count"`) {
		t.Fatalf("empty page: %d\n%s", r.status, r.raw)
	}
	if a := f.api("GET", "/api/refusals", nil); a.status != 200 || a.body["total"] != float64(0) || len(a.body["refusals"].([]any)) != 0 {
		t.Fatalf("empty API: %d %v", a.status, a.raw)
	}

	wid := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	gid := f.mustCreate("/api/gigs", gigBody())
	other := strings.Repeat("ab", 16)
	f.hubWrites(hub,
		refusalEdit(t, records.Workers, wid, "phone", "<script>alert(1)</script>", records.KeyPhone, "bad phone",
			records.RefusalRefused, "2026-11-15T08:00:00Z"),
		refusalEdit(t, records.Gigs, gid, "", "", "some_future_key", "县级管理员审核中",
			records.RefusalWaiting, "2026-11-15T01:00:00Z"),
		refusalEdit(t, records.Placements, other, "status", `=HYPERLINK("http://x","y")`, records.KeyGigFull, "",
			records.RefusalApproved, "2026-11-14T02:00:00Z"),
		// A key whose message wants more than the label: the hub's text.
		refusalEdit(t, records.MonthlyStatus, other, "monthly_income", "99999999", records.KeyTooLong, "收入超出范围",
			records.RefusalDeclined, "2026-11-15T09:00:00Z"),
	)

	r = b.get("/refusals")
	if r.status != 200 {
		t.Fatalf("page: %d\n%s", r.status, r.raw)
	}
	// Newest first: each row's marks, in order.
	rows := [][]string{
		{"2026-11-15 17:00", "未批准", "月度就业状态", "月收入（元）", "99999999", "收入超出范围"},
		{"2026-11-15 16:00", "未被接受", `<a href="/workers/` + wid + `">人员</a>`, "联系电话",
			"&lt;script&gt;alert(1)&lt;/script&gt;", "联系电话应为11位手机号码，或固定电话（区号-号码，如0471-1234567）"},
		{"2026-11-15 09:00", "等待县级批准", `<a href="/gigs/` + gid + `">零工信息</a>`, "整条修改", "县级管理员审核中"},
		{"2026-11-14 10:00", "已批准", "零工安排", "状态", "=HYPERLINK(&#34;http://x&#34;,&#34;y&#34;)", "该零工信息已招满"},
	}
	at := strings.Index(r.raw, `id="refusals"`)
	if at < 0 {
		t.Fatalf("no list:\n%s", r.raw)
	}
	for i, row := range rows {
		for _, want := range row {
			n := strings.Index(r.raw[at:], want)
			if n < 0 {
				t.Fatalf("row %d: %q missing or out of order in\n%s", i, want, r.raw)
			}
			at += n + len(want)
		}
	}
	if strings.Contains(r.raw, "<script>alert") || strings.Contains(r.raw, "/workers/"+other) || strings.Contains(r.raw, "/placements/") {
		t.Fatalf("unescaped value or a link to a record not held:\n%s", r.raw)
	}
	// The navigation counts the refused and the waiting, on every page.
	for _, p := range []string{"/", "/refusals", "/gigs"} {
		if r := b.get(p); !strings.Contains(r.raw, `<span class="count" id="refusal-count">2</span>`) {
			t.Errorf("%s: no count of 2 in the navigation", p)
		}
	}
	if r := b.get("/refusals?lang=en"); !strings.Contains(r.raw, "Changes the county did not accept") ||
		!strings.Contains(r.raw, "Waiting for the county") || !strings.Contains(r.raw, "phone must be an 11-digit mobile number") {
		t.Errorf("English page:\n%s", r.raw)
	}

	a := f.api("GET", "/api/refusals", nil)
	list, _ := a.body["refusals"].([]any)
	if a.status != 200 || a.body["total"] != float64(4) || len(list) != 4 {
		t.Fatalf("API: %d %s", a.status, a.raw)
	}
	second := list[1].(map[string]any)
	for k, want := range map[string]any{"state": "refused", "state_label": "未被接受", "open": true, "table": "workers",
		"table_label": "人员", "row_id": wid, "link": "/workers/" + wid, "column": "phone", "column_label": "联系电话",
		"value": "<script>alert(1)</script>", "reason_key": "phone", "reason": "联系电话应为11位手机号码，或固定电话（区号-号码，如0471-1234567）",
		"refused_at": "2026-11-15T08:00:00Z", "time": "2026-11-15 16:00"} {
		if second[k] != want {
			t.Errorf("API %s = %v, want %v", k, second[k], want)
		}
	}
	if first := list[0].(map[string]any); first["state"] != "declined" || first["link"] != nil || first["open"] != false {
		t.Errorf("API newest: %v", first)
	}
	if a := f.api("GET", "/api/refusals?limit=1", nil); len(a.body["refusals"].([]any)) != 1 {
		t.Errorf("limit=1: %s", a.raw)
	}
	if a := f.api("GET", "/api/refusals?limit=0", nil); a.status != 400 || a.body["field"] != "limit" {
		t.Errorf("limit=0: %d %s", a.status, a.raw)
	}
}

// TestRefusalsNeedLogin: where staff must log in, the page and the API do
// as every other read.
func TestRefusalsNeedLogin(t *testing.T) {
	f := loginFixture(t, true)
	if r := f.api("GET", "/api/refusals", nil); r.status != http.StatusUnauthorized {
		t.Fatalf("API without login: %d %s", r.status, r.raw)
	}
	if r := f.apiAs("李四", "GET", "/api/refusals", ""); r.status != 200 {
		t.Fatalf("API as staff: %d %s", r.status, r.raw)
	}
	if r := f.browser().get("/refusals"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login" {
		t.Fatalf("page without login: %d %v", r.status, r.header)
	}
}

// TestGigFullByCountyCount: a gig the county filled (gig_fill) through
// other stations' placements refuses this station's placement as full, and
// its page shows the county's count.
func TestGigFullByCountyCount(t *testing.T) {
	f := newFixture(t, nil)
	hub := f.peer("县级平台")
	gid := f.mustCreate("/api/gigs", gigBody()) // headcount 2
	w := workerBody(idNumber("19800101", 11))
	w["skills"] = []string{"采摘"}
	wid := f.mustCreate("/api/workers", w)
	f.hubWrites(hub, replica.Edit{Table: records.GigFill, Row: mustID(t, gid),
		Set: []replica.ColumnValue{{Column: "placed", Value: int64(2)}}})
	if r := f.api("GET", "/api/gigs/"+gid, nil); r.body["placed"] != float64(2) {
		t.Fatalf("gig: %v", r.body)
	}
	if r := f.api("POST", "/api/placements", map[string]any{"gig_id": gid, "worker_id": wid}); r.status != http.StatusConflict ||
		r.body["field"] != "gig_id" || r.body["error"] != records.Message("zh", records.KeyGigFull) {
		t.Fatalf("placed in a gig the county filled: %d %v", r.status, r.body)
	}
	b := f.browser()
	r := b.post("/gigs/"+gid+"/place", url.Values{"worker_id": {wid}})
	if r.status != http.StatusConflict || !strings.Contains(r.raw, "该零工信息已招满") || !strings.Contains(r.raw, "<td>2 / 2</td>") {
		t.Fatalf("place form: %d\n%s", r.status, r.raw)
	}
	if r := b.get("/gigs"); !strings.Contains(r.raw, "<td>2</td><td>2</td>") {
		t.Fatalf("gig board does not show the county's count:\n%s", r.raw)
	}
}
