package report

import (
	"context"
	"path/filepath"
	"testing"

	"fieldsync/records"
	"fieldsync/replica"
)

// A void status or follow-up and a person who left stay in the tables (the
// history) and leave every figure and roster: the queries and Live agree.
func TestVoidsAndLeavingLeaveTheFigures(t *testing.T) {
	c := genCounty(t, 150, 21)
	r := c.writeHub(t)
	ctx := context.Background()
	l := NewLive(r)
	if err := l.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	before := sameFigures(t, r, l, testMonth)
	var voided *mStatus
	var leaver *mWorker
	single := func(w *mWorker) bool {
		n := 0
		for _, s := range c.statuses {
			if s.worker == w.id.String() && s.month == testMonth && !s.deleted {
				n++
			}
		}
		return n == 1
	}
	for _, w := range c.live() {
		if s := c.status(w, testMonth); s != nil && voided == nil && single(w) {
			voided = s
		} else if leaver == nil && s == nil {
			leaver = w
		}
	}
	if voided == nil || leaver == nil {
		t.Fatal("no status to void or person to leave")
	}
	var fu *mFollowup
	for _, f := range c.followups {
		if !f.deleted && f.date >= testMonth+"-01" && f.date <= testMonth+"-31" {
			fu = f
			break
		}
	}
	if fu == nil {
		t.Fatal("no follow-up in the month")
	}
	people := func(list string) int {
		t.Helper()
		p, err := People(ctx, r.DB(), PeopleQuery{Month: testMonth, List: list}, testOptions())
		if err != nil {
			t.Fatal(err)
		}
		return p.Total
	}
	listBefore := people(voided.list)
	allBefore := people("")

	other := openReplica(t, filepath.Join(t.TempDir(), "station.db"))
	void := []replica.ColumnValue{{Column: "void_reason", Value: "录错人"}, {Column: "voided_on", Value: "2026-11-20"}}
	changes, err := other.Write(ctx,
		replica.Edit{Table: records.MonthlyStatus, Row: voided.id, Set: void},
		replica.Edit{Table: records.Followups, Row: fu.id, Set: void},
		replica.Edit{Table: records.Workers, Row: leaver.id, Set: []replica.ColumnValue{
			{Column: "left_reason", Value: "迁出"}, {Column: "left_on", Value: "2026-11-10"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Apply(ctx, changes, "", 0); err != nil {
		t.Fatal(err)
	}
	after := sameFigures(t, r, l, testMonth)
	if after.Workers != before.Workers-1 {
		t.Errorf("workers %d → %d: the person who left still counts", before.Workers, after.Workers)
	}
	if got := people(voided.list); got != listBefore-1 {
		t.Errorf("list %s: %d → %d: the void status still counts", voided.list, listBefore, got)
	}
	if got := people(""); got != allBefore-1 {
		t.Errorf("people: %d → %d", allBefore, got)
	}
	if after.Ledger.Followups > before.Ledger.Followups {
		t.Errorf("follow-ups grew: %d → %d", before.Ledger.Followups, after.Ledger.Followups)
	}
	// Restored, each counts again.
	changes, err = other.Write(ctx,
		replica.Edit{Table: records.MonthlyStatus, Row: voided.id, Set: []replica.ColumnValue{{Column: "void_reason"}, {Column: "voided_on"}}},
		replica.Edit{Table: records.Followups, Row: fu.id, Set: []replica.ColumnValue{{Column: "void_reason"}, {Column: "voided_on"}}},
		replica.Edit{Table: records.Workers, Row: leaver.id, Set: []replica.ColumnValue{{Column: "left_reason"}, {Column: "left_on"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Apply(ctx, changes, "", 0); err != nil {
		t.Fatal(err)
	}
	if again := sameFigures(t, r, l, testMonth); again.Workers != before.Workers || again.Ledger.Followups != before.Ledger.Followups {
		t.Errorf("restored: %+v, want %+v", again, before)
	}
	if got := people(voided.list); got != listBefore {
		t.Errorf("list after restore: %d, want %d", got, listBefore)
	}
}
