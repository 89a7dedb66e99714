package stationweb

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The workshop pages: a workshop made through its form, a person found on
// its page and added from a date, the list counting who works there now
// and the 脱贫人口 among them; a form refused shows the error on its field.
func TestWebWorkshops(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	body := workerBody(idNumber("19800101", 7))
	body["tags"] = []string{"脱贫人口"}
	wid := f.mustCreate("/api/workers", body)

	r := b.post("/programmes/workshops/new", url.Values{"name": {"民族服饰车间"}, "village": {"1504211002"}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.raw, `id="err-village"`) {
		t.Fatalf("workshop with a short village code: %d", r.status)
	}
	r = b.post("/programmes/workshops/new", url.Values{"name": {"民族服饰车间"}, "village": {"150421100202"},
		"operator": {"某合作社"}})
	loc := r.header.Get("Location")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/programmes/workshops/") {
		t.Fatalf("new workshop: %d %q", r.status, loc)
	}
	page := b.get(loc + "?q=巴图")
	if page.status != http.StatusOK || !strings.Contains(page.raw, loc+"/add?worker_id="+wid) {
		t.Fatalf("workshop page search: %d", page.status)
	}
	r = b.post(loc+"/add", url.Values{"worker_id": {wid}, "start_on": {"2026-12-01"}, "end_on": {"2026-11-01"}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.raw, `id="err-end_on"`) {
		t.Fatalf("a job ending before it starts: %d", r.status)
	}
	r = b.post(loc+"/add", url.Values{"worker_id": {wid}, "start_on": {"2026-10-01"}, "monthly_wage": {"2400"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("add to workshop: %d %s", r.status, r.raw)
	}
	list := b.get("/programmes/workshops")
	for _, want := range []string{"民族服饰车间", `class="working-now">1<`, `class="lifted-now">1<`} {
		if !strings.Contains(list.raw, want) {
			t.Errorf("workshops page lacks %q", want)
		}
	}
}

// A placement's edit form records the exit; an exit without its reason is
// refused on exit_reason; the post page then lists the person as left.
func TestWebWelfareExit(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	wid := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 9)))
	post := f.mustCreate("/api/welfare-posts", welfarePostBody())
	pid := f.mustCreate("/api/welfare-placements", placementBody(wid, post, "2026-03-01", "2027-02-28"))
	edit := "/programmes/welfare/placements/" + pid + "/edit"
	form := url.Values{"contract_kind": {"劳务协议"}, "contract_start": {"2026-03-01"}, "contract_end": {"2027-02-28"},
		"insurance_kind": {"工伤保险"}, "insurance_start": {"2026-03-01"}, "insurance_end": {"2027-02-28"},
		"exit_on": {"2026-10-01"}}
	if r := b.post(edit, form); r.status != http.StatusBadRequest || !strings.Contains(r.raw, `id="err-exit_reason"`) {
		t.Fatalf("exit without reason: %d", r.status)
	}
	form.Set("exit_reason", "外出务工")
	if r := b.post(edit, form); r.status != http.StatusSeeOther {
		t.Fatalf("exit: %d %s", r.status, r.raw)
	}
	page := b.get("/programmes/welfare/posts/" + post + "?state=ended")
	if !strings.Contains(page.raw, "2026-10-01 外出务工") {
		t.Fatalf("post page does not list the exit")
	}
	if page := b.get("/programmes/welfare/posts/" + post + "?state=active"); strings.Contains(page.raw, "外出务工") {
		t.Fatalf("an exited placement listed as active")
	}
}
