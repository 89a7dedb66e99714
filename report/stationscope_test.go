package report

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"fieldsync/records"
	"fieldsync/replica"
)

// stationEdits are the test county's edits with each row's station: the
// workers alternately of stations 甲 and 乙, their statuses and follow-ups
// with them, the gigs alternately, and the placements with their gig. It
// returns them all, and those of station 甲 alone.
func stationEdits(c *county) (all, own []replica.Edit) {
	of := map[string]string{} // row id or worker/gig id (hex) → station
	for i, w := range c.workers {
		of[w.id.String()] = []string{"甲", "乙"}[i%2]
	}
	for i, g := range c.gigs {
		of[g.id.String()] = []string{"甲", "乙"}[i%2]
	}
	// The county-wide welfare post and workshop (county.edits) are 甲's.
	of[testKey.Derive(records.WelfarePosts, "保洁岗").String()] = "甲"
	of[testKey.Derive(records.Workshops, "车间").String()] = "甲"
	edits := c.edits()
	for i := range edits {
		e := &edits[i]
		if len(e.Set) == 0 {
			continue
		}
		st := of[e.Row.String()]
		for _, cv := range e.Set {
			if cv.Column == "worker_id" && e.Table != records.Placements || cv.Column == "gig_id" {
				st = of[cv.Value.(string)]
			}
		}
		of[e.Row.String()] = st
		e.Set = append(e.Set[:len(e.Set):len(e.Set)], replica.ColumnValue{Column: "station", Value: st})
	}
	for _, e := range edits {
		if of[e.Row.String()] == "甲" {
			own = append(own, e)
		}
	}
	return edits, own
}

func writeEdits(t *testing.T, r *replica.Replica, edits []replica.Edit) {
	t.Helper()
	for len(edits) > 0 {
		k := min(len(edits), 500)
		if _, err := r.Write(context.Background(), edits[:k]...); err != nil {
			t.Fatal(err)
		}
		edits = edits[k:]
	}
}

// A station's report over its replica, which holds another station's people
// and gigs too, has exactly the figures and sheets of the county's report
// (its queries, not the roster's count) over a replica holding that
// station's rows alone.
func TestStationReportEqualsCountyForItsPeople(t *testing.T) {
	c := genCounty(t, 300, 41)
	all, own := stationEdits(c)
	station := openReplicaIndexes(t, filepath.Join(t.TempDir(), "station.db"), records.StationIndexes())
	writeEdits(t, station, all)
	hub := openHubReplica(t, filepath.Join(t.TempDir(), "hub.db"))
	writeEdits(t, hub, own)
	ctx := context.Background()
	opt := testOptions()
	opt.Station = "甲"
	for _, month := range []string{testMonth, prevMonth} {
		want, err := Dashboard(ctx, hub.DB(), month, nil, testOptions())
		if err != nil {
			t.Fatal(err)
		}
		got, err := Dashboard(ctx, station.DB(), month, nil, opt)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the station's figures differ from the county's for its people\nstation: %+v\ncounty:  %+v",
				month, got, want)
		}
		everyone, err := Dashboard(ctx, station.DB(), month, nil, testOptions())
		if err != nil {
			t.Fatal(err)
		}
		if everyone.Workers <= got.Workers || everyone.Gigs.Gigs <= got.Gigs.Gigs {
			t.Errorf("%s: the restriction left nothing out: %d of %d people, %d of %d gigs", month, got.Workers,
				everyone.Workers, got.Gigs.Gigs, everyone.Gigs.Gigs)
		}
		wantSheets := sheetTexts(t, hub, month, testOptions())
		gotSheets := sheetTexts(t, station, month, opt)
		for _, name := range Sheets {
			if len(wantSheets[name]) == 0 && name != SheetSummary {
				t.Errorf("%s %s: the county's sheet is empty: the test proves nothing", month, name)
			}
			if !slices.EqualFunc(gotSheets[name], wantSheets[name], slices.Equal) {
				t.Errorf("%s %s: the station's %d rows differ from the county's %d", month, name,
					len(gotSheets[name]), len(wantSheets[name]))
			}
		}
	}
}

// The roster sheet has everyone of the report, each once, with the list
// sheets' columns and the month's status; the people of each list sheet are
// exactly the roster's people with that status.
func TestRosterSheet(t *testing.T) {
	c := genCounty(t, 200, 43)
	all, _ := stationEdits(c)
	r := openReplica(t, filepath.Join(t.TempDir(), "station.db"))
	writeEdits(t, r, all)
	ctx := context.Background()
	opt := testOptions()
	opt.Station = "甲"
	tables, err := ReadTables(ctx, r.DB(), testMonth, append([]string{SheetRoster}, Sheets...), opt)
	if err != nil {
		t.Fatal(err)
	}
	fig, err := Dashboard(ctx, r.DB(), testMonth, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	roster := tables[0]
	if roster.Title != "人员台账" || len(roster.Rows) != fig.Workers || fig.Workers == 0 {
		t.Fatalf("roster %q has %d rows, the figures count %d people", roster.Title, len(roster.Rows), fig.Workers)
	}
	col := func(t Table, name string) int { return slices.Index(t.Header, name) }
	status := col(roster, "本月状态")
	byList := map[string][]string{}
	seen := map[string]bool{}
	for i, row := range roster.Rows {
		if row[0] != strconv.Itoa(i+1) {
			t.Errorf("row %d numbered %s", i+1, row[0])
		}
		key := row[col(roster, "姓名")] + row[col(roster, "身份证号")]
		if seen[key] {
			t.Errorf("%s twice", key)
		}
		seen[key] = true
		byList[row[status]] = append(byList[row[status]], key)
		if row[col(roster, records.ListWillingAway)] == "是" { // the lists overlap
			byList[records.ListWillingAway] = append(byList[records.ListWillingAway], key)
		}
	}
	for _, tb := range tables[1:] {
		var list string
		switch tb.Name {
		case SheetEmployed:
			list = records.ListEmployed
		case SheetUnemployed:
			list = records.ListUnemployed
		case SheetWillingAway:
			list = records.ListWillingAway
		default:
			continue
		}
		var keys []string
		for _, row := range tb.Rows {
			keys = append(keys, row[col(tb, "姓名")]+row[col(tb, "身份证号")])
		}
		if !slices.Equal(keys, byList[list]) || len(keys) != fig.Lists.Count.Get(list) {
			t.Errorf("%s: the list sheet has %d people, the roster %d with that status, the figures %d", list,
				len(keys), len(byList[list]), fig.Lists.Count.Get(list))
		}
		// The list sheets' columns are the roster's, in the same order.
		var shared []string
		for _, h := range roster.Header {
			if slices.Contains(tb.Header, h) {
				shared = append(shared, h)
			}
		}
		if !slices.Equal(shared, tb.Header) {
			t.Errorf("%s: the list's columns %v are not the roster's %v", list, tb.Header, roster.Header)
		}
	}
	if len(byList["本月未更新"]) == 0 {
		t.Error("no one without a status: the test proves less than it says")
	}
}
