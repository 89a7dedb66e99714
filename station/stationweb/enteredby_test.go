package stationweb

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/station"
)

// loginFixture is a station that asks staff to log in, with two accounts.
func loginFixture(t *testing.T, require bool) *fixture {
	t.Helper()
	f := newFixture(t, nil)
	users, err := station.LoadUsers(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"李四", "wang5"} {
		if err := users.Set(u, "correct horse"); err != nil {
			t.Fatal(err)
		}
	}
	return openFixture(t, f.dir, f.cfg, func(o *Options) { o.Users = users; o.RequireLogin = require })
}

// apiAs calls the API with HTTP basic authentication as user.
func (f *fixture) apiAs(user, method, path string, body string) resp {
	f.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.SetBasicAuth(user, "correct horse")
	return f.serve(req)
}

// lastChange is the newest change of the station's log on a row.
func (f *fixture) lastChange(table, hexID string) (replica.Change, int) {
	f.t.Helper()
	entries, _, err := f.r.ReadLog(context.Background(), 0, replica.LogQuery{Limit: 10000})
	if err != nil {
		f.t.Fatal(err)
	}
	id := mustID(f.t, hexID)
	var last replica.Change
	n := 0
	for _, e := range entries {
		if e.Change.Table == table && e.Change.Row == id {
			last, n = e.Change, n+1
		}
	}
	if n == 0 {
		f.t.Fatalf("no change of %s %s", table, hexID)
	}
	return last, n
}

// written maps the columns a change wrote to their values.
func (f *fixture) written(c replica.Change) map[string]any {
	t, _ := f.r.Schema().Table(c.Table)
	out := map[string]any{}
	for _, fl := range c.Fields {
		if fl.Elem == "" {
			out[t.ColumnName(fl.Col)] = fl.Value
		}
	}
	return out
}

// TestEnteredByLoggedInUser: every create and edit writes entered_by, in the
// same change as the fields it changes, with the logged-in staff member's
// name; a save that changes nothing writes nothing.
func TestEnteredByLoggedInUser(t *testing.T) {
	f := loginFixture(t, true)
	r := f.apiAs("李四", "POST", "/api/workers", mustJSON(workerBody(idNumber("19800101", 11))))
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	wid := r.body["id"].(string)
	if r := f.apiAs("李四", "GET", "/api/workers/"+wid, ""); r.body[records.EnteredBy] != "李四" {
		t.Fatalf("after create: entered_by %v", r.body[records.EnteredBy])
	}
	c, n := f.lastChange(records.Workers, wid)
	if w := f.written(c); w[records.EnteredBy] != "李四" || w["name"] != "巴图" {
		t.Fatalf("create change %v", w)
	}

	// Another user edits the phone: entered_by is in the same change.
	if r := f.apiAs("wang5", "PATCH", "/api/workers/"+wid, `{"phone":"13900139000"}`); r.status != 200 {
		t.Fatalf("patch: %d %s", r.status, r.raw)
	}
	c, n2 := f.lastChange(records.Workers, wid)
	if w := f.written(c); n2 != n+1 || len(w) != 2 || w["phone"] != "13900139000" || w[records.EnteredBy] != "wang5" {
		t.Fatalf("patch change %v (%d changes)", w, n2)
	}
	if r := f.apiAs("李四", "GET", "/api/workers/"+wid, ""); r.body[records.EnteredBy] != "wang5" {
		t.Fatalf("after patch: entered_by %v", r.body[records.EnteredBy])
	}
	// Saving the same value again by someone else is no change at all.
	if r := f.apiAs("李四", "PATCH", "/api/workers/"+wid, `{"phone":"13900139000","skills":["电焊"]}`); r.status != 200 {
		t.Fatalf("patch unchanged: %d %s", r.status, r.raw)
	}
	if _, n3 := f.lastChange(records.Workers, wid); n3 != n2 {
		t.Fatalf("an unchanged save wrote a change (%d, was %d)", n3, n2)
	}
	// Changing a set is a change.
	if r := f.apiAs("李四", "PATCH", "/api/workers/"+wid, `{"skills":["电焊","瓦工"]}`); r.status != 200 {
		t.Fatalf("patch skills: %d %s", r.status, r.raw)
	}
	if c, _ := f.lastChange(records.Workers, wid); f.written(c)[records.EnteredBy] != "李四" {
		t.Fatalf("skills change %v", f.written(c))
	}

	// Child records: the append-only ones and the others.
	fu := `{"worker_id":"` + wid + `","date":"2026-11-10","method":"上门","service_type":"岗位推荐","content":"推荐保洁岗位"}`
	if r := f.apiAs("wang5", "POST", "/api/followups", fu); r.status != http.StatusCreated {
		t.Fatalf("followup: %d %s", r.status, r.raw)
	}
	ms := `{"worker_id":"` + wid + `","month":"2026-11","list_type":"就业","work_scope":"县外区内","place":"呼和浩特","industry":"建筑",
		"employment_form":"单位","monthly_income":4200,"verified_by_method":"电话","verified_by":"李四","verified_at":"2026-11-10"}`
	if r := f.apiAs("李四", "POST", "/api/monthly-status", ms); r.status/100 != 2 {
		t.Fatalf("monthly status: %d %s", r.status, r.raw)
	}
	r = f.apiAs("李四", "GET", "/api/workers/"+wid, "")
	if got := r.body["followups"].([]any)[0].(map[string]any)[records.EnteredBy]; got != "wang5" {
		t.Errorf("followup entered_by %v", got)
	}
	if got := r.body["monthly_status"].([]any)[0].(map[string]any)[records.EnteredBy]; got != "李四" {
		t.Errorf("monthly status entered_by %v", got)
	}
	r = f.apiAs("wang5", "POST", "/api/gigs", mustJSON(gigBody()))
	if r.status != http.StatusCreated {
		t.Fatalf("gig: %d %s", r.status, r.raw)
	}
	gid := r.body["id"].(string)
	if c, _ := f.lastChange(records.Gigs, gid); f.written(c)[records.EnteredBy] != "wang5" {
		t.Fatalf("gig change %v", f.written(c))
	}
	if r := f.apiAs("李四", "PATCH", "/api/gigs/"+gid, `{"headcount":3}`); r.status != 200 {
		t.Fatalf("patch gig: %d %s", r.status, r.raw)
	}
	if c, _ := f.lastChange(records.Gigs, gid); f.written(c)[records.EnteredBy] != "李四" || f.written(c)["headcount"] != int64(3) {
		t.Fatalf("gig patch change %v", f.written(c))
	}

	// The web UI: a session names the user too, and the worker page shows it.
	b := f.browser()
	if r := b.post("/login", url.Values{"user": {"wang5"}, "password": {"correct horse"}}); r.status != http.StatusSeeOther {
		t.Fatalf("login: %d", r.status)
	}
	form := url.Values{"name": {"巴图尔"}}
	for k, v := range workerBody("") {
		if s, ok := v.(string); ok && k != "name" && k != "id_number" {
			form.Set(k, s)
		}
	}
	form.Set("skills", "电焊，瓦工")
	form["tags"] = []string{"农民工"}
	form.Set("willing_away", "1")
	if r := b.post("/workers/"+wid+"/edit", form); r.status != http.StatusSeeOther {
		t.Fatalf("edit form: %d %s", r.status, r.raw)
	}
	if c, _ := f.lastChange(records.Workers, wid); f.written(c)[records.EnteredBy] != "wang5" || f.written(c)["name"] != "巴图尔" {
		t.Fatalf("form change %v", f.written(c))
	}
	if r := b.get("/workers/" + wid); !strings.Contains(r.raw, `<td id="entered-by">wang5</td>`) {
		t.Fatalf("worker page does not show who entered it")
	}
}

// TestEnteredByLoopback: a station that asks for no login names edits
// LocalUser, unless staff logged in anyway.
func TestEnteredByLoopback(t *testing.T) {
	f := newFixture(t, nil)
	wid := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	if c, _ := f.lastChange(records.Workers, wid); f.written(c)[records.EnteredBy] != station.LocalUser {
		t.Fatalf("loopback create %v", f.written(c))
	}

	g := loginFixture(t, false)
	wid = g.mustCreate("/api/workers", workerBody(idNumber("19800101", 13)))
	if c, _ := g.lastChange(records.Workers, wid); g.written(c)[records.EnteredBy] != station.LocalUser {
		t.Fatalf("loopback create with accounts %v", g.written(c))
	}
	if r := g.apiAs("李四", "PATCH", "/api/workers/"+wid, `{"phone":"13900139000"}`); r.status != 200 {
		t.Fatalf("patch: %d %s", r.status, r.raw)
	}
	if c, _ := g.lastChange(records.Workers, wid); g.written(c)[records.EnteredBy] != "李四" {
		t.Fatalf("loopback edit by a logged-in user %v", g.written(c))
	}
}

// TestEnteredByConflictNotMarked: stations that entered a record under
// different names do not see entered_by as a conflict; a field in conflict
// is written (and so is entered_by) even when the value typed equals one of
// the values.
func TestEnteredByConflictNotMarked(t *testing.T) {
	a := newFixture(t, nil)
	b := a.peer("白音嘎查")
	idn := idNumber("19800101", 11)
	wid := a.mustCreate("/api/workers", workerBody(idn))
	ctx := station.WithUser(context.Background(), "王五")
	w := records.Worker{IDNumber: idn, Name: "巴图", Phone: "13700137000", Ethnicity: "蒙古族",
		HukouVillage: "150421100201", Education: "初中", LabourAbility: "普通劳动力"}
	if _, err := b.st.CreateWorker(ctx, w); err != nil {
		t.Fatal(err)
	}
	b.syncTo(a)
	r := a.api("GET", "/api/workers/"+wid, nil)
	conf, _ := r.body["conflicts"].(map[string]any)
	if conf["phone"] == nil || conf[records.EnteredBy] != nil || conf["station"] != nil {
		t.Fatalf("conflicts %v", conf)
	}
	// Typing the value this station already shows settles the phone.
	if r := a.api("PATCH", "/api/workers/"+wid, map[string]any{"phone": r.body["phone"]}); r.status != 200 {
		t.Fatalf("patch: %d %s", r.status, r.raw)
	}
	c, _ := a.lastChange(records.Workers, wid)
	if w := a.written(c); w["phone"] == nil || w[records.EnteredBy] != station.LocalUser {
		t.Fatalf("settling change %v", w)
	}
}
