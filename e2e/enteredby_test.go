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

// Who entered each value of a conflict and each change of a history, when it
// is not simply the entered_by head with the value's version: the station's
// entered_by was since overwritten by another user's edit of the record, and
// an edit by the user already named wrote no entered_by at all (the replica
// writes no unchanged column). entered_by itself is never queued.
func TestConflictEnteredByFromHistory(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	ea, eb := h.Enroll("站A"), h.Enroll("站B")
	a := hubtest.NewStation(t, ea, syncclient.Config{})
	b := hubtest.NewStation(t, eb, syncclient.Config{})
	shared := hubtest.IDNumber(9)
	wid := ea.Key.Derive(records.Workers, shared)
	reg := hubtest.WorkerEdit(ea.Key, shared, "乌力吉", "13900000001")
	reg.Set = append(reg.Set, replica.ColumnValue{Column: "station", Value: "站A"})
	a.Write(hubtest.EnteredBy(reg, "阿拉坦"))
	a.Start()
	b.Start()
	hubtest.WaitFor(t, 20*time.Second, "A to upload the worker", func() bool { return hubtest.Converged(t, h.Hub, a) })
	// The county assigns the worker to B too (B may edit only the people
	// in its scope).
	if err := h.Hub.AddToScope(context.Background(), "站B", []ident.ID{wid}); err != nil {
		t.Fatal(err)
	}
	hubtest.WaitFor(t, 20*time.Second, "the worker to reach B", func() bool {
		return hubtest.RowCount(t, b.Rep, records.Workers) == 1 &&
			hubtest.Converged(t, h.Hub, a) && hubtest.Converged(t, h.Hub, b)
	})
	a.Stop()
	b.Stop()
	h.Stop()

	// Offline: 阿拉坦 changes the phone at A (entered_by is already his
	// name there, so the change does not carry it), then 其木格 edits the
	// notes at A; 巴雅尔 changes the phone at B.
	phone := func(v string) replica.Edit {
		return replica.Edit{Table: records.Workers, Row: wid, Set: []replica.ColumnValue{{Column: "phone", Value: v}}}
	}
	a.Write(hubtest.EnteredBy(phone("13900000003"), "阿拉坦"))
	last := lastOwnChange(t, a.Rep, wid)
	if w := writtenColumns(t, a.Rep, last); w[records.EnteredBy] || !w["phone"] {
		t.Fatalf("the same user's second edit wrote %v", w)
	}
	a.Write(hubtest.EnteredBy(replica.Edit{Table: records.Workers, Row: wid,
		Set: []replica.ColumnValue{{Column: "notes", Value: "已核实"}}}, "其木格"))
	b.Write(hubtest.EnteredBy(phone("13900000002"), "巴雅尔"))

	// A's changes reach the hub first, so the conflict is recorded when B's
	// batch is applied and A's value is read from the committed log.
	h.Open()
	h.Serve(h.Addr)
	a.Start()
	hubtest.WaitFor(t, 20*time.Second, "A to converge", func() bool { return hubtest.Converged(t, h.Hub, a) })
	b.Start()
	hubtest.WaitFor(t, 20*time.Second, "both stations to converge", func() bool {
		return hubtest.Converged(t, h.Hub, a) && hubtest.Converged(t, h.Hub, b)
	})
	viewer := h.AdminToken("viewer1", access.RoleViewer)
	fields := h.OpenConflicts(viewer, hub.KindField)
	if len(fields) != 1 || fields[0]["column"] != "phone" {
		t.Fatalf("want one conflict, on the phone (none on entered_by): %v", fields)
	}
	id := int64(fields[0]["id"].(float64))
	st, detail := h.Call("GET", fmt.Sprintf("/api/conflicts/%d", id), viewer)
	if st != http.StatusOK {
		t.Fatalf("conflict detail: %d %v", st, detail)
	}
	got := map[string]string{}
	for _, v := range detail["values"].([]any) {
		m := v.(map[string]any)
		got[fmt.Sprint(m["value"])] = fmt.Sprint(m["station"], "/", m["by"])
	}
	if got["13900000003"] != "站A/阿拉坦" || got["13900000002"] != "站B/巴雅尔" {
		t.Errorf("who entered the phones: %v", got)
	}

	// The record's history names the author of every change.
	st, hist := h.Call("GET", "/api/history/workers/"+wid.String(), viewer)
	if st != http.StatusOK {
		t.Fatalf("history: %d %v", st, hist)
	}
	var authors []string
	for _, e := range hist["entries"].([]any) {
		m := e.(map[string]any)
		var cols []string
		for _, f := range m["fields"].([]any) {
			cols = append(cols, f.(map[string]any)["column"].(string))
		}
		authors = append(authors, fmt.Sprint(m["station"], "/", m["by"], cols))
	}
	want := map[string]bool{
		// The registration: the whole record the form writes.
		"站A/阿拉坦[id_number name phone ethnicity hukou_village education labour_ability willing_away station]": true,
		"站A/阿拉坦[phone]": true,
		"站A/其木格[notes]": true,
		"站B/巴雅尔[phone]": true,
	}
	if len(authors) != len(want) {
		t.Fatalf("history entries: %v", authors)
	}
	for _, a := range authors {
		if !want[a] {
			t.Errorf("history entry %s, want one of %v", a, want)
		}
	}
}

// lastOwnChange is the newest change of a worker in a station's log.
func lastOwnChange(t testing.TB, r *replica.Replica, row ident.ID) replica.Change {
	t.Helper()
	entries, _, err := r.ReadLog(context.Background(), 0, replica.LogQuery{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	var c replica.Change
	for _, e := range entries {
		if e.Change.Table == records.Workers && e.Change.Row == row {
			c = e.Change
		}
	}
	return c
}

// writtenColumns names the columns a change wrote.
func writtenColumns(t testing.TB, r *replica.Replica, c replica.Change) map[string]bool {
	t.Helper()
	tb, _ := r.Schema().Table(c.Table)
	out := map[string]bool{}
	for _, f := range c.Fields {
		out[tb.ColumnName(f.Col)] = true
	}
	return out
}
