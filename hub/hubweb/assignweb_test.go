package hubweb_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/syncclient"
)

// The county assigns a person to a station, end to end on 127.0.0.1 with
// two real stations syncing: A registers P; B does not hold P.
//   - the API: no token or a station's token gets 401, a viewer 403; a malformed id and a missing station 400,
//     an unknown station or person 404 naming 站点 / 人员; a resolver assigns
//     P to B: 200 with P's holders, B's replica receives P, and the audit
//     log lists the assignment; assigning again is 200 and writes nothing;
//   - the page: a viewer sees P's holders and no form; a resolver's form
//     offers the stations not holding P (站C, not 站A or 站B, not the revoked
//     站D); posted without its CSRF token it is refused, with it P is
//     assigned to C and the page says so.
func TestAssignWorker(t *testing.T) {
	// Sessions do not poll: B receives P only because the assignment wakes
	// its session.
	h := hubtest.NewAccessServer(t, "http", hub.Options{Poll: time.Hour})
	ea, eb := h.Enroll("站A"), h.Enroll("站B")
	h.Enroll("站C")
	h.Enroll("站D")
	if err := h.Hub.RevokeStation(t.Context(), "站D"); err != nil {
		t.Fatal(err)
	}
	a := hubtest.NewStation(t, ea, syncclient.Config{})
	b := hubtest.NewStation(t, eb, syncclient.Config{})
	pNum := hubtest.IDNumber(51)
	pID := ea.Key.Derive(records.Workers, pNum)
	a.Write(hubtest.WorkerEdit(ea.Key, pNum, "巴特尔", "13500000051"))
	a.Start()
	b.Start()
	hubtest.WaitFor(t, 30*time.Second, "A to converge", func() bool { return hubtest.Converged(t, h.Hub, a) })
	hubtest.WaitFor(t, 30*time.Second, "B to converge", func() bool { return hubtest.Converged(t, h.Hub, b) })
	if v := hubtest.StationValue(t, b.Rep, records.Workers, pID, "name"); v != nil {
		t.Fatalf("B holds P before the assignment: %v", v)
	}
	viewer := h.AdminToken("viewer1", access.RoleViewer)
	resolver := h.AdminToken("resolver1", access.RoleResolver)
	owner := h.AdminToken("owner1", access.RoleOwner)
	assign := "/api/workers/" + pID.String() + "/assign"
	toB := map[string]string{"station": "站B"}

	for _, tok := range []string{"", ea.Token} {
		if st, body := h.CallJSON("POST", assign, tok, toB); st != http.StatusUnauthorized {
			t.Errorf("assign with %q: %d %v, want 401", hubtest.Short(tok), st, body)
		}
	}
	if st, body := h.CallJSON("POST", assign, viewer, toB); st != http.StatusForbidden {
		t.Errorf("a viewer assigns: %d %v", st, body)
	}
	for _, c := range []struct {
		name, path string
		body       any
		status     int
		field, msg string
	}{
		{"malformed id", "/api/workers/nope/assign", toB, http.StatusBadRequest, "id", "人员"},
		{"missing station", assign, map[string]string{}, http.StatusBadRequest, "station", "站点"},
		{"blank station", assign, map[string]string{"station": "  "}, http.StatusBadRequest, "station", "站点"},
		{"unknown station", assign, map[string]string{"station": "站X"}, http.StatusNotFound, "station", "站点"},
		{"unknown person", "/api/workers/" + (ident.ID{9, 9, 9}).String() + "/assign", toB, http.StatusNotFound, "id", "人员"},
		{"revoked station", assign, map[string]string{"station": "站D"}, http.StatusConflict, "station", "已注销"},
	} {
		st, body := h.CallJSON("POST", c.path, resolver, c.body)
		if st != c.status || body["field"] != c.field || !strings.Contains(fmt.Sprint(body["error"]), c.msg) {
			t.Errorf("%s: %d %v, want %d naming %s (%s)", c.name, st, body, c.status, c.field, c.msg)
		}
	}
	if got := h.Hub.Holders(pID); !slices.Equal(got, []string{"站A"}) {
		t.Fatalf("P's holders after refused assignments: %v", got)
	}

	st, body := h.CallJSON("POST", assign, resolver, toB)
	if st != http.StatusOK || body["worker"] != pID.String() || fmt.Sprint(body["holders"]) != "[站A 站B]" {
		t.Fatalf("assign P to B: %d %v", st, body)
	}
	hubtest.WaitFor(t, 30*time.Second, "P at B", func() bool {
		return hubtest.StationValue(t, b.Rep, records.Workers, pID, "name") == "巴特尔"
	})
	if v := hubtest.StationValue(t, b.Rep, records.Workers, pID, "id_number"); v != pNum {
		t.Errorf("P's id number at B: %v", v)
	}
	assignments := func() []map[string]any {
		st, body := h.Call("GET", "/api/audit?limit=1000", owner)
		if st != http.StatusOK {
			t.Fatalf("audit log: %d %v", st, body)
		}
		var out []map[string]any
		for _, e := range body["entries"].([]any) {
			if m := e.(map[string]any); m["action"] == hub.AuditAssign {
				out = append(out, m)
			}
		}
		return out
	}
	if got := assignments(); len(got) != 1 || got[0]["user"] != "resolver1" || got[0]["detail"] != "station 站B worker "+pID.String() {
		t.Errorf("the audit log's assignments: %v", got)
	}
	if st, body := h.CallJSON("POST", assign, resolver, toB); st != http.StatusOK || fmt.Sprint(body["holders"]) != "[站A 站B]" {
		t.Errorf("assign again: %d %v", st, body)
	}
	if n := len(assignments()); n != 1 {
		t.Errorf("audit entries after assigning again: %d, want 1", n)
	}

	// The page.
	page := h.URL() + "/workers/" + pID.String()
	vweb := h.LoggedIn("viewer2", access.RoleViewer)
	st, _, vpage := hubtest.Page(t, vweb, page)
	if st != http.StatusOK || !strings.Contains(vpage, "站A、站B") || strings.Contains(vpage, `id="assign"`) {
		t.Errorf("the viewer's worker page (holders, no form): %d\n%s", st, vpage)
	}
	web := h.LoggedIn("resolver2", access.RoleResolver)
	st, _, rpage := hubtest.Page(t, web, page)
	if st != http.StatusOK || !strings.Contains(rpage, `id="assign"`) || !strings.Contains(rpage, "分配给站点") ||
		!strings.Contains(rpage, "<option>站C</option>") || strings.Contains(rpage, "<option>站B</option>") ||
		strings.Contains(rpage, "<option>站A</option>") || strings.Contains(rpage, "<option>站D</option>") {
		t.Fatalf("the resolver's worker page (a form offering 站C only): %d\n%s", st, rpage)
	}
	csrf := hubtest.CSRFPattern.FindStringSubmatch(rpage)[1]
	if resp, _ := hubtest.Post(t, web, page+"/assign", url.Values{"station": {"站C"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the form without its CSRF token: %s", resp.Status)
	}
	if resp, _ := hubtest.Post(t, vweb, page+"/assign", url.Values{"station": {"站C"}, "csrf": {csrf}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer posts the form: %s", resp.Status)
	}
	if resp, text := hubtest.Post(t, web, page+"/assign", url.Values{"station": {"站X"}, "csrf": {csrf}}); resp.StatusCode != http.StatusNotFound ||
		!strings.Contains(text, "站点：没有名为“站X”的服务站") {
		t.Errorf("the form with an unknown station: %s\n%s", resp.Status, text)
	}
	if got := h.Hub.Holders(pID); !slices.Equal(got, []string{"站A", "站B"}) {
		t.Fatalf("P's holders after refused forms: %v", got)
	}
	resp, _ := hubtest.Post(t, web, page+"/assign", url.Values{"station": {"站C"}, "csrf": {csrf}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/workers/"+pID.String()+"?notice=assigned" {
		t.Fatalf("the form: %s to %q", resp.Status, loc)
	}
	st, _, rpage = hubtest.Page(t, web, page+"?notice=assigned")
	if st != http.StatusOK || !strings.Contains(rpage, "已分配给站点") || !strings.Contains(rpage, "站A、站B、站C") ||
		strings.Contains(rpage, `id="assign"`) {
		t.Errorf("the page after the form (notice, three holders, nothing left to assign): %d\n%s", st, rpage)
	}
	if got := assignments(); len(got) != 2 || got[0]["user"] != "resolver2" || got[0]["detail"] != "station 站C worker "+pID.String() {
		t.Errorf("the audit log's assignments after the form: %v", got)
	}
}
