package stationweb

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"fieldsync/records"
	"fieldsync/station"
)

// Secrets of the test case: the employer's name and the amount claimed
// must appear nowhere a user without the rights permission can look.
const (
	rightsEmployer = "黑心砖厂有限公司"
	rightsAmount   = "73519"
)

// rightsFixture is a station that asks staff to log in, with 维权员 holding
// the labour-rights permission, wang5 not, and 站长 an administrator
// without it; it holds one person with one open case (made by 维权员).
func rightsFixture(t *testing.T) (f *fixture, worker, caseID string) {
	t.Helper()
	f = newFixture(t, nil)
	users, err := station.LoadUsers(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"维权员", "wang5", "站长"} {
		if err := users.Set(u, "correct horse"); err != nil {
			t.Fatal(err)
		}
	}
	if err := users.SetRights("维权员", true); err != nil {
		t.Fatal(err)
	}
	f.r.Close()
	cfg := f.cfg
	cfg.Admins = []string{"站长"}
	f = openFixture(t, f.dir, cfg, func(o *Options) { o.Users = users; o.RequireLogin = true })
	r := f.apiAs("wang5", "POST", "/api/workers", mustJSON(workerBody(idNumber("19800101", 31))))
	if r.status != http.StatusCreated {
		t.Fatalf("create person: %d %s", r.status, r.raw)
	}
	worker = r.body["id"].(string)
	r = f.apiAs("维权员", "POST", "/api/rights-cases", `{"worker_id":"`+worker+`","rights_kind":"欠薪","employer":"`+
		rightsEmployer+`","amount_claimed":`+rightsAmount+`,"received_on":"2026-01-05"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("create case as 维权员: %d %s", r.status, r.raw)
	}
	return f, worker, r.body["id"].(string)
}

// noCase fails when a body shows anything of the test case.
func noCase(t *testing.T, what string, r resp, caseID string) {
	t.Helper()
	for _, s := range []string{rightsEmployer, rightsAmount, caseID} {
		if s != "" && strings.Contains(r.raw, s) {
			t.Fatalf("%s shows %q to a user without the rights permission:\n%s", what, s, r.raw)
		}
	}
}

// TestRightsAPIPermission: without the permission every route of
// /api/rights-cases answers 403 with the rights_hidden message and nothing
// of a case, and writes nothing; with it the case is read, patched (closing
// needs the outcome, named) and deleted.
func TestRightsAPIPermission(t *testing.T) {
	f, worker, id := rightsFixture(t)
	hidden := records.Message("zh", records.KeyRightsHidden)
	for _, u := range []string{"wang5", "站长"} {
		for _, c := range []struct{ method, path, body string }{
			{"GET", "/api/rights-cases", ""},
			{"GET", "/api/rights-cases?worker_id=" + worker, ""},
			{"GET", "/api/rights-cases/" + id, ""},
			{"POST", "/api/rights-cases", `{"worker_id":"` + worker + `","rights_kind":"社保","employer":"x","received_on":"2026-01-06"}`},
			{"PATCH", "/api/rights-cases/" + id, `{"employer":"改了"}`},
			{"DELETE", "/api/rights-cases/" + id, ""},
			{"DELETE", "/api/rights-cases/00000000000000000000000000000000", ""},
		} {
			r := f.apiAs(u, c.method, c.path, c.body)
			if r.status != http.StatusForbidden || r.body["error"] != hidden {
				t.Fatalf("%s %s %s as %s: %d %s", c.method, c.path, c.body, u, r.status, r.raw)
			}
			noCase(t, c.method+" "+c.path, r, id)
		}
	}
	if n := f.count(records.RightsCases); n != 1 {
		t.Fatalf("%d cases after refused writes", n)
	}
	r := f.apiAs("维权员", "GET", "/api/rights-cases?worker_id="+worker, "")
	if r.status != 200 || !strings.Contains(r.raw, rightsEmployer) || r.body["total"] != float64(1) {
		t.Fatalf("list as 维权员: %d %s", r.status, r.raw)
	}
	r = f.apiAs("维权员", "PATCH", "/api/rights-cases/"+id, `{"case_status":"办结","closed_on":"2026-02-01"}`)
	if r.status != http.StatusBadRequest || r.body["field"] != "case_outcome" {
		t.Fatalf("close without outcome: %d %s", r.status, r.raw)
	}
	r = f.apiAs("维权员", "PATCH", "/api/rights-cases/"+id,
		`{"case_status":"办结","closed_on":"2026-02-01","case_outcome":"全额追回","amount_recovered":73519}`)
	if r.status != 200 {
		t.Fatalf("close: %d %s", r.status, r.raw)
	}
	r = f.apiAs("维权员", "GET", "/api/rights-cases?case_status=open", "")
	if r.status != 200 || r.body["total"] != float64(0) {
		t.Fatalf("open cases after closing: %d %s", r.status, r.raw)
	}
	if r := f.apiAs("维权员", "DELETE", "/api/rights-cases/"+id, ""); r.status != http.StatusNoContent && r.status != 200 {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}
}

// TestRightsPagesMasked: a staff member without the permission gets 403 on
// every /services/rights page and sees nothing of the case on the person's
// page (not even its heading); an administrator without it may not take a
// backup (it holds every case). The permitted user sees the case on both.
func TestRightsPagesMasked(t *testing.T) {
	f, worker, id := rightsFixture(t)
	// The hub refused the case's employer: the refusal names its value.
	hub := f.peer("县级平台")
	f.hubWrites(hub, refusalEdit(t, records.RightsCases, id, "employer", rightsEmployer, records.KeyRequired, "",
		records.RefusalRefused, "2026-01-06T08:00:00Z"))
	login := func(u string) *browser {
		b := f.browser()
		if r := b.post("/login", url.Values{"user": {u}, "password": {"correct horse"}}); r.status != http.StatusSeeOther {
			t.Fatalf("login %s: %d", u, r.status)
		}
		return b
	}
	for _, u := range []string{"wang5", "站长"} {
		b := login(u)
		for _, p := range []string{"/services/rights", "/services/rights?case_status=受理", "/services/rights/" + id,
			"/services/rights/" + id + "/edit", "/services/rights/new?worker_id=" + worker} {
			r := b.get(p)
			if r.status != http.StatusForbidden || !strings.Contains(r.raw, records.Message("zh", records.KeyRightsHidden)) {
				t.Fatalf("GET %s as %s: %d", p, u, r.status)
			}
			// The page names the path asked for (its language link): the
			// id is the asker's, not the case's content.
			noCase(t, p, r, "")
		}
		r := b.post("/services/rights/"+id+"/edit", url.Values{"rights_kind": {"欠薪"}, "employer": {"改了"},
			"received_on": {"2026-01-05"}, "case_status": {"受理"}})
		if r.status != http.StatusForbidden {
			t.Fatalf("edit as %s: %d", u, r.status)
		}
		for _, p := range []string{"/refusals", "/api/refusals"} {
			r = b.get(p)
			if r.status != 200 {
				t.Fatalf("%s as %s: %d", p, u, r.status)
			}
			noCase(t, p, r, id)
		}
		r = b.get("/workers/" + worker)
		if r.status != 200 {
			t.Fatalf("person page as %s: %d", u, r.status)
		}
		noCase(t, "person page", r, id)
		if strings.Contains(r.raw, "worker-rights") || strings.Contains(r.raw, "/services/rights") {
			t.Fatalf("person page shows the rights block to %s", u)
		}
		if r := b.get("/services"); r.status != 200 || strings.Contains(r.raw, "/services/rights") {
			t.Fatalf("the services index as %s: %d, links the rights register: %v", u, r.status,
				strings.Contains(r.raw, "/services/rights"))
		}
	}
	if r := login("站长").post("/backup/download", url.Values{}); r.status != http.StatusForbidden {
		t.Fatalf("backup by an administrator without the rights permission: %d", r.status)
	}
	b := login("维权员")
	if r := b.get("/workers/" + worker); r.status != 200 || !strings.Contains(r.raw, rightsEmployer) {
		t.Fatalf("person page as 维权员: %d", r.status)
	}
	if r := b.get("/services/rights?case_status=open&rights_kind=欠薪"); r.status != 200 || !strings.Contains(r.raw, rightsEmployer) {
		t.Fatalf("list as 维权员: %d", r.status)
	}
	if r := b.get("/services/rights?rights_kind=工伤"); r.status != 200 || strings.Contains(r.raw, rightsEmployer) {
		t.Fatalf("list filtered by another kind: %d", r.status)
	}
	if r := b.get("/refusals"); r.status != 200 || !strings.Contains(r.raw, rightsEmployer) {
		t.Fatalf("refusals as 维权员: %d", r.status)
	}
	if r := b.get("/services/rights/" + id); r.status != 200 || !strings.Contains(r.raw, rightsEmployer) {
		t.Fatalf("case page as 维权员: %d", r.status)
	}
	if r := b.get("/services"); r.status != 200 || !strings.Contains(r.raw, `href="/services/rights"`) {
		t.Fatalf("the services index as 维权员 does not link the rights register: %d", r.status)
	}
	// Closing from the form without an outcome is refused on its field.
	r := b.post("/services/rights/"+id+"/edit", url.Values{"rights_kind": {"欠薪"}, "employer": {rightsEmployer},
		"received_on": {"2026-01-05"}, "case_status": {"办结"}, "closed_on": {"2026-02-01"}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.raw, `id="err-case_outcome"`) {
		t.Fatalf("close without outcome: %d", r.status)
	}
	// No workbook of the station's exports carries the cases.
	if r := b.get("/programmes/export/" + records.RightsCases + ".xlsx"); r.status != http.StatusNotFound {
		t.Fatalf("rights cases exported as a programme sheet: %d", r.status)
	}
}

// TestRightsNoLogin: a station that asks for no login (loopback) cannot
// tell its users apart: whoever sits at its PC reads and writes the cases.
func TestRightsNoLogin(t *testing.T) {
	f := newFixture(t, nil)
	worker := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 32)))
	id := f.mustCreate("/api/rights-cases", map[string]any{"worker_id": worker, "rights_kind": "工伤",
		"employer": rightsEmployer, "received_on": "2026-01-05"})
	if r := f.api("GET", "/api/rights-cases/"+id, nil); r.status != 200 || r.body["employer"] != rightsEmployer {
		t.Fatalf("get: %d %s", r.status, r.raw)
	}
	if r := f.browser().get("/workers/" + worker); r.status != 200 || !strings.Contains(r.raw, rightsEmployer) {
		t.Fatalf("person page: %d", r.status)
	}
}
