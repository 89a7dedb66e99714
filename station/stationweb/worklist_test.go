package stationweb

import (
	"fieldsync/station"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode"
)

// worklistFixture is a station with five people of its own and one of
// another station's: 阿拉坦 (employed last month, every field), 宝音
// (unemployed last month), 朝鲁 (nothing last month), 达来 (verified this
// month already), 额尔敦 (registered at 其他站, synced in).
type worklistFixture struct {
	*fixture
	peer *fixture // 其他站
	ids  map[string]string
}

func newWorklistFixture(t *testing.T) *worklistFixture {
	t.Helper()
	f := newFixture(t, nil)
	wf := &worklistFixture{fixture: f, ids: map[string]string{}}
	for i, name := range []string{"阿拉坦", "宝音", "朝鲁", "达来"} {
		b := workerBody(idNumber("19800101", 100+i))
		b["name"] = name
		wf.ids[name] = f.mustCreate("/api/workers", b)
	}
	wf.status(wf.ids["阿拉坦"], "2026-10", map[string]any{"list_type": "就业", "work_scope": "县外区内",
		"place": "呼和浩特", "industry": "建筑", "employment_form": "单位", "monthly_income": 4200.5})
	wf.status(wf.ids["宝音"], "2026-10", map[string]any{"list_type": "失业"})
	wf.status(wf.ids["达来"], "2026-10", map[string]any{"list_type": "失业"})
	wf.status(wf.ids["达来"], "2026-11", map[string]any{"list_type": "有意愿外出"})
	peer := f.peer("其他站")
	b := workerBody(idNumber("19800101", 200))
	b["name"] = "额尔敦"
	wf.ids["额尔敦"] = peer.mustCreate("/api/workers", b)
	peer.mustCreate("/api/monthly-status", map[string]any{"worker_id": wf.ids["额尔敦"], "month": "2026-10",
		"list_type": "失业", "verified_by_method": "电话", "verified_by": "王五", "verified_at": "2026-10-05"})
	peer.syncTo(f)
	wf.peer = peer
	return wf
}

func (wf *worklistFixture) status(wid, month string, fields map[string]any) {
	wf.t.Helper()
	m := map[string]any{"worker_id": wid, "month": month, "verified_by_method": "入户", "verified_by": "李四",
		"verified_at": month + "-08"}
	for k, v := range fields {
		m[k] = v
	}
	wf.mustCreate("/api/monthly-status", m)
}

func people(t *testing.T, r resp) []map[string]any {
	t.Helper()
	ps, ok := r.body["people"].([]any)
	if !ok {
		t.Fatalf("no people: %s", r.raw)
	}
	out := make([]map[string]any, len(ps))
	for i, p := range ps {
		out[i] = p.(map[string]any)
	}
	return out
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func TestWorklistGet(t *testing.T) {
	wf := newWorklistFixture(t)
	for _, path := range []string{"/api/worklist?month=2026-11", "/api/worklist"} {
		r := wf.api("GET", path, nil)
		if r.status != 200 || r.body["month"] != "2026-11" || r.body["total"] != float64(4) || r.body["done"] != float64(1) {
			t.Fatalf("%s: %d %s", path, r.status, r.raw)
		}
		var names []string
		for _, p := range people(t, r) {
			names = append(names, p["name"].(string))
		}
		// Undone first, in the station's name order (that of its worker
		// list); the other station's person is not here.
		if got := strings.Join(names, ","); got != "宝音,朝鲁,阿拉坦,达来" {
			t.Fatalf("%s: order %s", path, got)
		}
		ps := people(t, r)
		last := ps[2]["last"].(map[string]any)
		if ps[2]["worker_id"] != wf.ids["阿拉坦"] || last["list_type"] != "就业" || last["monthly_income"] != 4200.5 ||
			last["month"] != "2026-10" || last["id"] == "" || ps[2]["status"] != nil {
			t.Fatalf("阿拉坦: %v", ps[2])
		}
		// 达来's status was entered as 有意愿外出: 失业 with the month's flag.
		if st := ps[3]["status"].(map[string]any); ps[1]["last"] != nil || st["list_type"] != "失业" || st["willing_away"] != true {
			t.Fatalf("people: %v", ps)
		}
	}
	// A month with none of them verified: every one undone, by name.
	r := wf.api("GET", "/api/worklist?month=2026-10", nil)
	if r.body["done"] != float64(3) || r.body["total"] != float64(4) {
		t.Fatalf("October: %s", r.raw)
	}
	// The home page's count agrees, the other station's status left out.
	if done, total, err := wf.st.WorklistProgress(t.Context(), "2026-10"); err != nil || done != 3 || total != 4 {
		t.Fatalf("October progress: %d / %d, %v", done, total, err)
	}
	for _, bad := range []string{"2026-13", "2026-1", "202611", "x"} {
		r := wf.api("GET", "/api/worklist?month="+url.QueryEscape(bad), nil)
		if msg, _ := r.body["error"].(string); r.status != 400 || r.body["field"] != "month" || !hasHan(msg) {
			t.Errorf("month %q: %d %s", bad, r.status, r.raw)
		}
	}
}

func TestWorklistConfirm(t *testing.T) {
	wf := newWorklistFixture(t)
	ids := wf.ids
	unknown := strings.Repeat("a", 32)
	r := wf.api("POST", "/api/worklist/confirm", map[string]any{"month": "2026-11",
		"worker_ids":         []string{ids["阿拉坦"], ids["宝音"], ids["朝鲁"], ids["达来"], ids["额尔敦"], unknown, "not-an-id", ids["阿拉坦"]},
		"verified_by_method": "电话", "verified_by": "张三", "verified_at": "2026-11-12"})
	if r.status != 200 || r.body["confirmed"] != float64(2) {
		t.Fatalf("confirm: %d %s", r.status, r.raw)
	}
	want := map[string]string{ids["朝鲁"]: "上月无状态", ids["达来"]: "本月已核实", ids["额尔敦"]: "非本站人员",
		unknown: "无此人员", "not-an-id": "无此人员"}
	skipped := r.body["skipped"].([]any)
	if len(skipped) != len(want)+1 { // 阿拉坦 named twice
		t.Fatalf("skipped: %v", skipped)
	}
	for _, s := range skipped {
		sk := s.(map[string]any)
		id := sk["worker_id"].(string)
		if w, ok := want[id]; ok && sk["reason"] != w {
			t.Errorf("skipped %s: %v, want %s", id, sk, w)
		}
	}
	// Every field of last month's status carried over, the verification new,
	// in a row of its own.
	byMonth := func(wid string) map[string]map[string]any {
		r := wf.api("GET", "/api/workers/"+wid, nil)
		out := map[string]map[string]any{}
		for _, s := range r.body["monthly_status"].([]any) {
			m := s.(map[string]any)
			out[m["month"].(string)] = m
		}
		return out
	}
	a := byMonth(ids["阿拉坦"])
	oct, nov := a["2026-10"], a["2026-11"]
	if nov == nil || nov["id"] == oct["id"] {
		t.Fatalf("November: %v (October %v)", nov, oct)
	}
	for _, col := range []string{"list_type", "work_scope", "place", "industry", "employment_form", "monthly_income", "station"} {
		if nov[col] != oct[col] || nov[col] == nil {
			t.Errorf("%s: November %v, October %v", col, nov[col], oct[col])
		}
	}
	if nov["verified_by_method"] != "电话" || nov["verified_by"] != "张三" || nov["verified_at"] != "2026-11-12" {
		t.Errorf("verification: %v", nov)
	}
	if b := byMonth(ids["宝音"])["2026-11"]; b == nil || b["list_type"] != "失业" {
		t.Errorf("宝音 November: %v", b)
	}
	// The confirmed statuses are in the month's lists and the worklist.
	r = wf.api("GET", "/api/lists?month=2026-11", nil)
	// The lists overlap: 达来 (失业, willing) is on 失业 and 有意愿外出.
	if r.body["employed"] != float64(1) || r.body["unemployed"] != float64(2) || r.body["willing_away"] != float64(1) {
		t.Fatalf("lists: %s", r.raw)
	}
	r = wf.api("GET", "/api/worklist?month=2026-11", nil)
	if r.body["done"] != float64(3) || people(t, r)[0]["name"] != "朝鲁" {
		t.Fatalf("worklist after: %s", r.raw)
	}
	// The confirmed statuses sync like any status: another station of the
	// deployment holds the same row.
	wf.syncTo(wf.peer)
	var got string
	err := wf.peer.r.DB().QueryRow(`SELECT list_type || '/' || place || '/' || monthly_income || '/' || verified_by
		FROM monthly_status WHERE worker_id = ? AND month = '2026-11' AND fs_deleted = 0`, ids["阿拉坦"]).Scan(&got)
	if err != nil || got != "就业/呼和浩特/4200.5/张三" {
		t.Fatalf("synced to the other station: %q %v", got, err)
	}
	// Confirming again changes nothing.
	r = wf.api("POST", "/api/worklist/confirm", map[string]any{"month": "2026-11", "worker_ids": []string{ids["阿拉坦"]},
		"verified_by_method": "电话", "verified_by": "张三", "verified_at": "2026-11-12"})
	if r.body["confirmed"] != float64(0) || r.body["skipped"].([]any)[0].(map[string]any)["reason"] != "本月已核实" {
		t.Fatalf("again: %s", r.raw)
	}
}

func TestWorklistConfirmValidation(t *testing.T) {
	wf := newWorklistFixture(t)
	many := make([]string, 5001)
	for i := range many {
		many[i] = fmt.Sprintf("%032x", i)
	}
	cases := []struct {
		mod    func(m map[string]any)
		status int
		field  string
	}{
		{func(m map[string]any) { m["verified_by_method"] = "猜" }, 400, "verified_by_method"},
		{func(m map[string]any) { m["verified_by_method"] = "" }, 400, "verified_by_method"},
		{func(m map[string]any) { m["verified_by"] = " " }, 400, "verified_by"},
		{func(m map[string]any) { m["verified_at"] = "2026-11-31" }, 400, "verified_at"},
		{func(m map[string]any) { m["verified_at"] = "" }, 400, "verified_at"},
		{func(m map[string]any) { m["month"] = "2026-13" }, 400, "month"},
		{func(m map[string]any) { delete(m, "month") }, 400, "month"},
		{func(m map[string]any) { m["worker_ids"] = many }, 400, "worker_ids"},
		{func(m map[string]any) { m["worker_ids"] = "x" }, 400, "worker_ids"},
		{func(m map[string]any) { m["extra"] = 1 }, 400, "extra"},
	}
	for i, c := range cases {
		m := map[string]any{"month": "2026-11", "worker_ids": []string{wf.ids["阿拉坦"]},
			"verified_by_method": "电话", "verified_by": "张三", "verified_at": "2026-11-12"}
		c.mod(m)
		r := wf.api("POST", "/api/worklist/confirm", m)
		if msg, _ := r.body["error"].(string); r.status != c.status || r.body["field"] != c.field || !hasHan(msg) {
			t.Errorf("case %d: %d %s", i, r.status, r.raw)
		}
	}
	// Nothing was written by the refused confirms.
	if r := wf.api("GET", "/api/worklist?month=2026-11", nil); r.body["done"] != float64(1) {
		t.Fatalf("after refused confirms: %s", r.raw)
	}
	// Not JSON: refused as the other POST APIs refuse it.
	rec := wf.api("POST", "/api/worklist/confirm", nil)
	if rec.status != http.StatusUnsupportedMediaType {
		t.Fatalf("no JSON body: %d", rec.status)
	}
}

// TestWorklistPages: the page lists the people, confirms the ticked ones
// through the form (with its CSRF token), the home page shows the
// progress, and the one-person page moves on.
func TestWorklistPages(t *testing.T) {
	wf := newWorklistFixture(t)
	b := wf.browser()
	home := b.get("/")
	if !strings.Contains(home.raw, `id="worklist-progress"`) || !strings.Contains(home.raw, "已核实 1 / 应核实 4") {
		t.Fatalf("home: %s", home.raw)
	}
	page := b.get("/worklist?month=2026-11")
	if page.status != 200 || !strings.Contains(page.raw, "全选未核实") || !strings.Contains(page.raw, "确认无变化") {
		t.Fatalf("worklist page: %d", page.status)
	}
	if strings.Contains(page.raw, " checked") {
		t.Fatal("ticked before 全选未核实")
	}
	sel := b.get("/worklist?month=2026-11&select=undone")
	for name, want := range map[string]bool{"阿拉坦": true, "宝音": true, "朝鲁": false} {
		box := `value="` + wf.ids[name] + `" class="wl-undone" checked>`
		if strings.Contains(sel.raw, box) != want {
			t.Errorf("全选未核实: %s ticked %v, want %v", name, !want, want)
		}
	}
	// 有变化 opens the form pre-filled with last month's values.
	link := "/worklist/change?month=2026-11&amp;worker=" + wf.ids["阿拉坦"]
	if !strings.Contains(page.raw, link) {
		t.Fatal("no link to the form")
	}
	to := b.get(strings.ReplaceAll(link, "&amp;", "&"))
	loc := to.header.Get("Location")
	if to.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/workers/"+wf.ids["阿拉坦"]+"/monthly-status?") {
		t.Fatalf("change link: %d %q", to.status, loc)
	}
	form := b.get(loc)
	for _, want := range []string{`value="呼和浩特"`, `value="建筑"`, `value="4200.5"`, `value="2026-11"`, `value="2026-11-15"`,
		`<option value="县外区内" selected>`, `<option value="单位" selected>`} {
		if !strings.Contains(form.raw, want) {
			t.Errorf("form not pre-filled with %s", want)
		}
	}
	// Without the CSRF token: refused.
	if r := b.do(postForm("/worklist/confirm", url.Values{"month": {"2026-11"}, "worker_id": {wf.ids["宝音"]}})); r.status != http.StatusForbidden {
		t.Fatalf("no CSRF token: %d", r.status)
	}
	one := b.get("/worklist/one?month=2026-11")
	shows := func(r resp, name string) bool {
		return strings.Contains(r.raw, `id="wl-name"><a href="/workers/`+wf.ids[name]+`">`+name+`<`)
	}
	if !shows(one, "宝音") || !strings.Contains(one.raw, "13800138000") {
		t.Fatalf("one: %s", one.raw)
	}
	if one = b.get("/worklist/one?month=2026-11&after=" + wf.ids["宝音"]); !shows(one, "朝鲁") {
		t.Fatalf("skip: %s", one.raw)
	}
	if one = b.get("/worklist/one?month=2026-11&after=" + wf.ids["阿拉坦"]); !shows(one, "宝音") {
		t.Fatalf("wrap round: %s", one.raw)
	}
	r := b.post("/worklist/confirm", url.Values{"month": {"2026-11"}, "worker_id": {wf.ids["宝音"]}, "one": {"1"},
		"after": {wf.ids["宝音"]}, "verified_by_method": {"电话"}, "verified_by": {"张三"}, "verified_at": {"2026-11-12"}})
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "after="+wf.ids["宝音"]) {
		t.Fatalf("one confirm: %d %v", r.status, r.header)
	}
	r = b.post("/worklist/confirm", url.Values{"month": {"2026-11"}, "worker_id": {wf.ids["阿拉坦"], wf.ids["朝鲁"]},
		"verified_by_method": {"电话"}, "verified_by": {"张三"}, "verified_at": {"2026-11-12"}})
	if r.status != 200 || !strings.Contains(r.raw, `id="wl-confirmed">1<`) || !strings.Contains(r.raw, "上月无状态") {
		t.Fatalf("page confirm: %d %s", r.status, r.raw)
	}
	r = b.post("/worklist/confirm", url.Values{"month": {"2026-11"}, "worker_id": {wf.ids["朝鲁"]},
		"verified_by_method": {"电话"}, "verified_by": {""}, "verified_at": {"2026-11-12"}})
	if r.status != 400 || !strings.Contains(r.raw, `id="wl-error"`) {
		t.Fatalf("page confirm without verified_by: %d", r.status)
	}
	if home = b.get("/"); !strings.Contains(home.raw, "已核实 3 / 应核实 4") {
		t.Fatal("home after confirming")
	}
}

func postForm(path string, form url.Values) *http.Request {
	req, _ := http.NewRequest("POST", "http://example.com"+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// TestWorklistLogin: behind a login the worklist's API and pages ask for
// it, as the other station APIs do; logged in, the verifier defaults to the
// user and a confirm names them as who entered it.
func TestWorklistLogin(t *testing.T) {
	dir := t.TempDir()
	cfg, err := station.InitStandalone(t.Context(), dir, "红旗嘎查")
	if err != nil {
		t.Fatal(err)
	}
	users, err := station.LoadUsers(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := users.Set("李四", "correct horse"); err != nil {
		t.Fatal(err)
	}
	f := openFixture(t, dir, cfg, func(o *Options) { o.Users = users; o.RequireLogin = true })
	body := map[string]any{"month": "2026-11", "worker_ids": []string{}, "verified_by_method": "电话",
		"verified_by": "李四", "verified_at": "2026-11-12"}
	if r := f.api("GET", "/api/worklist", nil); r.status != 401 {
		t.Fatalf("GET without login: %d", r.status)
	}
	if r := f.api("POST", "/api/worklist/confirm", body); r.status != 401 {
		t.Fatalf("POST without login: %d", r.status)
	}
	b := f.browser()
	for _, p := range []string{"/worklist", "/worklist/one", "/worklist/change?worker=x"} {
		if r := b.get(p); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login" {
			t.Fatalf("%s without login: %d", p, r.status)
		}
	}
	wid := f.mustCreateAs("/api/workers", workerBody(idNumber("19800101", 400)))
	f.mustCreateAs("/api/monthly-status", map[string]any{"worker_id": wid, "month": "2026-10", "list_type": "失业",
		"verified_by_method": "电话", "verified_by": "李四", "verified_at": "2026-10-12"})
	if r := b.post("/login", url.Values{"user": {"李四"}, "password": {"correct horse"}}); r.status != http.StatusSeeOther {
		t.Fatalf("login: %d", r.status)
	}
	if r := b.get("/worklist"); r.status != 200 || !strings.Contains(r.raw, `id="wl-by" value="李四"`) {
		t.Fatalf("worklist after login: %d", r.status)
	}
	body["worker_ids"] = []string{wid}
	req := httptest.NewRequest("POST", "/api/worklist/confirm", strings.NewReader(mustJSON(body)))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth("李四", "correct horse")
	if r := f.serve(req); r.status != 200 || r.body["confirmed"] != float64(1) {
		t.Fatalf("confirm with basic auth: %d %s", r.status, r.raw)
	}
	row, err := f.r.DB().Query(`SELECT entered_by FROM monthly_status WHERE month = '2026-11'`)
	if err != nil {
		t.Fatal(err)
	}
	defer row.Close()
	var by string
	if !row.Next() || row.Scan(&by) != nil || by != "李四" {
		t.Fatalf("entered_by %q", by)
	}
}

// mustCreateAs posts as 李四 (basic auth) and returns the new id.
func (f *fixture) mustCreateAs(path string, body any) string {
	f.t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(mustJSON(body)))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth("李四", "correct horse")
	r := f.serve(req)
	if r.status != http.StatusCreated {
		f.t.Fatalf("POST %s: %d %s", path, r.status, r.raw)
	}
	return r.body["id"].(string)
}
