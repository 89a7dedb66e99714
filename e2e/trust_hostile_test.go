package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncproto"
)

// The reason keys of refusals that are not validation rules of a form: the
// hub's authorization (DESIGN "Trust"). They stand for records.KeyStationField,
// records.KeyNotPoster and records.KeyHubOnly, which the hub's authorization
// adds; replace them by those once they exist.
const (
	keyStationField = records.KeyStationField
	keyNotPoster    = records.KeyNotPoster
	keyHubOnly      = records.KeyHubOnly
)

// trustCounty is a hub with a victim, station B (a whole station: replica,
// sync client, API) holding a worker and a gig of its own, and an attacker
// holding station A's enrollment code, who has registered a worker of its
// own (so that A is an ordinary station, not one without any scope).
type trustCounty struct {
	h *hubtest.Server
	b *apiStation
	a *hubtest.Hostile

	wb                     ident.ID // B's worker
	wbIDN, wbName, wbPhone string
	gig                    ident.ID // B's gig
	gigTitle               string

	wa    ident.ID // A's own worker
	waIDN string

	// Rows a test case made up, for its checks.
	badRow, guess ident.ID
	childRows     []refusalWant
}

func gigBody(title string) map[string]any {
	return map[string]any{"title": title, "occupation": "采摘", "headcount": 5, "wage": 150,
		"wage_unit": "元/天", "settlement": "日结", "place": "150421100", "start_date": "2026-11-20",
		"employer": "绿源农业公司", "contact": "13800138000"}
}

func newTrustCounty(t *testing.T) *trustCounty {
	t.Helper()
	h := hubtest.NewServer(t, "http", hub.Options{})
	c := &trustCounty{h: h, b: newAPIStation(t, h, "站B"),
		wbIDN: hubtest.IDNumber(1101), wbName: "B站的人", wbPhone: "13800138000", gigTitle: "B站的零工",
		waIDN: hubtest.IDNumber(1201)}
	c.wb = mustParseID(t, c.b.mustCreate("/api/workers", apiWorkerBody(c.wbIDN, c.wbName)))
	c.gig = mustParseID(t, c.b.mustCreate("/api/gigs", gigBody(c.gigTitle)))

	c.a = hubtest.NewHostile(t, h, h.Enroll("站A"))
	c.a.Connect()
	own := hostileWorker(t, c.a.Enr.Key, c.waIDN, "A站的人", "站A")
	c.wa = own.Row
	c.a.Do(own)
	hubtest.WaitFor(t, 30*time.Second, "B's worker and gig at the hub, B in sync", func() bool {
		return hasRow(t, h.Hub.Replica(), records.Workers, c.wb.String()) &&
			hasRow(t, h.Hub.Replica(), records.Gigs, c.gig.String()) && inSync(t, h, c.b)
	})
	if v := hubtest.StationValue(t, h.Hub.Replica(), records.Workers, c.wa, "name"); v != "A站的人" {
		t.Fatalf("A's own worker at the hub: name %v", v)
	}
	return c
}

// hostileWorker registers the worker with a full, valid record, as a
// station's form would, with the station column station.
func hostileWorker(t *testing.T, key ident.Key, idn, name, station string) replica.Edit {
	t.Helper()
	w := records.Worker{IDNumber: idn, Name: name, Phone: "13800138000", Ethnicity: "蒙古族",
		HukouVillage: "150421100201", Education: "初中", LabourAbility: "普通劳动力",
		Tags: []string{"农民工"}, Skills: []string{"电焊"}, WillingAway: true}
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	e := replica.Edit{Table: records.Workers, Row: w.ID(key), Set: w.Columns()}
	return hubtest.EnteredBy(hubtest.WithStation(e, station), "王五")
}

func followupEdit(t *testing.T, worker ident.ID, content, station string) replica.Edit {
	f := records.Followup{WorkerID: worker.String(), Date: "2026-11-10", Method: "上门", ServiceType: "岗位推荐",
		Content: content, Staff: "李四"}
	return hubtest.WithStation(replica.Edit{Table: records.Followups, Row: hubtest.NewRowID(t), Set: f.Columns()}, station)
}

func unemploymentEdit(t *testing.T, worker ident.ID, station string) replica.Edit {
	u := records.UnemploymentRegistration{WorkerID: worker.String(), PlaceType: "户籍地", RegisteredOn: "2026-10-01",
		Reason: "合同到期"}
	return hubtest.WithStation(replica.Edit{Table: records.Unemployment, Row: hubtest.NewRowID(t), Set: u.Columns()}, station)
}

func jobseekerEdit(t *testing.T, worker ident.ID, station string) replica.Edit {
	j := records.JobseekerRegistration{WorkerID: worker.String(), IntendedWork: "保洁", WorkType: "零工"}
	return hubtest.WithStation(replica.Edit{Table: records.Jobseeker, Row: hubtest.NewRowID(t), Set: j.Columns()}, station)
}

func placementEdit(t *testing.T, gig, worker ident.ID, station string) replica.Edit {
	p := records.Placement{GigID: gig.String(), WorkerID: worker.String(), Status: records.PlacementPlaced,
		PlacedOn: "2026-11-21"}
	return hubtest.WithStation(replica.Edit{Table: records.Placements, Row: hubtest.NewRowID(t), Set: p.Columns()}, station)
}

func statusEdit(key ident.Key, worker ident.ID, month, list string) replica.Edit {
	return hubtest.WithStation(hubtest.StatusEdit(key, worker, month, list), "站A")
}

// refusalWant is a refusal the hub must have written: of station 站A, for
// the row (and the column, the reason key, when not empty).
type refusalWant struct {
	table  string
	row    ident.ID
	column string
	key    string
}

func (w refusalWant) String() string {
	return fmt.Sprintf("%s %s column %q reason %q", w.table, w.row, w.column, w.key)
}

// checkRefused reports each wanted refusal the hub's table refusals lacks.
func checkRefused(t *testing.T, where string, r *replica.Replica, station string, wants []refusalWant) {
	t.Helper()
	got := hubtest.Refusals(t, r)
	for _, w := range wants {
		found := false
		for _, f := range got {
			if f.Station == station && f.Table == w.table && strings.EqualFold(f.Row, w.row.String()) &&
				(w.column == "" || f.Column == w.column) && (w.key == "" || f.ReasonKey == w.key) &&
				f.State == records.RefusalRefused {
				found = true
			}
		}
		if !found {
			t.Errorf("%s holds no refusal of %s's change to %s (refusals: %d %+v)", where, station, w, len(got), got)
		}
	}
}

// valueIs reports (as a test error) a hub column that is not want, or not
// settled (a second head: a conflicting value the hub took).
func valueIs(t *testing.T, r *replica.Replica, table string, row ident.ID, col string, want any, what string) {
	t.Helper()
	if !hubtest.SettledAt(t, r, table, row, col, want) {
		t.Errorf("%s: %s.%s is %v, want %v alone", what, table, col, hubtest.StationValue(t, r, table, row, col), want)
	}
}

// victimIntact checks that the attack left B's data as it was: at the
// hub, through B's own API, outside A's scope, and out of A's hands.
func (c *trustCounty) victimIntact(t *testing.T) {
	t.Helper()
	hr := c.h.Hub.Replica()
	const accepted = "the hub accepted A's change to B's worker"
	valueIs(t, hr, records.Workers, c.wb, "name", c.wbName, accepted)
	valueIs(t, hr, records.Workers, c.wb, "phone", c.wbPhone, accepted)
	valueIs(t, hr, records.Workers, c.wb, "id_number", c.wbIDN, accepted)
	valueIs(t, hr, records.Workers, c.wb, "station", "站B", accepted)
	if v := hubtest.StationValue(t, hr, records.Workers, c.wb, replica.DeletedColumn); v != int64(0) {
		t.Errorf("the hub accepted A's delete of B's worker: %s = %v", replica.DeletedColumn, v)
	}
	valueIs(t, hr, records.Gigs, c.gig, "title", c.gigTitle, "the hub accepted A's change to B's gig")
	workers, _ := hr.Schema().Table(records.Workers)
	if c.h.Hub.ScopeFilter("站A")(workers, c.wb) {
		t.Errorf("the hub pulled B's worker into A's scope")
	}

	// B's own pages.
	hubtest.WaitFor(t, 30*time.Second, "B in sync with the hub", func() bool { return inSync(t, c.h, c.b) })
	if st, out := c.b.api("GET", "/api/workers/"+c.wb.String(), nil); st != http.StatusOK {
		t.Errorf("B's API answers %d for its own worker: %v", st, out)
	} else if out["name"] != c.wbName || out["phone"] != c.wbPhone || out["station"] != "站B" {
		t.Errorf("B's API shows its worker as name %v phone %v station %v", out["name"], out["phone"], out["station"])
	}
	if st, out := c.b.api("GET", "/api/gigs/"+c.gig.String(), nil); st != http.StatusOK || out["title"] != c.gigTitle {
		t.Errorf("B's API shows its gig: %d %v", st, out["title"])
	}
	// Refusals of A's reach A only.
	if rs := hubtest.Refusals(t, c.b.rep); len(rs) > 0 {
		t.Errorf("B's replica holds refusals of other stations: %+v", rs)
	}

	// A received nothing of B's worker.
	c.a.Catchup()
	for _, ch := range c.a.Received {
		if ch.Row == c.wb {
			t.Errorf("the hub sent A a change of B's worker (%s, %d fields)", ch.Table, len(ch.Fields))
		}
		for _, f := range ch.Fields {
			s, _ := f.Value.(string)
			// A refusal names the row A's change named (A sent that id).
			namesID := ch.Table != records.Refusals && strings.EqualFold(s, c.wb.String())
			if s != "" && (strings.Contains(s, c.wbIDN) || namesID || s == c.wbName) {
				t.Errorf("the hub sent A a %s change naming B's worker (%q)", ch.Table, hubtest.Short(s))
			}
		}
	}
	for _, col := range []string{"id_number", "name", "phone"} {
		if v := hubtest.StationValue(t, c.a.Rep, records.Workers, c.wb, col); v != nil && (v == c.wbIDN || v == c.wbName) {
			t.Errorf("A's replica holds B's worker's %s", col)
		}
	}
}

// With station A's enrollment code, an attacker sends the hub hand-made
// changes, each in a batch with an ordinary change of A's own: the hub
// refuses the attack change by change (a row in refusals naming table, row,
// column and reason, which reaches A only), applies and acknowledges the
// rest of the batch, and leaves B's data as it was.
func TestHostileStationChangesRefused(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edits   func(t *testing.T, c *trustCounty) []replica.Edit
		refused func(c *trustCounty) []refusalWant
		check   func(t *testing.T, c *trustCounty)
	}{{
		name: "edit of B's worker with a forged entered_by",
		edits: func(t *testing.T, c *trustCounty) []replica.Edit {
			return []replica.Edit{hubtest.EnteredBy(replica.Edit{Table: records.Workers, Row: c.wb,
				Set: []replica.ColumnValue{{Column: "name", Value: "被A改的名"}, {Column: "phone", Value: "13900000000"}}}, "B站的张三")}
		},
		refused: func(c *trustCounty) []refusalWant {
			return []refusalWant{{records.Workers, c.wb, "", records.KeyOutOfScope}}
		},
	}, {
		name: "delete of B's worker",
		edits: func(t *testing.T, c *trustCounty) []replica.Edit {
			return []replica.Edit{{Table: records.Workers, Row: c.wb, Delete: true}}
		},
		refused: func(c *trustCounty) []refusalWant { return []refusalWant{{records.Workers, c.wb, "", ""}} },
	}, {
		name: "B's worker id guessed and written without an id number",
		edits: func(t *testing.T, c *trustCounty) []replica.Edit {
			return []replica.Edit{{Table: records.Workers, Row: c.wb, Set: []replica.ColumnValue{{Column: "notes", Value: "A写的"}}}}
		},
		refused: func(c *trustCounty) []refusalWant {
			return []refusalWant{{records.Workers, c.wb, "", records.KeyOutOfScope}}
		},
		check: func(t *testing.T, c *trustCounty) {
			if v := hubtest.StationValue(t, c.h.Hub.Replica(), records.Workers, c.wb, "notes"); v == "A写的" {
				t.Errorf("the hub took A's notes on B's worker")
			}
		},
	}, {
		name: "a new worker id without an id number",
		edits: func(t *testing.T, c *trustCounty) []replica.Edit {
			return []replica.Edit{{Table: records.Workers, Row: c.guessed(t), Set: []replica.ColumnValue{{Column: "name", Value: "没有身份证号的人"}}}}
		},
		refused: func(c *trustCounty) []refusalWant { return []refusalWant{{records.Workers, c.guessed(nil), "", ""}} },
		check: func(t *testing.T, c *trustCounty) {
			if hasRow(t, c.h.Hub.Replica(), records.Workers, c.guessed(nil).String()) {
				t.Errorf("the hub holds a worker row written without an id number")
			}
		},
	}, {
		name: "an id number that does not derive to the row id",
		edits: func(t *testing.T, c *trustCounty) []replica.Edit {
			w := hostileWorker(t, c.a.Enr.Key, hubtest.IDNumber(1202), "冒名顶替", "站A")
			w.Row = c.wb
			return []replica.Edit{w}
		},
		refused: func(c *trustCounty) []refusalWant { return []refusalWant{{records.Workers, c.wb, "", ""}} },
	}, {
		name: "an id number with a wrong check digit",
		edits: func(t *testing.T, c *trustCounty) []replica.Edit {
			good := hubtest.IDNumber(1203)
			bad := good[:17] + map[bool]string{true: "1", false: "2"}[good[17] != '1']
			w := hostileWorker(t, c.a.Enr.Key, good, "校验位错", "站A")
			w.Row = c.a.Enr.Key.Derive(records.Workers, bad)
			w.Set[0].Value = bad
			c.badRow = w.Row
			return []replica.Edit{w}
		},
		refused: func(c *trustCounty) []refusalWant {
			return []refusalWant{{records.Workers, c.badRow, "", records.KeyIDMismatch}}
		},
		check: func(t *testing.T, c *trustCounty) {
			if hasRow(t, c.h.Hub.Replica(), records.Workers, c.badRow.String()) {
				t.Errorf("the hub holds a worker with an invalid id number")
			}
		},
	}, {
		name: "monthly status of B's worker",
		edits: func(t *testing.T, c *trustCounty) []replica.Edit {
			return []replica.Edit{statusEdit(c.a.Enr.Key, c.wb, "2001-01", records.ListUnemployed)}
		},
		refused: func(c *trustCounty) []refusalWant {
			return []refusalWant{{records.MonthlyStatus, hubtest.StatusEdit(c.a.Enr.Key, c.wb, "2001-01", "").Row, "", ""}}
		},
		check: func(t *testing.T, c *trustCounty) {
			if hasRow(t, c.h.Hub.Replica(), records.MonthlyStatus, hubtest.StatusEdit(c.a.Enr.Key, c.wb, "2001-01", "").Row.String()) {
				t.Errorf("the hub holds A's status of B's worker")
			}
		},
	}, {
		name: "follow-up, registrations and placement of B's worker",
		edits: func(t *testing.T, c *trustCounty) []replica.Edit {
			es := []replica.Edit{followupEdit(t, c.wb, "A站的台账", "站A"), unemploymentEdit(t, c.wb, "站A"),
				jobseekerEdit(t, c.wb, "站A"), placementEdit(t, c.gig, c.wb, "站A")}
			c.childRows = nil
			for _, e := range es {
				c.childRows = append(c.childRows, refusalWant{e.Table, e.Row, "", ""})
			}
			return es
		},
		refused: func(c *trustCounty) []refusalWant { return c.childRows },
		check: func(t *testing.T, c *trustCounty) {
			for _, w := range c.childRows {
				if hasRow(t, c.h.Hub.Replica(), w.table, w.row.String()) {
					t.Errorf("the hub holds A's %s of B's worker", w.table)
				}
			}
		},
	}, {
		name: "B's gig edited by A",
		edits: func(t *testing.T, c *trustCounty) []replica.Edit {
			return []replica.Edit{{Table: records.Gigs, Row: c.gig, Set: []replica.ColumnValue{{Column: "title", Value: "被A改的零工"},
				{Column: "headcount", Value: int64(500)}}}}
		},
		refused: func(c *trustCounty) []refusalWant {
			return []refusalWant{{records.Gigs, c.gig, "", keyNotPoster}}
		},
		check: func(t *testing.T, c *trustCounty) {
			valueIs(t, c.h.Hub.Replica(), records.Gigs, c.gig, "headcount", int64(5), "the hub accepted A's change to B's gig")
		},
	}, {
		name: "a worker of A's own naming station B",
		edits: func(t *testing.T, c *trustCounty) []replica.Edit {
			w := hostileWorker(t, c.a.Enr.Key, hubtest.IDNumber(1204), "A站另一人", "站B")
			c.badRow = w.Row
			return []replica.Edit{w}
		},
		refused: func(c *trustCounty) []refusalWant {
			return []refusalWant{{records.Workers, c.badRow, "station", keyStationField}}
		},
		check: func(t *testing.T, c *trustCounty) {
			hr := c.h.Hub.Replica()
			if v := hubtest.StationValue(t, hr, records.Workers, c.badRow, "name"); v != "A站另一人" {
				t.Errorf("the rest of A's change did not apply: name %v", v)
			}
			if v := hubtest.StationValue(t, hr, records.Workers, c.badRow, "station"); v == "站B" {
				t.Errorf("the hub took station 站B from A's session")
			}
			workers, _ := hr.Schema().Table(records.Workers)
			if !c.h.Hub.ScopeFilter("站A")(workers, c.badRow) || c.h.Hub.ScopeFilter("站B")(workers, c.badRow) {
				t.Errorf("A's new worker is not in A's scope alone")
			}
		},
	}, {
		name: "tables only the hub writes",
		edits: func(t *testing.T, c *trustCounty) []replica.Edit {
			c.badRow = hubtest.NewRowID(t)
			return []replica.Edit{
				{Table: records.Stations, Row: c.badRow, Set: []replica.ColumnValue{{Column: "name", Value: "假站"}}},
				{Table: records.Refusals, Row: c.badRow, Set: []replica.ColumnValue{{Column: "station", Value: "站B"},
					{Column: "table_name", Value: records.Workers}, {Column: "row_id", Value: c.wb.String()},
					{Column: "column_name", Value: "phone"}, {Column: "reason", Value: "伪造的拒绝"},
					{Column: "state", Value: records.RefusalRefused}}},
				{Table: records.GigFill, Row: c.gig, Set: []replica.ColumnValue{{Column: "placed", Value: int64(99)}}},
			}
		},
		refused: func(c *trustCounty) []refusalWant {
			return []refusalWant{{records.Stations, c.badRow, "", keyHubOnly}, {records.Refusals, c.badRow, "", keyHubOnly},
				{records.GigFill, c.gig, "", keyHubOnly}}
		},
		check: func(t *testing.T, c *trustCounty) {
			hr := c.h.Hub.Replica()
			if hasRow(t, hr, records.Stations, c.badRow.String()) {
				t.Errorf("the hub's station directory holds A's row")
			}
			if v := hubtest.StationValue(t, hr, records.Refusals, c.badRow, "reason"); v != nil {
				t.Errorf("the hub holds A's forged refusal: %v", v)
			}
			if v := hubtest.StationValue(t, hr, records.GigFill, c.gig, "placed"); v == int64(99) {
				t.Errorf("the hub took A's count of B's gig")
			}
		},
	}, {
		name: "invalid values of A's own records",
		edits: func(t *testing.T, c *trustCounty) []replica.Edit {
			return []replica.Edit{
				statusEdit(c.a.Enr.Key, c.wa, "2001-13", records.ListUnemployed),
				statusEdit(c.a.Enr.Key, c.wa, "2026-10", "不存在"),
				{Table: records.Workers, Row: c.wa, Set: []replica.ColumnValue{{Column: "phone", Value: "12345"}}},
			}
		},
		refused: func(c *trustCounty) []refusalWant {
			k := c.a.Enr.Key
			return []refusalWant{
				{records.MonthlyStatus, hubtest.StatusEdit(k, c.wa, "2001-13", "").Row, "month", records.KeyMonth},
				{records.MonthlyStatus, hubtest.StatusEdit(k, c.wa, "2026-10", "").Row, "list_type", records.KeyEnum},
				{records.Workers, c.wa, "phone", records.KeyPhone},
			}
		},
		check: func(t *testing.T, c *trustCounty) {
			hr, k := c.h.Hub.Replica(), c.a.Enr.Key
			if v := hubtest.StationValue(t, hr, records.MonthlyStatus, hubtest.StatusEdit(k, c.wa, "2001-13", "").Row, "month"); v == "2001-13" {
				t.Errorf("the hub took month 2001-13")
			}
			if v := hubtest.StationValue(t, hr, records.MonthlyStatus, hubtest.StatusEdit(k, c.wa, "2026-10", "").Row, "list_type"); v == "不存在" {
				t.Errorf("the hub took list type 不存在")
			}
			valueIs(t, hr, records.Workers, c.wa, "phone", "13800138000", "the hub took phone 12345")
			// The hub put A's copy back in line (c.a caught up in victimIntact).
			valueIs(t, c.a.Rep, records.Workers, c.wa, "phone", "13800138000", "A's copy after the refusal")
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTrustCounty(t)
			edits := tc.edits(t, c)
			own := followupEdit(t, c.wa, "A站自己的台账", "站A")
			chs := c.a.Make(append(edits, own)...)
			b := c.a.Send(chs)
			seq, perr := c.a.Await()
			if perr != nil {
				t.Fatalf("the hub refused A's whole batch (%v): a refusal is per change", perr)
			}
			if seq != b.Last {
				t.Fatalf("the hub acknowledged %d, want the batch's last %d", seq, b.Last)
			}
			if v := hubtest.StationValue(t, c.h.Hub.Replica(), records.Followups, own.Row, "content"); v != "A站自己的台账" {
				t.Errorf("A's own change in the batch did not apply: %v", v)
			}
			c.victimIntact(t)
			if tc.check != nil {
				tc.check(t, c)
			}
			checkRefused(t, "the hub", c.h.Hub.Replica(), "站A", tc.refused(c))
			// A's refusals reach A.
			checkRefused(t, "A's replica", c.a.Rep, "站A", tc.refused(c))
		})
	}
}

// guessed is a worker row id the attacker made up (the same for the whole
// test case).
func (c *trustCounty) guessed(t *testing.T) ident.ID {
	if c.guess.IsZero() {
		c.guess = hubtest.NewRowID(t)
	}
	return c.guess
}

// A batch sent again changes nothing the second time, even after a later
// batch changed the same column.
func TestHostileReplayedBatch(t *testing.T) {
	c := newTrustCounty(t)
	ctx := context.Background()
	edit := func(name string) replica.Edit {
		return replica.Edit{Table: records.Workers, Row: c.wa, Set: []replica.ColumnValue{{Column: "name", Value: name}}}
	}
	first := c.a.Send(c.a.Make(edit("A站的人改一")))
	if _, perr := c.a.Await(); perr != nil {
		t.Fatal(perr)
	}
	c.a.Do(edit("A站的人改二"))
	before, err := c.h.Hub.Replica().MaxSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.a.Raw.Send(first)
	if seq, perr := c.a.Await(); perr == nil && seq < first.Last {
		t.Fatalf("the replay was acknowledged at %d", seq)
	}
	after, err := c.h.Hub.Replica().MaxSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("the replayed batch wrote %d log entries at the hub", after-before)
	}
	valueIs(t, c.h.Hub.Replica(), records.Workers, c.wa, "name", "A站的人改二", "after the replay")
	c.victimIntact(t)
}

// A batch holding a change stamped with another site (the victim's) is
// refused whole, and B's data stays as it was.
func TestHostileForgedSite(t *testing.T) {
	c := newTrustCounty(t)
	chs := c.a.Make(replica.Edit{Table: records.Workers, Row: c.wb, Set: []replica.ColumnValue{{Column: "name", Value: "冒名的人"}}},
		followupEdit(t, c.wa, "A站自己的台账", "站A"))
	chs[0].Version.Site = c.b.enr.Site
	c.a.Send(chs)
	if _, perr := c.a.Await(); perr == nil || perr.Code != syncproto.ErrCodeWrongSite {
		t.Fatalf("the hub answered a forged site with %v, want %v", perr, syncproto.ErrCodeWrongSite)
	}
	if v := hubtest.StationValue(t, c.h.Hub.Replica(), records.Followups, chs[1].Row, "content"); v != nil {
		t.Errorf("the hub applied part of a batch with a forged site")
	}
	c.victimIntact(t)
}

// A Hello naming another station, with this station's token (and site),
// is refused.
func TestHostileHelloAsAnotherStation(t *testing.T) {
	c := newTrustCounty(t)
	for _, tc := range []struct {
		name string
		e    func() syncproto.Enrollment
	}{
		{"B's id, A's token and site", func() syncproto.Enrollment { e := c.a.Enr; e.StationID = "站B"; return e }},
		{"B's id and site, A's token", func() syncproto.Enrollment {
			e := c.a.Enr
			e.StationID, e.Site = "站B", c.b.enr.Site
			return e
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := hubtest.DialRaw(t, c.h, tc.e())
			r.Hello(tc.e())
			if got := r.Refusal(); got != syncproto.ErrCodeAuth {
				t.Fatalf("refused with %v, want %v", got, syncproto.ErrCodeAuth)
			}
		})
	}
	c.victimIntact(t)
}

// A station whose replica holds values the hub refuses (written past its
// forms) ends up agreeing with the hub: the hub sends it the change that
// puts its copy back, and the refusal, which only that station receives.
func TestRefusedValueSettlesAtStation(t *testing.T) {
	ctx := context.Background()
	h := hubtest.NewServer(t, "http", hub.Options{})
	s := newAPIStation(t, h, "站S")
	other := newAPIStation(t, h, "站T")
	w := mustParseID(t, s.mustCreate("/api/workers", apiWorkerBody(hubtest.IDNumber(1301), "S站的人")))
	if st, out := s.api("POST", "/api/monthly-status", map[string]any{"worker_id": w.String(), "month": "2026-11",
		"list_type": "失业", "verified_by_method": "电话", "verified_by": "李四", "verified_at": "2026-11-10"}); st/100 != 2 {
		t.Fatalf("monthly status: %d %v", st, out)
	}
	status := s.enr.Key.Derive(records.MonthlyStatus, w.String()+"/2026-11")
	hubtest.WaitFor(t, 30*time.Second, "S in sync", func() bool { return inSync(t, h, s) })

	if _, err := s.rep.Write(ctx,
		replica.Edit{Table: records.Workers, Row: w, Set: []replica.ColumnValue{{Column: "phone", Value: "12345"}}},
		replica.Edit{Table: records.MonthlyStatus, Row: status, Set: []replica.ColumnValue{{Column: "list_type", Value: "不存在"}}},
	); err != nil {
		t.Fatal(err)
	}
	s.client.Kick()
	end, err := s.rep.MaxSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hubtest.WaitFor(t, 30*time.Second, "the hub to take S's batch", func() bool {
		c, err := h.Hub.Replica().Cursor(ctx, "up:"+s.enr.Site.String())
		return err == nil && c >= end
	})
	hr := h.Hub.Replica()
	valueIs(t, hr, records.Workers, w, "phone", "13800138000", "the hub took the invalid phone")
	valueIs(t, hr, records.MonthlyStatus, status, "list_type", "失业", "the hub took the invalid list type")

	hubtest.WaitFor(t, 30*time.Second, "S's copy back in line with the hub", func() bool {
		return hubtest.SettledAt(t, s.rep, records.Workers, w, "phone", hubtest.StationValue(t, hr, records.Workers, w, "phone")) &&
			hubtest.SettledAt(t, s.rep, records.MonthlyStatus, status, "list_type",
				hubtest.StationValue(t, hr, records.MonthlyStatus, status, "list_type"))
	})
	valueIs(t, s.rep, records.Workers, w, "phone", "13800138000", "S's copy")
	checkRefused(t, "S's replica", s.rep, "站S", []refusalWant{{records.Workers, w, "phone", records.KeyPhone},
		{records.MonthlyStatus, status, "list_type", records.KeyEnum}})
	if st, out := s.api("GET", "/api/workers/"+w.String(), nil); st != http.StatusOK || out["phone"] != "13800138000" {
		t.Errorf("S's API shows its worker's phone as %v (%d)", out["phone"], st)
	}
	hubtest.WaitFor(t, 30*time.Second, "T in sync", func() bool { return inSync(t, h, other) })
	if rs := hubtest.Refusals(t, other.rep); len(rs) > 0 {
		t.Errorf("station T holds S's refusals: %+v", rs)
	}
}

// A places its worker in B's gig: B learns that the gig has one person
// placed (gig_fill), never whom.
func TestPlacementsReachOtherStationsWithoutTheWorker(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	a := newAPIStation(t, h, "站A")
	b := newAPIStation(t, h, "站B")
	gig := b.mustCreate("/api/gigs", gigBody("B站的零工"))
	wa := a.mustCreate("/api/workers", apiWorkerBody(hubtest.IDNumber(1401), "A站的人"))
	hubtest.WaitFor(t, 30*time.Second, "B's gig at A", func() bool { return hasRow(t, a.rep, records.Gigs, gig) })
	p := a.mustCreate("/api/placements", map[string]any{"gig_id": gig, "worker_id": wa})
	hubtest.WaitFor(t, 30*time.Second, "A's placement at the hub, A and B in sync", func() bool {
		return hasRow(t, h.Hub.Replica(), records.Placements, p) && inSync(t, h, a) && inSync(t, h, b)
	})
	var n int
	pid := mustParseID(t, p)
	if err := b.rep.DB().QueryRow(`SELECT count(*) FROM placements WHERE worker_id = ? OR id = ?`, wa,
		pid[:]).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n > 0 {
		t.Errorf("B's replica holds A's placement naming A's worker")
	}
	hubtest.WaitFor(t, 15*time.Second, "B to hold the gig's fill (placed 1)", func() bool {
		return hubtest.StationValue(t, b.rep, records.GigFill, mustParseID(t, gig), "placed") == int64(1)
	})
}

// After a county's worth of traffic (three stations registering workers
// with statuses, registrations and follow-ups, placing them in each other's
// gigs, and one worker the county adds to B's scope), no station's
// database holds, in any table or column, the id or the id number of a
// worker outside its scope.
func TestNoForeignWorkerInStationDatabases(t *testing.T) {
	ctx := context.Background()
	h := hubtest.NewServer(t, "http", hub.Options{})
	names := []string{"站A", "站B", "站C"}
	sts := make([]*apiStation, len(names))
	for i, n := range names {
		sts[i] = newAPIStation(t, h, n)
	}
	var all []countyWorker
	scope := make([]map[ident.ID]bool, len(sts))
	gigs := make([]string, len(sts))
	first := make([]string, len(sts))
	for i, s := range sts {
		scope[i] = map[ident.ID]bool{}
		for j := range 3 {
			idn := hubtest.IDNumber(1500 + 10*i + j)
			id := s.mustCreate("/api/workers", apiWorkerBody(idn, fmt.Sprintf("%s的第%d人", s.name, j+1)))
			all = append(all, countyWorker{mustParseID(t, id), idn})
			scope[i][mustParseID(t, id)] = true
			if j == 0 {
				first[i] = id
			}
			if st, out := s.api("POST", "/api/monthly-status", map[string]any{"worker_id": id, "month": "2026-11",
				"list_type": "失业", "verified_by_method": "电话", "verified_by": "李四", "verified_at": "2026-11-10"}); st/100 != 2 {
				t.Fatalf("monthly status: %d %v", st, out)
			}
			s.mustCreate("/api/followups", map[string]any{"worker_id": id, "date": "2026-11-10", "method": "上门",
				"service_type": "岗位推荐", "content": "台账", "staff": "李四"})
			s.mustCreate("/api/unemployment-registrations", map[string]any{"worker_id": id, "place_type": "户籍地",
				"registered_on": "2026-10-01", "reason": "合同到期"})
			s.mustCreate("/api/jobseeker-registrations", map[string]any{"worker_id": id, "intended_work": "保洁",
				"work_type": "零工"})
		}
		gigs[i] = s.mustCreate("/api/gigs", gigBody(s.name+"的零工"))
	}
	hubtest.WaitFor(t, 30*time.Second, "every gig at every station", func() bool {
		for _, s := range sts {
			for _, g := range gigs {
				if !hasRow(t, s.rep, records.Gigs, g) {
					return false
				}
			}
		}
		return true
	})
	for i, s := range sts {
		s.mustCreate("/api/placements", map[string]any{"gig_id": gigs[(i+1)%len(sts)], "worker_id": first[i]})
	}
	// The county adds A's second worker to B's scope.
	moved := all[1].id
	hubtest.WaitFor(t, 30*time.Second, "A's workers at the hub", func() bool {
		return hasRow(t, h.Hub.Replica(), records.Workers, moved.String())
	})
	if err := h.Hub.AddToScope(ctx, "站B", []ident.ID{moved}); err != nil {
		t.Fatal(err)
	}
	scope[1][moved] = true
	sts[1].client.Kick()
	hubtest.WaitFor(t, 30*time.Second, "every station in sync", func() bool {
		for _, s := range sts {
			if !inSync(t, h, s) {
				return false
			}
		}
		return hasRow(t, sts[1].rep, records.Workers, moved.String())
	})

	for i, s := range sts {
		var foreign []countyWorker
		for _, w := range all {
			if !scope[i][w.id] {
				foreign = append(foreign, w)
			}
		}
		for _, hit := range scanForWorkers(t, s.rep, foreign) {
			t.Errorf("%s's database holds a worker outside its scope: %s", s.name, hit)
		}
	}
}

// countyWorker is a worker's row id and id number.
type countyWorker struct {
	id  ident.ID
	idn string
}

// scanForWorkers reads every column of every table of r's database and
// returns where it finds a worker's id (16 bytes, or 32 hex digits in
// either case) or id number.
func scanForWorkers(t *testing.T, r *replica.Replica, ws []countyWorker) []string {
	t.Helper()
	ctx := context.Background()
	var tables []string
	rows, err := r.DB().QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	type needle struct {
		what string
		b    [][]byte
	}
	var needles []needle
	for _, w := range ws {
		hexID := w.id.String()
		needles = append(needles, needle{"worker " + hubtest.Short(hexID), [][]byte{w.id[:], []byte(strings.ToLower(hexID)),
			[]byte(strings.ToUpper(hexID)), []byte(w.idn)}})
	}
	var hits []string
	for _, tbl := range tables {
		rows, err := r.DB().QueryContext(ctx, `SELECT * FROM "`+tbl+`"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var cell []byte
				switch v := v.(type) {
				case []byte:
					cell = v
				case string:
					cell = []byte(v)
				default:
					continue
				}
				for _, n := range needles {
					for _, b := range n.b {
						if bytes.Contains(cell, b) {
							hits = append(hits, fmt.Sprintf("%s in %s.%s", n.what, tbl, cols[i]))
						}
					}
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return hits
}
