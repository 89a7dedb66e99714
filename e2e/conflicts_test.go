package e2e

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
)

// Two stations offline register the same id number with different phones
// (the second registration is a join), and the station that posted a gig
// changes its headcount offline while the county changes it at the hub;
// when the stations come back both conflicts are queued with both values
// and who wrote them (station or county); an administrator resolves one
// by choosing and one by typing a value (a bad value is refused, naming the
// field); both stations hold the resolved values after sync; causally
// ordered edits raise no conflict.
func TestConflictEndToEnd(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	ea, eb := h.Enroll("站A"), h.Enroll("站B")
	a := hubtest.NewStation(t, ea, syncclient.Config{})
	b := hubtest.NewStation(t, eb, syncclient.Config{})
	gig, _ := ident.NewTimeOrdered(time.Now())
	a.Write(hubtest.WithStation(hubtest.FullGig(gig, 4), "站A")) // A posts the gig
	a.Start()
	b.Start()
	hubtest.WaitFor(t, 20*time.Second, "the gig to reach B", func() bool { return hubtest.RowCount(t, b.Rep, records.Gigs) == 1 })
	a.Stop()
	b.Stop()
	h.Stop() // the hub is down, the stations offline

	shared := hubtest.IDNumber(7)
	wid := ea.Key.Derive(records.Workers, shared)
	// As a station does: its name on a registration, and on every edit the
	// staff member's name (entered_by) in the same change.
	withStation := func(e replica.Edit, st, user string) replica.Edit {
		e.Set = append(e.Set, replica.ColumnValue{Column: "station", Value: st},
			replica.ColumnValue{Column: records.EnteredBy, Value: user})
		return e
	}
	a.Write(withStation(hubtest.WorkerEdit(ea.Key, shared, "巴特尔", "13900000001"), "站A", "阿拉坦"))
	b.Write(withStation(hubtest.WorkerEdit(eb.Key, shared, "巴特尔", "13900000002"), "站B", "巴雅尔"))
	a.Write(hubtest.EnteredBy(replica.Edit{Table: records.Gigs, Row: gig, Set: []replica.ColumnValue{{Column: "headcount", Value: 5}}}, "阿拉坦"))

	h.Open()
	h.Serve(h.Addr)
	// A gig is edited only by the station that posted it or the county: the
	// county changes the headcount while A is still offline.
	if _, err := h.Hub.Write(context.Background(), replica.Edit{Table: records.Gigs, Row: gig,
		Set: []replica.ColumnValue{{Column: "headcount", Value: 8}}}); err != nil {
		t.Fatal(err)
	}
	a.Start()
	b.Start()
	hubtest.WaitFor(t, 20*time.Second, "both stations to converge", func() bool {
		return hubtest.Converged(t, h.Hub, a) && hubtest.Converged(t, h.Hub, b)
	})
	viewer := h.AdminToken("viewer1", access.RoleViewer)
	resolver := h.AdminToken("resolver1", access.RoleResolver)

	fields := h.OpenConflicts(viewer, hub.KindField)
	if len(fields) != 2 {
		t.Fatalf("open field conflicts: %v", fields)
	}
	byCol := map[string]map[string]any{}
	for _, c := range fields {
		byCol[c["column"].(string)] = c
	}
	phone, head := byCol["phone"], byCol["headcount"]
	if phone == nil || head == nil {
		t.Fatalf("want conflicts on phone and headcount: %v", fields)
	}
	if phone["worker_name"] != "巴特尔" || phone["id_number"] != records.MaskIDNumber(shared) {
		t.Errorf("the phone conflict does not name its person: %v", phone)
	}
	vals, by := map[string]any{}, map[string]any{}
	for _, v := range phone["values"].([]any) {
		m := v.(map[string]any)
		vals[m["station"].(string)] = m["value"]
		by[m["station"].(string)] = m["by"]
		if m["at"] == nil || m["version"] == nil {
			t.Errorf("value without its time: %v", m)
		}
	}
	// The list masks phones (DESIGN "Personal data"); the conflict's own
	// page has them whole.
	if vals["站A"] != records.MaskPhone("13900000001") || vals["站B"] != records.MaskPhone("13900000002") {
		t.Fatalf("phone values in the list: %v", vals)
	}
	if by["站A"] != "阿拉坦" || by["站B"] != "巴雅尔" {
		t.Errorf("who entered the phones: %v", by)
	}
	if len(head["values"].([]any)) != 2 {
		t.Fatalf("headcount values: %v", head["values"])
	}
	// A's value names its staff member; the county's, written at the hub
	// by no administrator's action, names none.
	headBy := map[string]any{}
	for _, v := range head["values"].([]any) {
		m := v.(map[string]any)
		headBy[m["station"].(string)] = m["by"]
	}
	if len(headBy) != 2 || headBy["站A"] != "阿拉坦" || headBy[hub.AdminSite] != nil {
		t.Errorf("who entered the headcounts: %v", headBy)
	}

	// Permissions: no token → 401; a viewer may read but not resolve.
	phoneID := int64(phone["id"].(float64))
	headID := int64(head["id"].(float64))
	if st, _ := h.CallJSON("POST", fmt.Sprintf("/api/conflicts/%d/resolve", phoneID), "", map[string]any{"choose": "站B"}); st != http.StatusUnauthorized {
		t.Errorf("resolve without a token: %d", st)
	}
	if st, body := h.CallJSON("POST", fmt.Sprintf("/api/conflicts/%d/resolve", phoneID), viewer, map[string]any{"choose": "站B"}); st != http.StatusForbidden || body["error"] == nil {
		t.Errorf("viewer resolves: %d %v", st, body)
	}
	if st, _ := h.Call("GET", fmt.Sprintf("/api/conflicts/%d", phoneID), ""); st != http.StatusUnauthorized {
		t.Errorf("read without a token: %d", st)
	}
	// A detail with the column's history.
	st, detail := h.Call("GET", fmt.Sprintf("/api/conflicts/%d", phoneID), viewer)
	if st != http.StatusOK || len(detail["history"].([]any)) < 2 {
		t.Fatalf("conflict detail: %d %v", st, detail)
	}
	for _, v := range detail["values"].([]any) {
		m := v.(map[string]any)
		if want := map[string]string{"站A": "阿拉坦", "站B": "巴雅尔"}[m["station"].(string)]; m["by"] != want {
			t.Errorf("detail: %v entered by %v, want %s", m["value"], m["by"], want)
		}
	}
	for _, e := range detail["history"].([]any) {
		m := e.(map[string]any)
		if want := map[string]string{"站A": "阿拉坦", "站B": "巴雅尔"}[m["station"].(string)]; m["by"] != want {
			t.Errorf("detail history: %s entered by %v, want %s", m["station"], m["by"], want)
		}
	}

	// The dashboard counts the open conflicts of each station: the phone
	// holds values of both, the headcount of A and the county.
	st, dash := h.Call("GET", "/api/dashboard", viewer)
	if st != http.StatusOK {
		t.Fatalf("GET /api/dashboard: %d %v", st, dash)
	}
	sf := dash["stations"].(map[string]any)
	perStation := map[string]float64{}
	for _, r := range sf["stations"].([]any) {
		r := r.(map[string]any)
		perStation[r["name"].(string)] = r["open_conflicts"].(float64)
	}
	if sf["conflicts_known"] != true || perStation["站A"] != 2 || perStation["站B"] != 1 {
		t.Errorf("dashboard open conflicts per station: known %v, %v", sf["conflicts_known"], perStation)
	}

	// A bad typed value is refused, naming the field, in Chinese and English.
	st, body := h.CallJSON("POST", fmt.Sprintf("/api/conflicts/%d/resolve", headID), resolver, map[string]any{"value": -3})
	if st != http.StatusBadRequest || body["field"] != "headcount" || body["error"] != "招聘人数应大于0" {
		t.Errorf("bad headcount: %d %v", st, body)
	}
	st, body = h.CallJSON("POST", fmt.Sprintf("/api/conflicts/%d/resolve?lang=en", headID), resolver, map[string]any{"value": "many"})
	if st != http.StatusBadRequest || body["field"] != "headcount" || body["error"] != "headcount must be a whole number" {
		t.Errorf("non-numeric headcount: %d %v", st, body)
	}
	st, body = h.CallJSON("POST", fmt.Sprintf("/api/conflicts/%d/resolve", phoneID), resolver, map[string]any{"choose": "站C"})
	if st != http.StatusBadRequest || body["field"] != "choose" {
		t.Errorf("choose an unknown station: %d %v", st, body)
	}

	// Resolve: choose B's phone; type a headcount.
	st, body = h.CallJSON("POST", fmt.Sprintf("/api/conflicts/%d/resolve", phoneID), resolver, map[string]any{"choose": "站B"})
	if st != http.StatusOK || body["status"] != "resolved" || body["resolved_by"] != "resolver1" {
		t.Fatalf("resolve phone: %d %v", st, body)
	}
	st, body = h.CallJSON("POST", fmt.Sprintf("/api/conflicts/%d/resolve", headID), resolver, map[string]any{"value": 6})
	if st != http.StatusOK || body["status"] != "resolved" {
		t.Fatalf("resolve headcount: %d %v", st, body)
	}
	if st, body := h.CallJSON("POST", fmt.Sprintf("/api/conflicts/%d/resolve", headID), resolver, map[string]any{"value": 7}); st != http.StatusConflict {
		t.Errorf("resolve twice: %d %v", st, body)
	}
	hubtest.WaitFor(t, 10*time.Second, "both stations to hold the resolved values", func() bool {
		for _, s := range []*hubtest.Station{a, b} {
			if !hubtest.SettledAt(t, s.Rep, records.Workers, wid, "phone", "13900000002") ||
				!hubtest.SettledAt(t, s.Rep, records.Gigs, gig, "headcount", 6) {
				return false
			}
		}
		return true
	})
	if n := len(h.OpenConflicts(viewer, "")); n != 0 {
		t.Fatalf("%d conflicts still open", n)
	}
	// The audit log has both resolutions.
	owner := h.AdminToken("owner1", access.RoleOwner)
	_, audit := h.Call("GET", "/api/audit", owner)
	n := 0
	for _, e := range audit["entries"].([]any) {
		if e.(map[string]any)["action"] == hub.AuditResolve {
			n++
		}
	}
	if n != 2 {
		t.Errorf("audit log holds %d resolutions, want 2", n)
	}
	// The worker's history names the stations and the administrator.
	st, hist := h.Call("GET", "/api/workers/"+wid.String()+"/history", viewer)
	if st != http.StatusOK {
		t.Fatalf("history: %d %v", st, hist)
	}
	who := map[string]bool{}
	for _, e := range hist["entries"].([]any) {
		m := e.(map[string]any)
		who[fmt.Sprint(m["station"], "/", m["by"])] = true
		for _, f := range m["fields"].([]any) {
			if c := f.(map[string]any)["column"]; c == records.EnteredBy {
				t.Errorf("entered_by shown as a field of the history: %v", m)
			}
		}
	}
	if !who["站A/阿拉坦"] || !who["站B/巴雅尔"] || !who[hub.AdminSite+"/resolver1"] {
		t.Errorf("history authors: %v", who)
	}

	// Causally ordered: A edits and syncs, then B edits the same field.
	a.Write(replica.Edit{Table: records.Workers, Row: wid, Set: []replica.ColumnValue{{Column: "notes", Value: "A 核实"}}})
	hubtest.WaitFor(t, 10*time.Second, "A's note to reach B", func() bool {
		return hubtest.StationValue(t, b.Rep, records.Workers, wid, "notes") == "A 核实"
	})
	b.Write(replica.Edit{Table: records.Workers, Row: wid, Set: []replica.ColumnValue{{Column: "notes", Value: "B 复核"}}})
	hubtest.WaitFor(t, 10*time.Second, "B's note to reach A", func() bool {
		return hubtest.StationValue(t, a.Rep, records.Workers, wid, "notes") == "B 复核"
	})
	if n := len(h.OpenConflicts(viewer, "")); n != 0 {
		t.Fatalf("causally ordered edits raised %d conflicts", n)
	}
}
