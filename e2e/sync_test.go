package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/records/sample"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// Offline edits at two stations, made while the hub is down, converge once
// it is up: each station's workers reach the hub, the county's gigs reach
// every station, a worker registered at both stations merges, and after
// catch-up a change at one station reaches the other within a second.
func TestOfflineEditsConverge(t *testing.T) {
	base := runtime.NumGoroutine()
	h := hubtest.NewServer(t, "http", hub.Options{})
	ea, eb := h.Enroll("站A"), h.Enroll("站B")
	h.Stop() // the hub is down while the stations work

	a := hubtest.NewStation(t, ea, syncclient.Config{})
	b := hubtest.NewStation(t, eb, syncclient.Config{})
	a.Write(sample.Workers(50, 1, ea.Key, "站A")...)
	b.Write(sample.Workers(40, 2, eb.Key, "站B")...)
	a.Write(hubtest.GigEdit(t, "A的零工"))
	b.Write(hubtest.GigEdit(t, "B的零工"))
	// The same person registered at both stations, with different phones.
	shared := hubtest.IDNumber(7)
	a.Write(hubtest.WorkerEdit(ea.Key, shared, "巴特尔", "13900000001"))
	b.Write(hubtest.WorkerEdit(eb.Key, shared, "巴特尔", "13900000002"))
	a.Start()
	b.Start()

	h.Open()
	h.Serve(h.Addr)
	hubtest.WaitFor(t, 20*time.Second, "both stations to converge with the hub", func() bool {
		return hubtest.Converged(t, h.Hub, a) && hubtest.Converged(t, h.Hub, b)
	})
	if n := hubtest.RowCount(t, h.Hub.Replica(), records.Workers); n != 91 {
		t.Fatalf("hub has %d workers, want 91", n)
	}
	for _, s := range []*hubtest.Station{a, b} {
		if n := hubtest.RowCount(t, s.Rep, records.Gigs); n != 2 {
			t.Fatalf("%s has %d gigs, want 2", s.Name, n)
		}
	}
	// Station B holds A's registration of the shared worker, and its conflict.
	row := ea.Key.Derive(records.Workers, shared)
	heads, err := b.Rep.Heads(context.Background(), records.Workers, row)
	if err != nil {
		t.Fatal(err)
	}
	conflict := false
	for _, c := range heads {
		if c.Column == "phone" && c.Conflict && len(c.Heads) == 2 {
			conflict = true
		}
	}
	if !conflict {
		t.Fatalf("station B does not show the phone conflict: %+v", heads)
	}
	// The hub's API shows both stations online, with their traffic.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/stations", nil)
	req.Header.Set("Authorization", "Bearer "+h.AdminToken("viewer", access.RoleViewer))
	h.Handler.ServeHTTP(rec, req)
	var api struct{ Stations []hub.StationStatus }
	if err := json.Unmarshal(rec.Body.Bytes(), &api); err != nil {
		t.Fatal(err)
	}
	if len(api.Stations) != 2 {
		t.Fatalf("api lists %d stations", len(api.Stations))
	}
	for _, st := range api.Stations {
		if !st.Online || st.Session == nil || st.Session.BytesIn == 0 || st.Session.BytesOut == 0 || st.Session.AckedUp == 0 {
			t.Fatalf("api: %+v %+v", st, st.Session)
		}
	}
	// A's other workers are not in B's scope.
	if n := hubtest.RowCount(t, b.Rep, records.Workers); n != 41 {
		t.Fatalf("station B has %d workers, want 41", n)
	}

	// Live: an edit at A reaches B within a second, and an administrator's
	// resolution at the hub reaches both.
	start := time.Now()
	a.Write(replica.Edit{Table: records.Workers, Row: row, Set: []replica.ColumnValue{{Column: "notes", Value: "已电话核实"}}})
	hubtest.WaitFor(t, time.Second, "A's edit to reach B", func() bool {
		var notes any
		b.Rep.DB().QueryRow(`SELECT notes FROM workers WHERE id = ?`, row[:]).Scan(&notes)
		return notes == "已电话核实"
	})
	t.Logf("station to station: %s", time.Since(start))
	if _, err := h.Hub.Write(context.Background(), replica.Edit{Table: records.Workers, Row: row,
		Set: []replica.ColumnValue{{Column: "phone", Value: "13900000009"}}}); err != nil {
		t.Fatal(err)
	}
	hubtest.WaitFor(t, 5*time.Second, "the resolution to reach both stations", func() bool {
		return hubtest.Converged(t, h.Hub, a) && hubtest.Converged(t, h.Hub, b)
	})
	heads, _ = a.Rep.Heads(context.Background(), records.Workers, row)
	for _, c := range heads {
		if c.Column == "phone" && (c.Conflict || len(c.Heads) != 1) {
			t.Fatalf("the resolution did not settle the phone at A: %+v", c)
		}
	}
	a.Close()
	b.Close()
	h.Stop()
	hubtest.GoroutinesBack(t, base)
}

// A proxy cuts the first connection after N bytes, for many N: whatever the
// cut, the sync resumes and every replica ends identical, with nothing lost
// and nothing applied twice.
func TestCutAtAnyByte(t *testing.T) {
	cuts := []int64{0, 10, 100, 200, 300, 400, 500, 700, 1000, 1500, 2000, 3000, 5000, 8000, 12000, 16000, 24000, 32000, 48000, 64000}
	if testing.Short() {
		cuts = []int64{0, 300, 3000, 32000}
	}
	for _, n := range cuts {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			h := hubtest.NewServer(t, "http", hub.Options{})
			e := h.Enroll("站A")
			other := h.Enroll("站B")
			for i := 0; i < 30; i++ {
				if _, err := h.Hub.Write(context.Background(), hubtest.GigEdit(t, fmt.Sprintf("零工%d", i))); err != nil {
					t.Fatal(err)
				}
			}
			b := hubtest.NewStation(t, other, syncclient.Config{})
			b.Write(sample.Workers(20, 3, other.Key, "站B")...)
			b.Start()
			p := hubtest.NewProxy(t, h.Addr, n)
			e.HubURL = "http://" + p.Addr()
			a := hubtest.NewStation(t, e, syncclient.Config{})
			a.Write(sample.Workers(200, 4, e.Key, "站A")...)
			// A also registers one of B's workers (a join): it enters A's scope.
			hubtest.WaitFor(t, 10*time.Second, "B to upload", func() bool { return hubtest.Converged(t, h.Hub, b) })
			a.Write(sample.Workers(1, 3, e.Key, "站A")[0])
			a.Start()
			hubtest.WaitFor(t, 20*time.Second, "A to converge", func() bool {
				return hubtest.Converged(t, h.Hub, a) && hubtest.Converged(t, h.Hub, b)
			})
			if got := hubtest.RowCount(t, a.Rep, records.Workers); got != 201 {
				t.Fatalf("A holds %d workers, want 201", got)
			}
			own, _ := hubtest.OwnChanges(t, a.Rep, a.Rep.Site())
			atHub, _ := hubtest.OwnChanges(t, h.Hub.Replica(), a.Rep.Site())
			if atHub != own {
				t.Fatalf("the hub logged %d of A's changes, A made %d", atHub, own)
			}
			if p.Conns.Load() < 2 && p.Bytes.Load() > n {
				t.Fatalf("the proxy saw %d connections: the cut did not happen", p.Conns.Load())
			}
		})
	}
}

// After a hub restart the stations reconnect by themselves and keep syncing.
func TestHubRestart(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	a := hubtest.NewStation(t, h.Enroll("站A"), syncclient.Config{})
	b := hubtest.NewStation(t, h.Enroll("站B"), syncclient.Config{})
	a.Start()
	b.Start()
	a.Write(hubtest.GigEdit(t, "重启前"))
	hubtest.WaitFor(t, 10*time.Second, "the gig to reach B", func() bool { return hubtest.RowCount(t, b.Rep, records.Gigs) == 1 })
	h.Stop()
	hubtest.WaitFor(t, 10*time.Second, "the stations to notice", func() bool {
		return !a.Client.Status().Connected && !b.Client.Status().Connected
	})
	a.Write(hubtest.GigEdit(t, "停机时"))
	h.Open()
	h.Serve(h.Addr)
	hubtest.WaitFor(t, 10*time.Second, "the gig written while the hub was down to reach B", func() bool {
		return hubtest.RowCount(t, b.Rep, records.Gigs) == 2
	})
	hubtest.WaitFor(t, 10*time.Second, "both to reconnect", func() bool {
		return a.Client.Status().Connected && b.Client.Status().Connected
	})
}

// A revoked token is refused with the auth code, shown in Status.
func TestRevokedToken(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{Poll: 50 * time.Millisecond})
	a := hubtest.NewStation(t, h.Enroll("站A"), syncclient.Config{})
	a.Start()
	hubtest.WaitFor(t, 10*time.Second, "A to connect", func() bool { return a.Client.Status().Connected })
	if err := h.Hub.RevokeStation(context.Background(), "站A"); err != nil {
		t.Fatal(err)
	}
	hubtest.WaitFor(t, 10*time.Second, "A to be refused", func() bool {
		st := a.Client.Status()
		return !st.Connected && st.ErrorCode == int(syncproto.ErrCodeAuth)
	})
	a.Write(hubtest.GigEdit(t, "注销后"))
	if n := hubtest.RowCount(t, h.Hub.Replica(), records.Gigs); n != 0 {
		t.Fatalf("the hub took %d gigs from a revoked station", n)
	}
	// Revoked by another process (the command line) while connected: the
	// session ends at its next poll.
	b := hubtest.NewStation(t, h.Enroll("站B"), syncclient.Config{})
	b.Start()
	hubtest.WaitFor(t, 10*time.Second, "B to connect", func() bool { return b.Client.Status().Connected })
	other, err := hub.Open(context.Background(), hub.Options{Dir: h.Dir})
	if err != nil {
		t.Fatal(err)
	}
	err = other.RevokeStation(context.Background(), "站B")
	other.Close()
	if err != nil {
		t.Fatal(err)
	}
	hubtest.WaitFor(t, 10*time.Second, "B to be refused", func() bool {
		st := b.Client.Status()
		return !st.Connected && st.ErrorCode == int(syncproto.ErrCodeAuth)
	})
	// A wrong token is refused the same way.
	e := h.Enroll("站C")
	e.Token = "x" + e.Token[1:]
	c := hubtest.NewStation(t, e, syncclient.Config{})
	c.Start()
	hubtest.WaitFor(t, 10*time.Second, "C to be refused", func() bool {
		return c.Client.Status().ErrorCode == int(syncproto.ErrCodeAuth)
	})
}

// A station whose clock is a day ahead stamps changes the hub refuses; the
// station shows the clock-ahead code. (At its next connection it stamps
// them again: TestClockAheadRecovers. An hour's backoff keeps it from
// reconnecting here.)
func TestClockAheadRefused(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{MaxSkew: time.Minute})
	ahead := func() time.Time { return time.Now().Add(24 * time.Hour) }
	a := hubtest.NewStation(t, h.Enroll("站A"), syncclient.Config{Now: ahead, MinBackoff: time.Hour, MaxBackoff: time.Hour})
	a.Write(hubtest.GigEdit(t, "未来的零工"))
	a.Start()
	hubtest.WaitFor(t, 10*time.Second, "the clock-ahead refusal", func() bool {
		st := a.Client.Status()
		return st.ErrorCode == int(syncproto.ErrCodeClockAhead) && st.LastError != ""
	})
	if n := hubtest.RowCount(t, h.Hub.Replica(), records.Gigs); n != 0 {
		t.Fatalf("the hub took %d gigs stamped a day ahead", n)
	}
	// The station has measured its offset: new stamps are on hub time.
	if off := a.Client.Status().ClockOffset; off > -23*time.Hour {
		t.Fatalf("clock offset %s, want about -24h", off)
	}
	// After a restart, offline, the station still corrects its clock and
	// still shows the refusal.
	a.Stop()
	c, err := syncclient.New(syncclient.Config{Enrollment: a.Enr, Replica: a.Rep, Now: ahead})
	if err != nil {
		t.Fatal(err)
	}
	if st := c.Status(); st.ClockOffset > -23*time.Hour || st.ErrorCode != int(syncproto.ErrCodeClockAhead) {
		t.Fatalf("after restart: %+v", st)
	}
	if d := time.Until(a.Rep.Clock().Wall()); d > time.Minute || d < -time.Minute {
		t.Fatalf("corrected clock is %s off", d)
	}
}

// A station whose data directory was lost is enrolled again and receives its
// whole scope back.
func TestReenrollGetsScopeBack(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	e := h.Enroll("站A")
	a := hubtest.NewStation(t, e, syncclient.Config{})
	a.Write(sample.Workers(30, 5, e.Key, "站A")...)
	a.Write(hubtest.GigEdit(t, "零工"))
	a.Start()
	hubtest.WaitFor(t, 10*time.Second, "A to upload", func() bool { return hubtest.Converged(t, h.Hub, a) })
	a.Stop()

	e2, err := h.Hub.AddStation(context.Background(), "站A", "", true)
	if err != nil {
		t.Fatal(err)
	}
	if e2.Site == e.Site {
		t.Fatal("re-enrollment kept the site id")
	}
	e2.HubURL = h.URL()
	a2 := hubtest.NewStation(t, e2, syncclient.Config{})
	a2.Start()
	hubtest.WaitFor(t, 10*time.Second, "the new station to get its scope back", func() bool { return hubtest.Converged(t, h.Hub, a2) })
	if n := hubtest.RowCount(t, a2.Rep, records.Workers); n != 30 {
		t.Fatalf("re-enrolled station holds %d workers, want 30", n)
	}
	// The old enrollment no longer works.
	a.Start()
	hubtest.WaitFor(t, 10*time.Second, "the old enrollment to be refused", func() bool {
		return a.Client.Status().ErrorCode == int(syncproto.ErrCodeAuth)
	})
}

// A worker registered at A, with a follow-up, enters B's scope when B
// registers the same person: B receives the worker's state and its child
// records, and from then on A's and B's edits of it reach each other.
func TestWorkerEntersScopeWithChildren(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	ea, eb := h.Enroll("站A"), h.Enroll("站B")
	a := hubtest.NewStation(t, ea, syncclient.Config{})
	b := hubtest.NewStation(t, eb, syncclient.Config{})
	a.Start()
	b.Start()
	num := hubtest.IDNumber(42)
	w := ea.Key.Derive(records.Workers, num)
	fid, _ := ident.NewTimeOrdered(time.Now())
	// A whole follow-up, as the station's form writes it (the hub checks it).
	fu := records.Followup{WorkerID: w.String(), Date: "2026-11-01", Method: "电话", ServiceType: "职业指导", Content: "询问务工意向"}
	if err := fu.Validate(); err != nil {
		t.Fatal(err)
	}
	a.Write(hubtest.WorkerEdit(ea.Key, num, "其木格", "13800000001"),
		replica.Edit{Table: records.Followups, Row: fid, Set: fu.Columns()})
	hubtest.WaitFor(t, 10*time.Second, "A to upload", func() bool { return hubtest.Converged(t, h.Hub, a) })
	if n := hubtest.RowCount(t, b.Rep, records.Followups); n != 0 {
		t.Fatalf("B holds %d follow-ups of a worker outside its scope", n)
	}
	b.Write(hubtest.WorkerEdit(eb.Key, num, "其木格", "13800000002"))
	hubtest.WaitFor(t, 10*time.Second, "the worker and its follow-up to reach B", func() bool {
		return hubtest.RowCount(t, b.Rep, records.Followups) == 1 && hubtest.Converged(t, h.Hub, b) && hubtest.Converged(t, h.Hub, a)
	})
	b.Write(replica.Edit{Table: records.Workers, Row: w, Set: []replica.ColumnValue{{Column: "notes", Value: "已转入本站"}}})
	hubtest.WaitFor(t, 5*time.Second, "B's edit to reach A", func() bool {
		var notes any
		a.Rep.DB().QueryRow(`SELECT notes FROM workers WHERE id = ?`, w[:]).Scan(&notes)
		return notes == "已转入本站"
	})
}
