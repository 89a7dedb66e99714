package report

import (
	"context"
	"testing"
	"time"

	"fieldsync/records"
	"fieldsync/replica"
)

// Live follows registrations, phones and verification as they arrive: its
// month figures stay the queries', and they move.
func TestLiveFollowsTheMonthFacts(t *testing.T) {
	c := genCounty(t, 150, 13)
	r := c.writeHub(t)
	ctx := context.Background()
	l := NewLive(r)
	if err := l.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	before := sameFigures(t, r, l, testMonth)
	var w *mWorker
	for _, x := range c.live() {
		if !x.noPhone {
			w = x
			break
		}
	}
	var voided *mRegistration
	for _, g := range c.regs {
		if !g.jobseeker && !g.voided && !g.deleted && g.on >= "2026-11-01" {
			voided = g
			break
		}
	}
	if w == nil || voided == nil {
		t.Fatal("the county lacks a worker with a phone or a registration of the month")
	}
	u := records.UnemploymentRegistration{WorkerID: w.id.String(), PlaceType: records.PlaceTypes[1], RegisteredOn: "2026-11-20", Reason: "失去工作"}
	j := records.JobseekerRegistration{WorkerID: w.id.String(), IntendedWork: "保洁", WorkType: records.WorkTypes[2], RegisteredOn: "2026-11-21"}
	edits := []replica.Edit{
		{Table: records.Unemployment, Row: newID(t, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)), Set: u.Columns()},
		{Table: records.Jobseeker, Row: newID(t, time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)), Set: j.Columns()},
		{Table: records.Unemployment, Row: voided.id, Set: []replica.ColumnValue{{Column: "void_reason", Value: "录入错误"}}},
		{Table: records.Workers, Row: w.id, Set: []replica.ColumnValue{{Column: "phone", Value: nil}}},
	}
	if _, err := r.Write(ctx, edits...); err != nil {
		t.Fatal(err)
	}
	after := sameFigures(t, r, l, testMonth)
	if after.Quality.NoPhone != before.Quality.NoPhone+1 {
		t.Errorf("no phone: %d after, %d before", after.Quality.NoPhone, before.Quality.NoPhone)
	}
	if after.Registrations == before.Registrations {
		t.Errorf("registrations did not move: %+v", after.Registrations)
	}
}
