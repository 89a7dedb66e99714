package stationweb

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"fieldsync/records"
	"fieldsync/station"
)

// browser keeps cookies between requests like a browser would.
type browser struct {
	f       *fixture
	cookies map[string]string
}

func (f *fixture) browser() *browser { return &browser{f: f, cookies: map[string]string{}} }

func (b *browser) do(req *http.Request) resp {
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	b.f.h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return resp{status: rec.Code, raw: rec.Body.String(), header: rec.Header()}
}

func (b *browser) get(path string) resp { return b.do(httptest.NewRequest("GET", path, nil)) }

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfToken is the CSRF token the station's forms carry for this browser
// now (bound to its session, or before login to its cookie).
func (b *browser) csrfToken() string {
	m := csrfField.FindStringSubmatch(b.get("/login").raw)
	if m == nil {
		b.f.t.Fatal("no CSRF token on the login page")
	}
	return m[1]
}

// post submits a form with the CSRF token the station handed out.
func (b *browser) post(path string, form url.Values) resp {
	if form.Get("csrf") == "" {
		form.Set("csrf", b.csrfToken())
	}
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func workerForm(idn string) url.Values {
	return url.Values{"id_number": {idn}, "name": {"其木格"}, "phone": {"13800138000"}, "ethnicity": {"蒙古族"},
		"hukou_village": {"150421100201"}, "education": {"高中"}, "labour_ability": {"普通劳动力"},
		"tags": {"农民工", "脱贫人口"}, "skills": {"电焊，瓦工"}, "willing_away": {"1"}, "notes": {"备注<b>"}}
}

func TestWebRegisterWorker(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	if r := b.get("/workers/new"); r.status != 200 || !strings.Contains(r.raw, `name="csrf"`) || !strings.Contains(r.raw, "公民身份号码") {
		t.Fatalf("form: %d\n%s", r.status, r.raw)
	}
	good := idNumber("19850505", 22)
	bad := good[:17] + map[bool]string{true: "1", false: "0"}[good[17] == '0']
	form := workerForm(bad)
	r := b.post("/workers/new", form)
	if r.status != 400 || !strings.Contains(r.raw, `id="err-id_number"`) || !strings.Contains(r.raw, "校验位错误") {
		t.Fatalf("bad check digit: %d\n%s", r.status, r.raw)
	}
	// The form keeps what was typed, escaped.
	for _, want := range []string{`value="` + bad + `"`, `value="其木格"`, `value="电焊，瓦工"`, "备注&lt;b&gt;",
		`value="脱贫人口" checked`, `value="高中" selected`} {
		if !strings.Contains(r.raw, want) {
			t.Errorf("form lost %q", want)
		}
	}
	form.Set("id_number", good)
	r = b.post("/workers/new", form)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/workers/") {
		t.Fatalf("register: %d %s", r.status, r.raw)
	}
	page := b.get(r.header.Get("Location"))
	if page.status != 200 || !strings.Contains(page.raw, good) || !strings.Contains(page.raw, "13800138000") ||
		!strings.Contains(page.raw, "瓦工、电焊") {
		t.Fatalf("worker page:\n%s", page.raw)
	}
	// Registering again points at the existing record.
	r = b.post("/workers/new", form)
	if r.status != 409 || !strings.Contains(r.raw, r.header.Get("Location")) && !strings.Contains(r.raw, "已在本站登记") {
		t.Fatalf("duplicate: %d\n%s", r.status, r.raw)
	}
	// The list masks; the search finds by name, id number and phone.
	for _, q := range []string{"其木格", good, "13800138000"} {
		l := b.get("/workers?q=" + url.QueryEscape(q))
		if !strings.Contains(l.raw, records.MaskIDNumber(good)) || strings.Contains(l.raw, ">"+good+"<") ||
			!strings.Contains(l.raw, "138****8000") {
			t.Fatalf("list for %q:\n%s", q, l.raw)
		}
	}
	// English.
	if r := b.get("/workers/new?lang=en"); !strings.Contains(r.raw, "ID number") {
		t.Fatalf("english form:\n%s", r.raw)
	}
	if r := b.get("/workers"); !strings.Contains(r.raw, "Register a person") {
		t.Fatal("language cookie not kept")
	}
	b.get("/?lang=zh")
}

func TestWebCSRF(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	form := workerForm(idNumber("19850505", 22))
	form.Set("csrf", "forged")
	if r := b.post("/workers/new", form); r.status != http.StatusForbidden {
		t.Fatalf("forged token: %d", r.status)
	}
	fresh := f.browser()
	req := httptest.NewRequest("POST", "/workers/new", strings.NewReader(workerForm(idNumber("19850505", 22)).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := fresh.do(req); r.status != http.StatusForbidden {
		t.Fatalf("no token: %d", r.status)
	}
}

func TestWebRecordsAndLists(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	r := b.post("/workers/new", workerForm(idNumber("19850505", 22)))
	loc := r.header.Get("Location")
	wid := strings.TrimPrefix(loc, "/workers/")
	// Monthly status: an error keeps the form, then success.
	ms := url.Values{"month": {"2026-11"}, "list_type": {"有意愿外出"}, "verified_by_method": {"入户"},
		"verified_by": {"李四"}, "verified_at": {"2026-11-31"}, "monthly_income": {"0"}}
	if r := b.post(loc+"/monthly-status", ms); r.status != 400 || !strings.Contains(r.raw, "核实日期应为日期") {
		t.Fatalf("bad status form: %d\n%s", r.status, r.raw)
	}
	ms.Set("verified_at", "2026-11-03")
	if r := b.post(loc+"/monthly-status", ms); r.status != http.StatusSeeOther {
		t.Fatalf("status form: %d\n%s", r.status, r.raw)
	}
	ms.Set("monthly_income", "lots")
	if r := b.post(loc+"/monthly-status", ms); r.status != 400 || !strings.Contains(r.raw, "月收入（元）应为数字") {
		t.Fatalf("income: %d", r.status)
	}
	l := b.get("/lists?month=2026-11&list=willing_away")
	if !strings.Contains(l.raw, "其木格") || !strings.Contains(l.raw, `data-list="willing_away">1<`) {
		t.Fatalf("lists page:\n%s", l.raw)
	}
	if l := b.get("/lists?month=2026-11&list=employed"); strings.Contains(l.raw, "其木格") {
		t.Fatal("worker on the wrong list")
	}
	if l := b.get("/lists?month=11-2026"); l.status != 400 {
		t.Fatalf("bad month: %d", l.status)
	}
	// Unemployment, its deregistration, job seeking, follow-up.
	un := url.Values{"place_type": {"户籍地"}, "registered_on": {"2026-10-01"}, "reason": {"合同到期"}}
	if r := b.post(loc+"/unemployment", un); r.status != http.StatusSeeOther {
		t.Fatalf("unemployment: %d\n%s", r.status, r.raw)
	}
	if r := b.post(loc+"/unemployment", un); r.status != 409 || !strings.Contains(r.raw, "未注销的失业登记") {
		t.Fatalf("second open registration: %d\n%s", r.status, r.raw)
	}
	var regID []byte
	if err := f.r.DB().QueryRow(`SELECT id FROM unemployment_registrations`).Scan(&regID); err != nil {
		t.Fatal(err)
	}
	dereg := "/unemployment/" + hexID(regID) + "/deregister"
	if r := b.get(dereg); r.status != 200 {
		t.Fatalf("deregister form: %d", r.status)
	}
	if r := b.post(dereg, url.Values{"deregistered_on": {"2026-11-02"}, "deregistration_reason": {"已就业"}}); r.status != http.StatusSeeOther {
		t.Fatalf("deregister: %d\n%s", r.status, r.raw)
	}
	if r := b.post(loc+"/jobseeker", url.Values{"intended_work": {"保洁"}, "work_type": {"零工"}, "registered_on": {"2026-11-02"},
		"expected_wage": {"150"}, "wage_unit": {"元/天"}}); r.status != http.StatusSeeOther {
		t.Fatalf("jobseeker: %d\n%s", r.status, r.raw)
	}
	if r := b.post(loc+"/followups", url.Values{"date": {"2026-11-02"}, "method": {"电话"}, "service_type": {"政策咨询"},
		"content": {"介绍培训补贴"}}); r.status != http.StatusSeeOther {
		t.Fatalf("followup: %d\n%s", r.status, r.raw)
	}
	if r := b.get(loc + "/nonsense"); r.status != 404 {
		t.Fatalf("unknown record kind: %d", r.status)
	}
	page := b.get(loc)
	for _, want := range []string{"有意愿外出", "合同到期", "已就业", "保洁", "介绍培训补贴"} {
		if !strings.Contains(page.raw, want) {
			t.Errorf("worker page lacks %q", want)
		}
	}
	// Edit: change the phone only.
	if r := b.get(loc + "/edit"); r.status != 200 || !strings.Contains(r.raw, `value="13800138000"`) {
		t.Fatalf("edit form: %d", r.status)
	}
	edit := workerForm("")
	edit.Del("id_number")
	edit.Set("phone", "139")
	if r := b.post(loc+"/edit", edit); r.status != 400 || !strings.Contains(r.raw, "手机号码") {
		t.Fatalf("bad edit: %d", r.status)
	}
	edit.Set("phone", "13900139000")
	if r := b.post(loc+"/edit", edit); r.status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", r.status, r.raw)
	}
	w, err := f.st.Worker(t.Context(), mustID(t, wid))
	if err != nil || w.Phone != "13900139000" || w.Name != "其木格" {
		t.Fatalf("after edit: %+v %v", w, err)
	}
	// Home counts.
	home := b.get("/")
	if !strings.Contains(home.raw, `id="own-workers">1<`) || !strings.Contains(home.raw, "单机模式") {
		t.Fatalf("home:\n%s", home.raw)
	}
}

func TestWebGigs(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	w := workerForm(idNumber("19850505", 22))
	w.Set("skills", "采摘")
	b.post("/workers/new", w)
	gig := url.Values{"title": {"摘枸杞"}, "occupation": {"采摘"}, "headcount": {"1"}, "wage": {"150"}, "wage_unit": {"元/天"},
		"settlement": {"日结"}, "place": {"150421100"}, "start_date": {"2026-11-20"}, "end_date": {"2026-11-10"},
		"employer": {"合作社"}, "contact": {"13800138000"}, "skills": {"采摘"}, "status": {"open"}}
	if r := b.post("/gigs/new", gig); r.status != 400 || !strings.Contains(r.raw, "结束日期不能早于开始日期") {
		t.Fatalf("bad gig: %d\n%s", r.status, r.raw)
	}
	gig.Set("headcount", "two")
	if r := b.post("/gigs/new", gig); r.status != 400 || !strings.Contains(r.raw, "招聘人数应为整数") {
		t.Fatalf("bad headcount: %d", r.status)
	}
	gig.Set("headcount", "1")
	gig.Set("end_date", "2026-11-30")
	r := b.post("/gigs/new", gig)
	if r.status != http.StatusSeeOther {
		t.Fatalf("gig: %d\n%s", r.status, r.raw)
	}
	loc := r.header.Get("Location")
	page := b.get(loc)
	if !strings.Contains(page.raw, "其木格") || !strings.Contains(page.raw, "本苏木乡镇") {
		t.Fatalf("gig page lacks the match:\n%s", page.raw)
	}
	if l := b.get("/gigs"); !strings.Contains(l.raw, "摘枸杞") {
		t.Fatal("gig board")
	}
	var wid []byte
	f.r.DB().QueryRow(`SELECT id FROM workers`).Scan(&wid)
	if r := b.post(loc+"/place", url.Values{"worker_id": {hexID(wid)}}); r.status != http.StatusSeeOther {
		t.Fatalf("place: %d\n%s", r.status, r.raw)
	}
	if r := b.post(loc+"/place", url.Values{"worker_id": {hexID(wid)}}); r.status != 409 {
		t.Fatalf("place again: %d", r.status)
	}
	if r := b.get(loc); !strings.Contains(r.raw, "已招满") {
		t.Fatal("gig not filled")
	}
	if r := b.get(loc + "/edit"); r.status != 200 || !strings.Contains(r.raw, `value="摘枸杞"`) {
		t.Fatalf("edit gig form: %d", r.status)
	}
	gig.Set("status", "closed")
	if r := b.post(loc+"/edit", gig); r.status != http.StatusSeeOther {
		t.Fatalf("edit gig: %d\n%s", r.status, r.raw)
	}
	if r := b.get("/gigs?status=closed"); !strings.Contains(r.raw, "摘枸杞") {
		t.Fatal("closed gig not listed")
	}
}

func TestLoginRequired(t *testing.T) {
	dir := t.TempDir()
	cfg, err := station.InitStandalone(t.Context(), dir, "红旗嘎查")
	if err != nil {
		t.Fatal(err)
	}
	users, err := station.LoadUsers(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := users.Set("李四", "short"); err == nil {
		t.Fatal("short password accepted")
	}
	if err := users.Set("bad name!", "long enough pw"); err == nil {
		t.Fatal("bad user name accepted")
	}
	if err := users.Set("李四", "correct horse"); err != nil {
		t.Fatal(err)
	}
	reloaded, err := station.LoadUsers(dir)
	if err != nil || !reloaded.Check("李四", "correct horse") || reloaded.Check("李四", "wrong") || reloaded.Check("nobody", "x") {
		t.Fatalf("users file: %v", err)
	}
	f := openFixture(t, dir, cfg, func(o *Options) { o.Users = reloaded; o.RequireLogin = true })
	b := f.browser()
	if r := b.get("/workers"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login" {
		t.Fatalf("no login: %d", r.status)
	}
	if r := f.api("GET", "/api/workers", nil); r.status != 401 {
		t.Fatalf("api without login: %d", r.status)
	}
	if r := b.get("/static/style.css"); r.status != 200 {
		t.Fatalf("static: %d", r.status)
	}
	if r := b.post("/login", url.Values{"user": {"李四"}, "password": {"wrong"}}); r.status != 401 || !strings.Contains(r.raw, "用户名或密码错误") {
		t.Fatalf("bad login: %d", r.status)
	}
	if r := b.post("/login", url.Values{"user": {"李四"}, "password": {"correct horse"}}); r.status != http.StatusSeeOther {
		t.Fatalf("login: %d %s", r.status, r.raw)
	}
	if r := b.get("/workers"); r.status != 200 || !strings.Contains(r.raw, "李四") {
		t.Fatalf("after login: %d", r.status)
	}
	req := httptest.NewRequest("GET", "/api/workers", nil)
	req.SetBasicAuth("李四", "correct horse")
	if r := f.serve(req); r.status != 200 {
		t.Fatalf("basic auth: %d", r.status)
	}
	if r := b.post("/logout", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.status)
	}
	if r := b.get("/workers"); r.status != http.StatusSeeOther {
		t.Fatalf("after logout: %d", r.status)
	}
	// Session cookies are HttpOnly and SameSite.
	rec := httptest.NewRecorder()
	f.s.newSession(t.Context(), rec, httptest.NewRequest("POST", "/login", nil), "李四")
	c := rec.Result().Cookies()[0]
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie %+v", c)
	}
	if _, err := serverFor(f.r, cfg, nil, Options{RequireLogin: true}); err == nil {
		t.Fatal("login required without accounts accepted")
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:8080": true, "localhost:80": true, "[::1]:8080": true,
		"0.0.0.0:8080": false, ":8080": false, "192.168.1.5:8080": false, "bad": false} {
		if IsLoopback(addr) != want {
			t.Errorf("%s: want %v", addr, want)
		}
	}
}

func TestOlderThresholdsFromConfig(t *testing.T) {
	dir := t.TempDir()
	cfg, err := station.InitStandalone(t.Context(), dir, "红旗嘎查")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Older = records.OlderThresholds{Male: 45, Female: 45}
	f := openFixture(t, dir, cfg, nil)
	id := f.mustCreate("/api/workers", workerBody(idNumber("19790101", 11))) // a man of 47
	if r := f.api("GET", "/api/workers/"+id, nil); r.body["older"] != true {
		t.Fatalf("older with 45: %v", r.body["older"])
	}
	g := newFixture(t, nil)
	id = g.mustCreate("/api/workers", workerBody(idNumber("19790101", 11)))
	if r := g.api("GET", "/api/workers/"+id, nil); r.body["older"] != false {
		t.Fatalf("older with the default 50: %v", r.body["older"])
	}

}
