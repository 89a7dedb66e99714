package stationweb

import (
	"net/url"
	"strings"
	"testing"
)

// TestListsOverlap: a month's status is 就业 or 失业 with willing_away; the
// 有意愿外出 list is the people flagged, whatever their status, so the lists
// overlap; the old list name sent by a client becomes 失业 with the flag.
func TestListsOverlap(t *testing.T) {
	f := newFixture(t, nil)
	ids := map[string]string{}
	for i, name := range []string{"阿拉坦", "宝音", "朝鲁", "达来", "额尔敦"} {
		b := workerBody(idNumber("19800101", 300+i))
		b["name"] = name
		ids[name] = f.mustCreate("/api/workers", b)
	}
	post := func(name string, fields map[string]any) map[string]any {
		t.Helper()
		m := map[string]any{"worker_id": ids[name], "month": "2026-11", "verified_by_method": "电话",
			"verified_by": "李四", "verified_at": "2026-11-10"}
		for k, v := range fields {
			m[k] = v
		}
		r := f.api("POST", "/api/monthly-status", m)
		if r.status != 201 {
			t.Fatalf("%s: %d %s", name, r.status, r.raw)
		}
		return f.api("GET", "/api/workers/"+ids[name], nil).body
	}
	stored := func(body map[string]any) (string, any) {
		t.Helper()
		ss := body["monthly_status"].([]any)
		s := ss[len(ss)-1].(map[string]any)
		return s["list_type"].(string), s["willing_away"]
	}
	// 就业, willing: on 就业 and 有意愿外出.
	post("阿拉坦", map[string]any{"list_type": "就业", "work_scope": "区外", "employment_form": "单位",
		"willing_away": true})
	// 失业, willing: on 失业 and 有意愿外出.
	post("宝音", map[string]any{"list_type": "失业", "willing_away": true})
	// 失业, not willing.
	post("朝鲁", map[string]any{"list_type": "unemployed"})
	// The old list name, and an alias of it: 失业 with the flag.
	for name, old := range map[string]string{"达来": "有意愿外出", "额尔敦": "willing_away"} {
		l, w := stored(post(name, map[string]any{"list_type": old}))
		if l != "失业" || w != int64(1) && w != float64(1) && w != true {
			t.Errorf("%s sent as %s: stored %q willing=%v, want 失业 willing", name, old, l, w)
		}
	}
	r := f.api("GET", "/api/lists?month=2026-11", nil)
	if r.status != 200 || r.body["employed"] != float64(1) || r.body["unemployed"] != float64(4) ||
		r.body["willing_away"] != float64(4) || r.body["month"] != "2026-11" {
		t.Fatalf("counts: %s", r.raw)
	}
	for list, want := range map[string]string{
		"employed":     "阿拉坦",
		"unemployed":   "宝音,朝鲁,达来,额尔敦",
		"willing_away": "宝音,达来,阿拉坦,额尔敦", // in the station's name order
		"有意愿外出":        "宝音,达来,阿拉坦,额尔敦",
	} {
		r := f.api("GET", "/api/workers?month=2026-11&list="+url.QueryEscape(list), nil)
		var names []string
		for _, w := range r.body["workers"].([]any) {
			names = append(names, w.(map[string]any)["name"].(string))
		}
		if got := strings.Join(names, ","); got != want || r.body["total"] != float64(len(names)) {
			t.Errorf("list %s: %s (total %v), want %s", list, got, r.body["total"], want)
		}
	}
	// The page shows the three lists, each person's status and flag.
	b := f.browser()
	page := b.get("/lists?month=2026-11&list=willing_away")
	for _, want := range []string{`data-list="employed">1<`, `data-list="unemployed">4<`, `data-list="willing_away">4<`,
		"阿拉坦", `<td class="status">就业</td>`, `<td class="status">失业</td>`, `id="lists-overlap"`} {
		if !strings.Contains(page.raw, want) {
			t.Errorf("lists page lacks %s", want)
		}
	}
	if strings.Contains(page.raw, "朝鲁") {
		t.Error("朝鲁 (not willing) on the willing list")
	}
	// The export of the willing list has the status and flag columns.
	ex := b.get("/lists/export?month=2026-11&list=willing_away&format=csv")
	if ex.status != 200 || !strings.Contains(ex.raw, "本月状态,有意愿外出") || strings.Count(ex.raw, ",是") != 4 ||
		!strings.Contains(ex.raw, ",就业,是") {
		t.Errorf("export: %d\n%s", ex.status, ex.raw)
	}
}

// TestMonthStatusFormWilling: the form has the month's checkbox, saves it,
// and a link naming the old list pre-fills 失业 and the flag.
func TestMonthStatusFormWilling(t *testing.T) {
	f := newFixture(t, nil)
	wid := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 400)))
	b := f.browser()
	loc := "/workers/" + wid + "/monthly-status"
	form := b.get(loc + "?list=willing_away")
	if !strings.Contains(form.raw, `name="willing_away" value="1" checked`) ||
		!strings.Contains(form.raw, `<option selected>失业</option>`) && !strings.Contains(form.raw, `<option value="失业" selected>`) {
		t.Fatalf("pre-filled form:\n%s", form.raw)
	}
	if strings.Contains(form.raw, `>有意愿外出</option>`) {
		t.Error("the old list is still a status to choose")
	}
	ms := url.Values{"month": {"2026-11"}, "list_type": {"失业"}, "willing_away": {"1"}, "verified_by_method": {"入户"},
		"verified_by": {"李四"}, "verified_at": {"2026-11-03"}}
	if r := b.post(loc, ms); r.status != 303 {
		t.Fatalf("save: %d\n%s", r.status, r.raw)
	}
	var list string
	var willing int64
	if err := f.r.DB().QueryRow(`SELECT list_type, willing_away FROM monthly_status WHERE worker_id = ?`, wid).
		Scan(&list, &willing); err != nil || list != "失业" || willing != 1 {
		t.Fatalf("stored %q %d %v", list, willing, err)
	}
}

// TestConfirmCarriesWilling: confirming an unchanged person carries last
// month's flag over with the status, and last month's old list (a row a
// version 1 station wrote) as 失业 with the flag.
func TestConfirmCarriesWilling(t *testing.T) {
	f := newFixture(t, nil)
	ids := map[string]string{}
	for i, name := range []string{"阿拉坦", "宝音"} {
		b := workerBody(idNumber("19800101", 500+i))
		b["name"] = name
		ids[name] = f.mustCreate("/api/workers", b)
	}
	f.mustCreate("/api/monthly-status", map[string]any{"worker_id": ids["阿拉坦"], "month": "2026-10",
		"list_type": "就业", "work_scope": "区外", "employment_form": "单位", "willing_away": true,
		"verified_by_method": "电话", "verified_by": "李四", "verified_at": "2026-10-10"})
	f.mustCreate("/api/monthly-status", map[string]any{"worker_id": ids["宝音"], "month": "2026-10",
		"list_type": "失业", "verified_by_method": "电话", "verified_by": "李四", "verified_at": "2026-10-10"})
	// 宝音's October row as a station of schema version 1 left it.
	if _, err := f.r.DB().Exec(`UPDATE monthly_status SET list_type = '有意愿外出', willing_away = NULL
		WHERE worker_id = ? AND month = '2026-10'`, ids["宝音"]); err != nil {
		t.Fatal(err)
	}
	r := f.api("POST", "/api/worklist/confirm", map[string]any{"month": "2026-11",
		"worker_ids": []string{ids["阿拉坦"], ids["宝音"]}, "verified_by_method": "电话", "verified_by": "张三",
		"verified_at": "2026-11-12"})
	if r.status != 200 || r.body["confirmed"] != float64(2) {
		t.Fatalf("confirm: %d %s", r.status, r.raw)
	}
	for name, want := range map[string]string{"阿拉坦": "就业/1", "宝音": "失业/1"} {
		var got string
		if err := f.r.DB().QueryRow(`SELECT list_type || '/' || willing_away FROM monthly_status
			WHERE worker_id = ? AND month = '2026-11'`, ids[name]).Scan(&got); err != nil || got != want {
			t.Errorf("%s November: %q %v, want %s", name, got, err, want)
		}
	}
	r = f.api("GET", "/api/lists?month=2026-11", nil)
	if r.body["employed"] != float64(1) || r.body["unemployed"] != float64(1) || r.body["willing_away"] != float64(2) {
		t.Fatalf("counts: %s", r.raw)
	}
	// October's old row counts as 失业 and willing too.
	r = f.api("GET", "/api/lists?month=2026-10", nil)
	if r.body["employed"] != float64(1) || r.body["unemployed"] != float64(1) || r.body["willing_away"] != float64(2) {
		t.Fatalf("October counts: %s", r.raw)
	}
}
