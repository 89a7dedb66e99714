package stationweb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/station"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

var testNow = time.Date(2026, 11, 15, 9, 30, 0, 0, time.UTC)

// idNumber makes a valid id number born on birth (YYYYMMDD); seq's last digit
// decides the sex (odd: male).
func idNumber(birth string, seq int) string {
	first17 := fmt.Sprintf("150421%s%03d", birth, seq%1000)
	return first17 + string(ident.CheckDigit(first17))
}

type fixture struct {
	t   testing.TB
	dir string
	cfg station.Config
	r   *replica.Replica
	st  *station.Station
	s   *Server
	h   http.Handler
}

// newFixture makes a standalone station in a temp directory with a real
// SQLite replica. mod may change the options before the server is built.
func newFixture(t testing.TB, mod func(*Options)) *fixture {
	t.Helper()
	dir := t.TempDir()
	cfg, err := station.InitStandalone(context.Background(), dir, "红旗嘎查")
	if err != nil {
		t.Fatal(err)
	}
	return openFixture(t, dir, cfg, mod)
}

func openFixture(t testing.TB, dir string, cfg station.Config, mod func(*Options)) *fixture {
	t.Helper()
	r, err := station.OpenReplica(context.Background(), dir, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	// Requests made with httptest.NewRequest name example.com.
	opts := Options{Hosts: []string{"example.com"}}
	if mod != nil {
		mod(&opts)
	}
	s, err := serverFor(r, cfg, func() time.Time { return testNow }, opts)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, dir: dir, cfg: cfg, r: r, st: s.Station(), s: s, h: s.Handler()}
}

// serverFor builds the station core over r, as cmd/station does (the sync
// client and logger of opts shared with it), and the server over that.
func serverFor(r *replica.Replica, cfg station.Config, now func() time.Time, opts Options) (*Server, error) {
	core := station.Options{Replica: r, Config: cfg, Now: now, Logger: opts.Logger}
	if opts.Sync != nil {
		core.Sync = opts.Sync
	}
	st, err := station.New(core)
	if err != nil {
		return nil, err
	}
	opts.Station = st
	return New(opts)
}

// peer makes a second station of the same deployment (same key, its own site).
func (f *fixture) peer(name string) *fixture {
	f.t.Helper()
	site, err := replica.NewSiteID()
	if err != nil {
		f.t.Fatal(err)
	}
	cfg := f.cfg
	cfg.Name, cfg.Site = name, site.String()
	dir := f.t.TempDir()
	if err := station.InitDir(context.Background(), dir, cfg); err != nil {
		f.t.Fatal(err)
	}
	return openFixture(f.t, dir, cfg, nil)
}

// syncTo applies every change f holds to other, as the hub would relay them.
func (f *fixture) syncTo(other *fixture) {
	f.t.Helper()
	ctx := context.Background()
	var after uint64
	for {
		entries, last, err := f.r.ReadLog(ctx, after, replica.LogQuery{})
		if err != nil {
			f.t.Fatal(err)
		}
		if len(entries) == 0 {
			return
		}
		changes := make([]replica.Change, len(entries))
		for i, e := range entries {
			changes[i] = e.Change
		}
		if _, err := other.r.Apply(ctx, changes, "", 0); err != nil {
			f.t.Fatal(err)
		}
		after = last
	}
}

type resp struct {
	status int
	body   map[string]any
	raw    string
	header http.Header
}

func (f *fixture) api(method, path string, body any) resp {
	f.t.Helper()
	var rd io.Reader
	if body != nil {
		b, ok := body.(string)
		if !ok {
			j, err := json.Marshal(body)
			if err != nil {
				f.t.Fatal(err)
			}
			b = string(j)
		}
		rd = strings.NewReader(b)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return f.serve(req)
}

func (f *fixture) serve(req *http.Request) resp {
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	out := resp{status: rec.Code, raw: rec.Body.String(), header: rec.Header()}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(rec.Body.Bytes(), &out.body); err != nil {
			f.t.Fatalf("%s %s: bad JSON %q", req.Method, req.URL, rec.Body.String())
		}
	}
	return out
}

func workerBody(id string) map[string]any {
	return map[string]any{"id_number": id, "name": "巴图", "phone": "13800138000", "ethnicity": "蒙古族",
		"hukou_village": "150421100201", "education": "初中", "labour_ability": "普通劳动力",
		"tags": []string{"农民工"}, "skills": []string{"电焊"}, "willing_away": true}
}

func (f *fixture) mustCreate(path string, body any) string {
	f.t.Helper()
	r := f.api("POST", path, body)
	if r.status != http.StatusCreated {
		f.t.Fatalf("POST %s: %d %s", path, r.status, r.raw)
	}
	return r.body["id"].(string)
}

func TestCreateWorkerAndDuplicates(t *testing.T) {
	f := newFixture(t, nil)
	idn := idNumber("19800101", 11)
	id := f.mustCreate("/api/workers", workerBody(idn))
	key, _ := f.cfg.DeploymentKey()
	if id != key.Derive(records.Workers, idn).String() {
		t.Fatalf("id %s is not derived from the id number", id)
	}
	// Same person, typed differently, at the same station: 409 with the id.
	body := workerBody(strings.ToLower(idn[:6] + " " + idn[6:]))
	r := f.api("POST", "/api/workers", body)
	if r.status != http.StatusConflict || r.body["id"] != id || r.body["field"] != "id_number" ||
		!strings.Contains(r.body["error"].(string), "已在本站登记") {
		t.Fatalf("duplicate: %d %v", r.status, r.body)
	}
	// Another station of the same deployment, offline: the same row id.
	g := f.peer("白音嘎查")
	id2 := g.mustCreate("/api/workers", workerBody(idn))
	if id2 != id {
		t.Fatalf("other station made id %s, want %s", id2, id)
	}
	// Once the first station's row reaches it, registering again merges into it.
	h := f.peer("乌兰嘎查")
	f.syncTo(h)
	if id3 := h.mustCreate("/api/workers", workerBody(idn)); id3 != id {
		t.Fatalf("merged id %s, want %s", id3, id)
	}
	var n int
	if err := h.r.DB().QueryRow(`SELECT count(*) FROM workers`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows = %d, %v", n, err)
	}
}

func TestGetAndListWorkers(t *testing.T) {
	f := newFixture(t, nil)
	idn := idNumber("19700101", 21) // a man of 56
	id := f.mustCreate("/api/workers", workerBody(idn))
	r := f.api("GET", "/api/workers/"+id, nil)
	if r.status != 200 || r.body["id_number"] != idn || r.body["phone"] != "13800138000" ||
		r.body["sex"] != "男" || r.body["age"] != float64(56) || r.body["older"] != true ||
		r.body["birth_date"] != "1970-01-01" {
		t.Fatalf("get: %d %v", r.status, r.body)
	}
	for _, q := range []string{"巴", idn, idn[:10], idn[14:], "13800", "8000"} {
		r = f.api("GET", "/api/workers?q="+url.QueryEscape(q), nil)
		if r.status != 200 || r.body["total"] != float64(1) {
			t.Fatalf("search %q: %d %v", q, r.status, r.body)
		}
		w := r.body["workers"].([]any)[0].(map[string]any)
		if w["id_number"] != records.MaskIDNumber(idn) || w["phone"] != "138****8000" {
			t.Fatalf("list not masked: %v", w)
		}
	}
	if r = f.api("GET", "/api/workers?q=nobody", nil); r.body["total"] != float64(0) {
		t.Fatalf("search nobody: %v", r.body)
	}
	if records.MaskIDNumber("11010519491231002X") != "1101**********002X" {
		t.Fatal(records.MaskIDNumber("11010519491231002X"))
	}
	for i := 0; i < 4; i++ {
		f.mustCreate("/api/workers", workerBody(idNumber("19900101", 100+i)))
	}
	r = f.api("GET", "/api/workers?limit=2&offset=4", nil)
	if r.status != 200 || r.body["total"] != float64(5) || len(r.body["workers"].([]any)) != 1 || r.body["limit"] != float64(2) {
		t.Fatalf("paging: %v", r.body)
	}
	for _, bad := range []string{"limit=1001", "limit=0", "limit=x", "offset=-1", "list=retired", "list=employed&month=2026-13"} {
		r = f.api("GET", "/api/workers?"+bad, nil)
		if r.status != 400 || r.body["error"] == "" || r.body["field"] == nil {
			t.Fatalf("%s: %d %v", bad, r.status, r.body)
		}
	}
	if r = f.api("GET", "/api/workers/"+strings.Repeat("0", 32), nil); r.status != 404 {
		t.Fatalf("missing worker: %d", r.status)
	}
	if r = f.api("GET", "/api/workers/xyz", nil); r.status != 404 {
		t.Fatalf("bad id: %d", r.status)
	}
}

// TestWorkerValidationErrors posts each kind of bad field and checks status,
// field and the Chinese (and English) message.
func TestWorkerValidationErrors(t *testing.T) {
	f := newFixture(t, nil)
	good := idNumber("19800101", 11)
	cases := []struct {
		field string
		value any
		zh    string
	}{
		{"id_number", "", "公民身份号码不能为空"},
		{"id_number", good[:17], "应为18位"},
		{"id_number", good[:16] + "AB", "只能包含数字"},
		{"id_number", idNumber("19801301", 1), "出生日期不存在"},
		{"id_number", good[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", good[17])+1)%11]), "校验位错误"},
		{"name", "", "姓名不能为空"},
		{"phone", "23800138000", "手机号码"},
		{"ethnicity", "", "民族不能为空"},
		{"hukou_village", "1504211002", "12位行政区划代码"},
		{"residence_village", "x", "12位行政区划代码"},
		{"education", "幼儿园", "文化程度应为以下之一"},
		{"labour_ability", "很强", "劳动能力应为以下之一"},
		{"tags", []string{"富人"}, "人员类别应为以下之一"},
		{"monitor_type", "x", "监测对象类型应为以下之一"},
		{"willing_away", "yes", "请求格式错误"},
		{"tags", "农民工", "请求格式错误"},
		{"bogus", "x", "无法识别的字段"},
	}
	for _, c := range cases {
		b := workerBody(good)
		b[c.field] = c.value
		r := f.api("POST", "/api/workers", b)
		wantField := c.field
		if r.status != 400 || !strings.Contains(r.body["error"].(string), c.zh) || r.body["field"] != wantField {
			t.Errorf("%s=%v: %d %v", c.field, c.value, r.status, r.body)
		}
	}
	// The rules between the categories and the monitoring type.
	for _, c := range []struct {
		tags      []string
		monitor   string
		field, zh string
	}{
		{[]string{"农民工"}, "突发严重困难户", "monitor_type", "填写监测对象类型需在人员类别中选择“防止返贫监测对象”"},
		{[]string{"脱贫人口", "防止返贫监测对象"}, "边缘易致贫户", "monitor_type", "监测对象类型为边缘易致贫户时，人员类别不能有“脱贫人口”"},
	} {
		b := workerBody(good)
		b["tags"], b["monitor_type"] = c.tags, c.monitor
		if r := f.api("POST", "/api/workers", b); r.status != 400 || r.body["field"] != c.field ||
			!strings.Contains(fmt.Sprint(r.body["error"]), c.zh) {
			t.Errorf("%v %s: %d %v", c.tags, c.monitor, r.status, r.body)
		}
	}
	// English on request.
	b := workerBody(good)
	b["phone"] = "1"
	req := httptest.NewRequest("POST", "/api/workers?lang=en", strings.NewReader(mustJSON(b)))
	req.Header.Set("Content-Type", "application/json")
	if r := f.serve(req); r.status != 400 || !strings.Contains(r.body["error"].(string), "mobile number") {
		t.Fatalf("english: %v", r.body)
	}
	// Malformed JSON, trailing data, wrong content type, oversized body.
	for _, raw := range []string{"{", `{"name":"a"} {}`, `[]`} {
		if r := f.api("POST", "/api/workers", raw); r.status != 400 {
			t.Errorf("%q: %d", raw, r.status)
		}
	}
	req = httptest.NewRequest("POST", "/api/workers", strings.NewReader(mustJSON(workerBody(good))))
	req.Header.Set("Content-Type", "text/plain")
	if r := f.serve(req); r.status != http.StatusUnsupportedMediaType {
		t.Fatalf("text/plain: %d", r.status)
	}
	if r := f.api("POST", "/api/workers", `{"notes":"`+strings.Repeat("x", maxJSONBody)+`"}`); r.status != 413 {
		t.Fatalf("huge body: %d", r.status)
	}
	var n int
	f.r.DB().QueryRow(`SELECT count(*) FROM workers`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d workers written by invalid requests", n)
	}
}

// TestWorkerGroupRules: a change to a registered person that breaks the rules
// between the categories and the monitoring type is refused naming the
// field, and writes nothing; one that mends a person stored before the
// rules is accepted.
func TestWorkerGroupRules(t *testing.T) {
	f := newFixture(t, nil)
	b := workerBody(idNumber("19800101", 11))
	b["tags"], b["monitor_type"] = []string{"防止返贫监测对象"}, "边缘易致贫户"
	id := f.mustCreate("/api/workers", b)
	stored := func() (tags, monitor string) {
		var m sql.NullString
		if err := f.r.DB().QueryRow(`SELECT tags, monitor_type FROM workers WHERE id = unhex(?)`, id).Scan(&tags, &m); err != nil {
			t.Fatal(err)
		}
		return tags, m.String
	}
	for _, c := range []struct{ body, field, zh string }{
		{`{"tags":["脱贫人口","防止返贫监测对象"]}`, "monitor_type", "不能有“脱贫人口”"},
		{`{"tags":["农民工"]}`, "monitor_type", "需在人员类别中选择“防止返贫监测对象”"},
		{`{"monitor_type":"突发严重困难户","tags":["残疾"]}`, "monitor_type", "需在人员类别中选择"},
	} {
		if r := f.api("PATCH", "/api/workers/"+id, c.body); r.status != 400 || r.body["field"] != c.field ||
			!strings.Contains(fmt.Sprint(r.body["error"]), c.zh) {
			t.Errorf("%s: %d %v", c.body, r.status, r.body)
		}
		if tags, m := stored(); tags != `["防止返贫监测对象"]` || m != "边缘易致贫户" {
			t.Fatalf("%s wrote %s %s", c.body, tags, m)
		}
	}
	// Both at once is a good change.
	if r := f.api("PATCH", "/api/workers/"+id, `{"tags":["脱贫人口","防止返贫监测对象"],"monitor_type":"脱贫不稳定户"}`); r.status != 200 {
		t.Fatalf("both at once: %d %v", r.status, r.body)
	}
	if r := f.api("PATCH", "/api/workers/"+id, `{"tags":[],"monitor_type":""}`); r.status != 200 {
		t.Fatalf("clearing both: %d %v", r.status, r.body)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestPatchWorker(t *testing.T) {
	f := newFixture(t, nil)
	idn := idNumber("19800101", 11)
	id := f.mustCreate("/api/workers", workerBody(idn))
	r := f.api("PATCH", "/api/workers/"+id, map[string]any{"phone": "13900139000", "skills": []string{"瓦工", "电焊"}})
	if r.status != 200 {
		t.Fatalf("patch: %d %v", r.status, r.body)
	}
	r = f.api("GET", "/api/workers/"+id, nil)
	if r.body["phone"] != "13900139000" || r.body["name"] != "巴图" || fmt.Sprint(r.body["skills"]) != "[瓦工 电焊]" {
		t.Fatalf("after patch: %v", r.body)
	}
	for _, c := range []struct {
		body  string
		field string
	}{
		{`{"phone":"123"}`, "phone"},
		{`{"name":""}`, "name"},
		{`{"education":"x"}`, "education"},
		{`{"id_number":"` + idNumber("19800101", 13) + `"}`, "id_number"},
		{`{"shoe_size":42}`, "shoe_size"},
		{`{"willing_away":"x"}`, "willing_away"},
	} {
		if r := f.api("PATCH", "/api/workers/"+id, c.body); r.status != 400 || r.body["field"] != c.field {
			t.Errorf("%s: %d %v", c.body, r.status, r.body)
		}
	}
	if r := f.api("PATCH", "/api/workers/"+strings.Repeat("1", 32), `{"name":"x"}`); r.status != 404 {
		t.Fatalf("patch missing: %d", r.status)
	}
}

func TestConflictShown(t *testing.T) {
	a := newFixture(t, nil)
	b := a.peer("白音嘎查")
	idn := idNumber("19800101", 11)
	id := a.mustCreate("/api/workers", workerBody(idn))
	wb := workerBody(idn)
	wb["phone"] = "13711112222"
	b.mustCreate("/api/workers", wb)
	b.syncTo(a)
	r := a.api("GET", "/api/workers/"+id, nil)
	conf := r.body["conflicts"].(map[string]any)
	phones, ok := conf["phone"].([]any)
	if !ok || len(phones) != 2 {
		t.Fatalf("conflicts = %v", conf)
	}
	page := a.serve(httptest.NewRequest("GET", "/workers/"+id, nil))
	if page.status != 200 || !strings.Contains(page.raw, "13711112222") || !strings.Contains(page.raw, "13800138000") ||
		!strings.Contains(page.raw, `class="conflict"`) {
		t.Fatalf("worker page does not mark the conflict:\n%s", page.raw)
	}
	// Editing the field settles it.
	if r := a.api("PATCH", "/api/workers/"+id, `{"phone":"13711112222"}`); r.status != 200 {
		t.Fatal(r.raw)
	}
	r = a.api("GET", "/api/workers/"+id, nil)
	if len(r.body["conflicts"].(map[string]any)) != 0 {
		t.Fatalf("still in conflict: %v", r.body["conflicts"])
	}
}

func TestMonthlyStatus(t *testing.T) {
	f := newFixture(t, nil)
	wid := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	ms := func(mod func(m map[string]any)) map[string]any {
		m := map[string]any{"worker_id": wid, "month": "2026-11", "list_type": "就业", "work_scope": "县外区内",
			"place": "呼和浩特", "industry": "建筑", "employment_form": "单位", "monthly_income": 4200,
			"verified_by_method": "电话", "verified_by": "李四", "verified_at": "2026-11-10"}
		if mod != nil {
			mod(m)
		}
		return m
	}
	id := f.mustCreate("/api/monthly-status", ms(nil))
	r := f.api("POST", "/api/monthly-status", ms(func(m map[string]any) {
		m["list_type"] = "unemployed"
		for _, k := range []string{"work_scope", "place", "industry", "employment_form", "monthly_income"} {
			delete(m, k)
		}
	}))
	if r.status != 200 || r.body["id"] != id {
		t.Fatalf("second status of the month: %d %v", r.status, r.body)
	}
	r = f.api("GET", "/api/workers?list=unemployed&month=2026-11", nil)
	if r.body["total"] != float64(1) {
		t.Fatalf("unemployed list: %v", r.body)
	}
	r = f.api("GET", "/api/lists?month=2026-11", nil)
	if r.body["unemployed"] != float64(1) || r.body["employed"] != float64(0) {
		t.Fatalf("counts: %v", r.body)
	}
	cases := []struct {
		mod    func(m map[string]any)
		status int
		field  string
	}{
		{func(m map[string]any) { m["worker_id"] = strings.Repeat("a", 32) }, 422, "worker_id"},
		{func(m map[string]any) { m["worker_id"] = "" }, 400, "worker_id"},
		{func(m map[string]any) { m["month"] = "2026-13" }, 400, "month"},
		{func(m map[string]any) { m["month"] = "" }, 400, "month"},
		{func(m map[string]any) { m["list_type"] = "退休" }, 400, "list_type"},
		{func(m map[string]any) { m["list_type"] = "" }, 400, "list_type"},
		{func(m map[string]any) { m["work_scope"] = "" }, 400, "work_scope"},
		{func(m map[string]any) { m["work_scope"] = "国外" }, 400, "work_scope"},
		{func(m map[string]any) { m["employment_form"] = "打工" }, 400, "employment_form"},
		{func(m map[string]any) { m["monthly_income"] = -1 }, 400, "monthly_income"},
		{func(m map[string]any) { m["monthly_income"] = "many" }, 400, "monthly_income"},
		{func(m map[string]any) { m["verified_by_method"] = "猜" }, 400, "verified_by_method"},
		{func(m map[string]any) { m["verified_by"] = "" }, 400, "verified_by"},
		{func(m map[string]any) { m["verified_at"] = "11/10/2026" }, 400, "verified_at"},
	}
	for i, c := range cases {
		if r := f.api("POST", "/api/monthly-status", ms(c.mod)); r.status != c.status || r.body["field"] != c.field {
			t.Errorf("case %d: %d %v", i, r.status, r.body)
		}
	}
	// The rules across fields, each refused naming its field in Chinese.
	unemployed := func(keep ...string) func(m map[string]any) {
		return func(m map[string]any) {
			m["list_type"] = "失业"
			for _, k := range []string{"work_scope", "place", "industry", "employment_form", "monthly_income"} {
				if !slices.Contains(keep, k) {
					delete(m, k)
				}
			}
		}
	}
	for _, c := range []struct {
		mod       func(m map[string]any)
		field, zh string
	}{
		{unemployed("employment_form"), "employment_form", "清单类型为失业时不填就业形式"},
		{unemployed("industry"), "industry", "清单类型为失业时不填行业"},
		{unemployed("place"), "place", "清单类型为失业时不填地点"},
		{unemployed("monthly_income"), "monthly_income", "清单类型为失业时不填月收入"},
		{func(m map[string]any) { m["employment_form"], m["work_scope"] = "公益性岗位", "区外" }, "employment_form",
			"就业形式为乡村公益性岗位时，务工地域不能是区外"},
	} {
		if r := f.api("POST", "/api/monthly-status", ms(c.mod)); r.status != 400 || r.body["field"] != c.field ||
			!strings.Contains(fmt.Sprint(r.body["error"]), c.zh) {
			t.Errorf("%s: %d %v", c.zh, r.status, r.body)
		}
	}
	// Nothing of them was written: the month holds the unemployed status.
	var n int
	var list string
	var form, income any
	if err := f.r.DB().QueryRow(`SELECT count(*), max(list_type), max(employment_form), max(monthly_income)
		FROM monthly_status WHERE month = '2026-11'`).Scan(&n, &list, &form, &income); err != nil {
		t.Fatal(err)
	}
	if n != 1 || list != "失业" || form != nil || income != nil {
		t.Fatalf("after refused statuses: %d %q %v %v", n, list, form, income)
	}
	// An unemployed status with income 0 (none) is accepted; a 公益性岗位 at home too.
	if r := f.api("POST", "/api/monthly-status", ms(func(m map[string]any) {
		unemployed()(m)
		m["monthly_income"] = 0
	})); r.status != 200 {
		t.Fatalf("unemployed with income 0: %d %v", r.status, r.body)
	}
	if r := f.api("POST", "/api/monthly-status", ms(func(m map[string]any) {
		m["employment_form"], m["work_scope"] = "公益性岗位", "本村"
	})); r.status != 200 {
		t.Fatalf("public-welfare post in the village: %d %v", r.status, r.body)
	}
}

// TestMonthlyIncomeUnknown: an income not given is stored NULL and shown as
// 未填报; an income of 0 given on purpose stays 0.
func TestMonthlyIncomeUnknown(t *testing.T) {
	f := newFixture(t, nil)
	body := func(wid string, income any) map[string]any {
		m := map[string]any{"worker_id": wid, "month": "2026-11", "list_type": "就业", "work_scope": "本村",
			"employment_form": "灵活就业", "verified_by_method": "电话", "verified_by": "李四", "verified_at": "2026-11-10"}
		if income != nil {
			m["monthly_income"] = income
		}
		return m
	}
	unknown := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	zero := f.mustCreate("/api/workers", workerBody(idNumber("19800102", 13)))
	f.mustCreate("/api/monthly-status", body(unknown, nil))
	f.mustCreate("/api/monthly-status", body(zero, 0))
	for wid, want := range map[string]any{unknown: nil, zero: 0.0} {
		var got any
		if err := f.r.DB().QueryRow(`SELECT monthly_income FROM monthly_status WHERE worker_id = ?`, wid).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: stored income %v, want %v", wid, got, want)
		}
	}
	// The form: an empty income field stores NULL too.
	form := url.Values{"month": {"2026-10"}, "list_type": {"就业"}, "work_scope": {"本村"}, "employment_form": {"单位"},
		"monthly_income": {""}, "verified_by_method": {"电话"}, "verified_by": {"李四"}, "verified_at": {"2026-10-10"}}
	b := f.browser()
	if r := b.post("/workers/"+zero+"/monthly-status", form); r.status != http.StatusSeeOther {
		t.Fatalf("form: %d %s", r.status, r.raw)
	}
	var formIncome any
	if err := f.r.DB().QueryRow(`SELECT monthly_income FROM monthly_status WHERE worker_id = ? AND month = '2026-10'`,
		zero).Scan(&formIncome); err != nil || formIncome != nil {
		t.Fatalf("form income: %v %v", formIncome, err)
	}
	// The person's page, the list page and its export show 未填报 for the
	// one, 0 for the other.
	if page := b.get("/workers/" + unknown); !strings.Contains(page.raw, "<td>未填报</td>") {
		t.Errorf("worker page does not show 未填报:\n%s", page.raw)
	}
	page := b.get("/lists?month=2026-11&list=employed")
	if !strings.Contains(page.raw, "未填报") {
		t.Errorf("list page does not show 未填报:\n%s", page.raw)
	}
	csv := b.get("/lists/export?month=2026-11&list=employed&format=csv")
	lines := strings.Split(strings.TrimSpace(csv.raw), "\n")
	if csv.status != 200 || len(lines) != 3 || !strings.Contains(csv.raw, ",未填报,") {
		t.Errorf("export: %d %q", csv.status, csv.raw)
	}
}

func TestUnemploymentRegistrations(t *testing.T) {
	f := newFixture(t, nil)
	wid := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	reg := map[string]any{"worker_id": wid, "place_type": "户籍地", "registered_on": "2026-10-01", "reason": "合同到期"}
	id := f.mustCreate("/api/unemployment-registrations", reg)
	r := f.api("POST", "/api/unemployment-registrations", reg)
	if r.status != 409 || r.body["id"] != id || !strings.Contains(r.body["error"].(string), "未注销的失业登记") {
		t.Fatalf("second open registration: %d %v", r.status, r.body)
	}
	// A closed registration can be recorded beside the open one.
	closed := map[string]any{"worker_id": wid, "place_type": "常住地", "registered_on": "2025-01-01", "reason": "x",
		"deregistered_on": "2025-03-01", "deregistration_reason": "已就业"}
	f.mustCreate("/api/unemployment-registrations", closed)
	if r := f.api("PATCH", "/api/unemployment-registrations/"+id, `{"deregistered_on":"2026-09-01","deregistration_reason":"就业"}`); r.status != 400 || r.body["field"] != "deregistered_on" {
		t.Fatalf("deregister before registering: %d %v", r.status, r.body)
	}
	if r := f.api("PATCH", "/api/unemployment-registrations/"+id, `{"deregistered_on":"2026-11-01"}`); r.status != 400 || r.body["field"] != "deregistration_reason" {
		t.Fatalf("deregister without reason: %d %v", r.status, r.body)
	}
	if r := f.api("PATCH", "/api/unemployment-registrations/"+id, `{"deregistered_on":"2026-11-01","deregistration_reason":"就业"}`); r.status != 200 {
		t.Fatalf("deregister: %d %v", r.status, r.body)
	}
	f.mustCreate("/api/unemployment-registrations", reg)
	for field, v := range map[string]any{"place_type": "外地", "registered_on": "2026-02-30", "reason": "",
		"deregistered_on": "x", "job_intention": strings.Repeat("长", 201)} {
		b := map[string]any{}
		for k, x := range reg {
			b[k] = x
		}
		b[field] = v
		if r := f.api("POST", "/api/unemployment-registrations", b); r.status != 400 || r.body["field"] != field {
			t.Errorf("%s: %d %v", field, r.status, r.body)
		}
	}
	if r := f.api("POST", "/api/unemployment-registrations", map[string]any{"worker_id": strings.Repeat("b", 32),
		"place_type": "户籍地", "registered_on": "2026-10-01", "reason": "x"}); r.status != 422 {
		t.Fatalf("unknown worker: %d", r.status)
	}
}

func TestConcurrentOpenRegistrations(t *testing.T) {
	f := newFixture(t, nil)
	wid := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	reg := map[string]any{"worker_id": wid, "place_type": "户籍地", "registered_on": "2026-10-01", "reason": "合同到期"}
	const n = 8
	codes := make(chan int, n)
	for i := 0; i < n; i++ {
		go func() {
			req := httptest.NewRequest("POST", "/api/unemployment-registrations", strings.NewReader(mustJSON(reg)))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			codes <- rec.Code
		}()
	}
	created := 0
	for i := 0; i < n; i++ {
		if <-codes == 201 {
			created++
		}
	}
	if created != 1 {
		t.Fatalf("%d open registrations created concurrently", created)
	}
}

func TestJobseekerAndFollowups(t *testing.T) {
	f := newFixture(t, nil)
	wid := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	js := map[string]any{"worker_id": wid, "intended_work": "保洁", "expected_wage": 150, "wage_unit": "元/天",
		"area": "县城", "work_type": "零工", "available_from": "2026-12-01"}
	f.mustCreate("/api/jobseeker-registrations", js)
	for field, v := range map[string]any{"intended_work": "", "expected_wage": -1, "wage_unit": "元/年",
		"work_type": "兼职", "available_from": "明天", "registered_on": "2026/1/32", "worker_id": "x"} {
		b := map[string]any{}
		for k, x := range js {
			b[k] = x
		}
		b[field] = v
		r := f.api("POST", "/api/jobseeker-registrations", b)
		if r.status/100 != 4 || r.body["field"] != field {
			t.Errorf("jobseeker %s: %d %v", field, r.status, r.body)
		}
	}
	fu := map[string]any{"worker_id": wid, "date": "2026-11-10", "method": "上门", "service_type": "岗位推荐",
		"content": "推荐保洁岗位", "outcome": "有意向", "next_due": "2026-12-10", "staff": "李四"}
	f.mustCreate("/api/followups", fu)
	for field, v := range map[string]any{"date": "", "method": "微信", "service_type": "", "content": "",
		"next_due": "2026-01-01", "worker_id": ""} {
		b := map[string]any{}
		for k, x := range fu {
			b[k] = x
		}
		b[field] = v
		if r := f.api("POST", "/api/followups", b); r.status != 400 || r.body["field"] != field {
			t.Errorf("followup %s: %d %v", field, r.status, r.body)
		}
	}
	r := f.api("GET", "/api/workers/"+wid, nil)
	if len(r.body["jobseeker_registrations"].([]any)) != 1 || len(r.body["followups"].([]any)) != 1 {
		t.Fatalf("worker records: %v", r.body)
	}
}

func gigBody() map[string]any {
	return map[string]any{"title": "摘枸杞", "occupation": "采摘", "headcount": 2, "wage": 150, "wage_unit": "元/天",
		"settlement": "日结", "place": "150421100", "address": "三组", "start_date": "2026-11-20", "end_date": "2026-11-30",
		"age_min": 18, "age_max": 55, "employer": "绿源农业公司", "contact": "13800138000", "skills": []string{"采摘"}}
}

func TestGigsMatchesAndPlacements(t *testing.T) {
	f := newFixture(t, nil)
	gid := f.mustCreate("/api/gigs", gigBody())
	// Fits: same township, skill, age 46.
	w1 := workerBody(idNumber("19800101", 11))
	w1["skills"] = []string{"采摘"}
	w1["willing_away"] = false
	fit := f.mustCreate("/api/workers", w1)
	// Too old for the gig.
	w2 := workerBody(idNumber("19600101", 13))
	w2["skills"] = []string{"采摘"}
	old := f.mustCreate("/api/workers", w2)
	// Elsewhere and not willing to go.
	w3 := workerBody(idNumber("19900101", 15))
	w3["skills"] = []string{"采摘"}
	w3["hukou_village"] = "150102001001"
	w3["willing_away"] = false
	away := f.mustCreate("/api/workers", w3)
	// Elsewhere but willing.
	w4 := workerBody(idNumber("19900101", 17))
	w4["skills"] = []string{"采摘"}
	w4["hukou_village"] = "150102001001"
	willing := f.mustCreate("/api/workers", w4)
	// Fits but employed this month.
	w5 := workerBody(idNumber("19900101", 19))
	w5["skills"] = []string{"采摘"}
	busy := f.mustCreate("/api/workers", w5)
	f.mustCreate("/api/monthly-status", map[string]any{"worker_id": busy, "month": "2026-11", "list_type": "就业",
		"work_scope": "本村", "employment_form": "灵活就业", "verified_by_method": "电话", "verified_by": "李四", "verified_at": "2026-11-10"})
	r := f.api("GET", "/api/gigs/"+gid+"/matches", nil)
	var got []string
	for _, m := range r.body["matches"].([]any) {
		got = append(got, m.(map[string]any)["worker"].(map[string]any)["id"].(string))
	}
	if len(got) != 2 || got[0] != fit || got[1] != willing {
		t.Fatalf("matches = %v (fit %s willing %s; old %s away %s busy %s)", got, fit, willing, old, away, busy)
	}
	r = f.api("GET", "/api/workers/"+fit+"/matches", nil)
	if r.body["total"] != float64(1) {
		t.Fatalf("worker matches: %v", r.body)
	}
	// Placements: the second fills the gig.
	f.mustCreate("/api/placements", map[string]any{"gig_id": gid, "worker_id": fit})
	if r := f.api("POST", "/api/placements", map[string]any{"gig_id": gid, "worker_id": fit}); r.status != 409 || r.body["field"] != "worker_id" {
		t.Fatalf("placed twice: %d %v", r.status, r.body)
	}
	f.mustCreate("/api/placements", map[string]any{"gig_id": gid, "worker_id": willing})
	r = f.api("GET", "/api/gigs/"+gid, nil)
	if r.body["status"] != "filled" || r.body["placed"] != float64(2) {
		t.Fatalf("gig after placements: %v", r.body)
	}
	if r := f.api("POST", "/api/placements", map[string]any{"gig_id": gid, "worker_id": old}); r.status != 409 || r.body["field"] != "gig_id" {
		t.Fatalf("placed in a filled gig: %d %v", r.status, r.body)
	}
	for _, c := range []struct {
		body  map[string]any
		code  int
		field string
	}{
		{map[string]any{"gig_id": strings.Repeat("c", 32), "worker_id": fit}, 422, "gig_id"},
		{map[string]any{"gig_id": gid, "worker_id": strings.Repeat("c", 32)}, 422, "worker_id"},
		{map[string]any{"gig_id": gid, "worker_id": fit, "status": "x"}, 400, "status"},
		{map[string]any{"gig_id": gid, "worker_id": fit, "placed_on": "x"}, 400, "placed_on"},
	} {
		if r := f.api("POST", "/api/placements", c.body); r.status != c.code || r.body["field"] != c.field {
			t.Errorf("%v: %d %v", c.body, r.status, r.body)
		}
	}
	// List, patch, validation.
	f.mustCreate("/api/gigs", gigBody())
	if r := f.api("GET", "/api/gigs?status=open", nil); r.body["total"] != float64(1) {
		t.Fatalf("open gigs: %v", r.body)
	}
	if r := f.api("GET", "/api/gigs?limit=1", nil); r.body["total"] != float64(2) || len(r.body["gigs"].([]any)) != 1 {
		t.Fatalf("gigs: %v", r.body)
	}
	if r := f.api("GET", "/api/gigs?status=x", nil); r.status != 400 {
		t.Fatalf("bad status filter: %d", r.status)
	}
	if r := f.api("PATCH", "/api/gigs/"+gid, `{"status":"closed","wage":160}`); r.status != 200 {
		t.Fatalf("patch gig: %v", r.body)
	}
	if r := f.api("GET", "/api/gigs/"+gid, nil); r.body["status"] != "closed" || r.body["wage"] != float64(160) || r.body["title"] != "摘枸杞" {
		t.Fatalf("patched gig: %v", r.body)
	}
	if r := f.api("PATCH", "/api/gigs/"+gid, `{"end_date":"2026-01-01"}`); r.status != 400 || r.body["field"] != "end_date" {
		t.Fatalf("patch gig end: %v", r.body)
	}
	if r := f.api("PATCH", "/api/gigs/"+strings.Repeat("d", 32), `{"wage":1}`); r.status != 404 {
		t.Fatalf("patch missing gig: %d", r.status)
	}
	for field, v := range map[string]any{"title": "", "occupation": "", "headcount": 0, "wage": -1, "wage_unit": "元/月",
		"settlement": "月结", "place": "15", "start_date": "", "end_date": "2026-11-01", "age_min": 10, "age_max": 80,
		"employer": "", "contact": "", "status": "x", "expires_on": "soon"} {
		b := gigBody()
		b[field] = v
		if r := f.api("POST", "/api/gigs", b); r.status != 400 || r.body["field"] != field {
			t.Errorf("gig %s: %d %v", field, r.status, r.body)
		}
	}
	b := gigBody()
	b["headcount"] = 1.5
	if r := f.api("POST", "/api/gigs", b); r.status != 400 || r.body["field"] != "headcount" {
		t.Errorf("fractional headcount: %d %v", r.status, r.body)
	}
}

// stubSync stands in for the sync client.
type stubSync struct {
	status syncclient.Status
	kicks  atomic.Int64
}

func (s *stubSync) Status() syncclient.Status { return s.status }
func (s *stubSync) Kick()                     { s.kicks.Add(1) }

func TestSyncStatus(t *testing.T) {
	f := newFixture(t, nil)
	f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	r := f.api("GET", "/api/sync", nil)
	if r.status != 200 || r.body["connected"] != false || r.body["pending"] != float64(1) || r.body["last_sync"] != nil ||
		r.body["clock_offset_ms"] != float64(0) {
		t.Fatalf("standalone sync: %v", r.body)
	}
	src := &stubSync{}
	src.status.Connected = true
	src.status.LastSync = testNow.Add(-time.Minute)
	src.status.PendingUp = 3
	src.status.ClockOffset = -5 * time.Minute
	g := newFixture(t, func(o *Options) { o.Sync = src })
	r = g.api("GET", "/api/sync", nil)
	if r.body["connected"] != true || r.body["pending"] != float64(3) || r.body["clock_offset_ms"] != float64(-300000) ||
		r.body["last_sync"] != "2026-11-15T09:29:00Z" || r.body["clock_warning"] != true {
		t.Fatalf("sync: %v", r.body)
	}
	g.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	if src.kicks.Load() != 1 {
		t.Fatalf("kicks = %d", src.kicks.Load())
	}
	// The hub refusing our stamps warns too, whatever the measured offset.
	src.status.ClockOffset = time.Second
	src.status.ErrorCode = int(syncproto.ErrCodeClockAhead)
	src.status.LastError = "station clock is 2h13m ahead of hub time"
	if r := g.api("GET", "/api/sync", nil); r.body["clock_warning"] != true || r.body["last_error"] == nil {
		t.Fatalf("refused stamps: %v", r.body)
	}
	home := g.serve(httptest.NewRequest("GET", "/", nil))
	if !strings.Contains(home.raw, "本机时钟可能不准") || !strings.Contains(home.raw, "已连接县级平台") {
		t.Fatalf("home page:\n%s", home.raw)
	}
	// A warning for the county (the hub lost changes it had acknowledged).
	src.status.Warning = "县级集线器的数据比本站旧 <b>"
	if r := g.api("GET", "/api/sync", nil); r.body["warning"] != src.status.Warning {
		t.Fatalf("warning: %v", r.body)
	}
	home = g.serve(httptest.NewRequest("GET", "/", nil))
	if !strings.Contains(home.raw, `id="sync-warning">县级集线器的数据比本站旧 &lt;b&gt;`) {
		t.Fatalf("home page without the escaped warning:\n%s", home.raw)
	}
}

func TestUnknownAPIPath(t *testing.T) {
	f := newFixture(t, nil)
	if r := f.api("GET", "/api/nothing", nil); r.status != 404 || r.body["error"] == nil {
		t.Fatalf("%d %v", r.status, r.body)
	}
}

func hexID(b []byte) string {
	var id ident.ID
	copy(id[:], b)
	return id.String()
}

func mustID(t testing.TB, s string) ident.ID {
	t.Helper()
	id, err := ident.ParseID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestCursorPaging(t *testing.T) {
	f := newFixture(t, nil)
	for i := 0; i < 5; i++ {
		wid := f.mustCreate("/api/workers", workerBody(idNumber("19900101", 100+i)))
		f.mustCreate("/api/monthly-status", map[string]any{"worker_id": wid, "month": "2026-11", "list_type": "失业",
			"verified_by_method": "电话", "verified_by": "李四", "verified_at": "2026-11-10"})
	}
	seen := map[string]bool{}
	path := "/api/workers?limit=2"
	for pages := 0; ; pages++ {
		r := f.api("GET", path, nil)
		if r.status != 200 || r.body["total"] != float64(5) {
			t.Fatalf("%s: %d %v", path, r.status, r.body)
		}
		for _, w := range r.body["workers"].([]any) {
			seen[w.(map[string]any)["id"].(string)] = true
		}
		next, _ := r.body["next"].(string)
		if next == "" {
			if pages != 2 {
				t.Fatalf("%d pages", pages+1)
			}
			break
		}
		path = "/api/workers?limit=2&after=" + next
	}
	if len(seen) != 5 {
		t.Fatalf("saw %d workers", len(seen))
	}
	if r := f.api("GET", "/api/workers?after=bm90LWEtY3Vyc29y", nil); r.status != 400 {
		t.Fatalf("bad cursor: %d", r.status)
	}
	page, err := f.st.ListEntries(t.Context(), "2026-11", records.ListUnemployed, 3, 0, "")
	if err != nil || len(page.Entries) != 3 || page.Next == "" || page.Total != 5 {
		t.Fatalf("list page 1: %v %+v", err, page)
	}
	page, err = f.st.ListEntries(t.Context(), "2026-11", records.ListUnemployed, 3, 0, page.Next)
	if err != nil || len(page.Entries) != 2 || page.Next != "" {
		t.Fatalf("list page 2: %v %+v", err, page)
	}
	b := f.browser()
	l := b.get("/lists?month=2026-11&list=unemployed")
	if strings.Contains(l.raw, "after=") {
		t.Fatal("pager offers a next page of a short list")
	}
}
