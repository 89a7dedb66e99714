package station

import (
	"context"
	"errors"
	"testing"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// hubWrites writes edits at hub (a replica standing for the county hub: its
// own site) and applies them to f, as the hub sends its own changes.
func (f *fixture) hubWrites(hub *fixture, edits ...replica.Edit) {
	f.t.Helper()
	ctx := context.Background()
	changes, err := hub.r.Update(ctx, func(tx *replica.Tx) error {
		for _, e := range edits {
			if _, err := tx.Edit(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.r.Apply(ctx, changes, "", 0); err != nil {
		f.t.Fatal(err)
	}
}

func newRowID(t testing.TB) ident.ID {
	t.Helper()
	id, err := ident.NewTimeOrdered(testNow)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// refusalEdit is the row the hub writes for a refused column.
func refusalEdit(t testing.TB, table string, row ident.ID, column, value, key, reason, state, at string) replica.Edit {
	return replica.Edit{Table: records.Refusals, Row: newRowID(t), Set: []replica.ColumnValue{
		{Column: "station", Value: "红旗嘎查"}, {Column: "table_name", Value: table}, {Column: "row_id", Value: row.String()},
		{Column: "column_name", Value: column}, {Column: "value", Value: value}, {Column: "reason_key", Value: key},
		{Column: "reason", Value: reason}, {Column: "state", Value: state}, {Column: "refused_at", Value: at},
		{Column: "version", Value: "v1"},
	}}
}

func fillEdit(gig ident.ID, placed int64) replica.Edit {
	return replica.Edit{Table: records.GigFill, Row: gig, Set: []replica.ColumnValue{{Column: "placed", Value: placed}}}
}

func testWorker(idn string) records.Worker {
	return records.Worker{IDNumber: idn, Name: "巴图", Phone: "13800138000", Ethnicity: "蒙古族",
		HukouVillage: "150421100201", Education: "初中", LabourAbility: "普通劳动力", Tags: []string{"农民工"},
		Skills: []string{"采摘"}, WillingAway: true}
}

func testGig(headcount int64) records.Gig {
	return records.Gig{Title: "摘枸杞", Occupation: "采摘", Headcount: headcount, Wage: 150, WageUnit: "元/天",
		Settlement: "日结", Place: "150421100", StartDate: "2026-11-20", EndDate: "2026-11-30", AgeMin: 18, AgeMax: 55,
		Employer: "绿源农业公司", Contact: "13800138000", Skills: []string{"采摘"}, Status: records.GigOpen}
}

// TestRefusalsNewestFirst: the refusals the hub sent are listed newest first
// by their time (not their text: zones and fractions differ), say which
// records the station holds, and the open ones are counted.
func TestRefusalsNewestFirst(t *testing.T) {
	f := newFixture(t)
	hub := f.peer("县级平台")
	ctx := context.Background()
	if n, err := f.st.OpenRefusals(ctx); err != nil || n != 0 {
		t.Fatalf("no refusals yet: %d %v", n, err)
	}
	if l, err := f.st.Refusals(ctx, 0); err != nil || len(l) != 0 {
		t.Fatalf("no refusals yet: %v %v", l, err)
	}
	wid, err := f.st.CreateWorker(ctx, testWorker(idNumber("19800101", 11)))
	if err != nil {
		t.Fatal(err)
	}
	gid, err := f.st.CreateGig(ctx, testGig(2))
	if err != nil {
		t.Fatal(err)
	}
	other := newRowID(t)
	f.hubWrites(hub,
		// 08:00Z
		refusalEdit(t, records.Workers, wid, "phone", "12345", records.KeyPhone, "bad phone", records.RefusalRefused, "2026-11-15T08:00:00Z"),
		// 01:00Z, though its text sorts after the one above
		refusalEdit(t, records.Gigs, gid, "", "", "not_a_key", "等县里看", records.RefusalWaiting, "2026-11-15T09:00:00+08:00"),
		// the day before
		refusalEdit(t, records.Placements, other, "status", "placed", records.KeyGigFull, "", records.RefusalApproved, "2026-11-14T23:59:59Z"),
		// the newest, to a worker this station does not hold
		refusalEdit(t, records.Workers, other, "name", "x", records.KeyRequired, "", records.RefusalDeclined, "2026-11-15T09:10:00.5Z"),
	)
	l, err := f.st.Refusals(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		table string
		row   ident.ID
		state string
		held  bool
	}{
		{records.Workers, other, records.RefusalDeclined, false},
		{records.Workers, wid, records.RefusalRefused, true},
		{records.Gigs, gid, records.RefusalWaiting, true},
		{records.Placements, other, records.RefusalApproved, false},
	}
	if len(l) != len(want) {
		t.Fatalf("refusals: %+v", l)
	}
	for i, w := range want {
		if l[i].Table != w.table || l[i].RowID != w.row.String() || l[i].State != w.state || l[i].Held != w.held {
			t.Errorf("refusal %d: %+v, want %+v", i, l[i], w)
		}
	}
	if r := l[1]; r.Column != "phone" || r.Value != "12345" || r.ReasonKey != records.KeyPhone || r.Reason != "bad phone" ||
		r.Version != "v1" || !r.Time().Equal(time.Date(2026, 11, 15, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("refusal fields: %+v", r)
	}
	if n, err := f.st.OpenRefusals(ctx); err != nil || n != 2 {
		t.Fatalf("open refusals: %d %v", n, err)
	}
	if l, err := f.st.Refusals(ctx, 1); err != nil || len(l) != 1 || l[0].State != records.RefusalDeclined {
		t.Fatalf("limit 1: %+v %v", l, err)
	}
}

// TestGigFilledByCounty: a gig's placed count is the county's (gig_fill)
// or the station's own, whichever is more; Place refuses a gig full by
// either, and marks it filled when its placement reaches the headcount.
func TestGigFilledByCounty(t *testing.T) {
	f := newFixture(t)
	hub := f.peer("县级平台")
	ctx := context.Background()
	var workers []ident.ID
	for i := range 4 {
		id, err := f.st.CreateWorker(ctx, testWorker(idNumber("19800101", 11+2*i)))
		if err != nil {
			t.Fatal(err)
		}
		workers = append(workers, id)
	}
	place := func(gid, wid ident.ID) error {
		_, err := f.st.Place(ctx, records.Placement{GigID: gid.String(), WorkerID: wid.String()})
		return err
	}
	placed := func(gid ident.ID) (int, string) {
		g, err := f.st.Gig(ctx, gid)
		if err != nil {
			t.Fatal(err)
		}
		return g.Placed, g.Status
	}

	// Full by the county's count: other stations placed two.
	full, err := f.st.CreateGig(ctx, testGig(2))
	if err != nil {
		t.Fatal(err)
	}
	if err := place(full, workers[0]); err != nil {
		t.Fatal(err)
	}
	f.hubWrites(hub, fillEdit(full, 2))
	if n, st := placed(full); n != 2 || st != records.GigOpen {
		t.Fatalf("county's count: %d %s", n, st)
	}
	var ce *ConflictError
	if err := place(full, workers[1]); !errors.As(err, &ce) || ce.Key != records.KeyGigFull {
		t.Fatalf("placed in a gig the county filled: %v", err)
	}
	if page, err := f.st.Gigs(ctx, "", 0, 0); err != nil || len(page.Gigs) != 1 || page.Gigs[0].Placed != 2 {
		t.Fatalf("gig board: %+v %v", page, err)
	}
	if m, err := f.st.WorkerMatches(ctx, workers[1]); err != nil || len(m) != 0 {
		t.Fatalf("a full gig matched: %+v %v", m, err)
	}

	// The station's own placements not yet counted by the hub.
	own, err := f.st.CreateGig(ctx, testGig(3))
	if err != nil {
		t.Fatal(err)
	}
	f.hubWrites(hub, fillEdit(own, 1))
	if m, err := f.st.WorkerMatches(ctx, workers[1]); err != nil || len(m) != 1 || m[0].Gig.ID != own {
		t.Fatalf("the open gig did not match: %+v %v", m, err)
	}
	for _, w := range workers[:2] {
		if err := place(own, w); err != nil {
			t.Fatal(err)
		}
	}
	if n, st := placed(own); n != 2 || st != records.GigOpen {
		t.Fatalf("own count: %d %s", n, st)
	}
	if err := place(own, workers[2]); err != nil {
		t.Fatal(err)
	}
	if n, st := placed(own); n != 3 || st != records.GigFilled {
		t.Fatalf("own count filling: %d %s", n, st)
	}

	// The county's count makes the station's placement the last one.
	last, err := f.st.CreateGig(ctx, testGig(3))
	if err != nil {
		t.Fatal(err)
	}
	f.hubWrites(hub, fillEdit(last, 2))
	if err := place(last, workers[3]); err != nil {
		t.Fatal(err)
	}
	if n, st := placed(last); n != 2 || st != records.GigFilled {
		t.Fatalf("county's count filling: %d %s", n, st)
	}
}

// Only the station that posted a gig edits it (the county refuses another
// station's edit): a gig of another station's, received from the hub, is
// refused at once with the hub's reason, and stays as it was; the station's
// own gig is edited as before.
func TestOnlyThePosterEditsAGig(t *testing.T) {
	f := newFixture(t)
	hub := f.peer("县级平台")
	ctx := context.Background()
	other := newRowID(t)
	g := testGig(3)
	f.hubWrites(hub, replica.Edit{Table: records.Gigs, Row: other,
		Set: append(g.Columns(), replica.ColumnValue{Column: "station", Value: "别的嘎查"})})
	err := f.st.UpdateGig(ctx, other, func(gg *records.Gig) ([]string, error) {
		gg.Headcount = 9
		return []string{"headcount"}, nil
	})
	if fe, ok := records.AsFieldError(err); !ok || fe.Key != records.KeyNotPoster {
		t.Fatalf("editing another station's gig: %v, want %s", err, records.KeyNotPoster)
	}
	if v, err := f.st.Gig(ctx, other); err != nil || v.Headcount != 3 {
		t.Fatalf("the other station's gig after the refused edit: %+v, %v", v, err)
	}
	own, err := f.st.CreateGig(ctx, testGig(3))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.UpdateGig(ctx, own, func(gg *records.Gig) ([]string, error) {
		gg.Headcount = 9
		return []string{"headcount"}, nil
	}); err != nil {
		t.Fatalf("editing its own gig: %v", err)
	}
}
