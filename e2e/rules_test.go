package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/syncclient"
)

// The merge rules, end to end: two stations, offline, each do something
// allowed on its own; together it breaks a rule. The hub queues each rule
// conflict after applying, and the fixing action resolves it and reaches the
// stations.
func TestRuleConflicts(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	ea, eb := h.Enroll("站A"), h.Enroll("站B")
	a := hubtest.NewStation(t, ea, syncclient.Config{})
	b := hubtest.NewStation(t, eb, syncclient.Config{})
	key := ea.Key
	// Shared before going offline: a worker both registered (the person
	// joins the second station's scope), a gig of headcount 1 posted by A.
	shared := hubtest.IDNumber(11)
	wid := key.Derive(records.Workers, shared)
	gig, _ := ident.NewTimeOrdered(time.Now())
	other1, other2 := hubtest.IDNumber(12), hubtest.IDNumber(13)
	a.Write(hubtest.WorkerEdit(key, shared, "乌力吉", "13700000001"), hubtest.WithStation(hubtest.FullGig(gig, 1), "站A"), hubtest.WorkerEdit(key, other1, "其其格", ""))
	b.Write(hubtest.WorkerEdit(key, other2, "萨仁", ""), hubtest.WorkerEdit(key, shared, "乌力吉", "13700000001"))
	a.Start()
	b.Start()
	hubtest.WaitFor(t, 20*time.Second, "the gig to reach B", func() bool {
		return hubtest.RowCount(t, b.Rep, records.Gigs) == 1 && hubtest.Converged(t, h.Hub, a) && hubtest.Converged(t, h.Hub, b)
	})
	a.Stop()
	b.Stop()

	scene := hubtest.RuleEdits{T: t, Key: key, WID: wid, Gig: gig}
	reg, place, month := scene.Reg, scene.Place, scene.Month
	// The same person under two id numbers: one birth-date digit mistyped.
	idA, idB := hubtest.CheckedIDNumber("15042119850315123"), hubtest.CheckedIDNumber("15042119850316123")
	regA := reg("站A")
	a.Write(regA, place(other1, "站A"), month("公益性岗位", "本村"), hubtest.WithStation(hubtest.WorkerEdit(key, idA, "图雅", "13600000001"), "站A"))
	b.Write(reg("站B"), place(other2, "站B"), month("单位", "区外"), hubtest.WithStation(hubtest.WorkerEdit(key, idB, "图雅", "13600000002"), "站B"))
	a.Start()
	b.Start()
	hubtest.WaitFor(t, 20*time.Second, "both stations to converge", func() bool {
		return hubtest.Converged(t, h.Hub, a) && hubtest.Converged(t, h.Hub, b)
	})
	tok := h.AdminToken("resolver1", access.RoleResolver)
	one := func(kind string) map[string]any {
		t.Helper()
		cs := h.OpenConflicts(tok, kind)
		if len(cs) != 1 {
			t.Fatalf("%s: %d open conflicts: %v", kind, len(cs), cs)
		}
		if len(cs[0]["values"].([]any)) < 2 {
			t.Fatalf("%s: values %v", kind, cs[0]["values"])
		}
		return cs[0]
	}
	resolve := func(c map[string]any, body map[string]any) map[string]any {
		t.Helper()
		st, out := h.CallJSON("POST", fmt.Sprintf("/api/conflicts/%v/resolve", c["id"]), tok, body)
		if st != http.StatusOK {
			t.Fatalf("resolve %v with %v: %d %v", c["type"], body, st, out)
		}
		return out
	}

	two := one(hub.KindTwoOpen)
	if two["worker_name"] != "乌力吉" {
		t.Errorf("two open registrations: %v", two)
	}
	if st, out := h.CallJSON("POST", fmt.Sprintf("/api/conflicts/%v/resolve", two["id"]), tok,
		map[string]any{"action": "close_registration", "registration": regA.Row.String(), "on": "2026-10-01"}); st != http.StatusBadRequest || out["field"] != "deregistered_on" {
		t.Errorf("close before registration: %d %v", st, out)
	}
	if out := resolve(two, map[string]any{"action": "close_registration", "registration": regA.Row.String(), "on": "2026-11-20", "reason": "在B站登记"}); out["status"] != "resolved" {
		t.Errorf("close registration: %v", out)
	}

	over := one(hub.KindOverfilled)
	var drop string
	for _, v := range over["values"].([]any) {
		if m := v.(map[string]any); m["station"] == "站B" {
			drop = m["row"].(string)
		}
	}
	if out := resolve(over, map[string]any{"action": "remove_placement", "placement": drop}); out["status"] != "resolved" {
		t.Errorf("remove placement: %v", out)
	}

	wa := one(hub.KindWelfareAway)
	if st, out := h.CallJSON("POST", fmt.Sprintf("/api/conflicts/%v/resolve", wa["id"]), tok,
		map[string]any{"action": "set", "column": "work_scope", "value": "月球"}); st != http.StatusBadRequest || out["field"] != "work_scope" {
		t.Errorf("set a bad work scope: %d %v", st, out)
	}
	if out := resolve(wa, map[string]any{"action": "set", "column": "work_scope", "value": "本村"}); out["status"] != "resolved" {
		t.Errorf("set work scope: %v", out)
	}

	idc := one(hub.KindIdentity)
	seen := map[any]bool{}
	for _, v := range idc["values"].([]any) {
		seen[v.(map[string]any)["value"]] = true
	}
	// Masked in the list; whole on the conflict's own page.
	if !seen[records.MaskIDNumber(idA)] || !seen[records.MaskIDNumber(idB)] || seen[idA] {
		t.Errorf("identity conflict in the list: %v", idc["values"])
	}
	st, detail := h.Call("GET", fmt.Sprintf("/api/conflicts/%v", idc["id"]), tok)
	seen = map[any]bool{}
	for _, v := range detail["values"].([]any) {
		seen[v.(map[string]any)["value"]] = true
	}
	if st != http.StatusOK || !seen[idA] || !seen[idB] {
		t.Errorf("identity conflict does not show both id numbers: %d %v", st, detail["values"])
	}
	if out := resolve(idc, map[string]any{"action": "dismiss", "note": "已核实为两人"}); out["status"] != "resolved" {
		t.Errorf("dismiss: %v", out)
	}

	// The fixes reach the stations.
	hubtest.WaitFor(t, 10*time.Second, "the fixes to reach both stations", func() bool {
		return hubtest.Converged(t, h.Hub, a) && hubtest.Converged(t, h.Hub, b) &&
			hubtest.StationValue(t, a.Rep, records.Unemployment, regA.Row, "deregistered_on") == "2026-11-20"
	})
	if n := len(h.OpenConflicts(tok, "")) - len(h.OpenConflicts(tok, hub.KindField)); n != 0 {
		t.Errorf("%d rule conflicts still open", n)
	}
}
