package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/report"
)

// A station may correct and void only the records of its own people: an
// attacker with station A's enrollment voids B's person's follow-up and
// marks B's person as left; the hub refuses both, change by change, and B's
// follow-up and person stay as B recorded them.
func TestHostileVoidOfOtherStationsFollowupRefused(t *testing.T) {
	c := newTrustCounty(t)
	fid := mustParseID(t, c.b.mustCreate("/api/followups", map[string]any{"worker_id": c.wb.String(), "date": "2026-11-10",
		"method": "电话", "service_type": "岗位推荐", "content": "B站的台账", "next_due": "2026-11-20"}))
	hr := c.h.Hub.Replica()
	hubtest.WaitFor(t, 30*time.Second, "B's follow-up at the hub", func() bool {
		return hasRow(t, hr, records.Followups, fid.String())
	})
	void := replica.Edit{Table: records.Followups, Row: fid, Set: []replica.ColumnValue{
		{Column: "void_reason", Value: "A作废的"}, {Column: "voided_on", Value: "2026-11-21"}}}
	leave := replica.Edit{Table: records.Workers, Row: c.wb, Set: []replica.ColumnValue{
		{Column: "left_reason", Value: "死亡"}, {Column: "left_on", Value: "2026-11-21"}}}
	own := followupEdit(t, c.wa, "A站自己的台账", "站A")
	b := c.a.Send(c.a.Make(void, leave, own))
	seq, perr := c.a.Await()
	if perr != nil || seq != b.Last {
		t.Fatalf("the hub acknowledged %d of %d (%v): a refusal is per change", seq, b.Last, perr)
	}
	if v := hubtest.StationValue(t, hr, records.Followups, own.Row, "content"); v != "A站自己的台账" {
		t.Errorf("A's own change in the batch did not apply: %v", v)
	}
	if v := hubtest.StationValue(t, hr, records.Followups, fid, "void_reason"); v != nil {
		t.Errorf("the hub took A's void of B's follow-up: %v", v)
	}
	if v := hubtest.StationValue(t, hr, records.Workers, c.wb, "left_reason"); v != nil {
		t.Errorf("the hub took A's leaving of B's person: %v", v)
	}
	want := []refusalWant{{records.Followups, fid, "", records.KeyOutOfScope}, {records.Workers, c.wb, "", records.KeyOutOfScope}}
	checkRefused(t, "the hub", hr, "站A", want)
	checkRefused(t, "A's replica", c.a.Rep, "站A", want)
	c.victimIntact(t)
	st, out := c.b.api("GET", "/api/workers/"+c.wb.String(), nil)
	if st != http.StatusOK || out["left_reason"] != nil {
		t.Fatalf("B's person: %d left %v", st, out["left_reason"])
	}
	for _, f := range out["followups"].([]any) {
		if m := f.(map[string]any); m["void_reason"] != nil {
			t.Errorf("B's follow-up is void at B: %v", m)
		}
	}
	if st, out := c.b.api("GET", "/api/followups/due?within=90", nil); st != 200 || len(out["people"].([]any)) != 1 {
		t.Errorf("B's due list: %d %v", st, out)
	}
}

// A void made at a station reaches the hub through real sync and leaves
// the county's figures and rosters; a person marked as left leaves them
// too; restored, both count again.
func TestVoidAtStationLeavesHubReport(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	s := newAPIStation(t, h, "站B")
	const month = "2026-11"
	w1 := s.mustCreate("/api/workers", apiWorkerBody(hubtest.IDNumber(3101), "巴图"))
	w2 := s.mustCreate("/api/workers", apiWorkerBody(hubtest.IDNumber(3102), "其其格"))
	status := func(wid string) map[string]any {
		return map[string]any{"worker_id": wid, "month": month, "list_type": "就业", "work_scope": "县外区内",
			"employment_form": "单位", "monthly_income": 3000, "verified_by_method": "电话", "verified_by": "李四",
			"verified_at": month + "-10"}
	}
	sid := s.mustCreate("/api/monthly-status", status(w1))
	s.mustCreate("/api/monthly-status", status(w2))
	ctx := context.Background()
	figures := func() (workers, employed int) {
		t.Helper()
		f, err := report.Dashboard(ctx, h.Hub.Replica().DB(), month, nil, report.Options{})
		if err != nil {
			t.Fatal(err)
		}
		p, err := report.People(ctx, h.Hub.Replica().DB(), report.PeopleQuery{Month: month, List: "就业"}, report.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return f.Workers, p.Total
	}
	waitFigures := func(what string, workers, employed int) {
		t.Helper()
		hubtest.WaitFor(t, 30*time.Second, what, func() bool {
			w, e := figures()
			return inSync(t, h, s) && w == workers && e == employed
		})
	}
	waitFigures("both people employed at the hub", 2, 2)

	if st, out := s.api("POST", "/api/monthly-status/"+sid+"/void", map[string]any{"reason": "录错月份"}); st != 200 {
		t.Fatalf("void: %d %v", st, out)
	}
	waitFigures("the void status out of the hub's figures", 2, 1)
	if v := hubtest.StationValue(t, h.Hub.Replica(), records.MonthlyStatus, mustParseID(t, sid), "void_reason"); v != "录错月份" {
		t.Errorf("the hub's status: void_reason %v", v)
	}
	// The county's history of the person still shows the status, marked void.
	hist, err := h.Hub.WorkerHistoryOf(ctx, mustParseID(t, w1))
	if err != nil {
		t.Fatal(err)
	}
	marked := false
	for _, c := range hist.Children {
		marked = marked || c.Row == sid && strings.Contains(c.Label, "已作废：录错月份")
	}
	if !marked {
		t.Errorf("the hub's history does not mark the void status: %+v", hist.Children)
	}
	if st, out := s.api("POST", "/api/workers/"+w2+"/leave", map[string]any{"reason": "迁出", "date": "2026-11-12", "to": "包头市"}); st != 200 {
		t.Fatalf("leave: %d %v", st, out)
	}
	waitFigures("the person who left out of the hub's figures", 1, 0)
	// A placement that ended stops counting against its gig's headcount
	// at the hub (gig_fill), on the same row.
	gid := s.mustCreate("/api/gigs", gigBody("摘枸杞"))
	pid := s.mustCreate("/api/placements", map[string]any{"gig_id": gid, "worker_id": w1})
	fill := func() any {
		return hubtest.StationValue(t, h.Hub.Replica(), records.GigFill, mustParseID(t, gid), "placed")
	}
	hubtest.WaitFor(t, 30*time.Second, "the placement counted at the hub", func() bool { return fill() == int64(1) })
	if st, out := s.api("PATCH", "/api/placements/"+pid, map[string]any{"status": "cancelled"}); st != 200 {
		t.Fatalf("cancel placement: %d %v", st, out)
	}
	hubtest.WaitFor(t, 30*time.Second, "the cancelled placement off the hub's count", func() bool { return fill() == int64(0) })
	if n := hubtest.RowCount(t, h.Hub.Replica(), records.Placements); n != 1 {
		t.Errorf("the hub holds %d placements, want the one", n)
	}
	s.api("POST", "/api/monthly-status/"+sid+"/restore", "{}")
	s.api("POST", "/api/workers/"+w2+"/return", "{}")
	waitFigures("both back at the hub", 2, 2)
}

// Two stations holding the same person correct the same follow-up field
// differently while apart: the hub holds both values as a conflict (two
// heads), by the usual merge rules, and both stations converge on it.
func TestConcurrentCorrectionsConflict(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	b := newAPIStation(t, h, "站B")
	c := newAPIStation(t, h, "站C")
	idn := hubtest.IDNumber(3201)
	wid := b.mustCreate("/api/workers", apiWorkerBody(idn, "巴雅尔"))
	fid := b.mustCreate("/api/followups", map[string]any{"worker_id": wid, "date": "2026-11-10",
		"method": "电话", "service_type": "岗位推荐", "content": "原来的内容"})
	hr := h.Hub.Replica()
	hubtest.WaitFor(t, 30*time.Second, "B's follow-up at the hub", func() bool { return hasRow(t, hr, records.Followups, fid) })
	// C registers the same person (a join): their records follow.
	if got := c.mustCreate("/api/workers", apiWorkerBody(idn, "巴雅尔")); got != wid {
		t.Fatalf("C's registration is %s, want B's %s", got, wid)
	}
	hubtest.WaitFor(t, 30*time.Second, "B's follow-up at C", func() bool {
		return hasRow(t, c.rep, records.Followups, fid) && inSync(t, h, c) && inSync(t, h, b)
	})
	b.stopSync()
	c.stopSync()
	for _, x := range []struct {
		s       *apiStation
		content string
	}{{b, "B更正的内容"}, {c, "C更正的内容"}} {
		if st, out := x.s.api("PATCH", "/api/followups/"+fid, map[string]any{"content": x.content}); st != 200 {
			t.Fatalf("%s correct: %d %v", x.s.name, st, out)
		}
	}
	b.startSync()
	c.startSync()
	col := func(r *replica.Replica) []any {
		heads, err := r.Heads(context.Background(), records.Followups, mustParseID(t, fid))
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range heads {
			if ch.Column == "content" {
				var vals []any
				for _, hd := range ch.Heads {
					vals = append(vals, hd.Value)
				}
				return vals
			}
		}
		return nil
	}
	hubtest.WaitFor(t, 30*time.Second, "both corrections at the hub as a conflict, both stations in sync", func() bool {
		return len(col(hr)) == 2 && inSync(t, h, b) && inSync(t, h, c)
	})
	for _, r := range []*replica.Replica{b.rep, c.rep} {
		if got := col(r); len(got) != 2 {
			t.Errorf("a station holds %v, want both values", got)
		}
	}
	// Either station's void is an ordinary change of its own column: no conflict.
	if st, out := b.api("POST", "/api/followups/"+fid+"/void", map[string]any{"reason": "重复录入"}); st != 200 {
		t.Fatalf("void: %d %v", st, out)
	}
	hubtest.WaitFor(t, 30*time.Second, "the void at C", func() bool {
		return hubtest.StationValue(t, c.rep, records.Followups, mustParseID(t, fid), "void_reason") == "重复录入"
	})
}
