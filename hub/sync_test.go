package hub_test

import (
	"context"
	"encoding/json"
	"fieldsync/hub/access"
	"fmt"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/records/sample"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

func gigEdit(t testing.TB, title string) replica.Edit {
	id, err := ident.NewTimeOrdered(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return replica.Edit{Table: records.Gigs, Row: id, Set: []replica.ColumnValue{{Column: "title", Value: title}}}
}

// Offline edits at two stations, made while the hub is down, converge once
// it is up: each station's workers reach the hub, the county's gigs reach
// every station, a worker registered at both stations merges, and after
// catch-up a change at one station reaches the other within a second.
func TestOfflineEditsConverge(t *testing.T) {
	base := runtime.NumGoroutine()
	h := newTestHub(t, "http", hub.Options{})
	ea, eb := h.enroll("站A"), h.enroll("站B")
	h.stop() // the hub is down while the stations work

	a := newTestStation(t, ea, syncclient.Config{})
	b := newTestStation(t, eb, syncclient.Config{})
	a.write(sample.Workers(50, 1, ea.Key, "站A")...)
	b.write(sample.Workers(40, 2, eb.Key, "站B")...)
	a.write(gigEdit(t, "A的零工"))
	b.write(gigEdit(t, "B的零工"))
	// The same person registered at both stations, with different phones.
	shared := idNumber(7)
	a.write(workerEdit(ea.Key, shared, "巴特尔", "13900000001"))
	b.write(workerEdit(eb.Key, shared, "巴特尔", "13900000002"))
	a.start()
	b.start()

	h.open()
	h.serve(h.addr)
	waitFor(t, 20*time.Second, "both stations to converge with the hub", func() bool {
		return converged(t, h.hub, a) && converged(t, h.hub, b)
	})
	if n := rowCount(t, h.hub.Replica(), records.Workers); n != 91 {
		t.Fatalf("hub has %d workers, want 91", n)
	}
	for _, s := range []*testStation{a, b} {
		if n := rowCount(t, s.rep, records.Gigs); n != 2 {
			t.Fatalf("%s has %d gigs, want 2", s.name, n)
		}
	}
	// Station B holds A's registration of the shared worker, and its conflict.
	row := ea.Key.Derive(records.Workers, shared)
	heads, err := b.rep.Heads(context.Background(), records.Workers, row)
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
	req.Header.Set("Authorization", "Bearer "+h.adminToken("viewer", access.RoleViewer))
	h.handler.ServeHTTP(rec, req)
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
	if n := rowCount(t, b.rep, records.Workers); n != 41 {
		t.Fatalf("station B has %d workers, want 41", n)
	}

	// Live: an edit at A reaches B within a second, and an administrator's
	// resolution at the hub reaches both.
	start := time.Now()
	a.write(replica.Edit{Table: records.Workers, Row: row, Set: []replica.ColumnValue{{Column: "notes", Value: "已电话核实"}}})
	waitFor(t, time.Second, "A's edit to reach B", func() bool {
		var notes any
		b.rep.DB().QueryRow(`SELECT notes FROM workers WHERE id = ?`, row[:]).Scan(&notes)
		return notes == "已电话核实"
	})
	t.Logf("station to station: %s", time.Since(start))
	if _, err := h.hub.Write(context.Background(), replica.Edit{Table: records.Workers, Row: row,
		Set: []replica.ColumnValue{{Column: "phone", Value: "13900000009"}}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the resolution to reach both stations", func() bool {
		return converged(t, h.hub, a) && converged(t, h.hub, b)
	})
	heads, _ = a.rep.Heads(context.Background(), records.Workers, row)
	for _, c := range heads {
		if c.Column == "phone" && (c.Conflict || len(c.Heads) != 1) {
			t.Fatalf("the resolution did not settle the phone at A: %+v", c)
		}
	}
	a.close()
	b.close()
	h.stop()
	goroutinesBack(t, base)
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
			h := newTestHub(t, "http", hub.Options{})
			e := h.enroll("站A")
			other := h.enroll("站B")
			for i := 0; i < 30; i++ {
				if _, err := h.hub.Write(context.Background(), gigEdit(t, fmt.Sprintf("零工%d", i))); err != nil {
					t.Fatal(err)
				}
			}
			b := newTestStation(t, other, syncclient.Config{})
			b.write(sample.Workers(20, 3, other.Key, "站B")...)
			b.start()
			p := newProxy(t, h.addr, n)
			e.HubURL = "http://" + p.addr()
			a := newTestStation(t, e, syncclient.Config{})
			a.write(sample.Workers(200, 4, e.Key, "站A")...)
			// A also touches one of B's workers: it enters A's scope.
			w := sample.Workers(1, 3, other.Key, "站B")[0]
			waitFor(t, 10*time.Second, "B to upload", func() bool { return converged(t, h.hub, b) })
			a.write(replica.Edit{Table: records.Workers, Row: w.Row, Set: []replica.ColumnValue{{Column: "notes", Value: "到站咨询"}}})
			a.start()
			waitFor(t, 20*time.Second, "A to converge", func() bool {
				return converged(t, h.hub, a) && converged(t, h.hub, b)
			})
			if got := rowCount(t, a.rep, records.Workers); got != 201 {
				t.Fatalf("A holds %d workers, want 201", got)
			}
			own, _ := ownChanges(t, a.rep, a.rep.Site())
			atHub, _ := ownChanges(t, h.hub.Replica(), a.rep.Site())
			if atHub != own {
				t.Fatalf("the hub logged %d of A's changes, A made %d", atHub, own)
			}
			if p.conns.Load() < 2 && p.bytes.Load() > n {
				t.Fatalf("the proxy saw %d connections: the cut did not happen", p.conns.Load())
			}
		})
	}
}

// After a hub restart the stations reconnect by themselves and keep syncing.
func TestHubRestart(t *testing.T) {
	h := newTestHub(t, "http", hub.Options{})
	a := newTestStation(t, h.enroll("站A"), syncclient.Config{})
	b := newTestStation(t, h.enroll("站B"), syncclient.Config{})
	a.start()
	b.start()
	a.write(gigEdit(t, "重启前"))
	waitFor(t, 10*time.Second, "the gig to reach B", func() bool { return rowCount(t, b.rep, records.Gigs) == 1 })
	h.stop()
	waitFor(t, 10*time.Second, "the stations to notice", func() bool {
		return !a.client.Status().Connected && !b.client.Status().Connected
	})
	a.write(gigEdit(t, "停机时"))
	h.open()
	h.serve(h.addr)
	waitFor(t, 10*time.Second, "the gig written while the hub was down to reach B", func() bool {
		return rowCount(t, b.rep, records.Gigs) == 2
	})
	waitFor(t, 10*time.Second, "both to reconnect", func() bool {
		return a.client.Status().Connected && b.client.Status().Connected
	})
}

// A revoked token is refused with the auth code, shown in Status.
func TestRevokedToken(t *testing.T) {
	h := newTestHub(t, "http", hub.Options{Poll: 50 * time.Millisecond})
	a := newTestStation(t, h.enroll("站A"), syncclient.Config{})
	a.start()
	waitFor(t, 10*time.Second, "A to connect", func() bool { return a.client.Status().Connected })
	if err := h.hub.RevokeStation(context.Background(), "站A"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "A to be refused", func() bool {
		st := a.client.Status()
		return !st.Connected && st.ErrorCode == int(syncproto.ErrCodeAuth)
	})
	a.write(gigEdit(t, "注销后"))
	if n := rowCount(t, h.hub.Replica(), records.Gigs); n != 0 {
		t.Fatalf("the hub took %d gigs from a revoked station", n)
	}
	// Revoked by another process (the command line) while connected: the
	// session ends at its next poll.
	b := newTestStation(t, h.enroll("站B"), syncclient.Config{})
	b.start()
	waitFor(t, 10*time.Second, "B to connect", func() bool { return b.client.Status().Connected })
	other, err := hub.Open(context.Background(), hub.Options{Dir: h.dir})
	if err != nil {
		t.Fatal(err)
	}
	err = other.RevokeStation(context.Background(), "站B")
	other.Close()
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "B to be refused", func() bool {
		st := b.client.Status()
		return !st.Connected && st.ErrorCode == int(syncproto.ErrCodeAuth)
	})
	// A wrong token is refused the same way.
	e := h.enroll("站C")
	e.Token = "x" + e.Token[1:]
	c := newTestStation(t, e, syncclient.Config{})
	c.start()
	waitFor(t, 10*time.Second, "C to be refused", func() bool {
		return c.client.Status().ErrorCode == int(syncproto.ErrCodeAuth)
	})
}

// A station whose clock is a day ahead stamps changes the hub refuses; the
// station shows the clock-ahead code.
func TestClockAheadRefused(t *testing.T) {
	h := newTestHub(t, "http", hub.Options{MaxSkew: time.Minute})
	ahead := func() time.Time { return time.Now().Add(24 * time.Hour) }
	a := newTestStation(t, h.enroll("站A"), syncclient.Config{Now: ahead})
	a.write(gigEdit(t, "未来的零工"))
	a.start()
	waitFor(t, 10*time.Second, "the clock-ahead refusal", func() bool {
		st := a.client.Status()
		return st.ErrorCode == int(syncproto.ErrCodeClockAhead) && st.LastError != ""
	})
	if n := rowCount(t, h.hub.Replica(), records.Gigs); n != 0 {
		t.Fatalf("the hub took %d gigs stamped a day ahead", n)
	}
	// The station has measured its offset: new stamps are on hub time.
	if off := a.client.Status().ClockOffset; off > -23*time.Hour {
		t.Fatalf("clock offset %s, want about -24h", off)
	}
	// After a restart, offline, the station still corrects its clock and
	// still shows the refusal.
	a.stop()
	c, err := syncclient.New(syncclient.Config{Enrollment: a.enr, Replica: a.rep, Now: ahead})
	if err != nil {
		t.Fatal(err)
	}
	if st := c.Status(); st.ClockOffset > -23*time.Hour || st.ErrorCode != int(syncproto.ErrCodeClockAhead) {
		t.Fatalf("after restart: %+v", st)
	}
	if d := time.Until(a.rep.Clock().Wall()); d > time.Minute || d < -time.Minute {
		t.Fatalf("corrected clock is %s off", d)
	}
}

// A station whose data directory was lost is enrolled again and receives its
// whole scope back.
func TestReenrollGetsScopeBack(t *testing.T) {
	h := newTestHub(t, "http", hub.Options{})
	e := h.enroll("站A")
	a := newTestStation(t, e, syncclient.Config{})
	a.write(sample.Workers(30, 5, e.Key, "站A")...)
	a.write(gigEdit(t, "零工"))
	a.start()
	waitFor(t, 10*time.Second, "A to upload", func() bool { return converged(t, h.hub, a) })
	a.stop()

	e2, err := h.hub.AddStation(context.Background(), "站A", "", true)
	if err != nil {
		t.Fatal(err)
	}
	if e2.Site == e.Site {
		t.Fatal("re-enrollment kept the site id")
	}
	e2.HubURL = h.url()
	a2 := newTestStation(t, e2, syncclient.Config{})
	a2.start()
	waitFor(t, 10*time.Second, "the new station to get its scope back", func() bool { return converged(t, h.hub, a2) })
	if n := rowCount(t, a2.rep, records.Workers); n != 30 {
		t.Fatalf("re-enrolled station holds %d workers, want 30", n)
	}
	// The old enrollment no longer works.
	a.start()
	waitFor(t, 10*time.Second, "the old enrollment to be refused", func() bool {
		return a.client.Status().ErrorCode == int(syncproto.ErrCodeAuth)
	})
}

// A worker registered at A, with a follow-up, enters B's scope when B
// registers the same person: B receives the worker's state and its child
// records, and from then on A's and B's edits of it reach each other.
func TestWorkerEntersScopeWithChildren(t *testing.T) {
	h := newTestHub(t, "http", hub.Options{})
	ea, eb := h.enroll("站A"), h.enroll("站B")
	a := newTestStation(t, ea, syncclient.Config{})
	b := newTestStation(t, eb, syncclient.Config{})
	a.start()
	b.start()
	num := idNumber(42)
	w := ea.Key.Derive(records.Workers, num)
	fid, _ := ident.NewTimeOrdered(time.Now())
	a.write(workerEdit(ea.Key, num, "其木格", "13800000001"),
		replica.Edit{Table: records.Followups, Row: fid, Set: []replica.ColumnValue{
			{Column: "worker_id", Value: w.String()}, {Column: "date", Value: "2026-11-01"},
			{Column: "method", Value: "电话"}, {Column: "content", Value: "询问务工意向"}}})
	waitFor(t, 10*time.Second, "A to upload", func() bool { return converged(t, h.hub, a) })
	if n := rowCount(t, b.rep, records.Followups); n != 0 {
		t.Fatalf("B holds %d follow-ups of a worker outside its scope", n)
	}
	b.write(workerEdit(eb.Key, num, "其木格", "13800000002"))
	waitFor(t, 10*time.Second, "the worker and its follow-up to reach B", func() bool {
		return rowCount(t, b.rep, records.Followups) == 1 && converged(t, h.hub, b) && converged(t, h.hub, a)
	})
	b.write(replica.Edit{Table: records.Workers, Row: w, Set: []replica.ColumnValue{{Column: "notes", Value: "已转入本站"}}})
	waitFor(t, 5*time.Second, "B's edit to reach A", func() bool {
		var notes any
		a.rep.DB().QueryRow(`SELECT notes FROM workers WHERE id = ?`, w[:]).Scan(&notes)
		return notes == "已转入本站"
	})
}
