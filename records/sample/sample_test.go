package sample

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// values gives an edit's columns as CheckChange takes them.
func values(e replica.Edit) map[string]any {
	m := make(map[string]any, len(e.Set))
	for _, cv := range e.Set {
		switch v := cv.Value.(type) {
		case bool:
			if v {
				m[cv.Column] = int64(1)
			} else {
				m[cv.Column] = int64(0)
			}
		default:
			m[cv.Column] = v
		}
	}
	return m
}

// checkAll fails t for every edit that records.CheckChange refuses as a new row.
func checkAll(t *testing.T, edits []replica.Edit, now time.Time) {
	t.Helper()
	for _, e := range edits {
		if errs := records.CheckChange(e.Table, nil, values(e), now); len(errs) > 0 {
			t.Errorf("%s %s refused: %v (%v)", e.Table, e.Row, errs[0], values(e))
		}
	}
}

var (
	testKey = ident.Key("sample-test-key")
	testNow = time.Date(2026, 12, 6, 17, 30, 0, 0, time.FixedZone("CST", 8*3600))
)

func history(t *testing.T, workers []replica.Edit, seed int64, gigs []GigSlot) []replica.Edit {
	station, _ := columnValue(workers[0], "station").(string)
	t.Helper()
	edits, err := History(workers, seed, HistoryOptions{Months: 12, Now: testNow, Station: station, Key: testKey, Gigs: gigs})
	if err != nil {
		t.Fatal(err)
	}
	return edits
}

func TestEveryChangePassesCheckChange(t *testing.T) {
	workers := Workers(300, 1, testKey, "甲站")
	checkAll(t, workers, testNow)
	gigs := Gigs(20, 1, testNow, "县")
	checkAll(t, gigs, testNow)
	slots := []GigSlot{{ID: gigs[0].Row, Free: 3}, {ID: gigs[1].Row, Free: 2}}
	checkAll(t, history(t, workers, 1, slots), testNow)
}

func TestHistoryCoversTheYear(t *testing.T) {
	workers := Workers(200, 2, testKey, "乙站")
	gigs := []GigSlot{{ID: key("g1"), Free: 2}, {ID: key("g2"), Free: 1}}
	edits := history(t, workers, 2, gigs)

	var want []string
	for i := 11; i >= 0; i-- {
		want = append(want, time.Date(2026, time.Month(12-i), 1, 0, 0, 0, 0, time.UTC).Format(records.MonthLayout))
	}
	months := map[string][]string{} // worker -> months
	lists := map[string]int{}       // this month's lists
	byTable := map[string]int{}
	rows := map[ident.ID]bool{}
	today := testNow.Format(records.DateLayout)
	overdue, dueSoon := 0, 0
	placed := map[string]int{}
	for _, e := range edits {
		if rows[e.Row] {
			t.Errorf("row %s made twice", e.Row)
		}
		rows[e.Row] = true
		byTable[e.Table]++
		v := values(e)
		if v["station"] != "乙站" {
			t.Errorf("%s: station %v", e.Table, v["station"])
		}
		for _, c := range []string{"verified_at", "date", "registered_on", "deregistered_on", "placed_on"} {
			if d, ok := v[c].(string); ok && d > today {
				t.Errorf("%s.%s %s is after today", e.Table, c, d)
			}
		}
		switch e.Table {
		case records.MonthlyStatus:
			w := v["worker_id"].(string)
			months[w] = append(months[w], v["month"].(string))
			m := records.MonthStatus{WorkerID: w, Month: v["month"].(string)}
			if m.ID(testKey) != e.Row {
				t.Errorf("status row %s is not the form's id for %s", e.Row, m.Month)
			}
			if v["month"] == "2026-12" {
				lists[v["list_type"].(string)]++
			}
		case records.Placements:
			placed[v["gig_id"].(string)]++
		}
	}
	for _, w := range workers {
		got := months[w.Row.String()]
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("worker %s: months %v, want %v", w.Row, got, want)
		}
	}
	if len(months) != len(workers) {
		t.Errorf("statuses for %d workers, want %d", len(months), len(workers))
	}
	for _, l := range records.ListTypes {
		if lists[l] == 0 {
			t.Errorf("no one on list %s this month: %v", l, lists)
		}
	}
	for _, tb := range []string{records.Unemployment, records.Jobseeker, records.Followups, records.Placements} {
		if byTable[tb] == 0 {
			t.Errorf("no %s made", tb)
		}
	}
	for _, e := range edits {
		if e.Table != records.Followups {
			continue
		}
		if d, ok := values(e)["next_due"].(string); ok {
			switch {
			case d < today:
				overdue++
			case d <= testNow.AddDate(0, 0, 10).Format(records.DateLayout):
				dueSoon++
			}
		}
	}
	if overdue == 0 || dueSoon == 0 {
		t.Errorf("follow-ups overdue %d, due within ten days %d: want some of each", overdue, dueSoon)
	}
	for _, g := range gigs {
		if n := placed[g.ID.String()]; n > g.Free {
			t.Errorf("gig %s: %d placed, %d free", g.ID, n, g.Free)
		}
	}
}

func TestHistoryIsDeterministic(t *testing.T) {
	workers := Workers(50, 3, testKey, "甲站")
	a, b := history(t, workers, 3, nil), history(t, workers, 3, nil)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("the same seed gave different records")
	}
	if c := history(t, workers, 4, nil); fmt.Sprint(c) == fmt.Sprint(a) {
		t.Fatal("another seed gave the same records")
	}
}

func TestHistoryRefusesBadOptions(t *testing.T) {
	for _, opt := range []HistoryOptions{{Months: 0, Now: testNow}, {Months: 121, Now: testNow}, {Months: 12}} {
		if _, err := History(nil, 1, opt); err == nil {
			t.Errorf("History(%+v) accepted", opt)
		}
	}
}

func key(s string) ident.ID { return testKey.Derive("gigs", s) }
