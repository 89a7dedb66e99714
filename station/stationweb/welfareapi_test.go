package stationweb

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"fieldsync/records"
)

func welfarePostBody() map[string]any {
	return map[string]any{"name": "村保洁员", "village": "150421100201", "kind": "保洁环卫", "headcount": 2,
		"subsidy": 500, "employer": "红旗嘎查村委会"}
}

func placementBody(worker, post, start, end string) map[string]any {
	return map[string]any{"worker_id": worker, "post_id": post, "contract_kind": "劳务协议",
		"contract_start": start, "contract_end": end, "insurance_kind": "工伤保险",
		"insurance_start": start, "insurance_end": end}
}

// programmeRefused checks an answer refuses with status, naming field.
func programmeRefused(t *testing.T, what string, r resp, status int, field string) {
	t.Helper()
	got, _ := r.body["field"].(string)
	if r.status != status || got != field || r.body["error"] == "" {
		t.Errorf("%s: %d %s, want %d naming %s", what, r.status, r.raw, status, field)
	}
}

// listItems is a programme list answer's rows, checking the page's shape:
// rows an array, limit and offset the page's, total counting the rows
// before it and in it (all of them when the page is not full).
func listItems(t testing.TB, r resp) []map[string]any {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("list: %d %s", r.status, r.raw)
	}
	raw, ok := r.body["rows"].([]any)
	if !ok {
		t.Fatalf("list: rows %v", r.body["rows"])
	}
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i] = v.(map[string]any)
	}
	total, okT := r.body["total"].(float64)
	limit, okL := r.body["limit"].(float64)
	offset, okO := r.body["offset"].(float64)
	if !okT || !okL || !okO || limit < 1 || offset < 0 || len(out) > int(limit) {
		t.Fatalf("list: %s", r.raw)
	}
	// A page that is not full holds the last rows: total is offset plus
	// them (at most offset when it is empty); a full one leaves some.
	n := int(offset) + len(out)
	if len(out) == int(limit) && int(total) < n || len(out) < int(limit) && len(out) > 0 && int(total) != n ||
		len(out) == 0 && int(total) > n {
		t.Fatalf("total %v for %d items from %v", total, len(out), offset)
	}
	return out
}

// The welfare API creates, lists, reads, patches and deletes posts,
// placements and assessments, each write checked by the station's rules
// and refused naming the field; a placement this month makes the person
// 就业 with the post's form.
func TestWelfareAPI(t *testing.T) {
	f := newFixture(t, nil)
	body := workerBody(idNumber("19600101", 1))
	body["tags"] = []string{records.TagLifted}
	wid := f.mustCreate("/api/workers", body)
	other := f.mustCreate("/api/workers", workerBody(idNumber("19700101", 3)))
	post := f.mustCreate("/api/welfare-posts", welfarePostBody())

	programmeRefused(t, "a year and a day", f.api("POST", "/api/welfare-placements",
		placementBody(wid, post, "2026-11-01", "2027-11-01")), http.StatusBadRequest, "contract_end")
	short := placementBody(wid, post, "2026-11-01", "2027-10-31")
	short["insurance_end"] = "2027-06-30"
	programmeRefused(t, "insurance ending first", f.api("POST", "/api/welfare-placements", short),
		http.StatusBadRequest, "insurance_end")
	bad := welfarePostBody()
	bad["headcount"] = "两"
	programmeRefused(t, "headcount as text", f.api("POST", "/api/welfare-posts", bad), http.StatusBadRequest, "headcount")
	bad = welfarePostBody()
	bad["station"] = "别的站"
	programmeRefused(t, "a station named", f.api("POST", "/api/welfare-posts", bad), http.StatusBadRequest, "station")

	pid := f.mustCreate("/api/welfare-placements", placementBody(wid, post, "2026-11-01", "2027-10-31"))
	programmeRefused(t, "second placement at once", f.api("POST", "/api/welfare-placements",
		placementBody(wid, post, "2027-01-01", "2027-06-30")), http.StatusBadRequest, "contract_start")

	posts := listItems(t, f.api("GET", "/api/welfare-posts", nil))
	if len(posts) != 1 || posts[0]["placed_now"] != float64(1) || posts[0]["id"] != post {
		t.Fatalf("posts: %v", posts)
	}
	got := listItems(t, f.api("GET", "/api/welfare-placements?state=active", nil))
	if len(got) != 1 || got[0]["worker_name"] != "巴图" || got[0]["post_name"] != "村保洁员" || got[0]["active"] != true {
		t.Fatalf("active placements: %v", got)
	}
	if got := listItems(t, f.api("GET", "/api/welfare-placements?ending=this-month", nil)); len(got) != 0 {
		t.Fatalf("ending this month before the exit: %v", got)
	}
	programmeRefused(t, "unknown filter value", f.api("GET", "/api/welfare-placements?state=soon", nil),
		http.StatusBadRequest, "state")

	// The month's status the placement brought.
	wk := f.api("GET", "/api/workers/"+wid, nil)
	ms, _ := wk.body["monthly_status"].([]any)
	if len(ms) != 1 || ms[0].(map[string]any)["employment_form"] != records.FormWelfare {
		t.Fatalf("monthly status after the placement: %v", ms)
	}

	// PATCH: the exit, then what it refuses.
	if r := f.api("PATCH", "/api/welfare-placements/"+pid,
		map[string]any{"exit_on": "2026-11-30", "exit_reason": "本人申请"}); r.status != http.StatusOK {
		t.Fatalf("patch exit: %d %s", r.status, r.raw)
	}
	if r := f.api("GET", "/api/welfare-placements/"+pid, nil); r.body["exit_on"] != "2026-11-30" ||
		r.body["contract_end"] != "2027-10-31" {
		t.Fatalf("placement after the exit: %s", r.raw)
	}
	if got := listItems(t, f.api("GET", "/api/welfare-placements?ending=this-month", nil)); len(got) != 1 {
		t.Fatalf("ending this month after the exit: %v", got)
	}
	programmeRefused(t, "patch to another person", f.api("PATCH", "/api/welfare-placements/"+pid,
		map[string]any{"worker_id": other}), http.StatusBadRequest, "worker_id")
	programmeRefused(t, "patch a year and a day", f.api("PATCH", "/api/welfare-placements/"+pid,
		map[string]any{"contract_start": "2026-10-31"}), http.StatusBadRequest, "contract_end")
	programmeRefused(t, "patch an unknown field", f.api("PATCH", "/api/welfare-placements/"+pid,
		map[string]any{"entered_by": "x"}), http.StatusBadRequest, "entered_by")
	if r := f.api("PATCH", "/api/welfare-placements/00000000000000000000000000000001", map[string]any{}); r.status != http.StatusNotFound {
		t.Fatalf("patch of no placement: %d %s", r.status, r.raw)
	}

	// Assessments.
	programmeRefused(t, "assessment after the exit", f.api("POST", "/api/welfare-assessments", map[string]any{
		"worker_id": wid, "placement_id": pid, "month": "2026-12", "result": "合格"}), http.StatusBadRequest, "month")
	programmeRefused(t, "assessment of another's placement", f.api("POST", "/api/welfare-assessments", map[string]any{
		"worker_id": other, "placement_id": pid, "month": "2026-11", "result": "合格"}), http.StatusBadRequest, "placement_id")
	aid := f.mustCreate("/api/welfare-assessments", map[string]any{"worker_id": wid, "placement_id": pid,
		"month": "2026-11", "result": "优秀", "other_income": 800})
	if got := listItems(t, f.api("GET", "/api/welfare-assessments?placement_id="+pid, nil)); len(got) != 1 ||
		got[0]["other_income"] != float64(800) || got[0]["id"] != aid {
		t.Fatalf("assessments: %v", got)
	}
	programmeRefused(t, "assessments of no placement", f.api("GET", "/api/welfare-assessments", nil),
		http.StatusBadRequest, "placement_id")

	// Deletes: a post a placement names stays; an assessment goes.
	if r := f.api("DELETE", "/api/welfare-posts/"+post, nil); r.status != http.StatusConflict {
		t.Fatalf("delete of a post in use: %d %s", r.status, r.raw)
	}
	if r := f.api("DELETE", "/api/welfare-assessments/"+aid, nil); r.status != http.StatusOK {
		t.Fatalf("delete assessment: %d %s", r.status, r.raw)
	}
	if r := f.api("GET", "/api/welfare-assessments/"+aid, nil); r.status != http.StatusNotFound {
		t.Fatalf("deleted assessment: %d %s", r.status, r.raw)
	}
}

// The workshop API: a workshop lists the people working there today and
// how many of them are 脱贫人口; a job ended before today counts in neither.
func TestWorkshopAPI(t *testing.T) {
	f := newFixture(t, nil)
	lifted := workerBody(idNumber("19800101", 1))
	lifted["tags"] = []string{records.TagLifted}
	a := f.mustCreate("/api/workers", lifted)
	b := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 3)))
	c := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 5)))
	programmeRefused(t, "workshop without a village", f.api("POST", "/api/workshops", map[string]any{"name": "车间"}),
		http.StatusBadRequest, "village")
	k := f.mustCreate("/api/workshops", map[string]any{"name": "民族服饰车间", "village": "150421100202",
		"operator": "某合作社"})
	for _, j := range []map[string]any{
		{"worker_id": a, "workshop_id": k, "start_on": "2026-09-01", "monthly_wage": 2400},
		{"worker_id": b, "workshop_id": k, "start_on": "2026-10-01"},
		{"worker_id": c, "workshop_id": k, "start_on": "2026-01-01", "end_on": "2026-06-30"},
	} {
		f.mustCreate("/api/workshop-jobs", j)
	}
	programmeRefused(t, "a job ending before it starts", f.api("POST", "/api/workshop-jobs", map[string]any{
		"worker_id": c, "workshop_id": k, "start_on": "2026-09-01", "end_on": "2026-08-01"}), http.StatusBadRequest, "end_on")
	programmeRefused(t, "a job in no workshop", f.api("POST", "/api/workshop-jobs", map[string]any{
		"worker_id": c, "workshop_id": "00000000000000000000000000000001", "start_on": "2026-09-01"}),
		http.StatusBadRequest, "workshop_id")
	ws := listItems(t, f.api("GET", "/api/workshops", nil))
	if len(ws) != 1 || ws[0]["working_now"] != float64(2) || ws[0]["lifted_now"] != float64(1) {
		t.Fatalf("workshops: %v", ws)
	}
	if jobs := listItems(t, f.api("GET", "/api/workshop-jobs?workshop_id="+k+"&state=ended", nil)); len(jobs) != 1 ||
		jobs[0]["worker_id"] != c || jobs[0]["workshop_name"] != "民族服饰车间" {
		t.Fatalf("ended jobs: %v", jobs)
	}
	if r := f.api("PATCH", "/api/workshops/"+k, map[string]any{"industry": "服装加工"}); r.status != http.StatusOK {
		t.Fatalf("patch workshop: %d %s", r.status, r.raw)
	}
	if r := f.api("GET", "/api/workshops/"+k, nil); r.body["industry"] != "服装加工" || r.body["name"] != "民族服饰车间" {
		t.Fatalf("workshop after patch: %s", r.raw)
	}
	if got := listItems(t, f.api("GET", "/api/workshop-jobs?worker_id="+a, nil)); len(got) != 1 || got[0]["monthly_wage"] != float64(2400) {
		t.Fatalf("a's jobs: %v", got)
	}
}

// The programme API asks what every write of the API asks: a login when
// the station requires one, and a JSON body (no form a browser posts
// across sites).
func TestWelfareAPIGuarded(t *testing.T) {
	f := loginFixture(t, true)
	if r := f.api("POST", "/api/welfare-posts", welfarePostBody()); r.status != http.StatusUnauthorized {
		t.Fatalf("create without login: %d %s", r.status, r.raw)
	}
	if r := f.api("GET", "/api/welfare-posts", nil); r.status != http.StatusUnauthorized {
		t.Fatalf("list without login: %d %s", r.status, r.raw)
	}
	req := httptest.NewRequest("POST", "/api/welfare-posts", strings.NewReader(mustJSON(welfarePostBody())))
	req.Header.Set("Content-Type", "text/plain")
	req.SetBasicAuth("李四", "correct horse")
	if r := f.serve(req); r.status != http.StatusUnsupportedMediaType {
		t.Fatalf("create as text/plain: %d %s", r.status, r.raw)
	}
	r := f.apiAs("李四", "POST", "/api/welfare-posts", mustJSON(welfarePostBody()))
	if r.status != http.StatusCreated {
		t.Fatalf("create as 李四: %d %s", r.status, r.raw)
	}
	if got := f.apiAs("李四", "GET", "/api/welfare-posts/"+r.body["id"].(string), ""); got.body["entered_by"] != "李四" {
		t.Fatalf("post entered by %v", got.body["entered_by"])
	}
}
