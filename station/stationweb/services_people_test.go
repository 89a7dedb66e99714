package stationweb

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Every service table of start-ups, returns and job fairs is served by the
// programmes' one CRUD mechanism: create (201), list ({rows,total,limit,
// offset}), GET one, PATCH a field, DELETE; a deleted row is not found.
func TestServicesCRUD(t *testing.T) {
	f := newFixture(t, nil)
	w := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	expert := f.mustCreate("/api/experts", map[string]any{"name": "王老师", "expert_field": "开业指导", "phone": "13900139000"})
	startup := f.mustCreate("/api/startups", map[string]any{"worker_id": w, "business": "巴图牛肉干作坊",
		"started_on": "2026-05-01", "place": "150421100", "jobs_created": 3})
	for _, tc := range []struct {
		path  string
		body  map[string]any
		patch map[string]any
		field string
	}{
		{"/api/experts", map[string]any{"name": "李老师", "expert_field": "市场营销"},
			map[string]any{"organisation": "县创业指导中心"}, "organisation"},
		{"/api/startups", map[string]any{"worker_id": w, "business": "民宿", "started_on": "2026-06-01",
			"place": "150421100201"}, map[string]any{"jobs_created": 5}, "jobs_created"},
		{"/api/startup-support", map[string]any{"worker_id": w, "startup_id": startup, "support_kind": "创业担保贷款",
			"amount": 100000, "lender": "县农商行", "start_on": "2026-06-01", "end_on": "2028-05-31"},
			map[string]any{"amount": 150000}, "amount"},
		{"/api/startup-support", map[string]any{"worker_id": w, "support_kind": "专家指导", "expert_id": expert,
			"advice": "营业执照办理", "start_on": "2026-04-20"}, map[string]any{"advice": "开业指导与选址"}, "advice"},
		{"/api/returns", map[string]any{"worker_id": w, "returned_on": "2026-11-03", "from_place": "鄂尔多斯",
			"return_reason": "务工结束", "intention": "就近就业"}, map[string]any{"from_place": "包头"}, "from_place"},
		{"/api/job-fairs", map[string]any{"title": "春风行动专场", "fair_kind": "春风行动", "held_on": "2026-03-01",
			"place": "县人力资源市场"}, map[string]any{"attendees": 300, "agreements": 45}, "agreements"},
	} {
		id := f.mustCreate(tc.path, tc.body)
		rows := listItems(t, f.api("GET", tc.path, nil))
		found := false
		for _, r := range rows {
			found = found || r["id"] == id
		}
		if !found {
			t.Errorf("%s: the list has not %s: %v", tc.path, id, rows)
		}
		if r := f.api("PATCH", tc.path+"/"+id, tc.patch); r.status != http.StatusOK {
			t.Errorf("PATCH %s: %d %s", tc.path, r.status, r.raw)
		}
		r := f.api("GET", tc.path+"/"+id, nil)
		if r.status != http.StatusOK || r.body[tc.field] == nil {
			t.Errorf("GET %s/%s: %d %s, want %s", tc.path, id, r.status, r.raw, tc.field)
		}
		if v, ok := r.body["worker_id_number"].(string); ok && !strings.Contains(v, "*") {
			t.Errorf("GET %s: the id number is not masked: %s", tc.path, v)
		}
		if r := f.api("DELETE", tc.path+"/"+id, nil); r.status != http.StatusOK {
			t.Errorf("DELETE %s: %d %s", tc.path, r.status, r.raw)
		}
		if r := f.api("GET", tc.path+"/"+id, nil); r.status != http.StatusNotFound {
			t.Errorf("GET %s after delete: %d", tc.path, r.status)
		}
	}
	// A start-up or an expert that support names stays while it does.
	f.mustCreate("/api/startup-support", map[string]any{"worker_id": w, "startup_id": startup, "support_kind": "场地",
		"start_on": "2026-05-01"})
	f.mustCreate("/api/startup-support", map[string]any{"worker_id": w, "support_kind": "专家指导", "expert_id": expert,
		"advice": "项目评审", "start_on": "2026-05-02"})
	programmeRefused(t, "DELETE a start-up with support", f.api("DELETE", "/api/startups/"+startup, nil), http.StatusConflict, "id")
	programmeRefused(t, "DELETE an expert who guided", f.api("DELETE", "/api/experts/"+expert, nil), http.StatusConflict, "id")
	// The person's support is listed by worker_id, with the start-up and the expert by name.
	rows := listItems(t, f.api("GET", "/api/startup-support?worker_id="+w, nil))
	if len(rows) != 2 {
		t.Fatalf("support of the person: %v", rows)
	}
	for _, r := range rows {
		if r["support_kind"] == "场地" && r["business"] != "巴图牛肉干作坊" || r["support_kind"] == "专家指导" && r["expert_name"] != "王老师" {
			t.Errorf("support row %v", r)
		}
	}
}

// Every rule of the services is refused naming its field, and a refused
// write leaves nothing behind.
func TestServicesRules(t *testing.T) {
	f := newFixture(t, nil)
	wb := workerBody(idNumber("19800101", 11))
	wb["willing_away"] = false
	w := f.mustCreate("/api/workers", wb)
	other := f.mustCreate("/api/workers", workerBody(idNumber("19820202", 13)))
	othersStartup := f.mustCreate("/api/startups", map[string]any{"worker_id": other, "business": "修车铺",
		"started_on": "2026-01-01", "place": "150421100"})
	loan := func(mod map[string]any) map[string]any {
		b := map[string]any{"worker_id": w, "support_kind": "创业担保贷款", "amount": 100000, "lender": "县农商行",
			"start_on": "2026-06-01", "end_on": "2028-05-31"}
		for k, v := range mod {
			b[k] = v
		}
		return b
	}
	for _, tc := range []struct {
		what, path string
		body       map[string]any
		status     int
		field      string
	}{
		{"a loan ending on its start", "/api/startup-support", loan(map[string]any{"end_on": "2026-06-01"}), 400, "end_on"},
		{"a loan ending before its start", "/api/startup-support", loan(map[string]any{"end_on": "2026-01-01"}), 400, "end_on"},
		{"a loan without a lender", "/api/startup-support", loan(map[string]any{"lender": ""}), 400, "lender"},
		{"guidance without an expert", "/api/startup-support", map[string]any{"worker_id": w, "support_kind": "专家指导",
			"advice": "开业指导", "start_on": "2026-06-01"}, 400, "expert_id"},
		{"guidance by an expert not on the roster", "/api/startup-support", map[string]any{"worker_id": w,
			"support_kind": "专家指导", "expert_id": "0123456789abcdef0123456789abcdef", "advice": "开业指导",
			"start_on": "2026-06-01"}, 400, "expert_id"},
		{"support naming another person's start-up", "/api/startup-support",
			loan(map[string]any{"startup_id": othersStartup}), 400, "startup_id"},
		{"a return tomorrow", "/api/returns", map[string]any{"worker_id": w, "returned_on": "2026-11-16",
			"from_place": "北京", "return_reason": "务工结束", "intention": "再次外出"}, 400, "returned_on"},
		{"a return without a reason", "/api/returns", map[string]any{"worker_id": w, "returned_on": "2026-11-10",
			"from_place": "北京", "intention": "再次外出"}, 400, "return_reason"},
		{"a return of nobody", "/api/returns", map[string]any{"worker_id": "0123456789abcdef0123456789abcdef",
			"returned_on": "2026-11-10", "from_place": "北京", "return_reason": "务工结束", "intention": "再次外出"}, 422, "worker_id"},
		{"a fair with more agreements than attendees", "/api/job-fairs", map[string]any{"title": "大龄专场",
			"fair_kind": "大龄专场", "held_on": "2026-03-01", "place": "县人力资源市场", "attendees": 10, "agreements": 11},
			400, "agreements"},
		{"a fair ending before it is held", "/api/job-fairs", map[string]any{"title": "大龄专场", "fair_kind": "大龄专场",
			"held_on": "2026-03-02", "end_on": "2026-03-01", "place": "县人力资源市场"}, 400, "end_on"},
		{"an expert without a field", "/api/experts", map[string]any{"name": "王老师"}, 400, "expert_field"},
	} {
		r := f.api("POST", tc.path, tc.body)
		programmeRefused(t, tc.what, r, tc.status, tc.field)
		if tc.field == "returned_on" && !strings.Contains(r.body["error"].(string), "返乡日期不能晚于今天") {
			t.Errorf("%s: the message is %q", tc.what, r.body["error"])
		}
	}
	// Nothing of the refused writes: no support, no return, and the
	// 再次外出 of the refused return did not mark the person.
	for _, p := range []string{"/api/startup-support", "/api/returns", "/api/job-fairs", "/api/experts"} {
		if rows := listItems(t, f.api("GET", p, nil)); len(rows) != 0 {
			t.Errorf("%s after refusals: %v", p, rows)
		}
	}
	if r := f.api("GET", "/api/workers/"+w, nil); r.body["willing_away"] != false {
		t.Errorf("a refused return marked the person willing to work away: %s", r.raw)
	}
	// A PATCH moving a return into the future is refused too.
	ret := f.mustCreate("/api/returns", map[string]any{"worker_id": w, "returned_on": "2026-11-15", "from_place": "北京",
		"return_reason": "务工结束", "intention": "暂无"})
	programmeRefused(t, "PATCH a return into the future", f.api("PATCH", "/api/returns/"+ret,
		map[string]any{"returned_on": "2026-12-01"}), 400, "returned_on")

	// Health checks: not after today, a date and a result together, a
	// known result, a person the station holds.
	for _, tc := range []struct {
		what   string
		body   map[string]any
		status int
		field  string
	}{
		{"a check tomorrow", map[string]any{"health_check_on": "2026-11-16", "health_check_result": "未见异常"}, 400, "health_check_on"},
		{"a result without a date", map[string]any{"health_check_result": "未见异常"}, 400, "health_check_on"},
		{"a date without a result", map[string]any{"health_check_on": "2026-11-01"}, 400, "health_check_result"},
		{"an unknown result", map[string]any{"health_check_on": "2026-11-01", "health_check_result": "良好"}, 400, "health_check_result"},
		{"an unknown key", map[string]any{"health_check_on": "2026-11-01", "health_check_result": "未见异常", "name": "x"}, 400, "name"},
	} {
		programmeRefused(t, tc.what, f.api("PUT", "/api/workers/"+w+"/health-check", tc.body), tc.status, tc.field)
	}
	if hc, err := f.st.HealthCheckOf(t.Context(), mustID(t, w)); err != nil || hc.On != "" {
		t.Fatalf("a refused check was written: %+v %v", hc, err)
	}
	if r := f.api("PUT", "/api/workers/0123456789abcdef0123456789abcdef/health-check",
		map[string]any{"health_check_on": "2026-11-01", "health_check_result": "未见异常"}); r.status != http.StatusNotFound {
		t.Errorf("a check of nobody: %d %s", r.status, r.raw)
	}
}

// A return meaning to go out again (再次外出) marks the person willing to work
// away in the same write; another intention leaves the flag alone.
func TestReturnMarksWillingAway(t *testing.T) {
	f := newFixture(t, nil)
	wb := workerBody(idNumber("19800101", 11))
	wb["willing_away"] = false
	w := f.mustCreate("/api/workers", wb)
	willing := func() any { return f.api("GET", "/api/workers/"+w, nil).body["willing_away"] }
	ret := f.mustCreate("/api/returns", map[string]any{"worker_id": w, "returned_on": "2026-11-02", "from_place": "北京",
		"return_reason": "企业停产裁员", "intention": "暂无"})
	if willing() != false {
		t.Fatal("a return without 再次外出 marked the person")
	}
	if r := f.api("PATCH", "/api/returns/"+ret, map[string]any{"intention": "再次外出"}); r.status != 200 {
		t.Fatalf("PATCH: %d %s", r.status, r.raw)
	}
	if willing() != true {
		t.Fatal("a return meaning 再次外出 did not mark the person willing to work away")
	}
	// The mark is a change of the worker's row like any other (it syncs).
	peer := f.peer("白音嘎查")
	f.syncTo(peer)
	if wv, err := peer.st.Worker(t.Context(), mustID(t, w)); err != nil || !wv.WillingAway {
		t.Fatalf("the peer holds %+v %v", wv, err)
	}
}

// The month's returnees: who came back that month (date order), from where,
// why, the intention, and whether the month's status is in; the worklist
// counts those without one (本月返乡人员待核实) and its confirm does not
// carry last month's status over for them.
func TestReturneesAndWorklist(t *testing.T) {
	f := newFixture(t, nil)
	a := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	bw := workerBody(idNumber("19810101", 13))
	bw["name"] = "宝音"
	b := f.mustCreate("/api/workers", bw)
	cw := workerBody(idNumber("19820101", 15))
	cw["name"] = "朝鲁"
	c := f.mustCreate("/api/workers", cw)
	status := func(w, month string) {
		f.mustCreate("/api/monthly-status", map[string]any{"worker_id": w, "month": month, "list_type": "就业",
			"work_scope": "区外", "employment_form": "灵活就业", "verified_by_method": "电话", "verified_by": "李四",
			"verified_at": month + "-10"})
	}
	status(a, "2026-10")
	status(b, "2026-11")
	f.mustCreate("/api/returns", map[string]any{"worker_id": b, "returned_on": "2026-11-10", "from_place": "天津",
		"return_reason": "照顾家庭", "intention": "就近就业"})
	f.mustCreate("/api/returns", map[string]any{"worker_id": a, "returned_on": "2026-11-03", "from_place": "鄂尔多斯",
		"return_reason": "务工结束", "intention": "再次外出"})
	f.mustCreate("/api/returns", map[string]any{"worker_id": c, "returned_on": "2026-10-20", "from_place": "呼和浩特",
		"return_reason": "季节性返乡", "intention": "暂无"})

	r := f.api("GET", "/api/returnees?month=2026-11", nil)
	rows, _ := r.body["rows"].([]any)
	if r.status != 200 || len(rows) != 2 || r.body["total"] != float64(2) {
		t.Fatalf("returnees of 2026-11: %d %s", r.status, r.raw)
	}
	first, second := rows[0].(map[string]any), rows[1].(map[string]any)
	if first["worker_id"] != a || first["from_place"] != "鄂尔多斯" || first["intention"] != "再次外出" ||
		first["status_done"] != false || second["worker_id"] != b || second["status_done"] != true {
		t.Errorf("returnees: %s", r.raw)
	}
	if strings.Contains(r.raw, idNumber("19800101", 11)) {
		t.Error("the returnees' API shows a full id number")
	}
	programmeRefused(t, "returnees of a bad month", f.api("GET", "/api/returnees?month=2026-13", nil), 400, "month")

	wl := f.api("GET", "/api/worklist?month=2026-11", nil)
	if wl.body["returned"] != float64(1) {
		t.Fatalf("worklist returned: %s", wl.raw)
	}
	marked := map[string]bool{}
	for _, p := range wl.body["people"].([]any) {
		pm := p.(map[string]any)
		if ret, ok := pm["returned"].(map[string]any); ok {
			marked[pm["worker_id"].(string)] = true
			if pm["worker_id"] == a && ret["returned_on"] != "2026-11-03" {
				t.Errorf("worklist mark of a: %v", ret)
			}
		}
	}
	if !marked[a] || !marked[b] || marked[c] {
		t.Errorf("worklist marks %v (a %s b %s c %s)", marked, a, b, c)
	}
	cf := f.api("POST", "/api/worklist/confirm", map[string]any{"month": "2026-11", "worker_ids": []string{a},
		"verified_by_method": "电话", "verified_by": "张三", "verified_at": "2026-11-12"})
	if cf.status != 200 || cf.body["confirmed"] != float64(0) || !strings.Contains(cf.raw, `"code":"returned"`) {
		t.Fatalf("confirming a returnee: %d %s", cf.status, cf.raw)
	}

	br := f.browser()
	page := br.get("/services/returns?month=2026-11")
	if page.status != 200 || !strings.Contains(page.raw, "鄂尔多斯") || !strings.Contains(page.raw, "天津") ||
		strings.Contains(page.raw, "呼和浩特") || !strings.Contains(page.raw, "返乡 2 人次，其中待核实 1 人次，有再次外出意向 1 人次") {
		t.Fatalf("returnee page: %d %s", page.status, page.raw)
	}
	if wlp := br.get("/worklist?month=2026-11"); !strings.Contains(wlp.raw, `id="wl-returned"`) ||
		!strings.Contains(wlp.raw, "本月返乡人员待核实：1") {
		t.Errorf("the worklist page does not show the returnees to verify")
	}
	csv := br.get("/services/returns/export?month=2026-11&format=csv")
	if csv.status != 200 || !strings.Contains(csv.raw, "返乡前务工地") || !strings.Contains(csv.raw, idNumber("19800101", 11)) ||
		strings.Index(csv.raw, "鄂尔多斯") > strings.Index(csv.raw, "天津") {
		t.Errorf("returnee CSV: %d %s", csv.status, csv.raw)
	}
	if x := br.get("/services/returns/export?month=2026-11"); x.status != 200 ||
		!strings.Contains(x.header.Get("Content-Type"), "spreadsheet") {
		t.Errorf("returnee Excel: %d %v", x.status, x.header)
	}
}

// The older workers' page lists the station's people over the older ages
// with their last health check, marks 体检到期 when a check is a year old or
// was never done (by the station's clock), and filters to those due. The
// check is written to the worker's row alone: editing the person keeps it.
func TestOlderHealthDue(t *testing.T) {
	f := newFixture(t, nil)
	mk := func(birth string, seq int, name string) string {
		b := workerBody(idNumber(birth, seq))
		b["name"] = name
		return f.mustCreate("/api/workers", b)
	}
	man := mk("19700101", 11, "阿拉坦")   // 56, older
	woman := mk("19800101", 12, "其其格") // 46, older
	never := mk("19600101", 13, "巴特尔") // 66, older, never checked
	young := mk("19900101", 15, "额尔敦") // 36: not older
	check := func(w, on string) {
		if r := f.api("PUT", "/api/workers/"+w+"/health-check", map[string]any{"health_check_on": on,
			"health_check_result": "未见异常"}); r.status != 200 {
			t.Fatalf("PUT health check: %d %s", r.status, r.raw)
		}
	}
	check(man, "2025-11-15")   // a year ago today: due
	check(woman, "2025-11-16") // a year ago tomorrow: not yet
	check(young, "2020-01-01")
	// Editing the person does not clear the check.
	if r := f.api("PATCH", "/api/workers/"+woman, map[string]any{"notes": "已体检"}); r.status != 200 {
		t.Fatalf("PATCH worker: %d %s", r.status, r.raw)
	}
	if hc, err := f.st.HealthCheckOf(t.Context(), mustID(t, woman)); err != nil || hc.On != "2025-11-16" || hc.Result != "未见异常" {
		t.Fatalf("the person's edit cleared the check: %+v %v", hc, err)
	}
	due := func(h http.Handler, q string) map[string]bool {
		t.Helper()
		r := (&fixture{t: t, h: h}).api("GET", "/api/older-workers"+q, nil)
		out := map[string]bool{}
		for _, p := range r.body["rows"].([]any) {
			pm := p.(map[string]any)
			out[pm["worker_id"].(string)] = pm["health_check_due"].(bool)
		}
		return out
	}
	got := due(f.h, "")
	if len(got) != 3 || !got[man] || got[woman] || !got[never] {
		t.Fatalf("older workers on 2026-11-15: %v (man %s woman %s never %s)", got, man, woman, never)
	}
	if got := due(f.h, "?due=1"); len(got) != 2 || !got[man] || !got[never] {
		t.Fatalf("due only: %v", got)
	}
	page := f.browser().get("/services/older?due=1")
	if page.status != 200 || !strings.Contains(page.raw, "阿拉坦") || strings.Contains(page.raw, "其其格") ||
		!strings.Contains(page.raw, "体检到期") || !strings.Contains(page.raw, "大龄劳动力 3 人，体检到期 2 人") {
		t.Fatalf("older page: %d %s", page.status, page.raw)
	}
	// A day later by the station's clock the woman's check is due too.
	later, err := serverFor(f.r, f.cfg, func() time.Time { return testNow.AddDate(0, 0, 1) }, Options{Hosts: []string{"example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := due(later.Handler(), "?due=1"); len(got) != 3 || !got[woman] {
		t.Fatalf("due a day later: %v", got)
	}
	// The person's page shows the check and whether it is due.
	if p := f.browser().get("/workers/" + man); !strings.Contains(p.raw, `id="health-check"`) ||
		!strings.Contains(p.raw, "2025-11-15") || !strings.Contains(p.raw, "体检到期") {
		t.Errorf("the person's page: %s", p.raw)
	}
	// The form: a check tomorrow is refused on its field; today's is saved.
	br := f.browser()
	r := br.post("/workers/"+never+"/health-check", url.Values{"health_check_on": {"2026-11-16"},
		"health_check_result": {"需复查"}})
	if r.status != 400 || !strings.Contains(r.raw, `id="err-health_check_on"`) || !strings.Contains(r.raw, "职业健康体检日期不能晚于今天") {
		t.Fatalf("a check tomorrow through the form: %d", r.status)
	}
	if r := br.post("/workers/"+never+"/health-check", url.Values{"health_check_on": {"2026-11-15"},
		"health_check_result": {"需复查"}}); r.status != http.StatusSeeOther {
		t.Fatalf("today's check through the form: %d %s", r.status, r.raw)
	}
	if got := due(f.h, "?due=1"); len(got) != 1 || !got[man] {
		t.Fatalf("due after the form: %v", got)
	}
}

// A job fair's page lists the postings naming it with their kind and
// whether they suit older workers; the fair stays while postings name it.
func TestJobFairPostings(t *testing.T) {
	f := newFixture(t, nil)
	fair := f.mustCreate("/api/job-fairs", map[string]any{"title": "农民工专场招聘会", "fair_kind": "农民工专场",
		"held_on": "2026-11-01", "place": "县人力资源市场", "employers": 20})
	job := gigBody()
	job["title"], job["kind"], job["wage"], job["wage_unit"], job["settlement"] = "仓库管理员", "全职", 4500, "元/月", "月结"
	job["suits_older"], job["job_fair_id"] = true, fair
	f.mustCreate("/api/gigs", job)
	gig := gigBody()
	gig["job_fair_id"] = fair
	f.mustCreate("/api/gigs", gig)
	f.mustCreate("/api/gigs", gigBody()) // not at the fair
	r := f.api("GET", "/api/job-fairs/"+fair+"/postings", nil)
	rows, _ := r.body["rows"].([]any)
	if r.status != 200 || len(rows) != 2 {
		t.Fatalf("postings: %d %s", r.status, r.raw)
	}
	for _, p := range rows {
		pm := p.(map[string]any)
		older := pm["title"] == "仓库管理员"
		kind := map[bool]string{true: "全职", false: "零工"}[older]
		if pm["kind"] != kind || pm["suits_older"] != older {
			t.Errorf("posting %v", pm)
		}
	}
	if fr := f.api("GET", "/api/job-fairs/"+fair, nil); fr.body["posted"] != float64(2) {
		t.Errorf("the fair counts %v postings", fr.body["posted"])
	}
	page := f.browser().get("/services/job-fairs/" + fair)
	if page.status != 200 || !strings.Contains(page.raw, "农民工专场招聘会") || !strings.Contains(page.raw, "仓库管理员") ||
		!strings.Contains(page.raw, "全职") || !strings.Contains(page.raw, "适合大龄") {
		t.Fatalf("the fair's page: %d %s", page.status, page.raw)
	}
	programmeRefused(t, "DELETE a fair with postings", f.api("DELETE", "/api/job-fairs/"+fair, nil), http.StatusConflict, "id")
}

// The services' pages: the index, the lists and forms, a start-up's page
// with its support, and the person's block; a bad form names its field in
// Chinese and saves nothing.
func TestServicesPages(t *testing.T) {
	f := newFixture(t, nil)
	idn := idNumber("19800101", 11)
	w := f.mustCreate("/api/workers", workerBody(idn))
	br := f.browser()
	for _, p := range []string{"/services", "/services/experts", "/services/experts/new", "/services/startups",
		"/services/startups/new", "/services/support/new", "/services/returns", "/services/returns/new",
		"/services/job-fairs", "/services/job-fairs/new", "/services/older", "/workers/" + w + "/health-check"} {
		if r := br.get(p); r.status != 200 {
			t.Errorf("GET %s: %d %s", p, r.status, r.raw)
		}
	}
	if r := br.get("/"); !strings.Contains(r.raw, `id="nav-services"`) {
		t.Error("no 服务 in the navigation")
	}
	if r := br.post("/services/experts/new", url.Values{"name": {"王老师"}, "expert_field": {"开业指导"}}); r.status != http.StatusSeeOther {
		t.Fatalf("new expert: %d %s", r.status, r.raw)
	}
	r := br.post("/services/startups/new", url.Values{"worker_id": {idn}, "business": {"牛肉干作坊"},
		"started_on": {"2026-05-01"}, "place": {"150421100"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("new start-up: %d %s", r.status, r.raw)
	}
	startup := strings.TrimPrefix(r.header.Get("Location"), "/services/startups/")
	// Guidance without an expert: refused on expert_id, nothing saved.
	r = br.post("/services/support/new", url.Values{"worker_id": {idn}, "support_kind": {"专家指导"},
		"advice": {"选址"}, "start_on": {"2026-05-02"}})
	if r.status != 400 || !strings.Contains(r.raw, `id="err-expert_id"`) {
		t.Fatalf("guidance without expert: %d %s", r.status, r.raw)
	}
	r = br.post("/services/support/new", url.Values{"worker_id": {idn}, "support_kind": {"专家指导"},
		"expert_id": {"王老师（开业指导）"}, "startup_id": {"牛肉干作坊（2026-05-01）"}, "advice": {"选址"},
		"start_on": {"2026-05-02"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("guidance: %d %s", r.status, r.raw)
	}
	sp := br.get("/services/startups/" + startup)
	if sp.status != 200 || !strings.Contains(sp.raw, "选址") || !strings.Contains(sp.raw, "王老师") {
		t.Fatalf("the start-up's page: %d %s", sp.status, sp.raw)
	}
	r = br.post("/services/job-fairs/new", url.Values{"title": {"大龄专场"}, "fair_kind": {"大龄专场"},
		"held_on": {"2026-11-01"}, "place": {"县人力资源市场"}, "attendees": {"10"}, "agreements": {"12"}})
	if r.status != 400 || !strings.Contains(r.raw, `id="err-agreements"`) || !strings.Contains(r.raw, "达成意向人数不能多于入场求职人数") {
		t.Fatalf("a fair with more agreements than attendees: %d %s", r.status, r.raw)
	}
	if rows := listItems(t, f.api("GET", "/api/job-fairs", nil)); len(rows) != 0 {
		t.Fatalf("a refused fair was saved: %v", rows)
	}
	wp := br.get("/workers/" + w)
	if !strings.Contains(wp.raw, `id="person-services"`) || !strings.Contains(wp.raw, "牛肉干作坊") ||
		!strings.Contains(wp.raw, "选址") {
		t.Errorf("the person's page lacks the start-ups block")
	}
}

// A return is corrected through its edit form: a date moved after today is
// refused on its field and nothing changes; a good one is saved and goes
// back to its month's list.
func TestReturnEditForm(t *testing.T) {
	f := newFixture(t, nil)
	w := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	ret := f.mustCreate("/api/returns", map[string]any{"worker_id": w, "returned_on": "2026-11-03", "from_place": "北京",
		"return_reason": "务工结束", "intention": "暂无"})
	br := f.browser()
	if r := br.get("/services/returns/" + ret + "/edit"); r.status != 200 || !strings.Contains(r.raw, "2026-11-03") {
		t.Fatalf("edit form: %d %s", r.status, r.raw)
	}
	form := url.Values{"returned_on": {"2026-12-01"}, "from_place": {"天津"}, "return_reason": {"务工结束"},
		"intention": {"暂无"}}
	if r := br.post("/services/returns/"+ret+"/edit", form); r.status != 400 || !strings.Contains(r.raw, `id="err-returned_on"`) {
		t.Fatalf("a date after today: %d %s", r.status, r.raw)
	}
	if r := f.api("GET", "/api/returns/"+ret, nil); r.body["from_place"] != "北京" {
		t.Fatalf("a refused edit changed the return: %s", r.raw)
	}
	form.Set("returned_on", "2026-10-28")
	r := br.post("/services/returns/"+ret+"/edit", form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.status, r.raw)
	}
	if r = br.get(r.header.Get("Location")); r.status != http.StatusSeeOther ||
		r.header.Get("Location") != "/services/returns?month=2026-10" {
		t.Fatalf("back to the month: %d %v", r.status, r.header)
	}
	if r := f.api("GET", "/api/returns/"+ret, nil); r.body["from_place"] != "天津" || r.body["returned_on"] != "2026-10-28" {
		t.Fatalf("the edit was not saved: %s", r.raw)
	}
}
