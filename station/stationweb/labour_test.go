package stationweb

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// labourRows is GET path's rows.
func (f *fixture) labourRows(path string) []map[string]any {
	f.t.Helper()
	return listItems(f.t, f.api("GET", path, nil))
}

func TestSharedEmploymentAPI(t *testing.T) {
	f := newFixture(t, nil)
	idn := idNumber("19800101", 11)
	w := f.mustCreate("/api/workers", workerBody(idn))
	body := func(start, end string) map[string]any {
		return map[string]any{"worker_id": w, "original_employer": "鄂尔多斯某煤矿", "contract_end": "2026-12-31",
			"host_employer": "包头某物流", "start": start, "end": end}
	}
	id := f.mustCreate("/api/shared-employment", body("2026-03-01", "2026-08-31"))
	// The sharing may not outlast the original contract, nor overlap another.
	r := f.api("POST", "/api/shared-employment", body("2026-10-01", "2027-01-31"))
	programmeRefused(t, "end after the contract", r, http.StatusBadRequest, "end_on")
	if msg, _ := r.body["error"].(string); !strings.Contains(msg, "不能晚于与原用人单位劳动合同的到期日（2026-12-31）") {
		t.Errorf("message: %q", msg)
	}
	programmeRefused(t, "overlap", f.api("POST", "/api/shared-employment", body("2026-05-01", "2026-09-30")),
		http.StatusBadRequest, "start_on")
	// Decoded strictly, though SharedJob decodes itself.
	b := body("2026-09-01", "2026-09-30")
	b["bogus"] = 1
	programmeRefused(t, "unknown field", f.api("POST", "/api/shared-employment", b), http.StatusBadRequest, "bogus")
	programmeRefused(t, "not an object", f.api("POST", "/api/shared-employment", `[1]`), http.StatusBadRequest, "")
	// Listed with the id number masked; by the person (id number or id).
	for _, q := range []string{"", "?worker_id=" + idn, "?worker_id=" + w} {
		rows := f.labourRows("/api/shared-employment" + q)
		if len(rows) != 1 || rows[0]["id"] != id || rows[0]["worker_id_number"] != records.MaskIDNumber(idn) {
			t.Fatalf("list%s: %v", q, rows)
		}
	}
	programmeRefused(t, "a filter the table has not", f.api("GET", "/api/shared-employment?project_id="+id, nil),
		http.StatusBadRequest, "project_id")
	programmeRefused(t, "a county-wide table by person", f.api("GET", "/api/partner-regions?worker_id="+w, nil),
		http.StatusBadRequest, "worker_id")
	// PATCH keeps what it does not name; end past the contract is refused.
	if r := f.api("PATCH", "/api/shared-employment/"+id, map[string]any{"end": "2026-09-15"}); r.status != http.StatusOK {
		t.Fatalf("patch: %d %s", r.status, r.raw)
	}
	got := f.api("GET", "/api/shared-employment/"+id, nil)
	if got.body["end_on"] != "2026-09-15" || got.body["host_employer"] != "包头某物流" || got.body["start_on"] != "2026-03-01" {
		t.Fatalf("after patch: %s", got.raw)
	}
	programmeRefused(t, "patch past the contract", f.api("PATCH", "/api/shared-employment/"+id, map[string]any{"end_on": "2027-03-01"}),
		http.StatusBadRequest, "end_on")
	programmeRefused(t, "patch to another person", f.api("PATCH", "/api/shared-employment/"+id,
		map[string]any{"worker_id": f.mustCreate("/api/workers", workerBody(idNumber("19800101", 13)))}),
		http.StatusBadRequest, "worker_id")
	if r := f.api("DELETE", "/api/shared-employment/"+id, nil); r.status != http.StatusOK {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}
	if r := f.api("GET", "/api/shared-employment/"+id, nil); r.status != http.StatusNotFound {
		t.Fatalf("deleted agreement: %d", r.status)
	}
}

func TestWorkReliefAPI(t *testing.T) {
	f := newFixture(t, nil)
	w := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	p := f.mustCreate("/api/work-relief-projects", map[string]any{"name": "嘎查道路硬化", "place": "150421100201",
		"start_on": "2026-04-01", "end_on": "2026-10-31", "pay_budget": 200000})
	job := func(start, end string, pay float64) map[string]any {
		return map[string]any{"worker_id": w, "project_id": p, "start_on": start, "end_on": end, "pay": pay}
	}
	programmeRefused(t, "job past the project", f.api("POST", "/api/work-relief-jobs", job("2026-05-01", "2026-11-30", 100)),
		http.StatusBadRequest, "end_on")
	programmeRefused(t, "negative pay", f.api("POST", "/api/work-relief-jobs", job("2026-05-01", "2026-06-30", -1)),
		http.StatusBadRequest, "pay")
	f.mustCreate("/api/work-relief-jobs", job("2026-05-01", "2026-06-30", 3600))
	f.mustCreate("/api/work-relief-jobs", job("2026-07-01", "2026-08-31", 2400))
	if rows := f.labourRows("/api/work-relief-jobs?project_id=" + p); len(rows) != 2 {
		t.Fatalf("the project's jobs: %v", rows)
	}
	pr := f.api("GET", "/api/work-relief-projects/"+p, nil)
	if pr.body["people"] != float64(1) || pr.body["pay_total"] != float64(6000) {
		t.Fatalf("project: %s", pr.raw)
	}
	// A project people's records name is not deleted.
	if r := f.api("DELETE", "/api/work-relief-projects/"+p, nil); r.status != http.StatusConflict {
		t.Fatalf("delete a project in use: %d %s", r.status, r.raw)
	}
}

// An export batch is created with its people in one transaction (any of
// them refused: nothing written, the answer naming people and which one);
// a batch lists only this station's people; another station adds its own
// people to a batch it did not make, but does not edit the batch.
func TestExportBatchAPI(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	idnA, idnB := idNumber("19800101", 11), idNumber("19800101", 13)
	a, b := f.mustCreate("/api/workers", workerBody(idnA)), f.mustCreate("/api/workers", workerBody(idnB))
	region := f.mustCreate("/api/partner-regions", map[string]any{"name": "北京市", "kind": "东西部协作"})
	batch := func(people ...string) map[string]any {
		return map[string]any{"sent_on": "2026-03-10", "destination": "北京市大兴区", "employer": "某物流园",
			"partner_region_id": region, "labour_brand": "草原保姆", "people": people}
	}
	// One person not held: nothing written.
	r := f.api("POST", "/api/export-batches", batch(a, idNumber("19900101", 7)))
	if r.status != http.StatusUnprocessableEntity || r.body["field"] != "people" || r.body["person"] != float64(2) ||
		!strings.Contains(r.body["error"].(string), "第2人") {
		t.Fatalf("a person not held: %d %s", r.status, r.raw)
	}
	if rows := f.labourRows("/api/export-batches"); len(rows) != 0 {
		t.Fatalf("a refused batch was written: %v", rows)
	}
	programmeRefused(t, "people not a list", f.api("POST", "/api/export-batches", `{"sent_on":"2026-03-10","destination":"x","people":"a"}`),
		http.StatusBadRequest, "people")
	programmeRefused(t, "unknown partner", f.api("POST", "/api/export-batches", map[string]any{"sent_on": "2026-03-10",
		"destination": "x", "partner_region_id": ident.ID{9}.String()}), http.StatusBadRequest, "partner_region_id")
	// By id and by id number.
	r = f.api("POST", "/api/export-batches", batch(a, idnB))
	if r.status != http.StatusCreated || r.body["added"] != float64(2) {
		t.Fatalf("batch: %d %s", r.status, r.raw)
	}
	bid := r.body["id"].(string)
	// A person the hub relayed with the batch whom this station does not hold.
	stranger, _ := ident.NewTimeOrdered(testNow)
	mid, _ := ident.NewTimeOrdered(testNow)
	if _, err := f.r.Write(ctx, replica.Edit{Table: records.ExportMembers, Row: mid, Set: []replica.ColumnValue{
		{Column: "worker_id", Value: stranger.String()}, {Column: "batch_id", Value: bid},
		{Column: "station", Value: "白音嘎查"}}}); err != nil {
		t.Fatal(err)
	}
	got := f.api("GET", "/api/export-batches/"+bid, nil)
	people, _ := got.body["people"].([]any)
	if got.status != http.StatusOK || len(people) != 2 || got.body["partner_region"] != "北京市" {
		t.Fatalf("batch read back: %d %s", got.status, got.raw)
	}
	for _, p := range people {
		m := p.(map[string]any)
		if w := m["worker_id"]; w != a && w != b {
			t.Errorf("another station's person listed: %v", m)
		}
		if n, _ := m["worker_id_number"].(string); n == idnA || n == idnB {
			t.Errorf("id number not masked: %v", m)
		}
	}
	if rows := f.labourRows("/api/export-batches"); len(rows) != 1 || rows[0]["people"] != float64(2) {
		t.Fatalf("batches listed: %v", rows)
	}
	// Another station adds its own person to this batch; it may not edit the batch.
	g := f.peer("白音嘎查")
	f.syncTo(g)
	c := g.mustCreate("/api/workers", workerBody(idNumber("19800101", 15)))
	if r := g.api("POST", "/api/export-batches/"+bid+"/people", map[string]any{"people": []string{c}}); r.status != http.StatusOK ||
		r.body["added"] != float64(1) {
		t.Fatalf("another station adds its person: %d %s", r.status, r.raw)
	}
	programmeRefused(t, "another station edits the batch", g.api("PATCH", "/api/export-batches/"+bid, map[string]any{"destination": "天津"}),
		http.StatusBadRequest, "station")
	r = g.browser().post("/programmes/export/batches/"+bid+"/edit", url.Values{"sent_on": {"2026-03-10"}, "destination": {"天津"}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.raw, "只有录入该记录的站点或县级可以修改") {
		t.Fatalf("another station's batch form: %d %s", r.status, r.raw)
	}
	// Removing a person, then one not in the batch.
	if r := f.api("DELETE", "/api/export-batches/"+bid+"/people/"+idnB, nil); r.status != http.StatusOK {
		t.Fatalf("remove by id number: %d %s", r.status, r.raw)
	}
	if r := f.api("DELETE", "/api/export-batches/"+bid+"/people/"+b, nil); r.status != http.StatusNotFound {
		t.Fatalf("remove a person not sent: %d %s", r.status, r.raw)
	}
	if people := f.api("GET", "/api/export-batches/"+bid, nil).body["people"].([]any); len(people) != 1 {
		t.Fatalf("after removal: %v", people)
	}
}

// The pages: the index links every programme, the nav has 帮扶项目, a batch
// made on its form with people shows them; a refused person shows on the
// people field.
func TestLabourPages(t *testing.T) {
	f := newFixture(t, nil)
	idn := idNumber("19800101", 11)
	f.mustCreate("/api/workers", workerBody(idn))
	page := f.api("GET", "/programmes", nil)
	for _, want := range []string{`href="/programmes/welfare"`, `href="/programmes/workshops"`, `href="/programmes/shared"`,
		`href="/programmes/work-relief"`, `href="/programmes/export"`, `id="nav-programmes"`, "帮扶项目"} {
		if page.status != http.StatusOK || !strings.Contains(page.raw, want) {
			t.Fatalf("/programmes lacks %s: %d", want, page.status)
		}
	}
	for _, p := range []string{"/programmes/shared", "/programmes/work-relief", "/programmes/export",
		"/programmes/shared/new", "/programmes/work-relief/new", "/programmes/export/batches/new", "/programmes/export/regions/new"} {
		if r := f.api("GET", p, nil); r.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", p, r.status, r.raw)
		}
	}
	br := f.browser()
	r := br.post("/programmes/export/batches/new", url.Values{"sent_on": {"2026-03-10"}, "destination": {"北京市"},
		"people": {idn + "\n" + idNumber("19900101", 7)}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.raw, `id="err-people"`) || !strings.Contains(r.raw, "第2人") {
		t.Fatalf("a refused person on the form: %d %s", r.status, r.raw)
	}
	r = br.post("/programmes/export/batches/new", url.Values{"sent_on": {"2026-03-10"}, "destination": {"北京市"}, "people": {idn}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("batch form: %d %s", r.status, r.raw)
	}
	batch := br.get(r.header.Get("Location"))
	if batch.status != http.StatusOK || !strings.Contains(batch.raw, "巴图") || strings.Contains(batch.raw, idn) {
		t.Fatalf("batch page: %d %s", batch.status, batch.raw)
	}
}

// A person's 劳务品牌 is shown on the record page and edited on its form.
func TestWorkerLabourBrand(t *testing.T) {
	f := newFixture(t, nil)
	idn := idNumber("19800101", 11)
	body := workerBody(idn)
	body["labour_brand"] = "草原保姆"
	id := f.mustCreate("/api/workers", body)
	br := f.browser()
	if page := br.get("/workers/" + id); !strings.Contains(page.raw, `<td id="labour-brand">草原保姆`) {
		t.Fatalf("record page: %d %s", page.status, page.raw)
	}
	if form := br.get("/workers/" + id + "/edit"); !strings.Contains(form.raw, `name="labour_brand" value="草原保姆"`) {
		t.Fatalf("edit form: %d %s", form.status, form.raw)
	}
	form := workerForm(idn)
	form.Del("id_number")
	form.Set("labour_brand", "乌兰察布马铃薯师傅")
	if r := br.post("/workers/"+id+"/edit", form); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, r.raw)
	}
	if got := f.api("GET", "/api/workers/"+id, nil); got.body["labour_brand"] != "乌兰察布马铃薯师傅" {
		t.Fatalf("stored: %s", got.raw)
	}
}

// A project's page adds a person found by the search to the project with
// their pay; a job outside the project's term comes back on its field.
func TestReliefProjectPages(t *testing.T) {
	f := newFixture(t, nil)
	idn := idNumber("19800101", 11)
	w := f.mustCreate("/api/workers", workerBody(idn))
	br := f.browser()
	r := br.post("/programmes/work-relief/new", url.Values{"name": {"嘎查道路硬化"}, "place": {"150421100201"},
		"start_on": {"2026-04-01"}, "end_on": {"2026-10-31"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("new project: %d %s", r.status, r.raw)
	}
	project := r.header.Get("Location")
	if found := br.get(project + "?q=" + url.QueryEscape("巴图")); !strings.Contains(found.raw, project+"/jobs/new?worker="+w) {
		t.Fatalf("search: %d %s", found.status, found.raw)
	}
	if form := br.get(project + "/jobs/new?worker=" + w); !strings.Contains(form.raw, `value="`+idn+`"`) {
		t.Fatalf("job form not filled with the person: %s", form.raw)
	}
	job := url.Values{"worker_id": {idn}, "start_on": {"2026-05-01"}, "end_on": {"2026-11-30"}, "pay": {"3600"}}
	if r := br.post(project+"/jobs/new", job); r.status != http.StatusBadRequest || !strings.Contains(r.raw, `id="err-end_on"`) {
		t.Fatalf("job past the project: %d %s", r.status, r.raw)
	}
	job.Set("end_on", "2026-06-30")
	if r := br.post(project+"/jobs/new", job); r.status != http.StatusSeeOther {
		t.Fatalf("job: %d %s", r.status, r.raw)
	}
	page := br.get(project)
	if !strings.Contains(page.raw, `<td id="project-pay">3600</td>`) || !strings.Contains(page.raw, "巴图") {
		t.Fatalf("project page: %s", page.raw)
	}
	// Its edit form; a new end before the job's is refused on it.
	if form := br.get(project + "/edit"); form.status != http.StatusOK || !strings.Contains(form.raw, `value="嘎查道路硬化"`) {
		t.Fatalf("edit form: %d %s", form.status, form.raw)
	}
	edit := url.Values{"name": {"嘎查道路硬化（二期）"}, "place": {"150421100201"}, "start_on": {"2026-04-01"},
		"end_on": {"2026-06-15"}, "owner": {"乡政府"}}
	if r := br.post(project+"/edit", edit); r.status != http.StatusBadRequest || !strings.Contains(r.raw, `id="err-end_on"`) ||
		!strings.Contains(r.raw, "2026-05-01至2026-06-30") {
		t.Fatalf("an end before the job's: %d %s", r.status, r.raw)
	}
	edit.Set("end_on", "2026-10-31")
	if r := br.post(project+"/edit", edit); r.status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.status, r.raw)
	}
	if page := br.get(project); !strings.Contains(page.raw, "嘎查道路硬化（二期）") || !strings.Contains(page.raw, "乡政府") {
		t.Fatalf("project page after the edit: %s", page.raw)
	}
}

// The labour API sits behind the station's login and its JSON-only writes
// like every other endpoint, and names who entered a record.
func TestLabourAPIGuarded(t *testing.T) {
	f := loginFixture(t, true)
	region := `{"name":"北京市","kind":"东西部协作"}`
	for _, path := range []string{"/api/partner-regions", "/api/export-batches", "/api/shared-employment"} {
		if r := f.api("GET", path, nil); r.status != http.StatusUnauthorized {
			t.Errorf("GET %s without a login: %d", path, r.status)
		}
	}
	if r := f.api("POST", "/api/partner-regions", region); r.status != http.StatusUnauthorized {
		t.Errorf("POST without a login: %d", r.status)
	}
	req := httptest.NewRequest("POST", "/api/partner-regions", strings.NewReader(region))
	req.Header.Set("Content-Type", "text/plain")
	req.SetBasicAuth("李四", "correct horse")
	if r := f.serve(req); r.status != http.StatusUnsupportedMediaType {
		t.Errorf("POST as text/plain: %d", r.status)
	}
	r := f.apiAs("李四", "POST", "/api/partner-regions", region)
	if r.status != http.StatusCreated {
		t.Fatalf("POST logged in: %d %s", r.status, r.raw)
	}
	if got := f.apiAs("李四", "GET", "/api/partner-regions/"+r.body["id"].(string), ""); got.body[records.EnteredBy] != "李四" {
		t.Fatalf("entered_by: %s", got.raw)
	}
}
