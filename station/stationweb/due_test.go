package stationweb

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"fieldsync/station"
)

// dueFixture is a station (today 2026-11-15) whose people's follow-ups set
// these next dates: 阿拉坦 2026-11-01; 宝音 2026-11-05, then a later one
// 2026-12-20; 朝鲁 2026-11-15; 达来 2026-11-20; 格日勒 2026-11-12; and
// 额尔敦, of 其他站 (synced in), 2026-10-02.
type dueFixture struct {
	*fixture
	ids map[string]string
}

func newDueFixture(t *testing.T) *dueFixture {
	t.Helper()
	f := newFixture(t, nil)
	df := &dueFixture{fixture: f, ids: map[string]string{}}
	fu := func(on *fixture, wid, date, next string) {
		on.mustCreate("/api/followups", map[string]any{"worker_id": wid, "date": date, "method": "电话",
			"service_type": "岗位推荐", "content": "推荐岗位", "next_due": next, "staff": "李四"})
	}
	for i, name := range []string{"阿拉坦", "宝音", "朝鲁", "达来", "格日勒"} {
		b := workerBody(idNumber("19800101", 100+i))
		b["name"] = name
		df.ids[name] = f.mustCreate("/api/workers", b)
	}
	fu(f, df.ids["阿拉坦"], "2026-10-01", "2026-11-01")
	fu(f, df.ids["宝音"], "2026-11-10", "2026-12-20")
	fu(f, df.ids["宝音"], "2026-10-05", "2026-11-05")
	fu(f, df.ids["朝鲁"], "2026-11-01", "2026-11-15")
	fu(f, df.ids["达来"], "2026-11-02", "2026-11-20")
	fu(f, df.ids["格日勒"], "2026-11-03", "2026-11-12")
	peer := f.peer("其他站")
	b := workerBody(idNumber("19800101", 200))
	b["name"] = "额尔敦"
	df.ids["额尔敦"] = peer.mustCreate("/api/workers", b)
	fu(peer, df.ids["额尔敦"], "2026-10-01", "2026-10-02")
	peer.syncTo(f)
	return df
}

func (df *dueFixture) names(r resp) []string {
	df.t.Helper()
	var out []string
	for _, p := range people(df.t.(*testing.T), r) {
		if p["worker_id"] != df.ids[p["name"].(string)] {
			df.t.Errorf("%v: wrong worker_id", p)
		}
		out = append(out, p["name"].(string))
	}
	return out
}

func TestDueFollowupsAPI(t *testing.T) {
	df := newDueFixture(t)
	for _, tc := range []struct {
		query string
		want  string
	}{
		{"", "阿拉坦 格日勒 朝鲁"},
		{"?within=0", "阿拉坦 格日勒 朝鲁"},
		{"?within=5", "阿拉坦 格日勒 朝鲁 达来"},
		{"?within=90", "阿拉坦 格日勒 朝鲁 达来 宝音"},
	} {
		r := df.api("GET", "/api/followups/due"+tc.query, nil)
		if r.status != 200 || r.body["as_of"] != "2026-11-15" {
			t.Fatalf("%s: %d %s", tc.query, r.status, r.raw)
		}
		if got := strings.Join(df.names(r), " "); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.query, got, tc.want)
		}
	}
	r := df.api("GET", "/api/followups/due?within=5", nil)
	first, last := people(t, r)[0], people(t, r)[3]
	for k, want := range map[string]any{"due": "2026-11-01", "days_overdue": 14.0, "last_at": "2026-10-01",
		"last_method": "电话", "phone": "13800138000"} {
		if first[k] != want {
			t.Errorf("first %s: %v, want %v", k, first[k], want)
		}
	}
	if last["days_overdue"] != -5.0 {
		t.Errorf("not yet due: %v", last)
	}
	for _, bad := range []string{"-1", "91", "x", "1.5"} {
		r := df.api("GET", "/api/followups/due?within="+url.QueryEscape(bad), nil)
		if r.status != 400 || r.body["field"] != "within" || !strings.Contains(r.body["error"].(string), "within") ||
			!hasHan(r.body["error"].(string)) {
			t.Errorf("within=%s: %d %s", bad, r.status, r.raw)
		}
	}
}

func TestDueFollowupsPage(t *testing.T) {
	df := newDueFixture(t)
	b := df.browser()
	home := b.get("/")
	if !strings.Contains(home.raw, `<a id="followups-due" href="/followups/due">3</a>`) {
		t.Fatalf("home count is not a link to the list: %s", home.raw)
	}
	if !strings.Contains(home.raw, `id="nav-followups-due" href="/followups/due"`) {
		t.Error("no link in the nav")
	}
	page := b.get("/followups/due?within=5")
	if page.status != 200 {
		t.Fatalf("page: %d %s", page.status, page.raw)
	}
	// Most overdue first; overdue rows marked, not yet due ones not.
	at := -1
	for _, n := range []string{"阿拉坦", "格日勒", "朝鲁", "达来"} {
		i := strings.Index(page.raw, `<tr data-worker="`+df.ids[n]+`"`)
		if i < at {
			t.Errorf("%s out of order", n)
		}
		at = i
	}
	for n, want := range map[string]bool{"阿拉坦": true, "格日勒": true, "朝鲁": false, "达来": false} {
		if got := strings.Contains(page.raw, `<tr data-worker="`+df.ids[n]+`" class="overdue">`); got != want {
			t.Errorf("%s overdue class %v, want %v", n, got, want)
		}
	}
	for _, n := range []string{"宝音", "额尔敦"} {
		if strings.Contains(page.raw, df.ids[n]) {
			t.Errorf("%s listed", n)
		}
	}
	if strings.Contains(page.raw, "style=") {
		t.Error("inline style: the CSP forbids it")
	}
	// 填写跟进 opens the follow-up form for that person, dated today.
	link := "/workers/" + df.ids["阿拉坦"] + "/followups?date=2026-11-15"
	if !strings.Contains(page.raw, `href="`+link+`">填写跟进<`) {
		t.Fatalf("no 填写跟进 link: %s", page.raw)
	}
	form := b.get(link)
	for _, want := range []string{`action="/workers/` + df.ids["阿拉坦"] + `/followups"`,
		`name="worker_id" value="` + df.ids["阿拉坦"] + `"`, `name="date" value="2026-11-15"`} {
		if form.status != 200 || !strings.Contains(form.raw, want) {
			t.Errorf("form lacks %s", want)
		}
	}
	// The follow-up entered there takes the person off the list.
	r := b.post("/workers/"+df.ids["阿拉坦"]+"/followups", url.Values{"date": {"2026-11-15"}, "method": {"电话"},
		"service_type": {"岗位推荐"}, "content": {"已联系"}, "next_due": {"2026-12-15"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("post follow-up: %d %s", r.status, r.raw)
	}
	if page = b.get("/followups/due"); strings.Contains(page.raw, df.ids["阿拉坦"]) {
		t.Error("阿拉坦 still listed after a follow-up")
	}
	if home = b.get("/"); !strings.Contains(home.raw, `href="/followups/due">2</a>`) {
		t.Error("home count after a follow-up")
	}
	if r := b.get("/followups/due?within=abc"); r.status != 400 || !strings.Contains(r.raw, "within") {
		t.Errorf("bad within on the page: %d", r.status)
	}
	if r := b.get("/followups/due?lang=en"); r.status != 200 {
		t.Errorf("English: %d", r.status)
	}
	empty := newFixture(t, nil).browser().get("/followups/due")
	if !strings.Contains(empty.raw, `id="due-none"`) {
		t.Error("empty list")
	}
}

// Behind a login the due list's API and page ask for it, as the other GETs do.
func TestDueFollowupsLogin(t *testing.T) {
	dir := t.TempDir()
	cfg, err := station.InitStandalone(t.Context(), dir, "红旗嘎查")
	if err != nil {
		t.Fatal(err)
	}
	users, err := station.LoadUsers(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := openFixture(t, dir, cfg, func(o *Options) { o.Users = users; o.RequireLogin = true })
	if r := f.api("GET", "/api/followups/due", nil); r.status != 401 {
		t.Fatalf("API without login: %d", r.status)
	}
	if r := f.browser().get("/followups/due"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login" {
		t.Fatalf("page without login: %d", r.status)
	}
}
