package report

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"fieldsync/records"
	"fieldsync/replica"
)

// TestDrillFiguresMatchTheirPeople holds every drill-down figure to its
// list: the people its query finds are as many as the figure says.
func TestDrillFiguresMatchTheirPeople(t *testing.T) {
	c := genCounty(t, 300, 3)
	r := c.write(t)
	ctx := context.Background()
	f := dashboard(t, r, testMonth)
	for _, d := range DrillFigures {
		q, err := FigureQuery(d.Name, testMonth, "")
		if err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
		p, err := People(ctx, r.DB(), q, testOptions())
		if err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
		if p.Total != d.Value(f) {
			t.Errorf("%s (%s): %d people, the figure says %d", d.Name, d.Title, p.Total, d.Value(f))
		}
		if d.Value(f) == 0 && d.Name != FigNoStatus {
			t.Errorf("%s: the test county has none, so the test proves nothing for it", d.Name)
		}
	}
	if _, err := FigureQuery("salaries", testMonth, ""); !errors.Is(err, ErrBadQuery) {
		t.Errorf("unknown figure: %v, want ErrBadQuery", err)
	}
}

// TestDrillFiguresByArea holds the figures' values by township and village
// to their lists too.
func TestDrillFiguresByArea(t *testing.T) {
	c := genCounty(t, 300, 3)
	r := c.write(t)
	ctx := context.Background()
	f := dashboard(t, r, testMonth)
	areas := []string{testVillages[0], testVillages[0][:9], testVillages[2][:9]}
	byArea := 0
	for _, d := range DrillFigures {
		for _, area := range areas {
			want, ok := d.AreaValue(f, area)
			if !ok {
				continue
			}
			byArea++
			q, err := FigureQuery(d.Name, testMonth, area)
			if err != nil {
				t.Fatal(err)
			}
			p, err := People(ctx, r.DB(), q, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			if p.Total != want {
				t.Errorf("%s in %s: %d people, the figure says %d", d.Name, area, p.Total, want)
			}
		}
	}
	if byArea == 0 {
		t.Fatal("no figure has a value by area")
	}
}

// The summary sheet (汇总) has a row for each of the month's new figures,
// with the dashboard's value.
func TestSummaryHasTheMonthFigures(t *testing.T) {
	c := genCounty(t, 200, 5)
	r := c.write(t)
	f := dashboard(t, r, testMonth)
	tables, err := ReadTables(context.Background(), r.DB(), testMonth, []string{SheetSummary}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, row := range tables[0].Rows {
		got[row[1]] = row[2]
	}
	for _, name := range []string{FigToUnemployed, FigToEmployed, FigNewWillingAway, FigReturned, FigUnemploymentNew,
		FigUnemploymentClosed, FigUnemploymentOpen, FigJobseekerNew, FigAway, FigOutsideRegion, FigInCounty, FigNoPhone,
		FigUnverified, FigNoStatus} {
		d, _ := DrillFigureNamed(name)
		if want := fmt.Sprint(d.Value(f)); got[d.Title] != want {
			t.Errorf("summary %s: %q, want %s", d.Title, got[d.Title], want)
		}
	}
}

// People from Live's facts (the hub's way) gives exactly the pages of the
// queries, for every drill-down figure, by area, and a page further on.
func TestLivePeopleAgrees(t *testing.T) {
	c := genCounty(t, 300, 3)
	r := c.writeHub(t)
	ctx := context.Background()
	l := NewLive(r)
	if err := l.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	var queries []PeopleQuery
	for _, d := range DrillFigures {
		for _, area := range []string{"", testVillages[0][:9], testVillages[2]} {
			q, err := FigureQuery(d.Name, testMonth, area)
			if err != nil {
				t.Fatal(err)
			}
			queries = append(queries, q)
		}
	}
	queries = append(queries, PeopleQuery{Month: prevMonth, List: NoStatus, Older: true},
		PeopleQuery{Month: testMonth, Group: GroupEither, Gap: GapSixMonths, List: "unemployed"},
		PeopleQuery{Month: testMonth, Flow: FlowReturned, Registration: RegUnemploymentOpen},
		PeopleQuery{Month: "2020-01", Quality: QualityNoPhone})
	checked := 0
	for _, q := range queries {
		for _, page := range []struct{ limit, offset int }{{0, 0}, {25, 7}} {
			q.Limit, q.Offset = page.limit, page.offset
			want, err := People(ctx, r.DB(), q, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			got, err := People(ctx, r.DB(), q, liveOptions(l))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%+v: live page differs\nlive:    %d %+v\nqueries: %d %+v", q, got.Total, got.People, want.Total, want.People)
			}
			checked += len(want.People)
		}
	}
	if checked == 0 {
		t.Fatal("no person compared")
	}
	// A renamed worker moves in the order: Live's order follows.
	w := c.live()[len(c.live())-2]
	if _, err := r.Write(ctx, replica.Edit{Table: records.Workers, Row: w.id, Set: []replica.ColumnValue{{Column: "name", Value: "Aa"}}}); err != nil {
		t.Fatal(err)
	}
	q := PeopleQuery{Month: testMonth, Area: w.village, Limit: 3}
	want, err := People(ctx, r.DB(), q, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	got, err := People(ctx, r.DB(), q, liveOptions(l))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) || want.People[0].ID != w.id.String() {
		t.Errorf("after a rename: live %+v, queries %+v (want %s first)", got.People, want.People, w.id)
	}
	if _, err := People(ctx, r.DB(), PeopleQuery{Month: testMonth, Flow: "sideways"}, liveOptions(l)); !errors.Is(err, ErrBadQuery) {
		t.Errorf("bad flow from Live: %v, want ErrBadQuery", err)
	}
}
