package hubweb_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
)

// The secrets of the test's case: its employer (two stations typed it
// differently, a conflict) and the amount claimed must reach no page, file
// or API answer of an administrator without access.PermRights.
const (
	hubRightsEmployerA = "黑心砖厂有限公司"
	hubRightsEmployerB = "黑心砖厂（个体）"
	hubRightsAmount    = "73519"
)

// rightsCounty is a hub where two stations hold 娜仁 and her wage-arrears
// case, each having typed its employer differently offline: a field
// conflict on the case's employer. It returns the person's id, the case's
// and the conflict's.
func rightsCounty(t *testing.T) (h *hubtest.AccessServer, worker, caseID string, conflict int64) {
	t.Helper()
	h = hubtest.NewAccessServer(t, "http", hub.Options{})
	a := hubtest.NewHostile(t, h.Server, enrollAt(t, h, "东站", "150421100201"))
	b := hubtest.NewHostile(t, h.Server, enrollAt(t, h, "西站", "150421100202"))
	key := a.Enr.Key
	num := hubtest.IDNumber(91)
	wid := key.Derive(records.Workers, num)
	w := hubtest.WorkerEdit(key, num, "娜仁", "13500000091")
	amount := 73519.0
	c := records.RightsCase{WorkerID: wid.String(), Kind: "欠薪", Employer: hubRightsEmployerA, AmountClaimed: &amount,
		ReceivedOn: "2026-01-05", Referral: "劳动监察"}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	cid := hubtest.NewRowID(t)
	ce := replica.Edit{Table: records.RightsCases, Row: cid, Set: c.Columns()}
	a.Connect()
	a.Send(append(a.Make(w), a.Make(hubtest.WithStation(ce, "东站"))...))
	if _, perr := a.Await(); perr != nil {
		t.Fatal(perr)
	}
	b.Connect()
	b.Send(append(b.Make(w), b.Make(hubtest.WithStation(withValue(ce, "employer", hubRightsEmployerB), "西站"))...))
	if _, perr := b.Await(); perr != nil {
		t.Fatal(perr)
	}
	cs, _, err := h.Hub.Conflicts(t.Context(), hub.ConflictFilter{Table: records.RightsCases})
	if err != nil || len(cs) != 1 || cs[0].Column != "employer" {
		t.Fatalf("want a conflict on the case's employer: %+v %v", cs, err)
	}
	return h, wid.String(), cid.String(), cs[0].ID
}

// noRights fails when body shows anything of the case.
func noRights(t *testing.T, what, body string) {
	t.Helper()
	for _, s := range []string{hubRightsEmployerA, hubRightsEmployerB, hubRightsAmount} {
		if strings.Contains(body, s) {
			t.Fatalf("%s shows %q to an administrator without %s:\n%s", what, s, access.PermRights, body)
		}
	}
}

// TestRightsHiddenAtHub: a viewer and a resolver (no PermRights) see
// nothing of a case on any page or API: the rights list and its export are
// 403; the person's page and history API leave the case and its conflict
// out; the conflict queue and API leave the conflict out; the conflict, its
// resolution and the case's history asked for by id are 403 with the
// rights_hidden message, and a bulk resolution refuses it. A rights officer
// and the owner see the case; the owner resolves its conflict.
func TestRightsHiddenAtHub(t *testing.T) {
	h, worker, caseID, conflict := rightsCounty(t)
	cid := strconv.FormatInt(conflict, 10)
	hidden := records.Message("zh", records.KeyRightsHidden)
	for _, role := range []access.Role{access.RoleViewer, access.RoleResolver} {
		name := "no-rights-" + string(role)
		c := h.LoggedIn(name, role)
		for _, p := range []string{"/services/rights", "/services/rights.xlsx", "/services/rights?case_status=open"} {
			code, _, body := hubtest.Page(t, c, h.URL()+p)
			if code != http.StatusForbidden {
				t.Fatalf("%s as %s: %d", p, role, code)
			}
			noRights(t, p, body)
		}
		for _, p := range []string{"/workers/" + worker, "/conflicts", "/conflicts?status=all&table=" + records.RightsCases} {
			code, _, body := hubtest.Page(t, c, h.URL()+p)
			if code != http.StatusOK {
				t.Fatalf("%s as %s: %d", p, role, code)
			}
			noRights(t, p, body)
			if strings.Contains(body, "/conflicts/"+cid+"\"") {
				t.Fatalf("%s links the case's conflict for %s", p, role)
			}
		}
		code, _, body := hubtest.Page(t, c, h.URL()+"/conflicts/"+cid)
		if code != http.StatusForbidden || !strings.Contains(body, hidden) {
			t.Fatalf("conflict page as %s: %d", role, code)
		}
		noRights(t, "conflict page", body)
		if role == access.RoleResolver {
			_, _, pb := hubtest.Page(t, c, h.URL()+"/conflicts")
			m := hubtest.CSRFPattern.FindStringSubmatch(pb)
			if m == nil {
				t.Fatal("no CSRF token on the queue")
			}
			resp, body := hubtest.Post(t, c, h.URL()+"/conflicts/"+cid+"/resolve",
				map[string][]string{"csrf": {m[1]}, "choose": {"东站"}})
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, hidden) {
				t.Fatalf("resolve from the web as %s: %d %s", role, resp.StatusCode, body)
			}
			noRights(t, "resolve page", body)
		}

		tok := h.AdminToken(name+"-api", role)
		resp0, body2 := h.Get("/api/conflicts?status=all", tok)
		if resp0.StatusCode != http.StatusOK {
			t.Fatalf("/api/conflicts as %s: %d", role, resp0.StatusCode)
		}
		noRights(t, "/api/conflicts", string(body2))
		if strings.Contains(string(body2), `"id":`+cid+`,`) {
			t.Fatalf("/api/conflicts lists the case's conflict for %s", role)
		}
		for _, p := range []string{"/api/conflicts/" + cid, "/api/history/" + records.RightsCases + "/" + caseID} {
			resp, b := h.Get(p, tok)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), hidden) {
				t.Fatalf("%s as %s: %d %s", p, role, resp.StatusCode, b)
			}
			noRights(t, p, string(b))
		}
		for _, p := range []string{"/api/workers/" + worker + "/history", "/api/workers/" + worker} {
			resp, b := h.Get(p, tok)
			if resp.StatusCode != http.StatusOK || strings.Contains(string(b), records.RightsCases) {
				t.Fatalf("%s as %s: %d %s", p, role, resp.StatusCode, b)
			}
			noRights(t, p, string(b))
		}
		if role == access.RoleResolver {
			st, m := h.CallJSON("POST", "/api/conflicts/"+cid+"/resolve", tok, map[string]any{"choose": "东站"})
			if st != http.StatusForbidden || m["error"] != hidden {
				t.Fatalf("resolve API as %s: %d %v", role, st, m)
			}
			st, m = h.CallJSON("POST", "/api/conflicts/resolve", tok, map[string]any{"ids": []int64{conflict}, "choose": "东站"})
			if st != http.StatusOK || m["resolved"] != float64(0) {
				t.Fatalf("bulk resolve API as %s: %d %v", role, st, m)
			}
		}
	}
	cs, _, err := h.Hub.Conflicts(t.Context(), hub.ConflictFilter{Table: records.RightsCases})
	if err != nil || len(cs) != 1 {
		t.Fatalf("the case's conflict was resolved by those who may not see it: %+v %v", cs, err)
	}

	// A rights officer reads the list (and its filters), the export, the
	// person's page with the case's conflict, the conflict itself.
	ro := h.LoggedIn("维权专员", access.RoleRightsOfficer)
	for _, p := range []string{"/services/rights", "/services/rights?case_status=open&rights_kind=欠薪"} {
		code, _, body := hubtest.Page(t, ro, h.URL()+p)
		if code != http.StatusOK || !strings.Contains(body, hubRightsAmount) || !strings.Contains(body, "娜仁") {
			t.Fatalf("%s as rights officer: %d\n%s", p, code, body)
		}
	}
	for _, p := range []string{"/services/rights?rights_kind=工伤", "/services/rights?station=南站", "/services/rights?case_status=办结"} {
		if code, _, body := hubtest.Page(t, ro, h.URL()+p); code != http.StatusOK || strings.Contains(body, hubRightsAmount) {
			t.Fatalf("%s: %d", p, code)
		}
	}
	if code, _, body := hubtest.Page(t, ro, h.URL()+"/services/rights?case_status=bad"); code != http.StatusBadRequest ||
		!strings.Contains(body, records.FieldLabel("zh", "case_status")) {
		t.Fatalf("bad status: %d", code)
	}
	if code, _, body := hubtest.Page(t, ro, h.URL()+"/services/rights.xlsx"); code != http.StatusOK || !strings.HasPrefix(body, "PK") {
		t.Fatalf("export as rights officer: %d", code)
	}
	if code, _, body := hubtest.Page(t, ro, h.URL()+"/workers/"+worker); code != http.StatusOK ||
		!strings.Contains(body, hubRightsAmount) || !strings.Contains(body, "/conflicts/"+cid) {
		t.Fatalf("person's page as rights officer: %d", code)
	}
	if code, _, body := hubtest.Page(t, ro, h.URL()+"/conflicts/"+cid); code != http.StatusOK || !strings.Contains(body, hubRightsEmployerB) {
		t.Fatalf("conflict page as rights officer: %d", code)
	}
	tok := h.AdminToken("owner-api", access.RoleOwner)
	if resp, b := h.Get("/api/history/"+records.RightsCases+"/"+caseID, tok); resp.StatusCode != http.StatusOK ||
		!strings.Contains(string(b), hubRightsAmount) {
		t.Fatalf("case history as owner: %d %s", resp.StatusCode, b)
	}
	if st, m := h.CallJSON("POST", "/api/conflicts/"+cid+"/resolve", tok, map[string]any{"choose": "东站"}); st != http.StatusOK {
		t.Fatalf("resolve as owner: %d %v", st, m)
	}
}
