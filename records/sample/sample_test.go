package sample

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
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
				l, willing := records.StatusList(v["list_type"].(string), v["willing_away"] == true || v["willing_away"] == int64(1))
				lists[l]++
				if willing {
					lists[records.ListWillingAway]++
				}
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

func TestNamesakeIDNumber(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range 200 {
		id := IDNumber(rng, i)
		ns, err := NamesakeIDNumber(id)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := ident.NormalizeIDNumber(ns); err != nil || n != ns {
			t.Fatalf("namesake %s of %s is not a valid id number: %v", ns, id, err)
		}
		diff := 0
		for j := range id {
			if id[j] != ns[j] {
				diff++
			}
		}
		if diff == 0 || diff > 2 {
			t.Fatalf("namesake %s of %s differs in %d places, want 1 or 2", ns, id, diff)
		}
	}
	if _, err := NamesakeIDNumber("12345"); err == nil {
		t.Fatal("a bad id number was accepted")
	}
}

// TestConflictPlanIsValid: every edit of the plan passes the hub's rules,
// and every request's body is a valid record of the station's forms.
func TestConflictPlanIsValid(t *testing.T) {
	workers := Workers(40, 1, testKey, "甲站")
	var a []Person
	for i, w := range workers {
		a = append(a, Person{ID: w.Row, Name: columnValue(w, "name").(string), IDNumber: columnValue(w, "id_number").(string),
			Phone: columnValue(w, "phone").(string), OpenRegistration: i%3 == 0})
	}
	b := []Person{{ID: testKey.Derive(records.Workers, "b"), Name: "乙", IDNumber: IDNumber(rand.New(rand.NewPCG(1, 1)), 1)}}
	cast := Cast{A: "甲站", B: "乙站", APeople: a, BPeople: b, Now: testNow, Key: testKey, HukouOfB: Village(3),
		Ethnicity: "汉族", Education: "初中", Labour: "普通劳动力", VerifiedBy: "其其格"}
	p, err := Conflicts(cast)
	if err != nil {
		t.Fatal(err)
	}
	checkAll(t, []replica.Edit{p.Gig}, testNow)
	if len(p.Shared) != 2 || len(p.HubEdits) != 2 || len(p.Requests) != 10 {
		t.Fatalf("plan: %d shared, %d hub edits, %d requests", len(p.Shared), len(p.HubEdits), len(p.Requests))
	}
	// The hub's edits change existing rows: judged against a valid row.
	before := map[string]map[string]any{
		records.Workers: values(workers[0]),
		records.MonthlyStatus: {"worker_id": workers[0].Row.String(), "month": "2026-12", "list_type": "就业",
			"work_scope": "本村", "employment_form": "单位", "monthly_income": float64(2000), "verified_by_method": "电话",
			"verified_by": "x", "verified_at": "2026-12-01"},
	}
	for _, e := range p.HubEdits {
		if errs := records.CheckChange(e.Table, before[e.Table], values(e), testNow); len(errs) > 0 {
			t.Errorf("hub edit of %s refused: %v", e.Table, errs[0])
		}
	}
	for _, r := range p.Requests {
		body, err := json.Marshal(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		var rec interface{ Validate() error }
		switch {
		case r.Path == "/api/monthly-status":
			rec = &records.MonthStatus{}
		case r.Path == "/api/unemployment-registrations":
			rec = &records.UnemploymentRegistration{}
		case r.Path == "/api/placements":
			rec = &records.Placement{}
		case r.Method == "POST" && r.Path == "/api/workers":
			rec = &records.Worker{}
		default: // a PATCH of a worker: its fields over a valid worker
			w := values(workers[1])
			rec = &records.Worker{IDNumber: w["id_number"].(string), Name: "x", Ethnicity: "汉族",
				HukouVillage: Village(1), Education: "初中", LabourAbility: "普通劳动力"}
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(rec); err != nil {
			t.Fatalf("%s %s: %v", r.Method, r.Path, err)
		}
		if err := rec.Validate(); err != nil {
			t.Errorf("%s %s: %v", r.Method, r.Path, err)
		}
	}
	// The two stations' phones for the shared person differ, and each
	// differs from the hub's.
	phones := map[string]bool{}
	for _, r := range p.Requests {
		if m, ok := r.Body.(map[string]any); ok && r.Method == "PATCH" {
			phones[m["phone"].(string)] = true
		}
	}
	phones[p.HubEdits[0].Set[0].Value.(string)] = true
	if len(phones) != 4 {
		t.Errorf("phones %v: want four different", phones)
	}
	// Before going offline, each station must hold the gig and the people
	// its requests name.
	waits := map[string]bool{}
	for _, w := range p.Waits() {
		if w.Method != "GET" || w.Body != nil {
			t.Errorf("wait %+v: want a GET without a body", w)
		}
		waits[w.Station+" "+w.Path] = true
	}
	for _, r := range p.Requests {
		if !waits[r.Station+" /api/gigs/"+DemoGigID(testKey).String()] {
			t.Errorf("no wait for the gig at %s", r.Station)
		}
		if m, _ := r.Body.(map[string]any); m["worker_id"] != nil && !waits[r.Station+" /api/workers/"+m["worker_id"].(string)] {
			t.Errorf("no wait for %v at %s", m["worker_id"], r.Station)
		}
	}
	if _, err := Conflicts(Cast{APeople: a[:3], BPeople: b}); err == nil {
		t.Error("a plan with too few people was made")
	}
}
