package stationweb

import (
	"net/url"
	"strings"
	"testing"
)

// corrFixture is a station (today 2026-11-15) with one person holding one
// record of each kind staff correct and void, and a gig of headcount 1 the
// person fills.
type corrFixture struct {
	*fixture
	wid string
	ids map[string]string // kind (correctionKinds) → the record's id
	gid string
	pid string // the placement
}

func statusBody(wid, month string) map[string]any {
	return map[string]any{"worker_id": wid, "month": month, "list_type": "就业", "work_scope": "县外区内",
		"place": "呼和浩特", "industry": "建筑", "employment_form": "单位", "monthly_income": 4200,
		"verified_by_method": "电话", "verified_by": "李四", "verified_at": month + "-10"}
}

func newCorrFixture(t *testing.T) *corrFixture {
	t.Helper()
	f := newFixture(t, nil)
	cf := &corrFixture{fixture: f, ids: map[string]string{}}
	w := workerBody(idNumber("19800101", 31))
	w["skills"] = []string{"采摘"}
	cf.wid = f.mustCreate("/api/workers", w)
	cf.ids["monthly-status"] = f.mustCreate("/api/monthly-status", statusBody(cf.wid, "2026-11"))
	cf.ids["unemployment-registrations"] = f.mustCreate("/api/unemployment-registrations", map[string]any{
		"worker_id": cf.wid, "place_type": "户籍地", "registered_on": "2026-10-01", "reason": "合同到期"})
	cf.ids["jobseeker-registrations"] = f.mustCreate("/api/jobseeker-registrations", map[string]any{
		"worker_id": cf.wid, "intended_work": "电焊", "work_type": "零工", "registered_on": "2026-10-02"})
	cf.ids["followups"] = f.mustCreate("/api/followups", map[string]any{"worker_id": cf.wid, "date": "2026-11-01",
		"method": "电话", "service_type": "岗位推荐", "content": "推荐岗位", "next_due": "2026-11-10", "staff": "李四"})
	g := gigBody()
	g["headcount"] = 1
	cf.gid = f.mustCreate("/api/gigs", g)
	cf.pid = f.mustCreate("/api/placements", map[string]any{"gig_id": cf.gid, "worker_id": cf.wid})
	return cf
}

// record reads a record of the person back from GET /api/workers/{id}.
func (cf *corrFixture) record(section, id string) map[string]any {
	cf.t.Helper()
	r := cf.api("GET", "/api/workers/"+cf.wid, nil)
	for _, x := range r.body[section].([]any) {
		if m := x.(map[string]any); m["id"] == id {
			return m
		}
	}
	cf.t.Fatalf("%s %s not on the worker: %s", section, id, r.raw)
	return nil
}

var sections = map[string]string{"monthly-status": "monthly_status", "unemployment-registrations": "unemployment_registrations",
	"jobseeker-registrations": "jobseeker_registrations", "followups": "followups"}

func TestCorrectRecordsAPI(t *testing.T) {
	cf := newCorrFixture(t)
	unknown := strings.Repeat("ab", 16)
	cases := []struct {
		kind, body string
		status     int
		field      string
		check      map[string]any // the record's fields after
	}{
		// 失业 names no place of work: a correction to it that keeps the
		// employed status's place is refused, one that clears it is taken.
		{"monthly-status", `{"list_type":"失业","work_scope":"","employment_form":"","monthly_income":0}`, 400, "place", nil},
		{"monthly-status", `{"list_type":"失业","work_scope":"","employment_form":"","place":"","industry":"","monthly_income":0}`, 200, "",
			map[string]any{"list_type": "失业"}},
		{"monthly-status", `{"verified_at":"2026-11-31"}`, 400, "verified_at", nil},
		{"monthly-status", `{"month":"2026-10"}`, 400, "month", nil},
		{"monthly-status", `{"month":"2026-11","verified_by":"王五"}`, 200, "", map[string]any{"verified_by": "王五"}},
		{"monthly-status", `{"void_reason":"x"}`, 400, "void_reason", nil},
		{"unemployment-registrations", `{"reason":"企业裁员","place_type":"常住地"}`, 200, "",
			map[string]any{"reason": "企业裁员", "place_type": "常住地", "registered_on": "2026-10-01"}},
		{"unemployment-registrations", `{"place_type":"外地"}`, 400, "place_type", nil},
		{"unemployment-registrations", `{"deregistered_on":"2026-11-01"}`, 400, "deregistration_reason", nil},
		{"unemployment-registrations", `{"deregistered_on":"2026-11-01","deregistration_reason":"已就业"}`, 200, "",
			map[string]any{"deregistered_on": "2026-11-01"}},
		{"unemployment-registrations", `{"deregistered_on":"","deregistration_reason":""}`, 200, "",
			map[string]any{"deregistered_on": nil}},
		{"jobseeker-registrations", `{"intended_work":"瓦工","expected_wage":200,"wage_unit":"元/天"}`, 200, "",
			map[string]any{"intended_work": "瓦工", "expected_wage": float64(200)}},
		{"jobseeker-registrations", `{"expected_wage":-5}`, 400, "expected_wage", nil},
		{"jobseeker-registrations", `{"worker_id":"` + unknown + `"}`, 400, "worker_id", nil},
		{"jobseeker-registrations", `{"nickname":"x"}`, 400, "nickname", nil},
		{"followups", `{"content":"已推荐到枸杞园","next_due":"2026-12-01"}`, 200, "",
			map[string]any{"content": "已推荐到枸杞园", "next_due": "2026-12-01", "date": "2026-11-01"}},
		{"followups", `{"next_due":"2026-10-01"}`, 400, "next_due", nil},
		{"followups", `{"method":"飞鸽"}`, 400, "method", nil},
		{"followups", `{"content":""}`, 400, "content", nil},
	}
	for i, c := range cases {
		r := cf.api("PATCH", "/api/"+c.kind+"/"+cf.ids[c.kind], c.body)
		if r.status != c.status || c.field != "" && r.body["field"] != c.field {
			t.Errorf("case %d %s %s: %d %s", i, c.kind, c.body, r.status, r.raw)
			continue
		}
		if c.status == 400 {
			if msg, _ := r.body["error"].(string); msg == "" || strings.Contains(msg, c.field) && c.field != "nickname" {
				t.Errorf("case %d: the error names the field in Chinese, not its key: %q", i, msg)
			}
		}
		rec := cf.record(sections[c.kind], cf.ids[c.kind])
		for k, v := range c.check {
			if rec[k] != v {
				t.Errorf("case %d: %s = %v, want %v", i, k, rec[k], v)
			}
		}
		if c.status == 200 && rec["entered_by"] != "本机" {
			t.Errorf("case %d: entered_by %v", i, rec["entered_by"])
		}
	}
	for kind := range sections {
		if r := cf.api("PATCH", "/api/"+kind+"/"+unknown, `{}`); r.status != 404 {
			t.Errorf("%s unknown id: %d %s", kind, r.status, r.raw)
		}
		if r := cf.api("PATCH", "/api/"+kind+"/nothex", `{}`); r.status != 404 {
			t.Errorf("%s bad id: %d %s", kind, r.status, r.raw)
		}
	}
	// A second open registration may not come back by a correction.
	second := cf.mustCreate("/api/unemployment-registrations", map[string]any{"worker_id": cf.wid, "place_type": "户籍地",
		"registered_on": "2025-01-01", "reason": "x", "deregistered_on": "2025-03-01", "deregistration_reason": "已就业"})
	r := cf.api("PATCH", "/api/unemployment-registrations/"+second, `{"deregistered_on":"","deregistration_reason":""}`)
	if r.status != 409 || r.body["id"] != cf.ids["unemployment-registrations"] {
		t.Errorf("reopen beside an open one: %d %s", r.status, r.raw)
	}
}

func TestVoidAndRestoreAPI(t *testing.T) {
	cf := newCorrFixture(t)
	unknown := strings.Repeat("ab", 16)
	for kind, section := range sections {
		id := cf.ids[kind]
		path := "/api/" + kind + "/" + id
		for i, c := range []struct {
			path, body string
			status     int
			field      string
		}{
			{path + "/void", `{"reason":"  "}`, 400, "void_reason"},
			{path + "/void", `{}`, 400, "void_reason"},
			{path + "/void", `{"reason":"x","extra":1}`, 400, "extra"},
			{path + "/void", `{"reason":"` + strings.Repeat("长", 300) + `"}`, 400, "void_reason"},
			{path + "/restore", ``, 409, "void_reason"},
			{"/api/" + kind + "/" + unknown + "/void", `{"reason":"录错"}`, 404, ""},
			{path + "/void", `{"reason":"录错人"}`, 200, ""},
			{path + "/void", `{"reason":"再作废"}`, 409, "void_reason"},
			{path, `{"content":"x"}`, 0, ""}, // a void record may still be corrected (checked below per kind)
			{path + "/restore", `{}`, 200, ""},
			{path + "/restore", `{}`, 409, "void_reason"},
			{path + "/void", `{"reason":"录错人"}`, 200, ""},
		} {
			if c.status == 0 {
				continue
			}
			r := cf.api("POST", c.path, c.body)
			if c.body == "" {
				r = cf.api("POST", c.path, "{}")
			}
			if r.status != c.status || c.field != "" && r.body["field"] != c.field {
				t.Errorf("%s case %d %s: %d %s", kind, i, c.path, r.status, r.raw)
			}
		}
		rec := cf.record(section, id)
		if rec["void_reason"] != "录错人" || rec["voided_on"] != "2026-11-15" {
			t.Errorf("%s: void %v on %v", kind, rec["void_reason"], rec["voided_on"])
		}
	}
}

func count(t *testing.T, f *fixture, path, key string) float64 {
	t.Helper()
	r := f.api("GET", path, nil)
	n, ok := r.body[key].(float64)
	if r.status != 200 || !ok {
		t.Fatalf("GET %s: %d %s", path, r.status, r.raw)
	}
	return n
}

// A void record leaves every list and count; restored, it is back.
func TestVoidLeavesListsAndCounts(t *testing.T) {
	cf := newCorrFixture(t)
	t.Run("status", func(t *testing.T) {
		path := "/api/monthly-status/" + cf.ids["monthly-status"]
		if n := count(t, cf.fixture, "/api/lists?month=2026-11", "employed"); n != 1 {
			t.Fatalf("employed before: %v", n)
		}
		cf.api("POST", path+"/void", `{"reason":"重复"}`)
		if n := count(t, cf.fixture, "/api/lists?month=2026-11", "employed"); n != 0 {
			t.Errorf("employed after void: %v", n)
		}
		if n := count(t, cf.fixture, "/api/workers?list=employed&month=2026-11", "total"); n != 0 {
			t.Errorf("list after void: %v", n)
		}
		if n := count(t, cf.fixture, "/api/worklist?month=2026-11", "done"); n != 0 {
			t.Errorf("worklist done after void: %v", n)
		}
		b := cf.browser()
		if page := b.get("/lists?month=2026-11&list=就业").raw; strings.Contains(page, "巴图") {
			t.Errorf("the lists page shows a void status")
		}
		// A void status is not last month's for a confirm, and not done.
		r := cf.api("POST", "/api/worklist/confirm", map[string]any{"month": "2026-12", "worker_ids": []string{cf.wid},
			"verified_by_method": "电话", "verified_by": "李四", "verified_at": "2026-12-02"})
		if sk := r.body["skipped"].([]any); len(sk) != 1 || sk[0].(map[string]any)["code"] != "no_last" {
			t.Errorf("confirm over a void last month: %s", r.raw)
		}
		cf.api("POST", path+"/restore", "{}")
		if n := count(t, cf.fixture, "/api/lists?month=2026-11", "employed"); n != 1 {
			t.Errorf("employed after restore: %v", n)
		}
	})
	t.Run("followup", func(t *testing.T) {
		due := func() int { return len(people(t, cf.api("GET", "/api/followups/due", nil))) }
		// An older follow-up whose next date is further off.
		cf.mustCreate("/api/followups", map[string]any{"worker_id": cf.wid, "date": "2026-10-01",
			"method": "电话", "service_type": "x", "content": "x", "next_due": "2026-12-30"})
		if due() != 1 {
			t.Fatalf("due before")
		}
		cf.api("POST", "/api/followups/"+cf.ids["followups"]+"/void", `{"reason":"录错人"}`)
		// The void one is not the latest: the older one's next date rules.
		if n := due(); n != 0 {
			t.Errorf("due after void: %d", n)
		}
		if n := len(people(t, cf.api("GET", "/api/followups/due?within=60", nil))); n != 1 {
			t.Errorf("due within 60 after void: %d", n)
		}
		if page := cf.browser().get("/").raw; !strings.Contains(page, `href="/followups/due"`) {
			t.Errorf("home page has no due link")
		}
		cf.api("POST", "/api/followups/"+cf.ids["followups"]+"/restore", "{}")
		if due() != 1 {
			t.Errorf("due after restore")
		}
	})
	t.Run("unemployment", func(t *testing.T) {
		id := cf.ids["unemployment-registrations"]
		counts, err := cf.st.StationCounts(t.Context())
		if err != nil || counts.OpenUnemp != 1 {
			t.Fatalf("open before: %v %v", counts, err)
		}
		cf.api("POST", "/api/unemployment-registrations/"+id+"/void", `{"reason":"登记错误"}`)
		if counts, _ := cf.st.StationCounts(t.Context()); counts.OpenUnemp != 0 {
			t.Errorf("open after void: %d", counts.OpenUnemp)
		}
		// A void registration is not open: a new one may be made.
		newID := cf.mustCreate("/api/unemployment-registrations", map[string]any{"worker_id": cf.wid,
			"place_type": "户籍地", "registered_on": "2026-11-02", "reason": "合同到期"})
		// Restoring the void one would make two open.
		r := cf.api("POST", "/api/unemployment-registrations/"+id+"/restore", "{}")
		if r.status != 409 || r.body["id"] != newID {
			t.Errorf("restore beside an open one: %d %s", r.status, r.raw)
		}
	})
	t.Run("matching", func(t *testing.T) {
		// Employed this month keeps the person from matching; void, they match.
		g := gigBody()
		g2 := cf.mustCreate("/api/gigs", g)
		has := func() bool {
			for _, m := range cf.api("GET", "/api/gigs/"+g2+"/matches", nil).body["matches"].([]any) {
				if m.(map[string]any)["worker"].(map[string]any)["id"] == cf.wid {
					return true
				}
			}
			return false
		}
		if has() {
			t.Fatalf("an employed person matches")
		}
		cf.api("POST", "/api/monthly-status/"+cf.ids["monthly-status"]+"/void", `{"reason":"重复"}`)
		if !has() {
			t.Errorf("a void status still keeps the person from matching")
		}
		cf.api("POST", "/api/workers/"+cf.wid+"/leave", `{"reason":"迁出","date":"2026-11-14","to":"包头市"}`)
		if has() {
			t.Errorf("a person who left matches")
		}
	})
}

func TestEndPlacementAPI(t *testing.T) {
	cf := newCorrFixture(t)
	gig := func() map[string]any { return cf.api("GET", "/api/gigs/"+cf.gid, nil).body }
	if g := gig(); g["placed"] != float64(1) || g["status"] != "filled" {
		t.Fatalf("gig before: %v", g)
	}
	unknown := strings.Repeat("ab", 16)
	for i, c := range []struct {
		id, body string
		status   int
		field    string
	}{
		{cf.pid, `{"status":"placed"}`, 400, "status"},
		{cf.pid, `{"status":"gone"}`, 400, "status"},
		{cf.pid, `{"status":"left","ended_on":"2026-10-01"}`, 400, "ended_on"},
		{cf.pid, `{"status":"left","ended_on":"2026-02-30"}`, 400, "ended_on"},
		{cf.pid, `{"status":"left","gig_id":"x"}`, 400, "gig_id"},
		{unknown, `{"status":"left"}`, 404, ""},
		{cf.pid, `{"status":"left","ended_on":"2026-11-20"}`, 200, ""},
		{cf.pid, `{"status":"cancelled"}`, 200, ""},
	} {
		r := cf.api("PATCH", "/api/placements/"+c.id, c.body)
		if r.status != c.status || c.field != "" && r.body["field"] != c.field {
			t.Errorf("case %d %s: %d %s", i, c.body, r.status, r.raw)
		}
	}
	ps := cf.api("GET", "/api/workers/"+cf.wid, nil).body["placements"].([]any)
	if len(ps) != 1 {
		t.Fatalf("placements: %v (a second row?)", ps)
	}
	if p := ps[0].(map[string]any); p["status"] != "cancelled" || p["ended_on"] != "2026-11-15" {
		t.Errorf("placement: %v", p)
	}
	// A cancelled placement does not count against the headcount, and the
	// gig this station posted opens again.
	if g := gig(); g["placed"] != float64(0) || g["status"] != "open" {
		t.Errorf("gig after: %v", g)
	}
	other := cf.mustCreate("/api/workers", workerBody(idNumber("19800101", 41)))
	cf.mustCreate("/api/placements", map[string]any{"gig_id": cf.gid, "worker_id": other})
}

func TestLeaveAndReturnAPI(t *testing.T) {
	cf := newCorrFixture(t)
	unknown := strings.Repeat("ab", 16)
	path := "/api/workers/" + cf.wid
	for i, c := range []struct {
		path, body string
		status     int
		field      string
	}{
		{path + "/return", `{}`, 409, "left_reason"},
		{path + "/leave", `{"reason":"出嫁","date":"2026-11-01"}`, 400, "left_reason"},
		{path + "/leave", `{"date":"2026-11-01"}`, 400, "left_reason"},
		{path + "/leave", `{"reason":"迁出","date":"2026-13-01"}`, 400, "left_on"},
		{path + "/leave", `{"reason":"迁出","to":"` + strings.Repeat("远", 300) + `"}`, 400, "left_to"},
		{path + "/leave", `{"reason":"迁出","where":"x"}`, 400, "where"},
		{"/api/workers/" + unknown + "/leave", `{"reason":"迁出"}`, 404, ""},
		{path + "/leave", `{"reason":"迁出","date":"2026/11/14","to":"包头市"}`, 200, ""},
		{path + "/leave", `{"reason":"死亡"}`, 409, "left_reason"},
	} {
		r := cf.api("POST", c.path, c.body)
		if r.status != c.status || c.field != "" && r.body["field"] != c.field {
			t.Errorf("case %d %s %s: %d %s", i, c.path, c.body, r.status, r.raw)
		}
	}
	w := cf.api("GET", path, nil).body
	if w["left_reason"] != "迁出" || w["left_on"] != "2026-11-14" || w["left_to"] != "包头市" {
		t.Errorf("worker: %v", w)
	}
	// Gone from the lists, the worklist, the due list and the home count;
	// the history stays.
	if n := count(t, cf.fixture, "/api/lists?month=2026-11", "employed"); n != 0 {
		t.Errorf("lists: %v", n)
	}
	if n := count(t, cf.fixture, "/api/worklist?month=2026-11", "total"); n != 0 {
		t.Errorf("worklist: %v", n)
	}
	if n := len(people(t, cf.api("GET", "/api/followups/due?within=30", nil))); n != 0 {
		t.Errorf("due: %d", n)
	}
	// A void status of a person who left is taken off once, not twice.
	cf.api("POST", "/api/monthly-status/"+cf.ids["monthly-status"]+"/void", `{"reason":"重复"}`)
	if n := count(t, cf.fixture, "/api/lists?month=2026-11", "employed"); n != 0 {
		t.Errorf("lists with a void status of a person who left: %v", n)
	}
	if n := count(t, cf.fixture, "/api/workers?list=employed&month=2026-11", "total"); n != 0 {
		t.Errorf("list total with a void status of a person who left: %v", n)
	}
	cf.api("POST", "/api/monthly-status/"+cf.ids["monthly-status"]+"/restore", `{}`)
	if c, _ := cf.st.StationCounts(t.Context()); c.Workers != 0 {
		t.Errorf("home count: %d", c.Workers)
	}
	if len(cf.api("GET", path, nil).body["followups"].([]any)) != 1 {
		t.Errorf("history lost")
	}
	cf.mustCreate("/api/monthly-status", statusBody(cf.wid, "2026-10"))
	r := cf.api("POST", "/api/worklist/confirm", map[string]any{"month": "2026-11", "worker_ids": []string{cf.wid},
		"verified_by_method": "电话", "verified_by": "李四", "verified_at": "2026-11-02"})
	if sk := r.body["skipped"].([]any); len(sk) != 1 || sk[0].(map[string]any)["code"] != "left" ||
		sk[0].(map[string]any)["reason"] != "已离开" {
		t.Errorf("confirm of a person who left: %s", r.raw)
	}
	page := cf.browser().get("/workers/" + cf.wid).raw
	if !strings.Contains(page, `id="left-note"`) || !strings.Contains(page, "包头市") {
		t.Errorf("the worker page does not say the person left")
	}
	if r := cf.api("POST", path+"/return", ``); r.status != 200 {
		t.Fatalf("return: %d %s", r.status, r.raw)
	}
	if r := cf.api("POST", path+"/return", `{}`); r.status != 409 {
		t.Errorf("return twice: %d %s", r.status, r.raw)
	}
	if n := count(t, cf.fixture, "/api/lists?month=2026-11", "employed"); n != 1 {
		t.Errorf("lists after return: %v", n)
	}
	if w := cf.api("GET", path, nil).body; w["left_reason"] != nil {
		t.Errorf("worker after return: %v", w)
	}
}

// The pages: 更正 pre-filled, 作废 asking the reason, 撤销作废, 离岗/取消,
// 标记离开 and 恢复, each a form with the CSRF token.
func TestCorrectionPages(t *testing.T) {
	cf := newCorrFixture(t)
	b := cf.browser()
	fid := cf.ids["followups"]
	page := b.get("/workers/" + cf.wid).raw
	for _, want := range []string{"/records/followups/" + fid + "/edit", "/records/followups/" + fid + "/void",
		"/records/monthly-status/" + cf.ids["monthly-status"] + "/void", "/placements/" + cf.pid + "/end",
		"/workers/" + cf.wid + "/leave"} {
		if !strings.Contains(page, want) {
			t.Errorf("worker page lacks %s", want)
		}
	}
	if r := b.get("/records/followups/" + fid + "/edit"); r.status != 200 || !strings.Contains(r.raw, "推荐岗位") {
		t.Fatalf("edit form not pre-filled: %d", r.status)
	}
	form := url.Values{"date": {"2026-11-01"}, "method": {"上门"}, "service_type": {"岗位推荐"}, "content": {"改过的内容"},
		"next_due": {"2026-11-10"}, "staff": {"李四"}}
	if r := b.post("/records/followups/"+fid+"/edit", form); r.status != 303 {
		t.Fatalf("save correction: %d %s", r.status, r.raw)
	}
	if rec := cf.record("followups", fid); rec["method"] != "上门" || rec["content"] != "改过的内容" {
		t.Errorf("corrected: %v", rec)
	}
	form.Set("next_due", "2026-01-01")
	if r := b.post("/records/followups/"+fid+"/edit", form); r.status != 400 || !strings.Contains(r.raw, `id="err-next_due"`) {
		t.Errorf("bad correction: %d", r.status)
	}
	if r := b.post("/records/followups/"+fid+"/void", url.Values{"void_reason": {""}}); r.status != 400 ||
		!strings.Contains(r.raw, `id="err-void_reason"`) {
		t.Errorf("void without reason: %d", r.status)
	}
	if r := b.post("/records/followups/"+fid+"/void", url.Values{"void_reason": {"录错人"}}); r.status != 303 {
		t.Fatalf("void: %d %s", r.status, r.raw)
	}
	page = b.get("/workers/" + cf.wid).raw
	if !strings.Contains(page, `class="voided"`) || !strings.Contains(page, "已作废：录错人") ||
		!strings.Contains(page, "/records/followups/"+fid+"/restore") {
		t.Errorf("the void follow-up is not marked")
	}
	if r := b.post("/records/followups/"+fid+"/restore", url.Values{}); r.status != 303 {
		t.Errorf("restore: %d", r.status)
	}
	if r := b.post("/records/followups/"+fid+"/restore", url.Values{"csrf": {"forged"}}); r.status != 403 {
		t.Errorf("restore with a forged token: %d", r.status)
	}
	if r := b.post("/placements/"+cf.pid+"/end", url.Values{"status": {"left"}, "ended_on": {"2026-11-16"}}); r.status != 303 {
		t.Errorf("end placement: %d %s", r.status, r.raw)
	}
	if r := b.post("/workers/"+cf.wid+"/leave", url.Values{"left_reason": {""}, "left_on": {"2026-11-15"}}); r.status != 400 ||
		!strings.Contains(r.raw, `id="err-left_reason"`) {
		t.Errorf("leave without reason: %d", r.status)
	}
	if r := b.post("/workers/"+cf.wid+"/leave", url.Values{"left_reason": {"死亡"}, "left_on": {"2026-11-15"}}); r.status != 303 {
		t.Errorf("leave: %d %s", r.status, r.raw)
	}
	if !strings.Contains(b.get("/workers/"+cf.wid).raw, "已离开：死亡") {
		t.Errorf("left not shown")
	}
	if r := b.post("/workers/"+cf.wid+"/return", url.Values{}); r.status != 303 {
		t.Errorf("return: %d", r.status)
	}
}
