package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
)

// A household follows its head (户主) into a station's scope: created at
// one station, it reaches the hub and every station holding the head, and
// no other.
func TestHouseholdFollowsItsHead(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	a := newAPIStation(t, h, "站A")
	b := newAPIStation(t, h, "站B")
	c := newAPIStation(t, h, "站C")
	headIDN := hubtest.IDNumber(2101)
	head := a.mustCreate("/api/workers", apiWorkerBody(headIDN, "户主巴特尔"))
	member := a.mustCreate("/api/workers", apiWorkerBody(hubtest.IDNumber(2102), "成员乌云"))
	c.mustCreate("/api/workers", apiWorkerBody(hubtest.IDNumber(2103), "C站的人"))
	// B holds the head too: it registers the same person (a join).
	if got := b.mustCreate("/api/workers", apiWorkerBody(headIDN, "户主巴特尔")); got != head {
		t.Fatalf("B registered the head as %s, A as %s", got, head)
	}
	hubtest.WaitFor(t, 30*time.Second, "B's join at the hub", func() bool {
		return inSync(t, h, a) && inSync(t, h, b) && inSync(t, h, c) && hasRow(t, b.rep, records.Workers, head)
	})

	hid := a.mustCreate("/api/households", map[string]any{"worker_id": head, "village": "150421100201",
		"monitor_type": records.MonitorTypes[0], "zero_employment": true, "member_ids": []string{member}})
	hubtest.WaitFor(t, 30*time.Second, "the household at the hub and at B", func() bool {
		return hasRow(t, h.Hub.Replica(), records.Households, hid) && hasRow(t, b.rep, records.Households, hid) &&
			inSync(t, h, a) && inSync(t, h, b) && inSync(t, h, c)
	})
	if hasRow(t, c.rep, records.Households, hid) {
		t.Fatal("station C, which does not hold the head, received the household")
	}
	hr := h.Hub.Replica()
	if v := hubtest.StationValue(t, hr, records.Households, mustParseID(t, hid), "zero_employment"); v != int64(1) {
		t.Fatalf("zero_employment at the hub: %v", v)
	}
	if v := hubtest.StationValue(t, hr, records.Households, mustParseID(t, hid), "station"); v != "站A" {
		t.Fatalf("station of the household at the hub: %v", v)
	}
	if v := hubtest.StationValue(t, hr, records.Workers, mustParseID(t, member), "household_id"); v != hid {
		t.Fatalf("the member's household_id at the hub: %v", v)
	}
	// The county's worker page shows the member's household and its designations.
	web := h.LoggedIn("viewer-hh", access.RoleViewer)
	st, _, page := hubtest.Page(t, web, h.URL()+"/workers/"+member)
	if st != http.StatusOK || !strings.Contains(page, "零就业家庭") || !strings.Contains(page, records.MonitorTypes[0]) ||
		!strings.Contains(page, "户主巴特尔") {
		t.Fatalf("the hub's worker page of the member: %d\n%s", st, page)
	}
	// B sees the household through its own API and may edit it: it holds the head.
	st, got := b.api("GET", "/api/households/"+hid, nil)
	if st != http.StatusOK || got["zero_employment"] != true {
		t.Fatalf("B's GET of the household: %d %v", st, got)
	}
	if st, got := b.api("PATCH", "/api/households/"+hid, map[string]any{"zero_employment": false}); st != http.StatusOK {
		t.Fatalf("B's PATCH of the household: %d %v", st, got)
	}
	hubtest.WaitFor(t, 30*time.Second, "B's edit at A", func() bool {
		st, got := a.api("GET", "/api/households/"+hid, nil)
		return st == http.StatusOK && got["zero_employment"] == false
	})
	if refused := hubtest.Refusals(t, hr); len(refused) > 0 {
		t.Fatalf("the hub refused: %+v", refused)
	}
}

// A station cannot write a household for a head outside its scope: the
// hub refuses it like any record of another station's person, and holds
// no such row.
func TestHostileHouseholdOfAnotherStationsPerson(t *testing.T) {
	c := newTrustCounty(t)
	hh := records.Household{WorkerID: c.wb.String(), ZeroEmployment: true, MonitorType: records.MonitorTypes[0]}
	if err := hh.Validate(); err != nil {
		t.Fatal(err)
	}
	row := hubtest.NewRowID(t)
	c.a.Do(hubtest.WithStation(replica.Edit{Table: records.Households, Row: row, Set: hh.Columns()}, "站A"))
	checkRefused(t, "hub", c.h.Hub.Replica(), "站A", []refusalWant{{records.Households, row, "", records.KeyOutOfScope}})
	if hasRow(t, c.h.Hub.Replica(), records.Households, row.String()) {
		t.Fatal("the hub holds a household A wrote for B's person")
	}
	hubtest.WaitFor(t, 30*time.Second, "B in sync", func() bool { return inSync(t, c.h, c.b) })
	if hasRow(t, c.b.rep, records.Households, row.String()) {
		t.Fatal("B received a household A wrote for B's person")
	}
	// Its own person's household is accepted.
	own := records.Household{WorkerID: c.wa.String()}
	if err := own.Validate(); err != nil {
		t.Fatal(err)
	}
	ownRow := hubtest.NewRowID(t)
	c.a.Do(hubtest.WithStation(replica.Edit{Table: records.Households, Row: ownRow, Set: own.Columns()}, "站A"))
	hubtest.WaitFor(t, 30*time.Second, "A's own household at the hub", func() bool {
		return hasRow(t, c.h.Hub.Replica(), records.Households, ownRow.String())
	})
}

// TestHostileHouseholdReference: a station may put its person only into a
// household it can see (the head in its scope), one the hub holds or one
// the same batch creates; another station's household, or an id naming no
// household, is refused on household_id, and the hub keeps its value.
func TestHostileHouseholdReference(t *testing.T) {
	c := newTrustCounty(t)
	bHousehold := mustParseID(t, c.b.mustCreate("/api/households", fmt.Sprintf(`{"worker_id": %q}`, c.wb)))
	hubtest.WaitFor(t, 30*time.Second, "B's household at the hub", func() bool {
		return hasRow(t, c.h.Hub.Replica(), records.Households, bHousehold.String())
	})
	setHousehold := func(id string) replica.Edit {
		return hubtest.WithStation(replica.Edit{Table: records.Workers, Row: c.wa,
			Set: []replica.ColumnValue{{Column: "household_id", Value: id}}}, "站A")
	}
	c.a.Do(setHousehold(bHousehold.String()))
	made := hubtest.NewRowID(t)
	c.a.Do(setHousehold(made.String()))
	checkRefused(t, "hub", c.h.Hub.Replica(), "站A", []refusalWant{
		{records.Workers, c.wa, "household_id", records.KeyNoHousehold},
		{records.Workers, c.wa, "household_id", records.KeyNoHousehold},
	})
	if v := hubtest.StationValue(t, c.h.Hub.Replica(), records.Workers, c.wa, "household_id"); v != nil {
		t.Fatalf("the hub took A's person into a household A cannot see: %v", v)
	}
	// A household created in the same batch as the membership is accepted.
	own := records.Household{WorkerID: c.wa.String()}
	if err := own.Validate(); err != nil {
		t.Fatal(err)
	}
	ownRow := hubtest.NewRowID(t)
	c.a.Do(setHousehold(ownRow.String()),
		hubtest.WithStation(replica.Edit{Table: records.Households, Row: ownRow, Set: own.Columns()}, "站A"))
	hubtest.WaitFor(t, 30*time.Second, "A's person in A's new household at the hub", func() bool {
		return hubtest.StationValue(t, c.h.Hub.Replica(), records.Workers, c.wa, "household_id") == ownRow.String()
	})
}
