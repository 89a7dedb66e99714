package report

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"fieldsync/records"
	"fieldsync/replica"
)

// writeHub writes the data set into a replica opened as the hub opens its
// own: with records.HubIndexes.
func (c *county) writeHub(t testing.TB) *replica.Replica {
	t.Helper()
	r := openHubReplica(t, filepath.Join(t.TempDir(), "hub.db"))
	edits := c.edits()
	for len(edits) > 0 {
		k := min(len(edits), 500)
		if _, err := r.Write(context.Background(), edits[:k]...); err != nil {
			t.Fatal(err)
		}
		edits = edits[k:]
	}
	return r
}

// liveOptions are testOptions counting from l.
func liveOptions(l *Live) Options {
	o := testOptions()
	o.Live = l
	return o
}

// sameFigures fails unless Live's figures are exactly the queries'.
func sameFigures(t *testing.T, r *replica.Replica, l *Live, month string) *Figures {
	t.Helper()
	ctx := context.Background()
	want, err := Dashboard(ctx, r.DB(), month, nil, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	got, err := Dashboard(ctx, r.DB(), month, nil, liveOptions(l))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: live figures differ from the queries'\nlive:    %+v\nqueries: %+v", month, got, want)
	}
	return got
}

func TestLiveAgreesWithQueries(t *testing.T) {
	c := genCounty(t, 400, 11)
	r := c.writeHub(t)
	l := NewLive(r)
	if l.Ready() {
		t.Fatal("ready before a load")
	}
	if err := l.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !l.Ready() {
		t.Fatal("not ready after Sync")
	}
	for _, m := range []string{testMonth, prevMonth, "2027-05", "2020-01"} {
		got := sameFigures(t, r, l, m)
		if m == testMonth || m == prevMonth {
			checkFigures(t, got, c.expect(m))
		}
	}
	// Other thresholds and bands are counted from the same facts.
	o := liveOptions(l)
	o.Older, o.IncomeBands = records.OlderThresholds{Male: 55}, []float64{2000}
	got, err := Dashboard(context.Background(), r.DB(), testMonth, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	o.Live = nil
	want, err := Dashboard(context.Background(), r.DB(), testMonth, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("other options: live %+v, queries %+v", got, want)
	}
}

func TestLiveFollowsChanges(t *testing.T) {
	c := genCounty(t, 150, 12)
	r := c.writeHub(t)
	ctx := context.Background()
	l := NewLive(r)
	if err := l.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	before := sameFigures(t, r, l, testMonth)

	// Another station's changes arrive by sync: a status, a deleted worker,
	// a follow-up, a placement that fills a gig, a deleted gig.
	other := openReplica(t, filepath.Join(t.TempDir(), "station.db"))
	var target *mWorker
	for _, w := range c.live() {
		if c.status(w, testMonth) == nil {
			target = w
			break
		}
	}
	if target == nil {
		t.Fatal("no worker without a status")
	}
	victim := c.live()[3]
	var gig, gone *mGig
	for _, g := range c.gigs {
		if !g.deleted && g.headcount > 0 && gig == nil {
			gig = g
		} else if !g.deleted && gone == nil {
			gone = g
		}
	}
	if gig == nil || gone == nil {
		t.Fatal("no gigs to change")
	}
	st := records.MonthStatus{WorkerID: target.id.String(), Month: testMonth, ListType: records.ListUnemployed,
		VerifiedByMethod: "入户", VerifiedBy: "赵六", VerifiedAt: "2026-11-28"}
	edits := []replica.Edit{
		{Table: records.MonthlyStatus, Row: newID(t, fixedNow), Set: st.Columns()},
		{Table: records.Workers, Row: victim.id, Delete: true},
		{Table: records.Followups, Row: newID(t, fixedNow), Set: (&records.Followup{WorkerID: target.id.String(),
			Date: "2026-11-15", Method: records.FollowupMethods[0], ServiceType: "政策宣传", Staff: "李四"}).Columns()},
		{Table: records.Gigs, Row: gone.id, Delete: true},
	}
	for range gig.headcount {
		p := records.Placement{GigID: gig.id.String(), WorkerID: target.id.String(), Status: records.PlacementPlaced,
			PlacedOn: "2026-11-20"}
		edits = append(edits, replica.Edit{Table: records.Placements, Row: newID(t, fixedNow), Set: p.Columns()})
	}
	changes, err := other.Write(ctx, edits...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Apply(ctx, changes, "", 0); err != nil {
		t.Fatal(err)
	}
	after := sameFigures(t, r, l, testMonth)
	if after.Workers != before.Workers-1 || after.Gigs.Gigs != before.Gigs.Gigs-1 ||
		after.Ledger.Followups == before.Ledger.Followups &&
			(slices.Contains(target.tags, GroupPoverty) || slices.Contains(target.tags, GroupMonitored)) {
		t.Errorf("changes not counted: before %+v, after %+v", before, after)
	}
	if l.Seq() == 0 {
		t.Error("live facts have no sequence")
	}
}

func TestOpenConflicts(t *testing.T) {
	c := genCounty(t, 40, 13)
	r := c.write(t)
	ctx := context.Background()
	stations := []StationHealth{{Name: "甲", OpenConflicts: 9}, {Name: "乙"}}
	f, err := Dashboard(ctx, r.DB(), testMonth, stations, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if f.Stations.ConflictsKnown || f.Stations.OpenConflicts != 9 {
		t.Errorf("without OpenConflicts: %+v", f.Stations)
	}
	o := testOptions()
	o.OpenConflicts = func(context.Context) (map[string]int, error) { return map[string]int{"乙": 2, "丙": 5}, nil }
	for _, get := range []func() (*Figures, error){
		func() (*Figures, error) { return Dashboard(ctx, r.DB(), testMonth, stations, o) },
		func() (*Figures, error) { return NewCache(1).Dashboard(ctx, r.DB(), 1, testMonth, stations, o) },
	} {
		f, err := get()
		if err != nil {
			t.Fatal(err)
		}
		by := map[string]int{}
		for _, s := range f.Stations.Stations {
			by[s.Name] = s.OpenConflicts
		}
		if !f.Stations.ConflictsKnown || f.Stations.OpenConflicts != 2 || by["甲"] != 0 || by["乙"] != 2 {
			t.Errorf("with OpenConflicts: %+v", f.Stations)
		}
	}
	if stations[0].OpenConflicts != 9 {
		t.Error("the caller's stations were modified")
	}
}
